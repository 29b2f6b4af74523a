//! Wrong-PIN counting and lockout. Time is passed in (a monotonic duration since any fixed start), so
//! the rule is tested without waiting.

use std::time::Duration;

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
