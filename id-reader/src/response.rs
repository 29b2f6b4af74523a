//! SAM → host responses: status bytes, read-data layout (TLEN/PLEN/FLEN), SAM ID, appended address.

use std::fmt;

use thiserror::Error;

use crate::frame::{self, FrameError};
use crate::status::Status;

/// A response whose content does not fit the command's layout.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The framing itself was wrong.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The payload is shorter than `SW1 SW2 SW3`.
    #[error("response payload of {0} bytes has no SW1 SW2 SW3")]
    NoStatus(usize),
    /// A read response too short for its length fields.
    #[error("read response data of {have} bytes cannot hold its length fields ({need} bytes)")]
    MissingLengths {
        /// Data bytes present.
        have: usize,
        /// Bytes the length fields need.
        need: usize,
    },
    /// TLEN + PLEN (+ FLEN) disagree with the data actually present.
    #[error(
        "read response lengths TLEN={text} PLEN={photo} FLEN={fingerprint} need {need} data bytes, frame has {have}"
    )]
    LengthMismatch {
        /// TLEN field.
        text: u16,
        /// PLEN field.
        photo: u16,
        /// FLEN field (0 when absent).
        fingerprint: u16,
        /// Bytes the fields announce.
        need: usize,
        /// Bytes present after the fields.
        have: usize,
    },
    /// Data of the wrong size for a fixed-size answer.
    #[error("{what}: expected {expected} data bytes, got {got}")]
    WrongDataLength {
        /// Which answer.
        what: &'static str,
        /// Expected size.
        expected: usize,
        /// Received size.
        got: usize,
    },
}

/// A decoded response: SW1, SW2, SW3 and the data that follows. The data is wiped when the response
/// is dropped (a read answer holds the card's text, photo and fingerprints).
#[derive(Debug, Clone, PartialEq, Eq, zeroize::ZeroizeOnDrop)]
pub struct Response {
    /// SW1 (card APDU status, usually 0).
    #[zeroize(skip)]
    pub sw1: u8,
    /// SW2 (card APDU status, usually 0).
    #[zeroize(skip)]
    pub sw2: u8,
    /// SW3, the SAM status.
    #[zeroize(skip)]
    pub status: Status,
    /// Data bytes after SW3 (without the checksum).
    pub data: Vec<u8>,
}

impl Response {
    /// A response with `SW1 = SW2 = 0`.
    pub fn new(status: Status, data: Vec<u8>) -> Self {
        Self {
            sw1: 0,
            sw2: 0,
            status,
            data,
        }
    }

    /// Splits a frame payload (as returned by [`frame::FrameDecoder`]) into status and data.
    pub fn from_payload(payload: &[u8]) -> Result<Self, ProtocolError> {
        match payload {
            [sw1, sw2, sw3, data @ ..] => Ok(Self {
                sw1: *sw1,
                sw2: *sw2,
                status: Status::from_code(*sw3),
                data: data.to_vec(),
            }),
            _ => Err(ProtocolError::NoStatus(payload.len())),
        }
    }

    /// Parses one complete captured frame.
    pub fn from_frame(bytes: &[u8]) -> Result<Self, ProtocolError> {
        Self::from_payload(&frame::parse_one(bytes, 3)?)
    }

    /// The payload bytes `SW1 SW2 SW3 DATA`.
    pub fn payload(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(3 + self.data.len());
        out.extend_from_slice(&[self.sw1, self.sw2, self.status.code()]);
        out.extend_from_slice(&self.data);
        out
    }

    /// The complete frame.
    pub fn encode(&self) -> Result<Vec<u8>, FrameError> {
        frame::encode(&self.payload())
    }
}

/// The blocks of a successful `30 01` / `30 10` answer, split by TLEN/PLEN/FLEN; wiped when dropped.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct ReadData {
    /// The text block (256 bytes of UTF-16LE on real cards).
    pub text: Vec<u8>,
    /// The photo block (1024 bytes of opaque WLT data on real cards).
    pub photo: Vec<u8>,
    /// The fingerprint block, present only in a `30 10` answer (may be empty).
    pub fingerprint: Option<Vec<u8>>,
}

impl fmt::Debug for ReadData {
    /// Only sizes: the blocks hold personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadData")
            .field("text_len", &self.text.len())
            .field("photo_len", &self.photo.len())
            .field("fingerprint_len", &self.fingerprint.as_ref().map(Vec::len))
            .finish()
    }
}

impl ReadData {
    /// Parses the data of a read answer; `with_fingerprint` says whether FLEN is present (i.e.
    /// whether `30 10` was sent). Lengths come from the fields, never from constants.
    pub fn parse(data: &[u8], with_fingerprint: bool) -> Result<Self, ProtocolError> {
        let header = if with_fingerprint { 6 } else { 4 };
        if data.len() < header {
            return Err(ProtocolError::MissingLengths {
                have: data.len(),
                need: header,
            });
        }
        let field = |i: usize| u16::from_be_bytes([data[i], data[i + 1]]);
        let (tlen, plen) = (field(0), field(2));
        let flen = if with_fingerprint { field(4) } else { 0 };
        let body = &data[header..];
        let need = usize::from(tlen) + usize::from(plen) + usize::from(flen);
        if body.len() != need {
            return Err(ProtocolError::LengthMismatch {
                text: tlen,
                photo: plen,
                fingerprint: flen,
                need,
                have: body.len(),
            });
        }
        let (text, rest) = body.split_at(usize::from(tlen));
        let (photo, fp) = rest.split_at(usize::from(plen));
        Ok(Self {
            text: text.to_vec(),
            photo: photo.to_vec(),
            fingerprint: with_fingerprint.then(|| fp.to_vec()),
        })
    }

    /// The data bytes of a read answer (inverse of [`Self::parse`]); blocks longer than 65535
    /// bytes are truncated.
    pub fn encode(&self) -> Vec<u8> {
        fn len16(b: &[u8]) -> usize {
            b.len().min(usize::from(u16::MAX))
        }
        let mut out = Vec::new();
        for block in [
            Some(&self.text),
            Some(&self.photo),
            self.fingerprint.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            out.extend_from_slice(&(len16(block) as u16).to_be_bytes());
        }
        for block in [
            Some(&self.text),
            Some(&self.photo),
            self.fingerprint.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            out.extend_from_slice(&block[..len16(block)]);
        }
        out
    }
}

/// The 16-byte SAM management information (`12 FF`), kept raw, with formatters.
///
/// Two formats circulate; [`fmt::Display`] uses the vendor-tool style
/// `05.01-20101229-0123456789-0123456789` (hex bytes 0 and 2, three little-endian u32 in decimal,
/// the last two padded to 10 digits); [`SamId::decimal_format`] gives the other one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SamId(pub [u8; 16]);

impl SamId {
    /// Parses the data of a `12 FF` answer.
    pub fn from_data(data: &[u8]) -> Result<Self, ProtocolError> {
        <[u8; 16]>::try_from(data)
            .map(Self)
            .map_err(|_| ProtocolError::WrongDataLength {
                what: "SAM ID",
                expected: 16,
                got: data.len(),
            })
    }

    fn u32_le(&self, at: usize) -> u32 {
        u32::from_le_bytes([self.0[at], self.0[at + 1], self.0[at + 2], self.0[at + 3]])
    }

    /// The alternative format: decimal bytes 0 and 2, signed little-endian integers, 9-digit padding.
    pub fn decimal_format(&self) -> String {
        format!(
            "{:02}.{:02}-{}-{:09}-{:09}",
            self.0[0],
            self.0[2],
            self.u32_le(4) as i32,
            self.u32_le(8) as i32,
            self.u32_le(12) as i32
        )
    }
}

impl fmt::Display for SamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02X}.{:02X}-{}-{:010}-{:010}",
            self.0[0],
            self.0[2],
            self.u32_le(4),
            self.u32_le(8),
            self.u32_le(12)
        )
    }
}

/// Decodes UTF-16LE text and trims the padding (U+0020 and U+0000) at both ends.
pub fn decode_ucs2(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
        .trim_matches(|c| c == ' ' || c == '\0')
        .to_owned()
}

/// The appended address of a `30 03` answer: `None` unless the SAM answered `90` (e.g. `91`, none).
pub fn appended_address(response: &Response) -> Option<String> {
    (response.status == Status::Success).then(|| decode_ucs2(&response.data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(hex: &str) -> Vec<u8> {
        hex.split_whitespace()
            .map(|h| u8::from_str_radix(h, 16).unwrap())
            .collect()
    }

    #[test]
    fn captured_short_frames_decode() {
        let cases = [
            ("AA AA AA 96 69 00 04 00 00 80 84", Status::FindFailed, 0),
            (
                "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97",
                Status::CardFound,
                4,
            ),
            (
                "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C",
                Status::Success,
                8,
            ),
            ("AA AA AA 96 69 00 04 00 00 81 85", Status::SelectFailed, 0),
            ("AA AA AA 96 69 00 04 00 00 41 45", Status::ReadFailed, 0),
            (
                "AA AA AA 96 69 00 04 00 00 32 36",
                Status::SamAuthenticatesCardFailed,
                0,
            ),
        ];
        for (hex, status, n) in cases {
            let r = Response::from_frame(&bytes(hex)).unwrap();
            assert_eq!((r.status, r.data.len()), (status, n), "{hex}");
            assert_eq!(r.encode().unwrap(), bytes(hex));
        }
    }

    #[test]
    fn timeout_sentinel_is_not_a_frame() {
        // "AAAAAA96690005050505" is a sentinel in some code, not a valid frame.
        let err = Response::from_frame(&bytes("AA AA AA 96 69 00 05 05 05 05")).unwrap_err();
        assert_eq!(
            err,
            ProtocolError::Frame(FrameError::Truncated { have: 10, need: 12 })
        );
    }

    #[test]
    fn read_header_matches_capture() {
        let data = ReadData {
            text: vec![0x20; 256],
            photo: vec![7; 1024],
            fingerprint: None,
        };
        let frame = Response::new(Status::Success, data.encode())
            .encode()
            .unwrap();
        assert_eq!(frame.len(), 1295);
        assert_eq!(
            frame[..14],
            bytes("AA AA AA 96 69 05 08 00 00 90 01 00 04 00")[..]
        );
        let back = Response::from_frame(&frame).unwrap();
        assert_eq!(ReadData::parse(&back.data, false).unwrap(), data);
    }

    #[test]
    fn lengths_come_from_the_fields() {
        // A text block of 8 bytes and a photo of 2: no constant offsets.
        let data = bytes("00 08 00 02 41 00 42 00 20 00 00 00 99 98");
        let r = ReadData::parse(&data, false).unwrap();
        assert_eq!(decode_ucs2(&r.text), "AB");
        assert_eq!(r.photo, [0x99, 0x98]);
        let fp = ReadData {
            text: vec![1; 256],
            photo: vec![2; 1024],
            fingerprint: Some(vec![3; 512]),
        };
        let enc = fp.encode();
        assert_eq!(enc[..6], [1, 0, 4, 0, 2, 0]);
        assert_eq!(ReadData::parse(&enc, true).unwrap(), fp);
        assert!(matches!(
            ReadData::parse(&enc, false),
            Err(ProtocolError::LengthMismatch { .. })
        ));
        assert!(matches!(
            ReadData::parse(&[1], false),
            Err(ProtocolError::MissingLengths { have: 1, need: 4 })
        ));
    }

    #[test]
    fn sam_id_formats() {
        let mut raw = [0u8; 16];
        raw[0] = 0x05;
        raw[2] = 0x01;
        raw[4..8].copy_from_slice(&20_101_229u32.to_le_bytes());
        raw[8..12].copy_from_slice(&123_456_789u32.to_le_bytes());
        raw[12..16].copy_from_slice(&42u32.to_le_bytes());
        let id = SamId::from_data(&raw).unwrap();
        assert_eq!(id.to_string(), "05.01-20101229-0123456789-0000000042");
        assert_eq!(id.decimal_format(), "05.01-20101229-123456789-000000042");
        assert!(SamId::from_data(&raw[..15]).is_err());
    }

    #[test]
    fn ucs2_trims_spaces_and_nuls() {
        let mut b = Vec::new();
        for c in "张三".encode_utf16().chain([0x20, 0x00, 0x20]) {
            b.extend_from_slice(&c.to_le_bytes());
        }
        assert_eq!(decode_ucs2(&b), "张三");
        assert_eq!(decode_ucs2(&[0x41]), "");
    }
}
