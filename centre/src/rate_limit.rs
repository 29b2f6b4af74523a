//! A per-client-address limit of lookups: at most N in a fixed window of a minute, by the injected
//! clock. Behind a reverse proxy every client has the proxy's address: the limit then applies to all
//! of them together.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Mutex, PoisonError},
};

use chrono::{DateTime, Duration, Utc};

/// Addresses remembered at most; older windows are dropped when there are more.
const MAX_ADDRESSES: usize = 10_000;

/// When an address's window started, and the requests counted in it.
type Window = (DateTime<Utc>, u32);

/// Windows of one minute per address.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    windows: Mutex<HashMap<Option<IpAddr>, Window>>,
}

impl RateLimiter {
    /// Counts a request of `addr` at `now`: `Ok` when it is within `per_minute`, else the seconds
    /// until the window ends (for `Retry-After`).
    pub(crate) fn check(
        &self,
        addr: Option<IpAddr>,
        now: DateTime<Utc>,
        per_minute: u32,
    ) -> Result<(), u64> {
        let window = Duration::minutes(1);
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() > MAX_ADDRESSES {
            windows.retain(|_, (start, _)| now - *start < window);
        }
        let entry = windows.entry(addr).or_insert((now, 0));
        if now - entry.0 >= window || now < entry.0 {
            *entry = (now, 0);
        }
        if entry.1 >= per_minute {
            let left = (entry.0 + window - now).num_seconds().max(1);
            return Err(u64::try_from(left).unwrap_or(60));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_n_then_refuses_until_it_ends() {
        let limiter = RateLimiter::default();
        let t0: DateTime<Utc> = "2026-03-02T01:00:00Z".parse().unwrap();
        let a = Some("10.0.0.1".parse().unwrap());
        let b = Some("10.0.0.2".parse().unwrap());
        for _ in 0..3 {
            assert!(limiter.check(a, t0, 3).is_ok());
        }
        assert_eq!(limiter.check(a, t0 + Duration::seconds(20), 3), Err(40));
        assert!(
            limiter.check(b, t0, 3).is_ok(),
            "another address has its own window"
        );
        assert!(limiter.check(a, t0 + Duration::seconds(60), 3).is_ok());
    }
}
