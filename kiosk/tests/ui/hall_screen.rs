//! The hall screen on Slint's testing backend, fed by a real queue host on loopback: a window calls a
//! number over the LAN API and the hall shows it; the host restarts and the hall reconnects by itself.

use std::{
    net::SocketAddr,
    sync::{Arc, mpsc::Receiver},
    time::{Duration, Instant},
};

use i_slint_backend_testing::ElementHandle;
use kiosk::{
    hall::{DisplaysConfig, Follower, HallDisplay, HallScreen, HallView, HostMsg, welcome_slide},
    lan::{DEMO_DEVICE_TOKEN, LanService, demo_config},
};
use queue::{QueueConfig, QueueEngine, SystemClock};
use serde_json::{Value, json};

/// A queue host on its own runtime, so dropping it drops every connection like a process exit.
struct Host {
    runtime: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
}

impl Host {
    fn start(db: &std::path::Path, addr: SocketAddr) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (_, lan) = demo_config();
        let engine = Arc::new(
            QueueEngine::open(db, QueueConfig::demo(), Arc::new(SystemClock), "").unwrap(),
        );
        let service = LanService::new(engine, lan).unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(addr))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(service.serve(listener, std::future::pending()));
        Self {
            runtime: Some(runtime),
            addr,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn stop(mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

/// POSTs JSON and returns the JSON answer (the test thread is not async).
fn post(url: &str, token: &str, body: Value) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let resp = reqwest::Client::new()
            .post(url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(status.is_success(), "{url}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    })
}

fn login(base: &str, window: u32, pin: &str) -> String {
    post(
        &format!("{base}/api/v1/login"),
        "",
        json!({"window": window, "pin": pin}),
    )["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn issue(base: &str) -> String {
    post(
        &format!("{base}/api/v1/tickets"),
        DEMO_DEVICE_TOKEN,
        json!({"service": "consultation"}),
    )["number"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn call_next(base: &str, window: u32, token: &str) -> String {
    post(
        &format!("{base}/api/v1/windows/{window}/call-next"),
        token,
        json!({}),
    )["number"]
        .as_str()
        .unwrap()
        .to_owned()
}

struct Hall {
    display: HallDisplay,
    rx: Receiver<HostMsg>,
    origin: Instant,
    _follower: Follower,
}

impl Hall {
    fn new(url: &str) -> Self {
        i_slint_backend_testing::init_no_event_loop();
        let screen = HallScreen::new("黔江区公共法律服务中心", "Qianjiang").unwrap();
        screen.show().unwrap();
        let config = DisplaysConfig {
            queue_host: url.to_owned(),
            ..DisplaysConfig::default()
        };
        let (follower, rx) = Follower::spawn(url, None).unwrap();
        let origin = Instant::now();
        let display = HallDisplay::new(
            screen,
            &config,
            welcome_slide("黔江区公共法律服务中心", "Qianjiang"),
            None,
            None,
            origin.elapsed(),
        );
        Self {
            display,
            rx,
            origin,
            _follower: follower,
        }
    }

    /// Takes in what the host says until `done` holds for the screen (at most 30 s).
    fn until(&mut self, what: &str, done: impl Fn(&HallView, &Self) -> bool) -> HallView {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let local = chrono::Local::now().naive_local();
            let view = self.display.refresh(self.origin.elapsed(), local);
            if done(&view, self) {
                return view;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) => self.display.handle(msg, self.origin.elapsed(), local),
                Err(e) => panic!("waiting for {what}: {e}; last view {view:#?}"),
            }
        }
    }

    fn element_text(&self, id: &str) -> Option<String> {
        let window = self.display.screen().window();
        ElementHandle::find_by_element_id(window, &format!("HallWindow::{id}"))
            .next()
            .and_then(|e| e.accessible_label())
            .map(|s| s.to_string())
    }

    fn has_label(&self, label: &str) -> bool {
        ElementHandle::find_by_accessible_label(self.display.screen().window(), label)
            .next()
            .is_some()
    }
}

#[test]
fn a_call_shows_on_the_hall_screen_and_the_hall_reconnects_after_the_host_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("queue.sqlite3");
    let host = Host::start(&db, "127.0.0.1:0".parse().unwrap());
    let (addr, base) = (host.addr, host.url());
    let mut hall = Hall::new(&base);
    hall.until("the first snapshot", |v, h| {
        v.connected && !v.services.is_empty() && h.has_label("暂无叫号 / No calls yet")
    });

    let first = issue(&base);
    let second = issue(&base);
    let token = login(&base, 1, "1111");
    assert_eq!(call_next(&base, 1, &token), first);

    let prefix = first
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .to_owned();
    let view = hall.until("the call on screen", |v, h| {
        h.element_text("big-number").as_deref() == Some(first.as_str())
            && v.services
                .iter()
                .any(|s| s.prefix == prefix && s.waiting == 1)
    });
    assert_eq!(view.recent[0].number, first);
    assert_eq!(view.recent[0].window_name, "1号窗口");
    assert_eq!(
        hall.element_text("big-window").as_deref(),
        Some("到 1号窗口 办理")
    );
    // The waiting count of the service is in the bottom strip.
    assert!(
        hall.has_label(&format!("{prefix} 1")),
        "waiting count shown"
    );

    // The host goes away: the hall says so, and keeps what it showed.
    host.stop();
    hall.until("the link-down banner", |v, h| {
        !v.connected && h.has_label("与叫号主机的连接中断，正在重连")
    });
    assert_eq!(
        hall.display
            .refresh(hall.origin.elapsed(), chrono::Local::now().naive_local())
            .recent[0]
            .number,
        first
    );

    // The host comes back on the same address with the same database; another window calls.
    let host = Host::start(&db, addr);
    let token = login(&base, 2, "2222");
    assert_eq!(call_next(&base, 2, &token), second);
    let view = hall.until("the call after the restart", |v, h| {
        v.connected && h.element_text("big-number").as_deref() == Some(second.as_str())
    });
    let listed: Vec<&str> = view.recent.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(
        listed,
        [second.as_str(), first.as_str()],
        "newest first, nothing lost"
    );
    assert!(!hall.has_label("与叫号主机的连接中断，正在重连"));
    host.stop();
}
