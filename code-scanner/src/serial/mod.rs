//! Serial mode (virtual COM port or RS-232): each scan is its text followed by a terminator, or
//! ended by an idle gap. [`SerialDecoder`] is sans-io: bytes and the time they arrived go in,
//! scans come out.

use std::time::Duration;

use serde::Deserialize;

use crate::framing::Framing;
use crate::scan::{Scan, ScanError};

#[cfg(test)]
mod tests;

/// What ends a scan on the serial line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Terminator {
    /// Carriage return, `0D` (the factory default of most scanners). A line feed right after it
    /// is dropped too, so a scanner sending CR LF also works.
    #[default]
    Cr,
    /// Line feed, `0A`. A carriage return right before it is dropped too.
    Lf,
    /// Carriage return and line feed, `0D 0A`. A lone CR is part of the text.
    CrLf,
    /// No terminator: a scan ends when no byte has arrived for the idle gap.
    None,
}

impl Terminator {
    /// The bytes a scanner sends after each scan.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Self::Cr => b"\r",
            Self::Lf => b"\n",
            Self::CrLf => b"\r\n",
            Self::None => b"",
        }
    }
}

/// The default idle gap that ends a scan without a terminator. A scanner sends a whole code in
/// one burst; 50 ms is more than ten byte times at 9600 baud.
pub const DEFAULT_IDLE_GAP: Duration = Duration::from_millis(50);

/// Decodes the byte stream of a scanner in serial mode.
///
/// Memory is bounded: at most [`Framing::max_len`] bytes are kept; a longer scan is counted,
/// discarded, and reported as [`ScanError::TooLong`] when its terminator (or gap) arrives.
#[derive(Debug, Clone)]
pub struct SerialDecoder {
    framing: Framing,
    terminator: Terminator,
    idle_gap: Duration,
    /// The current scan's bytes (empty while `overflow`).
    buf: Vec<u8>,
    /// The current scan's length in bytes, also while discarding.
    length: usize,
    overflow: bool,
    /// `Lf`, `CrLf`: a CR was seen and may start the terminator.
    pending_cr: bool,
    /// `Cr`: the previous byte ended a scan, so a LF now is the second half of a CR LF.
    after_cr: bool,
    /// When the last byte of the current scan arrived.
    last_at: Duration,
}

impl SerialDecoder {
    /// A decoder for scans framed by `framing` and ended by `terminator`; `idle_gap` is used
    /// with [`Terminator::None`] only.
    pub fn new(framing: Framing, terminator: Terminator, idle_gap: Duration) -> Self {
        Self {
            buf: Vec::with_capacity(framing.max_len.min(512)),
            framing,
            terminator,
            idle_gap,
            length: 0,
            overflow: false,
            pending_cr: false,
            after_cr: false,
            last_at: Duration::ZERO,
        }
    }

    /// The framing this decoder strips.
    pub fn framing(&self) -> &Framing {
        &self.framing
    }

    /// Bytes of an unfinished scan held now (never more than `max_len`).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Takes bytes that arrived at `now`; returns the scans (or errors) they completed, in order.
    pub fn feed(&mut self, bytes: &[u8], now: Duration) -> Vec<Result<Scan, ScanError>> {
        let mut out = Vec::new();
        if self.terminator == Terminator::None {
            if let Some(done) = self.poll(now) {
                out.push(done);
            }
            if !bytes.is_empty() {
                for &b in bytes {
                    self.push(b);
                }
                self.last_at = now;
            }
            return out;
        }
        for &b in bytes {
            if let Some(done) = self.take(b, now) {
                out.push(done);
            }
        }
        out
    }

    /// Ends a scan whose idle gap has passed at `now` ([`Terminator::None`] only; otherwise
    /// always `None`). Call it at [`SerialDecoder::deadline`].
    pub fn poll(&mut self, now: Duration) -> Option<Result<Scan, ScanError>> {
        let deadline = self.deadline()?;
        if now >= deadline {
            let at = self.last_at;
            self.finish(at)
        } else {
            None
        }
    }

    /// When [`SerialDecoder::poll`] would end the scan in progress, if one is waiting for its
    /// idle gap.
    pub fn deadline(&self) -> Option<Duration> {
        (self.terminator == Terminator::None && self.length > 0)
            .then(|| self.last_at.saturating_add(self.idle_gap))
    }

    /// Drops any unfinished scan (after the device was lost).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.length = 0;
        self.overflow = false;
        self.pending_cr = false;
        self.after_cr = false;
    }

    fn take(&mut self, b: u8, now: Duration) -> Option<Result<Scan, ScanError>> {
        match self.terminator {
            Terminator::Cr => {
                let after_cr = std::mem::take(&mut self.after_cr);
                match b {
                    b'\r' => {
                        self.after_cr = true;
                        self.finish(now)
                    }
                    b'\n' if after_cr => None,
                    _ => {
                        self.push(b);
                        None
                    }
                }
            }
            Terminator::Lf | Terminator::CrLf => {
                // A CR is held back until the next byte says whether it starts CR LF.
                if std::mem::take(&mut self.pending_cr) {
                    if b == b'\n' {
                        return self.finish(now);
                    }
                    self.push(b'\r');
                }
                match b {
                    b'\r' => self.pending_cr = true,
                    b'\n' if self.terminator == Terminator::Lf => return self.finish(now),
                    _ => self.push(b),
                }
                None
            }
            Terminator::None => {
                self.push(b);
                None
            }
        }
    }

    fn push(&mut self, b: u8) {
        self.length = self.length.saturating_add(1);
        if self.overflow {
            return;
        }
        if self.length > self.framing.max_len {
            self.overflow = true;
            self.buf.clear();
        } else {
            self.buf.push(b);
        }
    }

    fn finish(&mut self, at: Duration) -> Option<Result<Scan, ScanError>> {
        let length = std::mem::take(&mut self.length);
        let overflow = std::mem::take(&mut self.overflow);
        if length == 0 {
            return None;
        }
        let result = if overflow {
            Err(ScanError::TooLong {
                length,
                max: self.framing.max_len,
            })
        } else {
            self.framing.unwrap(&self.buf, at)
        };
        self.buf.clear();
        Some(result)
    }
}
