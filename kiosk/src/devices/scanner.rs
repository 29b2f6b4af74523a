//! The code scanner slot: the `code_scanner` driver on a serial port or an input event device, or, in
//! simulated mode, the real serial driver on a pseudo-terminal fed by the scanner simulator.

use std::sync::Arc;

use clock::MonotonicClock;
use code_scanner::{
    DriverOptions, Scanner, ScannerConfig, ScannerHealth, SerialConfig, SerialOutput, SerialSim,
};
use tokio::sync::watch;

/// The scanner as health reports see it (never what was scanned).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScannerReport {
    /// The device is open.
    pub connected: bool,
    /// The device's state in words (`connected`, `not found`, `error: …`).
    pub state: String,
    /// Codes delivered since start.
    pub scans: u64,
    /// Scans that could not be decoded since start.
    pub rejected: u64,
}

/// The scanner's event stream and, in simulated mode, the simulated scanner to scan with.
#[derive(Debug, Default)]
pub struct ScannerSlot {
    /// The driver; `None` when no scanner is configured or it could not be started. The check-in
    /// page takes it.
    pub scanner: Option<Scanner>,
    /// The simulated scanner, in simulated mode.
    pub simulator: Option<Arc<SerialSim>>,
    /// The scanner's state for health reports; `None` when no scanner runs.
    pub report: Option<watch::Receiver<ScannerReport>>,
}

impl ScannerSlot {
    /// Starts the configured scanner, reading time from `clock`. (No watchdog heart: an idle scanner
    /// is silent, and its thread reopens a lost device by itself.) A scanner that cannot be started is logged and left out: the kiosk still checks
    /// citizens in by ID card and by typed code. Needs a tokio runtime.
    pub fn start(config: &ScannerConfig, clock: Arc<dyn MonotonicClock>) -> Self {
        let opened = match config {
            ScannerConfig::None {} => return Self::default(),
            ScannerConfig::Sim {} => SerialSim::open(SerialOutput::default())
                .map_err(|e| e.to_string())
                .and_then(|sim| {
                    let serial = SerialConfig::new(sim.path());
                    Scanner::spawn_serial(&serial, DriverOptions::default(), clock)
                        .map(|scanner| (scanner, Some(Arc::new(sim))))
                        .map_err(|e| e.to_string())
                }),
            ScannerConfig::Serial(serial) => {
                Scanner::spawn_serial(serial, DriverOptions::default(), clock)
                    .map(|scanner| (scanner, None))
                    .map_err(|e| e.to_string())
            }
            ScannerConfig::Keyboard(keyboard) => {
                Scanner::spawn_keyboard(keyboard, DriverOptions::default(), clock)
                    .map(|scanner| (scanner, None))
                    .map_err(|e| e.to_string())
            }
        };
        match opened {
            Ok((scanner, simulator)) => {
                let report = follow(scanner.health());
                Self {
                    scanner: Some(scanner),
                    simulator,
                    report: Some(report),
                }
            }
            Err(err) => {
                tracing::error!("the code scanner cannot be started, no QR check-in: {err}");
                Self::default()
            }
        }
    }
}

/// Follows the driver's health, logging each change of the device's state.
fn follow(mut health: watch::Receiver<ScannerHealth>) -> watch::Receiver<ScannerReport> {
    let (tx, rx) = watch::channel(report_of(&health.borrow()));
    tokio::spawn(async move {
        while health.changed().await.is_ok() {
            let now = report_of(&health.borrow_and_update());
            tx.send_if_modified(|r| {
                if r.state != now.state {
                    tracing::info!("code scanner: {}", now.state);
                }
                let changed = *r != now;
                *r = now;
                changed
            });
        }
    });
    rx
}

fn report_of(health: &ScannerHealth) -> ScannerReport {
    ScannerReport {
        connected: health.state.is_connected(),
        state: health.state.to_string(),
        scans: health.scans,
        rejected: health.rejected,
    }
}
