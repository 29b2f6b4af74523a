//! A period of the day in local time, written `"HH:MM-HH:MM"`: when a video may play, when the hall is
//! quiet. `start` is inclusive, `end` exclusive; the period wraps past midnight when `end < start`.

use chrono::NaiveTime;

/// A period of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayPeriod {
    /// Start (inclusive).
    pub start: NaiveTime,
    /// End (exclusive).
    pub end: NaiveTime,
}

impl DayPeriod {
    /// Parses `"HH:MM-HH:MM"`; none for anything else or an empty period.
    pub fn parse(text: &str) -> Option<Self> {
        let (a, b) = text.split_once('-')?;
        let start = NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?;
        let end = NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?;
        (start != end).then_some(Self { start, end })
    }

    /// Whether `time` falls in the period.
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_wrap_past_midnight() {
        let t = |s| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        let noon = DayPeriod::parse("12:00-14:00").unwrap();
        assert!(noon.contains(t("12:00")) && noon.contains(t("13:59")));
        assert!(!noon.contains(t("14:00")));
        let night = DayPeriod::parse(" 22:00 - 07:00 ").unwrap();
        assert!(night.contains(t("23:00")) && night.contains(t("06:59")));
        assert!(!night.contains(t("12:00")));
        assert!(DayPeriod::parse("12:00-12:00").is_none());
        assert!(DayPeriod::parse("noon").is_none());
        assert!(DayPeriod::parse("25:00-26:00").is_none());
    }
}
