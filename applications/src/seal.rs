//! The envelope that only the centre can open.
//!
//! The kiosk seals each application to the centre's X25519 public key: an ephemeral key pair per
//! envelope, the shared secret through HKDF-SHA256 (salt: both public keys; info: this format's name)
//! into an AES-256-GCM key, a random nonce, and additional data that binds the envelope to its
//! tracking code so two envelopes cannot be swapped. A stolen kiosk holds only envelopes and the public
//! key; the private key lives at the centre.
//!
//! Layout: `QJS1`, the ephemeral public key (32 bytes), the nonce (12 bytes), the ciphertext with its
//! 16-byte tag. Keys are written as 64 hexadecimal digits.

use aws_lc_rs::{
    aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    agreement::{self, PrivateKey, UnparsedPublicKey, X25519},
    encoding::{AsBigEndian as _, Curve25519SeedBin},
    error::Unspecified,
    hkdf::{HKDF_SHA256, Salt},
};
use zeroize::Zeroizing;

const MAGIC: &[u8; 4] = b"QJS1";
const KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;
const INFO: &[u8] = b"qianjiang application seal v1";
/// Bytes an envelope adds to what it seals.
pub const OVERHEAD: usize = MAGIC.len() + KEY_LEN + NONCE_LEN + TAG_LEN;

/// Why an envelope cannot be made or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// A key is not 64 hexadecimal digits, or not a usable X25519 key.
    #[error("{what} is not an X25519 key written as 64 hexadecimal digits")]
    BadKey {
        /// Which key.
        what: &'static str,
    },
    /// The bytes are not an envelope of this format.
    #[error("not a sealed envelope (too short or no QJS1 header)")]
    NotAnEnvelope,
    /// The envelope was not sealed to this key, was changed, or belongs to another code.
    #[error("the envelope cannot be opened: another key, another tracking code, or changed bytes")]
    Unopenable,
    /// The cryptographic library failed.
    #[error("the cryptographic library failed")]
    Crypto,
}

/// The centre's public key, which every kiosk holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CentrePublicKey([u8; KEY_LEN]);

impl CentrePublicKey {
    /// The key written as 64 hexadecimal digits.
    pub fn parse(hex_text: &str) -> Result<Self, SealError> {
        parse_key(hex_text, "the centre's public key").map(Self)
    }

    /// The key as 64 hexadecimal digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// The centre's private key. Its bytes are wiped when it is dropped and never shown by `Debug`.
pub struct CentreSecretKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for CentreSecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CentreSecretKey(..)")
    }
}

impl CentreSecretKey {
    /// A new random key.
    pub fn generate() -> Result<Self, SealError> {
        let key = PrivateKey::generate(&X25519).map_err(|_| SealError::Crypto)?;
        let seed: Curve25519SeedBin<'_> = key.as_be_bytes().map_err(|_| SealError::Crypto)?;
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        bytes.copy_from_slice(seed.as_ref());
        Ok(Self(bytes))
    }

    /// The key written as 64 hexadecimal digits (the first line of the centre's key file).
    pub fn parse(hex_text: &str) -> Result<Self, SealError> {
        parse_key(hex_text, "the centre's private key").map(|k| Self(Zeroizing::new(k)))
    }

    /// The key as 64 hexadecimal digits, for the key file.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(*self.0))
    }

    /// The public key that goes to the kiosks.
    pub fn public_key(&self) -> Result<CentrePublicKey, SealError> {
        let key = self.private()?;
        let public = key.compute_public_key().map_err(|_| SealError::Crypto)?;
        let bytes: [u8; KEY_LEN] = public.as_ref().try_into().map_err(|_| SealError::Crypto)?;
        Ok(CentrePublicKey(bytes))
    }

    fn private(&self) -> Result<PrivateKey, SealError> {
        PrivateKey::from_private_key(&X25519, &self.0[..]).map_err(|_| SealError::BadKey {
            what: "the centre's private key",
        })
    }

    /// Opens an envelope sealed to this key with the same `context`.
    pub fn open(&self, context: &[u8], envelope: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if envelope.len() < OVERHEAD || &envelope[..4] != MAGIC {
            return Err(SealError::NotAnEnvelope);
        }
        let ephemeral = &envelope[4..4 + KEY_LEN];
        let nonce: [u8; NONCE_LEN] = envelope[4 + KEY_LEN..4 + KEY_LEN + NONCE_LEN]
            .try_into()
            .map_err(|_| SealError::NotAnEnvelope)?;
        let recipient = self.public_key()?;
        let key = derive(&self.private()?, ephemeral, ephemeral, &recipient.0)
            .map_err(|_| SealError::Unopenable)?;
        let mut buffer = Zeroizing::new(envelope[4 + KEY_LEN + NONCE_LEN..].to_vec());
        let plain_len = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                &mut buffer,
            )
            .map_err(|_| SealError::Unopenable)?
            .len();
        buffer.truncate(plain_len);
        Ok(buffer)
    }
}

/// Seals `plain` to `recipient`, bound to `context` (the tracking code's bytes).
pub fn seal(
    recipient: &CentrePublicKey,
    context: &[u8],
    plain: &[u8],
) -> Result<Vec<u8>, SealError> {
    let ephemeral = PrivateKey::generate(&X25519).map_err(|_| SealError::Crypto)?;
    let ephemeral_public = ephemeral
        .compute_public_key()
        .map_err(|_| SealError::Crypto)?;
    // The salt names both public keys: the ephemeral one and the recipient's.
    let key = derive(
        &ephemeral,
        &recipient.0,
        ephemeral_public.as_ref(),
        &recipient.0,
    )
    .map_err(|_| SealError::BadKey {
        what: "the centre's public key",
    })?;
    let mut nonce = [0u8; NONCE_LEN];
    aws_lc_rs::rand::fill(&mut nonce).map_err(|_| SealError::Crypto)?;
    let mut out = Vec::with_capacity(plain.len() + OVERHEAD);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(ephemeral_public.as_ref());
    out.extend_from_slice(&nonce);
    let mut body = plain.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(context),
        &mut body,
    )
    .map_err(|_| SealError::Crypto)?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// The AEAD key from `mine` agreed with `peer`, salted with the envelope's ephemeral public key and
/// the recipient's public key.
fn derive(
    mine: &PrivateKey,
    peer: &[u8],
    ephemeral_public: &[u8],
    recipient: &[u8; KEY_LEN],
) -> Result<LessSafeKey, Unspecified> {
    let mut salt = [0u8; 2 * KEY_LEN];
    salt[..KEY_LEN].copy_from_slice(ephemeral_public.get(..KEY_LEN).ok_or(Unspecified)?);
    salt[KEY_LEN..].copy_from_slice(recipient);
    agreement::agree(
        mine,
        UnparsedPublicKey::new(&X25519, peer),
        Unspecified,
        |shared| {
            let prk = Salt::new(HKDF_SHA256, &salt).extract(shared);
            let mut key = Zeroizing::new([0u8; KEY_LEN]);
            prk.expand(&[INFO], &AES_256_GCM)?.fill(&mut key[..])?;
            Ok(LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key[..])?))
        },
    )
}

fn parse_key(text: &str, what: &'static str) -> Result<[u8; KEY_LEN], SealError> {
    let mut bytes = [0u8; KEY_LEN];
    hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| SealError::BadKey { what })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_centre_opens_and_only_for_its_code() {
        let secret = CentreSecretKey::generate().unwrap();
        let public = secret.public_key().unwrap();
        let envelope = seal(&public, b"S-2345-6789", "申请人张三".as_bytes()).unwrap();
        assert_eq!(envelope.len(), "申请人张三".len() + OVERHEAD);
        assert!(!envelope.windows(3).any(|w| w == "张".as_bytes()));
        let plain = secret.open(b"S-2345-6789", &envelope).unwrap();
        assert_eq!(&plain[..], "申请人张三".as_bytes());
        assert_eq!(
            secret.open(b"S-2345-678A", &envelope),
            Err(SealError::Unopenable)
        );
        let other = CentreSecretKey::generate().unwrap();
        assert_eq!(
            other.open(b"S-2345-6789", &envelope),
            Err(SealError::Unopenable)
        );
        let mut changed = envelope.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert_eq!(
            secret.open(b"S-2345-6789", &changed),
            Err(SealError::Unopenable)
        );
        assert_eq!(secret.open(b"", b"QJS1"), Err(SealError::NotAnEnvelope));
    }

    #[test]
    fn keys_round_trip_as_hex() {
        let secret = CentreSecretKey::generate().unwrap();
        let again = CentreSecretKey::parse(&secret.to_hex()).unwrap();
        assert_eq!(secret.public_key().unwrap(), again.public_key().unwrap());
        let public = secret.public_key().unwrap();
        assert_eq!(CentrePublicKey::parse(&public.to_hex()).unwrap(), public);
        assert!(CentrePublicKey::parse("xyz").is_err());
        assert!(!format!("{secret:?}").contains(&secret.to_hex()[..8]));
    }

    proptest::proptest! {
        #[test]
        fn opening_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let secret = CentreSecretKey::parse(&"11".repeat(32)).unwrap();
            let _ = secret.open(b"x", &bytes);
            let mut framed = b"QJS1".to_vec();
            framed.extend_from_slice(&bytes);
            let _ = secret.open(b"x", &framed);
        }
    }
}
