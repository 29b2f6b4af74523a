//! Wrong-PIN counting and lockout. Time is passed in (a monotonic duration since any fixed start), so
//! the rule is tested without waiting.
//!
//! The count and the lock survive a power cycle ([`PinLockState`], kept in the data directory): a
//! guesser cannot reset the lockout by pulling the plug. The monotonic clock starts again at boot, so
//! a lock found at start runs its full length again; that errs on the side of the lock.

use std::{path::Path, time::Duration};

use serde::{Deserialize, Serialize};

use crate::config::PinHash;

/// What a PIN entry led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinVerdict {
    /// The PIN is right: the page opens.
    Accepted,
    /// The PIN is wrong; this many tries are left before the lockout.
    Wrong {
        /// Tries left.
        tries_left: u32,
    },
    /// Too many wrong PINs: no PIN is checked until the lockout ends.
    LockedOut {
        /// Time left of the lockout.
        remaining: Duration,
    },
}

/// What survives a restart: wrong PINs in a row and whether the pad was locked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinLockState {
    /// Wrong PINs in a row.
    pub failures: u32,
    /// The pad was locked.
    pub locked: bool,
}

/// File name of the saved [`PinLockState`] in the data directory.
pub const PIN_LOCK_FILE: &str = "technician-lock.json";

impl PinLockState {
    /// Reads the saved state; a missing or unreadable file is a fresh state, a damaged one a lock
    /// (someone may have tampered with it to escape the lockout).
    pub fn load(data_dir: &Path) -> Self {
        match std::fs::read(data_dir.join(PIN_LOCK_FILE)) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Self {
                failures: 0,
                locked: true,
            }),
            Err(_) => Self::default(),
        }
    }

    /// Saves the state (write to a temporary file, then rename: a power cut keeps the old or the new).
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        let path = data_dir.join(PIN_LOCK_FILE);
        let tmp = data_dir.join(format!("{PIN_LOCK_FILE}.tmp"));
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, &path)
    }
}

/// The PIN check with its attempt counter.
#[derive(Debug, Clone)]
pub struct PinLock {
    hash: PinHash,
    max_attempts: u32,
    lockout: Duration,
    failures: u32,
    locked_until: Option<Duration>,
}

impl PinLock {
    /// A lock for `hash` that locks for `lockout` after `max_attempts` wrong PINs in a row.
    pub fn new(hash: PinHash, max_attempts: u32, lockout: Duration) -> Self {
        Self {
            hash,
            max_attempts: max_attempts.max(1),
            lockout,
            failures: 0,
            locked_until: None,
        }
    }

    /// Continues from a saved state at `now`: the count goes on, and a saved lock starts again in full.
    pub fn restore(&mut self, state: PinLockState, now: Duration) {
        self.failures = state.failures.min(self.max_attempts);
        self.locked_until = state.locked.then(|| now + self.lockout);
    }

    /// The state to save at `now`.
    pub fn state(&self, now: Duration) -> PinLockState {
        PinLockState {
            failures: self.failures,
            locked: self.locked(now).is_some(),
        }
    }

    /// The lockout's time left at `now`, if locked.
    pub fn locked(&self, now: Duration) -> Option<Duration> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// Checks `pin` at `now`. While locked out, no PIN is checked, not even the right one.
    pub fn check(&mut self, pin: &str, now: Duration) -> PinVerdict {
        if let Some(remaining) = self.locked(now) {
            return PinVerdict::LockedOut { remaining };
        }
        if self.locked_until.take().is_some() {
            self.failures = 0;
        }
        if self.hash.matches(pin) {
            self.failures = 0;
            return PinVerdict::Accepted;
        }
        self.failures += 1;
        if self.failures >= self.max_attempts {
            self.locked_until = Some(now + self.lockout);
            tracing::warn!(
                "technician PIN: {} wrong tries, PIN pad locked for {:?}",
                self.failures,
                self.lockout
            );
            return PinVerdict::LockedOut {
                remaining: self.lockout,
            };
        }
        tracing::info!("technician PIN: wrong PIN ({} in a row)", self.failures);
        PinVerdict::Wrong {
            tries_left: self.max_attempts - self.failures,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock() -> PinLock {
        PinLock::new(PinHash::new("salt", "2468"), 3, Duration::from_secs(300))
    }

    #[test]
    fn a_restart_keeps_the_count_and_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let mut before = lock();
        let t = Duration::from_secs(50);
        let _ = before.check("0000", t);
        let _ = before.check("0000", t);
        before.state(t).save(dir.path()).unwrap();
        // Power cycle: a new lock, a new monotonic clock.
        let mut after = lock();
        let boot = Duration::from_secs(3);
        after.restore(PinLockState::load(dir.path()), boot);
        assert_eq!(
            after.check("0000", boot),
            PinVerdict::LockedOut {
                remaining: Duration::from_secs(300)
            },
            "the third wrong PIN locks, counting those before the restart"
        );
        after.state(boot).save(dir.path()).unwrap();
        let mut again = lock();
        again.restore(PinLockState::load(dir.path()), boot);
        assert_eq!(
            again.check("2468", boot),
            PinVerdict::LockedOut {
                remaining: Duration::from_secs(300)
            },
            "a lock survives the restart"
        );
        std::fs::write(dir.path().join(PIN_LOCK_FILE), b"{not json").unwrap();
        assert!(
            PinLockState::load(dir.path()).locked,
            "a damaged file locks"
        );
    }

    #[test]
    fn the_right_pin_is_accepted_and_resets_the_count() {
        let mut lock = lock();
        let t = Duration::from_secs(10);
        assert_eq!(lock.check("1111", t), PinVerdict::Wrong { tries_left: 2 });
        assert_eq!(lock.check("2468", t), PinVerdict::Accepted);
        assert_eq!(lock.check("1111", t), PinVerdict::Wrong { tries_left: 2 });
    }

    #[test]
    fn too_many_wrong_pins_lock_even_the_right_one_until_the_time_is_up() {
        let mut lock = lock();
        let t0 = Duration::from_secs(100);
        assert_eq!(lock.check("0000", t0), PinVerdict::Wrong { tries_left: 2 });
        assert_eq!(lock.check("0000", t0), PinVerdict::Wrong { tries_left: 1 });
        assert_eq!(
            lock.check("0000", t0),
            PinVerdict::LockedOut {
                remaining: Duration::from_secs(300)
            }
        );
        let later = t0 + Duration::from_secs(299);
        assert_eq!(
            lock.check("2468", later),
            PinVerdict::LockedOut {
                remaining: Duration::from_secs(1)
            },
            "the right PIN is not even checked while locked"
        );
        let after = t0 + Duration::from_secs(300);
        assert_eq!(lock.locked(after), None);
        assert_eq!(
            lock.check("0000", after),
            PinVerdict::Wrong { tries_left: 2 },
            "a fresh count after the lockout"
        );
        assert_eq!(lock.check("2468", after), PinVerdict::Accepted);
    }
}
