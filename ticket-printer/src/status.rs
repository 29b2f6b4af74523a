//! Real-time status (`DLE EOT n`, n = 1..4): requests, reply parsing and a reply scanner that
//! skips Automatic Status Back frames. Sans-io.
//!
//! A reply is one byte of the form `0xx1xx10`: bits 1 and 4 set, bits 0 and 7 clear. ASB
//! frames are four bytes whose first byte has the form `0xx1xx00`.

/// Which `DLE EOT` function to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusQuery {
    /// n = 1: printer status (online/offline, drawer, feed button).
    Printer = 1,
    /// n = 2: offline cause (cover, paper end stop, error).
    OfflineCause = 2,
    /// n = 3: error cause (cutter, unrecoverable, auto-recoverable).
    ErrorCause = 3,
    /// n = 4: roll paper sensor (near end, end).
    RollPaper = 4,
}

impl StatusQuery {
    /// The request bytes, `10 04 n` (three bytes; see [`crate::commands::realtime_status`]).
    pub fn request(self) -> [u8; 3] {
        crate::commands::realtime_status(self as u8)
    }

    /// Maps the function number to a query.
    pub fn from_n(n: u8) -> Option<Self> {
        match n {
            1 => Some(Self::Printer),
            2 => Some(Self::OfflineCause),
            3 => Some(Self::ErrorCause),
            4 => Some(Self::RollPaper),
            _ => None,
        }
    }
}

/// A byte that is not a real-time status reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("0x{0:02X} is not a DLE EOT status byte (expected the pattern 0xx1xx10)")]
pub struct StatusError(pub u8);

/// Whether `b` has the fixed bits of a `DLE EOT` reply.
pub const fn is_status_byte(b: u8) -> bool {
    b & 0b1001_0011 == 0b0001_0010
}

/// Whether `b` can start an Automatic Status Back frame.
pub const fn is_asb_first_byte(b: u8) -> bool {
    b & 0b1001_0011 == 0b0001_0000
}

const fn bit(b: u8, n: u8) -> bool {
    b & (1 << n) != 0
}

/// `DLE EOT 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterInfo {
    /// Bit 2: drawer kick-out connector pin 3 is high.
    pub drawer_pin_high: bool,
    /// Bit 3: offline.
    pub offline: bool,
    /// Bit 5: waiting for online recovery.
    pub waiting_recovery: bool,
    /// Bit 6: paper feed button pressed.
    pub feed_button: bool,
}

/// `DLE EOT 2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OfflineCause {
    /// Bit 2: cover open.
    pub cover_open: bool,
    /// Bit 3: paper being fed by the feed button.
    pub feeding_by_button: bool,
    /// Bit 5: printing stopped because of paper end.
    pub paper_end_stop: bool,
    /// Bit 6: an error occurred.
    pub error: bool,
}

/// `DLE EOT 3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ErrorCause {
    /// Bit 2: recoverable error.
    pub recoverable: bool,
    /// Bit 3: autocutter error.
    pub autocutter: bool,
    /// Bit 5: unrecoverable error.
    pub unrecoverable: bool,
    /// Bit 6: auto-recoverable error (head temperature, voltage).
    pub auto_recoverable: bool,
}

/// `DLE EOT 4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RollPaper {
    /// Bits 2 and 3: paper near end.
    pub near_end: bool,
    /// Bits 5 and 6: paper end.
    pub end: bool,
}

impl PrinterInfo {
    /// Parses a `DLE EOT 1` reply.
    pub fn parse(b: u8) -> Result<Self, StatusError> {
        check(b)?;
        Ok(Self {
            drawer_pin_high: bit(b, 2),
            offline: bit(b, 3),
            waiting_recovery: bit(b, 5),
            feed_button: bit(b, 6),
        })
    }
}

impl OfflineCause {
    /// Parses a `DLE EOT 2` reply.
    pub fn parse(b: u8) -> Result<Self, StatusError> {
        check(b)?;
        Ok(Self {
            cover_open: bit(b, 2),
            feeding_by_button: bit(b, 3),
            paper_end_stop: bit(b, 5),
            error: bit(b, 6),
        })
    }
}

impl ErrorCause {
    /// Parses a `DLE EOT 3` reply.
    pub fn parse(b: u8) -> Result<Self, StatusError> {
        check(b)?;
        Ok(Self {
            recoverable: bit(b, 2),
            autocutter: bit(b, 3),
            unrecoverable: bit(b, 5),
            auto_recoverable: bit(b, 6),
        })
    }

    /// Whether any error bit is set.
    pub fn any(&self) -> bool {
        self.recoverable || self.autocutter || self.unrecoverable || self.auto_recoverable
    }
}

impl RollPaper {
    /// Parses a `DLE EOT 4` reply. Either bit of a pair counts: clones set only one of them.
    pub fn parse(b: u8) -> Result<Self, StatusError> {
        check(b)?;
        Ok(Self {
            near_end: bit(b, 2) || bit(b, 3),
            end: bit(b, 5) || bit(b, 6),
        })
    }
}

fn check(b: u8) -> Result<(), StatusError> {
    if is_status_byte(b) {
        Ok(())
    } else {
        Err(StatusError(b))
    }
}

/// Paper state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// Enough paper.
    Ok,
    /// The roll is near its end (only printers with a near-end sensor report it).
    NearEnd,
    /// Out of paper.
    Out,
}

/// A printer's state, combined from the `DLE EOT` replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrinterStatus {
    /// Online and able to print.
    pub online: bool,
    /// Cover open.
    pub cover_open: bool,
    /// Paper.
    pub paper: Paper,
    /// An error (cutter jam, head overheated …); `None` if there is none.
    pub error: Option<ErrorCause>,
}

impl PrinterStatus {
    /// Combines the replies to `DLE EOT 1, 2, 4` (and 3, asked only when 2 reports an error).
    pub fn from_parts(
        printer: PrinterInfo,
        offline: OfflineCause,
        error: Option<ErrorCause>,
        paper: RollPaper,
    ) -> Self {
        let paper = if paper.end || offline.paper_end_stop {
            Paper::Out
        } else if paper.near_end {
            Paper::NearEnd
        } else {
            Paper::Ok
        };
        let error = match error {
            Some(e) if e.any() => Some(e),
            _ if offline.error => Some(ErrorCause::default()),
            _ => None,
        };
        Self {
            online: !printer.offline,
            cover_open: offline.cover_open,
            paper,
            error,
        }
    }

    /// Parses the raw reply bytes of `DLE EOT 1, 2, 3, 4`.
    pub fn from_bytes(p1: u8, p2: u8, p3: Option<u8>, p4: u8) -> Result<Self, StatusError> {
        Ok(Self::from_parts(
            PrinterInfo::parse(p1)?,
            OfflineCause::parse(p2)?,
            p3.map(ErrorCause::parse).transpose()?,
            RollPaper::parse(p4)?,
        ))
    }

    /// Whether a ticket can be printed now.
    pub fn ready(&self) -> bool {
        self.online && !self.cover_open && self.paper != Paper::Out && self.error.is_none()
    }
}

/// What the scanner found in the input stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// A real-time status byte.
    Status(u8),
    /// An Automatic Status Back frame (4 bytes), skipped.
    Asb([u8; 4]),
    /// A byte that fits neither pattern (line noise, stale data), skipped.
    Noise(u8),
}

/// Splits the bytes a printer sends into status replies, ASB frames and noise. Never panics.
#[derive(Debug, Default, Clone)]
pub struct ReplyScanner {
    asb: Vec<u8>,
}

impl ReplyScanner {
    /// A scanner with nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// Consumes one byte; returns what it completed, if anything.
    pub fn push(&mut self, b: u8) -> Option<Reply> {
        if !self.asb.is_empty() {
            self.asb.push(b);
            if self.asb.len() == 4 {
                let frame = [self.asb[0], self.asb[1], self.asb[2], self.asb[3]];
                self.asb.clear();
                return Some(Reply::Asb(frame));
            }
            return None;
        }
        if is_status_byte(b) {
            Some(Reply::Status(b))
        } else if is_asb_first_byte(b) {
            self.asb.push(b);
            None
        } else {
            Some(Reply::Noise(b))
        }
    }

    /// Forgets a partial ASB frame (after flushing stale input).
    pub fn reset(&mut self) {
        self.asb.clear();
    }
}

#[cfg(test)]
mod tests;
