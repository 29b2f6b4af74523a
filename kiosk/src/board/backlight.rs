//! The backlight policy: what brightness now, given the time of day, the last activity and whether
//! someone stands in front of the kiosk. A pure function; the caller passes the time in.

use std::time::Duration;

use chrono::NaiveTime;

use crate::config::{BoardConfig, TimeWindow};

/// The policy's settings, taken from `[board]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BacklightPolicy {
    /// The night window.
    pub night: TimeWindow,
    /// Day level, percent.
    pub day: u8,
    /// Night level, percent.
    pub night_level: u8,
    /// Idle level, percent.
    pub idle: u8,
    /// Inactivity after which the idle level applies.
    pub idle_after: Duration,
}

impl BacklightPolicy {
    /// The policy `[board]` describes.
    pub fn from_config(config: &BoardConfig) -> Self {
        Self {
            night: config.night_window(),
            day: config.day_brightness.min(100),
            night_level: config.night_brightness.min(100),
            idle: config.idle_brightness.min(100),
            idle_after: Duration::from_secs(config.idle_after_secs),
        }
    }

    /// The brightness in percent at local time `now`, `since_activity` after the last touch or
    /// presence, with `presence` telling whether someone is in front of the screen now.
    ///
    /// Day or night level while someone is there or was recently; after `idle_after` of nothing, the
    /// idle level (never brighter than the time-of-day level).
    pub fn level(&self, now: NaiveTime, since_activity: Duration, presence: bool) -> u8 {
        let base = if self.night.contains(now) {
            self.night_level
        } else {
            self.day
        };
        if presence || since_activity < self.idle_after {
            base
        } else {
            self.idle.min(base)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> BacklightPolicy {
        BacklightPolicy::from_config(&BoardConfig::default())
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    const RECENT: Duration = Duration::from_secs(5);
    const LONG_AGO: Duration = Duration::from_secs(600);

    #[test]
    fn full_brightness_in_the_day_while_in_use() {
        assert_eq!(policy().level(t(10, 0), RECENT, false), 100);
        assert_eq!(policy().level(t(10, 0), LONG_AGO, true), 100);
    }

    #[test]
    fn dims_after_inactivity_with_nobody_in_front() {
        assert_eq!(policy().level(t(10, 0), LONG_AGO, false), 20);
        assert_eq!(
            policy().level(t(10, 0), Duration::from_secs(119), false),
            100
        );
        assert_eq!(
            policy().level(t(10, 0), Duration::from_secs(120), false),
            20
        );
    }

    #[test]
    fn night_level_between_ten_and_seven() {
        assert_eq!(policy().level(t(23, 0), RECENT, false), 40);
        assert_eq!(policy().level(t(3, 0), RECENT, true), 40);
        assert_eq!(policy().level(t(7, 0), RECENT, false), 100);
        assert_eq!(policy().level(t(23, 0), LONG_AGO, false), 20);
    }

    #[test]
    fn idle_is_never_brighter_than_the_time_of_day_level() {
        let p = BacklightPolicy {
            idle: 60,
            ..policy()
        };
        assert_eq!(p.level(t(23, 0), LONG_AGO, false), 40);
        assert_eq!(p.level(t(12, 0), LONG_AGO, false), 60);
    }
}
