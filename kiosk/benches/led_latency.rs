//! Call-to-panel latency: from a window's call-next request to the LED panel showing the call.
//!
//! `cargo bench -p kiosk --bench led_latency`. A real queue host on loopback (LAN service, SQLite with
//! durable commits), the hall display's follower on the SSE stream, the LED panel thread at 30 frames per
//! second with a sink that timestamps every frame. Each round issues a ticket, calls it, waits for the
//! panel to show it, marks it no-show and waits for the panel to go idle. Prints p50/p90/max.

use std::{
    sync::{Arc, mpsc},
    time::{Duration, Instant},
};

use kiosk::{
    hall::{Follower, HostMsg},
    lan::{DEMO_DEVICE_TOKEN, LanService, demo_config},
};

use displays::led::{
    Announcement, LedConfig, LedPanel, LedSink, MonoFrame, PanelInput, PanelThread, Scene,
    SinkError, Style, draw,
};

use queue::{EventPayload, QueueConfig, QueueEngine, SystemClock};
use serde_json::{Value, json};

const ROUNDS: usize = 30;

struct Timestamped(mpsc::Sender<(Instant, MonoFrame)>);

impl LedSink for Timestamped {
    fn show(&mut self, frame: &MonoFrame) -> Result<(), SinkError> {
        let _ = self.0.send((Instant::now(), frame.clone()));
        Ok(())
    }
}

/// `cargo bench -- --test`, as CI runs it: a smoke run of a few iterations that executes the
/// bench's checks (a failure exits non-zero); its figures are not measurements.
fn smoke_run() -> bool {
    std::env::args().skip(1).any(|a| a == "--test")
}

fn main() {
    let rounds = if smoke_run() {
        println!("led_latency: smoke run (--test), 2 calls; not a measurement");
        2
    } else {
        ROUNDS
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, lan) = demo_config();
    let engine = Arc::new(
        QueueEngine::open(
            &dir.path().join("queue.sqlite3"),
            QueueConfig::demo(),
            Arc::new(SystemClock),
            "",
        )
        .unwrap(),
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(
        LanService::new(engine, lan)
            .unwrap()
            .serve(listener, std::future::pending()),
    );

    let config = LedConfig {
        call_secs: 1,
        turn_secs: 1,
        highlight_secs: 1,
        ..LedConfig::default()
    };
    let (frames_tx, frames) = mpsc::channel();
    let panel = LedPanel::new(
        Box::new(Timestamped(frames_tx)),
        (160, 16),
        &config,
        Duration::ZERO,
    );
    let panel = PanelThread::spawn(panel, 30).unwrap();
    let (_follower, rx) = Follower::spawn(&base, None).unwrap();
    let (ready_tx, ready) = mpsc::channel();
    std::thread::spawn(move || {
        for msg in rx {
            match msg {
                HostMsg::Event(e) => {
                    if let EventPayload::Called { number, window, .. } = e.payload {
                        panel.send(PanelInput::Announce(Announcement::call(number, window)));
                    }
                }
                HostMsg::Snapshot(_) => {
                    let _ = ready_tx.send(());
                }
                HostMsg::Connected(_) => {}
            }
        }
    });
    ready
        .recv_timeout(Duration::from_secs(10))
        .expect("the follower reaches the host");

    let http = reqwest::Client::new();
    let post = |path: &str, token: &str, body: Value| {
        let req = http
            .post(format!("{base}{path}"))
            .bearer_auth(token)
            .json(&body);
        runtime.block_on(async { req.send().await.unwrap().json::<Value>().await.unwrap() })
    };
    let token = post("/api/v1/login", "", json!({"window": 1, "pin": "1111"}))["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let style = Style::mono(
        config.speed_px_per_s,
        Duration::from_secs(config.highlight_secs),
    );
    let mut latencies = Vec::new();
    for _ in 0..rounds {
        post(
            "/api/v1/tickets",
            DEMO_DEVICE_TOKEN,
            json!({"service": "consultation"}),
        );
        while frames.try_recv().is_ok() {}
        let start = Instant::now();
        let called = post("/api/v1/windows/1/call-next", &token, json!({}));
        let number = called["number"].as_str().unwrap().to_owned();
        let mut expected = MonoFrame::new(160, 16);
        draw(
            &Scene::Call {
                ticket: number,
                window: 1,
            },
            Duration::ZERO,
            &style,
            &mut expected,
        );
        loop {
            let (at, frame) = frames
                .recv_timeout(Duration::from_secs(10))
                .expect("the panel shows the call");
            if frame == expected {
                latencies.push(at - start);
                break;
            }
        }
        post("/api/v1/windows/1/no-show", &token, json!({}));
        // Back to idle before the next round, so calls never wait their turn.
        loop {
            let (_, frame) = frames
                .recv_timeout(Duration::from_secs(10))
                .expect("the panel goes idle");
            if !is_call(&frame, &expected) {
                break;
            }
        }
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "call-next to LED frame, {rounds} calls: p50 {:.1} ms  p90 {:.1} ms  max {:.1} ms (panel at 30 frames/s)",
        ms(latencies[rounds / 2]),
        ms(latencies[rounds * 9 / 10]),
        ms(latencies[rounds - 1])
    );
}

/// Whether `frame` is the call (or its flashing inverse).
fn is_call(frame: &MonoFrame, call: &MonoFrame) -> bool {
    let mut inverse = true;
    for y in 0..frame.height() {
        for x in 0..frame.width() {
            if frame.get(x, y) == call.get(x, y) {
                inverse = false;
            }
        }
    }
    frame == call || inverse
}
