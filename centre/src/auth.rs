//! Credentials: device tokens (kept as their SHA-256), staff passwords (argon2id PHC strings), session
//! tokens (random, kept as their SHA-256), the `Authorization` header, and the demo credentials.

use argon2::{Argon2, PasswordHasher as _, PasswordVerifier as _};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::error::AuthError;

/// The demo's staff account (`centre serve` without `--config`).
pub const DEMO_USER: &str = "admin";
/// The demo account's password.
pub const DEMO_PASSWORD: &str = "admin-demo";
/// The demo's device.
pub const DEMO_DEVICE: &str = "demo-kiosk";
/// The demo device's bearer token.
pub const DEMO_DEVICE_TOKEN: &str = "demo-device-token";
/// The demo device's site.
pub const DEMO_SITE: &str = "演示站点 (demo site)";

/// Argon2id hash of [`DEMO_PASSWORD`], precomputed so the demo starts without hashing.
pub(crate) const DEMO_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$LZ6RcVFB6zDelgxmfk+5Ew$dU84rZApIMueSW0TjQw/eMGJT3oBdjpjBrWmwb4yeNA";

/// The shortest password [`hash_password`] accepts for a real account.
pub const MIN_PASSWORD_LEN: usize = 10;

/// What a staff account may do. Only the role is recorded in this version; what each role sees is
/// enforced by the staff web app of a later release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including accounts.
    Administrator,
    /// Every site, no accounts.
    Supervisor,
    /// A station's manager.
    Manager,
    /// A lawyer who answers citizens' video calls: the call console only (`/staff/calls`).
    Lawyer,
}

impl Role {
    /// The name as stored and configured.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Supervisor => "supervisor",
            Self::Manager => "manager",
            Self::Lawyer => "lawyer",
        }
    }

    /// Whether this role may take video calls: lawyers, and supervisors and administrators (to
    /// cover a gap in the roster).
    pub fn takes_calls(self) -> bool {
        matches!(self, Self::Lawyer | Self::Administrator | Self::Supervisor)
    }

    /// The role named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Administrator,
            Self::Supervisor,
            Self::Manager,
            Self::Lawyer,
        ]
        .into_iter()
        .find(|role| role.as_str() == name)
    }
}

/// A read-only API token (`[[api_tokens]]`): valid for `GET /api/v1/reports/…` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Who holds it (logged with each use), e.g. `综治信息系统`.
    pub name: String,
    /// Hex SHA-256 of the token.
    pub token_sha256: String,
}

/// Hex SHA-256 of a token: what is stored for device tokens (`token_sha256`) and session tokens.
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token: 32 bytes from the operating system's generator, as 64 hex digits.
pub fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

/// Hashes the password of a real account into an argon2id PHC string (for `[[staff]] password_hash`).
/// Refuses passwords shorter than [`MIN_PASSWORD_LEN`] characters and the demo password.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password == DEMO_PASSWORD {
        return Err(AuthError::WeakPassword("it is the demo password".into()));
    }
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AuthError::WeakPassword(format!(
            "shorter than {MIN_PASSWORD_LEN} characters"
        )));
    }
    hash_any_password(password)
}

/// Hashes any password (tests and the demo hash).
pub(crate) fn hash_any_password(password: &str) -> Result<String, AuthError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| AuthError::Hash(err.to_string()))
}

/// Whether `password` matches the PHC string `phc` (argon2 compares in constant time). A malformed PHC
/// string is a mismatch.
pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Whether `phc` is a well-formed argon2 PHC string.
pub fn is_password_hash(phc: &str) -> bool {
    argon2::PasswordHash::new(phc).is_ok_and(|hash| hash.algorithm.as_str().starts_with("argon2"))
}

/// The token of an `Authorization: Bearer <token>` header value; none for any other scheme or an
/// empty token.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    let token = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bearer_tokens_are_read() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Bearer   "), None);
        // base64("demo-kiosk:demo-device-token"): credentials in a URL are not a device token.
        assert_eq!(
            bearer_token("Basic ZGVtby1raW9zazpkZW1vLWRldmljZS10b2tlbg=="),
            None
        );
        assert_eq!(bearer_token("Digest abc"), None);
    }

    #[test]
    fn the_demo_hash_is_the_demo_password() {
        assert!(verify_password(DEMO_PASSWORD, DEMO_PASSWORD_HASH));
        assert!(!verify_password("admin-demo ", DEMO_PASSWORD_HASH));
        assert!(is_password_hash(DEMO_PASSWORD_HASH));
        assert!(!is_password_hash("admin-demo"));
    }

    #[test]
    fn real_passwords_must_be_long_and_not_the_demo() {
        assert!(matches!(
            hash_password(DEMO_PASSWORD),
            Err(AuthError::WeakPassword(_))
        ));
        assert!(matches!(
            hash_password("short"),
            Err(AuthError::WeakPassword(_))
        ));
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
    }

    #[test]
    fn tokens_are_random_and_hashed_to_hex() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_sha256("demo-device-token").len(), 64, "64 hex digits");
        assert_ne!(token_sha256(&a), a);
    }
}
