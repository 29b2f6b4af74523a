//! The systemd watchdog: `READY=1` once the UI shows its first frame, then `WATCHDOG=1` keepalives
//! every half `WATCHDOG_USEC`, sent only while every registered liveness source is fresh.
//!
//! Each loop that must keep running (the UI event loop, the printer thread, the ID reader driver, the
//! board loop, the queue's daily tick) registers a [`Heart`] with a deadline and beats it. When any of
//! them stalls past its deadline the keepalives stop, and systemd restarts the service after
//! `WatchdogSec`. Time comes from an injected [`MonotonicClock`]; the socket path is passed in
//! explicitly ([`Notifier::to_path`]) or read from `NOTIFY_SOCKET` at the edge ([`Watchdog::from_env`]).
//! See `kiosk/BOARD.md`.

mod liveness;
mod notify;

use std::{
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

pub use liveness::{Heart, Liveness, ManualClock, MonotonicClock, StaleSource, SystemMonotonic};
pub use notify::{Notifier, NotifyError, NotifyState, NotifyTarget, keepalive_interval, message};

/// What one [`Watchdog::tick`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tick {
    /// A keepalive went out.
    Sent,
    /// No keepalive: these sources are stale.
    Withheld(Vec<StaleSource>),
    /// No keepalive yet: the UI has not shown its first frame.
    NotReady,
    /// Not running under a service manager with a watchdog (nothing to send).
    Off,
}

/// The watchdog of one process.
#[derive(Debug)]
pub struct Watchdog {
    liveness: Liveness,
    notifier: Option<Notifier>,
    interval: Option<Duration>,
    ready: AtomicBool,
    withheld: Mutex<Vec<String>>,
}

impl Watchdog {
    /// A watchdog over `liveness` sending to `notifier` every `interval` (none: keepalives are not
    /// asked for, only `READY=1` is sent).
    pub fn new(liveness: Liveness, notifier: Option<Notifier>, interval: Option<Duration>) -> Self {
        Self {
            liveness,
            notifier,
            interval,
            ready: AtomicBool::new(false),
            withheld: Mutex::new(Vec::new()),
        }
    }

    /// The watchdog systemd asked for through `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`.
    /// Outside systemd it sends nothing.
    pub fn from_env(liveness: Liveness) -> Self {
        let notifier = match Notifier::from_env() {
            Some(Ok(n)) => Some(n),
            Some(Err(err)) => {
                tracing::error!("watchdog: {err}");
                None
            }
            None => None,
        };
        let interval = keepalive_interval(
            std::env::var("WATCHDOG_USEC").ok().as_deref(),
            std::env::var("WATCHDOG_PID").ok().as_deref(),
            std::process::id(),
        );
        if notifier.is_some() {
            match interval {
                Some(i) => tracing::info!("systemd watchdog: keepalive every {} ms", i.as_millis()),
                None => tracing::info!("systemd notify socket without watchdog"),
            }
        }
        Self::new(liveness, notifier, interval)
    }

    /// The liveness registry.
    pub fn liveness(&self) -> &Liveness {
        &self.liveness
    }

    /// How often [`Watchdog::tick`] should run (none: no watchdog).
    pub fn interval(&self) -> Option<Duration> {
        self.notifier.as_ref().and(self.interval)
    }

    /// Reports start-up finished (`READY=1`), once; later calls do nothing.
    pub fn ready(&self) {
        if self.ready.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(n) = &self.notifier
            && let Err(err) = n.send(&[NotifyState::Ready])
        {
            tracing::error!("watchdog: {err}");
        }
    }

    /// Sends a keepalive when every source is fresh; logs when keepalives stop and resume.
    pub fn tick(&self) -> Tick {
        let Some(notifier) = &self.notifier else {
            return Tick::Off;
        };
        if self.interval.is_none() {
            return Tick::Off;
        }
        if !self.ready.load(Ordering::SeqCst) {
            return Tick::NotReady;
        }
        let stale = self.liveness.stale();
        let names: Vec<String> = stale.iter().map(|s| s.name.clone()).collect();
        let mut withheld = self.withheld.lock().unwrap_or_else(PoisonError::into_inner);
        if names != *withheld {
            if stale.is_empty() {
                tracing::info!("watchdog: every source is alive again, keepalives resume");
            } else {
                let list: Vec<String> = stale.iter().map(ToString::to_string).collect();
                tracing::error!("watchdog: keepalives stopped: {}", list.join("; "));
            }
            withheld.clone_from(&names);
        }
        if !stale.is_empty() {
            return Tick::Withheld(stale);
        }
        match notifier.send(&[NotifyState::Watchdog]) {
            Ok(()) => Tick::Sent,
            Err(err) => {
                tracing::warn!("watchdog: {err}");
                Tick::Off
            }
        }
    }

    /// Runs [`Watchdog::tick`] every interval on a thread of its own (a stalled async runtime cannot
    /// hide a stall from it). Nothing is started without a watchdog.
    pub fn spawn(self: std::sync::Arc<Self>) -> Option<std::thread::JoinHandle<()>> {
        let every = self.interval()?;
        std::thread::Builder::new()
            .name("watchdog".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(every);
                    self.tick();
                }
            })
            .map_err(|err| tracing::error!("watchdog thread: {err}"))
            .ok()
    }
}
