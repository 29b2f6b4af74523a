//! What a scanner puts around the code's text, in either mode: a configured prefix, an AIM
//! symbology identifier, a configured suffix. The terminator (or Enter) is the decoders' business.
//!
//! On the wire: `prefix` `]Q1` `text` `suffix` `terminator`, the order Newland, Honeywell and Zebra
//! scanners use by default.

use std::time::Duration;

use crate::scan::{Scan, ScanError};
use crate::symbology::AimId;
use crate::text::TextEncoding;

/// The default maximum length of a scan in bytes: a QR code holds at most 2953 bytes, and a
/// booking code is far shorter.
pub const DEFAULT_MAX_LEN: usize = 4096;

/// How scans are framed and decoded, in either mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framing {
    /// Bytes the scanner sends before each scan (empty: none).
    pub prefix: String,
    /// Bytes the scanner sends after each scan, before the terminator (empty: none).
    pub suffix: String,
    /// The scanner sends an AIM identifier (`]Q1`) before the text: strip it, report the
    /// symbology. A scan without one is delivered whole, without a symbology.
    pub aim_id: bool,
    /// The text encoding.
    pub encoding: TextEncoding,
    /// The longest scan accepted, in bytes between terminators (framing included).
    pub max_len: usize,
}

impl Default for Framing {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            suffix: String::new(),
            aim_id: false,
            encoding: TextEncoding::Auto,
            max_len: DEFAULT_MAX_LEN,
        }
    }
}

impl Framing {
    /// The scan in `raw` (the bytes between two terminators), completed at `at`.
    pub fn unwrap(&self, raw: &[u8], at: Duration) -> Result<Scan, ScanError> {
        let body =
            raw.strip_prefix(self.prefix.as_bytes())
                .ok_or_else(|| ScanError::MissingPrefix {
                    prefix: self.prefix.clone(),
                })?;
        let (symbology, body) = match AimId::parse(body) {
            Some(aim) if self.aim_id => (Some(aim.symbology()), &body[AimId::LEN..]),
            _ => (None, body),
        };
        let body =
            body.strip_suffix(self.suffix.as_bytes())
                .ok_or_else(|| ScanError::MissingSuffix {
                    suffix: self.suffix.clone(),
                })?;
        Ok(Scan {
            text: self.encoding.decode(body)?,
            symbology,
            at,
        })
    }

    /// The bytes of one scan of `text` before the terminator, as a scanner with this framing
    /// sends them (the simulator's side); `aim` is sent only when [`Framing::aim_id`] is set.
    pub fn wrap(&self, text_bytes: &[u8], aim: Option<AimId>) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            self.prefix.len() + AimId::LEN + text_bytes.len() + self.suffix.len(),
        );
        out.extend_from_slice(self.prefix.as_bytes());
        if let (true, Some(aim)) = (self.aim_id, aim) {
            out.extend_from_slice(&aim.to_bytes());
        }
        out.extend_from_slice(text_bytes);
        out.extend_from_slice(self.suffix.as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::Symbology;

    fn framing(prefix: &str, suffix: &str, aim_id: bool) -> Framing {
        Framing {
            prefix: prefix.into(),
            suffix: suffix.into(),
            aim_id,
            ..Framing::default()
        }
    }

    #[test]
    fn strips_prefix_aim_id_and_suffix_in_wire_order() {
        let f = framing("\u{2}", "\u{3}", true);
        let scan = f
            .unwrap(b"\x02]Q1YY-20261207-0042\x03", Duration::from_secs(7))
            .unwrap();
        assert_eq!(scan.text, "YY-20261207-0042");
        assert_eq!(scan.symbology, Some(Symbology::Qr));
        assert_eq!(scan.at, Duration::from_secs(7));
        assert_eq!(
            f.wrap(b"YY-20261207-0042", Some(AimId::usual(Symbology::Qr))),
            b"\x02]Q1YY-20261207-0042\x03"
        );
    }

    #[test]
    fn aim_like_text_is_kept_when_aim_ids_are_off() {
        let scan = framing("", "", false)
            .unwrap(b"]Q1abc", Duration::ZERO)
            .unwrap();
        assert_eq!((scan.text.as_str(), scan.symbology), ("]Q1abc", None));
        // With AIM ids on, a scan without one is delivered whole.
        let scan = framing("", "", true)
            .unwrap(b"abc", Duration::ZERO)
            .unwrap();
        assert_eq!((scan.text.as_str(), scan.symbology), ("abc", None));
    }

    #[test]
    fn a_missing_prefix_or_suffix_is_named() {
        let f = framing("QJ:", ";", false);
        assert_eq!(
            f.unwrap(b"abc;", Duration::ZERO).unwrap_err(),
            ScanError::MissingPrefix {
                prefix: "QJ:".into()
            }
        );
        assert_eq!(
            f.unwrap(b"QJ:abc", Duration::ZERO).unwrap_err(),
            ScanError::MissingSuffix { suffix: ";".into() }
        );
    }
}
