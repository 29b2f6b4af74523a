//! The day key: what the engine stores in place of an identity token.
//!
//! Kiosks send a salted pre-hash of the ID number ([`IdentityToken`]). ID numbers have little
//! entropy and the salt sits in every kiosk's configuration, so a stored pre-hash is reversed by
//! trying every plausible number. The engine therefore never stores nor compares the pre-hash:
//! it stores `HMAC-SHA256(day key, pre-hash)` (hex), where the day key is 32 random bytes that
//! live only in this process's memory. A new key is drawn when the engine opens and at every
//! daily reset; the old key is zeroized in place. Without the key the stored values cannot be
//! tested against candidate numbers, and after a rotation yesterday's values mean nothing.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::{QueueError, model::IdentityToken};

/// Length of the day key in bytes.
const KEY_BYTES: usize = 32;

/// A random HMAC key held in memory only, zeroized when replaced or dropped.
pub(super) struct DayKey {
    key: Zeroizing<[u8; KEY_BYTES]>,
}

impl DayKey {
    /// A fresh random key.
    pub(super) fn new() -> Self {
        let mut key = Self {
            key: Zeroizing::new([0; KEY_BYTES]),
        };
        key.rotate();
        key
    }

    /// Replaces the key by a fresh random one, in place: the old bytes are zeroized first.
    pub(super) fn rotate(&mut self) {
        self.key.zeroize();
        rand::rng().fill_bytes(&mut self.key[..]);
    }

    /// The value stored for `token`: `HMAC-SHA256(key, token text)`, 64 lower-case hex digits.
    pub(super) fn seal(&self, token: &IdentityToken) -> Result<String, QueueError> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key[..])
            .map_err(|e| QueueError::Corrupt(format!("identity key: {e}")))?;
        mac.update(token.as_str().as_bytes());
        Ok(hex::encode(mac.finalize().into_bytes()))
    }
}

impl std::fmt::Debug for DayKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DayKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> IdentityToken {
        IdentityToken::derive("site-salt-1", "990101198001019991").unwrap()
    }

    #[test]
    fn sealing_is_stable_until_the_key_rotates() {
        let mut key = DayKey::new();
        let a = key.seal(&token()).unwrap();
        assert_eq!(a, key.seal(&token()).unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, token().as_str(), "the pre-hash itself is never stored");
        key.rotate();
        assert_ne!(
            a,
            key.seal(&token()).unwrap(),
            "yesterday's values mean nothing"
        );
        assert_ne!(
            DayKey::new().seal(&token()).unwrap(),
            DayKey::new().seal(&token()).unwrap(),
            "every engine draws its own key"
        );
        assert_eq!(format!("{key:?}"), "DayKey(…)");
    }
}
