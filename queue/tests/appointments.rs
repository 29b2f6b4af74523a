//! Appointment tickets on a real SQLite file with a manual clock: check-in (early, on time,
//! late), one number per booking code and day, the appointment fairness rule against walk-ins
//! and priority tickets, and the day's booked slots.

mod common;

use chrono::Duration;
use common::{Fixture, booking, check_in, elderly, issue, local, normal, serve_next};
use queue::{
    AppointmentConfig, BookedSlot, CheckIn, IssueRequest, QueueConfig, QueueError, TicketStatus,
};

fn config(max_in_a_row: u32, walk_in_max_wait_minutes: u32) -> QueueConfig {
    QueueConfig {
        appointments: AppointmentConfig {
            max_in_a_row,
            walk_in_max_wait_minutes,
            late_grace_minutes: 15,
        },
        ..QueueConfig::default()
    }
}

#[test]
fn due_appointments_go_ahead_of_walk_ins_until_a_walk_in_has_waited_long_enough() {
    let f = Fixture::new(config(2, 10));
    let e = f.open();
    // Window 2 serves consultation first. Two walk-ins, then four on-time check-ins.
    let b1 = issue(&e, &normal("consultation"));
    let b2 = issue(&e, &normal("consultation"));
    let apps: Vec<String> = (1..=4)
        .map(|i| {
            let c = check_in(&e, "consultation", &booking(&format!("BK-{i}"), 9, 30));
            assert_eq!(c.appointment.check_in, CheckIn::OnTime);
            assert!(c.appointment.precedence);
            assert_eq!(c.ticket.ahead, i - 1, "due appointments ahead of {i}");
            c.ticket.number
        })
        .collect();
    // Same numbering as the walk-ins.
    assert_eq!(apps, ["B003", "B004", "B005", "B006"]);
    // A walk-in has the due appointments ahead of it.
    let walk_in = e.issue(&normal("consultation"), "kiosk-1").unwrap().ticket;
    assert_eq!(walk_in.ahead, 2 + 4);

    let mut order = vec![serve_next(&e, 2).unwrap(), serve_next(&e, 2).unwrap()];
    // Two in a row, but no walk-in has waited 10 minutes: the appointments keep going.
    order.push(serve_next(&e, 2).unwrap());
    f.clock.advance(Duration::minutes(10));
    // Three in a row and b1 waited 10 minutes: b1 goes, which ends the streak.
    order.push(serve_next(&e, 2).unwrap());
    order.push(serve_next(&e, 2).unwrap());
    order.push(serve_next(&e, 2).unwrap());
    order.push(serve_next(&e, 2).unwrap());
    assert_eq!(
        order,
        [
            apps[0].clone(),
            apps[1].clone(),
            apps[2].clone(),
            b1,
            apps[3].clone(),
            b2,
            walk_in.number
        ]
    );
    assert_eq!(e.call_next(2).unwrap(), None);
}

#[test]
fn an_early_check_in_waits_for_its_slot_and_its_wait_is_the_slot() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let early = check_in(&e, "consultation", &booking("EARLY-1", 10, 0));
    assert_eq!(early.appointment.check_in, CheckIn::Early);
    assert_eq!(early.ticket.ahead, 0);
    assert_eq!(
        (early.ticket.eta_minutes.lo, early.ticket.eta_minutes.hi),
        (30, 30)
    );
    let walk_in = issue(&e, &normal("consultation"));
    // The walk-in is not behind an appointment whose slot has not started.
    let cap = e
        .check_in(
            &IssueRequest::new("consultation"),
            &booking("EARLY-1", 10, 0),
            "kiosk-1",
        )
        .unwrap()
        .ticket
        .status_url;
    assert!(cap.contains("/t/"));
    assert_eq!(serve_next(&e, 2).unwrap(), walk_in);
    assert_eq!(
        e.call_next(2).unwrap(),
        None,
        "not callable before its slot"
    );
    f.clock.advance(Duration::minutes(20));
    let phone = e.phone_status(cap.rsplit('/').next().unwrap()).unwrap();
    assert_eq!((phone.ahead, phone.eta_minutes.lo), (0, 10));
    f.clock.set(local(10, 0));
    assert_eq!(serve_next(&e, 2).unwrap(), early.ticket.number);
}

#[test]
fn a_late_check_in_is_an_ordinary_walk_in_ticket_and_says_so() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let walk_in = issue(&e, &normal("consultation"));
    // Slot 09:00, now 09:30: more than the 15 minutes of grace.
    let late = check_in(&e, "consultation", &booking("LATE-1", 9, 0));
    assert_eq!(late.appointment.check_in, CheckIn::Late);
    assert!(!late.appointment.precedence);
    assert_eq!(late.ticket.ahead, 1);
    let json = serde_json::to_value(&late).unwrap();
    assert_eq!(json["appointment"]["check_in"], "late");
    assert_eq!(json["number"], late.ticket.number.as_str());
    // Within the grace period it is on time.
    let on_time = check_in(&e, "consultation", &booking("ONTIME-1", 9, 15));
    assert_eq!(on_time.appointment.check_in, CheckIn::OnTime);
    assert_eq!(serve_next(&e, 2).unwrap(), on_time.ticket.number);
    assert_eq!(serve_next(&e, 2).unwrap(), walk_in);
    assert_eq!(serve_next(&e, 2).unwrap(), late.ticket.number);
}

#[test]
fn one_number_per_booking_code_and_day_also_after_a_restart() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let b = booking("BK-0001", 9, 30);
    let first = check_in(&e, "legal_aid", &b);
    assert!(!first.replayed);
    let again = check_in(&e, "legal_aid", &b);
    assert!(again.replayed);
    assert_eq!(again.ticket.number, first.ticket.number);
    assert_eq!(again.ticket.id, first.ticket.id);
    drop(e);
    let e = f.open();
    let after_restart = check_in(&e, "legal_aid", &b);
    assert!(after_restart.replayed);
    assert_eq!(after_restart.ticket.number, first.ticket.number);
    // No number was used by the repeats.
    assert_eq!(issue(&e, &normal("legal_aid")), "C002");
    // The same code for another service is refused, and a booking of another day too.
    assert!(matches!(
        e.check_in(&IssueRequest::new("consultation"), &b, "kiosk-1"),
        Err(QueueError::Conflict(_))
    ));
    let mut tomorrow = booking("BK-0002", 9, 30);
    tomorrow.slot_start += Duration::days(1);
    tomorrow.slot_end += Duration::days(1);
    assert!(matches!(
        e.check_in(&IssueRequest::new("legal_aid"), &tomorrow, "kiosk-1"),
        Err(QueueError::Conflict(_))
    ));
    let mut bad = booking("x", 9, 30);
    assert!(matches!(
        e.check_in(&IssueRequest::new("legal_aid"), &bad, "kiosk-1"),
        Err(QueueError::Invalid { field: "code", .. })
    ));
    bad.code = "BK-0003".into();
    bad.slot_end = bad.slot_start;
    assert!(matches!(
        e.check_in(&IssueRequest::new("legal_aid"), &bad, "kiosk-1"),
        Err(QueueError::Invalid {
            field: "slot_end",
            ..
        })
    ));
    // A transferred check-in is found where it is now, with the same number.
    e.call_next(3).unwrap().unwrap();
    let moved = e
        .transfer(3, "consultation", queue::QueuePosition::Back)
        .unwrap();
    let found = check_in(&e, "legal_aid", &b);
    assert_eq!(
        (
            found.ticket.id,
            found.ticket.number.as_str(),
            found.ticket.service.as_str()
        ),
        (moved.id, first.ticket.number.as_str(), "consultation")
    );
}

#[test]
fn a_check_in_before_opening_hours_is_issued_a_walk_in_is_not() {
    let f = Fixture::new(QueueConfig::default());
    f.clock.set(local(8, 50));
    let e = f.open();
    assert!(matches!(
        e.issue(&normal("consultation"), "kiosk-1"),
        Err(QueueError::ServiceUnavailable { .. })
    ));
    let c = check_in(&e, "consultation", &booking("BK-0900", 9, 0));
    assert_eq!(
        (c.ticket.number.as_str(), c.appointment.check_in),
        ("B001", CheckIn::Early)
    );
}

#[test]
fn appointments_go_before_priority_walk_ins_and_the_priority_rule_stays_among_walk_ins() {
    let f = Fixture::new(config(1, 0));
    let e = f.open();
    let n1 = issue(&e, &normal("consultation"));
    let p1 = issue(&e, &elderly("consultation"));
    let p2 = issue(&e, &elderly("consultation"));
    let p3 = issue(&e, &elderly("consultation"));
    let a1 = check_in(&e, "consultation", &booking("BK-A1", 9, 30))
        .ticket
        .number;
    let a2 = check_in(&e, "consultation", &booking("BK-A2", 9, 30))
        .ticket
        .number;
    // An elderly appointment holder is called by the appointment rule.
    let a3 = e
        .check_in(
            &elderly("consultation"),
            &booking("BK-A3", 9, 30),
            "kiosk-1",
        )
        .unwrap()
        .ticket
        .number;
    let order: Vec<String> = (0..7).map(|_| serve_next(&e, 2).unwrap()).collect();
    // One appointment, then a walk-in (the priority rule picks: p1), and so on; appointment calls
    // do not count in the priority streak, so after p1, p2 the normal n1 goes.
    assert_eq!(order, [a1, p1, a2, p2, a3, n1, p3]);
}

#[test]
fn the_days_booked_slots_are_stored_listed_with_check_in_state_and_erased_at_the_reset() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    let slot = |code: &str, h, m, name: &str| BookedSlot {
        code: code.into(),
        service: "mediation".into(),
        slot_start: local(h, m),
        slot_end: local(h, m) + Duration::minutes(30),
        masked_name: name.into(),
    };
    e.replace_bookings(&[slot("M-0002", 10, 0, "李*"), slot("M-0001", 9, 30, "张*三")])
        .unwrap();
    check_in(&e, "mediation", &booking("M-0001", 9, 30));
    drop(e);
    let e = f.open();
    let list = e.bookings().unwrap();
    let summary: Vec<_> = list
        .iter()
        .map(|b| {
            (
                b.slot.code.as_str(),
                b.slot.masked_name.as_str(),
                b.ticket
                    .as_ref()
                    .map(|t| (t.number.as_str(), t.status, t.check_in)),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "M-0001",
                "张*三",
                Some(("F001", TicketStatus::Waiting, CheckIn::OnTime))
            ),
            ("M-0002", "李*", None),
        ]
    );
    // Replace all: the new list is all there is. A bad entry refuses the whole list.
    e.replace_bookings(&[slot("M-0003", 11, 0, "王*五")])
        .unwrap();
    assert_eq!(e.bookings().unwrap().len(), 1);
    for bad in [
        slot("M-0004", 11, 0, "王五"),
        BookedSlot {
            service: "nope".into(),
            ..slot("M-0004", 11, 0, "王*")
        },
        BookedSlot {
            slot_start: local(11, 0) + Duration::days(1),
            slot_end: local(11, 30) + Duration::days(1),
            ..slot("M-0004", 11, 0, "王*")
        },
    ] {
        assert!(
            e.replace_bookings(&[slot("M-0005", 9, 0, "赵*"), bad])
                .is_err()
        );
    }
    assert_eq!(e.bookings().unwrap()[0].slot.code, "M-0003");
    f.clock.advance(Duration::days(1));
    assert!(e.bookings().unwrap().is_empty());
    drop(e);
    let raw = std::fs::read(f.path()).unwrap();
    let needle = "王*五".as_bytes();
    assert!(
        !raw.windows(needle.len()).any(|w| w == needle),
        "the masked name left the database file at the daily reset"
    );
}
