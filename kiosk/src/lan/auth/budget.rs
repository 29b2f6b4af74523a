//! Login failure budgets: a pure state machine, time passed in.
//!
//! A login attempt first *reserves* one failure in every budget it belongs to, before the PIN is
//! hashed; a success gives the reservation back. So however many attempts arrive at once, no more
//! PIN checks run than the budgets allow: the race of "check the lock, hash, then record the failure"
//! cannot be won by sending 60 guesses in parallel.
//!
//! Three budgets, each locking for `lockout` once exhausted:
//! - **source and window**: wrong PINs for one window from one address (the usual typo budget);
//! - **source**: wrong PINs from one address for any window (a guesser walking the windows);
//! - **window**: wrong PINs for one window from anywhere (a guesser with many addresses). The
//!   window's own addresses (`[[lan.staff]] addresses`) are exempt from this one, so a flood from
//!   elsewhere cannot lock the staff at the window out.

use std::{collections::HashMap, net::IpAddr};

use chrono::{DateTime, Duration, Utc};

pub use crate::health::LockScope as Scope;

/// How many wrong PINs each budget allows before it locks, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetPolicy {
    /// Wrong PINs for one window from one address.
    pub per_source_window: u32,
    /// Wrong PINs from one address, all windows together.
    pub per_source: u32,
    /// Wrong PINs for one window, all addresses together (the window's own addresses exempt).
    pub per_window: u32,
    /// How long an exhausted budget stays locked; also how long failures are remembered.
    pub lockout: Duration,
}

/// A refused attempt: the budget and the seconds until it opens again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// The budget that is exhausted.
    pub scope: Scope,
    /// Seconds until it opens (at least 1).
    pub retry_after_secs: u64,
}

/// A lock that began or ended, for the log and the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockChange {
    /// Which budget.
    pub scope: Scope,
    /// The window (for [`Scope::Source`]: the window of the attempt that locked it).
    pub window: u32,
    /// `true` when the lock began, `false` when it ended.
    pub locked: bool,
}

/// A reserved failure: hand it back with [`Budgets::succeeded`] or [`Budgets::failed`].
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a reservation is settled by succeeded() or failed()"]
pub struct Reservation {
    window: u32,
    source: IpAddr,
    counts_for_window: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counter {
    /// Failures (and attempts in flight) since `since`.
    count: u32,
    since: Option<DateTime<Utc>>,
    locked_until: Option<DateTime<Utc>>,
}

impl Counter {
    /// Forgets what has expired; says whether a lock ended.
    fn refresh(&mut self, now: DateTime<Utc>, lockout: Duration) -> bool {
        if let Some(until) = self.locked_until {
            if until <= now {
                *self = Self::default();
                return true;
            }
        } else if self.since.is_some_and(|s| now - s >= lockout) {
            *self = Self::default();
        }
        false
    }

    fn retry_after(&self, now: DateTime<Utc>) -> Option<u64> {
        let until = self.locked_until?;
        (until > now).then(|| {
            u64::try_from((until - now).num_seconds())
                .unwrap_or(0)
                .max(1)
        })
    }
}

/// The failure budgets of every window and address.
#[derive(Debug)]
pub struct Budgets {
    policy: BudgetPolicy,
    own_addresses: HashMap<u32, Vec<IpAddr>>,
    source_window: HashMap<(IpAddr, u32), Counter>,
    source: HashMap<IpAddr, Counter>,
    window: HashMap<u32, Counter>,
}

impl Budgets {
    /// Empty budgets; `own_addresses` are each window's own addresses (exempt from the window budget).
    pub fn new(policy: BudgetPolicy, own_addresses: HashMap<u32, Vec<IpAddr>>) -> Self {
        Self {
            policy,
            own_addresses,
            source_window: HashMap::new(),
            source: HashMap::new(),
            window: HashMap::new(),
        }
    }

    /// Reserves one failure in each budget of this attempt, or refuses it without a PIN check.
    /// Ended locks are reported in `changes`.
    pub fn reserve(
        &mut self,
        window: u32,
        source: IpAddr,
        now: DateTime<Utc>,
        changes: &mut Vec<LockChange>,
    ) -> Result<Reservation, Refused> {
        let lockout = self.policy.lockout;
        let counts_for_window = !self
            .own_addresses
            .get(&window)
            .is_some_and(|own| own.contains(&source));
        let mut scopes: Vec<(Scope, &mut Counter, u32)> = Vec::with_capacity(3);
        scopes.push((
            Scope::SourceWindow,
            self.source_window.entry((source, window)).or_default(),
            self.policy.per_source_window,
        ));
        scopes.push((
            Scope::Source,
            self.source.entry(source).or_default(),
            self.policy.per_source,
        ));
        if counts_for_window {
            scopes.push((
                Scope::Window,
                self.window.entry(window).or_default(),
                self.policy.per_window,
            ));
        }
        for (scope, counter, limit) in &mut scopes {
            if counter.refresh(now, lockout) {
                changes.push(LockChange {
                    scope: *scope,
                    window,
                    locked: false,
                });
            }
            if let Some(retry_after_secs) = counter.retry_after(now) {
                return Err(Refused {
                    scope: *scope,
                    retry_after_secs,
                });
            }
            if counter.count >= *limit {
                // Every reservation is in flight: refuse until one settles.
                return Err(Refused {
                    scope: *scope,
                    retry_after_secs: 1,
                });
            }
        }
        for (_, counter, _) in scopes {
            counter.count += 1;
            counter.since.get_or_insert(now);
        }
        Ok(Reservation {
            window,
            source,
            counts_for_window,
        })
    }

    fn counters(&mut self, r: &Reservation) -> Vec<(Scope, &mut Counter, u32)> {
        let mut out = Vec::with_capacity(3);
        if let Some(c) = self.source_window.get_mut(&(r.source, r.window)) {
            out.push((Scope::SourceWindow, c, self.policy.per_source_window));
        }
        if let Some(c) = self.source.get_mut(&r.source) {
            out.push((Scope::Source, c, self.policy.per_source));
        }
        if r.counts_for_window
            && let Some(c) = self.window.get_mut(&r.window)
        {
            out.push((Scope::Window, c, self.policy.per_window));
        }
        out
    }

    /// The PIN was right: the reservation is given back and this address's budget for the window
    /// starts afresh.
    pub fn succeeded(&mut self, r: Reservation) {
        for (scope, counter, _) in self.counters(&r) {
            if scope == Scope::SourceWindow {
                *counter = Counter::default();
            } else if counter.locked_until.is_none() {
                counter.count = counter.count.saturating_sub(1);
            }
        }
    }

    /// The PIN was wrong (or could not be checked): the reservation stays a failure; budgets that are
    /// now exhausted lock, reported in the returned changes.
    pub fn failed(&mut self, r: Reservation, now: DateTime<Utc>) -> Vec<LockChange> {
        let lockout = self.policy.lockout;
        let window = r.window;
        let mut changes = Vec::new();
        for (scope, counter, limit) in self.counters(&r) {
            if counter.locked_until.is_none() && counter.count >= limit {
                counter.locked_until = Some(now + lockout);
                changes.push(LockChange {
                    scope,
                    window,
                    locked: true,
                });
            }
        }
        changes
    }

    /// Gives a reservation back without counting it (the check never ran: the hashing pool was full).
    pub fn cancelled(&mut self, r: Reservation) {
        for (_, counter, _) in self.counters(&r) {
            if counter.locked_until.is_none() {
                counter.count = counter.count.saturating_sub(1);
            }
        }
    }

    /// Drops counters that have nothing left to remember (bounds memory under address floods).
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let lockout = self.policy.lockout;
        let keep = |c: &mut Counter| {
            c.refresh(now, lockout);
            c.count > 0 || c.locked_until.is_some()
        };
        self.source_window.retain(|_, c| keep(c));
        self.source.retain(|_, c| keep(c));
        self.window.retain(|_, c| keep(c));
    }

    /// Budgets locked right now (for `/metrics`).
    pub fn locked_now(&self, now: DateTime<Utc>) -> usize {
        let locked = |c: &Counter| c.locked_until.is_some_and(|u| u > now);
        self.source_window.values().filter(|c| locked(c)).count()
            + self.source.values().filter(|c| locked(c)).count()
            + self.window.values().filter(|c| locked(c)).count()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const POLICY: BudgetPolicy = BudgetPolicy {
        per_source_window: 5,
        per_source: 20,
        per_window: 20,
        lockout: Duration::minutes(5),
    };

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn parallel_attempts_beyond_the_budget_are_refused_before_any_check() {
        let mut b = Budgets::new(POLICY, HashMap::new());
        let mut changes = Vec::new();
        // 60 attempts arrive before any is settled: only 5 get a reservation (a PIN check).
        let reserved: Vec<_> = (0..60)
            .filter_map(|_| b.reserve(1, ip(9), t0(), &mut changes).ok())
            .collect();
        assert_eq!(reserved.len(), 5);
        let mut locks = Vec::new();
        for r in reserved {
            locks.extend(b.failed(r, t0()));
        }
        assert_eq!(
            locks,
            vec![LockChange {
                scope: Scope::SourceWindow,
                window: 1,
                locked: true
            }]
        );
        let refused = b.reserve(1, ip(9), t0(), &mut changes).unwrap_err();
        assert_eq!(refused.scope, Scope::SourceWindow);
        assert_eq!(refused.retry_after_secs, 300);
        // After the lockout the lock ends, and says so.
        let later = t0() + Duration::minutes(5);
        let r = b.reserve(1, ip(9), later, &mut changes).unwrap();
        assert_eq!(
            changes,
            vec![LockChange {
                scope: Scope::SourceWindow,
                window: 1,
                locked: false
            }]
        );
        b.succeeded(r);
    }

    #[test]
    fn one_address_cannot_lock_another_out() {
        let mut b = Budgets::new(POLICY, HashMap::new());
        let mut changes = Vec::new();
        for _ in 0..5 {
            let r = b.reserve(2, ip(66), t0(), &mut changes).unwrap();
            let _ = b.failed(r, t0());
        }
        assert!(b.reserve(2, ip(66), t0(), &mut changes).is_err());
        let r = b.reserve(2, ip(22), t0(), &mut changes).unwrap();
        b.succeeded(r);
    }

    #[test]
    fn many_addresses_lock_the_window_but_not_its_own_address() {
        let own = HashMap::from([(3, vec![ip(33)])]);
        let mut b = Budgets::new(POLICY, own);
        let mut changes = Vec::new();
        for last in 100..120 {
            let r = b.reserve(3, ip(last), t0(), &mut changes).unwrap();
            let _ = b.failed(r, t0());
        }
        let refused = b.reserve(3, ip(200), t0(), &mut changes).unwrap_err();
        assert_eq!(refused.scope, Scope::Window);
        let r = b.reserve(3, ip(33), t0(), &mut changes).unwrap();
        b.succeeded(r);
        assert_eq!(b.locked_now(t0()), 1);
    }

    #[test]
    fn a_success_gives_the_reservation_back() {
        let mut b = Budgets::new(POLICY, HashMap::new());
        let mut changes = Vec::new();
        for _ in 0..50 {
            let r = b.reserve(1, ip(5), t0(), &mut changes).unwrap();
            b.succeeded(r);
        }
        for _ in 0..4 {
            let r = b.reserve(1, ip(5), t0(), &mut changes).unwrap();
            let _ = b.failed(r, t0());
        }
        let r = b.reserve(1, ip(5), t0(), &mut changes).unwrap();
        b.cancelled(r);
        let r = b.reserve(1, ip(5), t0(), &mut changes).unwrap();
        b.succeeded(r);
        b.prune(t0() + Duration::minutes(10));
        assert_eq!(b.locked_now(t0()), 0);
        assert!(b.source.is_empty() && b.window.is_empty() && b.source_window.is_empty());
    }
}
