//! The device seams: each slot (printer, ID reader, LED panel, code scanner, document camera) is chosen by config, runs behind its crate's own
//! API, and in simulated mode runs that crate's simulator — so every laptop run exercises the real codecs.

mod doc_camera;
mod id_reader;
mod led_panel;
mod printer;
mod scanner;

use std::{path::Path, sync::Arc};

use clock::Clocks;
use displays::led::LedConfig;

pub use doc_camera::{DocCameraSlot, SimulatedDeskCamera};
pub use id_reader::{IdReaderReport, IdReaderSlot};
pub use led_panel::{LedPanelReport, LedPanelSlot};
pub use printer::{PrintJobError, PrinterHealth, PrinterReport, PrinterService, STATUS_POLL};
pub use scanner::{ScannerReport, ScannerSlot};

use crate::{config::DevicesConfig, watchdog::Liveness};

/// Why a device could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The configured printer profile does not exist.
    #[error("unknown printer profile `{0}` (known: generic-58, generic-80-zh, epson-tm-t88)")]
    UnknownProfile(String),
    /// A device thread could not be started.
    #[error("cannot start the {device} thread: {source}")]
    Thread {
        /// Which device.
        device: &'static str,
        /// The cause.
        source: std::io::Error,
    },
}

/// Every attached device, started.
#[derive(Debug)]
pub struct Devices {
    /// The ticket printer.
    pub printer: PrinterService,
    /// The ID card reader.
    pub id_reader: IdReaderSlot,
    /// The LED panel.
    pub led_panel: LedPanelSlot,
    /// The 2D code scanner (booking QR codes).
    pub scanner: ScannerSlot,
}

impl Devices {
    /// Starts every configured device, with the default (simulated) LED panel. Simulated devices write what
    /// they "show" or "print" under `sim_dir`. Needs a tokio runtime (the ID reader's driver is a task).
    pub fn start(config: &DevicesConfig, sim_dir: &Path) -> Result<Self, DeviceError> {
        Self::start_with(
            config,
            &LedConfig::default(),
            sim_dir,
            None,
            &Clocks::system(),
        )
    }

    /// Like [`Devices::start`], with the LED panel of `[displays.led]`, registering the printer thread and
    /// the ID reader driver as liveness sources of the watchdog, and reading time from `clocks`.
    pub fn start_with(
        config: &DevicesConfig,
        led: &LedConfig,
        sim_dir: &Path,
        liveness: Option<&Liveness>,
        clocks: &Clocks,
    ) -> Result<Self, DeviceError> {
        let printer_heart = liveness.map(|l| l.register("printer", STATUS_POLL * 6));
        let reader_heart = match config.id_reader {
            crate::config::IdReaderConfig::None => None,
            _ => liveness.map(|l| l.register("id_reader", std::time::Duration::from_secs(60))),
        };
        Ok(Self {
            printer: PrinterService::start_with(
                &config.printer,
                &sim_dir.join("printer"),
                printer_heart,
                Arc::clone(&clocks.wall),
            )?,
            id_reader: IdReaderSlot::start_with(&config.id_reader, reader_heart),
            led_panel: LedPanelSlot::start(led, &sim_dir.join("led")),
            scanner: ScannerSlot::start(&config.scanner, Arc::clone(&clocks.mono)),
        })
    }
}
