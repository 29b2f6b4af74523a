//! Ed25519 keys: the files the publisher keeps, the text the device trusts, and key ids.
//!
//! A private key file holds `ed25519-secret:<64 hex digits>` (the 32-byte seed); its public half,
//! `ed25519:<64 hex digits>`, goes in `KEY.pub` and in the devices' `content.trusted_keys`. A key id is
//! the first 16 hex digits of the SHA-256 of the public key bytes; signatures name the key by its id.

use std::{fmt, path::Path, str::FromStr};

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

use super::ContentError;

const SECRET_PREFIX: &str = "ed25519-secret:";
const PUBLIC_PREFIX: &str = "ed25519:";

/// A trusted public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

/// A private signing key (the centre's side).
pub struct SecretKey(SigningKey);

impl PublicKey {
    /// The key id: the first 16 hex digits of the SHA-256 of the key bytes.
    pub fn id(&self) -> String {
        hex::encode(&Sha256::digest(self.0.as_bytes())[..8])
    }

    /// Checks a signature over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = Signature::from_slice(signature) else {
            return false;
        };
        self.0.verify_strict(message, &signature).is_ok()
    }

    /// Reads a public key file (`ed25519:<hex>`).
    pub fn read(path: &Path) -> Result<Self, ContentError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ContentError::io(path, source))?;
        text.trim().parse().map_err(|reason| ContentError::Key {
            path: path.to_owned(),
            reason,
        })
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PUBLIC_PREFIX}{}", hex::encode(self.0.as_bytes()))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.id())
    }
}

impl FromStr for PublicKey {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let hex_part = text
            .trim()
            .strip_prefix(PUBLIC_PREFIX)
            .ok_or_else(|| format!("a public key must start with `{PUBLIC_PREFIX}`"))?;
        let bytes: [u8; 32] = decode32(hex_part)?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| "not a valid Ed25519 public key".to_owned())
    }
}

impl SecretKey {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut seed = [0u8; 32];
        // The thread generator is a CSPRNG (ChaCha) seeded from the operating system.
        rand::rng().fill_bytes(&mut seed);
        Self(SigningKey::from_bytes(&seed))
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.0.sign(message).to_bytes().to_vec()
    }

    /// Reads a private key file.
    pub fn read(path: &Path) -> Result<Self, ContentError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ContentError::io(path, source))?;
        let key_error = |reason: String| ContentError::Key {
            path: path.to_owned(),
            reason,
        };
        let line = text
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty() && !line.starts_with('#'))
            .ok_or_else(|| key_error("the file holds no key".into()))?;
        let hex_part = line
            .strip_prefix(SECRET_PREFIX)
            .ok_or_else(|| key_error(format!("a private key must start with `{SECRET_PREFIX}`")))?;
        Ok(Self(SigningKey::from_bytes(
            &decode32(hex_part).map_err(key_error)?,
        )))
    }

    /// The text of a private key file.
    pub fn to_file_text(&self) -> String {
        format!(
            "# Ed25519 content signing key (private). Keep it offline; never copy it to a device.\n{SECRET_PREFIX}{}\n",
            hex::encode(self.0.to_bytes())
        )
    }
}

fn decode32(text: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(text.trim()).map_err(|err| format!("not hexadecimal: {err}"))?;
    bytes
        .try_into()
        .map_err(|_| "must be 32 bytes (64 hex digits)".to_owned())
}
