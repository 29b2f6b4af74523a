//! The simulated scanner: the device's side of the real protocols.
//!
//! * [`SerialSim`] writes scans with the configured framing into the device end of a
//!   pseudo-terminal pair; the real serial driver opens the other end like a USB virtual COM
//!   port.
//! * [`KeyboardSim`] makes a FIFO and writes real `input_event` records into it; the real evdev
//!   reader opens it as its event device. Dropping it removes the FIFO, like an unplugged
//!   scanner's device node.
//!
//! [`encode`] holds the sans-io encoders both use.

pub mod encode;

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serialport::{SerialPort, TTYPort};

pub use encode::{EncodeError, SimEncoding};

use crate::config::{KeyboardConfig, SerialConfig};
use crate::framing::Framing;
use crate::keyboard::event::RecordLayout;
use crate::serial::Terminator;
use crate::symbology::{AimId, Symbology};
use crate::text::TextEncoding;

/// Why the simulator failed.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The text cannot be sent with this framing or layout.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The pseudo-terminal could not be made.
    #[error("cannot make a pseudo-terminal: {0}")]
    Pty(#[from] serialport::Error),
    /// Writing, or making the FIFO or link, failed.
    #[error("{what}: {source}")]
    Io {
        /// What was done.
        what: String,
        /// The error.
        #[source]
        source: io::Error,
    },
}

fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> SimError {
    let what = what.into();
    move |source| SimError::Io { what, source }
}

/// How the simulated serial scanner frames and encodes its scans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialOutput {
    /// Prefix, suffix, AIM identifiers.
    pub framing: Framing,
    /// What ends each scan.
    pub terminator: Terminator,
    /// How text is encoded.
    pub encoding: SimEncoding,
}

impl Default for SerialOutput {
    fn default() -> Self {
        Self {
            framing: Framing::default(),
            terminator: Terminator::Cr,
            encoding: SimEncoding::Utf8,
        }
    }
}

impl SerialOutput {
    /// The output a scanner configured like `config` sends (GBK when `config.encoding` is `gbk`,
    /// else UTF-8).
    pub fn for_config(config: &SerialConfig) -> Self {
        Self {
            framing: config.framing(),
            terminator: config.terminator,
            encoding: match config.encoding {
                TextEncoding::Gbk => SimEncoding::Gbk,
                TextEncoding::Auto | TextEncoding::Utf8 => SimEncoding::Utf8,
            },
        }
    }

    /// The bytes of one scan.
    pub fn encode(&self, text: &str, symbology: Symbology) -> Result<Vec<u8>, EncodeError> {
        encode::serial_scan(
            text,
            &self.framing,
            self.terminator,
            self.encoding,
            Some(AimId::usual(symbology)),
        )
    }
}

/// A simulated scanner in serial mode on a new pseudo-terminal. Dropping it hangs up the line
/// (the driver sees the device go) and removes its link, if it made one.
#[derive(Debug)]
pub struct SerialSim {
    device: Mutex<TTYPort>,
    // Held open so the device end never sees a hang-up while no host has the port open.
    _host_end: TTYPort,
    path: String,
    link: Option<PathBuf>,
    output: SerialOutput,
}

impl SerialSim {
    /// A scanner sending `output` on a new pseudo-terminal; the host opens [`SerialSim::path`].
    pub fn open(output: SerialOutput) -> Result<Self, SimError> {
        let (mut device, host_end) = TTYPort::pair()?;
        let path = host_end.name().ok_or_else(|| SimError::Io {
            what: "naming the pseudo-terminal".into(),
            source: io::ErrorKind::NotFound.into(),
        })?;
        device.set_timeout(Duration::from_secs(5))?;
        Ok(Self {
            device: Mutex::new(device),
            _host_end: host_end,
            path,
            link: None,
            output,
        })
    }

    /// Like [`SerialSim::open`], and makes a symbolic link at `link` to the port, as udev makes
    /// `/dev/kiosk-scanner` or `/dev/serial/by-id/…`; the link is removed when this is dropped.
    pub fn open_linked(output: SerialOutput, link: &Path) -> Result<Self, SimError> {
        let mut sim = Self::open(output)?;
        std::os::unix::fs::symlink(&sim.path, link)
            .map_err(io_error(format!("linking {}", link.display())))?;
        sim.link = Some(link.to_owned());
        Ok(sim)
    }

    /// The port's path for the host (e.g. `/dev/pts/3`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Scans `text` as a QR code.
    pub fn scan(&self, text: &str) -> Result<(), SimError> {
        self.scan_as(text, Symbology::Qr)
    }

    /// Scans `text` as a code of `symbology` (its AIM identifier is sent when the framing says so).
    pub fn scan_as(&self, text: &str, symbology: Symbology) -> Result<(), SimError> {
        let bytes = self.output.encode(text, symbology)?;
        self.write_raw(&bytes)
    }

    /// Sends bytes as they are (noise, bad text, half a scan).
    pub fn write_raw(&self, bytes: &[u8]) -> Result<(), SimError> {
        let mut device = self.device.lock().unwrap_or_else(|p| p.into_inner());
        device
            .write_all(bytes)
            .and_then(|()| device.flush())
            .map_err(io_error(format!("writing to {}", self.path)))
    }
}

impl Drop for SerialSim {
    fn drop(&mut self) {
        if let Some(link) = &self.link {
            let _ = std::fs::remove_file(link);
        }
    }
}

/// The default time between two key reports of the simulated keyboard (a HID scanner reports
/// every USB frame, 1 ms).
pub const KEY_INTERVAL: Duration = Duration::from_millis(1);

/// A simulated scanner in keyboard mode: a FIFO at a path, standing in for its event device.
/// Dropping it closes and removes the FIFO, as unplugging removes the device node.
#[derive(Debug)]
pub struct KeyboardSim {
    fifo: Mutex<(File, Duration)>,
    path: PathBuf,
    framing: Framing,
    layout: RecordLayout,
}

impl KeyboardSim {
    /// Makes a FIFO at `path` (which must not exist) and types scans framed like `config` into
    /// it, as records of this host's layout.
    pub fn create(path: &Path, config: &KeyboardConfig) -> Result<Self, SimError> {
        nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600)).map_err(
            |e| SimError::Io {
                what: format!("making the FIFO {}", path.display()),
                source: e.into(),
            },
        )?;
        // Read and write: opening a FIFO so never waits for a reader, and writes are buffered
        // until the driver opens and reads it.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io_error(format!("opening the FIFO {}", path.display())))?;
        Ok(Self {
            // Time stamps of the records: 2026-12-07, advancing per key report.
            fifo: Mutex::new((file, Duration::from_secs(1_796_601_600))),
            path: path.to_owned(),
            framing: config.framing(),
            layout: RecordLayout::native(),
        })
    }

    /// The FIFO's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Types `text` and Enter as a QR code.
    pub fn scan(&self, text: &str) -> Result<(), SimError> {
        self.scan_as(text, Symbology::Qr)
    }

    /// Types `text` and Enter as a code of `symbology` (its AIM identifier is typed when the
    /// framing says so).
    pub fn scan_as(&self, text: &str, symbology: Symbology) -> Result<(), SimError> {
        let mut guard = self.fifo.lock().unwrap_or_else(|p| p.into_inner());
        let (file, time) = &mut *guard;
        let bytes = encode::keyboard_scan(
            text,
            &self.framing,
            Some(AimId::usual(symbology)),
            self.layout,
            *time,
            KEY_INTERVAL,
        )?;
        let reports = bytes.len() / self.layout.size();
        *time = time.saturating_add(KEY_INTERVAL * u32::try_from(reports).unwrap_or(u32::MAX));
        file.write_all(&bytes)
            .map_err(io_error(format!("writing to {}", self.path.display())))
    }

    /// Sends bytes as they are (partial records, unknown keys).
    pub fn write_raw(&self, bytes: &[u8]) -> Result<(), SimError> {
        let mut guard = self.fifo.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .0
            .write_all(bytes)
            .map_err(io_error(format!("writing to {}", self.path.display())))
    }
}

impl Drop for KeyboardSim {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
