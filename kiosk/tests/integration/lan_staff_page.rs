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
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");

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
