//! Staff logins (argon2 PIN hashes, sessions, rate limiting) and device tokens.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Mutex, PoisonError},
};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::config::{DeviceEntry, LanConfig, StaffEntry};

/// The demo device token of `kiosk serve` without `--config`.
pub const DEMO_DEVICE_TOKEN: &str = "demo-device-token";

/// The demo PINs of windows 1, 2 and 3.
pub const DEMO_PINS: [(u32, &str); 3] = [(1, "1111"), (2, "2222"), (3, "3333")];

/// Argon2 hashes of [`DEMO_PINS`], precomputed so the demo starts without hashing.
pub(crate) const DEMO_PIN_HASHES: [(u32, &str); 3] = [
    (
        1,
        "$argon2id$v=19$m=19456,t=2,p=1$exMrUbf2UI39qmHUcsNzfA$VyWIm2Ck961ukAD506+Q6X/Io0Wsd/Ahr02gaYPUY7A",
    ),
    (
        2,
        "$argon2id$v=19$m=19456,t=2,p=1$PAEvBW6lpWgiPOyUpXiMEg$RH6o8mhUornvQ9eSVaZpe1KBss0GuLlf7CfWkCJhj28",
    ),
    (
        3,
        "$argon2id$v=19$m=19456,t=2,p=1$1LuuYQZmk0mKCVwMnrJ0vg$Y4A7ipSdrjUFNzeSR/2sSmj0UQeKcwdp2vrZj6dqaTk",
    ),
];

/// Hashes a PIN into an argon2id PHC string for `[[lan.staff]] pin_hash`.
pub fn hash_pin(pin: &str) -> Result<String, AuthError> {
    validate_pin(pin)?;
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    Argon2::default()
        .hash_password_with_salt(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Checks a PIN against a PHC string (argon2 compares in constant time).
pub fn verify_pin(pin: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(pin.as_bytes(), phc)
        .is_ok()
}

/// Hex SHA-256 of a device token, for `[[lan.devices]] token_sha256`.
pub fn device_token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A PIN is 4 to 12 digits.
pub fn validate_pin(pin: &str) -> Result<(), AuthError> {
    if (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(AuthError::BadPin)
    }
}

/// Compares two byte strings in time independent of where they differ.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Authentication failures.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// Wrong window or PIN.
    #[error("窗口号或密码错误 / wrong window or PIN")]
    WrongPin,
    /// The PIN is not 4-12 digits.
    #[error("密码应为 4-12 位数字 / a PIN has 4-12 digits")]
    BadPin,
    /// Too many failures: wait.
    #[error("尝试次数过多，请 {0} 秒后再试 / too many attempts, retry in {0} s")]
    Locked(u64),
    /// Hashing failed.
    #[error("PIN hashing failed: {0}")]
    Hash(String),
    /// The configuration is unusable.
    #[error("{0}")]
    Config(String),
}

#[derive(Debug, Clone, Copy)]
struct Session {
    window: u32,
    expires: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Failures {
    count: u32,
    locked_until: Option<DateTime<Utc>>,
}

/// Window PINs, device tokens, sessions and login rate limits.
#[derive(Debug)]
pub struct Auth {
    staff: HashMap<u32, String>,
    devices: Vec<(String, [u8; 32])>,
    sessions: Mutex<HashMap<[u8; 32], Session>>,
    failures: Mutex<HashMap<String, Failures>>,
    session_len: Duration,
    max_failures: u32,
    lockout: Duration,
}

fn parse_digest(hex_str: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_str).ok()?;
    bytes.try_into().ok()
}

impl Auth {
    /// Builds the authenticator from `[lan]` (PIN hashes are checked for form, not tried).
    pub fn new(config: &LanConfig) -> Result<Self, AuthError> {
        let mut staff = HashMap::new();
        for StaffEntry { window, pin_hash } in &config.staff {
            if argon2::PasswordHash::new(pin_hash).is_err() {
                return Err(AuthError::Config(format!(
                    "[[lan.staff]] window {window}: pin_hash is not an argon2 PHC string"
                )));
            }
            if staff.insert(*window, pin_hash.clone()).is_some() {
                return Err(AuthError::Config(format!(
                    "[[lan.staff]] window {window} appears twice"
                )));
            }
        }
        let mut devices = Vec::new();
        for DeviceEntry { name, token_sha256 } in &config.devices {
            queue::engine::validate_device_name(name)
                .map_err(|e| AuthError::Config(format!("[[lan.devices]] {e}")))?;
            let digest = parse_digest(token_sha256).ok_or_else(|| {
                AuthError::Config(format!(
                    "[[lan.devices]] {name}: token_sha256 must be 64 hex digits"
                ))
            })?;
            devices.push((name.clone(), digest));
        }
        Ok(Self {
            staff,
            devices,
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
            session_len: Duration::hours(i64::from(config.session_hours.max(1))),
            max_failures: config.max_login_failures.max(1),
            lockout: Duration::minutes(i64::from(config.lockout_minutes.max(1))),
        })
    }

    /// Windows that have a PIN.
    pub fn windows(&self) -> Vec<u32> {
        let mut w: Vec<u32> = self.staff.keys().copied().collect();
        w.sort_unstable();
        w
    }

    /// Whether a device entry uses the demo token or a staff entry of windows 1-3 the demo PIN.
    pub fn uses_demo_credentials(&self) -> bool {
        let demo = Sha256::digest(DEMO_DEVICE_TOKEN.as_bytes());
        self.devices.iter().any(|(_, d)| ct_eq(d, &demo))
            || DEMO_PINS
                .iter()
                .any(|(w, pin)| self.staff.get(w).is_some_and(|hash| verify_pin(pin, hash)))
    }

    /// The device a bearer token belongs to.
    pub fn device(&self, token: &str) -> Option<&str> {
        let digest = Sha256::digest(token.as_bytes());
        let mut found = None;
        for (name, d) in &self.devices {
            if ct_eq(d, &digest) {
                found = Some(name.as_str());
            }
        }
        found
    }

    fn check_lock(&self, key: &str, now: DateTime<Utc>) -> Result<(), AuthError> {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(until) = failures.get(key).and_then(|f| f.locked_until)
            && until > now
        {
            let secs = u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1);
            return Err(AuthError::Locked(secs));
        }
        Ok(())
    }

    fn record_failure(&self, key: String, limit: u32, now: DateTime<Utc>) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let f = failures.entry(key).or_default();
        if f.locked_until.is_some_and(|u| u <= now) {
            *f = Failures::default();
        }
        f.count += 1;
        if f.count >= limit {
            f.count = 0;
            f.locked_until = Some(now + self.lockout);
        }
    }

    /// Checks a login; on success returns a new session token. `verify` runs argon2, so call
    /// it off the async threads. Failures count per window and per client address.
    pub fn login(
        &self,
        window: u32,
        pin: &str,
        client: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<String, AuthError> {
        let window_key = format!("w:{window}");
        let ip_key = format!("ip:{client}");
        self.check_lock(&window_key, now)?;
        self.check_lock(&ip_key, now)?;
        let ok = validate_pin(pin).is_ok()
            && self
                .staff
                .get(&window)
                .is_some_and(|hash| verify_pin(pin, hash));
        if !ok {
            self.record_failure(window_key, self.max_failures, now);
            self.record_failure(ip_key, self.max_failures * 4, now);
            return Err(AuthError::WrongPin);
        }
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&window_key);
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let token = hex::encode(raw);
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.retain(|_, s| s.expires > now);
        sessions.insert(
            key,
            Session {
                window,
                expires: now + self.session_len,
            },
        );
        Ok(token)
    }

    /// Session lifetime in seconds.
    pub fn session_seconds(&self) -> u64 {
        u64::try_from(self.session_len.num_seconds()).unwrap_or(0)
    }

    /// The window a session token is for, if valid.
    pub fn session(&self, token: &str, now: DateTime<Utc>) -> Option<u32> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions
            .get(&key)
            .filter(|s| s.expires > now)
            .map(|s| s.window)
    }

    /// Ends a session.
    pub fn logout(&self, token: &str) {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> Auth {
        let config = LanConfig {
            staff: vec![StaffEntry {
                window: 1,
                pin_hash: hash_pin("1234").unwrap(),
            }],
            devices: vec![DeviceEntry {
                name: "kiosk-2".into(),
                token_sha256: device_token_sha256("secret-token"),
            }],
            max_login_failures: 3,
            ..LanConfig::default()
        };
        Auth::new(&config).unwrap()
    }

    #[test]
    fn login_sessions_and_lockout() {
        let a = auth();
        let ip: IpAddr = [10, 0, 0, 5].into();
        let now = Utc::now();
        let token = a.login(1, "1234", ip, now).unwrap();
        assert_eq!(a.session(&token, now), Some(1));
        assert_eq!(a.session(&token, now + Duration::hours(13)), None);
        for _ in 0..3 {
            assert_eq!(a.login(1, "9999", ip, now), Err(AuthError::WrongPin));
        }
        assert!(matches!(
            a.login(1, "1234", ip, now),
            Err(AuthError::Locked(_))
        ));
        assert!(a.login(1, "1234", ip, now + Duration::minutes(6)).is_ok());
        a.logout(&token);
        assert_eq!(a.session(&token, now), None);
    }

    #[test]
    fn precomputed_demo_hashes_match_the_demo_pins() {
        for ((w, pin), (hw, hash)) in DEMO_PINS.iter().zip(DEMO_PIN_HASHES) {
            assert_eq!(*w, hw);
            assert!(verify_pin(pin, hash), "window {w}");
        }
    }

    #[test]
    fn device_tokens_and_demo_detection() {
        let a = auth();
        assert_eq!(a.device("secret-token"), Some("kiosk-2"));
        assert_eq!(a.device("secret-tokeN"), None);
        assert!(!a.uses_demo_credentials());
        let demo = LanConfig {
            devices: vec![DeviceEntry {
                name: "k".into(),
                token_sha256: device_token_sha256(DEMO_DEVICE_TOKEN),
            }],
            ..LanConfig::default()
        };
        assert!(Auth::new(&demo).unwrap().uses_demo_credentials());
        let bad = LanConfig {
            staff: vec![StaffEntry {
                window: 1,
                pin_hash: "1234".into(),
            }],
            ..LanConfig::default()
        };
        assert!(Auth::new(&bad).is_err());
    }
}
