//! The clock policy: which time a device uses to decide whether a bundle has expired.
//!
//! Kiosks at township stations and village rooms often have no network time and a real-time clock that
//! is reset or wrong. The policy (see `content/README.md`):
//!
//! 1. The device remembers the **time floor**: the newest `created` time of any manifest it verified.
//!    Signed times only; the device's own clock never raises the floor, so a clock that was once far ahead
//!    cannot poison it.
//! 2. **Clock behind** (reset to 1970, a dead RTC battery): the trusted time is the floor. A bundle that
//!    expired before the newest signature seen is refused even though the clock says it is valid; a fresh
//!    bundle is accepted and raises the floor.
//! 3. **Clock far ahead**: a clock more than `max_clock_ahead_days` past the floor is considered wrong and
//!    the floor is used instead, so a wrong clock does not freeze the device by making every bundle look
//!    expired. A bundle still has to be newer than the installed one (rollback protection is separate).
//! 4. Otherwise the device clock is used.
//! 5. Installed content past its expiry is never removed: it stays on screen, marked stale, and the
//!    heartbeat reports it.

use chrono::{DateTime, Duration, Utc};

pub use ::clock::{SystemWallClock, WallClock};

/// How the device clock was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockVerdict {
    /// The device clock is plausible and used.
    Plausible,
    /// The device clock is before the newest signing time seen: the floor is used.
    Behind,
    /// The device clock is too far past the newest signing time seen: the floor is used.
    Ahead,
}

/// The time used for expiry decisions, and how the device clock was judged.
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
        (floor, ClockVerdict::Ahead)
    } else {
        (device, ClockVerdict::Plausible)
    }
}
