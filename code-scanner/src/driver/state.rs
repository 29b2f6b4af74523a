//! What the driver reports about the device and its scans.

use std::fmt;

use crate::scan::{Scan, ScanError};

/// Whether the scanner's device can be read, for the kiosk's health page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DeviceState {
    /// The driver has not tried to open the device yet.
    #[default]
    Starting,
    /// The device is open and read.
    Connected,
    /// The device path does not exist (unplugged, or a wrong path); the driver keeps retrying.
    NotFound,
    /// The device exists but cannot be opened or read; the driver keeps retrying.
    Error {
        /// What failed, for the log and the technician.
        reason: String,
    },
}

impl DeviceState {
    /// True when the device is open.
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Connected)
    }
}

impl fmt::Display for DeviceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Starting => f.write_str("starting"),
            Self::Connected => f.write_str("connected"),
            Self::NotFound => f.write_str("not found"),
            Self::Error { reason } => write!(f, "error: {reason}"),
        }
    }
}

/// The driver's health: the device's state and what it delivered so far.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScannerHealth {
    /// The device's state.
    pub state: DeviceState,
    /// Scans delivered.
    pub scans: u64,
    /// Scans rejected ([`ScannerEvent::Rejected`]).
    pub rejected: u64,
}

/// What the driver delivers, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannerEvent {
    /// A code was scanned.
    Scan(Scan),
    /// A scan arrived but could not be decoded (too long, not text, unknown key, …).
    Rejected(ScanError),
    /// The device's state changed.
    State(DeviceState),
}
