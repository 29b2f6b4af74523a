//! What a decoder delivers: a [`Scan`], or a [`ScanError`] naming what was wrong with one.

use std::time::Duration;

use crate::symbology::Symbology;

/// One decoded code, as the scanner sent it, with its framing removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The code's text (prefix, suffix, AIM identifier and terminator removed).
    pub text: String,
    /// The symbology, when the scanner sends AIM identifiers (`]Q1` → [`Symbology::Qr`]).
    pub symbology: Option<Symbology>,
    /// When the scan was complete, on the monotonic clock the decoder was fed with: the time of
    /// the terminator (or Enter), or of the last byte when an idle gap ends the scan.
    pub at: Duration,
}

/// How many bytes of a bad scan an error shows (in hex) before it truncates.
pub const HEX_SHOWN: usize = 32;

/// A scan that was received but could not be delivered. The decoder has already dropped it and
/// resynchronised; the next scan is decoded normally.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// The scan was longer than the configured maximum; its bytes were discarded up to the next
    /// terminator (or Enter, or idle gap).
    #[error("scan of {length} bytes is longer than the maximum of {max} bytes")]
    TooLong {
        /// Length of the whole scan in bytes (characters in keyboard mode), framing included.
        length: usize,
        /// The configured maximum.
        max: usize,
    },
    /// The bytes are neither UTF-8 nor GBK text (or not the configured encoding).
    #[error("scan of {length} bytes is not {encoding} text: {hex}")]
    NotText {
        /// The scan's bytes in hex, truncated after [`HEX_SHOWN`] bytes.
        hex: String,
        /// Length of the text in bytes.
        length: usize,
        /// What was tried: `UTF-8 or GBK`, `UTF-8` or `GBK`.
        encoding: &'static str,
    },
    /// The configured prefix did not start the scan.
    #[error("scan does not start with the configured prefix {prefix:?}")]
    MissingPrefix {
        /// The configured prefix.
        prefix: String,
    },
    /// The configured suffix did not end the scan.
    #[error("scan does not end with the configured suffix {suffix:?}")]
    MissingSuffix {
        /// The configured suffix.
        suffix: String,
    },
    /// A key without a character on the US layout was pressed (keyboard mode); the scan was
    /// dropped up to the next Enter.
    #[error("unknown key code {code} in a keyboard scan (not a character on the US layout)")]
    UnknownKey {
        /// The Linux input key code (`KEY_F1` = 59, …).
        code: u16,
    },
}

/// `bytes` in lower-case hex with a space between bytes, truncated after [`HEX_SHOWN`] bytes.
pub fn hex_preview(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().min(HEX_SHOWN) * 3 + 16);
    for (i, b) in bytes.iter().take(HEX_SHOWN).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{b:02x}"));
    }
    if bytes.len() > HEX_SHOWN {
        out.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_preview_truncates_after_its_limit() {
        assert_eq!(hex_preview(&[0xff, 0x00, 0x41]), "ff 00 41");
        let long = vec![0xab; HEX_SHOWN + 5];
        let shown = hex_preview(&long);
        assert!(shown.ends_with("ab …"), "{shown}");
        assert_eq!(shown.matches("ab").count(), HEX_SHOWN);
    }

    #[test]
    fn errors_name_what_was_wrong() {
        let e = ScanError::TooLong {
            length: 5000,
            max: 4096,
        };
        assert_eq!(
            e.to_string(),
            "scan of 5000 bytes is longer than the maximum of 4096 bytes"
        );
        assert_eq!(
            ScanError::UnknownKey { code: 59 }.to_string(),
            "unknown key code 59 in a keyboard scan (not a character on the US layout)"
        );
    }
}
