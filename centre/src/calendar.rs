//! Local time, working days and opening hours: complaint deadlines (N working days, Monday to Friday,
//! minus configured holidays) and the opening hours the offline alert respects.
//!
//! The district keeps China Standard Time (UTC+8, no daylight saving), so local time is a fixed offset.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike as _, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};
use serde::Deserialize;

/// China Standard Time.
pub fn local_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The local date of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&local_offset()).date_naive()
}

/// Working days: Monday to Friday, except holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingDays {
    holidays: BTreeSet<NaiveDate>,
}

impl WorkingDays {
    /// Monday to Friday except `holidays`.
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The deadline of an item received on `received`: the `n`th working day after it (the day of
    /// receipt does not count). `n = 0` is the day itself.
    pub fn deadline(&self, received: NaiveDate, n: u32) -> NaiveDate {
        let mut day = received;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().unwrap_or(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

/// Opening hours of one day, local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayHours {
    /// Opens.
    pub open: NaiveTime,
    /// Closes.
    pub close: NaiveTime,
}

/// Opening hours per weekday (`[opening_hours]` in the configuration: `mon = "08:30-17:30"`, a day left
/// out is closed). Default: Monday to Friday 08:30–17:30.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    days: [Option<DayHours>; 7],
}

impl Default for OpeningHours {
    fn default() -> Self {
        let hours = DayHours {
            open: NaiveTime::from_hms_opt(8, 30, 0).expect("valid"),
            close: NaiveTime::from_hms_opt(17, 30, 0).expect("valid"),
        };
        let mut days = [None; 7];
        for day in days.iter_mut().take(5) {
            *day = Some(hours);
        }
        Self { days }
    }
}

impl OpeningHours {
    /// Hours from a weekday table (`mon`…`sun` → `"HH:MM-HH:MM"`); errors name the key.
    pub fn parse(table: &OpeningHoursTable) -> Result<Self, (String, String)> {
        let mut days = [None; 7];
        let entries = [
            ("mon", &table.mon),
            ("tue", &table.tue),
            ("wed", &table.wed),
            ("thu", &table.thu),
            ("fri", &table.fri),
            ("sat", &table.sat),
            ("sun", &table.sun),
        ];
        for (i, (key, value)) in entries.into_iter().enumerate() {
            let Some(value) = value else { continue };
            let bad = || {
                (
                    format!("opening_hours.{key}"),
                    format!("{value:?}: expected \"HH:MM-HH:MM\", opening before closing"),
                )
            };
            let (open, close) = value.split_once('-').ok_or_else(bad)?;
            let open = NaiveTime::parse_from_str(open.trim(), "%H:%M").map_err(|_| bad())?;
            let close = NaiveTime::parse_from_str(close.trim(), "%H:%M").map_err(|_| bad())?;
            if open >= close {
                return Err(bad());
            }
            days[i] = Some(DayHours { open, close });
        }
        Ok(Self { days })
    }

    /// The hours of `weekday`; none: closed.
    pub fn of(&self, weekday: Weekday) -> Option<DayHours> {
        self.days[weekday.num_days_from_monday() as usize]
    }

    /// Whether the site is open at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&local_offset());
        self.of(local.weekday())
            .is_some_and(|h| (h.open..h.close).contains(&local.time()))
    }

    /// Seconds of opening time between `from` and `to` (stepping by minute boundaries is not needed:
    /// the overlap is computed per local day).
    pub fn open_seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let offset = local_offset();
        let (from_l, to_l) = (from.with_timezone(&offset), to.with_timezone(&offset));
        let mut day = from_l.date_naive();
        let mut total = 0;
        while day <= to_l.date_naive() {
            if let Some(h) = self.of(day.weekday()) {
                let open = day.and_time(h.open);
                let close = day.and_time(h.close);
                let start = open.max(from_l.naive_local());
                let end = close.min(to_l.naive_local());
                if end > start {
                    total += (end - start).num_seconds();
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        total
    }
}

/// The `[opening_hours]` table as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct OpeningHoursTable {
    pub mon: Option<String>,
    pub tue: Option<String>,
    pub wed: Option<String>,
    pub thu: Option<String>,
    pub fri: Option<String>,
    pub sat: Option<String>,
    pub sun: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn deadlines_skip_weekends_and_holidays() {
        let days = WorkingDays::default();
        // Friday 2026-03-06 + 1 working day = Monday 03-09.
        assert_eq!(days.deadline(d("2026-03-06"), 1), d("2026-03-09"));
        // Monday + 15 working days = three weeks later, Monday.
        assert_eq!(days.deadline(d("2026-03-02"), 15), d("2026-03-23"));
        // Received on a Saturday: the next Monday is the first working day.
        assert_eq!(days.deadline(d("2026-03-07"), 1), d("2026-03-09"));
        let with = WorkingDays::new([d("2026-03-09"), d("2026-03-10")]);
        assert_eq!(with.deadline(d("2026-03-06"), 1), d("2026-03-11"));
        assert!(!with.is_working_day(d("2026-03-09")));
    }

    #[test]
    fn opening_hours_are_local_time() {
        let hours = OpeningHours::default();
        // Monday 2026-03-02 09:00 +08:00 = 01:00 UTC.
        let monday_9 = "2026-03-02T01:00:00Z".parse().unwrap();
        assert!(hours.is_open(monday_9));
        let monday_8 = "2026-03-02T00:00:00Z".parse().unwrap();
        assert!(!hours.is_open(monday_8));
        let saturday = "2026-03-07T02:00:00Z".parse().unwrap();
        assert!(!hours.is_open(saturday));
        // Friday 17:00 → Monday 09:00 local: 30 min on Friday and 30 min on Monday.
        let fri_17 = "2026-03-06T09:00:00Z".parse().unwrap();
        assert_eq!(
            hours.open_seconds_between(fri_17, monday_9 + chrono::Duration::days(7)),
            3600
        );
        let table = OpeningHoursTable {
            sat: Some("09:00-12:00".into()),
            ..OpeningHoursTable::default()
        };
        let parsed = OpeningHours::parse(&table).unwrap();
        assert!(parsed.is_open(saturday));
        assert!(!parsed.is_open(monday_9));
        let bad = OpeningHoursTable {
            mon: Some("17:00-09:00".into()),
            ..OpeningHoursTable::default()
        };
        assert_eq!(
            OpeningHours::parse(&bad).unwrap_err().0,
            "opening_hours.mon"
        );
    }
}
