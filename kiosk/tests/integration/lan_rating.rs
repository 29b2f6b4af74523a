//! Ratings over the LAN against a real SQLite file and outbox: a rating pad's device token, bound
//! to window 3, follows that window's calls, starts and completions (not another window's) and
//! rates a ticket once; the phone status page offers the same rating once the ticket is completed.
//! Every accepted rating lands in the host's outbox under one key per ticket.

use std::{sync::Arc, time::Duration};

use chrono::{TimeZone, Utc};
use content::{ContentConfig, Outbox, OutboxPayload};
use futures_util::StreamExt as _;
use kiosk::lan::{LanService, demo_config, demo_pad_token};
use queue::{
    EventPayload, HttpQueueClient, ManualClock, QueueClient, QueueEngine, QueueError, QueueEvent,
    TicketId,
};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Server {
    base: String,
    outbox: Outbox,
    http: Client,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    // Monday 2025-03-03 09:30 in Chongqing.
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2025, 3, 3, 1, 30, 0).unwrap());
    let (queue, mut lan) = demo_config();
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
    let outbox = Outbox::open(dir.path(), &ContentConfig::default(), "kiosk-1").unwrap();
    engine.on_rated(kiosk::cli::kiosk::rating_sink(outbox.clone()));
    let service = LanService::new(Arc::clone(&engine), lan).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(service.serve(listener, async {
        let _ = stopped.await;
    }));
    Server {
        base,
        outbox,
        http: Client::new(),
        _dir: dir,
        _stop: stop,
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn login(&self, window: u32, pin: &str) -> String {
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

    async fn act(&self, token: &str, window: u32, action: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(self.url(&format!("/api/v1/windows/{window}/{action}")))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{action}: {}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    fn pad(&self, window: u32) -> HttpQueueClient {
        HttpQueueClient::new(&self.base, demo_pad_token(window), None).unwrap()
    }
}

/// Reads `events` until window 3's completion (or fails after 10 s of nothing).
async fn until_completed(events: &mut queue::EventStream) -> Vec<QueueEvent> {
    let mut seen = Vec::new();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("no event within 10 s")
            .expect("the stream ended")
            .expect("an event");
        let done = matches!(next.payload, EventPayload::Completed { window: 3, .. });
        seen.push(next);
        if done {
            return seen;
        }
    }
}

fn refused_with(err: &QueueError, want: u16) -> bool {
    matches!(err, QueueError::Refused { status, .. } if *status == want)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_pad_follows_its_window_and_rates_a_ticket_once() {
    let s = start().await;
    let (pad3, pad1) = (s.pad(3), s.pad(1));
    let mut events = pad3.subscribe(None).await.unwrap();
    let w3 = s.login(3, "3333").await;
    let w1 = s.login(1, "1111").await;
    // Window 1 serves someone first: its pad-3 view is the public call only.
    s.act(&w1, 1, "issue", json!({"service": "reception"}))
        .await;
    s.act(&w1, 1, "call-next", json!({})).await;
    s.act(&w1, 1, "start", json!({})).await;
    s.act(&w3, 3, "issue", json!({"service": "reception"}))
        .await;
    let called = s.act(&w3, 3, "call-next", json!({})).await;
    let ticket: TicketId = called["id"].as_i64().unwrap();
    s.act(&w3, 3, "start", json!({})).await;
    s.act(&w3, 3, "complete", json!({"outcome": "answered"}))
        .await;

    let seen = until_completed(&mut events).await;
    let mut at_3 = Vec::new();
    for e in &seen {
        match &e.payload {
            EventPayload::Called {
                ticket_id,
                service,
                window: 3,
                ..
            } => {
                assert_eq!((*ticket_id, service.as_str()), (ticket, "reception"));
                at_3.push("called");
            }
            EventPayload::Started {
                window: 3, staff, ..
            } => {
                assert_eq!(staff.as_ref().unwrap().name, "张明");
                at_3.push("started");
            }
            EventPayload::Completed {
                window: 3,
                outcome,
                staff,
                number,
                ..
            } => {
                assert_eq!((outcome.as_str(), number.as_str()), ("answered", "A002"));
                assert_eq!(staff.as_ref().unwrap().staff_id, "QJ-0301");
                at_3.push("completed");
            }
            EventPayload::Called {
                ticket_id,
                service,
                window: 1,
                ..
            } => assert_eq!((*ticket_id, service.as_str()), (0, ""), "public form"),
            EventPayload::Started { window: 1, .. } | EventPayload::Issued { .. } => {
                panic!("pad 3 saw {e:?}")
            }
            _ => {}
        }
    }
    assert_eq!(at_3, ["called", "started", "completed"]);

    // Window 1's pad may not rate window 3's ticket; a device without a window may not rate.
    let other = pad1.rate(ticket, 5, vec![]).await.unwrap_err();
    assert!(refused_with(&other, 404), "{other}");
    let kiosk = HttpQueueClient::new(&s.base, kiosk::lan::DEMO_DEVICE_TOKEN, None).unwrap();
    let unbound = kiosk.rate(ticket, 5, vec![]).await.unwrap_err();
    assert!(refused_with(&unbound, 403), "{unbound}");
    let bad = pad3.rate(ticket, 9, vec![]).await.unwrap_err();
    assert!(
        refused_with(&bad, 422) && bad.to_string().contains("score"),
        "{bad}"
    );

    let rating = pad3
        .rate(ticket, 2, vec!["long_wait".into()])
        .await
        .unwrap();
    assert_eq!(
        (rating.number.as_str(), rating.window, rating.score),
        ("A002", 3, 2)
    );
    let again = pad3.rate(ticket, 5, vec![]).await.unwrap_err();
    assert!(refused_with(&again, 409), "{again}");
    assert!(again.to_string().contains("已评价"), "{again}");

    // The host queued it once for the centre, with the staff member and the reasons.
    let item = s.outbox.item("rating:2025-03-03:A002").unwrap().unwrap();
    let OutboxPayload::Rating(sent) = item.message.payload else {
        panic!("{item:?}")
    };
    assert_eq!(sent.staff_name.as_deref(), Some("张明"));
    assert_eq!(sent.staff_id.as_deref(), Some("QJ-0301"));
    assert_eq!(sent.reasons, ["long_wait"]);
    assert_eq!(sent.source.as_deref(), Some("pad"));
    assert_eq!((sent.window, sent.score), (Some(3), 2));
    assert_eq!(s.outbox.pending_count().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_rates_a_completed_ticket_once() {
    let s = start().await;
    let resp = s
        .http
        .post(s.url("/api/v1/tickets"))
        .bearer_auth(kiosk::lan::DEMO_DEVICE_TOKEN)
        .json(&json!({"service": "reception"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let issued: Value = resp.json().await.unwrap();
    let cap = issued["status_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let status = |s: &Server| {
        let url = s.url(&format!("/api/v1/t/{cap}"));
        let http = s.http.clone();
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let rate = |s: &Server, body: Value| {
        let url = s.url(&format!("/api/v1/t/{cap}/rating"));
        let http = s.http.clone();
        async move { http.post(url).json(&body).send().await.unwrap().status() }
    };
    let before = status(&s).await;
    assert_eq!(
        (before["can_rate"].clone(), before["rated"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(rate(&s, json!({"score": 5})).await, StatusCode::CONFLICT);
    let w3 = s.login(3, "3333").await;
    s.act(&w3, 3, "call-next", json!({})).await;
    s.act(&w3, 3, "complete", json!({"outcome": "answered"}))
        .await;
    assert_eq!(status(&s).await["can_rate"], json!(true));
    assert_eq!(
        rate(&s, json!({"score": 1, "reasons": ["rude"]})).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        rate(&s, json!({"score": 1, "reasons": ["attitude"]})).await,
        StatusCode::CREATED
    );
    assert_eq!(rate(&s, json!({"score": 5})).await, StatusCode::CONFLICT);
    let after = status(&s).await;
    assert_eq!(
        (after["can_rate"].clone(), after["rated"].clone()),
        (json!(false), json!(true))
    );
    let item = s.outbox.item("rating:2025-03-03:A001").unwrap().unwrap();
    let OutboxPayload::Rating(sent) = item.message.payload else {
        panic!("{item:?}")
    };
    assert_eq!(
        (sent.source.as_deref(), sent.reasons.as_slice(), sent.score),
        (Some("phone"), &["attitude".to_owned()][..], 1)
    );
    // The page itself carries the rating form.
    let page = s
        .http
        .get(s.url(&format!("/t/{cap}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"rating\"") && page.contains("非常满意"),
        "{page}"
    );
}
