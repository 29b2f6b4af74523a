//! The ID card reader slot: the `id_reader` driver task on a serial port, or on its in-process simulated SAM.

use id_reader::{DriverConfig, Reader, ReaderHealth, SimReader};
use tokio::sync::watch;

use crate::{config::IdReaderConfig, watchdog::Heart};

/// The ID reader as health reports see it (never any card data).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdReaderReport {
    /// The reader is open and its SAM answers.
    pub sam_ok: bool,
    /// Cards read since start.
    pub cards_read: u64,
}

/// The reader's event stream and, in simulated mode, the simulated reader to place cards on.
#[derive(Debug)]
pub struct IdReaderSlot {
    /// The driver's events (card read, removed, read failed, reader lost/recovered); `None` when no reader is
    /// configured. The take-a-number flow takes it.
    pub reader: Option<Reader>,
    /// The simulated reader, in simulated mode.
    pub simulator: Option<SimReader>,
    /// The reader's state for health reports; `None` when no reader is configured.
    pub report: Option<watch::Receiver<IdReaderReport>>,
}

impl IdReaderSlot {
    /// Starts the configured reader. Needs a tokio runtime.
    pub fn start(config: &IdReaderConfig) -> Self {
        Self::start_with(config, None)
    }

    /// Like [`IdReaderSlot::start`], beating `heart` each time the driver polls or retries.
    pub fn start_with(config: &IdReaderConfig, heart: Option<Heart>) -> Self {
        let mut slot = Self::open(config);
        if let Some(reader) = &slot.reader {
            slot.report = Some(follow(reader.health(), heart));
        }
        slot
    }

    fn open(config: &IdReaderConfig) -> Self {
        match config {
            IdReaderConfig::Sim => {
                let sim = SimReader::new();
                let reader = Reader::spawn_simulated(&sim, DriverConfig::default());
                Self {
                    reader: Some(reader),
                    simulator: Some(sim),
                    report: None,
                }
            }
            IdReaderConfig::Serial { port, baud } => Self {
                reader: Some(Reader::spawn_serial(
                    port.to_string_lossy().into_owned(),
                    *baud,
                    DriverConfig::default(),
                )),
                simulator: None,
                report: None,
            },
            IdReaderConfig::None => Self {
                reader: None,
                simulator: None,
                report: None,
            },
        }
    }
}

/// Follows the driver's health (never the time of a read) and beats `heart` on every poll.
fn follow(
    mut health: watch::Receiver<ReaderHealth>,
    heart: Option<Heart>,
) -> watch::Receiver<IdReaderReport> {
    let (tx, rx) = watch::channel(IdReaderReport::default());
    tokio::spawn(async move {
        while health.changed().await.is_ok() {
            let now = *health.borrow_and_update();
            if let Some(heart) = &heart {
                heart.beat();
            }
            tx.send_if_modified(|r| {
                let before = *r;
                if now.cards_read != r.cards_read {
                    r.cards_read = now.cards_read;
                }
                r.sam_ok = now.sam_ok;
                *r != before
            });
        }
    });
    rx
}
