//! The kiosk and the centre end to end, over loopback: the centre is its real binary (`centre serve`,
//! the demo, an embedded SQLite file); the kiosk is its real code in this process (the complaints page
//! on Slint's testing backend, its durable outbox, its heartbeat task over the simulated printer).
//!
//! - a complaint entered on the kiosk's page reaches the centre's inbox; staff assign and answer it in
//!   the web app (session cookie, CSRF token from the page, as a browser does); the receipt code the
//!   kiosk showed then reads 已答复 with the reply on the kiosk's 进度查询 tab;
//! - a low rating naming its window reaches the centre's ratings, counted by window;
//! - the simulated printer runs out of paper: the kiosk's next heartbeat carries it at once (a change
//!   is news) and the centre's fleet lists the device with the paper alert.
//!
//! The centre's binary is the one `cargo test --workspace` builds next to this test's executable
//! (`cargo build -p centre` when running this crate alone).

use std::{
    io::{BufRead as _, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use content::{ContentConfig, ContentStore, Outbox};
use kiosk::{
    config::DevicesConfig,
    devices::Devices,
    health::{HealthSources, schedule::HeartbeatSchedule, spawn_heartbeats_with},
    ui::{
        FeedbackAdapter, Page, Shell, ShellOptions,
        info::{InfoOptions, InfoPages, feedback::status::ReceiptLookup},
    },
};
use serde_json::Value;
use slint::ComponentHandle as _;

/// The demo's device, its token and the staff account (`centre serve` without `--config`).
const DEVICE: &str = "demo-kiosk";
const DEVICE_TOKEN: &str = "demo-device-token";
const STAFF: (&str, &str) = ("admin", "admin-demo");
/// How long anything here may take before the test fails (never a pause: every wait polls a state).
const DEADLINE: Duration = Duration::from_secs(60);

/// The centre's binary, next to this test's executable's directory (`target/debug/centre`).
fn centre_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = dir.join(format!("centre{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: `cargo test --workspace` builds it, or run `cargo build -p centre` first",
        path.display()
    );
    path
}

/// A running `centre serve` (the demo) on a loopback port of its choosing.
struct Centre {
    child: Child,
    base: String,
    _data: tempfile::TempDir,
}

impl Centre {
    fn start() -> Self {
        let data = tempfile::tempdir().unwrap();
        let mut child = Command::new(centre_binary())
            .arg("serve")
            .arg("--data-dir")
            .arg(data.path())
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut said = Vec::new();
        let base = loop {
            let line = lines
                .recv_timeout(DEADLINE)
                .unwrap_or_else(|e| panic!("the centre did not start ({e}): {said:#?}"));
            if let Some(at) = line.find("listening on http://") {
                let rest = &line[at + "listening on ".len()..];
                break rest.split([',', ' ']).next().unwrap().to_owned();
            }
            said.push(line);
        };
        Self {
            child,
            base,
            _data: data,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Centre {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A member of staff in the web app: the session cookie, and POSTs with the page's CSRF token and a
/// same-origin `Origin`, as the browser sends them.
struct Staff {
    client: reqwest::Client,
    base: String,
    cookie: String,
    token: String,
}

impl Staff {
    async fn login(centre: &Centre) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client
            .post(centre.url("/staff/login"))
            .header("origin", &centre.base)
            .header("content-type", FORM)
            .body(form_body(&[("user", STAFF.0), ("password", STAFF.1)]))
            .send()
            .await
            .unwrap();
        let cookie = response
            .headers()
            .get("set-cookie")
            .unwrap_or_else(|| panic!("no session cookie: {}", response.status()))
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        // The JSON API takes a bearer token from its own login.
        let login = client
            .post(centre.url("/api/v1/login"))
            .header("content-type", "application/json")
            .body(serde_json::json!({"user": STAFF.0, "password": STAFF.1}).to_string())
            .send()
            .await
            .unwrap();
        let answer: Value = serde_json::from_str(&login.text().await.unwrap()).unwrap();
        let token = answer["token"].as_str().unwrap().to_owned();
        Self {
            client,
            base: centre.base.clone(),
            cookie,
            token,
        }
    }

    async fn page(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn json(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert_eq!(status, 200, "{path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Submits a form of the page at `page` to `action`, with the CSRF token the page carries.
    async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> u16 {
        let (_, html) = self.page(page).await;
        let csrf = csrf_of(&html);
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &csrf));
        let response = self
            .client
            .post(format!("{}{action}", self.base))
            .header("cookie", &self.cookie)
            .header("origin", &self.base)
            .header("content-type", FORM)
            .body(form_body(&form))
            .send()
            .await
            .unwrap();
        response.status().as_u16()
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

/// A form body, every byte but letters and digits percent-encoded.
fn form_body(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the first `name="csrf"` field of a page.
fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\"")
        .unwrap_or_else(|| panic!("no CSRF field in the page: {html}"));
    let rest = &html[at..];
    let value = rest.find("value=\"").unwrap() + "value=\"".len();
    rest[value..].split('"').next().unwrap().to_owned()
}

/// The kiosk's `[content]` table pointing at the centre, and its token file.
fn kiosk_config(centre: &Centre, dir: &std::path::Path) -> ContentConfig {
    let token_file = dir.join("centre-token");
    std::fs::write(&token_file, format!("{DEVICE_TOKEN}\n")).unwrap();
    ContentConfig {
        outbox_url: Some(centre.url("/api/v1/outbox")),
        outbox_token_file: Some(token_file),
        device_id: Some(DEVICE.into()),
        ..ContentConfig::default()
    }
}

/// Runs `runtime`'s future to completion from the UI thread.
fn block_on<F: Future>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output {
    runtime.block_on(future)
}

/// Polls `check` until it gives a value, failing after [`DEADLINE`].
async fn eventually<T, F: Future<Output = Option<T>>>(
    what: &str,
    mut check: impl FnMut() -> F,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{what}: not within {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs the Slint event loop until the complaints page has an answer to show (or an error).
fn run_ui_until_answered(shell: &Shell) {
    let weak = shell.window().as_weak();
    let started = Instant::now();
    let timer = slint::Timer::default();
    timer.start(
        slint::TimerMode::Repeated,
        Duration::from_millis(20),
        move || {
            let Some(window) = weak.upgrade() else { return };
            let page = window.global::<FeedbackAdapter>();
            if !page.get_looking() || started.elapsed() > DEADLINE {
                let _ = slint::quit_event_loop();
            }
        },
    );
    slint::run_event_loop_until_quit().unwrap();
}

#[test]
fn a_complaint_a_rating_and_a_paper_out_printer_travel_from_the_kiosk_to_the_centre() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let centre = Centre::start();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let config = kiosk_config(&centre, kiosk_dir.path());

    // The kiosk: its content, outbox (delivering on its own task) and complaints page.
    let store = ContentStore::open(kiosk_dir.path(), &config).unwrap();
    let outbox = Outbox::open(kiosk_dir.path(), &config, "黔江区公共法律服务中心").unwrap();
    let _delivery = outbox.spawn(runtime.handle());
    let shell = Shell::new(ShellOptions {
        centre_name: "黔江区公共法律服务中心".into(),
        centre_name_en: "Qianjiang District Public Legal Service Centre".into(),
        idle_timeout: Duration::from_secs(600),
        language: kiosk::config::Language::Zh,
        elderly_mode: false,
        live_clock: false,
    })
    .unwrap();
    shell.window().show().unwrap();
    let pages = InfoPages::attach(&shell, store.current(), InfoOptions::default());
    pages.set_outbox(outbox.clone());
    let lookup = ReceiptLookup::from_config(&config, runtime.handle().clone())
        .expect("a kiosk with a centre can look receipts up");
    assert_eq!(lookup.base().as_str(), format!("{}/", centre.base));
    pages.set_receipt_lookup(lookup);
    shell.go(Page::Complaints);

    // A citizen files a suggestion (the page's own controller checks it and queues it).
    let page = shell.window().global::<FeedbackAdapter>();
    assert!(page.get_lookup_available());
    page.set_category("suggestion".into());
    page.set_about("general".into());
    page.set_text("希望周六上午也开放法律援助窗口".into());
    page.set_phone("13912345678".into());
    page.invoke_submit_complaint();
    let code = page.get_reference().to_string();
    assert!(
        code.starts_with("T-"),
        "the page shows a receipt code: {code:?}"
    );

    // The outbox delivers it; staff see it in the inbox, with the phone masked.
    let staff = block_on(&runtime, Staff::login(&centre));
    let inbox = block_on(
        &runtime,
        eventually("the suggestion in the inbox", || async {
            let (_, html) = staff.page("/staff/complaints").await;
            html.contains(&code).then_some(html)
        }),
    );
    assert!(inbox.contains("希望周六上午也开放法律援助窗口") || inbox.contains(&code));
    assert!(!inbox.contains("13912345678"), "the list masks the phone");

    // Staff assign it to themselves and answer it.
    let case = format!("/staff/complaints/{code}");
    let assign = block_on(
        &runtime,
        staff.submit(&case, &format!("{case}/assign"), &[("assignee", STAFF.0)]),
    );
    assert!((300..400).contains(&assign), "assign answered {assign}");
    let reply = "已安排每周六上午开放法律援助窗口，感谢您的建议。";
    let replied = block_on(
        &runtime,
        staff.submit(&case, &format!("{case}/reply"), &[("reply", reply)]),
    );
    assert!((300..400).contains(&replied), "reply answered {replied}");

    // Back at the kiosk (the next citizen's session could be another kiosk's: any may ask).
    page.invoke_new_entry();
    page.set_tab(3);
    page.set_code(code.to_lowercase().replace('-', "").into());
    page.invoke_look_up();
    assert!(page.get_looking(), "the lookup runs off the UI thread");
    assert_eq!(
        page.get_code(),
        code.as_str(),
        "the typed code is normalised"
    );
    run_ui_until_answered(&shell);
    assert_eq!(page.get_error(), "", "no error: {}", page.get_error_en());
    assert!(page.get_found(), "the centre's answer is shown");
    let receipt = page.get_receipt();
    assert_eq!(receipt.code, code.as_str());
    assert_eq!(receipt.state, "已答复");
    assert_eq!(receipt.kind, "建议");
    assert_eq!(receipt.reply, reply);
    assert!(!receipt.deadline.is_empty());

    // A code the centre never received is told apart from a centre that cannot be reached.
    page.set_code("T-2222-2222".into());
    page.invoke_look_up();
    run_ui_until_answered(&shell);
    assert!(!page.get_found());
    assert!(
        page.get_error().contains("没有查到"),
        "{}",
        page.get_error()
    );

    // A low rating names the window that served the visit: the centre counts it by window and
    // lists it for a return call.
    page.invoke_new_entry();
    page.set_tab(1);
    page.set_ticket("D004".into());
    page.set_service("notary".into());
    page.set_rated_window("4".into());
    page.set_score(2);
    page.invoke_submit_rating();
    let rating_key = page.get_reference().to_string();
    assert!(rating_key.starts_with("P-"), "{rating_key:?}");
    let rating = block_on(
        &runtime,
        eventually("the rating at the centre", || async {
            let ratings = staff.json("/api/v1/ratings").await;
            ratings
                .as_array()?
                .iter()
                .find(|r| r["key"] == rating_key.as_str())
                .cloned()
        }),
    );
    assert_eq!(
        (rating["window"].as_u64(), rating["score"].as_u64()),
        (Some(4), Some(2))
    );
    let (_, ratings_page) = block_on(&runtime, staff.page("/staff/ratings"));
    assert!(
        ratings_page.contains("<td>4号窗口 Window 4</td><td>1</td><td>2.00</td><td>1</td>"),
        "by window: {ratings_page}"
    );
    assert!(
        ratings_page.contains(&rating_key),
        "listed for a return call"
    );

    // The printer: the kiosk's heartbeat task over the simulated devices.
    let _enter = runtime.enter();
    let devices = Devices::start(&DevicesConfig::default(), &kiosk_dir.path().join("sim")).unwrap();
    let sources = HealthSources::new(DEVICE, kiosk_dir.path())
        .with_devices(&devices)
        .with_content(store.clone())
        .with_outbox(outbox.clone());
    // The regular interval is an hour: only a change can send the second heartbeat.
    let schedule = HeartbeatSchedule::new(Duration::from_secs(3600), Duration::from_millis(100))
        .checking_every(Duration::from_millis(50));
    let mut beats = spawn_heartbeats_with(runtime.handle(), sources, outbox.clone(), schedule);
    block_on(&runtime, async {
        tokio::time::timeout(DEADLINE, beats.queued.wait_for(|n| *n >= 1))
            .await
            .expect("the first heartbeat at once")
            .unwrap();
        devices.printer.check().await.unwrap();
    });
    let fleet = block_on(
        &runtime,
        eventually("the kiosk on the fleet", || async {
            let devices = staff.json("/api/v1/devices").await;
            let kiosk = devices
                .as_array()?
                .iter()
                .find(|d| d["device"] == DEVICE)?
                .clone();
            kiosk["last_seen"].is_string().then_some(kiosk)
        }),
    );
    assert_eq!(fleet["online"], true);
    assert!(
        fleet["alerts"].as_array().unwrap().is_empty(),
        "no alert while the printer has paper: {fleet}"
    );

    devices
        .printer
        .simulator()
        .unwrap()
        .set_state(ticket_printer::VirtualState {
            paper_out: true,
            ..Default::default()
        });
    // The printer thread reads its status every STATUS_POLL while idle; read it now instead.
    block_on(&runtime, devices.printer.check()).unwrap();
    let fleet = block_on(
        &runtime,
        eventually("the paper alert on the fleet", || async {
            let devices = staff.json("/api/v1/devices").await;
            let kiosk = devices
                .as_array()?
                .iter()
                .find(|d| d["device"] == DEVICE)?
                .clone();
            (!kiosk["alerts"].as_array()?.is_empty()).then_some(kiosk)
        }),
    );
    assert_eq!(fleet["printer"]["paper"], "out", "{fleet}");
    let (status, html) = block_on(&runtime, staff.page("/staff/fleet"));
    assert_eq!(status, 200);
    assert!(html.contains(DEVICE) && html.contains("缺纸"), "{html}");
    beats.handle.abort();
}
