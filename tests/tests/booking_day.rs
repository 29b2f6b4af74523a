//! A booking's day end to end, over loopback, on one manual clock (Monday 2026-03-02 in Chongqing):
//!
//! - the centre (its library, in this process: the same code as `centre serve`, over an SQLite file)
//!   takes two legal-aid bookings for 10:00 on its phone pages at 08:30;
//! - the site's queue host (the real engine on an SQLite file, behind the real LAN service) polls the
//!   centre's device list and holds both slots;
//! - walk-ins take numbers at 09:50;
//! - at 10:02 a kiosk on Slint's testing backend (its queue over the LAN, its own booking list, the
//!   simulated ID reader, printer and code scanner) checks the first booking in by ID card and the
//!   second by its QR code;
//! - window 2 calls: both appointments come before the legal-aid walk-ins who arrived earlier; it
//!   completes them;
//! - window 2's rating pad (its real model and window, following the host over the LAN with a token
//!   bound to window 2) shows the staff member on duty, asks the first citizen served, who gives 2 of
//!   5 with a reason; the host records it once and its outbox carries it to the centre's ratings and
//!   report;
//! - the kiosk's outbox tells the centre, whose list then says 已签到 for both.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use centre::{
    Accounts, ApiSettings, AppState, CentreConfig, SqliteStore, Store, booking::BookingKeys,
    install_accounts,
};
use chrono::{DateTime, Utc};
use clock::{ManualWallClock, WallClock as _};
use content::{BookingClient, BookingState, ContentConfig, Fetched, Outbox, SiteBookings};
use kiosk::{
    bookings::{BookingBook, spawn_poll},
    config::{DevicesConfig, Language},
    devices::Devices,
    lan::{DeviceEntry, LanConfig, LanService, device_token_sha256},
    rating_pad::{
        RatingPad,
        link::{follow_host, send_rating},
        model::{PadTimings, PhaseKind},
    },
    ui::{
        CheckInAdapter, Page, Shell, ShellOptions,
        check_in::{CheckInController, CheckInDeps, Flow, Step},
        take_number::{TakeNumberController, TakeNumberDeps, TakeNumberOptions, card::SampleCard},
    },
};
use queue::{HttpQueueClient, IssueRequest, QueueConfig, QueueEngine, StaffOnDuty};
use slint::ComponentHandle as _;

const SITE: &str = "黔江区公共法律服务中心";
const HOST_TOKEN: &str = "token-of-the-queue-host";
const KIOSK_TOKEN: &str = "token-of-the-check-in-kiosk";
const LAN_TOKEN: &str = "lan-token-of-the-kiosk-for-the-host";
const PAD_TOKEN: &str = "lan-token-of-the-pad-at-window-2";
const STAFF: (&str, &str) = ("admin", "a long enough password");
const SALT: &str = "booking-day-site-salt";
/// How long anything may take before the test fails (every wait watches a state, never a pause).
const DEADLINE: Duration = Duration::from_secs(60);
/// The pollers' interval here (the kiosk's is 20 s): short, so the test is quick.
const POLL: Duration = Duration::from_millis(100);

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn centre_config() -> CentreConfig {
    let token = centre::auth::token_sha256;
    let text = format!(
        r#"
[bookings]
horizon_days = 14
cutoff_minutes = 60

[[bookings.sites]]
site = "{SITE}"

[bookings.sites.hours]
mon = "09:00-12:00,14:00-17:00"

[[bookings.sites.services]]
id = "legal_aid"
name_zh = "法律援助"
name_en = "Legal aid"
slot_minutes = 30
capacity = 2
needs_id = true

[[bookings.sites.services]]
id = "mediation"
name_zh = "人民调解"
name_en = "People's mediation"
slot_minutes = 60
capacity = 1

[[devices]]
id = "queue-host"
site = "{SITE}"
token_sha256 = "{host}"

[[devices]]
id = "check-in-kiosk"
site = "{SITE}"
token_sha256 = "{kiosk}"

[[staff]]
user = "{user}"
password_hash = "{hash}"
role = "administrator"
"#,
        host = token(HOST_TOKEN),
        kiosk = token(KIOSK_TOKEN),
        user = STAFF.0,
        hash = centre::auth::hash_password(STAFF.1).unwrap(),
    );
    CentreConfig::parse(std::path::Path::new("booking-day.toml"), &text).unwrap()
}

/// The centre on a loopback port; its base URL.
async fn start_centre(dir: &std::path::Path, clock: &ManualWallClock) -> String {
    let config = centre_config();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("centre.sqlite3")).unwrap());
    install_accounts(store.as_ref(), &Accounts::Configured(config.clone()))
        .await
        .unwrap();
    let state = AppState::new(store, Arc::new(clock.clone()), ApiSettings::default())
        .with_web(config.web_settings())
        .with_bookings(config.booking_settings(BookingKeys::from_secret([9; 32])));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        centre::serve(listener, state, std::future::pending())
            .await
            .unwrap();
    });
    base
}

/// Books on the centre's phone page as a phone's browser does; the booking code it shows.
async fn book(base: &str, fields: &[(&str, &str)]) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", centre::web::url_value(v)))
        .collect::<Vec<_>>()
        .join("&");
    let response = client
        .post(format!("{base}/book"))
        .header("origin", base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "booked");
    let link = response.headers()["location"].to_str().unwrap().to_owned();
    let page = client
        .get(format!("{base}{link}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = page.find("id=\"code\"").expect("the code on the done page");
    let rest = &page[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap() + start;
    let code = rest[start..end].to_owned();
    assert!(content::booking::is_booking_code(&code), "{code}");
    code
}

/// A device's outbox in `dir`, delivering to the centre at `base` with `token`.
fn outbox_to(
    base: &str,
    dir: &std::path::Path,
    device: &str,
    token: &str,
    clock: &ManualWallClock,
) -> Outbox {
    std::fs::create_dir_all(dir).unwrap();
    let token_file = dir.join("centre-token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    Outbox::open_with_clock(
        dir,
        &ContentConfig {
            outbox_url: Some(format!("{base}/api/v1/outbox")),
            outbox_token_file: Some(token_file),
            device_id: Some(device.into()),
            ..ContentConfig::default()
        },
        device,
        Arc::new(clock.clone()),
    )
    .unwrap()
}

/// A staff member's bearer token for the centre's JSON API.
async fn staff_token(base: &str) -> String {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"user": STAFF.0, "password": STAFF.1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["token"].as_str().unwrap().to_owned()
}

async fn staff_json(base: &str, bearer: &str, path: &str) -> serde_json::Value {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.json().await.unwrap()
}

fn client(base: &str, token: &str) -> BookingClient {
    BookingClient::new(
        reqwest::Client::new(),
        reqwest::Url::parse(&format!("{base}/")).unwrap(),
        token,
    )
}

/// Waits until `book` holds a list with `n` bookings.
async fn wait_list(book: &BookingBook, n: usize) -> SiteBookings {
    let mut changes = book.changes();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Some(list) = book.current().filter(|l| l.bookings.len() == n) {
            return list;
        }
        tokio::time::timeout_at(deadline, changes.changed())
            .await
            .expect("the booking list in time")
            .unwrap();
    }
}

#[test]
fn a_phone_booking_is_checked_in_by_card_and_qr_called_ahead_of_walk_ins_and_rated_on_the_pad() {
    i_slint_backend_testing::init_no_event_loop();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let guard = runtime.enter();
    let dir = tempfile::tempdir().unwrap();
    // Monday 2026-03-02, 08:30 in Chongqing.
    let clock = ManualWallClock::new(at("2026-03-02T00:30:00Z"));
    let centre = runtime.block_on(start_centre(dir.path(), &clock));

    // The queue host: the engine on the same clock, the LAN service, the booking poll.
    let mut config = QueueConfig::demo();
    config.identity_salt = Some(SALT.into());
    let engine = Arc::new(
        QueueEngine::open(
            &dir.path().join("queue.sqlite3"),
            config.clone(),
            Arc::new(clock.clone()),
            "http://192.0.2.10:8080",
        )
        .unwrap(),
    );
    let lan = LanConfig {
        devices: vec![
            DeviceEntry {
                name: "check-in-kiosk".into(),
                token_sha256: device_token_sha256(LAN_TOKEN),
                window: None,
            },
            DeviceEntry {
                name: "pad-2".into(),
                token_sha256: device_token_sha256(PAD_TOKEN),
                window: Some(2),
            },
        ],
        ..LanConfig::default()
    };
    let service = LanService::new(Arc::clone(&engine), lan).unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let host_url = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(service.serve(listener, std::future::pending()));
    // The host's outbox carries the ratings its engine records to the centre.
    let host_outbox = outbox_to(
        &centre,
        &dir.path().join("host"),
        "queue-host",
        HOST_TOKEN,
        &clock,
    );
    engine.on_rated(kiosk::cli::kiosk::rating_sink(host_outbox.clone()));
    let host_book = BookingBook::in_memory(None);
    spawn_poll(
        host_book.clone(),
        client(&centre, HOST_TOKEN),
        Some(Arc::clone(&engine)),
        POLL,
    );

    // Two bookings on the phone page, for 10:00.
    let elderly = SampleCard::Elderly.card();
    let legal_aid = runtime.block_on(book(
        &centre,
        &[
            ("site", SITE),
            ("service", "legal_aid"),
            ("day", "2026-03-02"),
            ("slot", "10:00"),
            ("name", "陈秀英"),
            ("phone", "13800000001"),
            ("id_number", &elderly.id_number),
        ],
    ));
    let by_code = runtime.block_on(book(
        &centre,
        &[
            ("site", SITE),
            ("service", "legal_aid"),
            ("day", "2026-03-02"),
            ("slot", "10:00"),
            ("name", "李四"),
            ("phone", "13900000002"),
            ("id_number", "990101199003079992"),
        ],
    ));
    // Both reach the host within a poll, and its staff page's list.
    runtime.block_on(wait_list(&host_book, 2));
    let booked = engine.bookings().unwrap();
    assert_eq!(booked.len(), 2, "{booked:?}");
    assert!(
        booked.iter().all(|b| b.slot.masked_name.contains('*')),
        "masked names only"
    );

    // Walk-ins at 09:50.
    clock.set(at("2026-03-02T01:50:00Z"));
    let mut walk_ins = Vec::new();
    for service in ["legal_aid", "legal_aid", "mediation"] {
        let issued = engine
            .issue(&IssueRequest::new(service), "another-kiosk")
            .unwrap();
        walk_ins.push(issued.ticket.number.clone());
    }

    // 10:02: the kiosk checks both bookings in.
    clock.set(at("2026-03-02T02:02:00Z"));
    let shell = Shell::new(ShellOptions {
        centre_name: SITE.into(),
        centre_name_en: "Qianjiang District Public Legal Service Centre".into(),
        idle_timeout: Duration::from_secs(120),
        language: Language::Zh,
        elderly_mode: false,
        live_clock: false,
    })
    .unwrap();
    shell.window().show().unwrap();
    let mut devices = Devices::start(&DevicesConfig::default(), &dir.path().join("sim")).unwrap();
    let queue = Arc::new(HttpQueueClient::new(&host_url, LAN_TOKEN, Some(SALT.into())).unwrap());
    let options = TakeNumberOptions {
        centre_name: SITE.into(),
        device_name: "check-in-kiosk".into(),
        elderly_age: config.elderly_age,
        ticket_screen: Duration::from_secs(20),
        utc_offset: config.utc_offset.0,
        queue: config.clone(),
        clock: Arc::new(clock.clone()),
    };
    let take_number = TakeNumberController::attach(
        &shell,
        options.clone(),
        TakeNumberDeps {
            queue: queue.clone(),
            printer: devices.printer.clone(),
            reader: devices.id_reader.reader.take(),
            simulator: devices.id_reader.simulator.clone(),
            runtime: runtime.handle().clone(),
        },
    );
    let kiosk_book = BookingBook::in_memory(None);
    spawn_poll(kiosk_book.clone(), client(&centre, KIOSK_TOKEN), None, POLL);
    runtime.block_on(wait_list(&kiosk_book, 2));
    let outbox = outbox_to(
        &centre,
        &dir.path().join("kiosk"),
        "check-in-kiosk",
        KIOSK_TOKEN,
        &clock,
    );
    let check_in = CheckInController::attach(
        &shell,
        options,
        CheckInDeps {
            queue,
            printer: devices.printer.clone(),
            book: kiosk_book,
            scanner: devices.scanner.scanner.take(),
            scanner_sim: devices.scanner.simulator.clone(),
            take_number: Some(take_number.clone()),
            outbox: Some(outbox.clone()),
            runtime: runtime.handle().clone(),
        },
    );
    drop(guard);
    let wait = |done: &dyn Fn(&Flow) -> bool| {
        let deadline = Instant::now() + DEADLINE;
        loop {
            take_number.pump();
            if check_in.wait_for(Duration::from_millis(20), done) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "check-in stuck at {:?}: {:?}",
                check_in.step(),
                check_in.with_flow(|f| f.failure().cloned())
            );
        }
    };
    let number_shown = || {
        shell
            .window()
            .global::<CheckInAdapter>()
            .get_number()
            .to_string()
    };

    // By ID card: the elderly sample card's number was given on the phone page.
    shell.go(Page::CheckIn);
    devices
        .id_reader
        .simulator
        .as_ref()
        .unwrap()
        .place(&elderly);
    wait(&|f| f.step() == Step::Confirm);
    assert_eq!(
        check_in.with_flow(|f| f.chosen().map(|b| b.code.clone())),
        Some(legal_aid.clone())
    );
    shell.window().global::<CheckInAdapter>().invoke_confirm();
    wait(&|f| f.step() == Step::Ticket);
    let by_card = number_shown();

    // By QR code: the real scanner driver reads the simulator over a pseudo-terminal.
    shell.end_session();
    shell.go(Page::CheckIn);
    devices
        .scanner
        .simulator
        .as_ref()
        .unwrap()
        .scan(&content::booking::qr_text(&by_code))
        .unwrap();
    wait(&|f| f.step() == Step::Confirm);
    shell.window().global::<CheckInAdapter>().invoke_confirm();
    wait(&|f| f.step() == Step::Ticket);
    let by_qr = number_shown();
    assert_ne!(by_card, by_qr);

    // Window 2's rating pad follows the host over the LAN (its token is bound to window 2).
    let mut pad = RatingPad::new(
        2,
        PadTimings {
            prompt_timeout: Duration::from_secs(30),
            thanks: Duration::from_secs(5),
        },
    )
    .unwrap();
    let pad_client = Arc::new(HttpQueueClient::new(&host_url, PAD_TOKEN, None).unwrap());
    let (pad_tx, pad_rx) = std::sync::mpsc::channel();
    runtime.spawn(follow_host(Arc::clone(&pad_client), pad_tx.clone()));
    let pad_time = Duration::from_secs(100);
    let pad_until = |pad: &mut RatingPad, done: &dyn Fn(&RatingPad) -> bool| {
        let deadline = Instant::now() + DEADLINE;
        while !done(pad) {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = pad_rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("the pad is stuck at {:?}", pad.model().phase()));
            pad.apply(message, pad_time);
        }
    };

    // Window 2 (legal aid, then mediation, then consultation) calls: the legal-aid appointments
    // first, though the legal-aid walk-ins came earlier; then those walk-ins in their order; then
    // mediation (a window serves its services in its configured order).
    let staff = StaffOnDuty {
        name: "周敏".into(),
        staff_id: "QJ-0207".into(),
    };
    engine.open_window_as(2, Some(&staff)).unwrap();
    pad_until(&mut pad, &|p| p.model().staff() == Some(&staff));
    let mut called = Vec::new();
    for turn in 0..5 {
        let ticket = engine.call_next(2).unwrap().expect("someone waits");
        called.push(ticket.number.clone());
        engine.start(2).unwrap();
        let outcome = config.service(&ticket.service).unwrap().outcomes[0].clone();
        engine.complete(2, &outcome).unwrap();
        if turn == 0 {
            // The pad asks the citizen served first; a low score with a reason.
            pad_until(&mut pad, &|p| {
                p.model().kind() == PhaseKind::Prompt
                    && p.model().ticket().map(|t| t.number.as_str()) == Some(&ticket.number)
            });
            pad.choose_score(2, pad_time);
            assert_eq!(pad.model().kind(), PhaseKind::Reasons);
            pad.toggle_reason(0, pad_time);
            pad.finish_reasons(false, pad_time);
            let submission = pad.due(pad_time).expect("a rating to send");
            runtime.spawn(send_rating(
                Arc::clone(&pad_client),
                submission,
                pad_tx.clone(),
            ));
            pad_until(&mut pad, &|p| p.pending().is_empty());
        }
    }
    assert_eq!(called[..2], [by_card.clone(), by_qr.clone()], "{called:?}");
    assert_eq!(called[2..], walk_ins[..], "{called:?}");

    // The kiosk's outbox tells the centre; the centre's list says both were checked in.
    let report = runtime.block_on(outbox.send_due(clock.now())).unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    // The host's outbox carries the pad's rating, once, to the centre's ratings and report.
    let sent = runtime.block_on(host_outbox.send_due(clock.now())).unwrap();
    assert_eq!(sent.sent, 1, "{sent:?}");
    let bearer = runtime.block_on(staff_token(&centre));
    let ratings = runtime.block_on(staff_json(&centre, &bearer, "/api/v1/ratings"));
    let rated = ratings["items"]
        .as_array()
        .or_else(|| ratings.as_array())
        .unwrap_or_else(|| panic!("{ratings}"))
        .iter()
        .find(|r| r["ticket"] == by_card.as_str())
        .unwrap_or_else(|| panic!("the pad's rating of {by_card}: {ratings}"))
        .clone();
    assert_eq!(rated["score"], 2, "{rated}");
    assert_eq!(rated["window"], 2, "{rated}");
    assert_eq!(rated["service"], "legal_aid", "{rated}");
    assert_eq!(rated["staff_id"], "QJ-0207", "{rated}");
    assert_eq!(rated["staff_name"], "周敏", "{rated}");
    assert_eq!(
        rated["reasons"],
        serde_json::json!(["long_wait"]),
        "{rated}"
    );
    assert_eq!(rated["source"], "pad", "{rated}");
    let report = runtime.block_on(staff_json(
        &centre,
        &bearer,
        "/api/v1/reports/ratings?from=2026-03-02&to=2026-03-02",
    ));
    let row = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service"] == "legal_aid")
        .unwrap_or_else(|| panic!("{report}"))
        .clone();
    assert_eq!(
        (row["count"].as_u64(), row["by_score"][1].as_u64()),
        (Some(1), Some(1)),
        "{row}"
    );
    let mut device = client(&centre, HOST_TOKEN);
    let Fetched::New(list) = runtime.block_on(device.fetch(None)).unwrap() else {
        panic!("a list")
    };
    for code in [&legal_aid, &by_code] {
        let entry = list.bookings.iter().find(|b| &b.code == code).unwrap();
        assert_eq!(entry.state, BookingState::CheckedIn, "{code}");
    }
}
