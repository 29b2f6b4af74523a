//! The drivers: one thread per scanner that opens its device, reads it, feeds the sans-io
//! decoder with the injected monotonic clock's time, and delivers [`ScannerEvent`]s over a
//! channel. When the device disappears (USB unplug) or fails, the thread reopens its path with
//! exponential backoff and reports the [`DeviceState`] on the way.
//!
//! Threads rather than async I/O: registering a device fd with tokio needs `unsafe` (denied in
//! this workspace), and a blocking read with a deadline costs nothing while the scanner is idle.

mod evdev;
mod serial;
mod state;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use clock::MonotonicClock;
use tokio::sync::{mpsc, watch};

pub use state::{DeviceState, ScannerEvent, ScannerHealth};

use crate::config::{KeyboardConfig, SerialConfig};
use crate::keyboard::KeyboardDecoder;
use crate::keyboard::event::RecordLayout;
use crate::scan::{Scan, ScanError};
use crate::serial::SerialDecoder;

/// Timing of a driver thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriverOptions {
    /// The longest a read blocks: how soon the thread notices it should stop, and how often an
    /// idle event device's path is checked.
    pub poll_slice: Duration,
    /// The first wait before reopening a lost device.
    pub backoff_initial: Duration,
    /// The longest wait between reopening attempts (the wait doubles up to it).
    pub backoff_max: Duration,
}

impl Default for DriverOptions {
    fn default() -> Self {
        Self {
            poll_slice: Duration::from_millis(50),
            backoff_initial: Duration::from_millis(100),
            backoff_max: Duration::from_secs(2),
        }
    }
}

/// A running scanner driver and its event stream. Dropping it stops the thread (within
/// [`DriverOptions::poll_slice`]).
#[derive(Debug)]
pub struct Scanner {
    events: mpsc::Receiver<ScannerEvent>,
    health: watch::Receiver<ScannerHealth>,
    stop: Option<std_mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// A device opened by a driver.
trait Link: Send {
    /// Reads what arrives within `timeout`: `Ok(0)` when nothing did. An error means the device
    /// is lost.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
}

/// The decoder of either mode.
enum Decoder {
    Serial(SerialDecoder),
    Keyboard(KeyboardDecoder),
}

impl Decoder {
    fn feed(&mut self, bytes: &[u8], now: Duration) -> Vec<Result<Scan, ScanError>> {
        match self {
            Self::Serial(d) => d.feed(bytes, now),
            Self::Keyboard(d) => d.feed(bytes, now),
        }
    }

    fn poll(&mut self, now: Duration) -> Option<Result<Scan, ScanError>> {
        match self {
            Self::Serial(d) => d.poll(now),
            Self::Keyboard(_) => None,
        }
    }

    fn deadline(&self) -> Option<Duration> {
        match self {
            Self::Serial(d) => d.deadline(),
            Self::Keyboard(_) => None,
        }
    }

    fn reset(&mut self) {
        match self {
            Self::Serial(d) => d.reset(),
            Self::Keyboard(d) => d.reset(),
        }
    }
}

impl Scanner {
    /// Starts a driver for a scanner in serial mode at `config.path`.
    pub fn spawn_serial(
        config: &SerialConfig,
        options: DriverOptions,
        clock: Arc<dyn MonotonicClock>,
    ) -> io::Result<Self> {
        let path = config.path.clone();
        let baud = config.baud;
        let opener = move || -> io::Result<Box<dyn Link>> {
            Ok(Box::new(serial::SerialLink::open(&path, baud)?))
        };
        Self::spawn(
            "code-scanner serial",
            config.path.clone(),
            Box::new(opener),
            Decoder::Serial(config.decoder()),
            options,
            clock,
        )
    }

    /// Starts a driver for a scanner in keyboard mode reading the event device at
    /// `config.path` (records of this host's layout).
    pub fn spawn_keyboard(
        config: &KeyboardConfig,
        options: DriverOptions,
        clock: Arc<dyn MonotonicClock>,
    ) -> io::Result<Self> {
        let path = config.path.clone();
        let opener =
            move || -> io::Result<Box<dyn Link>> { Ok(Box::new(evdev::EventFile::open(&path)?)) };
        Self::spawn(
            "code-scanner evdev",
            config.path.clone(),
            Box::new(opener),
            Decoder::Keyboard(KeyboardDecoder::new(
                config.framing(),
                RecordLayout::native(),
            )),
            options,
            clock,
        )
    }

    fn spawn(
        name: &str,
        path: PathBuf,
        opener: Box<dyn FnMut() -> io::Result<Box<dyn Link>> + Send>,
        decoder: Decoder,
        options: DriverOptions,
        clock: Arc<dyn MonotonicClock>,
    ) -> io::Result<Self> {
        let (events_tx, events) = mpsc::channel(64);
        let (health_tx, health) = watch::channel(ScannerHealth::default());
        let (stop, stop_rx) = std_mpsc::channel();
        let worker = Worker {
            path,
            opener,
            decoder,
            options,
            clock,
            events: events_tx,
            health: health_tx,
            stop: stop_rx,
        };
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || worker.run())?;
        Ok(Self {
            events,
            health,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Waits for the next event (`None` once the driver has stopped).
    pub async fn next_event(&mut self) -> Option<ScannerEvent> {
        self.events.recv().await
    }

    /// Waits for the next event, blocking the thread (not in async code).
    pub fn blocking_next_event(&mut self) -> Option<ScannerEvent> {
        self.events.blocking_recv()
    }

    /// The next event if one is waiting.
    pub fn try_next_event(&mut self) -> Option<ScannerEvent> {
        self.events.try_recv().ok()
    }

    /// The driver's health, updated as it changes.
    pub fn health(&self) -> watch::Receiver<ScannerHealth> {
        self.health.clone()
    }

    /// The device's state now.
    pub fn state(&self) -> DeviceState {
        self.health.borrow().state.clone()
    }
}

impl Drop for Scanner {
    fn drop(&mut self) {
        // Closing the channel frees a thread blocked on a full channel; dropping the sender
        // wakes one waiting to reopen.
        self.events.close();
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread's side.
struct Worker {
    path: PathBuf,
    opener: Box<dyn FnMut() -> io::Result<Box<dyn Link>> + Send>,
    decoder: Decoder,
    options: DriverOptions,
    clock: Arc<dyn MonotonicClock>,
    events: mpsc::Sender<ScannerEvent>,
    health: watch::Sender<ScannerHealth>,
    stop: std_mpsc::Receiver<()>,
}

/// Why the read loop ended.
enum Ended {
    Stopped,
    Lost(io::Error),
}

impl Worker {
    fn run(mut self) {
        let mut backoff = self.options.backoff_initial;
        loop {
            let state = match (self.opener)() {
                Ok(link) => {
                    tracing::info!(path = %self.path.display(), "code scanner connected");
                    if !self.set_state(DeviceState::Connected) {
                        return;
                    }
                    self.decoder.reset();
                    match self.read_loop(link, &mut backoff) {
                        Ended::Stopped => return,
                        Ended::Lost(e) => {
                            tracing::warn!(path = %self.path.display(), error = %e, "code scanner lost");
                            state_of_error(&self.path, "reading", &e)
                        }
                    }
                }
                Err(e) => state_of_error(&self.path, "opening", &e),
            };
            if !self.set_state(state) {
                return;
            }
            match self.stop.recv_timeout(backoff) {
                Err(std_mpsc::RecvTimeoutError::Timeout) => {}
                _ => return,
            }
            backoff = (backoff * 2).min(self.options.backoff_max);
        }
    }

    /// Reads until the device is lost or the driver stops; `backoff` starts again from its
    /// initial value once the device has delivered bytes.
    fn read_loop(&mut self, mut link: Box<dyn Link>, backoff: &mut Duration) -> Ended {
        let mut buf = [0u8; 4096];
        loop {
            if !matches!(self.stop.try_recv(), Err(std_mpsc::TryRecvError::Empty)) {
                return Ended::Stopped;
            }
            let now = self.clock.now();
            let timeout = self
                .decoder
                .deadline()
                .map_or(self.options.poll_slice, |d| d.saturating_sub(now))
                .min(self.options.poll_slice);
            let results = match link.read(&mut buf, timeout) {
                Ok(0) => self.decoder.poll(self.clock.now()).into_iter().collect(),
                Ok(n) => {
                    *backoff = self.options.backoff_initial;
                    self.decoder.feed(&buf[..n], self.clock.now())
                }
                Err(e) => return Ended::Lost(e),
            };
            for result in results {
                if !self.deliver(result) {
                    return Ended::Stopped;
                }
            }
        }
    }

    /// Sends one decoder result; false when nobody listens any more.
    fn deliver(&self, result: Result<Scan, ScanError>) -> bool {
        let event = match result {
            Ok(scan) => {
                self.health.send_modify(|h| h.scans += 1);
                ScannerEvent::Scan(scan)
            }
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "scan rejected");
                self.health.send_modify(|h| h.rejected += 1);
                ScannerEvent::Rejected(e)
            }
        };
        self.events.blocking_send(event).is_ok()
    }

    /// Records a state; reports it when it changed. False when nobody listens any more.
    fn set_state(&self, state: DeviceState) -> bool {
        let changed = self.health.send_if_modified(|h| {
            if h.state == state {
                false
            } else {
                h.state = state.clone();
                true
            }
        });
        !changed
            || self
                .events
                .blocking_send(ScannerEvent::State(state))
                .is_ok()
    }
}

/// The state after `doing` (opening, reading) the device failed with `error`.
fn state_of_error(path: &Path, doing: &str, error: &io::Error) -> DeviceState {
    // A device node whose device has gone (udev removes it shortly).
    let gone = matches!(
        error.raw_os_error(),
        Some(nix::libc::ENXIO | nix::libc::ENODEV)
    );
    if error.kind() == io::ErrorKind::NotFound || gone || !path.exists() {
        DeviceState::NotFound
    } else {
        DeviceState::Error {
            reason: format!("{doing} {}: {error}", path.display()),
        }
    }
}
