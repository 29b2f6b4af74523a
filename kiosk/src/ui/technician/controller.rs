//! The technician page's controller: the PIN pad, the page's status and logs, and its actions.

use std::{
    cell::{Cell, RefCell},
    path::PathBuf,
    rc::Rc,
    sync::{Arc, mpsc},
    time::{Duration, Instant},
};

use id_reader::SimReader;
use slint::{ComponentHandle, ModelRc, SharedString, Timer, TimerMode, VecModel};
use tokio::runtime::Handle;

use super::{
    LogRing, PinLock, PinLockState, PinVerdict, StatusLine, StatusSources,
    actions::{self, ActionResult},
    status, window_count,
};
use crate::{
    config::{KioskConfig, PinHash},
    ui::{
        AppWindow, DeviceStatusRow, Nav, Page, Shell, TechnicianAdapter,
        take_number::{TakeNumberController, card::SampleCard},
    },
};
use content::Text;
use displays::led::Scene;
use queue::QueueConfig;

/// A monotonic clock for the lockout: time since any fixed start.
pub type MonotonicClock = Rc<dyn Fn() -> Duration>;

/// What the technician page needs from the configuration.
#[derive(Clone)]
pub struct TechnicianOptions {
    /// The PIN's hash.
    pub pin: PinHash,
    /// The PIN is the development PIN on a configured device: the page does not open at all.
    pub dev_pin_refused: bool,
    /// Wrong PINs in a row before the lockout.
    pub max_attempts: u32,
    /// How long the lockout lasts.
    pub lockout: Duration,
    /// The centre's name, printed on the test page.
    pub centre_name: String,
    /// This device's `[queue]` table (its windows).
    pub queue: QueueConfig,
    /// Whether this kiosk issues into another device's queue (no windows of its own).
    pub remote_queue: bool,
    /// Where the window count override is kept.
    pub data_dir: PathBuf,
    /// What the LED panel shows again after the test pattern.
    pub resting_scene: Scene,
    /// How long the LED test pattern stays.
    pub led_test: Duration,
    /// How long the test read waits for a card.
    pub card_wait: Duration,
    /// How often the status refreshes while the page is open.
    pub refresh: Duration,
    /// The lockout's clock.
    pub clock: MonotonicClock,
}

impl std::fmt::Debug for TechnicianOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TechnicianOptions")
            .field("max_attempts", &self.max_attempts)
            .field("lockout", &self.lockout)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl TechnicianOptions {
    /// Takes the options from the configuration; the lockout runs on the system's monotonic clock.
    ///
    /// `demo` is a run without a configuration file: only then (or with `[technician]
    /// allow_dev_pin = true` on a test bench) does the development PIN open the page.
    pub fn from_config(
        config: &KioskConfig,
        queue: &QueueConfig,
        data_dir: PathBuf,
        resting_scene: Scene,
        demo: bool,
    ) -> Self {
        let technician = &config.technician;
        let dev_pin_refused = technician.uses_dev_pin() && !demo && !technician.allow_dev_pin;
        if dev_pin_refused {
            tracing::error!(
                "the technician PIN is the development default: the technician page stays closed until \
                 [technician] pin_sha256 is set (kiosk technician hash-pin)"
            );
        } else if technician.uses_dev_pin() {
            tracing::warn!(
                "the technician PIN is the development default: set [technician] pin_sha256 (kiosk technician hash-pin)"
            );
        }
        let start = Instant::now();
        Self {
            // Checked when the configuration was loaded.
            pin: PinHash::parse(&technician.pin_sha256)
                .unwrap_or_else(|_| PinHash::parse(crate::config::DEV_PIN_SHA256).expect("valid")),
            dev_pin_refused,
            max_attempts: technician.max_attempts,
            lockout: Duration::from_secs(technician.lockout_secs),
            centre_name: config.site.name.clone(),
            queue: queue.clone(),
            remote_queue: config.ui.queue_host_url.is_some(),
            data_dir,
            resting_scene,
            led_test: Duration::from_secs(5),
            card_wait: Duration::from_secs(20),
            refresh: Duration::from_secs(2),
            clock: Rc::new(move || start.elapsed()),
        }
    }
}

/// The services the page reaches.
pub struct TechnicianDeps {
    /// Printer, LED panel, queue, content and outbox.
    pub sources: StatusSources,
    /// The take-a-number flow: its reader state and card reads (none: no reader line, no test card).
    pub take_number: Option<TakeNumberController>,
    /// The simulated reader, in simulated mode: the test read places a sample card on it.
    pub simulator: Option<SimReader>,
    /// The recent log lines.
    pub logs: LogRing,
    /// The async runtime for device and network work.
    pub runtime: Handle,
}

impl std::fmt::Debug for TechnicianDeps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TechnicianDeps")
            .field("sources", &self.sources)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
enum Msg {
    Status(Vec<StatusLine>),
    Done(u64, ActionResult),
}

struct Inner {
    window: slint::Weak<AppWindow>,
    options: TechnicianOptions,
    deps: TechnicianDeps,
    lock: RefCell<PinLock>,
    entry: RefCell<String>,
    tx: mpsc::Sender<Msg>,
    rx: mpsc::Receiver<Msg>,
    /// Bumped at each session end: results of actions from an earlier visit are dropped.
    generation: Cell<u64>,
    refreshing: Cell<bool>,
    pump_timer: Timer,
    refresh_timer: Timer,
    led_timer: Timer,
}

/// The technician page, attached to the kiosk's window. Cheap to clone.
#[derive(Clone)]
pub struct TechnicianController {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for TechnicianController {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TechnicianController")
            .finish_non_exhaustive()
    }
}

const MAX_PIN_DIGITS: usize = 8;

impl TechnicianController {
    /// Attaches the PIN pad and the page to `shell`'s window.
    pub fn attach(shell: &Shell, options: TechnicianOptions, deps: TechnicianDeps) -> Self {
        let (tx, rx) = mpsc::channel();
        let mut lock = PinLock::new(options.pin.clone(), options.max_attempts, options.lockout);
        lock.restore(PinLockState::load(&options.data_dir), (options.clock)());
        let inner = Rc::new(Inner {
            window: shell.window().as_weak(),
            options,
            deps,
            lock: RefCell::new(lock),
            entry: RefCell::new(String::new()),
            tx,
            rx,
            generation: Cell::new(0),
            refreshing: Cell::new(false),
            pump_timer: Timer::default(),
            refresh_timer: Timer::default(),
            led_timer: Timer::default(),
        });
        let this = Self { inner };
        this.bind(shell.window());
        {
            let weak = Rc::downgrade(&this.inner);
            shell.on_session_end(move || {
                if let Some(inner) = weak.upgrade() {
                    Self { inner }.lock_again();
                }
            });
        }
        let every = |timer: &Timer, period: Duration, f: fn(&Self)| {
            let weak = Rc::downgrade(&this.inner);
            timer.start(TimerMode::Repeated, period, move || {
                if let Some(inner) = weak.upgrade() {
                    f(&Self { inner });
                }
            });
        };
        every(
            &this.inner.pump_timer,
            Duration::from_millis(50),
            Self::pump,
        );
        every(
            &this.inner.refresh_timer,
            this.inner.options.refresh,
            Self::refresh_if_open,
        );
        this.reset_window_count();
        this
    }

    /// Whether the page is unlocked.
    pub fn unlocked(&self) -> bool {
        self.with_global(|t| t.get_unlocked()).unwrap_or(false)
    }

    /// Applies every answer that has arrived.
    pub fn pump(&self) {
        while let Ok(msg) = self.inner.rx.try_recv() {
            self.handle(msg);
        }
    }

    /// Applies background answers until `done` holds or `timeout` passes; true when it held. (The
    /// running kiosk applies them from a timer; tests wait here.)
    pub fn wait_until(&self, timeout: Duration, done: impl Fn() -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if done() {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.inner.rx.recv_timeout(left) {
                Ok(msg) => self.handle(msg),
                Err(_) => return done(),
            }
        }
    }

    /// Gathers the status and the logs now.
    pub fn refresh(&self) {
        self.show_logs();
        if self.inner.refreshing.replace(true) {
            return;
        }
        let reader = self
            .inner
            .deps
            .take_number
            .as_ref()
            .map(|tn| tn.with_flow(|flow| flow.reader()));
        let sources = self.inner.deps.sources.clone();
        let tx = self.inner.tx.clone();
        self.inner.deps.runtime.spawn(async move {
            let mut lines = status::gather(&sources, Duration::from_secs(5)).await;
            lines.insert(1, status::reader_line(reader));
            let _ = tx.send(Msg::Status(lines));
        });
    }

    fn with_global<T>(&self, f: impl FnOnce(&TechnicianAdapter<'_>) -> T) -> Option<T> {
        let window = self.inner.window.upgrade()?;
        let global = window.global::<TechnicianAdapter>();
        Some(f(&global))
    }

    fn bind(&self, window: &AppWindow) {
        let tech = window.global::<TechnicianAdapter>();
        let weak = Rc::downgrade(&self.inner);
        let with = move |f: &dyn Fn(&Self)| {
            if let Some(inner) = weak.upgrade() {
                f(&Self { inner });
            }
        };
        macro_rules! bind {
            ($setter:ident, $method:expr) => {{
                let with = with.clone();
                tech.$setter(move || with(&$method));
            }};
        }
        bind!(on_long_press, Self::open_pin_pad);
        bind!(on_pin_clear, Self::pin_clear);
        bind!(on_pin_submit, Self::pin_submit);
        bind!(on_pin_cancel, Self::pin_cancel);
        bind!(on_refresh, Self::refresh);
        bind!(on_print_test_page, Self::print_test_page);
        bind!(on_read_test_card, Self::read_test_card);
        bind!(on_led_test, Self::led_test);
        bind!(on_sync_now, Self::sync_now);
        bind!(on_save_window_count, Self::save_window_count);
        {
            let with = with.clone();
            tech.on_pin_digit(move |digit| with(&|this: &Self| this.pin_digit(&digit)));
        }
        tech.on_window_count_step(move |delta| with(&|this: &Self| this.step_window_count(delta)));
    }

    // --- PIN pad -------------------------------------------------------------------------------

    fn open_pin_pad(&self) {
        if self.unlocked() {
            return;
        }
        tracing::info!("technician PIN pad opened");
        self.inner.entry.borrow_mut().clear();
        let now = (self.inner.options.clock)();
        let locked = self.inner.lock.borrow().locked(now);
        self.with_global(|t| {
            t.set_pin_mask(SharedString::new());
            t.set_pin_pad_open(true);
        });
        // The idle timeout closes a pad nobody uses.
        if let Some(window) = self.inner.window.upgrade() {
            window.global::<Nav>().invoke_activity();
        }
        match locked {
            _ if self.inner.options.dev_pin_refused => self.pin_message(&dev_pin_text()),
            Some(remaining) => self.pin_message(&locked_text(remaining)),
            None => self.pin_message(&Text::new("请输入维护密码", "Enter the technician PIN")),
        }
    }

    fn pin_digit(&self, digit: &str) {
        let mut entry = self.inner.entry.borrow_mut();
        if digit.len() == 1
            && digit.bytes().all(|b| b.is_ascii_digit())
            && entry.len() < MAX_PIN_DIGITS
        {
            entry.push_str(digit);
        }
        let mask = "●".repeat(entry.len());
        drop(entry);
        self.with_global(|t| t.set_pin_mask(mask.into()));
    }

    fn pin_clear(&self) {
        self.inner.entry.borrow_mut().clear();
        self.with_global(|t| t.set_pin_mask(SharedString::new()));
    }

    fn pin_cancel(&self) {
        self.pin_clear();
        self.with_global(|t| t.set_pin_pad_open(false));
    }

    fn pin_submit(&self) {
        let pin = std::mem::take(&mut *self.inner.entry.borrow_mut());
        self.with_global(|t| t.set_pin_mask(SharedString::new()));
        if self.inner.options.dev_pin_refused {
            self.pin_message(&dev_pin_text());
            return;
        }
        let now = (self.inner.options.clock)();
        let (verdict, state) = {
            let mut lock = self.inner.lock.borrow_mut();
            let verdict = lock.check(&pin, now);
            (verdict, lock.state(now))
        };
        if let Err(err) = state.save(&self.inner.options.data_dir) {
            tracing::warn!("cannot save the technician PIN lockout: {err}");
        }
        match verdict {
            PinVerdict::Accepted => self.unlock(),
            PinVerdict::Wrong { tries_left } => self.pin_message(&Text::new(
                format!("密码不正确，还可尝试 {tries_left} 次"),
                format!("Wrong PIN: {tries_left} tries left"),
            )),
            PinVerdict::LockedOut { remaining } => self.pin_message(&locked_text(remaining)),
        }
    }

    fn pin_message(&self, text: &Text) {
        self.with_global(|t| {
            t.set_pin_message(text.zh.as_str().into());
            t.set_pin_message_en(text.en.as_str().into());
        });
    }

    fn unlock(&self) {
        let Some(window) = self.inner.window.upgrade() else {
            return;
        };
        tracing::info!("technician page unlocked");
        let tech = window.global::<TechnicianAdapter>();
        tech.set_pin_pad_open(false);
        tech.set_unlocked(true);
        self.set_result(None);
        self.reset_window_count();
        window.global::<Nav>().invoke_go(Page::Technician);
        self.refresh();
    }

    /// The session ended: lock the page, close the PIN pad, forget the visit's results.
    fn lock_again(&self) {
        self.inner.entry.borrow_mut().clear();
        self.inner
            .generation
            .set(self.inner.generation.get().wrapping_add(1));
        let was_unlocked = self.unlocked();
        self.with_global(|t| {
            t.set_unlocked(false);
            t.set_pin_pad_open(false);
            t.set_pin_mask(SharedString::new());
            t.set_busy(false);
        });
        self.set_result(None);
        if was_unlocked {
            tracing::info!("technician page locked (session ended)");
        }
    }

    // --- Page ----------------------------------------------------------------------------------

    fn refresh_if_open(&self) {
        let open = self
            .inner
            .window
            .upgrade()
            .is_some_and(|w| w.global::<Nav>().get_page() == Page::Technician);
        if open && self.unlocked() {
            self.refresh();
        }
    }

    fn show_logs(&self) {
        let lines: Vec<SharedString> = self
            .inner
            .deps
            .logs
            .newest_first()
            .into_iter()
            .map(SharedString::from)
            .collect();
        self.with_global(|t| t.set_logs(ModelRc::new(VecModel::from(lines))));
    }

    fn handle(&self, msg: Msg) {
        match msg {
            Msg::Status(lines) => {
                self.inner.refreshing.set(false);
                let rows: Vec<DeviceStatusRow> = lines
                    .into_iter()
                    .map(|line| DeviceStatusRow {
                        name: line.name.zh.into(),
                        name_en: line.name.en.into(),
                        value: line.value.zh.into(),
                        value_en: line.value.en.into(),
                        ok: line.ok,
                    })
                    .collect();
                self.with_global(|t| t.set_status(ModelRc::new(VecModel::from(rows))));
            }
            Msg::Done(generation, result) => {
                if generation != self.inner.generation.get() {
                    return;
                }
                self.with_global(|t| t.set_busy(false));
                self.set_result(Some(&result));
                self.refresh();
            }
        }
    }

    fn set_result(&self, result: Option<&ActionResult>) {
        let (line, ok) = match result {
            Some(result) => (result.line(), result.ok),
            None => (Text::default(), true),
        };
        self.with_global(|t| {
            t.set_result(line.zh.as_str().into());
            t.set_result_en(line.en.as_str().into());
            t.set_result_ok(ok);
        });
    }

    /// Starts an action unless one runs: shows `pending`, runs `task`, shows its result.
    fn run_action(&self, pending: Text, task: impl Future<Output = ActionResult> + Send + 'static) {
        if !self.unlocked() || self.with_global(|t| t.get_busy()).unwrap_or(true) {
            return;
        }
        self.with_global(|t| {
            t.set_busy(true);
            t.set_result(pending.zh.as_str().into());
            t.set_result_en(pending.en.as_str().into());
            t.set_result_ok(true);
        });
        let (tx, generation) = (self.inner.tx.clone(), self.inner.generation.get());
        self.inner.deps.runtime.spawn(async move {
            let result = task.await;
            let _ = tx.send(Msg::Done(generation, result));
        });
    }

    /// Shows the result of an action that needed no background work.
    fn finish_now(&self, result: ActionResult) {
        self.handle(Msg::Done(self.inner.generation.get(), result));
    }

    fn print_test_page(&self) {
        tracing::info!("technician: printing the test page");
        let printer = self.inner.deps.sources.printer.clone();
        let ticket = actions::test_ticket(
            &self.inner.options.centre_name,
            self.inner
                .deps
                .sources
                .store
                .now()
                .with_timezone(&chrono::Local)
                .naive_local(),
        );
        self.run_action(
            Text::new("正在打印测试页…", "Printing the test page…"),
            actions::print_test_page(printer, ticket),
        );
    }

    fn read_test_card(&self) {
        let Some(tn) = &self.inner.deps.take_number else {
            return self.finish_now(ActionResult::failed("未接入读卡器", "no reader attached"));
        };
        if tn.with_flow(|f| f.reader()) == crate::ui::take_number::ReaderState::Absent {
            return self.finish_now(ActionResult::failed(
                "未配置读卡器",
                "no ID card reader configured",
            ));
        }
        tracing::info!("technician: test card read");
        let checks = tn.card_checks();
        let wait = self.inner.options.card_wait;
        let pending = match &self.inner.deps.simulator {
            Some(sim) => {
                // Simulated mode: the sample card goes on the simulated reader, as a technician's card would.
                sim.place(&SampleCard::Citizen.card());
                Text::new(
                    "模拟读卡器：已放置样例证件…",
                    "Simulated reader: sample card placed…",
                )
            }
            None => Text::new(
                format!("请在 {} 秒内将身份证放在感应区…", wait.as_secs()),
                format!(
                    "Place an ID card on the reader within {} s…",
                    wait.as_secs()
                ),
            ),
        };
        self.run_action(pending, actions::read_test_card(checks, wait));
    }

    fn led_test(&self) {
        if !self.unlocked() || self.with_global(|t| t.get_busy()).unwrap_or(true) {
            return;
        }
        tracing::info!("technician: LED test pattern");
        let panel = Arc::clone(&self.inner.deps.sources.led_panel);
        let secs = self.inner.options.led_test.as_secs();
        let result = actions::show_led_test(&panel, secs);
        if result.ok {
            let scene = self.inner.options.resting_scene.clone();
            self.inner.led_timer.start(
                TimerMode::SingleShot,
                self.inner.options.led_test,
                move || {
                    actions::restore_led(&panel, &scene);
                },
            );
        }
        self.finish_now(result);
    }

    fn sync_now(&self) {
        tracing::info!("technician: content sync now");
        let store = self.inner.deps.sources.store.clone();
        self.run_action(
            Text::new("正在同步内容…", "Syncing content…"),
            actions::sync_now(store),
        );
    }

    // --- Window count --------------------------------------------------------------------------

    fn reset_window_count(&self) {
        let options = &self.inner.options;
        let max = options.queue.windows.len();
        let stored = window_count::read(&options.data_dir).ok().flatten();
        let current = stored.map_or(max, |n| n as usize);
        let (zh, en) = if options.remote_queue {
            (
                "本机不是排队主机：窗口在排队主机上设置".to_owned(),
                "This kiosk is not the queue host: windows are set on the host".to_owned(),
            )
        } else {
            (
                format!("已配置 {max} 个窗口。保存后重启生效，只影响本机。"),
                format!(
                    "{max} windows configured. Takes effect after a restart, on this device only."
                ),
            )
        };
        self.with_global(|t| {
            t.set_window_count(i32::try_from(current).unwrap_or(1));
            t.set_window_count_max(i32::try_from(max).unwrap_or(1));
            t.set_window_note(zh.into());
            t.set_window_note_en(en.into());
        });
    }

    fn step_window_count(&self, delta: i32) {
        self.with_global(|t| {
            let next = (t.get_window_count() + delta).clamp(1, t.get_window_count_max().max(1));
            t.set_window_count(next);
        });
    }

    fn save_window_count(&self) {
        if !self.unlocked() {
            return;
        }
        let options = &self.inner.options;
        let count = self
            .with_global(|t| t.get_window_count())
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0);
        let result = if options.remote_queue {
            ActionResult::failed(
                "本机不是排队主机，请在排队主机上设置窗口",
                "this kiosk is not the queue host; set the windows on the host",
            )
        } else if let Err(why) = window_count::check(&options.queue, count) {
            ActionResult::failed(why.zh, why.en)
        } else {
            match window_count::save(&options.data_dir, count) {
                Ok(()) => {
                    tracing::info!("technician: window count set to {count} (applies at restart)");
                    ActionResult::ok(
                        format!("窗口数量设为 {count}，重启后生效"),
                        format!("window count set to {count}; takes effect after a restart"),
                    )
                }
                Err(err) => {
                    ActionResult::failed(format!("无法保存：{err}"), format!("cannot save: {err}"))
                }
            }
        };
        self.finish_now(result);
    }
}

fn dev_pin_text() -> Text {
    Text::new(
        "维护密码仍为出厂默认值，维护页已停用。请用 kiosk technician hash-pin 设置新密码",
        "The technician PIN is still the factory default: the page is disabled. Set one with kiosk technician hash-pin",
    )
}

fn locked_text(remaining: Duration) -> Text {
    let minutes = remaining.as_secs().div_ceil(60).max(1);
    Text::new(
        format!("错误次数过多，请 {minutes} 分钟后再试"),
        format!("Too many wrong PINs: try again in {minutes} min"),
    )
}
