//! Binds the check-in [`Flow`] to the window: the page's callbacks, the code scanner, the cards the
//! take-a-number controller routes here, the queue, the printer and the outbox.
//!
//! Background work never touches Slint: tasks send [`Msg`]s on a channel that the UI thread drains
//! (every 50 ms, or on demand in tests and screenshots with [`CheckInController::wait_for`]).

use std::{
    cell::RefCell,
    rc::Rc,
    sync::{Arc, mpsc},
    time::Duration,
};

use chrono::{DateTime, FixedOffset, Utc};
use code_scanner::{Scanner, ScannerEvent, SerialSim};
use content::{
    Outbox, OutboxPayload,
    booking::{BookingEntry, BookingUpdate, CheckIn as CentreCheckIn},
};
use id_reader::SimReader;
use queue::{Booking, CheckIn, CheckedIn, IdentityToken, IssueRequest, QueueClient, QueueError};
use slint::{ComponentHandle as _, ModelRc, SharedString, Timer, TimerMode, VecModel};
use tokio::runtime::Handle;

use super::flow::{Effect, Failure, Flow, Step, Timing};
use crate::{
    bookings::{BookingBook, demo},
    devices::PrinterService,
    ui::{
        AppWindow, BookingRow, CheckInAdapter, CheckInError, CheckInStep, CheckInTiming,
        KeyboardMode, Nav, Page, Session, Shell, TicketPrintStatus,
        keyboard::{KeyboardController, set_keyboard_mode},
        page_work::{HomeCountdown, PageTasks, apply_until},
        take_number::{
            PrintReport, PrintState, TakeNumberController, TakeNumberOptions,
            card::SampleCard,
            directory::Directory,
            printing::{PrintContext, print_ticket},
        },
    },
};

/// Longest code accepted from the keyboard (`B-7K3M-9QXA` with room for spaces).
const CODE_MAX_CHARS: usize = 16;

/// An answer from the background, for the UI thread.
#[derive(Debug)]
enum Msg {
    Scanned(String),
    CheckedIn(u64, Result<CheckedIn, QueueError>),
    Printed(u64, PrintReport),
}

/// The devices and services check-in works with.
pub struct CheckInDeps {
    /// The queue (on this device or over the LAN).
    pub queue: Arc<dyn QueueClient>,
    /// The ticket printer.
    pub printer: PrinterService,
    /// Today's bookings.
    pub book: BookingBook,
    /// The code scanner's events; none when no scanner is attached.
    pub scanner: Option<Scanner>,
    /// The simulated scanner, in simulated mode.
    pub scanner_sim: Option<Arc<SerialSim>>,
    /// The take-a-number controller, which owns the ID card reader and routes cards here.
    pub take_number: Option<TakeNumberController>,
    /// Where the check-in is reported to the centre (`booking_update`); none: not reported.
    pub outbox: Option<Outbox>,
    /// The async runtime that runs queue and printer work.
    pub runtime: Handle,
}

impl std::fmt::Debug for CheckInDeps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckInDeps")
            .field("scanner", &self.scanner.is_some())
            .field("outbox", &self.outbox.is_some())
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
    book: BookingBook,
    outbox: Option<Outbox>,
    options: TakeNumberOptions,
    directory: Directory,
    scanner_sim: Option<Arc<SerialSim>>,
    card_sim: Option<SimReader>,
    keyboard: RefCell<Option<KeyboardController>>,
    pump_timer: Timer,
    home: HomeCountdown,
    tasks: PageTasks,
}

/// The check-in page, attached to the kiosk's window. Cheap to clone.
#[derive(Clone)]
pub struct CheckInController {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for CheckInController {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckInController")
            .field("step", &self.step())
            .finish_non_exhaustive()
    }
}

impl CheckInController {
    /// Attaches check-in to `shell`'s window: the page's callbacks, the scanner, the cards, the
    /// session-end hook; the home screen offers 预约签到 from now on.
    pub fn attach(shell: &Shell, options: TakeNumberOptions, deps: CheckInDeps) -> Self {
        let (tx, rx) = mpsc::channel();
        let card_sim = deps
            .take_number
            .as_ref()
            .and_then(TakeNumberController::simulator);
        let directory = Directory::new(
            options.queue.services.clone(),
            options.queue.windows.clone(),
        );
        let inner = Rc::new(Inner {
            window: shell.window().as_weak(),
            flow: RefCell::new(Flow::new()),
            rx,
            tx,
            queue: deps.queue,
            printer: deps.printer,
            book: deps.book,
            outbox: deps.outbox,
            options,
            directory,
            scanner_sim: deps.scanner_sim,
            card_sim,
            keyboard: RefCell::new(None),
            pump_timer: Timer::default(),
            home: HomeCountdown::default(),
            tasks: PageTasks::new(deps.runtime),
        });
        let this = Self { inner };
        let window = shell.window();
        window.global::<Session>().set_check_in_offered(true);
        let page = window.global::<CheckInAdapter>();
        page.set_card_reader(deps.take_number.is_some());
        page.set_scanner(deps.scanner.is_some());
        page.set_simulated(this.inner.scanner_sim.is_some() || this.inner.card_sim.is_some());
        page.set_grace_minutes(
            i32::try_from(this.inner.options.queue.appointments.late_grace_minutes)
                .unwrap_or(i32::MAX),
        );
        if let Some(take_number) = &deps.take_number {
            let weak = Rc::downgrade(&this.inner);
            take_number.route_cards(
                this.inner.book.clone(),
                Rc::new(move |card, lookup| {
                    let Some(inner) = weak.upgrade() else {
                        return false;
                    };
                    let this = Self { inner };
                    if this.page() != Some(Page::CheckIn) {
                        return false;
                    }
                    this.act(|flow| flow.card_looked_up(lookup.clone(), card.token.clone()));
                    true
                }),
            );
        }
        if let Some(scanner) = deps.scanner {
            this.spawn_scanner(scanner);
        }
        this.bind_callbacks(window);
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

    /// Reads the flow's state.
    pub fn with_flow<T>(&self, f: impl FnOnce(&Flow) -> T) -> T {
        f(&self.inner.flow.borrow())
    }

    /// Looks up a typed or scanned code, as the keyboard's 签到 or a scan does.
    pub fn enter_code(&self, text: &str) {
        let today = self.today();
        let lookup = self.inner.book.by_code(text, today);
        self.close_keyboard();
        self.act(|flow| flow.code_looked_up(text, lookup));
    }

    /// Applies background answers until `done` holds or `timeout` passes; true when it held.
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

    /// Ends the citizen's session: the booking shown and the typed code are dropped.
    pub fn end_session(&self) {
        self.close_keyboard();
        self.window(|w| w.global::<CheckInAdapter>().set_code(SharedString::new()));
        let effects = self.inner.flow.borrow_mut().end_session();
        self.run(effects);
    }

    fn handle(&self, msg: Msg) {
        match msg {
            Msg::Scanned(text) => match self.page() {
                Some(Page::CheckIn) => self.enter_code(&text),
                // A booking code scanned on the home screen opens check-in with it.
                Some(Page::Home) if content::booking::parse_booking_code(&text).is_some() => {
                    self.window(|w| w.global::<Nav>().invoke_go(Page::CheckIn));
                    self.enter_code(&text);
                }
                _ => tracing::info!("a code was scanned outside the check-in page: ignored"),
            },
            Msg::CheckedIn(generation, answer) => {
                self.act(|flow| flow.checked_in_answer(generation, answer));
            }
            Msg::Printed(generation, report) => {
                self.inner
                    .flow
                    .borrow_mut()
                    .printed(generation, report.state);
                self.render();
            }
        }
    }

    fn bind_callbacks(&self, window: &AppWindow) {
        let page = window.global::<CheckInAdapter>();
        let weak = Rc::downgrade(&self.inner);
        let with = move |f: fn(&Self)| {
            let weak = weak.clone();
            move || {
                if let Some(inner) = weak.upgrade() {
                    f(&Self { inner });
                }
            }
        };
        page.on_edit_code(with(Self::open_keyboard));
        page.on_submit_code(with(|c| {
            let text = c
                .inner
                .window
                .upgrade()
                .map(|w| w.global::<CheckInAdapter>().get_code().to_string())
                .unwrap_or_default();
            c.enter_code(&text);
        }));
        page.on_confirm(with(|c| c.act(Flow::confirm)));
        page.on_back(with(|c| {
            c.close_keyboard();
            c.act(Flow::back);
        }));
        let weak = Rc::downgrade(&self.inner);
        page.on_choose(move |index| {
            if let (Some(inner), Ok(index)) = (weak.upgrade(), usize::try_from(index)) {
                Self { inner }.act(|flow| flow.choose(index));
            }
        });
        let weak = Rc::downgrade(&self.inner);
        page.on_simulate_scan(move |n| {
            let Some(inner) = weak.upgrade() else { return };
            let code = match n {
                0 => demo::ON_TIME_CODE,
                1 => demo::EARLY_CODE,
                2 => demo::CANCELLED_CODE,
                _ => "https://example.invalid/not-a-booking",
            };
            let text = content::booking::qr_text(code);
            match &inner.scanner_sim {
                Some(sim) => {
                    if let Err(err) = sim.scan(&text) {
                        tracing::warn!("the simulated scanner failed: {err}");
                    }
                }
                None => Self { inner }.enter_code(&text),
            }
        });
        let weak = Rc::downgrade(&self.inner);
        page.on_simulate_card(move |n| {
            if let Some(inner) = weak.upgrade()
                && let Some(sim) = &inner.card_sim
            {
                let card = if n == 1 {
                    SampleCard::Elderly
                } else {
                    SampleCard::Citizen
                };
                sim.place(&card.card());
            }
        });
    }

    fn open_keyboard(&self) {
        let Some(window) = self.inner.window.upgrade() else {
            return;
        };
        let controller = KeyboardController::attach(&window, CODE_MAX_CHARS);
        set_keyboard_mode(&window, KeyboardMode::Letters, true);
        let page = window.global::<CheckInAdapter>();
        controller.set_text(&page.get_code());
        controller.on_change({
            let weak = window.as_weak();
            move |text| {
                if let Some(window) = weak.upgrade() {
                    window
                        .global::<CheckInAdapter>()
                        .set_code(text.to_ascii_uppercase().into());
                }
            }
        });
        let weak = Rc::downgrade(&self.inner);
        controller.on_done(move |text| {
            if let Some(inner) = weak.upgrade() {
                Self { inner }.enter_code(text);
            }
        });
        page.set_typing(true);
        *self.inner.keyboard.borrow_mut() = Some(controller);
    }

    fn close_keyboard(&self) {
        self.inner.keyboard.borrow_mut().take();
        self.window(|w| w.global::<CheckInAdapter>().set_typing(false));
    }

    fn act(&self, f: impl FnOnce(&mut Flow) -> Vec<Effect>) {
        let effects = f(&mut self.inner.flow.borrow_mut());
        self.run(effects);
    }

    fn run(&self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::CheckIn {
                    entry,
                    identity,
                    generation,
                } => self.check_in(entry, identity, generation),
                Effect::StartHomeCountdown => self.start_home_countdown(),
                Effect::StopHomeCountdown => {
                    self.inner.home.stop();
                }
            }
        }
        self.render();
    }

    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        self.inner.tasks.spawn(task);
    }

    /// Checks `entry` in, prints the ticket (a reprint when it had been checked in before), and
    /// reports the check-in to the centre. Printed and reported even if the session ends meanwhile.
    fn check_in(&self, entry: BookingEntry, identity: Option<IdentityToken>, generation: u64) {
        let (queue, tx) = (Arc::clone(&self.inner.queue), self.inner.tx.clone());
        let ctx = self.print_context(&entry);
        let printer = self.inner.printer.clone();
        let outbox = self.inner.outbox.clone();
        let clock = Arc::clone(&self.inner.options.clock);
        self.spawn(async move {
            let booking = Booking {
                code: entry.code.clone(),
                slot_start: entry.start,
                slot_end: entry.end,
            };
            let request = IssueRequest {
                identity,
                ..IssueRequest::new(entry.service.clone())
            };
            let answer = queue.check_in(request, booking).await;
            let done = answer.as_ref().ok().cloned();
            let _ = tx.send(Msg::CheckedIn(generation, answer));
            let Some(done) = done else { return };
            if let Some(outbox) = outbox {
                report_to_centre(&outbox, &done, clock.now());
            }
            let report = print_ticket(&printer, &done.ticket, &ctx, done.replayed).await;
            let _ = tx.send(Msg::Printed(generation, report));
        });
    }

    fn print_context(&self, entry: &BookingEntry) -> PrintContext {
        let names = self.inner.directory.names(&entry.service);
        let english = self
            .inner
            .window
            .upgrade()
            .is_some_and(|w| w.global::<Session>().get_english());
        let window = self.inner.directory.window_hint(&entry.service);
        PrintContext {
            centre: self.inner.options.centre_name.clone(),
            service: format!("{}（预约）", names.zh),
            service_en: (english && !names.en.is_empty()).then(|| format!("{} (booked)", names.en)),
            window: window.as_ref().map(|h| h.zh.clone()),
            window_en: window.map(|h| h.en),
            masked_name: Some(entry.masked_name.clone()),
            utc_offset: self.inner.options.utc_offset,
        }
    }

    fn start_home_countdown(&self) {
        let secs = self.inner.options.ticket_screen.as_secs().max(1) * 2;
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

    fn spawn_scanner(&self, mut scanner: Scanner) {
        let tx = self.inner.tx.clone();
        self.spawn(async move {
            while let Some(event) = scanner.next_event().await {
                match event {
                    ScannerEvent::Scan(scan) => {
                        if tx.send(Msg::Scanned(scan.text)).is_err() {
                            return;
                        }
                    }
                    ScannerEvent::Rejected(why) => tracing::info!("a scan was not read: {why}"),
                    ScannerEvent::State(_) => {}
                }
            }
        });
    }

    fn today(&self) -> chrono::NaiveDate {
        self.inner
            .options
            .clock
            .now()
            .with_timezone(&self.inner.options.utc_offset)
            .date_naive()
    }

    fn page(&self) -> Option<Page> {
        self.inner
            .window
            .upgrade()
            .map(|w| w.global::<Nav>().get_page())
    }

    fn window(&self, f: impl FnOnce(&AppWindow)) {
        if let Some(window) = self.inner.window.upgrade() {
            f(&window);
        }
    }

    /// Shows the flow's state on the page.
    fn render(&self) {
        let Some(window) = self.inner.window.upgrade() else {
            return;
        };
        let page = window.global::<CheckInAdapter>();
        let flow = self.inner.flow.borrow();
        let offset = self.inner.options.utc_offset;
        page.set_step(match flow.step() {
            Step::Prompt => CheckInStep::Prompt,
            Step::Choose => CheckInStep::Choose,
            Step::Confirm => CheckInStep::Confirm,
            Step::Issuing => CheckInStep::Issuing,
            Step::Ticket => CheckInStep::Ticket,
            Step::Error => CheckInStep::Error,
        });
        let rows: Vec<BookingRow> = flow.choices().iter().map(|e| self.row(e, offset)).collect();
        page.set_choices(ModelRc::new(VecModel::from(rows)));
        page.set_booking(
            flow.chosen()
                .map(|e| self.row(e, offset))
                .unwrap_or_default(),
        );
        page.set_by_card(flow.by_card());
        let grace = chrono::Duration::minutes(i64::from(
            self.inner.options.queue.appointments.late_grace_minutes,
        ));
        page.set_timing(match flow.timing(self.inner.options.clock.now(), grace) {
            Some(Timing::Early) => CheckInTiming::Early,
            Some(Timing::Late) => CheckInTiming::Late,
            Some(Timing::OnTime) | None => CheckInTiming::OnTime,
        });
        let done = flow.checked_in();
        page.set_number(
            done.map(|d| d.ticket.number.as_str())
                .unwrap_or_default()
                .into(),
        );
        page.set_ahead(done.map_or(0, |d| i32::try_from(d.ticket.ahead).unwrap_or(i32::MAX)));
        page.set_replayed(done.is_some_and(|d| d.replayed));
        let hint = flow
            .chosen()
            .and_then(|e| self.inner.directory.window_hint(&e.service))
            .unwrap_or_default();
        page.set_window_hint(hint.zh.into());
        page.set_window_hint_en(hint.en.into());
        page.set_print(match flow.print() {
            PrintState::Printing => TicketPrintStatus::Printing,
            PrintState::Printed { .. } => TicketPrintStatus::Printed,
            PrintState::PaperOut => TicketPrintStatus::PaperOut,
            PrintState::CoverOpen => TicketPrintStatus::CoverOpen,
            PrintState::Interrupted => TicketPrintStatus::Interrupted,
            PrintState::Offline => TicketPrintStatus::Offline,
        });
        page.set_home_in(i32::try_from(self.inner.home.left()).unwrap_or(0));
        let (error, code, zh, en) = match flow.failure() {
            None => (CheckInError::NotFound, "", "", ""),
            Some(Failure::NoList) => (CheckInError::NoList, "", "", ""),
            Some(Failure::NotACode(c)) => (CheckInError::NotACode, c.as_str(), "", ""),
            Some(Failure::NotFound(c)) => (CheckInError::NotFound, c.as_str(), "", ""),
            Some(Failure::CardNoMatch) => (CheckInError::CardNoMatch, "", "", ""),
            Some(Failure::Cancelled(c)) => (CheckInError::Cancelled, c.as_str(), "", ""),
            Some(Failure::NoShow(c)) => (CheckInError::NoShow, c.as_str(), "", ""),
            Some(Failure::CardNeeded) => (CheckInError::CardNeeded, "", "", ""),
            Some(Failure::Unreachable) => (CheckInError::Unreachable, "", "", ""),
            Some(Failure::Refused { zh, en }) => {
                (CheckInError::Refused, "", zh.as_str(), en.as_str())
            }
        };
        page.set_error(error);
        page.set_error_code(code.into());
        page.set_error_detail(zh.into());
        page.set_error_detail_en(en.into());
    }

    fn row(&self, entry: &BookingEntry, offset: FixedOffset) -> BookingRow {
        let names = self.inner.directory.names(&entry.service);
        let (slot, slot_en) = slot_text(entry.start, entry.end, offset);
        BookingRow {
            code: entry.code.as_str().into(),
            service: names.zh.into(),
            service_en: names.en.into(),
            slot: slot.into(),
            slot_en: slot_en.into(),
            masked_name: entry.masked_name.as_str().into(),
            masked_phone: entry.masked_phone.as_str().into(),
        }
    }
}

/// `12月7日 10:00–10:30` and `7 Dec 10:00–10:30` in the site's time.
pub fn slot_text(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    offset: FixedOffset,
) -> (String, String) {
    let (s, e) = (start.with_timezone(&offset), end.with_timezone(&offset));
    (
        format!(
            "{} {}–{}",
            s.format("%-m月%-d日"),
            s.format("%H:%M"),
            e.format("%H:%M")
        ),
        format!(
            "{} {}–{}",
            s.format("%-d %b"),
            s.format("%H:%M"),
            e.format("%H:%M")
        ),
    )
}

/// Puts the check-in in the outbox for the centre (`booking:CODE:STATE`: a repeat is one item).
fn report_to_centre(outbox: &Outbox, done: &CheckedIn, now: DateTime<Utc>) {
    let state = match done.appointment.check_in {
        CheckIn::Early | CheckIn::OnTime => CentreCheckIn::CheckedIn,
        CheckIn::Late => CentreCheckIn::LateWalkIn,
    };
    let key = format!(
        "booking:{}:{}",
        done.appointment.code,
        state.state().as_str()
    );
    let update = BookingUpdate {
        code: done.appointment.code.clone(),
        state,
        ticket: done.ticket.number.clone(),
        at: now,
    };
    match outbox.submit_with_key(&key, OutboxPayload::BookingUpdate(update)) {
        Ok(_) => tracing::info!(
            "check-in of {} queued for the centre",
            done.appointment.code
        ),
        Err(err) => tracing::warn!(
            "check-in of {} not queued for the centre: {err}",
            done.appointment.code
        ),
    }
}
