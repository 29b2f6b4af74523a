//! The centre's application key: the X25519 private key every kiosk seals applications to, kept in
//! one file (64 hex digits, mode 0600, made at the first start), its public key (served at
//! `GET /api/v1/applications/key` and logged at start), and the **holder key** derived from it with
//! HMAC-SHA256 under a fixed label, which keys the MAC of an applicant's ID number (`holder_mac`): the
//! citizen's "my applications" lookup finds their applications without the centre keeping the number.
//!
//! Losing the file makes every stored application unreadable (the database holds them sealed): back
//! it up with the database, and keep it out of the database's backups' reach otherwise.

use std::{io::Write as _, os::unix::fs::OpenOptionsExt as _, path::Path};

use ::applications::seal::{CentrePublicKey, CentreSecretKey, SealError};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use zeroize::Zeroizing;

/// The label the holder key is derived under.
const HOLDER_KEY_LABEL: &[u8] = b"qianjiang application holder key v1";

/// Why the key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file cannot be read or written.
    #[error("application key {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The file holds no usable key.
    #[error("application key {path}: {source}")]
    Key {
        /// The file.
        path: String,
        /// Why the key cannot be used.
        #[source]
        source: SealError,
    },
}

/// The centre's application key, its public key and the holder key. Its `Debug` shows the public
/// key only; the secrets are wiped when it is dropped.
pub struct ApplicationKeys {
    secret: CentreSecretKey,
    public: CentrePublicKey,
    holder: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for ApplicationKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationKeys")
            .field("public", &self.public.to_hex())
            .finish_non_exhaustive()
    }
}

impl ApplicationKeys {
    /// The keys of `secret`.
    pub fn new(secret: CentreSecretKey) -> Result<Self, SealError> {
        let public = secret.public_key()?;
        let bytes = Zeroizing::new(hex::decode(secret.to_hex().as_str()).map_err(|_| {
            SealError::BadKey {
                what: "the centre's private key",
            }
        })?);
        let mut mac = <Hmac<Sha256> as hmac::Mac>::new_from_slice(&bytes)
            .expect("HMAC-SHA256 takes a key of any length");
        mac.update(HOLDER_KEY_LABEL);
        let holder: Zeroizing<[u8; 32]> = Zeroizing::new(mac.finalize().into_bytes().into());
        Ok(Self {
            secret,
            public,
            holder,
        })
    }

    /// A new random key (held in memory only).
    pub fn generate() -> Result<Self, SealError> {
        Self::new(CentreSecretKey::generate()?)
    }

    /// Reads the key from `path` (64 hex digits on the first line), or makes a new random one there
    /// (mode 0600) when the file does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyFileError> {
        let name = || path.display().to_string();
        let io = |source| KeyFileError::Io {
            path: name(),
            source,
        };
        let key = |source| KeyFileError::Key {
            path: name(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let text = Zeroizing::new(text);
                let first = text.lines().next().unwrap_or_default();
                let keys = Self::new(CentreSecretKey::parse(first).map_err(key)?).map_err(key)?;
                warn_if_readable_by_others(path);
                Ok(keys)
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let keys = Self::generate().map_err(key)?;
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(io)?;
                let line = Zeroizing::new(format!("{}\n", keys.secret.to_hex().as_str()));
                file.write_all(line.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(io)?;
                tracing::info!("made a new application key in {}", path.display());
                Ok(keys)
            }
            Err(err) => Err(io(err)),
        }
    }

    /// The public key the kiosks seal to.
    pub fn public_key(&self) -> CentrePublicKey {
        self.public
    }

    /// Opens an envelope sealed to this key with `context` (an application's tracking code, or
    /// `lookup`).
    pub fn open(&self, context: &[u8], envelope: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        self.secret.open(context, envelope)
    }

    /// The MAC of an ID number under the holder key, as hex: the same number (spaces around it and
    /// the case of a final `x` ignored) gives the same MAC, and nothing else can be learnt from it
    /// without the key.
    pub fn holder_mac(&self, id_number: &str) -> String {
        let normalised = Zeroizing::new(id_number.trim().to_ascii_uppercase());
        let mut mac = <Hmac<Sha256> as hmac::Mac>::new_from_slice(&self.holder[..])
            .expect("HMAC-SHA256 takes a key of any length");
        mac.update(normalised.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Logs a warning when the key file may be read by others than its owner.
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            "the application key {} may be read by others (mode {:o}): chmod 600 it",
            path.display(),
            meta.permissions().mode() & 0o777
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_made_private_and_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("application-key");
        let first = ApplicationKeys::load_or_create(&path).unwrap();
        let again = ApplicationKeys::load_or_create(&path).unwrap();
        assert_eq!(first.public_key(), again.public_key());
        assert_eq!(
            first.holder_mac("99010119600102999x"),
            again.holder_mac(" 99010119600102999X ")
        );
        assert_ne!(
            first.holder_mac("990101196001029991"),
            first.holder_mac("990101196001029992")
        );
        assert_eq!(first.holder_mac("1").len(), 64);
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64);
        assert!(!format!("{first:?}").contains(text.trim()));

        let other = ApplicationKeys::generate().unwrap();
        assert_ne!(other.public_key(), first.public_key());
        assert_ne!(
            other.holder_mac("990101196001029991"),
            first.holder_mac("990101196001029991"),
            "the holder key is the centre's own"
        );

        std::fs::write(&path, "short").unwrap();
        let err = ApplicationKeys::load_or_create(&path).unwrap_err();
        assert!(err.to_string().contains("64 hexadecimal digits"), "{err}");
    }

    #[test]
    fn an_envelope_sealed_to_the_public_key_opens() {
        let keys = ApplicationKeys::generate().unwrap();
        let envelope =
            ::applications::seal::seal(&keys.public_key(), b"lookup", b"990101196001029991")
                .unwrap();
        assert_eq!(
            &keys.open(b"lookup", &envelope).unwrap()[..],
            b"990101196001029991"
        );
        assert!(keys.open(b"S-2345-6789", &envelope).is_err());
    }
}
