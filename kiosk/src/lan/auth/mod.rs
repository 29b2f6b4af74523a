//! Staff logins (argon2 PIN hashes, sessions, failure budgets, a bounded hashing pool) and device
//! tokens.

mod budget;
mod pool;

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex, PoisonError},
};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use queue::StaffOnDuty;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub use budget::{BudgetPolicy, Budgets, LockChange, Refused, Reservation, Scope};
pub use pool::{PendingCheck, PinCheckPool, PoolFull, Scratch};

use crate::{
    config::{DeviceEntry, LanConfig, StaffEntry},
    health::SecurityCounters,
};

/// The demo device token of `kiosk serve` without `--config`.
pub const DEMO_DEVICE_TOKEN: &str = "demo-device-token";

/// The demo device token of window `window`'s rating pad (`kiosk --role rating-pad --window N`
/// without `--config` uses it to reach the demo queue host).
pub fn demo_pad_token(window: u32) -> String {
    format!("demo-pad-token-{window}")
}

/// The demo PINs of windows 1, 2 and 3.
pub const DEMO_PINS: [(u32, &str); 3] = [(1, "1111"), (2, "2222"), (3, "3333")];

/// PINs nobody should use: the demo PINs and the most common ones. A real configuration whose PIN
/// is one of them is refused (`[lan] allow_demo_credentials = true` lets a test bench keep them).
pub const WEAK_PINS: [&str; 9] = [
    "1111", "2222", "3333", "1234", "0000", "123456", "000000", "111111", "888888",
];

/// The shortest PIN `hash_pin` accepts for a real configuration. The window budget allows
/// `4 × max_login_failures` guesses per lockout period from anywhere: 5,760 a day by default, which
/// would find a 4-digit PIN within two days but needs half a year on average for 6 digits.
pub const MIN_PIN_LEN: usize = 6;

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

/// Hashes a PIN of a real configuration (at least [`MIN_PIN_LEN`] digits, not a [`WEAK_PINS`] one)
/// into an argon2id PHC string for `[[lan.staff]] pin_hash`.
pub fn hash_pin(pin: &str) -> Result<String, AuthError> {
    validate_pin(pin)?;
    if pin.len() < MIN_PIN_LEN || WEAK_PINS.contains(&pin) {
        return Err(AuthError::WeakPin);
    }
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

/// [`verify_pin`] with argon2 memory the caller keeps between checks (a [`PinCheckPool`] worker's),
/// grown to the hash's `m_cost` when needed and zeroed afterwards. A malformed PHC string is a
/// mismatch.
pub fn verify_pin_with(pin: &str, phc: &str, scratch: &mut Scratch) -> bool {
    let Ok(parsed) = argon2::PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        argon2::Params::try_from(&parsed),
        argon2::Algorithm::try_from(parsed.algorithm.as_str()),
    ) else {
        return false;
    };
    let version = match parsed.version.map(argon2::Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let blocks = params.block_count();
    if scratch.len() < blocks {
        scratch.resize(blocks, argon2::Block::new());
    }
    let mut out = [0u8; 64];
    let Some(out) = out.get_mut(..expected.as_bytes().len()) else {
        return false;
    };
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        pin.as_bytes(),
        salt.as_ref(),
        out,
        &mut scratch[..blocks],
    );
    // Kept alive for the next check, so these writes are not optimised away.
    scratch.fill(argon2::Block::new());
    hashed.is_ok() && ct_eq(out, expected.as_bytes())
}

/// Hex SHA-256 of a device token, for `[[lan.devices]] token_sha256`.
pub fn device_token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A PIN is 4 to 12 digits (the demo PINs have 4; [`hash_pin`] wants [`MIN_PIN_LEN`]).
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
    /// The PIN is too short or too common for a real configuration.
    #[error(
        "密码过于简单：至少 6 位且不能是常见密码 / PIN too weak: at least 6 digits, not a common one"
    )]
    WeakPin,
    /// Too many failures: wait.
    #[error("尝试次数过多，请 {0} 秒后再试 / too many attempts, retry in {0} s")]
    Locked(u64),
    /// Too many PIN checks at once: retry shortly.
    #[error("系统繁忙，请稍后再试 / busy, retry in a moment")]
    Busy,
    /// Hashing failed.
    #[error("PIN hashing failed: {0}")]
    Hash(String),
    /// The configuration is unusable.
    #[error("{0}")]
    Config(String),
}

#[derive(Debug, Clone)]
struct Session {
    window: u32,
    /// The staff member on duty for this login (`[[lan.staff]] name, staff_id`).
    staff: Option<StaffOnDuty>,
    expires: DateTime<Utc>,
}

/// Window PINs, device tokens, sessions, failure budgets and the PIN check pool.
#[derive(Debug)]
pub struct Auth {
    staff: HashMap<u32, String>,
    on_duty: HashMap<u32, StaffOnDuty>,
    devices: Vec<(String, [u8; 32], Option<u32>)>,
    sessions: Mutex<HashMap<[u8; 32], Session>>,
    budgets: Mutex<Budgets>,
    pool: PinCheckPool,
    counters: Arc<SecurityCounters>,
    session_len: Duration,
}

fn parse_digest(hex_str: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_str).ok()?;
    bytes.try_into().ok()
}

impl Auth {
    /// Builds the authenticator from `[lan]` (PIN hashes are checked for form, not tried).
    pub fn new(config: &LanConfig, counters: Arc<SecurityCounters>) -> Result<Self, AuthError> {
        let mut staff = HashMap::new();
        let mut own_addresses: HashMap<u32, Vec<IpAddr>> = HashMap::new();
        let mut on_duty = HashMap::new();
        for entry in &config.staff {
            let StaffEntry {
                window,
                pin_hash,
                addresses,
                ..
            } = entry;
            if let Some(member) = entry.on_duty().map_err(AuthError::Config)? {
                on_duty.insert(*window, member);
            }
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
            own_addresses.insert(*window, addresses.clone());
        }
        let mut devices = Vec::new();
        for DeviceEntry {
            name,
            token_sha256,
            window,
        } in &config.devices
        {
            queue::engine::validate_device_name(name)
                .map_err(|e| AuthError::Config(format!("[[lan.devices]] {e}")))?;
            let digest = parse_digest(token_sha256).ok_or_else(|| {
                AuthError::Config(format!(
                    "[[lan.devices]] {name}: token_sha256 must be 64 hex digits"
                ))
            })?;
            devices.push((name.clone(), digest, *window));
        }
        let per_window = config.max_login_failures.max(1);
        let policy = BudgetPolicy {
            per_source_window: per_window,
            per_source: per_window.saturating_mul(4),
            per_window: per_window.saturating_mul(4),
            lockout: Duration::minutes(i64::from(config.lockout_minutes.max(1))),
        };
        Ok(Self {
            staff,
            on_duty,
            devices,
            sessions: Mutex::new(HashMap::new()),
            budgets: Mutex::new(Budgets::new(policy, own_addresses)),
            pool: PinCheckPool::new(config.pin_check_threads, config.pin_check_queue),
            counters,
            session_len: Duration::hours(i64::from(config.session_hours.max(1))),
        })
    }

    /// Windows that have a PIN.
    pub fn windows(&self) -> Vec<u32> {
        let mut w: Vec<u32> = self.staff.keys().copied().collect();
        w.sort_unstable();
        w
    }

    /// Windows that a device is bound to (`[[lan.devices]] window`), in order, each once.
    pub fn device_windows(&self) -> Vec<u32> {
        let mut w: Vec<u32> = self.devices.iter().filter_map(|(_, _, w)| *w).collect();
        w.sort_unstable();
        w.dedup();
        w
    }

    /// The window device `name` is bound to, if any.
    pub fn device_window(&self, name: &str) -> Option<u32> {
        self.devices
            .iter()
            .find(|(n, _, _)| n == name)
            .and_then(|(_, _, w)| *w)
    }

    /// Whether a device entry uses the demo token or a staff entry a PIN of [`WEAK_PINS`] (the demo
    /// PINs among them). Runs argon2 for each pair: call it off the async threads.
    pub fn uses_demo_credentials(&self) -> bool {
        let demo: Vec<_> = std::iter::once(DEMO_DEVICE_TOKEN.to_owned())
            .chain(DEMO_PINS.iter().map(|(w, _)| demo_pad_token(*w)))
            .map(|t| Sha256::digest(t.as_bytes()))
            .collect();
        self.devices
            .iter()
            .any(|(_, d, _)| demo.iter().any(|demo| ct_eq(d, demo)))
            || self
                .staff
                .values()
                .any(|hash| WEAK_PINS.iter().any(|pin| verify_pin(pin, hash)))
    }

    /// The device a bearer token belongs to.
    pub fn device(&self, token: &str) -> Option<&str> {
        let digest = Sha256::digest(token.as_bytes());
        let mut found = None;
        for (name, d, _) in &self.devices {
            if ct_eq(d, &digest) {
                found = Some(name.as_str());
            }
        }
        found
    }

    fn budgets(&self) -> std::sync::MutexGuard<'_, Budgets> {
        self.budgets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn report(&self, changes: &[LockChange], client: IpAddr) {
        for change in changes {
            if change.locked {
                self.counters.lockout(change.scope);
                tracing::warn!(
                    "staff login locked: {} budget, window {}, from {client}",
                    change.scope.label(),
                    change.window
                );
            } else {
                self.counters.unlock();
                tracing::info!(
                    "staff login unlocked: {} budget, window {}",
                    change.scope.label(),
                    change.window
                );
            }
        }
    }

    /// Checks a login; on success returns a new session token.
    ///
    /// A failure is reserved in every budget before the PIN is hashed, and the hash runs in the
    /// bounded pool: parallel guesses beyond the budget are refused without a check, and floods beyond
    /// the pool are refused with [`AuthError::Busy`].
    pub async fn login(
        &self,
        window: u32,
        pin: String,
        client: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<String, AuthError> {
        if validate_pin(&pin).is_err() {
            // Malformed PINs never reach argon2 but count as failures all the same.
            let reservation = self.reserve(window, client, now)?;
            let changes = self.budgets().failed(reservation, now);
            self.report(&changes, client);
            self.counters.login_failed();
            return Err(AuthError::WrongPin);
        }
        let reservation = self.reserve(window, client, now)?;
        let hash = self.staff.get(&window).cloned();
        let checked = self
            .pool
            .run(move |scratch| hash.is_some_and(|hash| verify_pin_with(&pin, &hash, scratch)))
            .await;
        let ok = match checked {
            Ok(ok) => ok,
            Err(PoolFull) => {
                self.budgets().cancelled(reservation);
                self.counters.busy();
                return Err(AuthError::Busy);
            }
        };
        if !ok {
            let changes = self.budgets().failed(reservation, now);
            self.report(&changes, client);
            self.counters.login_failed();
            return Err(AuthError::WrongPin);
        }
        self.budgets().succeeded(reservation);
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
                staff: self.on_duty.get(&window).cloned(),
                expires: now + self.session_len,
            },
        );
        Ok(token)
    }

    fn reserve(
        &self,
        window: u32,
        client: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<Reservation, AuthError> {
        let mut changes = Vec::new();
        let result = {
            let mut budgets = self.budgets();
            budgets.prune(now);
            let result = budgets.reserve(window, client, now, &mut changes);
            self.counters.set_locked(budgets.locked_now(now));
            result
        };
        self.report(&changes, client);
        result.map_err(|refused| {
            self.counters.refused();
            AuthError::Locked(refused.retry_after_secs)
        })
    }

    /// PIN checks run so far.
    pub fn pin_checks(&self) -> usize {
        self.pool.checks()
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

    /// The staff member a session's login names, if the window's entry names one.
    pub fn session_staff(&self, token: &str, now: DateTime<Utc>) -> Option<StaffOnDuty> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions
            .get(&key)
            .filter(|s| s.expires > now)
            .and_then(|s| s.staff.clone())
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
                pin_hash: hash_pin("482915").unwrap(),
                addresses: Vec::new(),
                name: None,
                staff_id: None,
            }],
            devices: vec![DeviceEntry {
                name: "kiosk-2".into(),
                token_sha256: device_token_sha256("secret-token"),
                window: None,
            }],
            max_login_failures: 3,
            ..LanConfig::default()
        };
        Auth::new(&config, Arc::default()).unwrap()
    }

    #[tokio::test]
    async fn login_sessions_and_lockout() {
        let a = auth();
        let ip: IpAddr = [10, 0, 0, 5].into();
        let now = Utc::now();
        let login = |pin: &str, at| a.login(1, pin.to_owned(), ip, at);
        let token = login("482915", now).await.unwrap();
        assert_eq!(a.session(&token, now), Some(1));
        assert_eq!(a.session(&token, now + Duration::hours(13)), None);
        for _ in 0..3 {
            assert_eq!(login("999999", now).await, Err(AuthError::WrongPin));
        }
        assert!(matches!(
            login("482915", now).await,
            Err(AuthError::Locked(_))
        ));
        assert!(login("482915", now + Duration::minutes(6)).await.is_ok());
        a.logout(&token);
        assert_eq!(a.session(&token, now), None);
        // 1 + 3 + 1 checks: the refused attempt never reached argon2.
        assert_eq!(a.pin_checks(), 5);
    }

    #[tokio::test]
    async fn a_login_records_the_staff_member_its_entry_names() {
        let entry = |name: Option<&str>, staff_id: Option<&str>| StaffEntry {
            window: 1,
            pin_hash: DEMO_PIN_HASHES[0].1.to_owned(),
            addresses: Vec::new(),
            name: name.map(str::to_owned),
            staff_id: staff_id.map(str::to_owned),
        };
        let config = LanConfig {
            staff: vec![entry(Some("张明"), Some("QJ-0301"))],
            ..LanConfig::default()
        };
        let a = Auth::new(&config, Arc::default()).unwrap();
        let now = Utc::now();
        let token = a
            .login(1, "1111".into(), [10, 0, 0, 5].into(), now)
            .await
            .unwrap();
        assert_eq!(
            a.session_staff(&token, now),
            Some(StaffOnDuty {
                name: "张明".into(),
                staff_id: "QJ-0301".into()
            })
        );
        assert_eq!(a.session_staff(&token, now + Duration::hours(13)), None);
        // Both or neither, and well-formed.
        for (name, id) in [
            (Some("张明"), None),
            (None, Some("QJ-0301")),
            (Some("张明"), Some("QJ 0301")),
            (Some(" "), Some("QJ-0301")),
        ] {
            let bad = LanConfig {
                staff: vec![entry(name, id)],
                ..LanConfig::default()
            };
            let err = Auth::new(&bad, Arc::default()).unwrap_err();
            assert!(err.to_string().contains("window 1"), "{err}");
        }
    }

    #[test]
    fn weak_and_short_pins_are_not_hashed_for_real_configurations() {
        assert_eq!(hash_pin("1234"), Err(AuthError::WeakPin));
        assert_eq!(hash_pin("48291"), Err(AuthError::WeakPin));
        assert_eq!(hash_pin("123456"), Err(AuthError::WeakPin));
        assert_eq!(hash_pin("12ab56"), Err(AuthError::BadPin));
        assert!(hash_pin("482915").is_ok());
    }

    #[test]
    fn the_pool_verifier_agrees_with_argon2() {
        let mut scratch = Vec::new();
        let phc = hash_pin("482915").unwrap();
        assert!(verify_pin_with("482915", &phc, &mut scratch));
        assert!(!verify_pin_with("482916", &phc, &mut scratch));
        assert!(!verify_pin_with(
            "482915",
            "$argon2id$garbage",
            &mut scratch
        ));
        // The memory is kept for the next check, and holds nothing of the last one.
        assert_eq!(scratch.len(), 19 * 1024);
        assert!(scratch.iter().all(|b| b.as_ref().iter().all(|w| *w == 0)));
        for (_, hash) in DEMO_PIN_HASHES {
            assert_eq!(
                verify_pin_with("1111", hash, &mut scratch),
                verify_pin("1111", hash)
            );
        }
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
                window: None,
            }],
            ..LanConfig::default()
        };
        assert!(
            Auth::new(&demo, Arc::default())
                .unwrap()
                .uses_demo_credentials()
        );
        // A common PIN on any window counts, not only the demo PIN of windows 1-3.
        let common = LanConfig {
            staff: vec![StaffEntry {
                window: 7,
                pin_hash: DEMO_PIN_HASHES[0].1.to_owned(),
                addresses: Vec::new(),
                name: None,
                staff_id: None,
            }],
            ..LanConfig::default()
        };
        assert!(
            Auth::new(&common, Arc::default())
                .unwrap()
                .uses_demo_credentials()
        );
        let bad = LanConfig {
            staff: vec![StaffEntry {
                window: 1,
                pin_hash: "1234".into(),
                addresses: Vec::new(),
                name: None,
                staff_id: None,
            }],
            ..LanConfig::default()
        };
        assert!(Auth::new(&bad, Arc::default()).is_err());
    }
}
