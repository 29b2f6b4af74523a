//! The kiosk's video call screens end to end: the touch kiosk's page on Slint's testing backend with
//! its real call client (test camera and tone), the centre in-process on loopback over a SQLite file,
//! and a lawyer written in Rust on the real console socket, answering with real media (webrtcbin).
//! The citizen opens the page, consents, waits, sees the lawyer's picture, is hung up on, and gets the
//! advice with its QR code; a kiosk without a centre offers 12348 and a call-back at once.
//!
//! With `CALL_SCREENSHOTS=1` the screens are written to `images/screenshots/call-*.png`.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use kiosk::ui::{
    CallStep, Page, Session, Shell, ShellOptions, VideoCallAdapter,
    video_call::{CallServices, CallSetup, VideoCallController, flow::Step},
};
use media::call::CallSettings;
use slint::ComponentHandle as _;
use tokio::sync::mpsc;
use videocall::lawyer::{self, LawyerOrder};

const WAIT: Duration = Duration::from_secs(30);

fn shell() -> Shell {
    let shell = Shell::new(ShellOptions {
        centre_name: "黔江区公共法律服务中心".into(),
        centre_name_en: "Qianjiang District Public Legal Service Centre".into(),
        idle_timeout: Duration::from_secs(600),
        language: kiosk::config::Language::Zh,
        elderly_mode: false,
        live_clock: false,
    })
    .unwrap();
    shell.set_clock_text("2026-12-07 10:00");
    shell
        .window()
        .window()
        .set_size(slint::PhysicalSize::new(540, 960));
    shell.window().show().unwrap();
    shell
}

fn screenshots() -> bool {
    std::env::var("CALL_SCREENSHOTS").as_deref() == Ok("1")
}

/// Slint's platform: the testing backend, or the headless software renderer when pictures are asked
/// for (the testing backend draws none).
fn platform() {
    if screenshots() {
        kiosk::ui::screenshot::headless_platform().unwrap();
    } else {
        i_slint_backend_testing::init_no_event_loop();
    }
}

/// Writes the window to `images/screenshots/call-NAME.png` when asked.
fn shoot(shell: &Shell, name: &str) {
    if !screenshots() {
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../images/screenshots")
        .join(format!("call-{name}.png"));
    kiosk::ui::screenshot::capture_window(shell.window().window(), &path).unwrap();
}

fn media_settings() -> CallSettings {
    CallSettings {
        width: 320,
        height: 240,
        framerate: 15,
        ..CallSettings::default()
    }
}

/// The centre in-process with the demo's accounts: its base URL and store.
async fn start_centre(dir: &Path) -> (String, Arc<dyn centre::Store>) {
    let store: Arc<dyn centre::Store> =
        Arc::new(centre::SqliteStore::open(&dir.join("centre.sqlite3")).unwrap());
    centre::install_accounts(store.as_ref(), &centre::Accounts::Demo)
        .await
        .unwrap();
    let state = centre::AppState::new(
        Arc::clone(&store),
        Arc::new(clock::SystemWallClock),
        centre::ApiSettings::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(centre::serve(listener, state, std::future::pending()));
    (base, store)
}

/// The kiosk's outbox, delivering to the centre at `base` (none: kept queued).
fn outbox(dir: &Path, base: Option<&str>) -> content::Outbox {
    let token_file = dir.join("centre-token");
    std::fs::write(
        &token_file,
        format!("{}\n", centre::auth::DEMO_DEVICE_TOKEN),
    )
    .unwrap();
    let config = content::ContentConfig {
        outbox_url: base.map(|b| format!("{b}/api/v1/outbox")),
        outbox_token_file: Some(token_file),
        device_id: Some(centre::auth::DEMO_DEVICE.into()),
        ..content::ContentConfig::default()
    };
    content::Outbox::open(dir, &config, "黔江区公共法律服务中心").unwrap()
}

#[test]
fn a_citizen_calls_a_lawyer_from_the_kiosk_and_gets_the_advice_with_a_qr_code() {
    platform();
    media::init().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (base, store) = runtime.block_on(start_centre(dir.path()));
    let kiosk_dir = tempfile::tempdir().unwrap();
    let outbox = outbox(kiosk_dir.path(), Some(&base));
    let _delivery = outbox.spawn(runtime.handle());
    let (orders, orders_rx) = mpsc::unbounded_channel();
    let lawyer_frames = Arc::new(AtomicU64::new(0));

    let shell = shell();
    let mut setup = CallSetup::new(
        &kiosk::config::CallsConfig {
            speaker: false,
            ..Default::default()
        },
        Some(&base),
        Some(centre::auth::DEMO_DEVICE_TOKEN.to_owned()),
    );
    setup.media = CallSettings {
        audio_out: media::call::CallAudioOut::Discard,
        ..media_settings()
    };
    let printer = kiosk::devices::PrinterService::start(
        &kiosk::config::PrinterConfig::Sim {
            profile: "generic-80-zh".into(),
        },
        &kiosk_dir.path().join("printer"),
    )
    .unwrap();
    let call = VideoCallController::attach(
        &shell,
        setup,
        CallServices {
            runtime: runtime.handle().clone(),
            outbox: Some(outbox.clone()),
            printer: Some(printer.clone()),
            cards: None,
        },
    );
    let window = shell.window();
    assert!(window.global::<Session>().get_video_call_offered());
    shoot(&shell, "home");
    window
        .global::<Session>()
        .invoke_call_lawyer("劳动争议".into());
    assert_eq!(shell.page(), Page::VideoCall);
    let adapter = window.global::<VideoCallAdapter>();
    assert_eq!(adapter.get_step(), CallStep::Consent);
    assert_eq!(adapter.get_topic(), "劳动争议");
    // The centre's policy reaches the consent screen: not recorded, nobody online yet.
    assert!(call.wait_for(WAIT, |_| adapter.get_policy_known()));
    assert!(!adapter.get_recorded());
    assert_eq!(adapter.get_lawyers_online(), 0);
    shoot(&shell, "consent");

    adapter.invoke_start();
    // Nobody online yet: the citizen waits and is told so, with no made-up wait.
    assert!(call.wait_for(WAIT, |s| matches!(
        s,
        Step::Waiting {
            lawyers_online: 0,
            estimate_secs: None,
            ..
        }
    )));
    assert_eq!(adapter.get_step(), CallStep::Waiting);
    assert_eq!(adapter.get_wait_minutes(), -1);
    shoot(&shell, "waiting");
    // The lawyer logs in and answers.
    runtime.spawn({
        let (base, frames) = (base.clone(), Arc::clone(&lawyer_frames));
        async move {
            lawyer::run(
                &base,
                "admin",
                "admin-demo",
                media_settings(),
                orders_rx,
                frames,
            )
            .await
            .unwrap();
        }
    });
    assert!(
        call.wait_for(WAIT, |s| matches!(
            s,
            Step::InCall {
                remote_video: true,
                ..
            }
        )),
        "the lawyer's picture arrived: {:?}",
        call.step()
    );
    assert!(call.wait_for(WAIT, |_| adapter.get_has_remote()
        && adapter.get_has_local()));
    assert_eq!(adapter.get_step(), CallStep::InCall);
    assert_eq!(adapter.get_lawyer(), "律师");
    assert!(
        call.wait_for(WAIT, |_| lawyer_frames.load(Ordering::Relaxed) >= 10),
        "the lawyer sees the kiosk"
    );
    shoot(&shell, "in-call");

    orders.send(LawyerOrder::HangUp).unwrap();
    assert!(call.wait_for(WAIT, |s| matches!(s, Step::Ended { .. })));
    assert!(adapter.get_lawyer_hung_up());
    assert!(adapter.get_advice_waiting());
    assert!(!adapter.get_has_remote(), "the pictures are gone");
    shoot(&shell, "waiting-for-advice");
    orders
        .send(LawyerOrder::Advice(
            "建议先与用人单位协商；协商不成，可申请劳动仲裁，时效一年。".into(),
        ))
        .unwrap();
    assert!(call.wait_for(WAIT, |s| matches!(
        s,
        Step::Ended {
            advice: Some(_),
            ..
        }
    )));
    assert!(adapter.get_advice().contains("劳动仲裁"));
    assert!(adapter.get_has_qr(), "a QR code to the advice page");
    assert_eq!(adapter.get_rating(), 0);
    shoot(&shell, "advice");
    adapter.invoke_rate(5);
    assert_eq!(adapter.get_rating(), 5);
    // The advice printed on the ticket printer (the simulated one renders what it was sent).
    assert!(adapter.get_can_print());
    adapter.invoke_print_advice();
    assert!(call.wait_for(WAIT, |_| adapter.get_print_status().contains("已打印")));
    let printed = printer.simulator().unwrap().take_tickets();
    let text = printed.last().map(|t| t.text()).unwrap_or_default();
    assert!(
        text.contains("律师建议摘要") && text.contains("劳动仲裁"),
        "{text}"
    );
    shoot(&shell, "advice-printed");

    // Leaving ends it all: back to consent, nothing left running; the call's record reaches the
    // centre through the outbox.
    shell.end_session();
    assert_eq!(call.step(), Step::Consent);
    let deadline = std::time::Instant::now() + WAIT;
    let row = loop {
        let rows = runtime.block_on(store.video_calls(10)).unwrap();
        if let Some(row) = rows.into_iter().next() {
            break row;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the record never arrived"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let r = &row.record;
    assert_eq!(r.outcome, content::video_call::CallOutcome::Answered);
    assert_eq!((r.topic.as_str(), r.rating), ("劳动争议", Some(5)));
    assert_eq!(r.ended_by.as_deref(), Some("lawyer"));
    assert!(
        r.advice && r.remote_frames > 0 && r.first_picture_ms.is_some(),
        "{r:?}"
    );
}

#[test]
fn without_a_centre_the_kiosk_offers_12348_and_takes_a_call_back_number() {
    platform();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let shell = shell();
    let setup = CallSetup::new(&kiosk::config::CallsConfig::default(), None, None);
    let kiosk_dir = tempfile::tempdir().unwrap();
    let outbox = outbox(kiosk_dir.path(), None);
    let call = VideoCallController::attach(
        &shell,
        setup,
        CallServices {
            runtime: runtime.handle().clone(),
            outbox: Some(outbox.clone()),
            printer: None,
            cards: None,
        },
    );
    let window = shell.window();
    window.global::<Session>().invoke_call_lawyer("".into());
    let adapter = window.global::<VideoCallAdapter>();
    assert_eq!(adapter.get_topic(), "其他咨询");
    adapter.invoke_start();
    assert!(call.wait_for(WAIT, |s| matches!(s, Step::Fallback { .. })));
    assert_eq!(adapter.get_step(), CallStep::Fallback);
    for digit in "1381234567".chars() {
        adapter.invoke_digit(digit.to_string().into());
    }
    assert!(
        !adapter.get_phone_valid(),
        "ten digits are not a mobile number"
    );
    adapter.invoke_digit("8".into());
    assert!(adapter.get_phone_valid());
    shoot(&shell, "fallback");
    adapter.invoke_request_callback();
    assert!(adapter.get_callback_sent());
    shoot(&shell, "callback-sent");
    adapter.invoke_erase();
    assert_eq!(adapter.get_phone(), "1381234567");
    shell.end_session();
    // Queued on the kiosk until the centre takes them: the call-back and the call's record.
    let queued: Vec<content::OutboxPayload> = outbox
        .undelivered()
        .unwrap()
        .into_iter()
        .map(|item| item.message.payload)
        .collect();
    assert!(
        queued.iter().any(|p| matches!(p,
        content::OutboxPayload::CallbackRequest(r)
            if r.phone == "13812345678" && r.topic == "其他咨询"
                && r.reason == content::video_call::CallOutcome::Unreachable)),
        "{queued:?}"
    );
    assert!(
        queued.iter().any(|p| matches!(p,
        content::OutboxPayload::VideoCall(r)
            if r.outcome == content::video_call::CallOutcome::Unreachable && r.talk_secs == 0)),
        "{queued:?}"
    );
}
