//! The check-in flow (预约签到) as a pure state machine: what the citizen did or the background
//! answered goes in, the step to show and the effects to run come out. No window, no clock: the time
//! is passed in, so every path is unit-tested.
//!
//! ```text
//!   Prompt ──code typed / scanned, card read──▶ lookup ──▶ Confirm ──confirm──▶ Issuing ──▶ Ticket
//!      ▲                                          │  ╲                                │
//!      │                                          │   ╲──several on one card──▶ Choose ─┘
//!      └──────────── back / try again ─────── Error ◀── unknown, cancelled, no list, refused
//! ```

use chrono::{DateTime, Duration, Utc};
use content::booking::BookingEntry;
use queue::{CheckedIn, ErrorKind, IdentityToken, QueueError};

use super::super::take_number::{PrintState, flow::split_bilingual};
use crate::bookings::Lookup;

/// The screen on show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Place the card, scan the QR code or type the code.
    Prompt,
    /// One card, several bookings today: pick one.
    Choose,
    /// The booking found, to confirm.
    Confirm,
    /// Checking in at the queue.
    Issuing,
    /// The ticket.
    Ticket,
    /// Why it did not work, and what to do.
    Error,
}

/// Where the citizen stands against the slot, as the screen says it before and after the check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// Before the slot: waits for it, then goes ahead of walk-ins.
    Early,
    /// In the slot's grace period: goes ahead of walk-ins.
    OnTime,
    /// Later than the grace period: an ordinary ticket.
    Late,
}

impl Timing {
    /// The timing at `now` of a slot starting at `start`, with `grace` after it.
    pub fn at(now: DateTime<Utc>, start: DateTime<Utc>, grace: Duration) -> Self {
        if now < start {
            Self::Early
        } else if now <= start + grace {
            Self::OnTime
        } else {
            Self::Late
        }
    }

    fn of(check_in: queue::CheckIn) -> Self {
        match check_in {
            queue::CheckIn::Early => Self::Early,
            queue::CheckIn::OnTime => Self::OnTime,
            queue::CheckIn::Late => Self::Late,
        }
    }
}

/// Why a check-in did not happen. Each one has its own message on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No list of today's bookings on this kiosk.
    NoList,
    /// What was typed or scanned is not a booking code.
    NotACode(String),
    /// No booking of today has this code.
    NotFound(String),
    /// The card holder has no booking today.
    CardNoMatch,
    /// The booking was cancelled.
    Cancelled(String),
    /// The booking was closed as a no-show.
    NoShow(String),
    /// The service needs the ID card (a notary matter): the code alone does not check in.
    CardNeeded,
    /// The queue cannot be reached.
    Unreachable,
    /// The queue refused, with its reason in both languages.
    Refused {
        /// Chinese.
        zh: String,
        /// English.
        en: String,
    },
}

/// Work for the controller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Check `entry` in at the queue (then print the ticket, then tell the centre).
    CheckIn {
        /// The booking.
        entry: BookingEntry,
        /// The card holder's salted token, when the booking was found by the card.
        identity: Option<IdentityToken>,
        /// Answers of an older attempt are ignored.
        generation: u64,
    },
    /// Go home after the ticket has been on screen a while.
    StartHomeCountdown,
    /// Stop that countdown.
    StopHomeCountdown,
}

/// Sorts the queue's refusal into what the citizen is told: a host that cannot be reached, or its
/// reason (`预约日期为 …，不是今天 / the booking is for …`) in both languages.
pub fn classify_error(err: &QueueError) -> Failure {
    let reason = match err {
        QueueError::Remote(_) => return Failure::Unreachable,
        QueueError::IdentityRequired(_) => return Failure::CardNeeded,
        QueueError::Refused {
            status: 422,
            code: Some(code),
            ..
        } if code == "identity_required" => return Failure::CardNeeded,
        QueueError::Refused { status, .. } if *status >= 500 => return Failure::Unreachable,
        QueueError::Refused { message, .. } => message.clone(),
        other if other.kind() == ErrorKind::Internal => return Failure::Unreachable,
        other => other.to_string(),
    };
    let (zh, en) = split_bilingual(&reason);
    Failure::Refused { zh, en }
}

/// The check-in flow's state.
#[derive(Debug, Clone)]
pub struct Flow {
    step: Step,
    choices: Vec<BookingEntry>,
    chosen: Option<BookingEntry>,
    by_card: bool,
    identity: Option<IdentityToken>,
    failure: Option<Failure>,
    checked_in: Option<CheckedIn>,
    print: PrintState,
    generation: u64,
}

impl Default for Flow {
    fn default() -> Self {
        Self::new()
    }
}

impl Flow {
    /// A flow on its first screen.
    pub fn new() -> Self {
        Self {
            step: Step::Prompt,
            choices: Vec::new(),
            chosen: None,
            by_card: false,
            identity: None,
            failure: None,
            checked_in: None,
            print: PrintState::Printing,
            generation: 0,
        }
    }

    /// The step on screen.
    pub fn step(&self) -> Step {
        self.step
    }

    /// The bookings to choose from (one card, several bookings).
    pub fn choices(&self) -> &[BookingEntry] {
        &self.choices
    }

    /// The booking being confirmed or checked in.
    pub fn chosen(&self) -> Option<&BookingEntry> {
        self.chosen.as_ref()
    }

    /// Whether the booking was found by the ID card (the screen then says so).
    pub fn by_card(&self) -> bool {
        self.by_card
    }

    /// Why the last attempt failed.
    pub fn failure(&self) -> Option<&Failure> {
        self.failure.as_ref()
    }

    /// The queue's answer to the check-in.
    pub fn checked_in(&self) -> Option<&CheckedIn> {
        self.checked_in.as_ref()
    }

    /// The paper ticket's state.
    pub fn print(&self) -> PrintState {
        self.print
    }

    /// How the citizen stands against the slot: the queue's verdict once checked in, else the one at
    /// `now` with `grace`.
    pub fn timing(&self, now: DateTime<Utc>, grace: Duration) -> Option<Timing> {
        if let Some(done) = &self.checked_in {
            return Some(Timing::of(done.appointment.check_in));
        }
        self.chosen
            .as_ref()
            .map(|b| Timing::at(now, b.start, grace))
    }

    /// Opens the page afresh.
    pub fn open(&mut self) -> Vec<Effect> {
        let busy = self.step == Step::Issuing;
        let stop = self.step == Step::Ticket;
        if !busy {
            *self = Self {
                generation: self.generation,
                ..Self::new()
            };
        }
        if stop {
            vec![Effect::StopHomeCountdown]
        } else {
            Vec::new()
        }
    }

    /// A code typed or scanned was looked up (`typed` as entered, for the messages).
    pub fn code_looked_up(&mut self, typed: &str, lookup: Lookup) -> Vec<Effect> {
        if self.step == Step::Issuing || self.step == Step::Ticket {
            return Vec::new();
        }
        let shown = typed.trim().to_owned();
        self.by_card = false;
        self.identity = None;
        match lookup {
            Lookup::NotACode => self.fail(Failure::NotACode(shown)),
            Lookup::NotFound => self.fail(Failure::NotFound(shown)),
            other => self.found(other),
        }
        Vec::new()
    }

    /// A card was read and its number looked up; `identity` is the holder's salted token (for a
    /// service that needs the card).
    pub fn card_looked_up(&mut self, lookup: Lookup, identity: IdentityToken) -> Vec<Effect> {
        if self.step == Step::Issuing || self.step == Step::Ticket {
            return Vec::new();
        }
        self.by_card = true;
        self.identity = Some(identity);
        match lookup {
            Lookup::NotFound | Lookup::NotACode => self.fail(Failure::CardNoMatch),
            other => self.found(other),
        }
        Vec::new()
    }

    fn found(&mut self, lookup: Lookup) {
        match lookup {
            Lookup::NoList => self.fail(Failure::NoList),
            Lookup::Cancelled(entry) => self.fail(Failure::Cancelled(entry.code)),
            Lookup::NoShow(entry) => self.fail(Failure::NoShow(entry.code)),
            Lookup::NotACode | Lookup::NotFound => self.fail(Failure::CardNoMatch),
            Lookup::Found(mut entries) => {
                self.failure = None;
                if entries.len() == 1 {
                    self.chosen = entries.pop();
                    self.choices.clear();
                    self.step = Step::Confirm;
                } else {
                    self.chosen = None;
                    self.choices = entries;
                    self.step = Step::Choose;
                }
            }
        }
    }

    fn fail(&mut self, failure: Failure) {
        self.failure = Some(failure);
        self.chosen = None;
        self.choices.clear();
        self.step = Step::Error;
    }

    /// One of several bookings was picked.
    pub fn choose(&mut self, index: usize) -> Vec<Effect> {
        if self.step != Step::Choose {
            return Vec::new();
        }
        if let Some(entry) = self.choices.get(index) {
            self.chosen = Some(entry.clone());
            self.step = Step::Confirm;
        }
        Vec::new()
    }

    /// The citizen confirmed the booking shown.
    pub fn confirm(&mut self) -> Vec<Effect> {
        if self.step != Step::Confirm {
            return Vec::new();
        }
        let Some(entry) = self.chosen.clone() else {
            return Vec::new();
        };
        self.generation += 1;
        self.step = Step::Issuing;
        vec![Effect::CheckIn {
            entry,
            identity: self.identity.clone(),
            generation: self.generation,
        }]
    }

    /// The queue answered the check-in.
    pub fn checked_in_answer(
        &mut self,
        generation: u64,
        answer: Result<CheckedIn, QueueError>,
    ) -> Vec<Effect> {
        if generation != self.generation || self.step != Step::Issuing {
            return Vec::new();
        }
        match answer {
            Ok(done) => {
                self.checked_in = Some(done);
                self.print = PrintState::Printing;
                self.step = Step::Ticket;
                vec![Effect::StartHomeCountdown]
            }
            Err(err) => {
                self.fail(classify_error(&err));
                Vec::new()
            }
        }
    }

    /// The ticket was printed, or not.
    pub fn printed(&mut self, generation: u64, state: PrintState) {
        if generation == self.generation && self.step == Step::Ticket {
            self.print = state;
        }
    }

    /// Back to the first screen (from confirm, choose or an error).
    pub fn back(&mut self) -> Vec<Effect> {
        match self.step {
            Step::Issuing => Vec::new(),
            _ => self.open(),
        }
    }

    /// The citizen's session ended: nothing of the booking or the card (its token) is kept.
    pub fn end_session(&mut self) -> Vec<Effect> {
        let stop = self.step == Step::Ticket;
        *self = Self {
            generation: self.generation + 1,
            ..Self::new()
        };
        if stop {
            vec![Effect::StopHomeCountdown]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests;
