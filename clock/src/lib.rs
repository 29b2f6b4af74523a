//! The two clocks every time-dependent rule reads, injected by the binary's composition layer:
//!
//! - [`WallClock`]: calendar time (opening hours, the daily reset, bundle expiry, login lockouts,
//!   timestamps in reports). It can jump: a village room's real-time clock is often reset or wrong.
//! - [`MonotonicClock`]: time since an origin that never goes backwards (timeouts, idle screens, the
//!   watchdog's deadlines, animation and pacing).
//!
//! Each has the system implementation and a manual one that moves only when told, so tests and
//! simulations drive days, hours and timeouts without sleeping. [`Clocks`] carries one of each.

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};

/// A source of calendar time.
pub trait WallClock: Send + Sync + 'static {
    /// The current time according to the device.
    fn now(&self) -> DateTime<Utc>;
}

/// A source of time since a fixed origin, never going backwards.
pub trait MonotonicClock: Send + Sync + 'static {
    /// Time since the clock's origin.
    fn now(&self) -> Duration;
}

/// The operating system's calendar clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemWallClock;

impl WallClock for SystemWallClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The operating system's monotonic clock, counted from when this value was made.
#[derive(Debug, Clone, Copy)]
pub struct SystemMonotonic {
    origin: Instant,
}

impl SystemMonotonic {
    /// A clock whose origin is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemMonotonic {
    fn default() -> Self {
        Self::new()
    }
}

impl MonotonicClock for SystemMonotonic {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A calendar clock that only moves when told to (tests, simulations, demos). Clones share the time.
#[derive(Debug, Clone)]
pub struct ManualWallClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualWallClock {
    /// A clock standing at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Sets the time (it may go backwards, like a corrected real-time clock).
    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }

    /// Moves the time forward (or backward, with a negative duration).
    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl WallClock for ManualWallClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A monotonic clock that only moves when told to. Clones share the time.
#[derive(Debug, Clone, Default)]
pub struct ManualMonotonic {
    now: Arc<Mutex<Duration>>,
}

impl ManualMonotonic {
    /// A clock at its origin.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the time forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl MonotonicClock for ManualMonotonic {
    fn now(&self) -> Duration {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One wall clock and one monotonic clock, as the composition layer hands them down.
#[derive(Clone)]
pub struct Clocks {
    /// Calendar time.
    pub wall: Arc<dyn WallClock>,
    /// Time since the process's origin.
    pub mono: Arc<dyn MonotonicClock>,
}

impl Clocks {
    /// The operating system's clocks, the monotonic one starting now.
    pub fn system() -> Self {
        Self {
            wall: Arc::new(SystemWallClock),
            mono: Arc::new(SystemMonotonic::new()),
        }
    }
}

impl std::fmt::Debug for Clocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clocks")
            .field("wall", &self.wall.now())
            .field("mono", &self.mono.now())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn manual_clocks_move_only_when_told_and_clones_share_the_time() {
        let start = Utc.with_ymd_and_hms(2026, 12, 6, 8, 0, 0).unwrap();
        let wall = ManualWallClock::new(start);
        let shared = wall.clone();
        assert_eq!(wall.now(), start);
        wall.advance(chrono::Duration::minutes(90));
        assert_eq!(shared.now(), start + chrono::Duration::minutes(90));
        shared.set(start - chrono::Duration::days(1));
        assert_eq!(wall.now(), start - chrono::Duration::days(1), "may go back");

        let mono = ManualMonotonic::new();
        let other = mono.clone();
        assert_eq!(mono.now(), Duration::ZERO);
        other.advance(Duration::from_secs(5));
        assert_eq!(mono.now(), Duration::from_secs(5));
    }

    #[test]
    fn the_system_monotonic_clock_never_goes_back() {
        let mono = SystemMonotonic::new();
        let a = mono.now();
        let b = mono.now();
        assert!(b >= a);
    }
}
