//! The staff page in headless Chromium (Debian's `chromium` and `chromium-driver`).
//!
//! Drives the real page against a real LAN service: login, live waiting counts over SSE,
//! the keyboard shortcut for 叫号, the buttons, and the printer banner.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, mpsc},
    time::Duration,
};

use fantoccini::{
    ClientBuilder, Locator,
    actions::{InputSource, KeyAction, KeyActions},
};
use kiosk::lan::{LanService, demo_config};
use queue::{DeviceAlerts, PrinterAlert, QueueEngine, SystemClock};
use serde_json::json;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const WAIT: Duration = Duration::from_secs(30);

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_chromedriver() -> (Driver, u16) {
    for path in [CHROMEDRIVER, CHROMIUM] {
        assert!(
            Path::new(path).exists(),
            "{path} is missing: install Chromium and its driver (apt-get install -y chromium chromium-driver)"
        );
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("started successfully") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(WAIT)
        .expect("chromedriver reports that it started");
    (Driver(child), port)
}

/// A headless Chromium session through the chromedriver on `port`, with its profile in `profile`.
async fn chromium(port: u16, profile: &Path) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session")
}

/// Logs window `window` in with `pin` and waits for the idle desk.
async fn log_in(
    browser: &fantoccini::Client,
    base: &str,
    window: u32,
    pin: &str,
) -> Result<(), fantoccini::error::CmdError> {
    browser.goto(&format!("{base}/staff")).await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!(
            "#login-window option[value='{window}']"
        )))
        .await?;
    browser
        .find(Locator::Id("login-window"))
        .await?
        .select_by_value(&window.to_string())
        .await?;
    browser
        .find(Locator::Id("login-pin"))
        .await?
        .send_keys(pin)
        .await?;
    browser
        .find(Locator::Id("login-submit"))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//div[@id='current-status' and contains(., '空闲')]",
        ))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_page_issues_at_the_counter_shows_bookings_and_puts_a_no_show_back() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, mut lan) = demo_config();
    let w2 = lan.staff.iter_mut().find(|s| s.window == 2).unwrap();
    w2.name = Some("李华".into());
    w2.staff_id = Some("QJ-0202".into());
    // Monday 2025-03-03 09:30 in Chongqing; the demo services are open all day.
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 3, 3, 1, 30, 0).unwrap();
    let engine = Arc::new(
        QueueEngine::open(
            &dir.path().join("q.sqlite3"),
            queue,
            Arc::new(queue::ManualClock::new(now)),
            "",
        )
        .unwrap(),
    );
    engine
        .replace_bookings(&[
            queue::BookedSlot {
                code: "BK-3001".into(),
                service: "mediation".into(),
                slot_start: now,
                slot_end: now + chrono::Duration::minutes(30),
                masked_name: "张*三".into(),
            },
            queue::BookedSlot {
                code: "BK-3002".into(),
                service: "legal_aid".into(),
                slot_start: now + chrono::Duration::hours(1),
                slot_end: now + chrono::Duration::minutes(90),
                masked_name: "王*".into(),
            },
        ])
        .unwrap();
    let booked = queue::Booking {
        code: "BK-3001".into(),
        slot_start: now,
        slot_end: now + chrono::Duration::minutes(30),
    };
    engine
        .check_in(
            &queue::IssueRequest::new("mediation"),
            &booked,
            "demo-kiosk",
        )
        .unwrap();
    let service = LanService::new(Arc::clone(&engine), lan).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(service.serve(listener, std::future::pending()));

    let (_driver, port) = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let browser = chromium(port, profile.path()).await;
    let result = async {
        log_in(&browser, &base, 2, "2222").await?;
        // The staff member on duty, the booked slots with their check-in state, and the
        // appointment badge in the waiting list.
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath("//span[@id='staff-name' and contains(., '李华')]"))
            .await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//li[@data-code='BK-3001' and contains(., '已签到') and contains(., 'F001') and contains(., '张*三')]",
            ))
            .await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//li[@data-code='BK-3002' and contains(., '未签到')]",
            ))
            .await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//ul[@id='waiting-list']/li[@data-number='F001']/span[contains(., '预约')]",
            ))
            .await?;

        // 窗口取号: a legal-aid ticket for an elderly person at the counter, with the ID number.
        browser
            .find(Locator::Id("counter-service"))
            .await?
            .select_by_value("legal_aid")
            .await?;
        browser
            .find(Locator::Id("counter-priority"))
            .await?
            .select_by_value("elderly")
            .await?;
        browser
            .find(Locator::Id("counter-id"))
            .await?
            .send_keys("990101194912319997")
            .await?;
        browser
            .find(Locator::Id("counter-submit"))
            .await?
            .click()
            .await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath("//span[@id='counter-number' and text()='C001']"))
            .await?;
        let typed = browser
            .find(Locator::Id("counter-id"))
            .await?
            .prop("value")
            .await?;
        assert_eq!(typed.as_deref(), Some(""), "the ID number leaves the page");

        // 叫号 calls the elderly legal-aid ticket (window 2 serves legal aid first), 过号, then
        // 回队 puts it back.
        browser.find(Locator::Id("btn-call-next")).await?.click().await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath("//div[@id='current-number' and text()='C001']"))
            .await?;
        browser.find(Locator::Id("btn-no-show")).await?.click().await?;
        // The waiting list is redrawn on every event: a button found just before a redraw is
        // stale by the click, so find it again.
        let back = Locator::XPath(
            "//ul[@id='waiting-list']/li[@data-number='C001']/button[contains(@class, 'return')]",
        );
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let button = browser.wait().at_most(WAIT).for_element(back).await?;
            match button.click().await {
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference
                        && std::time::Instant::now() < deadline => {}
                other => break other?,
            }
        }
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//ul[@id='waiting-list']/li[@data-number='C001' and contains(., '已回队 1')]",
            ))
            .await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = browser.close().await;
    result.expect("the staff page's counter, bookings and 回队 work");
    let day = engine.current_day().unwrap();
    let c001 = engine
        .tickets_of_day(day)
        .unwrap()
        .into_iter()
        .find(|t| t.number == "C001")
        .unwrap();
    assert_eq!(
        (
            c001.status,
            c001.returns,
            c001.issued_by.as_str(),
            c001.priority
        ),
        (
            queue::TicketStatus::Waiting,
            1,
            "window-2",
            queue::PriorityKind::Elderly
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_page_logs_in_calls_serves_and_shows_the_printer_banner() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, lan) = demo_config();
    let engine = Arc::new(
        QueueEngine::open(
            &dir.path().join("q.sqlite3"),
            queue,
            Arc::new(SystemClock),
            "",
        )
        .unwrap(),
    );
    let service = LanService::new(Arc::clone(&engine), lan).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(service.serve(listener, std::future::pending()));

    let (_driver, port) = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let browser = chromium(port, profile.path()).await;

    let result = async {
        browser.goto(&format!("{base}/staff")).await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#login-window option[value='1']"))
            .await?;
        browser
            .find(Locator::Id("login-pin"))
            .await?
            .send_keys("1111")
            .await?;
        browser
            .find(Locator::Id("login-submit"))
            .await?
            .click()
            .await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//div[@id='current-status' and contains(., '空闲')]",
            ))
            .await?;

        // A ticket issued by a kiosk shows up live (SSE), without reloading.
        let http = reqwest::Client::new();
        let resp = http
            .post(format!("{base}/api/v1/tickets"))
            .bearer_auth("demo-device-token")
            .json(&json!({"service": "reception", "priority": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), reqwest::StatusCode::CREATED);
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//td[@id='waiting-reception' and text()='1']",
            ))
            .await?;

        // Keyboard shortcut N = 叫号.
        browser
            .perform_actions(
                KeyActions::new("keyboard".into())
                    .then(KeyAction::Down { value: 'n' })
                    .then(KeyAction::Up { value: 'n' }),
            )
            .await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//div[@id='current-number' and text()='A001']",
            ))
            .await?;

        // 开始, then 办结 with an outcome.
        browser
            .find(Locator::Id("btn-start"))
            .await?
            .click()
            .await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//div[@id='current-status' and contains(., '办理中')]",
            ))
            .await?;
        browser
            .find(Locator::Id("btn-complete"))
            .await?
            .click()
            .await?;
        browser
            .find(Locator::Id("complete-submit"))
            .await?
            .click()
            .await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath("//div[@id='current-number' and text()='—']"))
            .await?;

        // The kiosk reports low paper: the banner appears.
        engine
            .set_device_alerts(
                "kiosk-1",
                DeviceAlerts {
                    printer: PrinterAlert::PaperNearEnd,
                    ..DeviceAlerts::default()
                },
            )
            .unwrap();
        let banner = browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//div[@id='printer-banner' and contains(., '打印纸')]",
            ))
            .await?;
        assert!(banner.is_displayed().await?);

        // A visitor presses the kiosk's help button: the banner says so, with a button for the staff
        // member who goes there; pressing it closes the request.
        engine.set_help_request("kiosk-1", true).unwrap();
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//div[@id='printer-banner' and contains(., '呼叫按钮')]",
            ))
            .await?
            .find(Locator::Css("button.attend"))
            .await?
            .click()
            .await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//div[@id='printer-banner' and not(contains(., '呼叫按钮')) and contains(., '打印纸')]",
            ))
            .await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = browser.close().await;
    result.expect("the staff page works");
    assert!(
        engine.device_alerts().iter().all(|(_, a)| !a.help),
        "the help request was closed from the staff page"
    );
    let day = engine.current_day().unwrap();
    let t = &engine.tickets_of_day(day).unwrap()[0];
    assert_eq!(
        (t.number.as_str(), t.outcome.as_deref()),
        ("A001", Some("answered"))
    );
}
