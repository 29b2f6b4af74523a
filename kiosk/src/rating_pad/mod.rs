//! The window rating pad (评价器, `kiosk --role rating-pad --window N`): a small screen at a
//! window showing the staff member on duty and the ticket being served, which asks for one rating
//! when the window completes a ticket.
//!
//! [`model`] is the pure state machine (events, touches and time in; phase and ratings out);
//! [`link`] follows the queue host and sends ratings; [`RatingPad`] puts it on the Slint `RatingPadWindow` through the `RatingPadAdapter` global and
//! keeps the ratings the queue host has not accepted yet ([`model::PendingRatings`]). The runner
//! in `cli::rating_pad` feeds it from an `HttpQueueClient`. The queue host enforces one rating per
//! ticket; the pad only avoids asking twice. Nothing on the pad identifies the citizen: number,
//! service and the staff member's public name only.

pub mod link;
pub mod model;
pub mod screens;

use std::{collections::HashMap, rc::Rc, time::Duration};

use slint::{ComponentHandle as _, ModelRc, VecModel};

use crate::ui::{RatingPadAdapter, RatingPadPhase, RatingPadWindow, Theme};
use model::{PadModel, PadTimings, PendingRatings, PhaseKind, SendOutcome, Submission};
use queue::{QueueEvent, RATING_REASONS, ServiceStatus, WindowStatus};

/// The pad's window, its model and the ratings waiting to be sent. Lives on the UI thread.
pub struct RatingPad {
    window: RatingPadWindow,
    model: PadModel,
    pending: PendingRatings,
    /// Service id → (Chinese, English) name, from the host's snapshot.
    services: HashMap<String, (String, String)>,
    english: bool,
}

impl std::fmt::Debug for RatingPad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RatingPad")
            .field("model", &self.model)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl RatingPad {
    /// Opens the pad's window for `window` (nothing connected yet: it says so).
    pub fn new(window: u32, timings: PadTimings) -> Result<Self, slint::PlatformError> {
        let pad = Self {
            window: RatingPadWindow::new()?,
            model: PadModel::new(window, timings),
            pending: PendingRatings::default(),
            services: HashMap::new(),
            english: false,
        };
        pad.show();
        Ok(pad)
    }

    /// Applies what the host's link said; true when it was the answer to a rating sent (the next
    /// one may go).
    pub fn apply(&mut self, message: link::FromHost, now: Duration) -> bool {
        match message {
            link::FromHost::Snapshot(snapshot) => {
                self.set_host(
                    snapshot.as_ref().map(|s| (&s.services[..], &s.windows[..])),
                    now,
                );
                false
            }
            link::FromHost::Event(event) => {
                self.on_event(&event, now);
                false
            }
            link::FromHost::Answer(outcome) => {
                self.answered(outcome, now);
                true
            }
        }
    }

    /// Connects the window's touches (faces, reasons, language, elderly mode) to `pad`, with the
    /// time read from `mono`.
    pub fn wire_touches(
        pad: &Rc<std::cell::RefCell<Self>>,
        mono: std::sync::Arc<dyn clock::MonotonicClock>,
    ) {
        let window = pad.borrow().window.clone_strong();
        let adapter = window.global::<RatingPadAdapter>();
        let with = |f: fn(&mut Self, i32, Duration)| {
            let pad = Rc::clone(pad);
            let mono = std::sync::Arc::clone(&mono);
            move |arg: i32| f(&mut pad.borrow_mut(), arg, mono.now())
        };
        adapter.on_choose_score(with(|pad, score, now| {
            pad.choose_score(u8::try_from(score).unwrap_or(0), now);
        }));
        adapter.on_toggle_reason(with(|pad, index, now| {
            pad.toggle_reason(usize::try_from(index).unwrap_or(usize::MAX), now);
        }));
        let submit = with(|pad, skip, now| pad.finish_reasons(skip != 0, now));
        adapter.on_submit_reasons(move || submit(0));
        let skip = with(|pad, skip, now| pad.finish_reasons(skip != 0, now));
        adapter.on_skip_reasons(move || skip(1));
        let language = with(|pad, _, _| {
            let english = !pad.english();
            pad.set_english(english);
        });
        adapter.on_toggle_language(move || language(0));
        let weak = window.as_weak();
        adapter.on_toggle_elderly(move || {
            if let Some(w) = weak.upgrade() {
                let theme = w.global::<Theme>();
                theme.set_elderly(!theme.get_elderly());
            }
        });
    }

    /// The Slint window.
    pub fn window(&self) -> &RatingPadWindow {
        &self.window
    }

    /// The state machine.
    pub fn model(&self) -> &PadModel {
        &self.model
    }

    /// Ratings not yet accepted by the host.
    pub fn pending(&self) -> &PendingRatings {
        &self.pending
    }

    /// Elderly mode (larger type) on or off.
    pub fn set_elderly(&self, on: bool) {
        self.window.global::<Theme>().set_elderly(on);
    }

    /// English (`true`) or Simplified Chinese.
    pub fn set_english(&mut self, english: bool) {
        let code = if english { "en" } else { "" };
        if let Err(err) = slint::select_bundled_translation(code) {
            tracing::error!("cannot switch the pad's language: {err}");
            return;
        }
        self.english = english;
        self.show();
    }

    /// Whether English is on.
    pub fn english(&self) -> bool {
        self.english
    }

    /// The host answers (with its snapshot) or does not (`None`).
    pub fn set_host(
        &mut self,
        snapshot: Option<(&[ServiceStatus], &[WindowStatus])>,
        now: Duration,
    ) {
        match snapshot {
            Some((services, windows)) => {
                self.model.set_connected(true);
                for s in services {
                    self.services
                        .insert(s.id.clone(), (s.name.clone(), s.name_en.clone()));
                }
                if let Some(w) = windows.iter().find(|w| w.id == self.model.window()) {
                    self.model.sync(w);
                }
            }
            None => self.model.set_connected(false),
        }
        self.after(None, now);
    }

    /// Service names (id, Chinese, English) without a snapshot (screenshots, tests).
    pub fn set_service_names<'a>(
        &mut self,
        names: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) {
        for (id, zh, en) in names {
            self.services
                .insert(id.to_owned(), (zh.to_owned(), en.to_owned()));
        }
        self.show();
    }

    /// A queue event from the host.
    pub fn on_event(&mut self, event: &QueueEvent, now: Duration) {
        self.model.set_connected(true);
        self.model.on_event(event, now);
        self.after(None, now);
    }

    /// A face was touched.
    pub fn choose_score(&mut self, score: u8, now: Duration) {
        let sent = self.model.choose_score(score, now);
        self.after(sent, now);
    }

    /// Reason `index` (of [`RATING_REASONS`]) ticked or unticked.
    pub fn toggle_reason(&mut self, index: usize, now: Duration) {
        if let Some(id) = RATING_REASONS.get(index) {
            self.model.toggle_reason(id, now);
        }
        self.after(None, now);
    }

    /// 提交 (`skip` false) or 跳过.
    pub fn finish_reasons(&mut self, skip: bool, now: Duration) {
        let sent = self.model.finish_reasons(skip, now);
        self.after(sent, now);
    }

    /// Time passed (timeouts).
    pub fn tick(&mut self, now: Duration) {
        let sent = self.model.tick(now);
        self.after(sent, now);
    }

    /// The rating to send now, if one is due and none is on its way.
    pub fn due(&self, now: Duration) -> Option<Submission> {
        self.pending.due(now).cloned()
    }

    /// The host's answer to the rating [`Self::due`] gave.
    pub fn answered(&mut self, outcome: SendOutcome, now: Duration) {
        self.pending.answered(outcome, now);
        self.show();
    }

    fn after(&mut self, sent: Option<Submission>, now: Duration) {
        if let Some(submission) = sent {
            // A rating without a ticket row (the pad started during the visit) cannot be sent.
            if submission.ticket > 0
                && let Some(dropped) = self.pending.push(submission, now)
            {
                tracing::warn!(
                    "rating of {} dropped: too many ratings wait for the queue host",
                    dropped.number
                );
            }
        }
        self.show();
    }

    /// Pushes the model's state into the adapter.
    fn show(&self) {
        let a = self.window.global::<RatingPadAdapter>();
        let m = &self.model;
        a.set_window_no(i32::try_from(m.window()).unwrap_or(i32::MAX));
        a.set_phase(match m.kind() {
            PhaseKind::Idle => RatingPadPhase::Idle,
            PhaseKind::Serving => RatingPadPhase::Serving,
            PhaseKind::Prompt => RatingPadPhase::Prompt,
            PhaseKind::Reasons => RatingPadPhase::Reasons,
            PhaseKind::Thanks => RatingPadPhase::Thanks,
        });
        a.set_open(m.is_open());
        a.set_connected(m.connected());
        let (name, id) = m.staff().map_or((String::new(), String::new()), |s| {
            (s.name.clone(), s.staff_id.clone())
        });
        a.set_staff_initial(
            name.chars()
                .next()
                .map(String::from)
                .unwrap_or_default()
                .into(),
        );
        a.set_staff_name(name.into());
        a.set_staff_id(id.into());
        let (number, service) = m.ticket().map_or((String::new(), String::new()), |t| {
            let service = match self.services.get(&t.service) {
                Some((zh, en)) => if self.english { en } else { zh }.clone(),
                None => String::new(),
            };
            (t.number.clone(), service)
        });
        a.set_number(number.into());
        a.set_service_name(service.into());
        a.set_english(self.english);
        let chosen: Vec<bool> = RATING_REASONS
            .iter()
            .map(|r| m.chosen().iter().any(|c| c == r))
            .collect();
        a.set_chosen(ModelRc::from(Rc::new(VecModel::from(chosen))));
        a.set_unsent(i32::try_from(self.pending.len()).unwrap_or(i32::MAX));
    }
}

#[cfg(test)]
mod tests;
