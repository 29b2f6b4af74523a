//! Ratings of a visit: once per ticket, only after its completion today, with the staff member
//! who completed it, kept across a restart.

mod common;

use std::sync::{Arc, Mutex};

use chrono::Duration;
use common::{Fixture, issue, normal};
use queue::{
    ErrorKind, QueueConfig, QueueEngine, QueueError, RatingSource, StaffOnDuty, TicketId,
    TicketRating,
};

fn zhang() -> StaffOnDuty {
    StaffOnDuty {
        name: "张明".into(),
        staff_id: "QJ-0301".into(),
    }
}

/// Issues a legal-aid ticket, calls it at window 3 and completes it; its id.
fn served_at_3(e: &QueueEngine) -> TicketId {
    issue(e, &normal("legal_aid"));
    let t = e.call_next(3).unwrap().unwrap();
    e.start(3).unwrap();
    e.complete(3, "answered").unwrap();
    t.id
}

fn conflict(err: &QueueError) -> bool {
    err.kind() == ErrorKind::Conflict
}

#[test]
fn a_completed_ticket_is_rated_once_with_the_staff_member_who_served_it() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    e.open_window_as(3, Some(&zhang())).unwrap();
    let id = served_at_3(&e);
    // Another member of staff logs in before the citizen answers: the rating still names the one
    // who served.
    let li = StaffOnDuty {
        name: "李华".into(),
        staff_id: "QJ-0302".into(),
    };
    e.open_window_as(3, Some(&li)).unwrap();
    let told: Arc<Mutex<Vec<TicketRating>>> = Arc::default();
    let sink = Arc::clone(&told);
    e.on_rated(Arc::new(move |r| sink.lock().unwrap().push(r.clone())));

    let rating = e
        .rate_at_window(3, id, 2, &["long_wait".into(), "slow".into()])
        .unwrap();
    assert_eq!(rating.number, "C001");
    assert_eq!(rating.service, "legal_aid");
    assert_eq!(rating.window, 3);
    assert_eq!(rating.staff, Some(zhang()));
    assert_eq!(rating.reasons, ["long_wait", "slow"]);
    assert_eq!(rating.source, RatingSource::Pad);
    assert_eq!(*told.lock().unwrap(), std::slice::from_ref(&rating));

    // The second one, from anywhere, is refused, and nobody is told of it.
    let again = e.rate_ticket(id, 5, &[], RatingSource::Phone).unwrap_err();
    assert!(conflict(&again), "{again}");
    assert!(again.to_string().contains("该号已评价"), "{again}");
    assert_eq!(told.lock().unwrap().len(), 1);
    let day = e.current_day().unwrap();
    assert_eq!(e.ratings_of_day(day).unwrap(), [rating]);
}

#[test]
fn a_ticket_cannot_be_rated_before_its_completion_or_at_another_window() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    e.open_window_as(3, None).unwrap();
    issue(&e, &normal("legal_aid"));
    let t = e.call_next(3).unwrap().unwrap();
    let early = e
        .rate_ticket(t.id, 5, &[], RatingSource::Kiosk)
        .unwrap_err();
    assert!(
        conflict(&early) && early.to_string().contains("called"),
        "{early}"
    );
    e.start(3).unwrap();
    assert!(conflict(&e.rate_at_window(3, t.id, 5, &[]).unwrap_err()));
    e.complete(3, "answered").unwrap();
    // Window 1's pad cannot rate window 3's visit: to it, the ticket does not exist.
    let other = e.rate_at_window(1, t.id, 5, &[]).unwrap_err();
    assert_eq!(other.kind(), ErrorKind::NotFound, "{other}");
    let rating = e.rate_at_window(3, t.id, 4, &[]).unwrap();
    assert_eq!((rating.score, rating.staff), (4, None));
}

#[test]
fn a_no_show_or_a_cancelled_ticket_cannot_be_rated() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    e.open_window_as(3, None).unwrap();
    issue(&e, &normal("legal_aid"));
    let t = e.call_next(3).unwrap().unwrap();
    e.no_show(3).unwrap();
    let err = e
        .rate_ticket(t.id, 1, &[], RatingSource::Kiosk)
        .unwrap_err();
    assert!(
        conflict(&err) && err.to_string().contains("no_show"),
        "{err}"
    );
    let issued = e.issue(&normal("legal_aid"), "kiosk-1").unwrap().ticket;
    e.cancel_for_device(issued.id, "kiosk-1").unwrap();
    assert!(conflict(
        &e.rate_ticket(issued.id, 1, &[], RatingSource::Kiosk)
            .unwrap_err()
    ));
    assert!(matches!(
        e.rate_ticket(9999, 1, &[], RatingSource::Kiosk),
        Err(QueueError::TicketNotFound(_))
    ));
}

#[test]
fn a_bad_score_or_reason_is_refused_naming_the_field() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    e.open_window_as(3, None).unwrap();
    let id = served_at_3(&e);
    for (score, reasons, field) in [
        (0, vec![], "score"),
        (6, vec![], "score"),
        (2, vec!["rude".to_owned()], "reasons"),
        (2, vec!["slow".to_owned(), "slow".to_owned()], "reasons"),
    ] {
        match e.rate_ticket(id, score, &reasons, RatingSource::Pad) {
            Err(QueueError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{score} {reasons:?}: {other:?}"),
        }
    }
    // None of them counted: the ticket can still be rated.
    e.rate_ticket(id, 1, &["other".into()], RatingSource::Pad)
        .unwrap();
}

#[test]
fn the_rating_survives_a_restart_and_yesterdays_ticket_cannot_be_rated() {
    let f = Fixture::new(QueueConfig::default());
    let id = {
        let e = f.open();
        e.open_window_as(3, Some(&zhang())).unwrap();
        let id = served_at_3(&e);
        e.rate_at_window(3, id, 5, &[]).unwrap();
        id
    };
    let e = f.open();
    assert!(conflict(&e.rate_at_window(3, id, 1, &[]).unwrap_err()));
    let day = e.current_day().unwrap();
    let kept = e.ratings_of_day(day).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].score, kept[0].staff.clone()), (5, Some(zhang())));

    // A ticket completed yesterday and never rated stays unrated after the daily reset.
    e.open_window_as(3, None).unwrap();
    let late = served_at_3(&e);
    f.clock.advance(Duration::days(1));
    let err = e
        .rate_ticket(late, 3, &[], RatingSource::Kiosk)
        .unwrap_err();
    assert!(conflict(&err) && err.to_string().contains("today"), "{err}");
    // Yesterday's ratings are still there to be reported.
    assert_eq!(e.ratings_of_day(day).unwrap().len(), 1);
}

#[test]
fn the_phone_page_offers_the_rating_once_after_completion() {
    let f = Fixture::new(QueueConfig::default());
    let e = f.open();
    e.open_window_as(3, None).unwrap();
    let issued = e.issue(&normal("legal_aid"), "kiosk-1").unwrap().ticket;
    let cap = issued.status_url.rsplit('/').next().unwrap().to_owned();
    let before = e.phone_status(&cap).unwrap();
    assert!(!before.can_rate && !before.rated);
    assert!(conflict(&e.rate_by_capability(&cap, 5, &[]).unwrap_err()));
    e.call_next(3).unwrap().unwrap();
    e.complete(3, "answered").unwrap();
    let done = e.phone_status(&cap).unwrap();
    assert!(done.can_rate && !done.rated);
    let rating = e.rate_by_capability(&cap, 3, &[]).unwrap();
    assert_eq!(rating.source, RatingSource::Phone);
    let after = e.phone_status(&cap).unwrap();
    assert!(!after.can_rate && after.rated);
    // The pad comes second: refused.
    assert!(conflict(
        &e.rate_at_window(3, issued.id, 5, &[]).unwrap_err()
    ));
}
