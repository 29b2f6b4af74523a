//! The rating pad's state machine: fed with queue events, touches and time, it says what the
//! screen shows and which ratings to send. No Slint, no I/O, no clock of its own: every method
//! takes `now` (the time of a `clock::MonotonicClock`), so it is tested with plain durations.
//!
//! ```text
//! idle ──call/start at the window──▶ serving(number, service)
//!   ▲                                    │ completed
//!   │ timeout, thanks over               ▼
//!   └──────── thanks ◀──score 3-5── prompt ──score 1-2──▶ reasons ──submit/skip/timeout──▶ thanks
//! ```
//!
//! A new call at the window replaces an unanswered prompt (the next citizen is at the counter).
//! Only that window's events change the pad; a day reset or the window closing ends what is shown.

use std::{collections::VecDeque, time::Duration};

use queue::{EventPayload, QueueEvent, RATING_REASONS, StaffOnDuty, TicketId, WindowStatus};

/// The scores at or below which the pad asks for reasons (不满意, 非常不满意).
pub const LOW_SCORE: u8 = 2;

/// How long the prompt waits and the thanks stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PadTimings {
    /// The prompt (and the reasons) go away unanswered after this.
    pub prompt_timeout: Duration,
    /// The thank-you screen stays this long.
    pub thanks: Duration,
}

impl Default for PadTimings {
    fn default() -> Self {
        Self {
            prompt_timeout: Duration::from_secs(30),
            thanks: Duration::from_secs(5),
        }
    }
}

/// A ticket at the window: what the pad shows and rates (no citizen data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PadTicket {
    /// Ticket row (the rating names it); 0 when only the number is known (from a snapshot).
    pub id: TicketId,
    /// Number (e.g. `C012`).
    pub number: String,
    /// Service id.
    pub service: String,
}

/// What the pad is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PadPhase {
    /// Nobody at the counter (or the window is closed).
    Idle,
    /// A ticket is called or being served.
    Serving(PadTicket),
    /// The ticket was completed: five faces wait for a touch.
    Prompt {
        /// The ticket to rate.
        ticket: PadTicket,
        /// When the prompt (or its last touch) began.
        since: Duration,
    },
    /// A low score: optional reasons, then 提交 or 跳过.
    Reasons {
        /// The ticket to rate.
        ticket: PadTicket,
        /// The score chosen.
        score: u8,
        /// The reasons ticked so far, in [`RATING_REASONS`] order.
        chosen: Vec<String>,
        /// When the last touch was.
        since: Duration,
    },
    /// 感谢您的评价.
    Thanks {
        /// When it began.
        since: Duration,
    },
}

/// The screen's name for a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseKind {
    /// [`PadPhase::Idle`].
    Idle,
    /// [`PadPhase::Serving`].
    Serving,
    /// [`PadPhase::Prompt`].
    Prompt,
    /// [`PadPhase::Reasons`].
    Reasons,
    /// [`PadPhase::Thanks`].
    Thanks,
}

/// A rating to send to the queue host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The ticket rated.
    pub ticket: TicketId,
    /// Its number (for logs: no citizen data).
    pub number: String,
    /// 1 to 5.
    pub score: u8,
    /// Reason ids.
    pub reasons: Vec<String>,
}

/// The pad of one window.
#[derive(Debug, Clone)]
pub struct PadModel {
    window: u32,
    timings: PadTimings,
    phase: PadPhase,
    open: bool,
    staff: Option<StaffOnDuty>,
    connected: bool,
}

impl PadModel {
    /// A pad for `window`, idle and not connected yet.
    pub fn new(window: u32, timings: PadTimings) -> Self {
        Self {
            window,
            timings,
            phase: PadPhase::Idle,
            open: false,
            staff: None,
            connected: false,
        }
    }

    /// The window.
    pub fn window(&self) -> u32 {
        self.window
    }

    /// The phase.
    pub fn phase(&self) -> &PadPhase {
        &self.phase
    }

    /// The phase's kind.
    pub fn kind(&self) -> PhaseKind {
        match self.phase {
            PadPhase::Idle => PhaseKind::Idle,
            PadPhase::Serving(_) => PhaseKind::Serving,
            PadPhase::Prompt { .. } => PhaseKind::Prompt,
            PadPhase::Reasons { .. } => PhaseKind::Reasons,
            PadPhase::Thanks { .. } => PhaseKind::Thanks,
        }
    }

    /// The staff member on duty (or who served the ticket being rated).
    pub fn staff(&self) -> Option<&StaffOnDuty> {
        self.staff.as_ref()
    }

    /// Whether staff are logged in at the window.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Whether the queue host answers.
    pub fn connected(&self) -> bool {
        self.connected
    }

    /// The ticket shown: served, or being rated.
    pub fn ticket(&self) -> Option<&PadTicket> {
        match &self.phase {
            PadPhase::Serving(t) | PadPhase::Prompt { ticket: t, .. } => Some(t),
            PadPhase::Reasons { ticket, .. } => Some(ticket),
            PadPhase::Idle | PadPhase::Thanks { .. } => None,
        }
    }

    /// The reasons ticked (on the reasons screen).
    pub fn chosen(&self) -> &[String] {
        match &self.phase {
            PadPhase::Reasons { chosen, .. } => chosen,
            _ => &[],
        }
    }

    /// The connection to the queue host came or went. Nothing else changes: a prompt on screen
    /// can still be answered (the rating waits to be sent).
    pub fn set_connected(&mut self, connected: bool) {
        self.connected = connected;
    }

    /// The window as the host's snapshot shows it (on (re)connecting): open, staff, and the
    /// number called or served when the pad shows nothing else.
    pub fn sync(&mut self, status: &WindowStatus) {
        if status.id != self.window {
            return;
        }
        self.open = status.open;
        self.staff = status.staff.clone().filter(|_| status.open);
        match (&self.phase, &status.serving) {
            (PadPhase::Idle | PadPhase::Serving(_), Some(number)) => {
                let same = self.ticket().is_some_and(|t| &t.number == number);
                if !same {
                    self.phase = PadPhase::Serving(PadTicket {
                        id: 0,
                        number: number.clone(),
                        service: String::new(),
                    });
                }
            }
            (PadPhase::Serving(_), None) => self.phase = PadPhase::Idle,
            _ => {}
        }
    }

    /// Applies a queue event; events of other windows change nothing.
    pub fn on_event(&mut self, event: &QueueEvent, now: Duration) {
        let here = |w: &u32| *w == self.window;
        match &event.payload {
            EventPayload::DayReset { .. } => {
                self.open = false;
                self.staff = None;
                self.phase = PadPhase::Idle;
            }
            EventPayload::WindowOpened { window, staff } if here(window) => {
                self.open = true;
                self.staff = staff.clone();
            }
            EventPayload::WindowClosed { window } if here(window) => {
                self.open = false;
                // A rating under way stays; the served ticket leaves with the staff member.
                if matches!(self.phase, PadPhase::Serving(_)) {
                    self.phase = PadPhase::Idle;
                }
                if matches!(self.phase, PadPhase::Idle) {
                    self.staff = None;
                }
            }
            EventPayload::Called {
                ticket_id,
                number,
                service,
                window,
                ..
            }
            | EventPayload::Recalled {
                ticket_id,
                number,
                service,
                window,
                ..
            } if here(window) => {
                // A new call replaces an unanswered prompt: the next citizen is at the counter.
                self.open = true;
                self.phase = PadPhase::Serving(PadTicket {
                    id: *ticket_id,
                    number: number.clone(),
                    service: service.clone(),
                });
            }
            EventPayload::Started {
                ticket_id,
                number,
                service,
                window,
                staff,
            } if here(window) => {
                self.open = true;
                if staff.is_some() {
                    self.staff = staff.clone();
                }
                self.phase = PadPhase::Serving(PadTicket {
                    id: *ticket_id,
                    number: number.clone(),
                    service: service.clone(),
                });
            }
            EventPayload::Completed {
                ticket_id,
                number,
                service,
                window,
                staff,
                ..
            } if here(window) => {
                if staff.is_some() {
                    self.staff = staff.clone();
                }
                self.phase = PadPhase::Prompt {
                    ticket: PadTicket {
                        id: *ticket_id,
                        number: number.clone(),
                        service: service.clone(),
                    },
                    since: now,
                };
            }
            EventPayload::NoShow { window, .. }
            | EventPayload::Held { window, .. }
            | EventPayload::Transferred { window, .. }
                if here(window) =>
            {
                // The served ticket left the counter without a completion: nothing to rate.
                if matches!(self.phase, PadPhase::Serving(_)) {
                    self.phase = PadPhase::Idle;
                }
            }
            _ => {}
        }
    }

    /// The citizen touched face `score` (1 to 5). A high score is the rating at once; a low one
    /// asks for reasons first. Outside the prompt it does nothing.
    pub fn choose_score(&mut self, score: u8, now: Duration) -> Option<Submission> {
        let PadPhase::Prompt { ticket, .. } = &self.phase else {
            return None;
        };
        if !(1..=5).contains(&score) {
            return None;
        }
        let ticket = ticket.clone();
        if score <= LOW_SCORE {
            self.phase = PadPhase::Reasons {
                ticket,
                score,
                chosen: Vec::new(),
                since: now,
            };
            return None;
        }
        self.phase = PadPhase::Thanks { since: now };
        Some(Submission {
            ticket: ticket.id,
            number: ticket.number,
            score,
            reasons: Vec::new(),
        })
    }

    /// Ticks or unticks reason `id` (one of [`RATING_REASONS`]) on the reasons screen.
    pub fn toggle_reason(&mut self, id: &str, now: Duration) {
        let PadPhase::Reasons { chosen, since, .. } = &mut self.phase else {
            return;
        };
        *since = now;
        if let Some(i) = chosen.iter().position(|c| c == id) {
            chosen.remove(i);
        } else if RATING_REASONS.contains(&id) {
            chosen.push(id.to_owned());
            chosen.sort_by_key(|c| RATING_REASONS.iter().position(|r| r == c));
        }
    }

    /// 提交 (with the reasons ticked) or, with `skip`, 跳过 (without any): the rating.
    pub fn finish_reasons(&mut self, skip: bool, now: Duration) -> Option<Submission> {
        let PadPhase::Reasons {
            ticket,
            score,
            chosen,
            ..
        } = &self.phase
        else {
            return None;
        };
        let submission = Submission {
            ticket: ticket.id,
            number: ticket.number.clone(),
            score: *score,
            reasons: if skip { Vec::new() } else { chosen.clone() },
        };
        self.phase = PadPhase::Thanks { since: now };
        Some(submission)
    }

    /// Time passed: an unanswered prompt goes away (no rating), the reasons screen left alone sends
    /// the score without reasons (the citizen did rate), the thanks end.
    pub fn tick(&mut self, now: Duration) -> Option<Submission> {
        let elapsed = |since: &Duration| now.saturating_sub(*since);
        match &self.phase {
            PadPhase::Prompt { since, .. } if elapsed(since) >= self.timings.prompt_timeout => {
                self.back_to_idle();
                None
            }
            PadPhase::Reasons {
                ticket,
                score,
                since,
                ..
            } if elapsed(since) >= self.timings.prompt_timeout => {
                let submission = Submission {
                    ticket: ticket.id,
                    number: ticket.number.clone(),
                    score: *score,
                    reasons: Vec::new(),
                };
                self.back_to_idle();
                Some(submission)
            }
            PadPhase::Thanks { since } if elapsed(since) >= self.timings.thanks => {
                self.back_to_idle();
                None
            }
            _ => None,
        }
    }

    fn back_to_idle(&mut self) {
        self.phase = PadPhase::Idle;
        if !self.open {
            self.staff = None;
        }
    }
}

/// What became of one attempt to send a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// The host recorded it.
    Accepted,
    /// The host refused it for good: already rated (409), not this window's or unknown (404),
    /// invalid (400). Never sent again.
    Refused,
    /// The host could not be reached or failed: try again later.
    Unreachable,
}

/// Ratings not yet accepted by the queue host, kept in memory and retried with a growing pause
/// (2 s doubling up to 60 s); at most [`PendingRatings::CAPACITY`] (the oldest goes first). A
/// rating the host accepted or refused is never sent again.
#[derive(Debug, Default)]
pub struct PendingRatings {
    queue: VecDeque<Submission>,
    failures: u32,
    next: Option<Duration>,
}

impl PendingRatings {
    /// The most ratings kept while the host is unreachable.
    pub const CAPACITY: usize = 32;

    /// Queues a rating to send now; returns the one dropped to make room, if any.
    pub fn push(&mut self, submission: Submission, now: Duration) -> Option<Submission> {
        if self.queue.iter().any(|s| s.ticket == submission.ticket) {
            return None;
        }
        let dropped = (self.queue.len() >= Self::CAPACITY)
            .then(|| self.queue.pop_front())
            .flatten();
        self.queue.push_back(submission);
        if self.failures == 0 {
            self.next = Some(now);
        }
        dropped
    }

    /// The rating to send now, if one is due.
    pub fn due(&self, now: Duration) -> Option<&Submission> {
        self.queue
            .front()
            .filter(|_| self.next.is_some_and(|n| n <= now))
    }

    /// The answer to the rating [`Self::due`] gave.
    pub fn answered(&mut self, outcome: SendOutcome, now: Duration) {
        match outcome {
            SendOutcome::Accepted | SendOutcome::Refused => {
                self.queue.pop_front();
                self.failures = 0;
                self.next = Some(now);
            }
            SendOutcome::Unreachable => {
                self.failures = self.failures.saturating_add(1);
                let pause = Duration::from_secs(2u64 << self.failures.saturating_sub(1).min(5));
                self.next = Some(now + pause.min(Duration::from_secs(60)));
            }
        }
    }

    /// Ratings waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether none wait.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}
