//! How many wrong passwords an account may take: [`MAX_FAILURES`] within [`WINDOW`], then logins to
//! that account are refused without checking the password until the window of the oldest counted
//! failure has passed (the answer is `429` with `Retry-After`). Counted per account name (lower-cased),
//! whatever address the attempts come from, so guessing spread over many addresses is slowed as much as
//! guessing from one; a correct password clears the count.
//!
//! Pure bookkeeping: the caller passes the time in. Kept in memory, per process: a restart forgets it,
//! and with several centre processes each counts its own (a guesser then gets that many times the
//! budget, still a handful an hour). Names never seen cost nothing beyond a small entry, and the map is
//! bounded ([`MAX_TRACKED`]): when full, entries whose failures have all expired are dropped first.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};

/// Wrong passwords an account may take within [`WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// How long a wrong password counts.
pub const WINDOW: Duration = Duration::minutes(15);
/// Most account names tracked at once.
pub const MAX_TRACKED: usize = 10_000;

/// The wrong passwords of recent logins, per account name.
#[derive(Debug, Default)]
pub struct LoginBudget {
    failures: HashMap<String, VecDeque<DateTime<Utc>>>,
}

impl LoginBudget {
    /// An empty budget.
    pub fn new() -> Self {
        Self::default()
    }

    fn key(user: &str) -> String {
        user.trim().to_lowercase().chars().take(64).collect()
    }

    /// When `user` may try again, if its budget is spent at `now`; none: it may try now.
    pub fn locked_until(&mut self, user: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let key = Self::key(user);
        let failures = self.failures.get_mut(&key)?;
        while failures.front().is_some_and(|t| *t + WINDOW <= now) {
            failures.pop_front();
        }
        if failures.is_empty() {
            self.failures.remove(&key);
            return None;
        }
        (failures.len() >= MAX_FAILURES)
            .then(|| failures.front().map(|first| *first + WINDOW))
            .flatten()
    }

    /// Counts a wrong password for `user` at `now`.
    pub fn failed(&mut self, user: &str, now: DateTime<Utc>) {
        if self.failures.len() >= MAX_TRACKED {
            self.failures
                .retain(|_, f| f.back().is_some_and(|t| *t + WINDOW > now));
        }
        if self.failures.len() >= MAX_TRACKED {
            return;
        }
        let failures = self.failures.entry(Self::key(user)).or_default();
        failures.push_back(now);
        while failures.len() > MAX_FAILURES {
            failures.pop_front();
        }
    }

    /// A correct password for `user`: its count starts again.
    pub fn succeeded(&mut self, user: &str) {
        self.failures.remove(&Self::key(user));
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + Duration::minutes(minute)
    }

    #[test]
    fn five_wrong_passwords_lock_the_account_until_the_first_expires() {
        let mut budget = LoginBudget::new();
        for minute in 0..5 {
            assert_eq!(budget.locked_until("wang", at(minute)), None);
            budget.failed("wang", at(minute));
        }
        assert_eq!(budget.locked_until("wang", at(5)), Some(at(15)));
        assert_eq!(
            budget.locked_until("WANG ", at(5)),
            Some(at(15)),
            "names ignore case"
        );
        assert_eq!(
            budget.locked_until("li", at(5)),
            None,
            "another account is not touched"
        );
        // The first failure expires: one more try.
        assert_eq!(budget.locked_until("wang", at(15)), None);
        budget.failed("wang", at(15));
        assert_eq!(budget.locked_until("wang", at(15)), Some(at(16)));
    }

    #[test]
    fn a_correct_password_clears_the_count() {
        let mut budget = LoginBudget::new();
        for minute in 0..4 {
            budget.failed("wang", at(minute));
        }
        budget.succeeded("wang");
        budget.failed("wang", at(4));
        assert_eq!(budget.locked_until("wang", at(4)), None);
    }

    #[test]
    fn the_map_stays_bounded_and_drops_expired_entries_first() {
        let mut budget = LoginBudget::new();
        for n in 0..MAX_TRACKED {
            budget.failed(&format!("guess-{n}"), at(0));
        }
        budget.failed("late", at(1));
        assert_eq!(
            budget.failures.len(),
            MAX_TRACKED,
            "full: nothing new while all are fresh"
        );
        budget.failed("later", at(20));
        assert_eq!(
            budget.failures.len(),
            1,
            "expired entries dropped, the new one kept"
        );
        assert_eq!(budget.locked_until("later", at(20)), None);
    }
}
