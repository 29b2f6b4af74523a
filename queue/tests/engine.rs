//! Queue engine rules on a real SQLite file, with an injected clock.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use futures_util::StreamExt;
use queue::{
    EventAudience, EventPayload, IdentityToken, IssueRequest, ManualClock, PriorityKind,
    QueueConfig, QueueEngine, QueueError, QueuePosition, ServiceState, TicketStatus,
    event_stream_for,
};

/// Monday 2025-03-03 09:30 in Chongqing (UTC+8).
fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 1, 30, 0).unwrap()
}

struct Fixture {
    dir: tempfile::TempDir,
    clock: ManualClock,
    config: QueueConfig,
}

impl Fixture {
    fn new(config: QueueConfig) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            clock: ManualClock::new(monday_morning()),
            config,
        }
    }

    fn open(&self) -> QueueEngine {
        QueueEngine::open(
            &self.dir.path().join("queue.sqlite3"),
            self.config.clone(),
            Arc::new(self.clock.clone()),
            "http://host:8080",
        )
        .unwrap()
    }
}

fn normal(service: &str) -> IssueRequest {
    IssueRequest::new(service)
}

fn priority(service: &str) -> IssueRequest {
    IssueRequest {
        priority: PriorityKind::Elderly,
        ..IssueRequest::new(service)
    }
}

fn issue(e: &QueueEngine, req: &IssueRequest) -> String {
    e.issue(req, "kiosk-1").unwrap().ticket.number
}

#[test]
fn numbers_are_sequential_per_service_and_survive_a_restart() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    assert_eq!(issue(&e, &normal("reception")), "A001");
    assert_eq!(issue(&e, &normal("reception")), "A002");
    assert_eq!(issue(&e, &normal("consultation")), "B001");
    drop(e);
    let e = f.open();
    assert_eq!(issue(&e, &normal("reception")), "A003");
    let t = e.issue(&normal("reception"), "kiosk-1").unwrap().ticket;
    assert_eq!(t.ahead, 3);
    assert!(t.status_url.starts_with("http://host:8080/t/"));
    assert_eq!(t.status_url.len(), "http://host:8080/t/".len() + 32);
}

#[test]
fn daily_reset_restarts_numbering_keeps_history_and_ignores_a_clock_going_back() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let first_day = e.current_day().unwrap();
    issue(&e, &normal("reception"));
    issue(&e, &normal("reception"));
    // Next morning, after a restart.
    drop(e);
    f.clock.advance(Duration::days(1));
    let e = f.open();
    assert_eq!(issue(&e, &normal("reception")), "A001");
    let old = e.tickets_of_day(first_day).unwrap();
    assert_eq!(old.len(), 2, "history is kept");
    assert!(old.iter().all(|t| t.status == TicketStatus::Cancelled));
    let resets: Vec<_> = e
        .events_after(0, 1000)
        .unwrap()
        .into_iter()
        .filter_map(|ev| match ev.payload {
            EventPayload::DayReset { from, cancelled } => Some((from, cancelled)),
            _ => None,
        })
        .collect();
    // The log keeps today only: the first day's events (its own reset included) are gone.
    assert_eq!(resets, [(Some(first_day), 2)]);
    // The clock jumps back to yesterday: the day does not go back, numbers are not reused.
    f.clock.advance(Duration::days(-1));
    assert_eq!(issue(&e, &normal("reception")), "A002");
    assert_eq!(e.current_day().unwrap(), first_day.succ_opt().unwrap());
}

#[test]
fn reset_time_decides_the_business_day() {
    let mut config = QueueConfig {
        reset_time: "03:00".parse().unwrap(),
        ..QueueConfig::default()
    };
    for s in &mut config.services {
        s.hours.clear();
        s.days = vec![1, 2, 3, 4, 5, 6, 7];
    }
    let f = Fixture::new(config);
    let e = f.open();
    issue(&e, &normal("reception"));
    // 02:59 local the next night still belongs to the same business day.
    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 3, 18, 59, 0).unwrap());
    assert_eq!(issue(&e, &normal("reception")), "A002");
    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 3, 19, 0, 0).unwrap());
    assert_eq!(issue(&e, &normal("reception")), "A001");
}

#[test]
fn fairness_bounds_priority_streaks_and_normal_waits() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    // reception is served first by window 1.
    let n1 = issue(&e, &normal("reception"));
    let p1 = issue(&e, &priority("reception"));
    let p2 = issue(&e, &priority("reception"));
    let p3 = issue(&e, &priority("reception"));
    let n2 = issue(&e, &normal("reception"));
    let mut order = Vec::new();
    for _ in 0..5 {
        let t = e.call_next(1).unwrap().unwrap();
        order.push(t.number);
        e.complete(1, "answered").unwrap();
    }
    // Two priority calls in a row at most, then a normal ticket.
    assert_eq!(order, [p1, p2, n1, p3, n2]);
    assert_eq!(e.call_next(1).unwrap(), None);

    // A normal ticket that waited 30 minutes goes before a fresh priority ticket.
    let old = issue(&e, &normal("reception"));
    f.clock.advance(Duration::minutes(30));
    issue(&e, &priority("reception"));
    assert_eq!(e.call_next(1).unwrap().unwrap().number, old);
}

#[test]
fn one_active_ticket_per_person_and_service() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let me = e.identity_token("990101198001019991").unwrap();
    let with_id = |service: &str| IssueRequest {
        identity: Some(me.clone()),
        ..IssueRequest::new(service)
    };
    let first = e.issue(&with_id("legal_aid"), "kiosk-1").unwrap().ticket;
    match e.issue(&with_id("legal_aid"), "kiosk-1") {
        Err(QueueError::AlreadyActive { number, .. }) => assert_eq!(number, first.number),
        other => panic!("expected AlreadyActive, got {other:?}"),
    }
    // Another service is fine; the lookup finds the active ticket.
    e.issue(&with_id("notary"), "kiosk-1").unwrap();
    assert_eq!(
        e.find_active_for_device(&me, "legal_aid", "kiosk-1")
            .unwrap()
            .unwrap()
            .number,
        first.number
    );
    // Notarisation requires the card; legal aid does not (proxies, minors and people with only a
    // household register apply too): a ticket without a card is issued and matches nobody.
    assert!(matches!(
        e.issue(&normal("notary"), "kiosk-1"),
        Err(QueueError::IdentityRequired(_))
    ));
    let proxy = e.issue(&normal("legal_aid"), "kiosk-1").unwrap().ticket;
    assert_ne!(proxy.number, first.number);
    // Once served, the person may take a new ticket.
    e.call_next(3).unwrap().unwrap();
    e.complete(3, "accepted").unwrap();
    assert!(
        e.find_active_for_device(&me, "legal_aid", "kiosk-1")
            .unwrap()
            .is_none()
    );
    e.issue(&with_id("legal_aid"), "kiosk-1").unwrap();
    // The token never equals anything derived without the salt.
    let unsalted = IdentityToken::derive("", "990101198001019991").unwrap();
    assert_ne!(me, unsalted);
}

#[test]
fn recall_is_bounded_then_no_show_and_late_arrival_can_be_called() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let n = issue(&e, &normal("reception"));
    e.call_next(1).unwrap().unwrap();
    assert_eq!(e.recall(1).unwrap().recalls, 1);
    assert_eq!(e.recall(1).unwrap().recalls, 2);
    let t = e.recall(1).unwrap();
    assert_eq!(t.status, TicketStatus::NoShow);
    // Within the tolerance the citizen can still be called by number.
    f.clock.advance(Duration::minutes(10));
    let t = e.call_number(1, &n).unwrap();
    assert_eq!(t.status, TicketStatus::Called);
    e.no_show(1).unwrap();
    f.clock.advance(Duration::minutes(16));
    assert!(matches!(e.call_number(1, &n), Err(QueueError::Conflict(_))));

    let f = Fixture::new(QueueConfig {
        no_show_after_max_recalls: false,
        max_recalls: 0,
        ..QueueConfig::default()
    });
    let e = f.open();
    issue(&e, &normal("reception"));
    e.call_next(1).unwrap().unwrap();
    assert!(matches!(e.recall(1), Err(QueueError::RecallLimit { .. })));
}

#[test]
fn call_out_of_order_hold_resume_and_window_rules() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    issue(&e, &normal("reception"));
    let second = issue(&e, &normal("reception"));
    let b = issue(&e, &normal("consultation"));
    let t = e.call_number(1, &second).unwrap();
    assert_eq!((t.number.as_str(), t.window), (second.as_str(), Some(1)));
    // Busy window: finish first.
    assert!(matches!(e.call_next(1), Err(QueueError::Conflict(_))));
    e.start(1).unwrap();
    e.hold(1).unwrap();
    // The window is free while its ticket is held.
    let t = e.call_next(1).unwrap().unwrap();
    assert_eq!(t.number, "A001");
    assert!(matches!(e.resume(1, None), Err(QueueError::Conflict(_))));
    e.complete(1, "answered").unwrap();
    let t = e.resume(1, None).unwrap();
    assert_eq!(
        (t.number.as_str(), t.status),
        (second.as_str(), TicketStatus::Serving)
    );
    e.complete(1, "answered").unwrap();
    // Window 4 does not serve consultation.
    assert!(matches!(e.call_number(4, &b), Err(QueueError::Conflict(_))));
    assert!(matches!(
        e.call_next(99),
        Err(QueueError::UnknownWindow(99))
    ));
    assert!(matches!(
        e.call_number(1, "A1; DROP TABLE tickets"),
        Err(QueueError::Invalid { .. })
    ));
    // Outcome codes are checked against the service.
    let me = e.identity_token("990101198001019991").unwrap();
    e.issue(
        &IssueRequest {
            identity: Some(me),
            ..IssueRequest::new("legal_aid")
        },
        "kiosk-1",
    )
    .unwrap();
    e.call_next(3).unwrap().unwrap();
    let err = e.complete(3, "answered_maybe").unwrap_err().to_string();
    assert!(err.contains("accepted"), "{err}");
}

#[test]
fn transfer_keeps_number_and_phone_page_at_front_or_back() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let waiting_b1 = issue(&e, &normal("consultation"));
    let waiting_b2 = issue(&e, &normal("consultation"));
    let a = e.issue(&normal("reception"), "kiosk-1").unwrap().ticket;
    let cap = a.status_url.rsplit('/').next().unwrap().to_owned();
    e.call_next(1).unwrap().unwrap();
    let moved = e.transfer(1, "consultation", QueuePosition::Front).unwrap();
    assert_eq!(
        (moved.number.as_str(), moved.status),
        (a.number.as_str(), TicketStatus::Waiting)
    );
    let status = e.phone_status(&cap).unwrap();
    assert_eq!(
        (status.number.as_str(), status.ahead),
        (a.number.as_str(), 0)
    );
    assert_eq!(status.service_name, "法律咨询");
    // Window 2 serves consultation first: the transferred ticket, then the others.
    assert_eq!(e.call_next(2).unwrap().unwrap().number, a.number);
    let back = e.transfer(2, "consultation", QueuePosition::Back).unwrap();
    assert_eq!(
        e.ticket_for_device(a.id, "kiosk-1").unwrap().id,
        back.id,
        "ticket() follows transfers"
    );
    let mut order = Vec::new();
    for _ in 0..3 {
        order.push(e.call_next(2).unwrap().unwrap().number);
        e.complete(2, "answered").unwrap();
    }
    assert_eq!(order, [waiting_b1, waiting_b2, a.number]);
}

#[test]
fn services_report_closed_full_and_honest_eta() {
    let mut config = QueueConfig::default();
    config.services[0].daily_cap = Some(2);
    let f = Fixture::new(config);
    let e = f.open();
    issue(&e, &normal("reception"));
    issue(&e, &normal("reception"));
    let s = &e.services().unwrap()[0];
    assert_eq!((s.state, s.waiting), (ServiceState::Full, 2));
    assert!(s.reason.as_deref().unwrap().contains("已满"));
    assert!(matches!(
        e.issue(&normal("reception"), "kiosk-1"),
        Err(QueueError::ServiceUnavailable { .. })
    ));
    // Lunch break: closed with the hours in the reason.
    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 3, 4, 30, 0).unwrap());
    let s = &e.services().unwrap()[1];
    assert_eq!(s.state, ServiceState::Closed);
    assert!(
        s.reason.as_deref().unwrap().contains("09:00-12:00"),
        "{:?}",
        s.reason
    );
    // Saturday: closed today.
    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 8, 2, 0, 0).unwrap());
    let s = &e.services().unwrap()[1];
    assert!(s.reason.as_deref().unwrap().contains("今日不办理"));

    // ETA: the configured guess first, observed times once enough are seen.
    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 10, 1, 30, 0).unwrap());
    let guess = e.services().unwrap()[1].eta_minutes; // consultation, 15 min guess, nobody waiting
    assert_eq!((guess.lo, guess.hi), (0, 15));
    for _ in 0..6 {
        issue(&e, &normal("consultation"));
    }
    for _ in 0..6 {
        e.call_next(2).unwrap().unwrap();
        f.clock.advance(Duration::minutes(4));
        e.complete(2, "answered").unwrap();
    }
    let eta = e.services().unwrap()[1].eta_minutes;
    assert_eq!(
        (eta.lo, eta.hi),
        (0, 4),
        "observed 4-minute services, window 2 open"
    );
    issue(&e, &normal("consultation"));
    issue(&e, &normal("consultation"));
    let eta = e.services().unwrap()[1].eta_minutes;
    assert_eq!((eta.lo, eta.hi), (8, 12));
}

#[test]
fn idempotency_key_returns_the_same_ticket() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let req = IssueRequest {
        idempotency_key: Some("retry-key-0001".into()),
        ..IssueRequest::new("reception")
    };
    let a = e.issue(&req, "kiosk-2").unwrap();
    let b = e.issue(&req, "kiosk-2").unwrap();
    assert!(!a.replayed && b.replayed);
    assert_eq!(a.ticket.id, b.ticket.id);
    // The same key from another device is another request.
    let c = e.issue(&req, "kiosk-3").unwrap();
    assert_ne!(c.ticket.id, a.ticket.id);
    let bad = IssueRequest {
        idempotency_key: Some("x".into()),
        ..IssueRequest::new("reception")
    };
    assert!(matches!(
        e.issue(&bad, "kiosk-2"),
        Err(QueueError::Invalid { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_stream_replays_from_the_log_then_follows_live() {
    let f = Fixture::new(QueueConfig::default());
    let e = Arc::new(f.open());
    issue(&e, &normal("reception"));
    issue(&e, &normal("reception"));
    let mut all = event_stream_for(Arc::clone(&e), EventAudience::Staff, Some(0))
        .await
        .unwrap();
    let mut kinds = Vec::new();
    let mut last = 0;
    for _ in 0..3 {
        let ev = tokio::time::timeout(std::time::Duration::from_secs(10), all.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(ev.seq > last);
        last = ev.seq;
        kinds.push(ev.payload.kind());
    }
    assert_eq!(kinds, ["day_reset", "issued", "issued"]);
    // Live events arrive in order, after more than the channel holds.
    let e2 = Arc::clone(&e);
    tokio::task::spawn_blocking(move || {
        for i in 0..1100 {
            let service = if i % 2 == 0 {
                "consultation"
            } else {
                "reception"
            };
            e2.issue(&IssueRequest::new(service), "kiosk-1").unwrap();
        }
    })
    .await
    .unwrap();
    for _ in 0..1100 {
        let ev = tokio::time::timeout(std::time::Duration::from_secs(10), all.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(ev.seq, last + 1, "no gap, no repeat");
        last = ev.seq;
    }
}
