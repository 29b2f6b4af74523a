//! What window staff do beyond calling, on a real SQLite file with a manual clock: a transfer
//! keeps the printed number everywhere, a no-show goes back in the queue (回队), a ticket is
//! issued at the counter, and the staff member on duty is named in the window's status and in
//! the serve events.

mod common;

use chrono::Duration;
use common::{Fixture, elderly, issue, normal, serve_next};
use queue::{
    EventAudience, EventPayload, PriorityKind, QueueConfig, QueueError, QueuePosition, StaffOnDuty,
    TicketStatus,
    engine::{CounterIssue, counter_device},
};
use zeroize::Zeroizing;

#[test]
fn a_transfer_keeps_the_printed_number_on_every_screen_and_in_the_figures() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let mut events = e.subscribe();
    let a = e.issue(&normal("reception"), "kiosk-1").unwrap().ticket;
    let cap = a.status_url.rsplit('/').next().unwrap().to_owned();
    e.call_next(1).unwrap().unwrap();
    e.start(1).unwrap();
    let moved = e.transfer(1, "legal_aid", QueuePosition::Back).unwrap();
    assert_eq!(moved.number, a.number);
    // No number of the target service was used: its next one is still C001.
    assert_eq!(issue(&e, &normal("legal_aid")), "C001");
    // The phone page follows, with the new service.
    let phone = e.phone_status(&cap).unwrap();
    assert_eq!(
        (
            phone.number.as_str(),
            phone.service_name.as_str(),
            phone.ahead
        ),
        (a.number.as_str(), "法律援助", 0)
    );
    // Window 3 calls it by the number the citizen holds; the hall shows that number.
    let called = e.call_number(3, &a.number).unwrap();
    assert_eq!(called.number, a.number);
    let hall = e.snapshot().unwrap();
    let w3 = hall.windows.iter().find(|w| w.id == 3).unwrap();
    assert_eq!(w3.serving.as_deref(), Some(a.number.as_str()));
    e.complete(3, "answered").unwrap();
    // Events name the same number, the public call included.
    let mut numbers = Vec::new();
    while let Ok(ev) = events.try_recv() {
        match &ev.payload {
            EventPayload::Transferred { number, .. } | EventPayload::Completed { number, .. } => {
                numbers.push(number.clone());
            }
            EventPayload::Called { .. } => {
                let public = EventAudience::Public.project(&ev).unwrap();
                if let EventPayload::Called { number, window, .. } = public.payload {
                    numbers.push(format!("{number}@{window}"));
                }
            }
            _ => {}
        }
    }
    assert_eq!(
        numbers,
        [
            format!("{}@1", a.number),
            a.number.clone(),
            format!("{}@3", a.number),
            a.number.clone()
        ]
    );
    // Figures: one number issued (reception), one visit served in each service.
    let stats = e.day_stats(e.current_day().unwrap()).unwrap();
    let of = |s: &str| stats.iter().find(|x| x.service == s).unwrap();
    assert_eq!((of("reception").issued, of("reception").served), (1, 1));
    assert_eq!((of("legal_aid").issued, of("legal_aid").served), (1, 1));
}

#[test]
fn a_no_show_goes_back_in_the_queue_behind_two_of_its_class_a_bounded_number_of_times() {
    let f = Fixture::new(QueueConfig {
        max_returns: 1,
        return_behind: 2,
        ..QueueConfig::default()
    });
    let e = f.open();
    let absent = issue(&e, &normal("consultation"));
    let others: Vec<String> = (0..3).map(|_| issue(&e, &normal("consultation"))).collect();
    let old = issue(&e, &elderly("consultation"));
    e.call_next(2).unwrap().unwrap(); // the elderly ticket first
    e.complete(2, "answered").unwrap();
    assert_eq!(e.call_next(2).unwrap().unwrap().number, absent);
    let t = e.no_show(2).unwrap();
    assert_eq!(t.status, TicketStatus::NoShow);
    f.clock.advance(Duration::minutes(40));
    // Back in, behind the first two waiting normal tickets, with its number.
    let back = e.return_to_queue(2, &absent).unwrap();
    assert_eq!(
        (back.number.as_str(), back.status, back.returns, back.window),
        (absent.as_str(), TicketStatus::Waiting, 1, None)
    );
    let view = e.window_view(2).unwrap();
    let waiting: Vec<&str> = view.waiting.iter().map(|b| b.number.as_str()).collect();
    assert_eq!(
        &waiting[..4],
        [
            others[0].as_str(),
            others[1].as_str(),
            absent.as_str(),
            others[2].as_str()
        ]
    );
    assert_eq!(view.waiting[2].returns, 1);
    let order: Vec<String> = (0..4).map(|_| serve_next(&e, 2).unwrap()).collect();
    assert_eq!(
        order[..3],
        [others[0].clone(), others[1].clone(), absent.clone()]
    );
    let _ = old;
    // Called again and absent again: the limit (one return) refuses clearly.
    let again = issue(&e, &normal("consultation"));
    e.call_number(2, &again).unwrap();
    e.no_show(2).unwrap();
    e.return_to_queue(2, &again).unwrap();
    e.call_number(2, &again).unwrap();
    let err = e.return_to_queue(2, &again).unwrap_err();
    assert!(
        matches!(err, QueueError::ReturnLimit { returns: 1, .. }),
        "{err}"
    );
    assert_eq!(err.code(), "return_limit");
    assert!(err.to_string().contains("回队"), "{err}");
    // The window's own called ticket may go back at once; a waiting one may not; another
    // window's service may not.
    e.no_show(2).unwrap();
    let fresh = issue(&e, &normal("consultation"));
    assert!(matches!(
        e.return_to_queue(2, &fresh),
        Err(QueueError::Conflict(_))
    ));
    let c = issue(&e, &normal("legal_aid"));
    e.call_next(3).unwrap().unwrap();
    e.no_show(3).unwrap();
    assert!(matches!(
        e.return_to_queue(2, &c),
        Err(QueueError::Conflict(_))
    ));
    let called = e.call_next(2).unwrap().unwrap();
    let back = e.return_to_queue(2, &called.number).unwrap();
    assert_eq!(back.status, TicketStatus::Waiting);
    assert!(
        e.window_view(2).unwrap().current.is_none(),
        "the window is free"
    );
    // Returns off: refused.
    let f = Fixture::new(QueueConfig {
        max_returns: 0,
        ..QueueConfig::default()
    });
    let e = f.open();
    let n = issue(&e, &normal("consultation"));
    e.call_next(2).unwrap().unwrap();
    e.no_show(2).unwrap();
    assert!(matches!(
        e.return_to_queue(2, &n),
        Err(QueueError::ReturnLimit { returns: 0, .. })
    ));
}

#[test]
fn an_appointment_put_back_in_the_queue_waits_as_a_walk_in() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let app = common::check_in(&e, "consultation", &common::booking("BK-R1", 9, 30));
    assert_eq!(e.call_next(2).unwrap().unwrap().number, app.ticket.number);
    e.no_show(2).unwrap();
    let walk_in = issue(&e, &normal("consultation"));
    let back = e.return_to_queue(2, &app.ticket.number).unwrap();
    let a = back.appointment.unwrap();
    assert!(!a.precedence);
    assert_eq!(a.code, "BK-R1");
    assert_eq!(serve_next(&e, 2).unwrap(), walk_in);
    assert_eq!(serve_next(&e, 2).unwrap(), app.ticket.number);
}

#[test]
fn a_window_issues_a_ticket_at_the_counter_with_or_without_an_id_number() {
    let f = Fixture::new(QueueConfig {
        identity_salt: Some("site-salt-0001".into()),
        ..QueueConfig::default()
    });
    let e = f.open();
    let id_number = "11010519491231002X";
    let with_id = |service: &str| CounterIssue {
        service: service.into(),
        priority: PriorityKind::Elderly,
        id_number: Some(Zeroizing::new(id_number.to_owned())),
        idempotency_key: None,
    };
    let t = e.issue_at_window(4, &with_id("notary")).unwrap().ticket;
    assert_eq!(
        (t.number.as_str(), t.priority),
        ("D001", PriorityKind::Elderly)
    );
    // The same person cannot hold two notary tickets, whether from the counter or the kiosk.
    assert!(matches!(
        e.issue_at_window(4, &with_id("notary")),
        Err(QueueError::AlreadyActive { .. })
    ));
    let token = e.identity_token(id_number).unwrap();
    let at_kiosk = queue::IssueRequest {
        identity: Some(token),
        ..queue::IssueRequest::new("notary")
    };
    assert!(matches!(
        e.issue(&at_kiosk, "kiosk-1"),
        Err(QueueError::AlreadyActiveElsewhere { .. })
    ));
    // Notary requires the ID: without it, refused; a malformed number is named.
    let without = CounterIssue {
        service: "notary".into(),
        ..CounterIssue::default()
    };
    assert!(matches!(
        e.issue_at_window(4, &without),
        Err(QueueError::IdentityRequired(_))
    ));
    let typo = CounterIssue {
        id_number: Some(Zeroizing::new("1101051949".into())),
        ..without.clone()
    };
    assert!(matches!(
        e.issue_at_window(4, &typo),
        Err(QueueError::Invalid {
            field: "id_number",
            ..
        })
    ));
    // Without an ID number, for a service that does not need it; a retry key is honoured.
    let plain = CounterIssue {
        service: "reception".into(),
        idempotency_key: Some("counter-key-0001".into()),
        ..CounterIssue::default()
    };
    let first = e.issue_at_window(4, &plain).unwrap();
    let again = e.issue_at_window(4, &plain).unwrap();
    assert!(again.replayed && !first.replayed);
    assert_eq!(first.ticket.number, again.ticket.number);
    let rows = e.tickets_of_day(e.current_day().unwrap()).unwrap();
    assert!(rows.iter().all(|t| t.issued_by == counter_device(4)));
    assert_eq!(counter_device(4), "window-4");
    assert!(matches!(
        e.issue_at_window(99, &plain),
        Err(QueueError::UnknownWindow(99))
    ));
    drop(e);
    // The ID number itself is never stored.
    for suffix in ["", "-wal"] {
        let mut path = f.path().into_os_string();
        path.push(suffix);
        let raw = std::fs::read(&path).unwrap_or_default();
        assert!(
            !raw.windows(id_number.len())
                .any(|w| w == id_number.as_bytes()),
            "the ID number is in queue.sqlite3{suffix}"
        );
    }
}

#[test]
fn the_staff_member_on_duty_is_in_the_window_status_and_the_serve_events() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let zhang = StaffOnDuty {
        name: "张明".into(),
        staff_id: "QJ-0301".into(),
    };
    e.open_window_as(3, Some(&zhang)).unwrap();
    let mut events = e.subscribe();
    let snapshot = e.snapshot().unwrap();
    let w3 = snapshot.windows.iter().find(|w| w.id == 3).unwrap();
    assert_eq!(w3.staff.as_ref(), Some(&zhang));
    let json = serde_json::to_value(w3).unwrap();
    assert_eq!(json["staff"]["staff_id"], "QJ-0301");
    issue(&e, &normal("legal_aid"));
    e.call_next(3).unwrap().unwrap();
    e.start(3).unwrap();
    e.complete(3, "answered").unwrap();
    let mut named = Vec::new();
    while let Ok(ev) = events.try_recv() {
        match ev.payload {
            EventPayload::Started { staff, .. } => named.push(("started", staff)),
            EventPayload::Completed {
                staff,
                ticket_id,
                window,
                service,
                ..
            } => {
                assert!(ticket_id > 0 && window == 3 && service == "legal_aid");
                named.push(("completed", staff));
            }
            _ => {}
        }
    }
    assert_eq!(
        named,
        [
            ("started", Some(zhang.clone())),
            ("completed", Some(zhang.clone()))
        ]
    );
    // Kept across a restart (the window stays open), changed by another login, gone at logout.
    drop(e);
    let e = f.open();
    let staff_of = |e: &queue::QueueEngine| {
        e.snapshot()
            .unwrap()
            .windows
            .into_iter()
            .find(|w| w.id == 3)
            .unwrap()
            .staff
    };
    assert_eq!(staff_of(&e), Some(zhang));
    let li = StaffOnDuty {
        name: "李华".into(),
        staff_id: "QJ-0302".into(),
    };
    e.open_window_as(3, Some(&li)).unwrap();
    assert_eq!(staff_of(&e), Some(li));
    e.close_window(3).unwrap();
    assert_eq!(staff_of(&e), None);
    e.open_window(3).unwrap();
    assert_eq!(staff_of(&e), None);
}
