//! The booking keys: one secret of the centre, from which the per-site ID keys (sent to a site's
//! devices, `content::booking`) and the phone key (for counting no-shows without comparing numbers
//! in clear) are derived with HMAC-SHA256.

use std::{io::Write as _, os::unix::fs::OpenOptionsExt as _, path::Path};

use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use sha2::Sha256;

/// The centre's booking secret and what derives from it.
#[derive(Clone)]
pub struct BookingKeys {
    secret: [u8; 32],
}

impl std::fmt::Debug for BookingKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BookingKeys(…)")
    }
}

impl BookingKeys {
    /// Keys from a secret.
    pub fn from_secret(secret: [u8; 32]) -> Self {
        Self { secret }
    }

    /// Keys from a new random secret (held in memory only).
    pub fn random() -> Self {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Self { secret }
    }

    /// Reads the secret from `path` (64 hex digits), or makes a new random one there (mode 0600)
    /// when the file does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        let named = |reason: String| format!("booking secret {}: {reason}", path.display());
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes =
                    hex::decode(text.trim()).map_err(|_| named("expected 64 hex digits".into()))?;
                let secret: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| named("expected 64 hex digits".into()))?;
                Ok(Self { secret })
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let keys = Self::random();
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(|e| named(e.to_string()))?;
                file.write_all(format!("{}\n", hex::encode(keys.secret)).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| named(e.to_string()))?;
                tracing::info!("made a new booking secret in {}", path.display());
                Ok(keys)
            }
            Err(err) => Err(named(err.to_string())),
        }
    }

    fn mac(&self, label: &str, text: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as hmac::Mac>::new_from_slice(&self.secret)
            .expect("HMAC-SHA256 takes a key of any length");
        mac.update(label.as_bytes());
        mac.update(&[0]);
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The ID key of `site`: what its devices receive as `id_key`.
    pub fn site_id_key(&self, site: &str) -> [u8; 32] {
        self.mac("booking id key v1", site)
    }

    /// The MAC stored for an ID number booked at `site` (`content::booking::id_mac` under the
    /// site's key).
    pub fn id_mac(&self, site: &str, id_number: &str) -> String {
        content::booking::id_mac(&self.site_id_key(site), id_number)
    }

    /// The MAC of a (normalised) phone number, the same at every site: how no-shows are counted.
    pub fn phone_mac(&self, phone: &str) -> String {
        hex::encode(self.mac("booking phone v1", phone))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_site_and_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("booking-secret");
        let first = BookingKeys::load_or_create(&path).unwrap();
        let again = BookingKeys::load_or_create(&path).unwrap();
        assert_eq!(first.site_id_key("a"), again.site_id_key("a"));
        assert_ne!(first.site_id_key("a"), first.site_id_key("b"));
        assert_ne!(
            first.id_mac("a", "990101199003079992"),
            first.id_mac("b", "990101199003079992")
        );
        assert_eq!(first.phone_mac("13812345678").len(), 64);
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::write(&path, "short").unwrap();
        assert!(
            BookingKeys::load_or_create(&path)
                .unwrap_err()
                .contains("64 hex")
        );
    }
}
