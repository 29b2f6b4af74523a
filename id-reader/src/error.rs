//! Errors of talking to a reader: protocol content vs transport.

use std::io;
use std::time::Duration;

use thiserror::Error;

use crate::card::CardError;
use crate::command::Command;
use crate::response::ProtocolError;
use crate::status::Status;

/// Anything that can go wrong in one exchange with a reader.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The reader's answer was malformed (framing or layout). Recoverable: retry the command.
    #[error("protocol error: {0}")]
    Protocol(#[from] ProtocolError),
    /// The card's text block could not be parsed.
    #[error("card data error: {0}")]
    Card(#[from] CardError),
    /// The SAM answered with a failure status.
    #[error("{command}: SAM status {status}")]
    Sam {
        /// The command that failed.
        command: Command,
        /// The SAM's reason.
        status: Status,
    },
    /// No complete answer within the time limit.
    #[error("{command}: reader did not answer within {} ms", after.as_millis())]
    Timeout {
        /// The command that went unanswered.
        command: Command,
        /// The limit that passed.
        after: Duration,
    },
    /// The byte stream ended (device unplugged, peer closed).
    #[error("connection to the reader closed")]
    Closed,
    /// Reading or writing the byte stream failed.
    #[error("transport error: {0}")]
    Io(#[from] io::Error),
    /// The serial port could not be opened or configured.
    #[error("serial port error: {0}")]
    Serial(#[from] serialport::Error),
}

impl Error {
    /// `true` when the transport is gone and must be reopened (rather than the command retried).
    pub fn is_transport(&self) -> bool {
        matches!(self, Self::Closed | Self::Io(_) | Self::Serial(_))
    }
}
