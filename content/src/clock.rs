//! The clock policy: which time a device uses to decide whether a bundle has expired, whether its
//! content is stale, and whether a bundle claims a signing time too far ahead.
//!
//! Kiosks at township stations and village rooms often have no network time and a real-time clock that
//! is reset or wrong. The policy (see "Clock policy" in `content/README.md`):
//!
//! 1. The device remembers the **time floor**: the newest `created` time of any manifest it applied
//!    (the embedded default's included). Signed times only; the device's own clock never raises the floor.
//! 2. The **device time** is the later of the device clock and the floor ([`trusted_now`]). A clock reset to
//!    1970 cannot make an old bundle look fresh (the floor stands in for it), and a clock that is right
//!    but far past the floor (a fresh device whose only floor is the embedded default's 2025-01-01) is used
//!    as it is.
//! 3. **A synced bundle whose `expires` is not after the device time is refused**, whatever the clock's
//!    verdict: an expired bundle is never applied. A clock that is wrongly far ahead therefore refuses
//!    every bundle; that is loud (the error names the clock, the heartbeat carries the verdict `ahead`
//!    and the sync error) rather than silent, and it ends when the clock is set.
//! 4. **Installed content past its expiry by the device time is stale**, whatever the verdict: it stays
//!    on screen (nothing better exists), `ContentStatus.stale` is true and the heartbeat reports it. The
//!    embedded default is installed when nothing else exists even if it has expired, and is then stale.
//! 5. **A bundle signed more than `max_signed_ahead_days` after the device time is refused**
//!    ([`signing_horizon`]): together with "a version is at most its signing time in seconds" this bounds
//!    how far one bundle can push the highest version seen and the floor.
//! 6. The **verdict** (`plausible`, `behind` the floor, or more than `max_clock_ahead_days` `ahead` of it)
//!    is only reported (status and heartbeat), so the centre sees devices whose clock needs setting.
//!
//! A reset bundle (a higher `epoch`, see "Trust and recovery") is judged by the device clock alone,
//! because the floor it repairs may be poisoned.

use chrono::{DateTime, Duration, Utc};

pub use ::clock::{SystemWallClock, WallClock};

/// How the device clock was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockVerdict {
    /// The device clock is at or after the newest signing time seen, and not far past it.
    Plausible,
    /// The device clock is before the newest signing time seen: the floor is used instead.
    Behind,
    /// The device clock is more than `max_clock_ahead_days` past the newest signing time seen: either the
    /// device has seen no bundle for a long time or its clock is wrong. It is still used.
    Ahead,
}

impl ClockVerdict {
    /// The verdict as reported in heartbeats: `plausible`, `behind` or `ahead`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plausible => "plausible",
            Self::Behind => "behind",
            Self::Ahead => "ahead",
        }
    }
}

/// The device time for expiry and staleness decisions (the later of the device clock and the floor),
/// and how the device clock was judged.
pub fn trusted_now(
    device: DateTime<Utc>,
    floor: Option<DateTime<Utc>>,
    max_ahead_days: u32,
) -> (DateTime<Utc>, ClockVerdict) {
    let Some(floor) = floor else {
        return (device, ClockVerdict::Plausible);
    };
    if device < floor {
        (floor, ClockVerdict::Behind)
    } else if device > floor + Duration::days(i64::from(max_ahead_days)) {
        (device, ClockVerdict::Ahead)
    } else {
        (device, ClockVerdict::Plausible)
    }
}

/// The latest signing time a bundle may carry when the device time is `now`.
pub fn signing_horizon(now: DateTime<Utc>, max_signed_ahead_days: u32) -> DateTime<Utc> {
    now.checked_add_signed(Duration::days(i64::from(max_signed_ahead_days)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    #[test]
    fn the_device_time_is_the_later_of_clock_and_floor() {
        let floor = Some(day(2025, 1, 1));
        assert_eq!(
            trusted_now(day(1970, 1, 1), floor, 400),
            (day(2025, 1, 1), ClockVerdict::Behind)
        );
        assert_eq!(
            trusted_now(day(2025, 6, 1), floor, 400),
            (day(2025, 6, 1), ClockVerdict::Plausible)
        );
        // Finding 5: a right clock far past an old floor is used, not replaced by the floor.
        assert_eq!(
            trusted_now(day(2026, 3, 1), floor, 400),
            (day(2026, 3, 1), ClockVerdict::Ahead)
        );
        assert_eq!(
            trusted_now(day(2026, 3, 1), None, 400),
            (day(2026, 3, 1), ClockVerdict::Plausible)
        );
    }

    #[test]
    fn the_signing_horizon_saturates() {
        assert_eq!(signing_horizon(day(2026, 1, 1), 31), day(2026, 2, 1));
        assert_eq!(
            signing_horizon(DateTime::<Utc>::MAX_UTC, 1),
            DateTime::<Utc>::MAX_UTC
        );
    }
}
