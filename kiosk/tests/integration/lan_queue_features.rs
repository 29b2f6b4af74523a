//! The LAN routes of appointment check-ins, the day's bookings, tickets issued at the counter,
//! returns to the queue (回队) and the staff member on duty, over loopback HTTP against a real
//! SQLite file.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use kiosk::lan::{LanService, demo_config};
use queue::{
    BookedSlot, Booking, CheckIn, EventPayload, HttpQueueClient, IssueRequest, ManualClock,
    QueueClient, QueueEngine,
};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const DEVICE: &str = "demo-device-token";
const SALT: &str = "test-site-salt-01";

struct Server {
    base: String,
    engine: Arc<QueueEngine>,
    http: Client,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Monday 2025-03-03 09:30 in Chongqing.
fn nine_thirty() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 1, 30, 0).unwrap()
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(nine_thirty());
    let (mut queue, mut lan) = demo_config();
    queue.identity_salt = Some(SALT.into());
    // Window 3's login names the staff member on duty.
    let w3 = lan.staff.iter_mut().find(|s| s.window == 3).unwrap();
    w3.name = Some("张明".into());
    w3.staff_id = Some("QJ-0301".into());
    let engine = Arc::new(
        QueueEngine::open(
            &dir.path().join("queue.sqlite3"),
            queue,
            Arc::new(clock),
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

    async fn token(&self, window: u32, pin: &str) -> String {
        let resp = self
            .http
            .post(self.url("/api/v1/login"))
            .json(&json!({"window": window, "pin": pin}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn act(&self, token: &str, window: u32, action: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/api/v1/windows/{window}/{action}")))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn check_in(&self, service: &str, code: &str, slot_start: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/tickets"))
            .bearer_auth(DEVICE)
            .json(&json!({
                "service": service,
                "appointment": {
                    "code": code,
                    "slot_start": slot_start,
                    "slot_end": "2025-03-03T03:00:00Z",
                },
            }))
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_appointment_checks_in_once_and_says_when_it_is_late() {
    let s = start().await;
    // 09:30 local is 01:30Z: a 09:30 slot is on time.
    let resp = s
        .check_in("mediation", "BK-1001", "2025-03-03T01:30:00Z")
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert!(resp.headers().get("idempotent-replayed").is_none());
    let first: Value = resp.json().await.unwrap();
    assert_eq!(first["number"], "F001");
    assert_eq!(first["appointment"]["check_in"], "on_time");
    assert_eq!(first["appointment"]["code"], "BK-1001");
    // Again: the same ticket, marked as a replay.
    let resp = s
        .check_in("mediation", "BK-1001", "2025-03-03T01:30:00Z")
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(resp.headers()["idempotent-replayed"], "true");
    let again: Value = resp.json().await.unwrap();
    assert_eq!(
        (&again["id"], &again["number"]),
        (&first["id"], &first["number"])
    );
    // A 09:00 slot checked in at 09:30: late, an ordinary walk-in ticket.
    let late: Value = s
        .check_in("mediation", "BK-1002", "2025-03-03T01:00:00Z")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&late["number"], &late["appointment"]["check_in"]),
        (&json!("F002"), &json!("late"))
    );
    // A malformed code is a 400 naming the field.
    let resp = s.check_in("mediation", "x", "2025-03-03T01:30:00Z").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = resp.json().await.unwrap();
    assert!(err["error"].as_str().unwrap().contains("code"), "{err}");
    // The HTTP client of a second kiosk checks in the same way, and finds the same ticket.
    let client = HttpQueueClient::new(&s.base, DEVICE, Some(SALT.into())).unwrap();
    let booking = Booking {
        code: "BK-1001".into(),
        slot_start: nine_thirty(),
        slot_end: nine_thirty() + Duration::minutes(30),
    };
    let found = client
        .check_in(IssueRequest::new("mediation"), booking.clone())
        .await
        .unwrap();
    assert_eq!(found.ticket.number, "F001");
    assert_eq!(found.appointment.check_in, CheckIn::OnTime);
    let fresh = client
        .check_in(
            IssueRequest::new("mediation"),
            Booking {
                code: "BK-1003".into(),
                slot_start: nine_thirty() + Duration::hours(1),
                slot_end: nine_thirty() + Duration::minutes(90),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (fresh.ticket.number.as_str(), fresh.appointment.check_in),
        ("F003", CheckIn::Early)
    );
    assert_eq!(
        (fresh.ticket.eta_minutes.lo, fresh.ticket.eta_minutes.hi),
        (60, 60)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_staff_read_the_days_bookings_with_their_check_in_state() {
    let s = start().await;
    s.engine
        .replace_bookings(&[
            BookedSlot {
                code: "BK-2001".into(),
                service: "mediation".into(),
                slot_start: nine_thirty(),
                slot_end: nine_thirty() + Duration::minutes(30),
                masked_name: "张*三".into(),
            },
            BookedSlot {
                code: "BK-2002".into(),
                service: "legal_aid".into(),
                slot_start: nine_thirty() + Duration::hours(1),
                slot_end: nine_thirty() + Duration::minutes(90),
                masked_name: "李*".into(),
            },
        ])
        .unwrap();
    s.check_in("mediation", "BK-2001", "2025-03-03T01:30:00Z")
        .await;
    // Masked names are for staff: no session, no list.
    let resp = s.http.get(s.url("/api/v1/bookings")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = s
        .http
        .get(s.url("/api/v1/bookings"))
        .bearer_auth(DEVICE)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let token = s.token(2, "2222").await;
    let list: Value = s
        .http
        .get(s.url("/api/v1/bookings"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["day"], "2025-03-03");
    let bookings = list["bookings"].as_array().unwrap();
    assert_eq!(bookings.len(), 2);
    assert_eq!(bookings[0]["code"], "BK-2001");
    assert_eq!(bookings[0]["masked_name"], "张*三");
    assert_eq!(bookings[0]["ticket"]["number"], "F001");
    assert_eq!(bookings[0]["ticket"]["status"], "waiting");
    assert_eq!(bookings[0]["ticket"]["check_in"], "on_time");
    assert_eq!(bookings[1]["ticket"], Value::Null);
    // The window's view marks the waiting appointment with its slot.
    let view: Value = s
        .http
        .get(s.url("/api/v1/windows/2"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let waiting = view["waiting"].as_array().unwrap();
    let f001 = waiting.iter().find(|t| t["number"] == "F001").unwrap();
    assert_eq!(f001["appointment"]["slot_start"], "2025-03-03T01:30:00Z");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_issues_at_the_counter_and_puts_a_no_show_back_in_the_queue() {
    let s = start().await;
    let token = s.token(3, "3333").await;
    // Notary needs the ID card: the number typed at the counter becomes the identity token.
    let resp = s
        .act(
            &token,
            3,
            "issue",
            json!({"service": "notary", "id_number": "11010519491231002X"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let t: Value = resp.json().await.unwrap();
    assert_eq!(t["number"], "D001");
    assert!(t["status_url"].as_str().unwrap().starts_with("/t/"));
    let resp = s
        .act(
            &token,
            3,
            "issue",
            json!({"service": "notary", "id_number": "11010519491231002X"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["code"],
        "already_active"
    );
    let resp = s
        .act(&token, 3, "issue", json!({"service": "notary"}))
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = s
        .act(
            &token,
            3,
            "issue",
            json!({"service": "reception", "priority": "elderly", "nope": 1}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // Another window's session cannot act for window 3.
    let other = s.token(1, "1111").await;
    let resp = s
        .act(&other, 3, "issue", json!({"service": "reception"}))
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // Called, absent, back in the queue once, then refused.
    let called: Value = s
        .act(&token, 3, "call-next", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(called["number"], "D001");
    s.act(&token, 3, "no-show", json!({})).await;
    let resp = s.act(&token, 3, "return", json!({"number": "D001"})).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let back: Value = resp.json().await.unwrap();
    assert_eq!(
        (&back["status"], &back["returns"]),
        (&json!("waiting"), &json!(1))
    );
    s.act(&token, 3, "call-next", json!({})).await;
    s.act(&token, 3, "no-show", json!({})).await;
    let resp = s.act(&token, 3, "return", json!({"number": "D001"})).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["code"], "return_limit");
    assert!(err["error"].as_str().unwrap().contains("回队"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_member_on_duty_is_in_the_window_status_and_the_completed_event() {
    let s = start().await;
    let mut events = s.engine.subscribe();
    let token = s.token(3, "3333").await;
    let queue: Value = s
        .http
        .get(s.url("/api/v1/queue"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let w3 = queue["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == 3)
        .unwrap();
    assert_eq!(w3["staff"], json!({"name": "张明", "staff_id": "QJ-0301"}));
    // Window 1's login names nobody.
    s.token(1, "1111").await;
    s.act(&token, 3, "issue", json!({"service": "reception"}))
        .await;
    s.act(&token, 3, "call-next", json!({})).await;
    s.act(&token, 3, "complete", json!({"outcome": "answered"}))
        .await;
    let mut completed = None;
    let mut opened = Vec::new();
    while let Ok(e) = events.try_recv() {
        match e.payload {
            EventPayload::Completed {
                staff,
                number,
                window,
                service,
                ..
            } => {
                completed = Some((staff, number, window, service));
            }
            EventPayload::WindowOpened { window, staff } => opened.push((window, staff)),
            _ => {}
        }
    }
    let (staff, number, window, service) = completed.unwrap();
    assert_eq!(
        (
            staff.unwrap().staff_id.as_str(),
            number.as_str(),
            window,
            service.as_str()
        ),
        ("QJ-0301", "A001", 3, "reception")
    );
    assert_eq!(opened.len(), 2);
    assert_eq!(opened[0].1.as_ref().unwrap().name, "张明");
    assert_eq!(opened[1], (1, None));
    // Logging out closes the window: nobody is on duty there.
    s.http
        .post(s.url("/api/v1/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let snapshot = s.engine.snapshot().unwrap();
    assert!(snapshot.windows.iter().all(|w| w.staff.is_none()));
}
