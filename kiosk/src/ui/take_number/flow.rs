//! The take-a-number flow as a plain state machine: no window, no I/O.
//!
//! Every input (a tap, a reader event, an answer from the queue or the printer) is a method
//! that updates the state and returns the [`Effect`]s to run. The controller runs them and
//! feeds their results back in. Answers carry the `generation` they were started in, so an
//! answer that arrives after the session ended is ignored (the ticket itself is kept and
//! printed all the same: see [`super::printing`]).

use rand::RngCore;

use super::card::CardSummary;
use super::printing::PrintState;
use queue::{
    IdCardPolicy, IssueRequest, IssuedTicket, PriorityKind, QueueError, ServiceState, ServiceStatus,
};

/// Where the citizen is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Choosing a service.
    Services,
    /// Asked for the ID card.
    IdPrompt,
    /// Offered the priority service for seniors.
    Elderly,
    /// Waiting for the number.
    Issuing,
    /// The new (or reprinted) ticket.
    Ticket,
    /// The person already holds a ticket for the service.
    Existing,
    /// The flow stopped; see [`Flow::error`].
    Error,
}

/// Why the flow stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowError {
    /// The queue host cannot be reached: retry sends the same request (same idempotency key).
    Unreachable,
    /// The service is closed or full; the reason in Chinese and English.
    Unavailable {
        /// Chinese reason.
        zh: String,
        /// English reason.
        en: String,
    },
    /// The service needs the ID card and the reader cannot read one.
    CardNeeded,
    /// Anything else (the message is for the log).
    Other(String),
}

/// What the reader is doing, as far as the flow cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderState {
    /// Waiting for a card.
    Ready,
    /// No reader configured.
    Absent,
    /// The reader stopped answering.
    Failing,
    /// A card lies on the pad but could not be read.
    ReadFailed,
    /// A card was read but gives no usable identity (e.g. an unsupported number format).
    Unusable,
}

/// Something for the controller to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Load the service list.
    LoadServices,
    /// Look for the person's active ticket for the service.
    FindActive {
        /// The card's identity token.
        identity: queue::IdentityToken,
        /// Service id.
        service: String,
        /// Generation of the request.
        generation: u64,
    },
    /// Issue a ticket and print it.
    Issue {
        /// The request (keeps its idempotency key across retries).
        request: IssueRequest,
        /// Generation of the request.
        generation: u64,
    },
    /// Fetch a ticket by id (the existing one after an `already_active` refusal).
    FetchTicket {
        /// Ticket id.
        id: i64,
        /// Generation of the request.
        generation: u64,
    },
    /// Print this ticket again.
    Reprint {
        /// The ticket.
        ticket: IssuedTicket,
        /// Generation of the request.
        generation: u64,
    },
    /// Start the countdown back to the home screen.
    StartHomeCountdown,
    /// Stop the countdown.
    StopHomeCountdown,
}

/// The state of one citizen's way through the flow.
#[derive(Debug)]
pub struct Flow {
    step: Step,
    services: Vec<ServiceStatus>,
    services_failed: bool,
    services_loads: u64,
    /// A service chosen on another page ("取号办理"), taken as soon as the list arrives.
    preselect: Option<String>,
    service: Option<ServiceStatus>,
    card: Option<CardSummary>,
    reader: ReaderState,
    reader_configured: bool,
    card_on_reader: bool,
    elderly_age: u32,
    pending: Option<IssueRequest>,
    ticket: Option<IssuedTicket>,
    print: PrintState,
    error: Option<FlowError>,
    generation: u64,
}

impl Flow {
    /// A flow for a kiosk with or without a card reader; `elderly_age` is the age from which the
    /// priority service for seniors is offered.
    pub fn new(reader_configured: bool, elderly_age: u32) -> Self {
        Self {
            step: Step::Services,
            services: Vec::new(),
            services_failed: false,
            services_loads: 0,
            preselect: None,
            service: None,
            card: None,
            reader: if reader_configured {
                ReaderState::Ready
            } else {
                ReaderState::Absent
            },
            reader_configured,
            card_on_reader: false,
            elderly_age,
            pending: None,
            ticket: None,
            print: PrintState::Printing,
            error: None,
            generation: 0,
        }
    }

    /// The current step.
    pub fn step(&self) -> Step {
        self.step
    }

    /// Services as last loaded.
    pub fn services(&self) -> &[ServiceStatus] {
        &self.services
    }

    /// Whether the last service load failed.
    pub fn services_failed(&self) -> bool {
        self.services_failed
    }

    /// How many times the service list was answered (loaded or failed).
    pub fn services_loads(&self) -> u64 {
        self.services_loads
    }

    /// The chosen service.
    pub fn service(&self) -> Option<&ServiceStatus> {
        self.service.as_ref()
    }

    /// What was kept of the ID card this session (masked name, age, token), if any.
    pub fn card(&self) -> Option<&CardSummary> {
        self.card.as_ref()
    }

    /// The reader as the prompt describes it.
    pub fn reader(&self) -> ReaderState {
        self.reader
    }

    /// Whether a card that was read still lies on the reader (it is read again only after it
    /// was lifted).
    pub fn card_on_reader(&self) -> bool {
        self.card_on_reader
    }

    /// The age from which the priority service for seniors is offered.
    pub fn elderly_age(&self) -> u32 {
        self.elderly_age
    }

    /// The ticket on screen.
    pub fn ticket(&self) -> Option<&IssuedTicket> {
        self.ticket.as_ref()
    }

    /// What happened to its paper copy.
    pub fn print(&self) -> PrintState {
        self.print
    }

    /// Why the flow stopped, on [`Step::Error`].
    pub fn error(&self) -> Option<&FlowError> {
        self.error.as_ref()
    }

    /// The request in flight or waiting for a retry.
    pub fn pending(&self) -> Option<&IssueRequest> {
        self.pending.as_ref()
    }

    /// The current generation (answers of older ones are ignored).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The page opened: show the services and load them.
    pub fn open(&mut self) -> Vec<Effect> {
        self.reset_to_services();
        vec![Effect::LoadServices, Effect::StopHomeCountdown]
    }

    /// Another page's "取号办理": the next service list that arrives chooses `service_id` by itself.
    /// The page is opened afterwards (its [`Flow::open`] keeps the choice). When the service is
    /// closed or unknown, the list simply stays on screen.
    pub fn preselect(&mut self, service_id: &str) {
        self.preselect = Some(service_id.to_owned());
    }

    /// The service list arrived (or failed). A preselected service is chosen now, once.
    pub fn services_loaded(
        &mut self,
        result: Result<Vec<ServiceStatus>, QueueError>,
    ) -> Vec<Effect> {
        self.services_loads += 1;
        let preselect = self.preselect.take();
        match result {
            Ok(services) => {
                self.services = services;
                self.services_failed = false;
                match preselect {
                    Some(id) => self.choose(&id),
                    None => Vec::new(),
                }
            }
            Err(err) => {
                tracing::warn!("cannot load the services: {err}");
                self.services_failed = true;
                Vec::new()
            }
        }
    }

    /// A service tile was tapped.
    pub fn choose(&mut self, service_id: &str) -> Vec<Effect> {
        if self.step != Step::Services {
            return Vec::new();
        }
        let Some(service) = self.services.iter().find(|s| s.id == service_id).cloned() else {
            return Vec::new();
        };
        if service.state != ServiceState::Open {
            return Vec::new();
        }
        let policy = service.id_card;
        self.service = Some(service);
        match policy {
            IdCardPolicy::Off => self.issue(PriorityKind::None),
            _ if self.card.is_some() => self.check_active(),
            IdCardPolicy::Required if self.reader_unavailable() => {
                self.fail(FlowError::CardNeeded);
                Vec::new()
            }
            _ => {
                self.step = Step::IdPrompt;
                Vec::new()
            }
        }
    }

    /// "Continue without the ID card".
    pub fn skip_card(&mut self) -> Vec<Effect> {
        if self.step != Step::IdPrompt || self.card_required() {
            return Vec::new();
        }
        self.issue(PriorityKind::None)
    }

    /// A card was read (its summary: the raw card is already gone).
    pub fn card_read(&mut self, card: CardSummary) -> Vec<Effect> {
        if self.reader_configured {
            self.reader = ReaderState::Ready;
        }
        self.card_on_reader = true;
        if self.step != Step::IdPrompt {
            // Not asked for: forget it at once.
            return Vec::new();
        }
        self.card = Some(card);
        self.check_active()
    }

    /// The card that was read has been lifted off the reader.
    pub fn card_removed(&mut self) {
        self.card_on_reader = false;
    }

    /// The reader reported a state change (not a card).
    pub fn reader_changed(&mut self, state: ReaderState) -> Vec<Effect> {
        if !self.reader_configured {
            return Vec::new();
        }
        self.reader = state;
        if self.step == Step::IdPrompt && self.card_required() && state == ReaderState::Failing {
            self.fail(FlowError::CardNeeded);
        }
        Vec::new()
    }

    /// The answer to "does this person already hold a ticket?".
    pub fn active_found(
        &mut self,
        generation: u64,
        result: Result<Option<IssuedTicket>, QueueError>,
    ) -> Vec<Effect> {
        if generation != self.generation || self.step != Step::Issuing {
            return Vec::new();
        }
        match result {
            Ok(Some(ticket)) => self.show_existing(ticket),
            // Unknown: issue; the host refuses a second ticket anyway (`already_active`).
            Ok(None) | Err(_) => {
                let elderly = self
                    .card
                    .as_ref()
                    .and_then(|c| c.age)
                    .is_some_and(|a| a >= self.elderly_age);
                let allowed = self.service.as_ref().is_some_and(|s| s.priority_allowed);
                if elderly && allowed {
                    self.step = Step::Elderly;
                    Vec::new()
                } else {
                    self.issue(PriorityKind::None)
                }
            }
        }
    }

    /// The answer to the offer of priority service for seniors.
    pub fn choose_elderly(&mut self, accept: bool) -> Vec<Effect> {
        if self.step != Step::Elderly {
            return Vec::new();
        }
        self.issue(if accept {
            PriorityKind::Elderly
        } else {
            PriorityKind::None
        })
    }

    /// The queue answered the issue request.
    pub fn issued(
        &mut self,
        generation: u64,
        result: Result<IssuedTicket, QueueError>,
    ) -> Vec<Effect> {
        if generation != self.generation {
            return Vec::new();
        }
        match result {
            Ok(ticket) => {
                self.pending = None;
                self.ticket = Some(ticket);
                self.print = PrintState::Printing;
                self.step = Step::Ticket;
                Vec::new()
            }
            Err(QueueError::AlreadyActive { ticket_id, .. }) => {
                self.pending = None;
                vec![Effect::FetchTicket {
                    id: ticket_id,
                    generation,
                }]
            }
            Err(err) => {
                let error = classify_error(&err);
                if error != FlowError::Unreachable {
                    self.pending = None;
                }
                tracing::warn!("ticket not issued: {err}");
                self.fail(error);
                Vec::new()
            }
        }
    }

    /// The existing ticket arrived after an `already_active` refusal.
    pub fn ticket_fetched(
        &mut self,
        generation: u64,
        result: Result<IssuedTicket, QueueError>,
    ) -> Vec<Effect> {
        if generation != self.generation {
            return Vec::new();
        }
        match result {
            Ok(ticket) => self.show_existing(ticket),
            Err(err) => {
                let error = classify_error(&err);
                self.fail(error);
                Vec::new()
            }
        }
    }

    /// The printer finished (or gave up on) the ticket on screen.
    pub fn printed(&mut self, generation: u64, state: PrintState) -> Vec<Effect> {
        if generation != self.generation || self.step != Step::Ticket {
            return Vec::new();
        }
        self.print = state;
        vec![Effect::StartHomeCountdown]
    }

    /// "Try again" after the queue host could not be reached: the same request, same key.
    pub fn retry(&mut self) -> Vec<Effect> {
        if self.step != Step::Error || self.error != Some(FlowError::Unreachable) {
            return Vec::new();
        }
        let Some(request) = self.pending.clone() else {
            return Vec::new();
        };
        self.error = None;
        self.step = Step::Issuing;
        vec![Effect::Issue {
            request,
            generation: self.generation,
        }]
    }

    /// "Print it again" on the existing ticket.
    pub fn reprint(&mut self) -> Vec<Effect> {
        if self.step != Step::Existing {
            return Vec::new();
        }
        let Some(ticket) = self.ticket.clone() else {
            return Vec::new();
        };
        self.step = Step::Ticket;
        self.print = PrintState::Printing;
        vec![Effect::Reprint {
            ticket,
            generation: self.generation,
        }]
    }

    /// Back one step: to the service list (the page's own back button leaves from there).
    pub fn back(&mut self) -> Vec<Effect> {
        if self.step == Step::Issuing {
            return Vec::new();
        }
        self.reset_to_services();
        vec![Effect::LoadServices, Effect::StopHomeCountdown]
    }

    /// The session ended (home, or idle): drop the card and everything of this citizen.
    pub fn end_session(&mut self) -> Vec<Effect> {
        self.card = None;
        self.reset_to_services();
        vec![Effect::StopHomeCountdown]
    }

    fn reset_to_services(&mut self) {
        self.generation += 1;
        self.step = Step::Services;
        self.service = None;
        self.pending = None;
        self.ticket = None;
        self.error = None;
        self.print = PrintState::Printing;
        if self.reader_configured
            && matches!(self.reader, ReaderState::ReadFailed | ReaderState::Unusable)
        {
            self.reader = ReaderState::Ready;
        }
    }

    fn card_required(&self) -> bool {
        self.service
            .as_ref()
            .is_some_and(|s| s.id_card == IdCardPolicy::Required)
    }

    fn reader_unavailable(&self) -> bool {
        matches!(self.reader, ReaderState::Absent | ReaderState::Failing)
    }

    fn check_active(&mut self) -> Vec<Effect> {
        let (Some(card), Some(service)) = (&self.card, &self.service) else {
            return Vec::new();
        };
        self.generation += 1;
        self.step = Step::Issuing;
        vec![Effect::FindActive {
            identity: card.token.clone(),
            service: service.id.clone(),
            generation: self.generation,
        }]
    }

    fn show_existing(&mut self, ticket: IssuedTicket) -> Vec<Effect> {
        self.ticket = Some(ticket);
        self.step = Step::Existing;
        Vec::new()
    }

    fn issue(&mut self, priority: PriorityKind) -> Vec<Effect> {
        let Some(service) = &self.service else {
            return Vec::new();
        };
        let mut key = [0u8; 16];
        rand::rng().fill_bytes(&mut key);
        let request = IssueRequest {
            service: service.id.clone(),
            priority,
            identity: self.card.as_ref().map(|c| c.token.clone()),
            idempotency_key: Some(hex::encode(key)),
        };
        self.generation += 1;
        self.pending = Some(request.clone());
        self.step = Step::Issuing;
        vec![Effect::Issue {
            request,
            generation: self.generation,
        }]
    }

    fn fail(&mut self, error: FlowError) {
        self.error = Some(error);
        self.step = Step::Error;
    }
}

/// Sorts a queue error into what the citizen is told.
pub fn classify_error(err: &QueueError) -> FlowError {
    match err {
        QueueError::ServiceUnavailable { reason, .. } => {
            let (zh, en) = split_bilingual(reason);
            FlowError::Unavailable { zh, en }
        }
        QueueError::IdentityRequired(_) => FlowError::CardNeeded,
        QueueError::Remote(_) => FlowError::Unreachable,
        QueueError::Refused {
            status,
            code,
            message,
        } => match (status, code.as_deref()) {
            (409, Some("service_unavailable")) => {
                let reason = message
                    .split_once(": ")
                    .map_or(message.as_str(), |(_, r)| r);
                let (zh, en) = split_bilingual(reason);
                FlowError::Unavailable { zh, en }
            }
            (422, Some("identity_required")) => FlowError::CardNeeded,
            (500.., _) => FlowError::Unreachable,
            _ => FlowError::Other(err.to_string()),
        },
        other => FlowError::Other(other.to_string()),
    }
}

/// Splits `中文 / English` into its halves (the whole text for both when there is no slash).
pub fn split_bilingual(text: &str) -> (String, String) {
    match text.split_once(" / ").or_else(|| text.split_once("/ ")) {
        Some((zh, en)) => (zh.trim().to_owned(), en.trim().to_owned()),
        None => (text.to_owned(), text.to_owned()),
    }
}

#[cfg(test)]
mod tests;
