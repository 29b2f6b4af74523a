//! What every page controller that works in the background needs (take-a-number, check-in): the
//! async tasks it started, aborted with it ([`PageTasks`]); the countdown of a ticket screen back to
//! home ([`HomeCountdown`]); and the loop that applies background answers until a state holds
//! ([`apply_until`]), used by tests and screenshots where no event loop runs.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    sync::mpsc,
    time::{Duration, Instant},
};

use slint::{Timer, TimerMode};
use tokio::{runtime::Handle, task::JoinHandle};

/// The tasks a page started on the async runtime; dropping it aborts those still running.
#[derive(Debug)]
pub struct PageTasks {
    runtime: Handle,
    tasks: RefCell<Vec<JoinHandle<()>>>,
}

impl PageTasks {
    /// Tasks on `runtime`.
    pub fn new(runtime: Handle) -> Self {
        Self {
            runtime,
            tasks: RefCell::new(Vec::new()),
        }
    }

    /// Starts `task`, forgetting the finished ones.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let handle = self.runtime.spawn(task);
        let mut tasks = self.tasks.borrow_mut();
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle);
    }
}

impl Drop for PageTasks {
    fn drop(&mut self) {
        for task in self.tasks.borrow().iter() {
            task.abort();
        }
    }
}

/// Seconds left before a ticket screen goes home by itself, counted by a Slint timer.
#[derive(Default)]
pub struct HomeCountdown {
    timer: Timer,
    left: Rc<Cell<u64>>,
}

impl std::fmt::Debug for HomeCountdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HomeCountdown")
            .field("left", &self.left.get())
            .finish()
    }
}

impl HomeCountdown {
    /// Seconds left (0: not counting).
    pub fn left(&self) -> u64 {
        self.left.get()
    }

    /// Counts `secs` down, calling `tick` with the seconds left every second; at 0 the caller goes
    /// home and calls [`HomeCountdown::stop`].
    pub fn start(&self, secs: u64, tick: impl Fn(u64) + 'static) {
        self.left.set(secs);
        let left = Rc::clone(&self.left);
        self.timer
            .start(TimerMode::Repeated, Duration::from_secs(1), move || {
                let now = left.get().saturating_sub(1);
                left.set(now);
                tick(now);
            });
    }

    /// Stops counting.
    pub fn stop(&self) {
        self.timer.stop();
        self.left.set(0);
    }
}

/// Applies answers from `rx` with `handle` until `done` holds or `timeout` passes; true when it held.
pub fn apply_until<M>(
    rx: &mpsc::Receiver<M>,
    timeout: Duration,
    done: impl Fn() -> bool,
    handle: impl Fn(M),
) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(msg) => handle(msg),
            Err(_) => return done(),
        }
    }
}
