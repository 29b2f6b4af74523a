//! The booking calendar as configured (`[bookings]` and `[[bookings.sites]]`), read into
//! [`BookingSettings`], and the slots of a day.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use chrono::{
    DateTime, Datelike as _, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc, Weekday,
};
use serde::Deserialize;

use super::keys::BookingKeys;
use crate::calendar::{OpeningHoursTable, local_offset};

/// `[bookings]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingsEntry {
    /// How many days ahead a citizen may book (today counts as day 0; default 14).
    #[serde(default = "default_horizon")]
    pub horizon_days: u32,
    /// Booking, moving and cancelling close this many minutes before a slot starts (default 60).
    #[serde(default = "default_cutoff")]
    pub cutoff_minutes: u32,
    /// The day-before reminder goes out at this local time on the day before (default `18:00`).
    #[serde(default = "default_day_before")]
    pub reminder_day_before: String,
    /// The second reminder goes out this many minutes before the slot (default 60).
    #[serde(default = "default_soon")]
    pub reminder_minutes_before: u32,
    /// A citizen with at least this many no-shows within `no_show_window_days` is told so when
    /// booking (default 2; the booking still goes through).
    #[serde(default = "default_notice_after")]
    pub no_show_notice_after: u32,
    /// The window of no-shows counted (default 180 days).
    #[serde(default = "default_notice_window")]
    pub no_show_window_days: u32,
    /// The file holding the centre's booking secret (64 hex digits, mode 0600); default
    /// `DATA_DIR/booking-secret`, made at the first start. Centres sharing one PostgreSQL database
    /// must share it.
    #[serde(default)]
    pub secret_file: Option<std::path::PathBuf>,
    /// The sites taking bookings.
    #[serde(default)]
    pub sites: Vec<SiteEntry>,
}

fn default_horizon() -> u32 {
    14
}
fn default_cutoff() -> u32 {
    60
}
fn default_day_before() -> String {
    "18:00".into()
}
fn default_soon() -> u32 {
    60
}
fn default_notice_after() -> u32 {
    2
}
fn default_notice_window() -> u32 {
    180
}

/// `[[bookings.sites]]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteEntry {
    /// The site, as the devices' `site`.
    pub site: String,
    /// Bookable hours per weekday, local time: `mon = "09:00-12:00,14:00-17:00"`; a day left out
    /// takes no bookings. Default: Monday to Friday 09:00–12:00 and 14:00–17:00.
    #[serde(default)]
    pub hours: Option<OpeningHoursTable>,
    /// Days this site is closed for a holiday (besides the centre's `holidays`).
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// Days this site is closed for another reason (training, moving…).
    #[serde(default)]
    pub closures: Vec<NaiveDate>,
    /// The bookable services.
    pub services: Vec<ServiceEntry>,
}

/// `[[bookings.sites.services]]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceEntry {
    /// The queue service id (`legal_aid`): `[a-z0-9_]`, 1 to 32.
    pub id: String,
    /// Its name in Chinese.
    pub name_zh: String,
    /// Its name in English.
    pub name_en: String,
    /// Minutes per slot (5 to 240, default 30).
    #[serde(default = "default_slot")]
    pub slot_minutes: u32,
    /// Bookings per slot (1 to 100, default 1).
    #[serde(default = "default_capacity")]
    pub capacity: u32,
    /// Whether the booking needs the resident ID number (stored as a keyed MAC, shown masked).
    #[serde(default)]
    pub needs_id: bool,
    /// Hours of this service, when they differ from the site's.
    #[serde(default)]
    pub hours: Option<OpeningHoursTable>,
}

fn default_slot() -> u32 {
    30
}
fn default_capacity() -> u32 {
    1
}

/// Bookable time ranges per weekday (Monday first).
pub type WeekHours = [Vec<(NaiveTime, NaiveTime)>; 7];

/// The default hours: Monday to Friday 09:00–12:00 and 14:00–17:00.
fn default_hours() -> WeekHours {
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("valid");
    let day = vec![(t(9), t(12)), (t(14), t(17))];
    [
        day.clone(),
        day.clone(),
        day.clone(),
        day.clone(),
        day,
        Vec::new(),
        Vec::new(),
    ]
}

/// Reads an hours table (`"09:00-12:00,14:00-17:00"` per day); errors name the key under `at`.
fn parse_hours(table: &OpeningHoursTable, at: &str) -> Result<WeekHours, (String, String)> {
    let mut week: WeekHours = Default::default();
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
                format!("{at}.{key}"),
                format!(
                    "{value:?}: expected \"HH:MM-HH:MM\" ranges separated by commas, in order, each \
                     opening before closing"
                ),
            )
        };
        let mut last_close: Option<NaiveTime> = None;
        for range in value.split(',') {
            let (open, close) = range.split_once('-').ok_or_else(bad)?;
            let open = NaiveTime::parse_from_str(open.trim(), "%H:%M").map_err(|_| bad())?;
            let close = NaiveTime::parse_from_str(close.trim(), "%H:%M").map_err(|_| bad())?;
            if open >= close || last_close.is_some_and(|c| open < c) {
                return Err(bad());
            }
            last_close = Some(close);
            week[i].push((open, close));
        }
    }
    Ok(week)
}

/// A bookable service of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCalendar {
    /// The queue service id.
    pub id: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Minutes per slot.
    pub slot_minutes: u32,
    /// Bookings per slot.
    pub capacity: u32,
    /// Whether the ID number is asked for.
    pub needs_id: bool,
    /// Its hours.
    pub hours: WeekHours,
}

impl ServiceCalendar {
    /// The name in `lang` (`en`, else Chinese).
    pub fn name(&self, en: bool) -> &str {
        if en { &self.name_en } else { &self.name_zh }
    }

    /// The slots of `day` (start, end), by start.
    pub fn slots(&self, day: NaiveDate) -> Vec<Slot> {
        let ranges = &self.hours[day.weekday().num_days_from_monday() as usize];
        let step = Duration::minutes(i64::from(self.slot_minutes));
        let mut slots = Vec::new();
        for (open, close) in ranges {
            let mut start = day.and_time(*open);
            let close = day.and_time(*close);
            while start + step <= close {
                slots.push(Slot {
                    start: to_utc(start),
                    end: to_utc(start + step),
                });
                start += step;
            }
        }
        slots
    }
}

/// One slot of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    /// Its start.
    pub start: DateTime<Utc>,
    /// Its end.
    pub end: DateTime<Utc>,
}

fn to_utc(local: chrono::NaiveDateTime) -> DateTime<Utc> {
    local_offset()
        .from_local_datetime(&local)
        .single()
        .expect("a fixed offset has one local time")
        .with_timezone(&Utc)
}

/// A site's booking calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteCalendar {
    /// The site.
    pub site: String,
    /// Its holidays (the centre's and its own).
    pub holidays: BTreeSet<NaiveDate>,
    /// Its other closures.
    pub closures: BTreeSet<NaiveDate>,
    /// Its services.
    pub services: Vec<ServiceCalendar>,
}

impl SiteCalendar {
    /// The service `id`.
    pub fn service(&self, id: &str) -> Option<&ServiceCalendar> {
        self.services.iter().find(|s| s.id == id)
    }

    /// Why `day` takes no bookings of `service`, if it does not.
    pub fn closed(&self, service: &ServiceCalendar, day: NaiveDate) -> Option<Closed> {
        if self.holidays.contains(&day) {
            Some(Closed::Holiday)
        } else if self.closures.contains(&day) {
            Some(Closed::Closure)
        } else if service.slots(day).is_empty() {
            Some(Closed::NotOpen(day.weekday()))
        } else {
            None
        }
    }
}

/// Why a day takes no bookings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// A public holiday.
    Holiday,
    /// The site is closed that day.
    Closure,
    /// The service takes no bookings on this weekday.
    NotOpen(Weekday),
}

/// Everything about bookings: rules, calendars and keys. Shared through [`crate::AppState`].
#[derive(Debug, Clone)]
pub struct BookingSettings {
    /// Days ahead a citizen may book (today is day 0).
    pub horizon_days: u32,
    /// Minutes before a slot after which it can no longer be booked, moved or cancelled online.
    pub cutoff_minutes: u32,
    /// Local time of the day-before reminder.
    pub day_before_at: NaiveTime,
    /// Minutes before the slot of the second reminder.
    pub soon_minutes: u32,
    /// No-shows that bring the notice.
    pub no_show_notice_after: u32,
    /// Days of no-shows counted.
    pub no_show_window_days: u32,
    /// The sites, in configured order.
    pub sites: Vec<SiteCalendar>,
    /// The keys derived from the centre's secret.
    pub keys: Arc<BookingKeys>,
}

impl BookingSettings {
    /// No site takes bookings (a centre without `[bookings]`), under a random in-memory secret.
    pub fn none() -> Self {
        Self::from_entry(None, &[], BookingKeys::random()).expect("the defaults are valid")
    }

    /// The settings from `[bookings]` (none: no site takes bookings) with the centre's `holidays`.
    pub fn from_entry(
        entry: Option<&BookingsEntry>,
        holidays: &[NaiveDate],
        keys: BookingKeys,
    ) -> Result<Self, (String, String)> {
        let default_entry;
        let entry = match entry {
            Some(entry) => entry,
            None => {
                default_entry = BookingsEntry {
                    horizon_days: default_horizon(),
                    cutoff_minutes: default_cutoff(),
                    reminder_day_before: default_day_before(),
                    reminder_minutes_before: default_soon(),
                    no_show_notice_after: default_notice_after(),
                    no_show_window_days: default_notice_window(),
                    secret_file: None,
                    sites: Vec::new(),
                };
                &default_entry
            }
        };
        if !(1..=366).contains(&entry.horizon_days) {
            return Err(("bookings.horizon_days".into(), "must be 1 to 366".into()));
        }
        if entry.cutoff_minutes > 7 * 24 * 60 {
            return Err((
                "bookings.cutoff_minutes".into(),
                "must be at most a week (10080)".into(),
            ));
        }
        let day_before_at = NaiveTime::parse_from_str(&entry.reminder_day_before, "%H:%M")
            .map_err(|_| {
                (
                    "bookings.reminder_day_before".into(),
                    format!("{:?}: expected \"HH:MM\"", entry.reminder_day_before),
                )
            })?;
        if !(1..=24 * 60).contains(&entry.reminder_minutes_before) {
            return Err((
                "bookings.reminder_minutes_before".into(),
                "must be 1 to 1440".into(),
            ));
        }
        if entry.no_show_notice_after == 0 || entry.no_show_window_days == 0 {
            return Err((
                "bookings.no_show_notice_after".into(),
                "no_show_notice_after and no_show_window_days must be at least 1".into(),
            ));
        }
        let mut names = BTreeSet::new();
        let mut sites = Vec::new();
        for (i, site) in entry.sites.iter().enumerate() {
            let at = format!("bookings.sites[{i}]");
            if site.site.trim().is_empty() {
                return Err((format!("{at}.site"), "must not be empty".into()));
            }
            if !names.insert(site.site.as_str()) {
                return Err((
                    format!("{at}.site"),
                    format!("{:?} is listed twice", site.site),
                ));
            }
            let site_hours = match &site.hours {
                Some(table) => parse_hours(table, &format!("{at}.hours"))?,
                None => default_hours(),
            };
            if site.services.is_empty() {
                return Err((format!("{at}.services"), "list at least one service".into()));
            }
            let mut ids = BTreeSet::new();
            let mut services = Vec::new();
            for (j, service) in site.services.iter().enumerate() {
                let at = format!("{at}.services[{j}]");
                if service.id.is_empty()
                    || service.id.len() > 32
                    || !service
                        .id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    return Err((format!("{at}.id"), "must be [a-z0-9_], 1 to 32".into()));
                }
                if !ids.insert(service.id.as_str()) {
                    return Err((
                        format!("{at}.id"),
                        format!("{:?} is listed twice", service.id),
                    ));
                }
                for (key, name) in [("name_zh", &service.name_zh), ("name_en", &service.name_en)] {
                    if name.trim().is_empty() || name.chars().count() > 64 {
                        return Err((format!("{at}.{key}"), "must be 1 to 64 characters".into()));
                    }
                }
                if !(5..=240).contains(&service.slot_minutes) {
                    return Err((format!("{at}.slot_minutes"), "must be 5 to 240".into()));
                }
                if !(1..=100).contains(&service.capacity) {
                    return Err((format!("{at}.capacity"), "must be 1 to 100".into()));
                }
                let hours = match &service.hours {
                    Some(table) => parse_hours(table, &format!("{at}.hours"))?,
                    None => site_hours.clone(),
                };
                services.push(ServiceCalendar {
                    id: service.id.clone(),
                    name_zh: service.name_zh.clone(),
                    name_en: service.name_en.clone(),
                    slot_minutes: service.slot_minutes,
                    capacity: service.capacity,
                    needs_id: service.needs_id,
                    hours,
                });
            }
            sites.push(SiteCalendar {
                site: site.site.clone(),
                holidays: holidays.iter().chain(&site.holidays).copied().collect(),
                closures: site.closures.iter().copied().collect(),
                services,
            });
        }
        Ok(Self {
            horizon_days: entry.horizon_days,
            cutoff_minutes: entry.cutoff_minutes,
            day_before_at,
            soon_minutes: entry.reminder_minutes_before,
            no_show_notice_after: entry.no_show_notice_after,
            no_show_window_days: entry.no_show_window_days,
            sites,
            keys: Arc::new(keys),
        })
    }

    /// The demo's calendar (`centre serve` without `--config`): the demo site takes bookings of
    /// legal aid (30 minutes, 2 a slot, ID number), notary (20 minutes, 1 a slot, ID number) and
    /// mediation (60 minutes, 1 a slot) on weekdays, mornings and afternoons, and Saturday mornings.
    pub fn demo(site: &str, keys: BookingKeys) -> Self {
        let text = format!(
            r#"
[[sites]]
site = "{site}"
[sites.hours]
mon = "09:00-12:00,14:00-17:00"
tue = "09:00-12:00,14:00-17:00"
wed = "09:00-12:00,14:00-17:00"
thu = "09:00-12:00,14:00-17:00"
fri = "09:00-12:00,14:00-17:00"
sat = "09:00-12:00"
[[sites.services]]
id = "legal_aid"
name_zh = "法律援助"
name_en = "Legal aid"
slot_minutes = 30
capacity = 2
needs_id = true
[[sites.services]]
id = "notary"
name_zh = "公证"
name_en = "Notary"
slot_minutes = 20
capacity = 1
needs_id = true
[[sites.services]]
id = "mediation"
name_zh = "人民调解"
name_en = "People's mediation"
slot_minutes = 60
capacity = 1
"#
        );
        let entry: BookingsEntry = toml::from_str(&text).expect("the demo calendar parses");
        Self::from_entry(Some(&entry), &[], keys).expect("the demo calendar is valid")
    }

    /// The site `name`'s calendar.
    pub fn site(&self, name: &str) -> Option<&SiteCalendar> {
        self.sites.iter().find(|s| s.site == name)
    }

    /// The days a citizen may book at `now`: today to today + horizon.
    pub fn bookable_days(&self, now: DateTime<Utc>) -> Vec<NaiveDate> {
        let today = crate::calendar::local_date(now);
        today
            .iter_days()
            .take(self.horizon_days as usize + 1)
            .collect()
    }

    /// The last day that may be booked at `now`.
    pub fn last_day(&self, now: DateTime<Utc>) -> NaiveDate {
        crate::calendar::local_date(now) + Duration::days(i64::from(self.horizon_days))
    }

    /// When a slot starting at `start` stops taking bookings, moves and cancellations online.
    pub fn cutoff(&self, start: DateTime<Utc>) -> DateTime<Utc> {
        start - Duration::minutes(i64::from(self.cutoff_minutes))
    }
}

/// The sites and services by name, for the pages' select lists.
pub fn services_by_site(settings: &BookingSettings) -> BTreeMap<&str, Vec<&ServiceCalendar>> {
    settings
        .sites
        .iter()
        .map(|s| (s.site.as_str(), s.services.iter().collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_follow_the_hours_in_local_time() {
        let settings = BookingSettings::demo("站", BookingKeys::random());
        let site = settings.site("站").unwrap();
        let aid = site.service("legal_aid").unwrap();
        // Monday 2026-03-02: 6 morning and 6 afternoon slots of 30 minutes.
        let slots = aid.slots("2026-03-02".parse().unwrap());
        assert_eq!(slots.len(), 12);
        assert_eq!(
            slots[0].start,
            "2026-03-02T01:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            slots[6].start,
            "2026-03-02T06:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        // Saturday morning only; Sunday closed.
        assert_eq!(aid.slots("2026-03-07".parse().unwrap()).len(), 6);
        assert_eq!(
            site.closed(aid, "2026-03-08".parse().unwrap()),
            Some(Closed::NotOpen(Weekday::Sun))
        );
        let mediation = site.service("mediation").unwrap();
        assert_eq!(mediation.slots("2026-03-02".parse().unwrap()).len(), 6);
    }

    #[test]
    fn bad_calendars_are_named() {
        let parse = |text: &str| {
            let entry: BookingsEntry = toml::from_str(text).unwrap();
            BookingSettings::from_entry(Some(&entry), &[], BookingKeys::random()).unwrap_err()
        };
        let service = "[[sites.services]]\nid = \"legal_aid\"\nname_zh = \"法律援助\"\nname_en = \"Legal aid\"\n";
        let err = parse(&format!(
            "[[sites]]\nsite = \"s\"\n[sites.hours]\nmon = \"12:00-09:00\"\n{service}"
        ));
        assert_eq!(err.0, "bookings.sites[0].hours.mon");
        let err = parse(&format!(
            "[[sites]]\nsite = \"s\"\n{service}slot_minutes = 1\n"
        ));
        assert_eq!(err.0, "bookings.sites[0].services[0].slot_minutes");
        let err = parse(&format!("[[sites]]\nsite = \"s\"\n{service}{service}"));
        assert_eq!(err.0, "bookings.sites[0].services[1].id");
        let err = parse("horizon_days = 0");
        assert_eq!(err.0, "bookings.horizon_days");
        let err = parse("reminder_day_before = \"6pm\"");
        assert_eq!(err.0, "bookings.reminder_day_before");
    }
}
