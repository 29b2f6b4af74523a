//! The board's own inputs and outputs: a presence sensor (PIR) that wakes the screen, the backlight
//! (dimmed at night and after inactivity), the help button (呼叫工作人员) and the paper-low / fault lamp
//! that mirrors the printer.
//!
//! - [`Board`]: the small trait of the I/O; [`HalBoard`] implements it over embedded-hal 1.0 pins.
//! - [`sim`]: in-memory pins; the default board, driven by tests and, in a running kiosk, by
//!   `POST /board/sim/presence` and `POST /board/sim/help` from the device itself (see `kiosk/BOARD.md`).
//! - `pi` (feature `pi`): rppal's GPIO and hardware PWM.
//! - [`BacklightPolicy`]: the brightness schedule, a pure function of time, activity and presence.
//! - [`BoardController`]: one loop turn; [`BoardTask`] runs it on a thread.

mod backlight;

mod controller;
mod hal;
#[cfg(feature = "pi")]
pub mod pi;
pub mod sim;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use tokio::sync::watch;

pub use crate::config::{BoardConfig, BoardKind, TimeWindow};
pub use backlight::BacklightPolicy;
pub use controller::{BoardController, BoardStatus, StepEvents};
pub use hal::HalBoard;
pub use sim::{SimBoard, SimBoardControls};

use crate::watchdog::{Heart, MonotonicClock};
use clock::Clocks;

/// The inputs sampled in one turn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BoardInputs {
    /// Someone is in front of the kiosk.
    pub presence: bool,
    /// The help button is down.
    pub help_pressed: bool,
}

/// Why board I/O failed.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    /// A pin could not be read or set.
    #[error("board {what}: {reason}")]
    Pin {
        /// Which pin.
        what: &'static str,
        /// The HAL's error.
        reason: String,
    },
    /// The board could not be opened.
    #[error("cannot open the board I/O: {0}")]
    Open(String),
}

/// The board's inputs and outputs.
pub trait Board: Send {
    /// Samples the presence sensor and the help button.
    fn read(&mut self) -> Result<BoardInputs, BoardError>;
    /// Sets the backlight, percent (0 to 100).
    fn set_backlight(&mut self, percent: u8) -> Result<(), BoardError>;
    /// Lights or clears the fault lamp.
    fn set_fault_lamp(&mut self, on: bool) -> Result<(), BoardError>;
}

/// The configured board: the I/O, and the controls when it is simulated.
pub struct OpenedBoard {
    /// The board.
    pub board: Box<dyn Board>,
    /// The simulated board's controls (sim only).
    pub sim: Option<SimBoardControls>,
}

impl std::fmt::Debug for OpenedBoard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedBoard")
            .field("simulated", &self.sim.is_some())
            .finish_non_exhaustive()
    }
}

/// Opens the board `[board]` names; `None` for `kind = "none"`.
pub fn open(config: &BoardConfig) -> Result<Option<OpenedBoard>, BoardError> {
    match config.kind {
        BoardKind::None => Ok(None),
        BoardKind::Sim => {
            let (board, sim) = SimBoardControls::new();
            Ok(Some(OpenedBoard {
                board: Box::new(board),
                sim: Some(sim),
            }))
        }
        #[cfg(feature = "pi")]
        BoardKind::Pi => Ok(Some(OpenedBoard {
            board: Box::new(pi::open(config)?),
            sim: None,
        })),
        #[cfg(not(feature = "pi"))]
        BoardKind::Pi => Err(BoardError::Open(
            "this build has no Raspberry Pi support: build with `--features pi`".into(),
        )),
    }
}

/// What the board loop calls out to.
pub struct BoardHooks {
    /// Someone stepped in front of the kiosk (wake the screen).
    pub on_wake: Box<dyn Fn() + Send>,
    /// The help request opened (`true`) or closed (`false`).
    pub on_help: Box<dyn Fn(bool) + Send>,
}

impl std::fmt::Debug for BoardHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoardHooks").finish_non_exhaustive()
    }
}

const NEVER: u64 = u64::MAX;

struct Shared {
    stop: AtomicBool,
    fault: AtomicBool,
    last_touch_ms: AtomicU64,
    clear_help: AtomicBool,
}

/// The running board loop. Dropping it stops the loop.
pub struct BoardTask {
    shared: Arc<Shared>,
    clock: Arc<dyn MonotonicClock>,
    status: watch::Receiver<BoardStatus>,
}

impl std::fmt::Debug for BoardTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoardTask")
            .field("status", &*self.status.borrow())
            .finish_non_exhaustive()
    }
}

impl BoardTask {
    /// Runs `board` every `[board] poll_ms` on a thread of its own, beating `heart` each turn.
    pub fn spawn(
        mut board: Box<dyn Board>,
        config: &BoardConfig,
        clocks: &Clocks,
        heart: Option<Heart>,
        hooks: BoardHooks,
    ) -> Result<Self, BoardError> {
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            fault: AtomicBool::new(false),
            last_touch_ms: AtomicU64::new(NEVER),
            clear_help: AtomicBool::new(false),
        });
        let (tx, status) = watch::channel(BoardStatus::default());
        let mut controller = BoardController::new(
            BacklightPolicy::from_config(config),
            Duration::from_secs(config.help_hold_secs),
        );
        let every = Duration::from_millis(config.poll_ms);
        let (thread_shared, thread_clock, wall) = (
            Arc::clone(&shared),
            Arc::clone(&clocks.mono),
            Arc::clone(&clocks.wall),
        );
        let clock = Arc::clone(&clocks.mono);
        std::thread::Builder::new()
            .name("board".into())
            .spawn(move || {
                let mut failing = false;
                while !thread_shared.stop.load(Ordering::SeqCst) {
                    let now = thread_clock.now();
                    let touch = thread_shared.last_touch_ms.load(Ordering::SeqCst);
                    let touch = (touch != NEVER).then(|| Duration::from_millis(touch));
                    if thread_shared.clear_help.swap(false, Ordering::SeqCst)
                        && controller.clear_help()
                    {
                        (hooks.on_help)(false);
                    }
                    let local = wall.now().with_timezone(&chrono::Local).time();
                    let fault = thread_shared.fault.load(Ordering::SeqCst);
                    let mut status = controller.status();
                    match controller.step(board.as_mut(), now, local, touch, fault) {
                        Ok(events) => {
                            if failing {
                                tracing::info!("board I/O works again");
                                failing = false;
                            }
                            if events.woke {
                                (hooks.on_wake)();
                            }
                            if let Some(open) = events.help {
                                tracing::info!(
                                    "help request {}",
                                    if open { "opened" } else { "closed" }
                                );
                                (hooks.on_help)(open);
                            }
                            status = controller.status();
                        }
                        Err(err) => {
                            if !failing {
                                tracing::error!("{err}");
                                failing = true;
                            }
                            status.fault = true;
                        }
                    }
                    tx.send_if_modified(|s| {
                        let changed = *s != status;
                        *s = status;
                        changed
                    });
                    if let Some(heart) = &heart {
                        heart.beat();
                    }
                    std::thread::sleep(every);
                }
            })
            .map_err(|e| BoardError::Open(format!("board thread: {e}")))?;
        Ok(Self {
            shared,
            clock,
            status,
        })
    }

    /// The screen was touched now (keeps the backlight up).
    pub fn touched(&self) {
        let ms = u64::try_from(self.clock.now().as_millis()).unwrap_or(NEVER - 1);
        self.shared.last_touch_ms.store(ms, Ordering::SeqCst);
    }

    /// A cheap handle that records touches from the UI thread.
    pub fn touch_handle(&self) -> impl Fn() + 'static {
        let (shared, clock) = (Arc::clone(&self.shared), Arc::clone(&self.clock));
        move || {
            let ms = u64::try_from(clock.now().as_millis()).unwrap_or(NEVER - 1);
            shared.last_touch_ms.store(ms, Ordering::SeqCst);
        }
    }

    /// Lights the fault lamp while the printer needs attention.
    pub fn set_fault(&self, on: bool) {
        self.shared.fault.store(on, Ordering::SeqCst);
    }

    /// A handle that lights or clears the fault lamp from any thread.
    pub fn fault_handle(&self) -> impl Fn(bool) + Send + Sync + 'static {
        let shared = Arc::clone(&self.shared);
        move |on| shared.fault.store(on, Ordering::SeqCst)
    }

    /// Mirrors the printer on the fault lamp: lit while it needs a person (paper low or out, cover
    /// open, error, not answering). Runs on `runtime` until the printer service stops.
    pub fn follow_printer(
        &self,
        mut report: watch::Receiver<crate::devices::PrinterReport>,
        runtime: &tokio::runtime::Handle,
    ) {
        let lamp = self.fault_handle();
        runtime.spawn(async move {
            loop {
                let facts = health_facts::PrinterFacts::from(&*report.borrow_and_update());
                lamp(facts.needs_attention());
                if report.changed().await.is_err() {
                    break;
                }
            }
        });
    }

    /// Closes an open help request at the next turn.
    pub fn clear_help(&self) {
        self.shared.clear_help.store(true, Ordering::SeqCst);
    }

    /// The board's state, updated every turn.
    pub fn status(&self) -> watch::Receiver<BoardStatus> {
        self.status.clone()
    }
}

impl Drop for BoardTask {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
    }
}
