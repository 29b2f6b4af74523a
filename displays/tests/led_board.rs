//! The call board with an injected clock: calls in turn, recalls highlighted again, back to idle.

use std::time::Duration;

use displays::led::{Announcement, BoardState, BoardTiming, CallBoard};

fn s(secs: f64) -> Duration {
    Duration::from_secs_f64(secs)
}

fn timing() -> BoardTiming {
    BoardTiming {
        hold: s(10.0),
        turn: s(4.0),
        highlight: s(3.0),
    }
}

fn on_show(board: &mut CallBoard, at: f64) -> Option<(String, u32, bool, bool)> {
    match board.state(s(at)) {
        BoardState::Calling {
            call, highlighted, ..
        } => Some((call.ticket, call.window, call.recall, highlighted)),
        BoardState::Idle { .. } => None,
    }
}

#[test]
fn a_call_is_highlighted_then_held_then_the_board_goes_idle() {
    let mut board = CallBoard::new(timing(), s(0.0));
    assert_eq!(board.state(s(5.0)), BoardState::Idle { elapsed: s(5.0) });
    board.push(Announcement::call("A012", 3), s(100.0));
    assert_eq!(
        on_show(&mut board, 100.0),
        Some(("A012".into(), 3, false, true))
    );
    assert_eq!(
        on_show(&mut board, 102.9),
        Some(("A012".into(), 3, false, true))
    );
    assert_eq!(
        on_show(&mut board, 103.0),
        Some(("A012".into(), 3, false, false))
    );
    assert_eq!(
        on_show(&mut board, 109.9),
        Some(("A012".into(), 3, false, false))
    );
    // Idle again, and the idle time counts from when the call ended (the marquee restarts).
    assert_eq!(board.state(s(111.0)), BoardState::Idle { elapsed: s(1.0) });
    assert_eq!(board.next_change(), None);
}

#[test]
fn calls_that_arrive_together_are_shown_in_turn() {
    let mut board = CallBoard::new(timing(), s(0.0));
    board.push(Announcement::call("A001", 1), s(0.0));
    board.push(Announcement::call("B001", 2), s(1.0));
    board.push(Announcement::call("C001", 3), s(1.5));
    assert_eq!(board.waiting().count(), 2);
    assert_eq!(board.next_change(), Some(s(4.0)));
    // Each stays `turn` while others wait, and each starts highlighted.
    assert_eq!(
        on_show(&mut board, 3.9),
        Some(("A001".into(), 1, false, false))
    );
    assert_eq!(
        on_show(&mut board, 4.0),
        Some(("B001".into(), 2, false, true))
    );
    assert_eq!(
        on_show(&mut board, 8.0),
        Some(("C001".into(), 3, false, true))
    );
    // The last one stays the full hold time.
    assert_eq!(on_show(&mut board, 17.9).map(|c| c.0), Some("C001".into()));
    assert_eq!(on_show(&mut board, 18.0), None);
}

#[test]
fn a_call_arriving_late_in_a_long_showing_gets_its_full_highlight() {
    let mut board = CallBoard::new(timing(), s(0.0));
    board.push(Announcement::call("A001", 1), s(0.0));
    // A001 has been on 6 s (more than `turn`) when B001 comes: B001 shows at once, highlighted from then.
    board.push(Announcement::call("B001", 2), s(6.0));
    match board.state(s(6.0)) {
        BoardState::Calling {
            call,
            elapsed,
            highlighted,
            ..
        } => {
            assert_eq!(call.ticket, "B001");
            assert_eq!(elapsed, Duration::ZERO);
            assert!(highlighted);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_recall_of_the_call_on_show_highlights_it_again() {
    let mut board = CallBoard::new(timing(), s(0.0));
    board.push(Announcement::call("A012", 3), s(0.0));
    assert_eq!(
        on_show(&mut board, 5.0),
        Some(("A012".into(), 3, false, false))
    );
    board.push(Announcement::recall("A012", 3), s(5.0));
    assert_eq!(
        on_show(&mut board, 5.0),
        Some(("A012".into(), 3, true, true))
    );
    // And it stays the full hold time from the recall.
    assert_eq!(on_show(&mut board, 14.9).map(|c| c.2), Some(true));
    assert_eq!(on_show(&mut board, 15.0), None);
}

#[test]
fn a_recall_after_the_board_went_idle_shows_the_call_again() {
    let mut board = CallBoard::new(timing(), s(0.0));
    board.push(Announcement::call("A012", 3), s(0.0));
    assert_eq!(on_show(&mut board, 30.0), None);
    board.push(Announcement::recall("A012", 3), s(30.0));
    assert_eq!(
        on_show(&mut board, 30.0),
        Some(("A012".into(), 3, true, true))
    );
}

#[test]
fn repeats_of_a_waiting_call_are_not_queued_twice_but_a_recall_marks_it() {
    let mut board = CallBoard::new(timing(), s(0.0));
    board.push(Announcement::call("A001", 1), s(0.0));
    board.push(Announcement::call("B001", 2), s(1.0));
    board.push(Announcement::call("B001", 2), s(1.5));
    board.push(Announcement::recall("B001", 2), s(2.0));
    let waiting: Vec<_> = board.waiting().cloned().collect();
    assert_eq!(waiting, vec![Announcement::recall("B001", 2)]);
    // The same ticket at another window (a transfer) is another call.
    board.push(Announcement::call("B001", 3), s(2.5));
    assert_eq!(board.waiting().count(), 2);
}

#[test]
fn a_clock_that_goes_backwards_does_not_move_the_board() {
    let mut board = CallBoard::new(timing(), s(10.0));
    board.push(Announcement::call("A001", 1), s(10.0));
    assert_eq!(
        on_show(&mut board, 5.0),
        Some(("A001".into(), 1, false, true))
    );
    assert_eq!(
        board.state(s(0.0)),
        BoardState::Calling {
            call: Announcement::call("A001", 1),
            elapsed: Duration::ZERO,
            highlighted: true,
            waiting: 0
        }
    );
}
