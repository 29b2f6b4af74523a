//! The video call to a duty lawyer end to end, on this machine: the centre on loopback over a real
//! SQLite file, the kiosk's call client with its test camera and microphone (real webrtcbin, VP8 and
//! Opus), and the lawyer either in headless Chromium with fake media devices (the real console page
//! and script) or as a bare console socket where no media is needed.
//!
//! ICE needs a non-loopback address (libnice gathers none on `lo`); this machine's network interface
//! serves, and nothing leaves it.

mod browser_support;
#[allow(dead_code, unreachable_pub)]
#[path = "support/process.rs"]
mod process;
mod web_support;

use web_support::db;

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use browser_support::{WAIT, chromium_with, fonts_conf, shoot, start_chromedriver, wait_text};
use chrono::{DateTime, TimeZone as _, Utc};
use fantoccini::{Client, Locator};
use futures_util::{SinkExt as _, StreamExt as _};
use media::{Frame, FrameSink};
use serde_json::json;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest as _};
use videocall::{
    CallHandle, CallRequest, CallUpdate, EndedBy,
    wire::{CentreToLawyer, LawyerMessage, to_text},
};
use web_support::{
    Engine, PASSWORD, SITE_A, TOKEN_A, TOKEN_B, TestDb, WebCentre, config, item, monday_morning,
};

/// Monday 2026-12-07 10:00 in Qianjiang.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap()
}

#[derive(Default)]
struct Pictures(AtomicU64);

impl FrameSink for Pictures {
    fn frame(&self, _: &Frame<'_>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn dial(centre: &WebCentre, token: &str, topic: &str) -> CallHandle {
    let url = centre.base.replacen("http://", "ws://", 1) + "/api/v1/calls/ws";
    let mut request = CallRequest::new(url, topic);
    request.token = Some(token.to_owned());
    request.caller = Some("张*三".into());
    request.media.width = 320;
    request.media.height = 240;
    request.media.framerate = 15;
    request.stats_every = Duration::from_millis(500);
    videocall::start(request, Arc::new(Pictures::default()), None)
}

/// The next update that `pick` accepts; the ones before it are returned too (for messages).
async fn until<T>(
    call: &mut CallHandle,
    mut pick: impl FnMut(&CallUpdate) -> Option<T>,
) -> (T, Vec<CallUpdate>) {
    let mut seen = Vec::new();
    let found = tokio::time::timeout(WAIT, async {
        loop {
            let update = call.next().await?;
            if let Some(found) = pick(&update) {
                return Some(found);
            }
            seen.push(update);
        }
    })
    .await;
    match found {
        Ok(Some(found)) => (found, seen),
        Ok(None) => panic!("the call's task ended first; seen: {seen:?}"),
        Err(_) => panic!("no such update within {WAIT:?}; seen: {seen:?}"),
    }
}

/// The lawyer as a console without a browser (`videocall::lawyer`), answering with a small test
/// picture as `admin` with `password`; the kiosk's pictures it decodes are counted in `frames`.
fn spawn_lawyer(
    base: &str,
    password: &'static str,
    orders: tokio::sync::mpsc::UnboundedReceiver<videocall::lawyer::LawyerOrder>,
    frames: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<Result<(), videocall::lawyer::LawyerError>> {
    let base = base.to_owned();
    let settings = media::call::CallSettings {
        width: 320,
        height: 240,
        framerate: 15,
        ..Default::default()
    };
    tokio::spawn(async move {
        videocall::lawyer::run(&base, "admin", password, settings, orders, frames).await
    })
}

/// A lawyer's console without a browser: the session cookie of `user`, the WebSocket, JSON.
struct Console {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Console {
    async fn open(centre: &WebCentre, user: &str) -> Self {
        let mut browser = centre.browser();
        browser.login(user, PASSWORD).await;
        let session = browser.session.clone().expect("logged in");
        let url = centre.base.replacen("http://", "ws://", 1) + "/staff/calls/ws";
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "cookie",
            format!("centre_session={session}").parse().unwrap(),
        );
        request
            .headers_mut()
            .insert("origin", centre.base.parse().unwrap());
        let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        Self { socket }
    }

    async fn send(&mut self, message: &LawyerMessage) {
        self.socket
            .send(Message::text(to_text(message)))
            .await
            .unwrap();
    }

    async fn send_raw(&mut self, text: &str) {
        self.socket.send(Message::text(text)).await.unwrap();
    }

    /// The next message that `pick` accepts.
    async fn until<T>(&mut self, mut pick: impl FnMut(CentreToLawyer) -> Option<T>) -> T {
        tokio::time::timeout(WAIT, async {
            loop {
                match self.socket.next().await {
                    Some(Ok(Message::Text(text))) => {
                        let message: CentreToLawyer = serde_json::from_str(&text).unwrap();
                        if let Some(found) = pick(message) {
                            return found;
                        }
                    }
                    Some(Ok(_)) => {}
                    other => panic!("the console socket ended: {other:?}"),
                }
            }
        })
        .await
        .expect("the console got what it waited for")
    }

    /// Waits for a board offering a call; its id.
    async fn offered_call(&mut self) -> String {
        self.until(|m| match m {
            CentreToLawyer::Board { calls, .. } => calls.first().map(|c| c.call.clone()),
            _ => None,
        })
        .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_citizen_talks_to_a_lawyer_in_chromium_and_gets_the_advice() {
    media::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), monday()).await;
    let fonts = fonts_conf(dir.path());
    let (_driver, port) = start_chromedriver(&fonts);
    let profile = dir.path().join("profile");
    let browser = chromium_with(
        port,
        &profile,
        &[
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            "--autoplay-policy=no-user-gesture-required",
            "--window-size=1280,1000",
            "--enable-unsafe-swiftshader",
            "--use-angle=swiftshader",
        ],
    )
    .await;
    let result = lawyer_in_chromium(&centre, &browser).await;
    if result.is_err() {
        let status = browser.find(Locator::Css("main")).await;
        let status = match status {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => browser.source().await.unwrap_or_default(),
        };
        eprintln!("the console said: {status}");
    }
    let _ = browser.close().await;
    result.unwrap();
}

async fn click(browser: &Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await?
        .click()
        .await
}

/// A number the console's script keeps (`window.callConsole.stats.*`).
async fn console_stat(browser: &Client, name: &str) -> u64 {
    browser
        .execute(&format!("return window.callConsole.stats.{name};"), vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(0)
}

async fn lawyer_in_chromium(
    centre: &WebCentre,
    browser: &Client,
) -> Result<(), fantoccini::error::CmdError> {
    browser.goto(&centre.url("/staff/login")).await?;
    browser
        .find(Locator::Id("user"))
        .await?
        .send_keys("admin")
        .await?;
    browser
        .find(Locator::Id("password"))
        .await?
        .send_keys(PASSWORD)
        .await?;
    click(browser, "#login").await?;
    browser.goto(&centre.url("/staff/calls")).await?;
    wait_text(browser, "status", "已连接").await?;
    click(browser, "#available").await?;
    wait_text(browser, "online", "1").await?;

    let mut call = dial(centre, TOKEN_A, "劳动争议");
    let ((ahead, online), _) = until(&mut call, |u| match u {
        CallUpdate::Waiting {
            ahead,
            lawyers_online,
            ..
        } => Some((*ahead, *lawyers_online)),
        _ => None,
    })
    .await;
    assert_eq!((ahead, online), (0, 1));
    // The console lists the call with its site, topic and masked name.
    wait_text(browser, "calls", "劳动争议").await?;
    wait_text(browser, "calls", SITE_A).await?;
    wait_text(browser, "calls", "张*三").await?;
    shoot(browser, "calls-offered").await?;
    click(browser, "button.accept").await?;

    let (lawyer, _) = until(&mut call, |u| match u {
        CallUpdate::Answered { lawyer, recorded } => {
            assert!(!recorded, "calls are not recorded by default");
            Some(lawyer.clone())
        }
        _ => None,
    })
    .await;
    assert_eq!(lawyer, "律师", "admin has no public name in the roster");
    until(&mut call, |u| {
        matches!(u, CallUpdate::RemoteVideo { .. }).then_some(())
    })
    .await;
    // Media both ways: the kiosk decodes the browser's pictures, the browser the kiosk's.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let kiosk_frames = call.figures().remote_frames;
        let browser_frames = console_stat(browser, "framesDecoded").await;
        if kiosk_frames >= 30 && browser_frames >= 30 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "media did not flow both ways: kiosk decoded {kiosk_frames}, browser {browser_frames}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        call.figures().remote_audio_buffers > 0,
        "the lawyer's voice"
    );
    assert!(call.figures().first_remote_frame_after.is_some());
    shoot(browser, "calls-in-call").await?;

    // The lawyer hangs up: the kiosk's call ends at once.
    click(browser, "#hangup").await?;
    let (by, _) = until(&mut call, |u| match u {
        CallUpdate::Ended { by, talk } => {
            assert!(*talk > Duration::ZERO);
            Some(*by)
        }
        _ => None,
    })
    .await;
    assert_eq!(by, EndedBy::Lawyer);
    wait_text(browser, "status", "您已挂断").await?;

    // The advice reaches the kiosk, with a page for the QR code.
    browser
        .find(Locator::Id("advice"))
        .await?
        .send_keys(
            "建议先与用人单位协商；协商不成，可向区劳动人事争议仲裁委员会申请仲裁，时效一年。",
        )
        .await?;
    click(browser, "#save-advice").await?;
    let ((text, url), _) = until(&mut call, |u| match u {
        CallUpdate::Advice { text, url } => Some((text.clone(), url.clone())),
        _ => None,
    })
    .await;
    assert!(text.contains("仲裁"));
    let url = url.expect("a link for the QR code");
    assert!(url.starts_with(&centre.base), "{url}");
    wait_text(browser, "advice-status", "已发送到终端").await?;
    shoot(browser, "calls-advice").await?;
    let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(page.contains("仲裁") && page.contains("劳动争议"), "{page}");
    until(&mut call, |u| matches!(u, CallUpdate::Closed).then_some(())).await;

    // The centre's log of the call: answered, the advice written, the browser's figures.
    let entry = centre.state.calls().log().recent(1).remove(0);
    assert!(entry.advice);
    assert!(entry.lawyer_frames_decoded >= 30, "{entry:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_available_falls_back_after_the_timeout_and_says_so_honestly() {
    media::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), monday()).await;
    let mut call = dial(&centre, TOKEN_A, "婚姻家庭");
    let (estimate, _) = until(&mut call, |u| match u {
        CallUpdate::Waiting {
            estimate_secs,
            lawyers_online,
            give_up_after_secs,
            ..
        } => {
            assert_eq!((*lawyers_online, *give_up_after_secs), (0, 30));
            Some(*estimate_secs)
        }
        _ => None,
    })
    .await;
    assert_eq!(estimate, None, "nobody online: no made-up wait");
    centre.clock.advance(chrono::Duration::seconds(31));
    until(&mut call, |u| {
        matches!(u, CallUpdate::Unanswered).then_some(())
    })
    .await;
    until(&mut call, |u| matches!(u, CallUpdate::Closed).then_some(())).await;
    let entry = centre.state.calls().log().recent(1).remove(0);
    assert_eq!(entry.call.outcome.as_str(), "unanswered");
    assert_eq!(entry.call.waited_secs, 31);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_caller_waits_behind_a_busy_lawyer_and_hang_ups_end_both_sides() {
    media::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), monday()).await;
    let mut console = Console::open(&centre, "admin").await;
    console.send(&LawyerMessage::Available { on: true }).await;
    let mut first = dial(&centre, TOKEN_A, "劳动争议");
    let id = console.offered_call().await;
    console
        .send(&LawyerMessage::Accept { call: id.clone() })
        .await;
    console
        .until(|m| matches!(m, CentreToLawyer::Connected { .. }).then_some(()))
        .await;
    // The kiosk starts its media and sends its offer to the console.
    console
        .until(|m| matches!(m, CentreToLawyer::Offer { .. }).then_some(()))
        .await;
    until(&mut first, |u| {
        matches!(u, CallUpdate::Answered { .. }).then_some(())
    })
    .await;

    // A second citizen: the only lawyer is busy. Place 0, one lawyer online, a wait of one talk time.
    let mut second = dial(&centre, TOKEN_B, "其他咨询");
    let (estimate, _) = until(&mut second, |u| match u {
        CallUpdate::Waiting {
            ahead: 0,
            lawyers_online: 1,
            estimate_secs,
            ..
        } => Some(*estimate_secs),
        _ => None,
    })
    .await;
    assert_eq!(estimate, Some(300));

    // The citizen hangs up: the console hears it.
    first.hang_up();
    let by = console
        .until(|m| match m {
            CentreToLawyer::Ended { by, call } => {
                assert_eq!(call, id);
                Some(by)
            }
            _ => None,
        })
        .await;
    assert_eq!(by, EndedBy::Citizen);
    until(&mut first, |u| {
        matches!(
            u,
            CallUpdate::Ended {
                by: EndedBy::Citizen,
                ..
            }
        )
        .then_some(())
    })
    .await;
    first.leave();
    until(&mut first, |u| {
        matches!(u, CallUpdate::Closed).then_some(())
    })
    .await;

    // The lawyer is free: the second call is offered, accepted, and the console closes mid-call.
    let second_id = console.offered_call().await;
    console
        .send(&LawyerMessage::Accept { call: second_id })
        .await;
    until(&mut second, |u| {
        matches!(u, CallUpdate::Answered { .. }).then_some(())
    })
    .await;
    drop(console);
    until(&mut second, |u| {
        matches!(
            u,
            CallUpdate::Ended {
                by: EndedBy::Lawyer,
                ..
            }
        )
        .then_some(())
    })
    .await;
    second.leave();
    until(&mut second, |u| {
        matches!(u, CallUpdate::Closed).then_some(())
    })
    .await;
    assert_eq!(centre.state.calls().log().recent(10).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_signalling_is_refused_with_a_reason_and_nothing_else_changes() {
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), monday()).await;
    let mut console = Console::open(&centre, "super").await;
    for (bad, says) in [
        ("not json", "not a signalling message"),
        (r#"{"type":"accept"}"#, "call"),
        (r#"{"type":"answer","sdp":"hello"}"#, "sdp"),
        (r#"{"type":"hangup"}"#, "no call to hang up"),
        (r#"{"type":"accept","call":"nope"}"#, "请先设为可接听"),
        (
            r#"{"type":"advice","call":"nope","text":"x"}"#,
            "not a call of yours",
        ),
    ] {
        console.send_raw(bad).await;
        let reason = console
            .until(|m| match m {
                CentreToLawyer::Refused { reason } => Some(reason),
                _ => None,
            })
            .await;
        assert!(reason.contains(says), "{bad}: {reason}");
    }
    // A manager may not open the console; a socket from another origin is refused.
    let mut manager = centre.browser();
    manager.login("manager-a", PASSWORD).await;
    let (status, _) = manager.get("/staff/calls").await;
    assert_eq!(status, 403);
    let url = centre.base.replacen("http://", "ws://", 1) + "/api/v1/calls/ws";
    let mut request = url.clone().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", "Bearer wrong".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(request).await.unwrap_err();
    assert!(refused.to_string().contains("401"), "{refused}");
    // A kiosk whose first message is not `dial` is told so and closed.
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {TOKEN_A}").parse().unwrap(),
    );
    let (mut kiosk, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    kiosk
        .send(Message::text(r#"{"type":"hangup"}"#))
        .await
        .unwrap();
    let answer = kiosk.next().await.unwrap().unwrap();
    assert!(
        answer
            .to_text()
            .unwrap()
            .contains("the first message must be dial")
    );
}

#[tokio::test]
async fn call_backs_and_call_records_reach_the_console_on_sqlite() {
    call_backs_and_call_records_reach_the_console(Engine::Sqlite).await;
}

#[tokio::test]
async fn call_backs_and_call_records_reach_the_console_on_postgres() {
    call_backs_and_call_records_reach_the_console(Engine::Postgres).await;
}

/// What kiosks send through their outbox about calls: a call-back request (listed with its
/// deadline, the number masked until a lawyer asks for it, audited, then marked done) and a call's
/// record (listed with its outcome and rating).
async fn call_backs_and_call_records_reach_the_console(engine: Engine) {
    let Some(db) = TestDb::of(engine, "call_backs_and_call_records_reach_the_console").await else {
        return;
    };
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    let callback = item(
        "cb-1",
        "kiosk-a",
        "2026-03-02T01:00:00Z",
        "callback_request",
        json!({ "phone": "13812345678", "topic": "劳动争议", "reason": "unanswered" }),
    );
    assert_eq!(centre.deliver(TOKEN_A, &callback).await, 201);
    assert_eq!(centre.deliver(TOKEN_A, &callback).await, 200, "a repeat");
    let record = item(
        "vc-1",
        "kiosk-a",
        "2026-03-02T01:05:00Z",
        "video_call",
        json!({ "topic": "婚姻家庭", "outcome": "answered", "lawyer": "王律师", "waited_secs": 8,
                "talk_secs": 240, "ended_by": "lawyer", "advice": true, "rating": 5,
                "first_picture_ms": 1900, "remote_frames": 7000 }),
    );
    assert_eq!(centre.deliver(TOKEN_A, &record).await, 201);

    let lawyer = centre.login("super").await;
    let (status, page) = lawyer.get("/staff/calls").await;
    assert_eq!(status, 200);
    assert!(page.contains("138****5678"), "masked");
    assert!(!page.contains("13812345678"), "not in full");
    assert!(
        page.contains("2026-03-03"),
        "deadline: the next working day"
    );
    assert!(page.contains("婚姻家庭") && page.contains("5/5") && page.contains("王律师"));
    let id = centre.store.callbacks(false, 10).await.unwrap()[0].id;

    // The calls report counts it by day and site.
    let (status, report) = lawyer
        .get_json("/api/v1/reports/calls?from=2026-03-02&to=2026-03-02")
        .await;
    assert_eq!(status, 200);
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{report}");
    assert_eq!(rows[0]["site"], SITE_A);
    assert_eq!(
        (rows[0]["calls"].as_u64(), rows[0]["answered"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(rows[0]["mean_wait_secs"], 8);
    assert_eq!(rows[0]["talk_secs"], 240);
    assert_eq!(rows[0]["mean_rating"], 5.0);

    let (status, shown) = lawyer
        .post(&format!("/staff/calls/callbacks/{id}/reveal"), &[])
        .await;
    assert_eq!(status, 200);
    assert!(shown.contains("13812345678"));
    let (status, _) = lawyer
        .post(&format!("/staff/calls/callbacks/{id}/done"), &[])
        .await;
    assert_eq!(status, 303);
    let (status, _) = lawyer
        .post(&format!("/staff/calls/callbacks/{id}/done"), &[])
        .await;
    assert_eq!(status, 409, "done once");
    assert!(centre.store.callbacks(false, 10).await.unwrap().is_empty());
    let all = centre.store.callbacks(true, 10).await.unwrap();
    assert_eq!(
        all[0].done.as_ref().map(|(_, by)| by.as_str()),
        Some("super")
    );
    let audit = centre.store.audit(10).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "callback_phone_view" && a.user == "super")
    );
    assert!(audit.iter().any(|a| a.action == "callback_done"));

    // A manager opens neither the console nor the actions.
    let manager = centre.login("manager-a").await;
    assert_eq!(manager.get("/staff/calls").await.0, 403);
    assert_eq!(
        manager
            .post(&format!("/staff/calls/callbacks/{id}/reveal"), &[])
            .await
            .0,
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_centre_killed_mid_call_ends_the_call_on_both_sides() {
    media::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::sqlite_in(dir.path());
    let mut centre =
        process::CentreProcess::spawn_with(&db, None, &dir.path().join("data")).listening();
    let (orders, orders_rx) = tokio::sync::mpsc::unbounded_channel();
    let lawyer_frames = Arc::new(AtomicU64::new(0));
    let lawyer = spawn_lawyer(
        &centre.base,
        "admin-demo",
        orders_rx,
        Arc::clone(&lawyer_frames),
    );
    let url = centre.base.replacen("http://", "ws://", 1) + "/api/v1/calls/ws";
    let mut request = CallRequest::new(url, "其他咨询");
    request.token = Some(centre::auth::DEMO_DEVICE_TOKEN.into());
    request.media.width = 320;
    request.media.height = 240;
    let mut call = videocall::start(request, Arc::new(Pictures::default()), None);
    until(&mut call, |u| {
        matches!(u, CallUpdate::RemoteVideo { .. }).then_some(())
    })
    .await;
    centre.kill_9();
    let (by, _) = until(&mut call, |u| match u {
        CallUpdate::Ended { by, .. } => Some(*by),
        _ => None,
    })
    .await;
    assert_eq!(
        by,
        EndedBy::Centre,
        "the citizen is told the connection was lost"
    );
    call.leave();
    until(&mut call, |u| matches!(u, CallUpdate::Closed).then_some(())).await;
    // The lawyer's console saw its socket close and stopped, its media dropped.
    let ended = tokio::time::timeout(WAIT, lawyer)
        .await
        .expect("the lawyer stopped");
    assert!(ended.unwrap().is_ok());
    drop(orders);
}

#[tokio::test]
async fn the_consent_screen_hears_the_centres_recording_policy() {
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(
        dir.path(),
        config("[calls]\nrecorded = true\nanswer_timeout_secs = 45\n"),
        monday(),
    )
    .await;
    let client = reqwest::Client::new();
    let policy: serde_json::Value = client
        .get(centre.url("/api/v1/calls/policy"))
        .bearer_auth(TOKEN_A)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        policy,
        json!({ "recorded": true, "answer_timeout_secs": 45, "lawyers_online": 0 })
    );
    let refused = client
        .get(centre.url("/api/v1/calls/policy"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_weak_link_drops_to_voice_only_and_the_picture_stops() {
    media::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), monday()).await;
    let (_orders, orders_rx) = tokio::sync::mpsc::unbounded_channel();
    let lawyer_frames = Arc::new(AtomicU64::new(0));
    spawn_lawyer(
        &centre.base,
        PASSWORD,
        orders_rx,
        Arc::clone(&lawyer_frames),
    );
    let url = centre.base.replacen("http://", "ws://", 1) + "/api/v1/calls/ws";
    let mut request = CallRequest::new(url, "其他咨询");
    request.token = Some(TOKEN_A.into());
    request.media.width = 320;
    request.media.height = 240;
    request.stats_every = Duration::from_millis(300);
    // Any measured round trip counts as weak here: the real statistics drive the real rule.
    request.weak_link = videocall::WeakLink {
        max_fraction_lost: 1.0,
        max_round_trip_secs: 0.0,
        samples: 2,
    };
    let mut call = videocall::start(request, Arc::new(Pictures::default()), None);
    until(&mut call, |u| {
        matches!(u, CallUpdate::AudioOnly { ours: true }).then_some(())
    })
    .await;
    assert!(
        call.figures()
            .stats
            .is_some_and(|s| s.round_trip_secs.is_some())
    );
    // The lawyer's count of the kiosk's pictures stands still while the call goes on.
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut last = lawyer_frames.load(Ordering::Relaxed);
    let mut steady = 0;
    while steady < 3 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = lawyer_frames.load(Ordering::Relaxed);
        steady = if now == last { steady + 1 } else { 0 };
        last = now;
        assert!(
            tokio::time::Instant::now() < deadline,
            "the picture never stopped"
        );
    }
    assert!(call.figures().remote_audio_buffers > 0);
    call.hang_up();
    until(&mut call, |u| {
        matches!(u, CallUpdate::Ended { .. }).then_some(())
    })
    .await;
}
