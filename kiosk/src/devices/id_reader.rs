//! The ID card reader slot: the `id_reader` driver task on a serial port, or on its in-process simulated SAM.

use id_reader::{DriverConfig, Reader, SimReader};

use crate::config::IdReaderConfig;

/// The reader's event stream and, in simulated mode, the simulated reader to place cards on.
#[derive(Debug)]
pub struct IdReaderSlot {
    /// The driver's events (card read, removed, read failed, reader lost/recovered); `None` when no reader is
    /// configured. The take-a-number flow takes it.
    pub reader: Option<Reader>,
    /// The simulated reader, in simulated mode.
    pub simulator: Option<SimReader>,
}

impl IdReaderSlot {
    /// Starts the configured reader. Needs a tokio runtime.
    pub fn start(config: &IdReaderConfig) -> Self {
        match config {
            IdReaderConfig::Sim => {
                let sim = SimReader::new();
                let reader = Reader::spawn_simulated(&sim, DriverConfig::default());
                Self {
                    reader: Some(reader),
                    simulator: Some(sim),
                }
            }
            IdReaderConfig::Serial { port, baud } => Self {
                reader: Some(Reader::spawn_serial(
                    port.to_string_lossy().into_owned(),
                    *baud,
                    DriverConfig::default(),
                )),
                simulator: None,
            },
            IdReaderConfig::None => Self {
                reader: None,
                simulator: None,
            },
        }
    }
}
