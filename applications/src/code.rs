//! Tracking codes: `S-XXXX-XXXX`.

use serde::{Deserialize, Serialize};

/// The characters of a code: digits and capitals that cannot be mistaken for one another (no 0, 1,
/// I, O).
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// An application's tracking code, printed on the receipt and typed or scanned to see its progress:
/// `S-` (申请) and two groups of four characters, 40 random bits. It is also the key that makes a
/// second delivery of the same application harmless.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingCode(String);

impl TrackingCode {
    /// A code from 5 random bytes.
    pub fn from_random(bytes: [u8; 5]) -> Self {
        let mut bits: u64 = bytes.iter().fold(0, |acc, b| (acc << 8) | u64::from(*b));
        let mut chars = [0u8; 8];
        for c in chars.iter_mut().rev() {
            *c = ALPHABET[(bits & 31) as usize];
            bits >>= 5;
        }
        let text = String::from_utf8_lossy(&chars).into_owned();
        Self(format!("S-{}-{}", &text[..4], &text[4..]))
    }

    /// A code as citizens type it: letters upper-cased, spaces and dashes optional (`s7k3m9qxa`). None
    /// when it cannot be one.
    pub fn parse(typed: &str) -> Option<Self> {
        let plain: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let body = plain.strip_prefix('S')?;
        (body.len() == 8 && body.bytes().all(|b| ALPHABET.contains(&b)))
            .then(|| Self(format!("S-{}-{}", &body[..4], &body[4..])))
    }

    /// The code as printed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TrackingCode {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        match Self::parse(&value) {
            Some(code) if code.0 == value => Ok(code),
            _ => Err(format!(
                "`{value}` is not a tracking code (like S-7K3M-9QXA)"
            )),
        }
    }
}

impl From<TrackingCode> for String {
    fn from(code: TrackingCode) -> Self {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_typing_is_forgiving() {
        let code = TrackingCode::from_random([0xde, 0xad, 0xbe, 0xef, 0x01]);
        assert_eq!(code.as_str().len(), 11);
        assert_eq!(TrackingCode::parse(code.as_str()), Some(code.clone()));
        let typed = code.as_str().to_lowercase().replace('-', " ");
        assert_eq!(TrackingCode::parse(&typed), Some(code));
        assert_eq!(TrackingCode::parse("S-7K3M-9QX0"), None);
        assert_eq!(TrackingCode::parse("T-7K3M-9QXA"), None);
        assert!(serde_json::from_str::<TrackingCode>("\"s7k3m9qxa\"").is_err());
        assert!(serde_json::from_str::<TrackingCode>("\"S-7K3M-9QXA\"").is_ok());
    }
}
