//! Binds the [`Flow`] to the window: answers the page's callbacks, runs effects on the async
//! runtime (queue, printer), feeds their answers back on the UI thread and shows the state.
//!
//! Background work never touches Slint: tasks send [`Msg`]s on a channel that the UI thread
//! drains (every 50 ms in the running kiosk, or on demand in tests with
//! [`TakeNumberController::wait_for`]).

use std::{
    cell::RefCell,
    rc::{Rc, Weak},
    sync::{Arc, mpsc},
    time::Duration,
};

use futures_util::StreamExt;
use id_reader::{Reader, ReaderEvent, SimReader};
use slint::{ComponentHandle, ModelRc, SharedString, Timer, TimerMode, VecModel};
use tokio::{
    runtime::Handle,
    sync::{broadcast, watch},
};

use super::{
    card::{CardCheck, CardSummary, SampleCard},
    directory::{Bilingual, Directory},
    flow::{Effect, Flow, FlowError, ReaderState, Step, split_bilingual},
    options::TakeNumberOptions,
    printing::{PrintContext, PrintReport, PrintState, print_ticket},
    qr::qr_image,
};
use crate::{
    bookings::{BookingBook, Lookup},
    devices::PrinterService,
    ui::{
        AppWindow, CardReaderStatus, Nav, Page, ServiceQueueInfo, Session, Shell,
        TakeNumberAdapter, TakeNumberError, TakeNumberStep, TicketPrintStatus,
        page_work::{HomeCountdown, PageTasks, apply_until},
    },
};
use queue::{
    DeviceAlerts, EventPayload, IssuedTicket, PrinterAlert, QueueClient, QueueError, ServiceState,
    ServiceStatus,
};

/// An answer from the background, for the UI thread.
#[derive(Debug)]
enum Msg {
    Services(Result<Vec<ServiceStatus>, QueueError>),
    /// A card read, and what today's bookings hold for its number (when a booking list is shared).
    Card(Box<CardSummary>, Option<Lookup>),
    CardRemoved,
    Reader(ReaderState),
    Active(u64, Result<Option<IssuedTicket>, QueueError>),
    Issued(u64, Result<IssuedTicket, QueueError>),
    Fetched(u64, Result<IssuedTicket, QueueError>),
    Printed(u64, PrintReport),
}

/// The devices and services the flow works with.
pub struct TakeNumberDeps {
    /// The queue (on this device or over the LAN).
    pub queue: Arc<dyn QueueClient>,
    /// The ticket printer.
    pub printer: PrinterService,
    /// The ID card reader's events; none when no reader is attached.
    pub reader: Option<Reader>,
    /// The simulated reader, in simulated mode (enables the "simulated card" buttons).
    pub simulator: Option<SimReader>,
    /// The async runtime that runs queue and printer work.
    pub runtime: Handle,
}

impl std::fmt::Debug for TakeNumberDeps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TakeNumberDeps")
            .field("printer", &self.printer)
            .field("reader", &self.reader.is_some())
            .field("simulated", &self.simulator.is_some())
            .finish_non_exhaustive()
    }
}

struct Inner {
    window: slint::Weak<AppWindow>,
    flow: RefCell<Flow>,
    rx: mpsc::Receiver<Msg>,
    tx: mpsc::Sender<Msg>,
    queue: Arc<dyn QueueClient>,
    printer: PrinterService,
    simulator: Option<SimReader>,
    options: TakeNumberOptions,
    directory: Arc<Directory>,
    alerts: watch::Sender<PrinterAlert>,
    reports: broadcast::Sender<PrintReport>,
    card_checks: broadcast::Sender<CardCheck>,
    pump_timer: Timer,
    home: HomeCountdown,
    shown_services: RefCell<Option<Vec<ServiceStatus>>>,
    shown_qr: RefCell<String>,
    tasks: PageTasks,
    /// Today's bookings, looked up with each card's number while the card is held (check-in).
    card_bookings: Arc<std::sync::Mutex<Option<BookingBook>>>,
    /// Takes a card read while another page (check-in) wants it; true when it did.
    card_router: RefCell<Option<CardRouter>>,
    card_listeners: RefCell<Vec<CardListener>>,
    /// Whether cards are read in full for an application ([`Self::share_full_card`]).
    full_card: Arc<std::sync::atomic::AtomicBool>,
}

/// A page that may take a card read instead of the take-a-number flow (see
/// [`TakeNumberController::route_cards`]).
pub type CardRouter = Rc<dyn Fn(&CardSummary, &Lookup) -> bool>;

/// Another page's claim on the cards read (the video call's optional card): it gets each card
/// first and returns true when the card was for it.
pub type CardListener = Rc<dyn Fn(&CardSummary) -> bool>;

/// The take-a-number flow, attached to the kiosk's window. Cheap to clone.
#[derive(Clone)]
pub struct TakeNumberController {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for TakeNumberController {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TakeNumberController")
            .field("step", &self.step())
            .finish_non_exhaustive()
    }
}

impl TakeNumberController {
    /// Attaches the flow to `shell`'s window: callbacks, reader events, staff reprints, printer
    /// alerts, and the session-end hook that drops the card data.
    pub fn attach(shell: &Shell, options: TakeNumberOptions, deps: TakeNumberDeps) -> Self {
        let (tx, rx) = mpsc::channel();
        let (alerts, alerts_rx) = watch::channel(PrinterAlert::Ok);
        let (reports, _) = broadcast::channel(64);
        let directory = Arc::new(Directory::new(
            options.queue.services.clone(),
            options.queue.windows.clone(),
        ));
        let flow = Flow::new(deps.reader.is_some(), options.elderly_age);
        let inner = Rc::new(Inner {
            window: shell.window().as_weak(),
            flow: RefCell::new(flow),
            rx,
            tx,
            queue: deps.queue,
            printer: deps.printer,
            simulator: deps.simulator,
            options,
            directory,
            alerts,
            reports,
            card_checks: broadcast::channel(8).0,
            pump_timer: Timer::default(),
            home: HomeCountdown::default(),
            shown_services: RefCell::new(None),
            shown_qr: RefCell::new(String::new()),
            tasks: PageTasks::new(deps.runtime),
            card_bookings: Arc::new(std::sync::Mutex::new(None)),
            card_router: RefCell::new(None),
            card_listeners: RefCell::new(Vec::new()),
            full_card: Arc::default(),
        });
        let this = Self { inner };
        this.spawn_alert_reporter(alerts_rx);
        this.spawn_reprint_listener();
        if let Some(reader) = deps.reader {
            this.spawn_reader(reader);
        }
        this.bind_callbacks(shell.window());
        {
            let weak = Rc::downgrade(&this.inner);
            shell.on_session_end(move || {
                if let Some(inner) = weak.upgrade() {
                    Self { inner }.end_session();
                }
            });
        }
        {
            let weak = Rc::downgrade(&this.inner);
            this.inner.pump_timer.start(
                TimerMode::Repeated,
                Duration::from_millis(50),
                move || {
                    if let Some(inner) = weak.upgrade() {
                        Self { inner }.pump();
                    }
                },
            );
        }
        this.render();
        this
    }

    /// The step on screen.
    pub fn step(&self) -> Step {
        self.inner.flow.borrow().step()
    }

    /// Whether any ID card data of the current session is held (masked name, age, token).
    pub fn holds_card_data(&self) -> bool {
        self.inner.flow.borrow().card().is_some()
    }

    /// Reads the flow's state.
    pub fn with_flow<T>(&self, f: impl FnOnce(&Flow) -> T) -> T {
        f(&self.inner.flow.borrow())
    }

    /// Shares the reader with the check-in page: each card's number is also looked up in `book`
    /// (before the card is dropped), and `router` gets the result first; when it returns true the
    /// card was for it and the take-a-number flow does not see it.
    pub fn route_cards(&self, book: BookingBook, router: CardRouter) {
        *self
            .inner
            .card_bookings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(book);
        *self.inner.card_router.borrow_mut() = Some(router);
    }

    /// Lets another page claim cards: `listener` sees each card read before the take-a-number flow
    /// (and check-in) and returns true when it was for it.
    pub fn listen_cards(&self, listener: CardListener) {
        self.inner.card_listeners.borrow_mut().push(listener);
    }

    /// While `on`, a card read carries its holder in full ([`CardSummary::applicant`]) to the
    /// listeners: the application page turns this on on its applicant screen and off when it leaves
    /// it. The take-a-number flow never keeps it.
    pub fn share_full_card(&self, on: bool) {
        self.inner
            .full_card
            .store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// The simulated reader, in simulated mode.
    pub fn simulator(&self) -> Option<SimReader> {
        self.inner.simulator.clone()
    }

    /// Every print's outcome (new tickets, citizen reprints, staff reprints), as it happens.
    pub fn print_reports(&self) -> broadcast::Receiver<PrintReport> {
        self.inner.reports.subscribe()
    }

    /// Every card the reader reads or fails to read, masked (the technician's test read).
    pub fn card_checks(&self) -> broadcast::Receiver<CardCheck> {
        self.inner.card_checks.subscribe()
    }

    /// Applies background answers until `done` holds or `timeout` passes; true when it held.
    /// (The running kiosk applies them from a timer; tests and screenshots wait here.)
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&Flow) -> bool) -> bool {
        apply_until(
            &self.inner.rx,
            timeout,
            || done(&self.inner.flow.borrow()),
            |msg| self.handle(msg),
        )
    }

    /// Applies every answer that has arrived.
    pub fn pump(&self) {
        while let Ok(msg) = self.inner.rx.try_recv() {
            self.handle(msg);
        }
    }

    /// Ends the citizen's session: the card summary and the flow's state are dropped.
    pub fn end_session(&self) {
        let effects = self.inner.flow.borrow_mut().end_session();
        if let Some(sim) = &self.inner.simulator {
            sim.remove();
        }
        self.run(effects);
    }

    fn handle(&self, msg: Msg) {
        let effects = {
            let mut flow = self.inner.flow.borrow_mut();
            match msg {
                Msg::Services(result) => flow.services_loaded(result),
                Msg::Card(card, lookup) => {
                    let listeners = self.inner.card_listeners.borrow().clone();
                    if !listeners.is_empty() {
                        drop(flow);
                        if listeners.iter().any(|claim| claim(&card)) {
                            return;
                        }
                        flow = self.inner.flow.borrow_mut();
                    }
                    let router = self.inner.card_router.borrow().clone();
                    if let (Some(router), Some(lookup)) = (router, lookup.as_ref()) {
                        drop(flow);
                        if router(&card, lookup) {
                            return;
                        }
                        flow = self.inner.flow.borrow_mut();
                    }
                    let mut card = *card;
                    card.applicant = None;
                    flow.card_read(card)
                }
                Msg::CardRemoved => {
                    flow.card_removed();
                    Vec::new()
                }
                Msg::Reader(state) => flow.reader_changed(state),
                Msg::Active(generation, result) => flow.active_found(generation, result),
                Msg::Issued(generation, result) => flow.issued(generation, result),
                Msg::Fetched(generation, result) => flow.ticket_fetched(generation, result),
                Msg::Printed(generation, report) => flow.printed(generation, report.state),
            }
        };
        self.run(effects);
    }

    fn bind_callbacks(&self, window: &AppWindow) {
        let tn = window.global::<TakeNumberAdapter>();
        let weak = Rc::downgrade(&self.inner);
        let with = move |f: fn(&Self)| {
            let weak: Weak<Inner> = weak.clone();
            move || {
                if let Some(inner) = weak.upgrade() {
                    f(&Self { inner });
                }
            }
        };
        tn.on_open(with(|c| c.act(Flow::open)));
        tn.on_skip_card(with(|c| c.act(Flow::skip_card)));
        tn.on_retry(with(|c| {
            c.window(|w| w.global::<TakeNumberAdapter>().set_retrying(true));
            c.act(Flow::retry);
        }));
        tn.on_reprint(with(|c| c.act(Flow::reprint)));
        tn.on_back(with(|c| c.act(Flow::back)));
        let weak = Rc::downgrade(&self.inner);
        tn.on_choose_service(move |id| {
            if let Some(inner) = weak.upgrade() {
                Self { inner }.act(|flow| flow.choose(&id));
            }
        });
        let weak = Rc::downgrade(&self.inner);
        tn.on_open_for(move |id| {
            if let Some(inner) = weak.upgrade() {
                let this = Self { inner };
                this.inner.flow.borrow_mut().preselect(&id);
                this.window(|w| w.global::<Nav>().invoke_go(Page::TakeNumber));
            }
        });
        let weak = Rc::downgrade(&self.inner);
        tn.on_choose_elderly(move |accept| {
            if let Some(inner) = weak.upgrade() {
                Self { inner }.act(|flow| flow.choose_elderly(accept));
            }
        });
        let weak = Rc::downgrade(&self.inner);
        tn.on_simulate_card(move |kind| {
            if let Some(inner) = weak.upgrade()
                && let Some(sim) = &inner.simulator
            {
                let card = if kind == 1 {
                    SampleCard::Elderly
                } else {
                    SampleCard::Citizen
                };
                sim.place(&card.card());
            }
        });
    }

    fn act(&self, f: impl FnOnce(&mut Flow) -> Vec<Effect>) {
        let effects = f(&mut self.inner.flow.borrow_mut());
        self.run(effects);
    }

    fn run(&self, effects: Vec<Effect>) {
        for effect in effects {
            self.run_effect(effect);
        }
        self.render();
    }

    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        self.inner.tasks.spawn(task);
    }

    fn run_effect(&self, effect: Effect) {
        let (queue, tx) = (Arc::clone(&self.inner.queue), self.inner.tx.clone());
        match effect {
            Effect::LoadServices => self.spawn(async move {
                let _ = tx.send(Msg::Services(queue.services().await));
            }),
            Effect::FindActive {
                identity,
                service,
                generation,
            } => self.spawn(async move {
                let _ = tx.send(Msg::Active(
                    generation,
                    queue.find_active(identity, service).await,
                ));
            }),
            Effect::FetchTicket { id, generation } => self.spawn(async move {
                let _ = tx.send(Msg::Fetched(generation, queue.ticket(id).await));
            }),
            Effect::Issue {
                request,
                generation,
            } => {
                let ctx = self.print_context(&request.service);
                let (printer, alerts, reports) = self.print_parts();
                self.spawn(async move {
                    let result = queue.issue(request).await;
                    let issued = result.as_ref().ok().cloned();
                    let _ = tx.send(Msg::Issued(generation, result));
                    // Printed even if the session has ended meanwhile: the number is the citizen's.
                    if let Some(ticket) = issued {
                        let report = print_ticket(&printer, &ticket, &ctx, false).await;
                        publish(&alerts, &reports, &report);
                        let _ = tx.send(Msg::Printed(generation, report));
                    }
                });
            }
            Effect::Reprint { ticket, generation } => {
                let ctx = self.print_context(&ticket.service);
                let (printer, alerts, reports) = self.print_parts();
                self.spawn(async move {
                    let report = print_ticket(&printer, &ticket, &ctx, true).await;
                    publish(&alerts, &reports, &report);
                    let _ = tx.send(Msg::Printed(generation, report));
                });
            }
            Effect::StartHomeCountdown => self.start_home_countdown(),
            Effect::StopHomeCountdown => {
                self.inner.home.stop();
            }
        }
    }

    fn print_parts(
        &self,
    ) -> (
        PrinterService,
        watch::Sender<PrinterAlert>,
        broadcast::Sender<PrintReport>,
    ) {
        (
            self.inner.printer.clone(),
            self.inner.alerts.clone(),
            self.inner.reports.clone(),
        )
    }

    /// What the ticket for `service` says beyond the queue's answer. A citizen who chose English
    /// gets the service's English name after the Chinese one; the window line always has both
    /// halves (`请到 3号窗口 办理 / Go to Window 3`).
    fn print_context(&self, service: &str) -> PrintContext {
        let flow = self.inner.flow.borrow();
        let names = flow.service().filter(|s| s.id == service).map_or_else(
            || self.inner.directory.names(service),
            |s| Bilingual {
                zh: s.name.clone(),
                en: s.name_en.clone(),
            },
        );
        let english = self
            .inner
            .window
            .upgrade()
            .is_some_and(|w| w.global::<Session>().get_english());
        let window = self.inner.directory.window_hint(service);
        PrintContext {
            centre: self.inner.options.centre_name.clone(),
            service: names.zh,
            service_en: (english && !names.en.is_empty()).then_some(names.en),
            window: window.as_ref().map(|h| h.zh.clone()),
            window_en: window.map(|h| h.en),
            masked_name: flow.card().map(|c| c.masked_name.clone()),
            utc_offset: self.inner.options.utc_offset,
        }
    }

    fn start_home_countdown(&self) {
        let printed = self.inner.flow.borrow().print().is_printed();
        let secs = self.inner.options.ticket_screen.as_secs().max(1) * if printed { 1 } else { 2 };
        let weak = Rc::downgrade(&self.inner);
        self.inner.home.start(secs, move |left| {
            let Some(inner) = weak.upgrade() else { return };
            let this = Self { inner };
            if left == 0 {
                this.inner.home.stop();
                // Home ends the session, which resets the flow through the session-end hook.
                this.window(|w| w.global::<Nav>().invoke_home());
            } else {
                this.render();
            }
        });
    }

    fn window(&self, f: impl FnOnce(&AppWindow)) {
        if let Some(window) = self.inner.window.upgrade() {
            f(&window);
        }
    }

    fn spawn_alert_reporter(&self, mut rx: watch::Receiver<PrinterAlert>) {
        let queue = Arc::clone(&self.inner.queue);
        self.spawn(async move {
            while rx.changed().await.is_ok() {
                let alert = *rx.borrow_and_update();
                match queue
                    .set_device_alerts(DeviceAlerts {
                        printer: alert,
                        ..DeviceAlerts::default()
                    })
                    .await
                {
                    Ok(()) => tracing::info!("printer alert reported to the queue: {alert:?}"),
                    Err(err) => tracing::warn!("cannot report the printer alert {alert:?}: {err}"),
                }
            }
        });
    }

    /// Staff ask for a reprint on their page; the queue names the issuing device.
    fn spawn_reprint_listener(&self) {
        let queue = Arc::clone(&self.inner.queue);
        let device = self.inner.options.device_name.clone();
        let directory = Arc::clone(&self.inner.directory);
        let (centre, utc_offset) = (
            self.inner.options.centre_name.clone(),
            self.inner.options.utc_offset,
        );
        let (printer, alerts, reports) = self.print_parts();
        self.spawn(async move {
            let mut events = match queue.subscribe(None).await {
                Ok(events) => events,
                Err(err) => {
                    tracing::warn!("no reprint requests: cannot follow the queue's events: {err}");
                    return;
                }
            };
            while let Some(event) = events.next().await {
                let Ok(event) = event else { continue };
                let EventPayload::ReprintRequested {
                    ticket_id,
                    device: to,
                    number,
                    ..
                } = event.payload
                else {
                    continue;
                };
                if to != device {
                    continue;
                }
                match queue.ticket(ticket_id).await {
                    Ok(ticket) => {
                        // Staff reprints belong to no session: the service in Chinese only,
                        // the window line in both languages.
                        let window = directory.window_hint(&ticket.service);
                        let ctx = PrintContext {
                            centre: centre.clone(),
                            service: directory.names(&ticket.service).zh,
                            service_en: None,
                            window: window.as_ref().map(|h| h.zh.clone()),
                            window_en: window.map(|h| h.en),
                            masked_name: None,
                            utc_offset,
                        };
                        tracing::info!("staff asked to reprint ticket {number}");
                        let report = print_ticket(&printer, &ticket, &ctx, true).await;
                        publish(&alerts, &reports, &report);
                    }
                    Err(err) => tracing::warn!("cannot reprint ticket {number}: {err}"),
                }
            }
        });
    }

    fn spawn_reader(&self, mut reader: Reader) {
        let (queue, tx) = (Arc::clone(&self.inner.queue), self.inner.tx.clone());
        let simulator = self.inner.simulator.clone();
        let offset = self.inner.options.utc_offset;
        let clock = Arc::clone(&self.inner.options.clock);
        let checks = self.inner.card_checks.clone();
        let bookings = Arc::clone(&self.inner.card_bookings);
        let full_card = Arc::clone(&self.inner.full_card);
        self.spawn(async move {
            while let Some(event) = reader.next_event().await {
                let msg = match event {
                    ReaderEvent::CardRead(card) => {
                        let _ = checks.send(CardCheck::Read {
                            masked_name: card.masked_name(),
                            masked_number: card.masked_id_number(),
                        });
                        let today = clock.now().with_timezone(&offset).date_naive();
                        let summary = CardSummary::from_card(&card, today, queue.as_ref()).map(
                            |mut summary| {
                                if full_card.load(std::sync::atomic::Ordering::SeqCst) {
                                    summary.applicant = Some(super::card::applicant_of(&card));
                                }
                                summary
                            },
                        );
                        let book = bookings
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .clone();
                        let lookup = book.map(|b| b.by_id_number(&card.id_number, today));
                        drop(card);
                        // A simulated card is lifted once read, like a citizen would.
                        if let Some(sim) = &simulator {
                            sim.remove();
                        }
                        match summary {
                            Ok(summary) => Msg::Card(Box::new(summary), lookup),
                            Err(err) => {
                                tracing::warn!("card read but not usable for a ticket: {err}");
                                Msg::Reader(ReaderState::Unusable)
                            }
                        }
                    }
                    ReaderEvent::CardRemoved => Msg::CardRemoved,
                    ReaderEvent::ReadFailed(why) => {
                        let _ = checks.send(CardCheck::Failed(why.to_string()));
                        tracing::info!("ID card not read: {why}");
                        Msg::Reader(ReaderState::ReadFailed)
                    }
                    ReaderEvent::ReaderLost { reason } => {
                        tracing::warn!("ID card reader lost: {reason}");
                        Msg::Reader(ReaderState::Failing)
                    }
                    ReaderEvent::ReaderRecovered => Msg::Reader(ReaderState::Ready),
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
            let _ = tx.send(Msg::Reader(ReaderState::Failing));
        });
    }

    /// Shows the flow's state on the page.
    fn render(&self) {
        let Some(window) = self.inner.window.upgrade() else {
            return;
        };
        let tn = window.global::<TakeNumberAdapter>();
        let flow = self.inner.flow.borrow();
        tn.set_step(match flow.step() {
            Step::Services => TakeNumberStep::Services,
            Step::IdPrompt => TakeNumberStep::IdPrompt,
            Step::Elderly => TakeNumberStep::Elderly,
            Step::Issuing => TakeNumberStep::Issuing,
            Step::Ticket => TakeNumberStep::Ticket,
            Step::Existing => TakeNumberStep::Existing,
            Step::Error => TakeNumberStep::Error,
        });
        self.render_services(&tn, &flow);
        tn.set_services_failed(flow.services_failed());
        tn.set_simulated_reader(self.inner.simulator.is_some());
        tn.set_elderly_age(i32::try_from(flow.elderly_age()).unwrap_or(i32::MAX));
        tn.set_reader(match flow.reader() {
            ReaderState::Ready => CardReaderStatus::Ready,
            ReaderState::Absent => CardReaderStatus::Absent,
            ReaderState::Failing => CardReaderStatus::Failing,
            ReaderState::ReadFailed => CardReaderStatus::ReadFailed,
            ReaderState::Unusable => CardReaderStatus::Unusable,
        });
        let service_id = flow
            .service()
            .map(|s| s.id.clone())
            .or_else(|| flow.ticket().map(|t| t.service.clone()));
        let (name, name_en) = match (flow.service(), &service_id) {
            (Some(s), _) => (s.name.clone(), s.name_en.clone()),
            (None, Some(id)) => {
                let n = self.inner.directory.names(id);
                (n.zh, n.en)
            }
            (None, None) => (String::new(), String::new()),
        };
        tn.set_service_name(name.into());
        tn.set_service_name_en(name_en.into());
        tn.set_card_required(
            flow.service()
                .is_some_and(|s| s.id_card == queue::IdCardPolicy::Required),
        );
        let card = flow.card();
        tn.set_masked_name(
            card.map(|c| c.masked_name.as_str())
                .unwrap_or_default()
                .into(),
        );
        tn.set_age(
            card.and_then(|c| c.age)
                .map_or(0, |a| i32::try_from(a).unwrap_or(0)),
        );
        self.render_ticket(&tn, &flow, service_id.as_deref());
        tn.set_home_in(i32::try_from(self.inner.home.left()).unwrap_or(0));
        let (error, zh, en) = match flow.error() {
            Some(FlowError::Unreachable) => {
                (TakeNumberError::Unreachable, String::new(), String::new())
            }
            Some(FlowError::Unavailable { zh, en }) => {
                (TakeNumberError::Unavailable, zh.clone(), en.clone())
            }
            Some(FlowError::CardNeeded) => {
                (TakeNumberError::CardNeeded, String::new(), String::new())
            }
            Some(FlowError::Other(msg)) => (TakeNumberError::Other, msg.clone(), msg.clone()),
            None => (TakeNumberError::Other, String::new(), String::new()),
        };
        tn.set_error(error);
        tn.set_error_detail(zh.into());
        tn.set_error_detail_en(en.into());
        tn.set_retrying(false);
    }

    fn render_services(&self, tn: &TakeNumberAdapter<'_>, flow: &Flow) {
        let mut shown = self.inner.shown_services.borrow_mut();
        if shown.as_deref() == Some(flow.services()) {
            return;
        }
        let now = self
            .inner
            .options
            .clock
            .now()
            .with_timezone(&self.inner.options.utc_offset)
            .naive_local();
        let tiles: Vec<ServiceQueueInfo> = flow
            .services()
            .iter()
            .map(|s| {
                let (mut reason, mut reason_en) =
                    split_bilingual(s.reason.as_deref().unwrap_or(""));
                if s.state != ServiceState::Open
                    && let Some(next) = self.inner.directory.next_opening(&s.id, now)
                {
                    reason = if s.state == ServiceState::Full {
                        format!("{reason}；{}再来取号", next.zh)
                    } else {
                        format!("{reason}；下次开始办理：{}", next.zh)
                    };
                    reason_en = format!("{reason_en}. Next opening: {}", next.en);
                }
                ServiceQueueInfo {
                    id: s.id.as_str().into(),
                    name: s.name.as_str().into(),
                    name_en: s.name_en.as_str().into(),
                    waiting: i32::try_from(s.waiting).unwrap_or(i32::MAX),
                    eta_lo: i32::try_from(s.eta_minutes.lo).unwrap_or(i32::MAX),
                    eta_hi: i32::try_from(s.eta_minutes.hi).unwrap_or(i32::MAX),
                    open: s.state == ServiceState::Open,
                    reason: reason.into(),
                    reason_en: reason_en.into(),
                }
            })
            .collect();
        tn.set_services(ModelRc::new(VecModel::from(tiles)));
        *shown = Some(flow.services().to_vec());
    }

    fn render_ticket(&self, tn: &TakeNumberAdapter<'_>, flow: &Flow, service: Option<&str>) {
        let ticket = flow.ticket();
        tn.set_number(ticket.map(|t| t.number.as_str()).unwrap_or_default().into());
        tn.set_priority(ticket.is_some_and(|t| t.priority.is_priority()));
        tn.set_ahead(ticket.map_or(0, |t| i32::try_from(t.ahead).unwrap_or(i32::MAX)));
        tn.set_eta_lo(ticket.map_or(0, |t| i32::try_from(t.eta_minutes.lo).unwrap_or(i32::MAX)));
        tn.set_eta_hi(ticket.map_or(0, |t| i32::try_from(t.eta_minutes.hi).unwrap_or(i32::MAX)));
        let hint = service
            .and_then(|s| self.inner.directory.window_hint(s))
            .unwrap_or_default();
        tn.set_window_hint(hint.zh.into());
        tn.set_window_hint_en(hint.en.into());
        tn.set_print(match flow.print() {
            PrintState::Printing => TicketPrintStatus::Printing,
            PrintState::Printed { .. } => TicketPrintStatus::Printed,
            PrintState::PaperOut => TicketPrintStatus::PaperOut,
            PrintState::CoverOpen => TicketPrintStatus::CoverOpen,
            PrintState::Interrupted => TicketPrintStatus::Interrupted,
            PrintState::Offline => TicketPrintStatus::Offline,
        });
        let url = ticket.map(|t| t.status_url.as_str()).unwrap_or_default();
        let mut shown = self.inner.shown_qr.borrow_mut();
        if *shown != url {
            tn.set_status_url(SharedString::from(url));
            tn.set_qr(if url.is_empty() {
                slint::Image::default()
            } else {
                qr_image(url).unwrap_or_default()
            });
            url.clone_into(&mut shown);
        }
    }
}

fn publish(
    alerts: &watch::Sender<PrinterAlert>,
    reports: &broadcast::Sender<PrintReport>,
    report: &PrintReport,
) {
    alerts.send_if_modified(|current| {
        let changed = *current != report.alert;
        *current = report.alert;
        changed
    });
    let _ = reports.send(report.clone());
}
