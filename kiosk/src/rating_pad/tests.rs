//! The pad's state machine, driven with plain durations (no Slint, no clock).

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use queue::{EventPayload, QueueEvent, StaffOnDuty, WindowStatus};

use super::model::{
    PadModel, PadPhase, PadTimings, PendingRatings, PhaseKind, SendOutcome, Submission,
};

const W: u32 = 3;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn event(payload: EventPayload) -> QueueEvent {
    QueueEvent {
        seq: 1,
        at: Utc.with_ymd_and_hms(2025, 3, 3, 1, 30, 0).unwrap(),
        day: NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(),
        payload,
    }
}

fn zhang() -> StaffOnDuty {
    StaffOnDuty {
        name: "张明".into(),
        staff_id: "QJ-0301".into(),
    }
}

fn called(id: i64, number: &str, window: u32) -> QueueEvent {
    event(EventPayload::Called {
        ticket_id: id,
        number: number.into(),
        service: "legal_aid".into(),
        window,
        out_of_order: false,
    })
}

fn completed(id: i64, number: &str, window: u32) -> QueueEvent {
    event(EventPayload::Completed {
        ticket_id: id,
        number: number.into(),
        service: "legal_aid".into(),
        window,
        outcome: "answered".into(),
        staff: Some(zhang()),
    })
}

/// A pad at window 3 with staff on duty and ticket 7 (C007) completed at `at`.
fn prompted(at: Duration) -> PadModel {
    let mut pad = PadModel::new(W, PadTimings::default());
    pad.on_event(
        &event(EventPayload::WindowOpened {
            window: W,
            staff: Some(zhang()),
        }),
        secs(0),
    );
    pad.on_event(&called(7, "C007", W), secs(1));
    pad.on_event(&completed(7, "C007", W), at);
    pad
}

#[test]
fn a_visit_goes_idle_serving_prompt_thanks_idle() {
    let mut pad = PadModel::new(W, PadTimings::default());
    assert_eq!(pad.kind(), PhaseKind::Idle);
    pad.on_event(
        &event(EventPayload::WindowOpened {
            window: W,
            staff: Some(zhang()),
        }),
        secs(0),
    );
    assert!(pad.is_open());
    assert_eq!(pad.staff(), Some(&zhang()));
    pad.on_event(&called(7, "C007", W), secs(1));
    assert_eq!(pad.kind(), PhaseKind::Serving);
    assert_eq!(pad.ticket().unwrap().number, "C007");
    pad.on_event(&completed(7, "C007", W), secs(60));
    assert_eq!(pad.kind(), PhaseKind::Prompt);
    let sent = pad.choose_score(5, secs(61)).unwrap();
    assert_eq!(
        sent,
        Submission {
            ticket: 7,
            number: "C007".into(),
            score: 5,
            reasons: vec![]
        }
    );
    assert_eq!(pad.kind(), PhaseKind::Thanks);
    // A second touch on the thanks screen rates nothing.
    assert_eq!(pad.choose_score(1, secs(62)), None);
    assert_eq!(pad.tick(secs(65)), None);
    assert_eq!(pad.kind(), PhaseKind::Thanks);
    pad.tick(secs(66));
    assert_eq!(pad.kind(), PhaseKind::Idle);
    assert_eq!(pad.staff(), Some(&zhang()), "the window is still open");
}

#[test]
fn other_windows_change_nothing() {
    let mut pad = prompted(secs(10));
    pad.on_event(&called(8, "C008", 1), secs(11));
    pad.on_event(&completed(8, "C008", 1), secs(12));
    pad.on_event(&event(EventPayload::WindowClosed { window: 1 }), secs(12));
    assert_eq!(pad.kind(), PhaseKind::Prompt);
    assert_eq!(pad.ticket().unwrap().number, "C007");
}

#[test]
fn a_low_score_asks_for_reasons_which_are_optional() {
    let mut pad = prompted(secs(10));
    assert_eq!(pad.choose_score(2, secs(11)), None);
    assert_eq!(pad.kind(), PhaseKind::Reasons);
    pad.toggle_reason("slow", secs(12));
    pad.toggle_reason("long_wait", secs(12));
    pad.toggle_reason("attitude", secs(13));
    pad.toggle_reason("attitude", secs(13));
    pad.toggle_reason("made_up", secs(13));
    assert_eq!(pad.chosen(), ["long_wait", "slow"]);
    let sent = pad.finish_reasons(false, secs(14)).unwrap();
    assert_eq!(
        (sent.score, sent.reasons),
        (2, vec!["long_wait".into(), "slow".into()])
    );
    assert_eq!(pad.kind(), PhaseKind::Thanks);

    let mut pad = prompted(secs(10));
    pad.choose_score(1, secs(11));
    pad.toggle_reason("other", secs(12));
    let skipped = pad.finish_reasons(true, secs(13)).unwrap();
    assert_eq!((skipped.score, skipped.reasons.len()), (1, 0));
}

#[test]
fn an_unanswered_prompt_times_out_without_a_rating() {
    let mut pad = prompted(secs(100));
    assert_eq!(pad.tick(secs(129)), None);
    assert_eq!(pad.kind(), PhaseKind::Prompt);
    assert_eq!(pad.tick(secs(130)), None);
    assert_eq!(pad.kind(), PhaseKind::Idle);
    assert_eq!(pad.choose_score(5, secs(131)), None, "too late");
}

#[test]
fn reasons_left_alone_send_the_score_and_touches_keep_them_open() {
    let timings = PadTimings {
        prompt_timeout: secs(20),
        thanks: secs(5),
    };
    let mut pad = PadModel::new(W, timings);
    pad.on_event(&completed(7, "C007", W), secs(0));
    pad.choose_score(1, secs(5));
    pad.toggle_reason("slow", secs(20));
    assert_eq!(
        pad.tick(secs(39)),
        None,
        "the touch at 20 s restarted the wait"
    );
    let sent = pad.tick(secs(40)).unwrap();
    assert_eq!((sent.score, sent.reasons.len()), (1, 0));
    assert_eq!(pad.kind(), PhaseKind::Idle);
}

#[test]
fn a_new_call_replaces_an_unanswered_prompt() {
    let mut pad = prompted(secs(10));
    pad.on_event(&called(9, "C009", W), secs(15));
    assert_eq!(pad.kind(), PhaseKind::Serving);
    assert_eq!(pad.ticket().unwrap().number, "C009");
    assert_eq!(pad.choose_score(5, secs(16)), None);
}

#[test]
fn a_no_show_or_a_closed_window_ends_the_serving_screen() {
    let mut pad = PadModel::new(W, PadTimings::default());
    pad.on_event(&called(7, "C007", W), secs(1));
    pad.on_event(
        &event(EventPayload::NoShow {
            ticket_id: 7,
            number: "C007".into(),
            service: "legal_aid".into(),
            window: W,
        }),
        secs(2),
    );
    assert_eq!(pad.kind(), PhaseKind::Idle);
    // A rating under way survives the staff member logging out.
    let mut pad = prompted(secs(10));
    pad.on_event(&event(EventPayload::WindowClosed { window: W }), secs(11));
    assert!(!pad.is_open());
    assert_eq!(pad.kind(), PhaseKind::Prompt);
    assert!(pad.choose_score(4, secs(12)).is_some());
    pad.tick(secs(20));
    assert_eq!((pad.kind(), pad.staff()), (PhaseKind::Idle, None));
}

#[test]
fn the_snapshot_shows_the_staff_and_the_number_at_start() {
    let mut pad = PadModel::new(W, PadTimings::default());
    let status = WindowStatus {
        id: W,
        name: "3号窗口".into(),
        name_en: "Window 3".into(),
        open: true,
        serving: Some("C004".into()),
        services: vec!["legal_aid".into()],
        staff: Some(zhang()),
    };
    pad.sync(&status);
    assert_eq!(pad.kind(), PhaseKind::Serving);
    assert_eq!(pad.ticket().unwrap().id, 0, "only the number is known");
    assert_eq!(pad.staff(), Some(&zhang()));
    // Another window's status is ignored.
    pad.sync(&WindowStatus {
        id: 1,
        serving: None,
        ..status.clone()
    });
    assert_eq!(pad.kind(), PhaseKind::Serving);
    pad.sync(&WindowStatus {
        serving: None,
        ..status
    });
    assert_eq!(*pad.phase(), PadPhase::Idle);
}

#[test]
fn pending_ratings_retry_with_a_growing_pause_and_never_after_an_answer() {
    let mut p = PendingRatings::default();
    let s = |ticket| Submission {
        ticket,
        number: format!("C{ticket:03}"),
        score: 4,
        reasons: vec![],
    };
    p.push(s(1), secs(0));
    p.push(s(1), secs(0));
    assert_eq!(p.len(), 1, "the same ticket once");
    assert_eq!(p.due(secs(0)).unwrap().ticket, 1);
    p.answered(SendOutcome::Unreachable, secs(0));
    assert!(p.due(secs(1)).is_none());
    assert!(p.due(secs(2)).is_some());
    p.answered(SendOutcome::Unreachable, secs(2));
    assert!(p.due(secs(5)).is_none());
    assert!(p.due(secs(6)).is_some());
    for _ in 0..10 {
        p.answered(SendOutcome::Unreachable, secs(6));
    }
    assert!(p.due(secs(65)).is_none());
    assert!(p.due(secs(66)).is_some(), "at most a minute apart");
    // The host's conflict (already rated) ends it like an acceptance.
    p.answered(SendOutcome::Refused, secs(66));
    assert!(p.is_empty());
    assert!(p.due(secs(100)).is_none());
    // Bounded: the oldest goes.
    for t in 1..=PendingRatings::CAPACITY as i64 {
        assert_eq!(p.push(s(t), secs(100)), None);
    }
    let dropped = p.push(s(99), secs(100)).unwrap();
    assert_eq!(dropped.ticket, 1);
    assert_eq!(p.len(), PendingRatings::CAPACITY);
}
