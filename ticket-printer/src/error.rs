//! Error types: what went wrong building bytes (protocol) versus moving them (transport).

use std::io;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ticket or command could not be turned into printer bytes.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A status reply was not a valid status byte.
    #[error(transparent)]
    Status(#[from] crate::status::StatusError),
    /// The printer could not be reached or the link broke.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// Errors while building ESC/POS bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The `escpos` command builder refused its input.
    #[error("ESC/POS command builder: {0}")]
    Builder(String),
    /// QR data cannot be encoded (for example, too long for any QR version).
    #[error("QR code data of {len} bytes cannot be encoded: {reason}")]
    Qr {
        /// Length of the data in bytes.
        len: usize,
        /// What the QR encoder said.
        reason: String,
    },
    /// An image is wider or taller than a raster command can carry.
    #[error("raster image {width}x{height} dots is too large for GS v 0")]
    ImageTooLarge {
        /// Width in dots.
        width: usize,
        /// Height in dots.
        height: usize,
    },
}

/// Errors of a transport (serial port, device file, TCP socket, file).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Opening the printer failed.
    #[error("cannot open printer at {target}: {source}")]
    Open {
        /// Where we tried to open it.
        target: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Reading or writing failed after the printer was open.
    #[error("printer link {target} failed: {source}")]
    Io {
        /// The link that failed.
        target: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The printer did not answer a status query in time.
    #[error(
        "printer at {target} did not answer status query DLE EOT {query} within {timeout_ms} ms"
    )]
    NoReply {
        /// The link.
        target: String,
        /// The DLE EOT function number.
        query: u8,
        /// How long we waited.
        timeout_ms: u64,
    },
    /// The transport cannot read, so it cannot report status (a plain file).
    #[error("{target} is write-only: no status can be read")]
    WriteOnly {
        /// The link.
        target: String,
    },
}
