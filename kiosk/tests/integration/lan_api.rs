//! The LAN API over loopback HTTP, against a real SQLite file.

use std::{sync::Arc, time::Duration};

use chrono::{TimeZone, Utc};
use kiosk::lan::{LanService, demo_config};
use queue::{ManualClock, QueueEngine};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Server {
    base: String,
    clock: ManualClock,
    engine: Arc<QueueEngine>,
    http: Client,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

const DEVICE: &str = "demo-device-token";

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    // A weekday morning; the demo services are open all day anyway.
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2025, 3, 3, 1, 30, 0).unwrap());
    let (queue, lan) = demo_config();
    let engine = Arc::new(
        QueueEngine::open(
            &dir.path().join("queue.sqlite3"),
            queue,
            Arc::new(clock.clone()),
            "",
        )
        .unwrap(),
    );
    let service = LanService::new(Arc::clone(&engine), lan).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(service.serve(listener, async {
        let _ = stopped.await;
    }));
    Server {
        base,
        clock,
        engine,
        http: Client::new(),
        _dir: dir,
        _stop: stop,
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn issue(&self, service: &str, priority: Value) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/tickets"))
            .bearer_auth(DEVICE)
            .json(&json!({"service": service, "priority": priority}))
            .send()
            .await
            .unwrap()
    }

    async fn login(&self, window: u32, pin: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/login"))
            .json(&json!({"window": window, "pin": pin}))
            .send()
            .await
            .unwrap()
    }

    async fn token(&self, window: u32, pin: &str) -> String {
        let resp = self.login(window, pin).await;
        assert_eq!(resp.status(), StatusCode::OK);
        resp.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn act(
        &self,
        token: &str,
        window: u32,
        action: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(self.url(&format!("/api/v1/windows/{window}/{action}")))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }
}

async fn error_of(resp: reqwest::Response) -> String {
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    resp.json::<Value>().await.unwrap()["error"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_are_issued_with_a_device_token_only() {
    let s = start().await;
    let resp = s.issue("consultation", json!(false)).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let t: Value = resp.json().await.unwrap();
    for key in [
        "id",
        "number",
        "service",
        "ahead",
        "eta_minutes",
        "status_url",
        "issued_at",
    ] {
        assert!(t.get(key).is_some(), "missing {key} in {t}");
    }
    assert_eq!(t["number"], "B001");
    assert_eq!(t["eta_minutes"].as_array().unwrap().len(), 2);
    let capability = t["status_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();

    let second: Value = s
        .issue("consultation", json!("elderly"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (second["number"].as_str(), second["priority"].as_str()),
        (Some("B002"), Some("elderly"))
    );

    // No token, wrong token, unknown service, malformed body, bad identity token.
    let resp = s
        .http
        .post(s.url("/api/v1/tickets"))
        .json(&json!({"service": "consultation"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(error_of(resp).await.contains("token"));
    let resp = s
        .http
        .post(s.url("/api/v1/tickets"))
        .bearer_auth("guess")
        .json(&json!({"service": "consultation"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = s.issue("nope", json!(false)).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(error_of(resp).await.contains("nope"));
    let resp = s
        .http
        .post(s.url("/api/v1/tickets"))
        .bearer_auth(DEVICE)
        .header("content-type", "application/json")
        .body("{\"service\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = s
        .http
        .post(s.url("/api/v1/tickets"))
        .bearer_auth(DEVICE)
        .json(&json!({"service": "consultation", "identity_token": "990101198001019991"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(resp).await.contains("identity token"));
    let resp = s
        .http
        .post(s.url("/api/v1/tickets"))
        .bearer_auth(DEVICE)
        .json(&json!({"service": "consultation", "colour": "red"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(resp).await.contains("colour"));
    // Notarisation needs the ID card: 422 naming the service (legal aid only offers it).
    let resp = s.issue("notary", json!(false)).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The queue view: counts, and nothing secret.
    let text = s
        .http
        .get(s.url("/api/v1/queue"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !text.contains(&capability),
        "capabilities never appear in the queue view"
    );
    let q: Value = serde_json::from_str(&text).unwrap();
    let consultation = q["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "consultation")
        .unwrap();
    assert_eq!(consultation["waiting"], 2);
    assert_eq!(consultation["name"], "法律咨询");
    assert_eq!(q["windows"].as_array().unwrap().len(), 3);
    assert!(q["windows"][0].get("serving").is_some());

    // The phone page and its data.
    let page = s
        .http
        .get(s.url(&format!("/t/{capability}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("排队进度"));
    let st: Value = s
        .http
        .get(s.url(&format!("/api/v1/t/{capability}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The elderly ticket goes first, so one is ahead of B001.
    assert_eq!(
        (st["number"].as_str(), st["ahead"].as_u64()),
        (Some("B001"), Some(1))
    );
    let resp = s.http.get(s.url("/t/0123")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = s
        .http
        .get(s.url("/api/v1/t/00000000000000000000000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // The citizen cancels from the phone.
    let resp = s
        .http
        .post(s.url(&format!("/api/v1/t/{capability}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = s
        .http
        .post(s.url(&format!("/api/v1/t/{capability}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let resp = s
        .http
        .get(s.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    error_of(resp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_are_rate_limited_and_windows_are_isolated() {
    let s = start().await;
    let token1 = s.token(1, "1111").await;
    // Window 1's session cannot act for window 2.
    let resp = s.act(&token1, 2, "call-next", None).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(error_of(resp).await.contains("window 1"));
    let resp = s
        .http
        .get(s.url("/api/v1/windows/2"))
        .bearer_auth(&token1)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // A device token is not a staff session, and no token is 401.
    assert_eq!(
        s.act(DEVICE, 1, "call-next", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.http
            .post(s.url("/api/v1/windows/1/call-next"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Wrong PINs: 401 five times, then 429 even with the right PIN, until the lockout ends.
    for _ in 0..5 {
        let resp = s.login(2, "9999").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    let resp = s.login(2, "2222").await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().get("retry-after").is_some());
    error_of(resp).await;
    s.clock.advance(chrono::Duration::minutes(6));
    s.token(2, "2222").await;
    // Malformed login bodies are 400 and never reach the PIN check.
    let resp = s
        .http
        .post(s.url("/api/v1/login"))
        .json(&json!({"window": "one", "pin": "1111"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // Logging out ends the session.
    let resp = s
        .http
        .post(s.url("/api/v1/logout"))
        .bearer_auth(&token1)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        s.act(&token1, 1, "call-next", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_actions_follow_the_ticket_life() {
    let s = start().await;
    let w1 = s.token(1, "1111").await;
    assert_eq!(
        s.act(&w1, 1, "call-next", None).await.status(),
        StatusCode::NO_CONTENT
    );
    s.issue("reception", json!(false)).await;
    s.issue("reception", json!(false)).await;
    s.issue("reception", json!(true)).await;

    let t: Value = s.act(&w1, 1, "call-next", None).await.json().await.unwrap();
    assert_eq!(
        (t["number"].as_str(), t["status"].as_str()),
        (Some("A003"), Some("called"))
    );
    assert!(t.get("status_url").is_none() && t.get("identity_token").is_none());
    let t: Value = s.act(&w1, 1, "recall", None).await.json().await.unwrap();
    assert_eq!(t["recalls"], 1);
    let resp = s.act(&w1, 1, "call-next", None).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    error_of(resp).await;
    let t: Value = s.act(&w1, 1, "start", None).await.json().await.unwrap();
    assert_eq!(t["status"], "serving");
    let resp = s
        .act(&w1, 1, "complete", Some(json!({"outcome": "Not A Code"})))
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(resp).await.contains("outcome"));
    let resp = s.act(&w1, 1, "complete", Some(json!({}))).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let t: Value = s
        .act(&w1, 1, "complete", Some(json!({"outcome": "answered"})))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (t["status"].as_str(), t["outcome"].as_str()),
        (Some("done"), Some("answered"))
    );

    // Out of order, hold, resume, no-show, transfer.
    let t: Value = s
        .act(&w1, 1, "call", Some(json!({"number": "A002"})))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["number"], "A002");
    let t: Value = s.act(&w1, 1, "hold", None).await.json().await.unwrap();
    assert_eq!(t["status"], "held");
    let t: Value = s.act(&w1, 1, "call-next", None).await.json().await.unwrap();
    assert_eq!(t["number"], "A001");
    let t: Value = s.act(&w1, 1, "no-show", None).await.json().await.unwrap();
    assert_eq!(t["status"], "no_show");
    let t: Value = s
        .act(&w1, 1, "resume", Some(json!({"number": "A002"})))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["status"], "called");
    let t: Value = s
        .act(
            &w1,
            1,
            "transfer",
            Some(json!({"service": "legal_aid", "position": "front"})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (t["number"].as_str(), t["service"].as_str()),
        (Some("A002"), Some("legal_aid"))
    );
    let resp = s
        .act(
            &w1,
            1,
            "transfer",
            Some(json!({"service": "legal_aid", "position": "middle"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = s.act(&w1, 1, "call", Some(json!({"number": "A-2"}))).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = s.act(&w1, 1, "dance", None).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // The window view lists what the staff page needs.
    let v: Value = s
        .http
        .get(s.url("/api/v1/windows/1"))
        .bearer_auth(&w1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["current"].is_null());
    assert_eq!(v["late_callable"][0]["number"], "A001");
    // Window 2 serves legal aid first and gets the transferred ticket.
    let w2 = s.token(2, "2222").await;
    let t: Value = s.act(&w2, 2, "call-next", None).await.json().await.unwrap();
    assert_eq!(t["number"], "A002");
}

struct Sse {
    resp: reqwest::Response,
    buf: String,
}

impl Sse {
    /// The stream as `token` (a device token or a staff session) sees it.
    async fn open(s: &Server, last_event_id: Option<u64>, token: &str) -> Self {
        let mut req = s.http.get(s.url("/api/v1/events")).bearer_auth(token);
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Self {
            resp,
            buf: String::new(),
        }
    }

    /// The next event as (id, event name, data); fails after 20 s without one (keep-alive comments
    /// do not count).
    async fn next(&mut self) -> (u64, String, Value) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut id = None;
                let mut name = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if let Some(id) = id {
                    return (id, name, serde_json::from_str(&data).unwrap());
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.resp.chunk())
                .await
                .expect("an event within 20 s")
                .unwrap()
                .expect("the stream stays open");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_have_ids_and_last_event_id_replays_what_was_missed() {
    let s = start().await;
    // The issuing device's stream: its own tickets and everything public.
    let mut sse = Sse::open(&s, Some(0), DEVICE).await;
    let (first, name, _) = sse.next().await;
    assert_eq!(name, "day_reset");
    s.issue("reception", json!(false)).await;
    let (id, name, data) = sse.next().await;
    assert_eq!(
        (name.as_str(), data["number"].as_str()),
        ("issued", Some("A001"))
    );
    assert!(id > first);
    assert_eq!(data["seq"], id);
    assert!(data.get("capability").is_none());
    drop(sse);

    // Missed while disconnected: two issues, a call and a reprint request.
    s.issue("reception", json!(false)).await;
    s.issue("complaints", json!(false)).await;
    let w1 = s.token(1, "1111").await;
    s.act(&w1, 1, "call-next", None).await;
    let resp = s
        .act(&w1, 1, "reprint", Some(json!({"number": "G001"})))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let mut sse = Sse::open(&s, Some(id), DEVICE).await;
    let mut seen = Vec::new();
    let mut last = id;
    while seen.len() < 5 {
        let (eid, name, data) = sse.next().await;
        assert_eq!(eid, last + 1, "no gap");
        last = eid;
        seen.push((name, data));
    }
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "issued",
            "issued",
            "window_opened",
            "called",
            "reprint_requested"
        ]
    );
    assert_eq!(seen[4].1["number"], "G001");
    assert_eq!(seen[4].1["device"], "demo-kiosk");
    // Live events follow on the same stream.
    s.issue("reception", json!(false)).await;
    let (eid, name, _) = sse.next().await;
    assert_eq!((eid, name.as_str()), (last + 1, "issued"));
    // An id from the future (a replaced database) means "from now on".
    let mut fresh = Sse::open(&s, Some(1_000_000), DEVICE).await;
    s.issue("complaints", json!(false)).await;
    let (_, name, data) = fresh.next().await;
    assert_eq!(
        (name.as_str(), data["number"].as_str()),
        ("issued", Some("G002"))
    );
    // A malformed Last-Event-ID is a JSON 400.
    let resp = s
        .http
        .get(s.url("/api/v1/events"))
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_alerts_reach_the_queue_view_and_the_event_stream() {
    let s = start().await;
    // Staff see every device's alerts.
    let staff = s.token(2, "2222").await;
    let mut sse = Sse::open(&s, None, &staff).await;
    let resp = s
        .http
        .put(s.url("/api/v1/devices/alerts"))
        .bearer_auth(DEVICE)
        .json(&json!({"printer": "paper_near_end"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (_, name, data) = sse.next().await;
    assert_eq!(
        (name.as_str(), data["alerts"]["printer"].as_str()),
        ("device_alert", Some("paper_near_end"))
    );
    let q: Value = s
        .http
        .get(s.url("/api/v1/queue"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        q["alerts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("打印纸")
    );
    // The host process sets its own printer's alerts through the engine.
    s.engine
        .set_device_alerts(
            "kiosk-1",
            queue::DeviceAlerts {
                printer: queue::PrinterAlert::PaperOut,
                ..Default::default()
            },
        )
        .unwrap();
    let (_, name, data) = sse.next().await;
    assert_eq!(
        (name.as_str(), data["device"].as_str()),
        ("device_alert", Some("kiosk-1"))
    );
    let resp = s
        .http
        .put(s.url("/api/v1/devices/alerts"))
        .bearer_auth(DEVICE)
        .json(&json!({"printer": "on_fire"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // The staff page is served from the binary.
    let page = s
        .http
        .get(s.url("/staff"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for label in [
        "叫号",
        "重呼",
        "过号",
        "开始",
        "办结",
        "转移",
        "暂停",
        "printer-banner",
    ] {
        assert!(page.contains(label), "{label}");
    }
    let js = s
        .http
        .get(s.url("/assets/web/staff.js"))
        .send()
        .await
        .unwrap();
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
}
