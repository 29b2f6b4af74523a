//! The window rating pad on Slint's testing backend: its real window and model fed with the queue
//! events of its window, touched by accessible label as a citizen would, on a manual monotonic clock.

use std::{cell::RefCell, rc::Rc, sync::Arc, time::Duration};

use chrono::{NaiveDate, TimeZone as _, Utc};
use clock::{ManualMonotonic, MonotonicClock as _};
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use kiosk::rating_pad::{
    RatingPad,
    model::{PadTimings, PhaseKind},
};
use queue::{EventPayload, QueueEvent, StaffOnDuty};
use slint::ComponentHandle as _;

fn event(seq: u64, payload: EventPayload) -> QueueEvent {
    QueueEvent {
        seq,
        at: Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0).unwrap(),
        day: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        payload,
    }
}

fn staff() -> StaffOnDuty {
    StaffOnDuty {
        name: "周敏".into(),
        staff_id: "QJ-0207".into(),
    }
}

fn served(pad: &Rc<RefCell<RatingPad>>, clock: &ManualMonotonic, id: i64, number: &str) {
    let now = clock.now();
    let mut pad = pad.borrow_mut();
    pad.on_event(
        &event(
            u64::try_from(id).unwrap() * 10,
            EventPayload::Started {
                ticket_id: id,
                number: number.into(),
                service: "legal_aid".into(),
                window: 2,
                staff: Some(staff()),
            },
        ),
        now,
    );
    pad.on_event(
        &event(
            u64::try_from(id).unwrap() * 10 + 1,
            EventPayload::Completed {
                ticket_id: id,
                number: number.into(),
                service: "legal_aid".into(),
                window: 2,
                outcome: "accepted".into(),
                staff: Some(staff()),
            },
        ),
        now,
    );
}

fn tap(pad: &Rc<RefCell<RatingPad>>, label: &str) {
    let window = pad.borrow().window().clone_strong();
    let found: Vec<_> = ElementHandle::find_by_accessible_label(&window, label)
        .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
        .collect();
    assert_eq!(found.len(), 1, "one button {label:?}");
    found[0].invoke_accessible_default_action();
}

fn start() -> (Rc<RefCell<RatingPad>>, ManualMonotonic) {
    i_slint_backend_testing::init_no_event_loop();
    let clock = ManualMonotonic::default();
    let pad = RatingPad::new(
        2,
        PadTimings {
            prompt_timeout: Duration::from_secs(30),
            thanks: Duration::from_secs(5),
        },
    )
    .unwrap();
    let pad = Rc::new(RefCell::new(pad));
    RatingPad::wire_touches(&pad, Arc::new(clock.clone()));
    pad.borrow_mut().on_event(
        &event(
            1,
            EventPayload::WindowOpened {
                window: 2,
                staff: Some(staff()),
            },
        ),
        clock.now(),
    );
    (pad, clock)
}

#[test]
fn a_completed_ticket_is_rated_once_by_tapping_a_face_and_a_reason() {
    let (pad, clock) = start();
    served(&pad, &clock, 7, "C007");
    assert_eq!(pad.borrow().model().kind(), PhaseKind::Prompt);
    tap(&pad, "不满意");
    assert_eq!(pad.borrow().model().kind(), PhaseKind::Reasons);
    tap(&pad, "等候时间长");
    tap(&pad, "提交");
    assert_eq!(pad.borrow().model().kind(), PhaseKind::Thanks);
    let submission = pad.borrow().due(clock.now()).expect("a rating to send");
    assert_eq!((submission.ticket, submission.score), (7, 2));
    assert_eq!(submission.reasons, ["long_wait"]);
    // Tapping again on the thank-you screen rates nothing more.
    assert!(
        ElementHandle::find_by_accessible_label(&pad.borrow().window().clone_strong(), "满意")
            .next()
            .is_none(),
        "no faces on the thank-you screen"
    );
    clock.advance(Duration::from_secs(6));
    let now = clock.now();
    pad.borrow_mut().tick(now);
    assert_eq!(pad.borrow().model().kind(), PhaseKind::Idle);
}

#[test]
fn an_unanswered_prompt_times_out_without_a_rating() {
    let (pad, clock) = start();
    served(&pad, &clock, 8, "C008");
    assert_eq!(pad.borrow().model().kind(), PhaseKind::Prompt);
    clock.advance(Duration::from_secs(31));
    let now = clock.now();
    pad.borrow_mut().tick(now);
    assert_eq!(pad.borrow().model().kind(), PhaseKind::Idle);
    assert!(pad.borrow().due(now).is_none(), "nothing to send");
    assert!(pad.borrow().pending().is_empty());
}
