//! The call board: which call is on show, which wait their turn, and when the panel goes back to idle.
//!
//! Sans-io: time is an argument (`now`, the time since any fixed origin), so the rules are tested with an
//! injected clock. The hall screen and the LED panel share it.
//!
//! Rules:
//! - a call with nothing on show is shown at once, flashing for the highlight time;
//! - a call that comes while another is on show waits its turn; each call stays at least `turn` and, when
//!   nobody waits, `hold`; then the next one in order of arrival is shown;
//! - a recall of the call on show shows it again from the start (flashing again); a recall of a waiting call
//!   marks it as a recall; a repeat of a waiting call is not queued twice;
//! - when the last call has been shown for `hold`, the board is idle until the next call.

use std::{collections::VecDeque, time::Duration};

/// One call to show: ticket and window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The ticket number, e.g. `A012`.
    pub ticket: String,
    /// The window number.
    pub window: u32,
    /// Whether it is a recall (the same ticket called again).
    pub recall: bool,
}

impl Announcement {
    /// A first call.
    pub fn call(ticket: impl Into<String>, window: u32) -> Self {
        Self {
            ticket: ticket.into(),
            window,
            recall: false,
        }
    }

    /// A recall.
    pub fn recall(ticket: impl Into<String>, window: u32) -> Self {
        Self {
            ticket: ticket.into(),
            window,
            recall: true,
        }
    }

    fn same_call(&self, other: &Self) -> bool {
        self.ticket == other.ticket && self.window == other.window
    }
}

/// How long calls stay on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardTiming {
    /// How long a call stays when no other call waits.
    pub hold: Duration,
    /// How long a call stays at least when others wait.
    pub turn: Duration,
    /// How long a call flashes after it appears.
    pub highlight: Duration,
}

impl Default for BoardTiming {
    fn default() -> Self {
        Self {
            hold: Duration::from_secs(10),
            turn: Duration::from_secs(4),
            highlight: Duration::from_secs(3),
        }
    }
}

/// What the board shows at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoardState {
    /// A call, shown for `elapsed` so far.
    Calling {
        /// The call.
        call: Announcement,
        /// Time since it appeared (or was recalled).
        elapsed: Duration,
        /// Whether it is still in its highlight time.
        highlighted: bool,
        /// Calls waiting their turn.
        waiting: usize,
    },
    /// No call: notices and counts, shown for `elapsed` so far.
    Idle {
        /// Time since the board went idle.
        elapsed: Duration,
    },
}

/// The call board (see the module docs for the rules).
#[derive(Debug, Clone)]
pub struct CallBoard {
    timing: BoardTiming,
    current: Option<(Announcement, Duration)>,
    queue: VecDeque<(Announcement, Duration)>,
    idle_since: Duration,
}

impl CallBoard {
    /// An idle board (idle since `now`).
    pub fn new(timing: BoardTiming, now: Duration) -> Self {
        Self {
            timing,
            current: None,
            queue: VecDeque::new(),
            idle_since: now,
        }
    }

    /// The timing in use.
    pub fn timing(&self) -> BoardTiming {
        self.timing
    }

    /// A call or recall arrives at `now`.
    pub fn push(&mut self, call: Announcement, now: Duration) {
        self.advance(now);
        if let Some((current, since)) = &mut self.current
            && current.same_call(&call)
        {
            if call.recall {
                current.recall = true;
                *since = now;
            }
            return;
        }
        if let Some((waiting, _)) = self.queue.iter_mut().find(|(q, _)| q.same_call(&call)) {
            waiting.recall |= call.recall;
            return;
        }
        if self.current.is_none() {
            self.current = Some((call, now));
        } else {
            self.queue.push_back((call, now));
        }
    }

    /// Calls waiting their turn, in order.
    pub fn waiting(&self) -> impl Iterator<Item = &Announcement> {
        self.queue.iter().map(|(call, _)| call)
    }

    /// Moves the board on to `now` and says what it shows. `now` must not go backwards; if it does, the
    /// board stays where it was.
    pub fn state(&mut self, now: Duration) -> BoardState {
        self.advance(now);
        match &self.current {
            Some((call, since)) => {
                let elapsed = now.saturating_sub(*since);
                BoardState::Calling {
                    call: call.clone(),
                    elapsed,
                    highlighted: elapsed < self.timing.highlight,
                    waiting: self.queue.len(),
                }
            }
            None => BoardState::Idle {
                elapsed: now.saturating_sub(self.idle_since),
            },
        }
    }

    /// When the board changes next by itself (for a caller that sleeps until then), if a call is on show.
    pub fn next_change(&self) -> Option<Duration> {
        self.current
            .as_ref()
            .map(|(_, since)| *since + self.limit())
    }

    fn limit(&self) -> Duration {
        if self.queue.is_empty() {
            self.timing.hold
        } else {
            self.timing.turn.min(self.timing.hold)
        }
    }

    fn advance(&mut self, now: Duration) {
        while let Some((_, since)) = &self.current {
            let end = *since + self.limit();
            if now < end {
                return;
            }
            match self.queue.pop_front() {
                // A call that came after the previous one ended starts when it came.
                Some((next, arrived)) => self.current = Some((next, end.max(arrived))),
                None => {
                    self.current = None;
                    self.idle_since = end;
                }
            }
        }
    }
}
