//! The device seams: each slot (printer, ID reader, LED panel) is chosen by config, runs behind its crate's own
//! API, and in simulated mode runs that crate's simulator — so every laptop run exercises the real codecs.

mod id_reader;
mod led_panel;
mod printer;

use std::path::Path;

pub use id_reader::IdReaderSlot;
pub use led_panel::LedPanelSlot;
pub use printer::{PrintJobError, PrinterHealth, PrinterService};

use crate::config::DevicesConfig;

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
}

impl Devices {
    /// Starts every configured device. Simulated devices write what they "show" or "print" under `sim_dir`.
    /// Needs a tokio runtime (the ID reader's driver is a task).
    pub fn start(config: &DevicesConfig, sim_dir: &Path) -> Result<Self, DeviceError> {
        Ok(Self {
            printer: PrinterService::start(&config.printer, &sim_dir.join("printer"))?,
            id_reader: IdReaderSlot::start(&config.id_reader),
            led_panel: LedPanelSlot::start(&config.led_panel, &sim_dir.join("led")),
        })
    }
}
