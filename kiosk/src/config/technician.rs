//! `[technician]`: the PIN that opens the technician page on the kiosk, and its lockout.
//!
//! The PIN is kept as `pin_sha256 = "SALT$HEX"`: the hex SHA-256 of `SALT$PIN`. `kiosk technician
//! hash-pin` makes one. The hash keeps the PIN out of plain sight in the file; with 4 to 8 digits it
//! is no defence against someone who can read the file, so the file stays readable by root only and
//! the kiosk's lockout after a few wrong tries guards the screen.

use std::path::Path;

use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use super::ConfigError;

/// The documented development PIN (README, demo section). A device in service sets its own.
pub const DEV_PIN: &str = "8642";
/// `pin_sha256` of [`DEV_PIN`] with the salt `qianjiang-dev`.
pub const DEV_PIN_SHA256: &str =
    "qianjiang-dev$c0ffaccf47d4f1d75312b2f1e535a92ffc392e8e8a036b6ec6d62680a33d23e5";

/// The technician page's PIN and lockout.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct TechnicianConfig {
    /// `SALT$HEX`: the hex SHA-256 of `SALT$PIN` (`kiosk technician hash-pin`).
    pub pin_sha256: String,
    /// Wrong PINs in a row before the PIN pad locks (1 to 20).
    pub max_attempts: u32,
    /// How long the PIN pad stays locked after too many wrong PINs, in seconds (10 to 86400).
    pub lockout_secs: u64,
    /// Let the development PIN open the page although a configuration file is loaded (test benches
    /// only). Without it, a configured device with the development PIN keeps the page closed.
    pub allow_dev_pin: bool,
}

impl Default for TechnicianConfig {
    fn default() -> Self {
        Self {
            pin_sha256: DEV_PIN_SHA256.to_owned(),
            max_attempts: 5,
            lockout_secs: 300,
            allow_dev_pin: false,
        }
    }
}

impl TechnicianConfig {
    /// Whether the PIN is still the documented development PIN.
    pub fn uses_dev_pin(&self) -> bool {
        self.pin_sha256 == DEV_PIN_SHA256
    }

    pub(super) fn validate(&self, origin: &Path) -> Result<(), ConfigError> {
        let invalid = |key: &str, reason: String| ConfigError::Invalid {
            path: origin.to_owned(),
            key: key.to_owned(),
            reason,
        };
        if let Err(reason) = PinHash::parse(&self.pin_sha256) {
            return Err(invalid("technician.pin_sha256", reason));
        }
        if !(1..=20).contains(&self.max_attempts) {
            return Err(invalid(
                "technician.max_attempts",
                "must be between 1 and 20".to_owned(),
            ));
        }
        if !(10..=86_400).contains(&self.lockout_secs) {
            return Err(invalid(
                "technician.lockout_secs",
                "must be between 10 and 86400 seconds".to_owned(),
            ));
        }
        Ok(())
    }
}

/// A salted SHA-256 of a PIN, `SALT$HEX`.
#[derive(Clone, PartialEq, Eq)]
pub struct PinHash {
    salt: String,
    digest: [u8; 32],
}

impl std::fmt::Debug for PinHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinHash").finish_non_exhaustive()
    }
}

impl PinHash {
    /// Parses `SALT$HEX`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (salt, hex_digest) = text
            .split_once('$')
            .ok_or_else(|| "must look like SALT$HEX (kiosk technician hash-pin)".to_owned())?;
        if salt.is_empty() || salt.len() > 64 || !salt.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("the salt before `$` must be 1 to 64 visible ASCII characters".to_owned());
        }
        let bytes = hex::decode(hex_digest)
            .map_err(|_| "the part after `$` must be 64 hexadecimal digits".to_owned())?;
        let digest: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "the part after `$` must be 64 hexadecimal digits".to_owned())?;
        Ok(Self {
            salt: salt.to_owned(),
            digest,
        })
    }

    /// Hashes `pin` with `salt`.
    pub fn new(salt: &str, pin: &str) -> Self {
        Self {
            salt: salt.to_owned(),
            digest: digest(salt, pin),
        }
    }

    /// Hashes `pin` with a fresh random salt. The PIN must be 4 to 8 digits.
    pub fn generate(pin: &str) -> Result<Self, String> {
        check_pin_format(pin)?;
        let salt: [u8; 8] = rand::random();
        Ok(Self::new(&hex::encode(salt), pin))
    }

    /// Whether `pin` is the hashed PIN (compared in constant time).
    pub fn matches(&self, pin: &str) -> bool {
        let candidate = digest(&self.salt, pin);
        candidate
            .iter()
            .zip(self.digest.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl std::fmt::Display for PinHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}${}", self.salt, hex::encode(self.digest))
    }
}

/// A technician PIN is 4 to 8 digits.
pub fn check_pin_format(pin: &str) -> Result<(), String> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("a technician PIN is 4 to 8 digits".to_owned())
    }
}

fn digest(salt: &str, pin: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(b"$");
    hasher.update(pin.as_bytes());
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dev_hash_is_the_dev_pin() {
        let hash = PinHash::parse(DEV_PIN_SHA256).unwrap();
        assert!(hash.matches(DEV_PIN));
        assert!(!hash.matches("8641"));
        assert!(!hash.matches(""));
        assert_eq!(hash.to_string(), DEV_PIN_SHA256);
    }

    #[test]
    fn a_generated_hash_round_trips_and_salts_differ() {
        let a = PinHash::generate("13579").unwrap();
        let b = PinHash::generate("13579").unwrap();
        assert_ne!(a.to_string(), b.to_string(), "fresh salt each time");
        let parsed = PinHash::parse(&a.to_string()).unwrap();
        assert!(parsed.matches("13579"));
        assert!(!parsed.matches("1357"));
    }

    #[test]
    fn bad_pins_and_hashes_are_refused_with_a_reason() {
        assert!(PinHash::generate("12a4").is_err());
        assert!(PinHash::generate("123").is_err());
        assert!(PinHash::generate("123456789").is_err());
        assert!(PinHash::parse("nodollar").unwrap_err().contains("SALT$HEX"));
        assert!(PinHash::parse("$00").unwrap_err().contains("salt"));
        assert!(
            PinHash::parse("s$xyz")
                .unwrap_err()
                .contains("64 hexadecimal")
        );
        assert!(
            PinHash::parse("s$00")
                .unwrap_err()
                .contains("64 hexadecimal")
        );
    }
}
