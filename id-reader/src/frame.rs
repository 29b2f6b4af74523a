//! The GA/T 467 frame layer: `AA AA AA 96 69 | LEN_H LEN_L | payload | CHK`.
//!
//! `LEN` is big-endian and counts the payload plus the checksum byte, so a frame is `7 + LEN` bytes
//! long. `CHK` is the XOR of every byte after the preamble except itself (the two `LEN` bytes and the
//! payload). The same framing is used in both directions; only the minimum payload differs
//! (`CMD PARA` = 2 bytes host → SAM, `SW1 SW2 SW3` = 3 bytes SAM → host).
//!
//! [`FrameDecoder`] is sans-io: push bytes in any chunking, pull frames out. It resynchronises on the
//! preamble after garbage or a rejected frame, keeps its buffer bounded, and never panics.

use std::collections::VecDeque;

use thiserror::Error;
use zeroize::Zeroize as _;

/// The five bytes that start every frame.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];

/// Bytes before the payload: preamble plus the two `LEN` bytes.
pub const HEADER_LEN: usize = 7;

/// Largest `LEN` accepted by default: the biggest real response (text + photo + two fingerprints,
/// `LEN = 0x090A`) with room to spare.
pub const DEFAULT_MAX_LEN: u16 = 4096;

/// A frame the decoder (or an encoder) refused, with what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The XOR checksum does not match the frame's bytes.
    #[error("frame checksum mismatch: frame says {found:#04X}, bytes give {expected:#04X}")]
    BadChecksum {
        /// Checksum computed over the received bytes.
        expected: u8,
        /// Checksum byte carried by the frame.
        found: u8,
    },
    /// `LEN` is too small to hold the mandatory fields or larger than the decoder accepts.
    #[error("impossible frame length LEN={len} (allowed {min}..={max})")]
    ImpossibleLength {
        /// The `LEN` field as received.
        len: u16,
        /// Smallest acceptable `LEN`.
        min: u16,
        /// Largest acceptable `LEN`.
        max: u16,
    },
    /// A payload too long to be framed (encoder side).
    #[error("payload of {0} bytes does not fit a frame")]
    PayloadTooLong(usize),
    /// A buffer does not start with the preamble (single-frame parsing).
    #[error("no frame preamble AA AA AA 96 69 at the start of the data")]
    MissingPreamble,
    /// A buffer holds fewer bytes than its header announces (single-frame parsing).
    #[error("truncated frame: {have} of {need} bytes")]
    Truncated {
        /// Bytes available.
        have: usize,
        /// Bytes the header announces.
        need: usize,
    },
    /// Bytes follow a complete frame (single-frame parsing).
    #[error("{0} unexpected bytes after the frame")]
    TrailingBytes(usize),
}

/// XOR of all bytes: the protocol's checksum over `LEN_H LEN_L payload`.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

/// Builds a complete frame around `payload` (`CMD PARA DATA` or `SW1 SW2 SW3 DATA`).
///
/// Fails only when the payload cannot be described by a 16-bit `LEN`.
pub fn encode(payload: &[u8]) -> Result<Vec<u8>, FrameError> {
    let len =
        u16::try_from(payload.len() + 1).map_err(|_| FrameError::PayloadTooLong(payload.len()))?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + 1);
    out.extend_from_slice(&PREAMBLE);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    let chk = checksum(&out[PREAMBLE.len()..]);
    out.push(chk);
    Ok(out)
}

/// Parses exactly one complete frame and returns its payload (without `LEN` and `CHK`).
///
/// For captured frames (the CLI's `decode`); streams use [`FrameDecoder`].
pub fn parse_one(bytes: &[u8], min_payload: usize) -> Result<Vec<u8>, FrameError> {
    if bytes.len() < PREAMBLE.len() || bytes[..PREAMBLE.len()] != PREAMBLE {
        return Err(FrameError::MissingPreamble);
    }
    if bytes.len() < HEADER_LEN {
        return Err(FrameError::Truncated {
            have: bytes.len(),
            need: HEADER_LEN,
        });
    }
    let len = u16::from_be_bytes([bytes[5], bytes[6]]);
    let min = min_len(min_payload);
    if len < min {
        return Err(FrameError::ImpossibleLength {
            len,
            min,
            max: u16::MAX,
        });
    }
    let need = HEADER_LEN + usize::from(len);
    if bytes.len() < need {
        return Err(FrameError::Truncated {
            have: bytes.len(),
            need,
        });
    }
    if bytes.len() > need {
        return Err(FrameError::TrailingBytes(bytes.len() - need));
    }
    verify(&bytes[..need])?;
    Ok(bytes[HEADER_LEN..need - 1].to_vec())
}

fn min_len(min_payload: usize) -> u16 {
    u16::try_from(min_payload + 1).unwrap_or(u16::MAX)
}

/// Checks the checksum of a complete frame (`frame.len() >= 8`).
fn verify(frame: &[u8]) -> Result<(), FrameError> {
    let (body, chk) = frame.split_at(frame.len() - 1);
    let expected = checksum(&body[PREAMBLE.len()..]);
    if expected == chk[0] {
        Ok(())
    } else {
        Err(FrameError::BadChecksum {
            expected,
            found: chk[0],
        })
    }
}

/// Incremental frame decoder with resynchronisation and a bounded buffer.
///
/// ```
/// use id_reader::frame::{FrameDecoder, encode};
/// let mut dec = FrameDecoder::responses();
/// let frame = encode(&[0x00, 0x00, 0x80]).unwrap();
/// dec.push(&[0x13, 0x37]); // line noise
/// dec.push(&frame[..4]);
/// assert!(dec.next_frame().is_none());
/// dec.push(&frame[4..]);
/// assert_eq!(dec.next_frame(), Some(Ok(vec![0x00, 0x00, 0x80])));
/// assert_eq!(dec.skipped_bytes(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    /// Wiped as frames are consumed and when the decoder is dropped.
    buf: Vec<u8>,
    ready: VecDeque<Result<Vec<u8>, FrameError>>,
    min_len: u16,
    max_len: u16,
    skipped: u64,
}

impl Drop for FrameDecoder {
    fn drop(&mut self) {
        self.buf.zeroize();
        for payload in self.ready.iter_mut().flatten() {
            payload.zeroize();
        }
    }
}

impl FrameDecoder {
    /// A decoder with explicit payload bounds: frames must carry at least `min_payload` bytes and
    /// have `LEN <= max_len`.
    pub fn new(min_payload: usize, max_len: u16) -> Self {
        let min_len = min_len(min_payload);
        Self {
            buf: Vec::new(),
            ready: VecDeque::new(),
            min_len,
            max_len: max_len.max(min_len),
            skipped: 0,
        }
    }

    /// Decoder for SAM → host frames (`SW1 SW2 SW3` mandatory).
    pub fn responses() -> Self {
        Self::new(3, DEFAULT_MAX_LEN)
    }

    /// Decoder for host → SAM frames (`CMD PARA` mandatory).
    pub fn commands() -> Self {
        Self::new(2, DEFAULT_MAX_LEN)
    }

    /// Upper bound of the internal buffer, in bytes.
    pub fn capacity_limit(&self) -> usize {
        HEADER_LEN + usize::from(self.max_len)
    }

    /// Appends received bytes and decodes every frame they complete.
    ///
    /// The partial-frame buffer never grows beyond [`Self::capacity_limit`]; frames completed by
    /// this call wait in a queue for [`Self::next_frame`] (its size is bounded by what was pushed).
    pub fn push(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let room = self.capacity_limit().saturating_sub(self.buf.len()).max(1);
            let take = room.min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            while let Some(result) = self.extract() {
                self.ready.push_back(result);
            }
        }
    }

    /// Number of bytes currently buffered (a partial frame or a possible preamble start).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Total number of bytes discarded while resynchronising.
    pub fn skipped_bytes(&self) -> u64 {
        self.skipped
    }

    /// Drops everything buffered (e.g. before sending a new command).
    pub fn clear(&mut self) {
        self.skipped += self.buf.len() as u64;
        self.buf.zeroize();
        self.ready.clear();
    }

    /// Drops the first `n` buffered bytes and wipes the capacity they leave behind: the buffer holds
    /// card data (text, photo, fingerprints) between reads.
    fn consume(&mut self, n: usize) {
        self.buf.drain(..n);
        let len = self.buf.len();
        self.buf.resize(self.buf.capacity(), 0);
        self.buf.truncate(len);
    }

    /// Returns the next complete frame's payload, an error for a rejected frame (decoding goes on
    /// after it), or `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        self.ready.pop_front()
    }

    /// Decodes one frame (or one rejection) from the front of the buffer.
    fn extract(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        self.trim_garbage();
        if self.buf.len() < HEADER_LEN {
            return None;
        }
        let len = u16::from_be_bytes([self.buf[5], self.buf[6]]);
        if len < self.min_len || len > self.max_len {
            self.discard_to_candidate(1);
            return Some(Err(FrameError::ImpossibleLength {
                len,
                min: self.min_len,
                max: self.max_len,
            }));
        }
        let total = HEADER_LEN + usize::from(len);
        if self.buf.len() < total {
            return None;
        }
        if let Err(e) = verify(&self.buf[..total]) {
            self.discard_to_candidate(1);
            return Some(Err(e));
        }
        let payload = self.buf[HEADER_LEN..total - 1].to_vec();
        self.consume(total);
        Some(Ok(payload))
    }

    /// Drops leading bytes that cannot start a frame, keeping a possible partial preamble.
    fn trim_garbage(&mut self) {
        self.discard_to_candidate(0);
    }

    /// Drops `from` bytes, then everything up to the next position where the preamble (or a
    /// prefix of it, at the very end of the buffer) starts.
    fn discard_to_candidate(&mut self, from: usize) {
        let from = from.min(self.buf.len());
        let mut cut = self.buf.len();
        for start in from..self.buf.len() {
            let rest = &self.buf[start..];
            let n = rest.len().min(PREAMBLE.len());
            if rest[..n] == PREAMBLE[..n] {
                cut = start;
                break;
            }
        }
        if cut > 0 {
            self.skipped += cut as u64;
            self.consume(cut);
        }
    }
}

#[cfg(test)]
mod tests;
