//! Device health over a real loopback server: `/healthz` and `/metrics` beside the LAN API, fed by the
//! simulated devices, the real content store and outbox files, the simulated board and the watchdog's
//! liveness sources. The board's help button reaches the staff page's alerts through the queue.

use std::{sync::Arc, time::Duration};

use kiosk::{
    board::{self, BoardConfig, BoardHooks, BoardTask, SimBoardControls},
    config::DevicesConfig,
    devices::Devices,
    health::{self, HealthSources, HealthzBody, QueueReach},
    lan::{LanService, demo_config},
    watchdog::{Liveness, ManualClock},
};

use displays::led::Scene;

use content::{ContentConfig, ContentStore, Outbox, OutboxPayload};

use queue::{LocalQueueClient, QueueClient, QueueEngine, SystemClock};
use reqwest::StatusCode;
use serde_json::{Value, json};
use ticket_printer::VirtualState;
use tokio::sync::{mpsc, watch};

const WAIT: Duration = Duration::from_secs(20);

struct Station {
    base: String,
    http: reqwest::Client,
    devices: Devices,
    board: BoardTask,
    clock: Arc<ManualClock>,
    liveness: Liveness,
    sources: HealthSources,
    outbox: Outbox,
    woke: mpsc::UnboundedReceiver<()>,
    help: mpsc::UnboundedReceiver<bool>,
    _stop: tokio::sync::oneshot::Sender<()>,
    dir: tempfile::TempDir,
}

async fn start() -> Station {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new());
    let clocks = clock::Clocks {
        wall: Arc::new(clock::SystemWallClock),
        mono: clock.clone(),
    };
    let liveness = Liveness::new(clock.clone());
    let mut devices = Devices::start_with(
        &DevicesConfig::default(),
        &displays::led::LedConfig::default(),
        &dir.path().join("sim"),
        Some(&liveness),
        &clocks,
    )
    .unwrap();
    devices
        .led_panel
        .show(&Scene::Message("12348".into()), Duration::ZERO)
        .unwrap();
    let content_config = ContentConfig::default();
    let store = ContentStore::open(dir.path(), &content_config).unwrap();
    let outbox = Outbox::open(dir.path(), &content_config, "kiosk-1").unwrap();

    let (queue_config, lan) = demo_config();
    let engine = Arc::new(
        QueueEngine::open(
            &dir.path().join("queue.sqlite3"),
            queue_config,
            Arc::new(SystemClock),
            "",
        )
        .unwrap(),
    );
    let queue: Arc<dyn QueueClient> =
        Arc::new(LocalQueueClient::new(Arc::clone(&engine), "kiosk-1"));

    let (board_io, sim): (Box<dyn board::Board>, SimBoardControls) = {
        let (b, s) = SimBoardControls::new();
        (Box::new(b), s)
    };
    let (wake_tx, woke) = mpsc::unbounded_channel();
    let (help_tx, help) = mpsc::unbounded_channel();
    let runtime = tokio::runtime::Handle::current();
    let hooks = BoardHooks {
        on_wake: Box::new(move || {
            let _ = wake_tx.send(());
        }),
        on_help: Box::new(move |open| {
            let (queue, tx) = (Arc::clone(&queue), help_tx.clone());
            runtime.spawn(async move {
                queue.request_help(open).await.unwrap();
                let _ = tx.send(open);
            });
        }),
    };
    let config = BoardConfig {
        poll_ms: 20,
        ..BoardConfig::default()
    };
    let board = BoardTask::spawn(
        board_io,
        &config,
        &clocks,
        Some(liveness.register("board", Duration::from_secs(10))),
        hooks,
    )
    .unwrap();
    board.follow_printer(devices.printer.report(), &tokio::runtime::Handle::current());

    let sources = HealthSources::new("kiosk-1", dir.path())
        .with_restarts(health::record_start(dir.path()).unwrap())
        .with_devices(&devices)
        .with_queue(QueueReach::Host)
        .with_content(store)
        .with_outbox(outbox.clone())
        .with_board(board.status())
        .with_liveness(liveness.clone());
    let service = LanService::new(engine, lan)
        .unwrap()
        .with_routes(health::routes(sources.clone(), Some(sim)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(service.serve(listener, async {
        let _ = stopped.await;
    }));
    Station {
        base,
        http: reqwest::Client::new(),
        devices,
        board,
        clock,
        liveness,
        sources,
        outbox,
        woke,
        help,
        _stop: stop,
        dir,
    }
}

impl Station {
    async fn healthz(&self) -> (StatusCode, HealthzBody) {
        let resp = self
            .http
            .get(format!("{}/healthz", self.base))
            .send()
            .await
            .unwrap();
        (resp.status(), resp.json().await.unwrap())
    }

    async fn metrics(&self) -> String {
        let resp = self
            .http
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain; version=0.0.4")
        );
        resp.text().await.unwrap()
    }

    async fn alerts(&self) -> Value {
        let q: Value = self
            .http
            .get(format!("{}/api/v1/queue", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        q["alerts"].clone()
    }

    /// Waits until the devices have been seen: a printer status read, the reader's SAM answering.
    async fn settle(&mut self) {
        self.devices.printer.check().await.unwrap();
        let mut reader = self.devices.id_reader.report.clone().unwrap();
        tokio::time::timeout(WAIT, reader.wait_for(|r| r.sam_ok))
            .await
            .expect("the ID reader answers")
            .unwrap();
    }
}

async fn wait_board(
    status: &mut watch::Receiver<board::BoardStatus>,
    f: impl FnMut(&board::BoardStatus) -> bool,
) {
    tokio::time::timeout(WAIT, status.wait_for(f))
        .await
        .expect("the board loop turned")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_metrics_report_every_device_and_turn_503_with_reasons() {
    let mut s = start().await;
    s.settle().await;

    let (code, body) = s.healthz().await;
    assert_eq!(body.problems, Vec::<String>::new());
    assert_eq!(code, StatusCode::OK);
    assert_eq!(body.status, "ok");
    let d = &body.snapshot.devices;
    assert!(d.printer.as_ref().unwrap().online);
    assert!(d.id_reader.sam_ok);
    assert_eq!(d.led_panel, health::LedState::Ok);
    assert!(d.queue_host);
    assert!(d.disk_free_bytes.unwrap() > 0);
    assert_eq!(body.snapshot.content.as_ref().unwrap().version, Some(1));
    assert_eq!(body.snapshot.outbox_pending, Some(0));

    let text = s.metrics().await;
    for line in [
        "kiosk_healthy 1",
        "kiosk_restarts_total 0",
        "kiosk_printer_online 1",
        "kiosk_printer_paper{state=\"ok\"} 1",
        "kiosk_printer_paper{state=\"out\"} 0",
        "kiosk_printer_cover_open 0",
        "kiosk_id_reader_present 1",
        "kiosk_id_reader_sam_ok 1",
        "kiosk_led_panel{state=\"ok\"} 1",
        "kiosk_queue_host_reachable 1",
        "kiosk_content_version 1",
        "kiosk_outbox_pending 0",
        "kiosk_board_configured 1",
        "kiosk_board_backlight_percent ",
        "kiosk_loop_stalled{loop=\"printer\"} 0",
        "kiosk_loop_stalled{loop=\"id_reader\"} 0",
        "kiosk_loop_stalled{loop=\"board\"} 0",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }

    // Paper out and cover open: 503 with both reasons, the metrics say so, the fault lamp lights.
    s.devices
        .printer
        .simulator()
        .unwrap()
        .set_state(VirtualState {
            paper_out: true,
            cover_open: true,
            ..VirtualState::default()
        });
    s.devices.printer.check().await.unwrap();
    let (code, body) = s.healthz().await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body.status, "unhealthy");
    assert!(
        body.problems.contains(&"printer: out of paper".to_owned()),
        "{body:?}"
    );
    assert!(
        body.problems.contains(&"printer: cover open".to_owned()),
        "{body:?}"
    );
    let text = s.metrics().await;
    assert!(
        text.contains("kiosk_printer_paper{state=\"out\"} 1"),
        "{text}"
    );
    assert!(text.contains("kiosk_printer_cover_open 1"), "{text}");
    assert!(text.contains("kiosk_healthy 0"), "{text}");
    let mut status = s.board.status();
    wait_board(&mut status, |b| b.lamp_on).await;

    // Paper back: the lamp goes out.
    s.devices
        .printer
        .simulator()
        .unwrap()
        .set_state(VirtualState::default());
    s.devices.printer.check().await.unwrap();
    wait_board(&mut status, |b| !b.lamp_on).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_loop_makes_the_device_unhealthy() {
    let mut s = start().await;
    s.settle().await;
    let ui = s.liveness.register("ui", Duration::from_secs(15));
    s.clock.advance(Duration::from_secs(16));
    let (code, body) = s.healthz().await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body.problems.contains(&"loop ui: stalled".to_owned()),
        "{body:?}"
    );
    assert!(
        s.metrics()
            .await
            .contains("kiosk_loop_stalled{loop=\"ui\"} 1")
    );
    ui.beat();
    let text = s.metrics().await;
    assert!(text.contains("kiosk_loop_stalled{loop=\"ui\"} 0"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_board_wakes_the_screen_and_its_help_button_reaches_the_staff_page() {
    let mut s = start().await;

    let resp = s
        .http
        .post(format!("{}/board/sim/presence", s.base))
        .json(&json!({"present": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    tokio::time::timeout(WAIT, s.woke.recv())
        .await
        .expect("presence wakes the screen")
        .unwrap();
    let mut status = s.board.status();
    wait_board(&mut status, |b| b.presence).await;

    let resp = s
        .http
        .post(format!("{}/board/sim/help", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let opened = tokio::time::timeout(WAIT, s.help.recv())
        .await
        .expect("the help request reaches the queue")
        .unwrap();
    assert!(opened);
    let q: Value = s
        .http
        .get(format!("{}/api/v1/queue", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let message = q["alerts"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("kiosk-1: 有群众按下呼叫按钮"),
        "{message}"
    );
    assert_eq!(q["alerts"][0]["alerts"]["help"], json!(true));
    wait_board(&mut status, |b| b.help_requested).await;
    assert!(s.metrics().await.contains("kiosk_board_help_requested 1"));

    // A staff member went there and presses 已到场 on the staff page: the alert leaves.
    let login: Value = s
        .http
        .post(format!("{}/api/v1/login", s.base))
        .json(&json!({"window": 1, "pin": "1111"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let resp = s
        .http
        .post(format!("{}/api/v1/devices/kiosk-1/help/clear", s.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(s.alerts().await, json!([]));
    let resp = s
        .http
        .post(format!("{}/api/v1/devices/kiosk-1/help/clear", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "staff only");

    // Pressed again: shown again. Then the kiosk's hold time ends: it closes the request itself.
    let resp = s
        .http
        .post(format!("{}/board/sim/help", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(
        tokio::time::timeout(WAIT, s.help.recv())
            .await
            .unwrap()
            .unwrap()
    );
    assert_eq!(s.alerts().await[0]["alerts"]["help"], json!(true));
    s.board.clear_help();
    let closed = tokio::time::timeout(WAIT, s.help.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(!closed);
    assert_eq!(s.alerts().await, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_land_in_the_outbox_file_with_the_device_states() {
    let mut s = start().await;
    s.settle().await;
    s.devices
        .printer
        .simulator()
        .unwrap()
        .set_state(VirtualState {
            near_end: true,
            ..VirtualState::default()
        });
    s.devices.printer.check().await.unwrap();

    let mut task = health::spawn_heartbeats(
        &tokio::runtime::Handle::current(),
        s.sources.clone(),
        s.outbox.clone(),
        Duration::from_secs(3600),
    );
    tokio::time::timeout(WAIT, task.queued.wait_for(|n| *n >= 1))
        .await
        .expect("the first heartbeat goes out at once")
        .unwrap();
    task.handle.abort();

    // Read it back from the file, as after a reboot.
    let reopened = Outbox::open(s.dir.path(), &ContentConfig::default(), "kiosk-1").unwrap();
    let items = reopened.undelivered().unwrap();
    assert_eq!(items.len(), 1);
    let OutboxPayload::Heartbeat(beat) = &items[0].message.payload else {
        panic!("not a heartbeat: {:?}", items[0].message.payload);
    };
    assert_eq!(beat.content_version, Some(1));
    let devices = beat
        .devices
        .as_ref()
        .expect("device facts in the heartbeat");
    let printer = devices.printer.as_ref().unwrap();
    assert!(printer.online);
    assert_eq!(printer.paper, health::PaperState::NearEnd);
    assert!(devices.id_reader.sam_ok);
    assert_eq!(devices.led_panel, health::LedState::Ok);
    assert!(devices.board.is_some());
    assert!(devices.disk_free_bytes.is_some());
}

#[test]
fn heartbeats_queued_by_an_older_version_still_parse() {
    let old = r#"{"kind":"heartbeat","data":{"content_version":3,"content_stale":false,
        "clock":"plausible","last_sync_error":null,"outbox_pending":2}}"#;
    let OutboxPayload::Heartbeat(beat) = serde_json::from_str::<OutboxPayload>(old).unwrap() else {
        panic!("not a heartbeat");
    };
    assert_eq!(beat.outbox_pending, 2);
    assert_eq!(beat.devices, None);
    assert!(beat.problems.is_empty());
}

#[test]
fn restarts_are_counted_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(health::record_start(dir.path()).unwrap(), 0);
    assert_eq!(health::record_start(dir.path()).unwrap(), 1);
    assert_eq!(health::record_start(dir.path()).unwrap(), 2);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(health::gather::STARTS_FILE))
            .unwrap()
            .trim(),
        "3"
    );
}
