//! `[queue]` configuration: services, windows and the rules of the day.
//!
//! Every key has a default; the defaults describe the Qianjiang district public legal service
//! centre (posts: reception, legal consultation, legal aid, notary, administrative approval,
//! people's mediation, complaints, lawyers and forensic appraisal). Unknown keys are refused.
//!
//! # Keys
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `utc_offset` | `"+08:00"` | local time of the site (China has no daylight saving) |
//! | `reset_time` | `"00:00"` | local time at which the business day (and numbering) restarts |
//! | `identity_salt` | none | site secret mixed into identity tokens; share it between the site's kiosks |
//! | `elderly_age` | `60` | age from which the kiosk suggests an elderly priority ticket |
//! | `max_recalls` | `2` | recalls allowed after the first call |
//! | `no_show_after_max_recalls` | `true` | one more recall marks the ticket no-show instead of refusing |
//! | `late_arrival_minutes` | `15` | a no-show ticket may still be called by number this long |
//! | `eta_min_samples` | `5` | observed service times needed before the configured guess stops counting |
//! | `fairness.max_priority_in_a_row` | `2` | priority calls in a row per service before a normal ticket goes |
//! | `fairness.max_normal_wait_minutes` | `30` | a normal ticket waiting this long goes before any priority ticket |
//! | `appointments.max_in_a_row` | `3` | appointments called in a row per service before a walk-in who waited long enough goes |
//! | `appointments.walk_in_max_wait_minutes` | `20` | how long a walk-in must have waited to go after `max_in_a_row` appointments |
//! | `appointments.late_grace_minutes` | `15` | a check-in later than this after the slot start gets an ordinary walk-in ticket |
//! | `max_returns` | `1` | times staff may put a no-show ticket back in the queue (回队) |
//! | `return_behind` | `2` | a returned ticket goes back behind this many waiting tickets of its class |
//! | `services` | the centre's eight posts | `[[queue.services]]`, see [`ServiceConfig`] |
//! | `windows` | six windows | `[[queue.windows]]`, see [`WindowConfig`] |
//!
//! ```toml
//! [queue]
//! utc_offset = "+08:00"
//! reset_time = "00:00"
//! identity_salt = "change-me-per-site"
//! fairness = { max_priority_in_a_row = 2, max_normal_wait_minutes = 30 }
//! appointments = { max_in_a_row = 3, walk_in_max_wait_minutes = 20, late_grace_minutes = 15 }
//! max_returns = 1
//! return_behind = 2
//!
//! [[queue.services]]
//! id = "legal_aid"
//! name_zh = "法律援助"
//! name_en = "Legal aid"
//! prefix = "C"
//! id_card = "optional"
//! hours = ["09:00-12:00", "14:00-18:00"]
//! days = [1, 2, 3, 4, 5]
//! default_service_minutes = 30
//! outcomes = ["accepted", "materials_missing", "rejected", "referred"]
//!
//! [[queue.windows]]
//! id = 3
//! name_zh = "3号窗口 法律援助"
//! name_en = "Window 3 Legal aid"
//! services = ["legal_aid", "consultation"]
//! ```

use std::{collections::HashSet, fmt, str::FromStr};

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, de};

use super::QueueError;

/// The queue's configuration (the `[queue]` table of the kiosk's TOML file).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// Local time offset of the site, e.g. `"+08:00"`.
    pub utc_offset: UtcOffset,
    /// Local time at which the business day restarts, e.g. `"00:00"`.
    pub reset_time: ClockTime,
    /// Site secret mixed into identity tokens (all kiosks of a site must share it). When absent,
    /// the queue host draws one in memory each time it starts; remote kiosks then cannot derive
    /// tokens. The host stores only a keyed hash of a token (see `queue/README.md`).
    pub identity_salt: Option<String>,
    /// Age in years from which the elderly priority is suggested.
    pub elderly_age: u32,
    /// Recalls allowed after the first call.
    pub max_recalls: u32,
    /// Whether a recall beyond the limit marks the ticket no-show (otherwise it is refused).
    pub no_show_after_max_recalls: bool,
    /// Minutes during which a no-show ticket may still be called by its number.
    pub late_arrival_minutes: u32,
    /// Observed service times needed before the configured guess stops counting in the ETA.
    pub eta_min_samples: u32,
    /// Priority fairness rule.
    pub fairness: FairnessConfig,
    /// How appointments go ahead of walk-ins.
    pub appointments: AppointmentConfig,
    /// Times staff may put a no-show ticket back in the queue (回队); 0 turns returns off.
    pub max_returns: u32,
    /// A returned ticket goes back behind this many waiting tickets of its class (fewer
    /// waiting: at the back; 0: at the front).
    pub return_behind: u32,
    /// Services (ticket kinds).
    pub services: Vec<ServiceConfig>,
    /// Staff windows.
    pub windows: Vec<WindowConfig>,
}

/// The priority fairness rule, see `queue/README.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FairnessConfig {
    /// Priority tickets called in a row (per service) before a waiting normal ticket goes.
    pub max_priority_in_a_row: u32,
    /// Minutes after which a waiting normal ticket goes before any priority ticket.
    pub max_normal_wait_minutes: u32,
}

impl Default for FairnessConfig {
    fn default() -> Self {
        Self {
            max_priority_in_a_row: 2,
            max_normal_wait_minutes: 30,
        }
    }
}

/// How checked-in appointments go ahead of walk-ins, see `queue/README.md` and
/// [`fairness::appointment_turn`](crate::fairness::appointment_turn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppointmentConfig {
    /// Appointments called in a row (per service) before a walk-in who has waited
    /// `walk_in_max_wait_minutes` goes.
    pub max_in_a_row: u32,
    /// Minutes a walk-in must have waited to go after `max_in_a_row` appointments.
    pub walk_in_max_wait_minutes: u32,
    /// Minutes after the slot start within which a check-in still counts as on time; later, the
    /// holder gets an ordinary walk-in ticket.
    pub late_grace_minutes: u32,
}

impl Default for AppointmentConfig {
    fn default() -> Self {
        Self {
            max_in_a_row: 3,
            walk_in_max_wait_minutes: 20,
            late_grace_minutes: 15,
        }
    }
}

/// Whether a service asks for the ID card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdCardPolicy {
    /// A ticket needs an identity token.
    Required,
    /// The kiosk offers the card reader but issues without it.
    #[default]
    Optional,
    /// The card is not asked for.
    Off,
}

/// One service (a kind of ticket).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Stable id used in the API (`[a-z0-9_-]`, up to 32 characters).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Ticket prefix: one to three capital letters, unique per site.
    pub prefix: String,
    /// First number of the day.
    pub number_start: u32,
    /// Last number of the day (at most 9999); numbers never wrap within a day.
    pub number_end: u32,
    /// Tickets per day at most (none: only the number range limits).
    pub daily_cap: Option<u32>,
    /// Whether the ID card is required, optional or off.
    pub id_card: IdCardPolicy,
    /// Opening hours as `"HH:MM-HH:MM"` local ranges; empty means always open.
    pub hours: Vec<HoursRange>,
    /// ISO weekdays (1 = Monday … 7 = Sunday) on which the service opens.
    pub days: Vec<u8>,
    /// Whether priority tickets may be issued.
    pub priority_allowed: bool,
    /// Service time guess in minutes, used until enough times are observed today.
    pub default_service_minutes: u32,
    /// Allowed outcome codes when completing; empty allows any code `[a-z0-9_]{1,32}`.
    pub outcomes: Vec<String>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            id: String::new(),
            name_zh: String::new(),
            name_en: String::new(),
            prefix: String::new(),
            number_start: 1,
            number_end: 999,
            daily_cap: None,
            id_card: IdCardPolicy::Optional,
            hours: Vec::new(),
            days: vec![1, 2, 3, 4, 5, 6, 7],
            priority_allowed: true,
            default_service_minutes: 15,
            outcomes: Vec::new(),
        }
    }
}

/// One staff window.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowConfig {
    /// Window number (1 and up), as painted above the counter.
    pub id: u32,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Services served, in order of preference.
    pub services: Vec<String>,
}

const WEEKDAYS: [u8; 5] = [1, 2, 3, 4, 5];

fn hours(ranges: &[&str]) -> Vec<HoursRange> {
    ranges.iter().filter_map(|r| r.parse().ok()).collect()
}

fn service(
    id: &str,
    name_zh: &str,
    name_en: &str,
    prefix: &str,
    id_card: IdCardPolicy,
    minutes: u32,
    outcomes: &[&str],
) -> ServiceConfig {
    ServiceConfig {
        id: id.into(),
        name_zh: name_zh.into(),
        name_en: name_en.into(),
        prefix: prefix.into(),
        id_card,
        hours: hours(&["09:00-12:00", "14:00-18:00"]),
        days: WEEKDAYS.to_vec(),
        default_service_minutes: minutes,
        outcomes: outcomes.iter().map(|s| (*s).to_owned()).collect(),
        ..ServiceConfig::default()
    }
}

fn window(id: u32, name_zh: &str, name_en: &str, services: &[&str]) -> WindowConfig {
    WindowConfig {
        id,
        name_zh: name_zh.into(),
        name_en: name_en.into(),
        services: services.iter().map(|s| (*s).to_owned()).collect(),
    }
}

const GENERAL_OUTCOMES: [&str; 5] = [
    "answered",
    "referred",
    "materials_missing",
    "appointment",
    "accepted",
];

/// The centre's eight posts (接待指引 … 律师/司法鉴定).
fn centre_services() -> Vec<ServiceConfig> {
    use IdCardPolicy::{Off, Optional, Required};
    vec![
        service(
            "reception",
            "接待指引",
            "Reception and guidance",
            "A",
            Off,
            5,
            &[],
        ),
        service(
            "consultation",
            "法律咨询",
            "Legal consultation",
            "B",
            Optional,
            15,
            &[],
        ),
        service(
            "legal_aid",
            "法律援助",
            "Legal aid",
            "C",
            // Optional: a guardian or close relative may apply for someone else, and a minor or
            // someone with only a household register (户口簿) or a temporary ID card must still
            // get a number; the window checks identity.
            Optional,
            30,
            &[
                "accepted",
                "materials_missing",
                "rejected",
                "referred",
                "answered",
            ],
        ),
        service(
            "notary",
            "公证受理",
            "Notarisation",
            "D",
            Required,
            20,
            &GENERAL_OUTCOMES,
        ),
        service(
            "approval",
            "行政审批",
            "Administrative approval",
            "E",
            Required,
            20,
            &GENERAL_OUTCOMES,
        ),
        service(
            "mediation",
            "人民调解",
            "People's mediation",
            "F",
            Optional,
            45,
            &[
                "agreement",
                "no_agreement",
                "scheduled",
                "referred",
                "withdrawn",
            ],
        ),
        service(
            "complaints",
            "投诉受理",
            "Complaints and suggestions",
            "G",
            Optional,
            15,
            &[],
        ),
        service(
            "lawyer_appraisal",
            "律师/司法鉴定",
            "Lawyers and forensic appraisal",
            "H",
            Optional,
            20,
            &[],
        ),
    ]
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            utc_offset: UtcOffset::CHINA,
            reset_time: ClockTime::MIDNIGHT,
            identity_salt: None,
            elderly_age: 60,
            max_recalls: 2,
            no_show_after_max_recalls: true,
            late_arrival_minutes: 15,
            eta_min_samples: 5,
            fairness: FairnessConfig::default(),
            appointments: AppointmentConfig::default(),
            max_returns: 1,
            return_behind: 2,
            services: centre_services(),
            windows: vec![
                window(
                    1,
                    "1号窗口 接待指引",
                    "Window 1 Reception",
                    &["reception", "consultation", "complaints"],
                ),
                window(
                    2,
                    "2号窗口 法律咨询",
                    "Window 2 Consultation",
                    &["consultation", "lawyer_appraisal", "reception"],
                ),
                window(
                    3,
                    "3号窗口 法律援助",
                    "Window 3 Legal aid",
                    &["legal_aid", "consultation"],
                ),
                window(
                    4,
                    "4号窗口 公证受理",
                    "Window 4 Notary",
                    &["notary", "approval"],
                ),
                window(
                    5,
                    "5号窗口 行政审批",
                    "Window 5 Approval",
                    &["approval", "lawyer_appraisal", "notary"],
                ),
                window(
                    6,
                    "6号窗口 人民调解",
                    "Window 6 Mediation",
                    &["mediation", "complaints"],
                ),
            ],
        }
    }
}

impl QueueConfig {
    /// The demo configuration of `kiosk serve` without `--config`: the centre's services open
    /// all day, every day, and windows 1, 2 and 3 sharing them.
    pub fn demo() -> Self {
        let mut config = Self::default();
        for service in &mut config.services {
            service.hours.clear();
            service.days = vec![1, 2, 3, 4, 5, 6, 7];
        }
        config.windows = vec![
            window(
                1,
                "1号窗口",
                "Window 1",
                &[
                    "reception",
                    "consultation",
                    "complaints",
                    "lawyer_appraisal",
                ],
            ),
            window(
                2,
                "2号窗口",
                "Window 2",
                &["legal_aid", "mediation", "consultation"],
            ),
            window(
                3,
                "3号窗口",
                "Window 3",
                &["notary", "approval", "reception"],
            ),
        ];
        config
    }

    /// Checks the configuration for consistency; the error names the first problem found.
    pub fn validate(&self) -> Result<(), QueueError> {
        let err = |msg: String| Err(QueueError::Config(msg));
        if self.services.is_empty() {
            return err("no services are configured".into());
        }
        let mut ids = HashSet::new();
        let mut prefixes = HashSet::new();
        for s in &self.services {
            if !is_code(&s.id) {
                return err(format!(
                    "service id {:?} must be 1-32 characters of a-z, 0-9, '_' or '-'",
                    s.id
                ));
            }
            if !ids.insert(s.id.as_str()) {
                return err(format!("service id {:?} appears twice", s.id));
            }
            if s.name_zh.trim().is_empty() {
                return err(format!("service {:?} has no name_zh", s.id));
            }
            if s.prefix.is_empty()
                || s.prefix.len() > 3
                || !s.prefix.bytes().all(|b| b.is_ascii_uppercase())
            {
                return err(format!(
                    "service {:?}: prefix {:?} must be 1-3 capital letters",
                    s.id, s.prefix
                ));
            }
            if !prefixes.insert(s.prefix.as_str()) {
                return err(format!("ticket prefix {:?} is used twice", s.prefix));
            }
            if s.number_start == 0 || s.number_start > s.number_end || s.number_end > 9999 {
                return err(format!(
                    "service {:?}: numbers must satisfy 1 <= number_start <= number_end <= 9999",
                    s.id
                ));
            }
            if s.daily_cap == Some(0) {
                return err(format!("service {:?}: daily_cap must be at least 1", s.id));
            }
            if let Some(day) = s.days.iter().find(|d| !(1..=7).contains(*d)) {
                return err(format!("service {:?}: weekday {day} is not in 1..=7", s.id));
            }
            if s.days.is_empty() {
                return err(format!("service {:?}: days is empty", s.id));
            }
            if s.default_service_minutes == 0 {
                return err(format!(
                    "service {:?}: default_service_minutes must be at least 1",
                    s.id
                ));
            }
            if let Some(bad) = s.outcomes.iter().find(|o| !is_outcome_code(o)) {
                return err(format!(
                    "service {:?}: outcome {bad:?} must be 1-32 characters of a-z, 0-9 or '_'",
                    s.id
                ));
            }
        }
        let mut windows = HashSet::new();
        for w in &self.windows {
            if w.id == 0 {
                return err("window ids start at 1".into());
            }
            if !windows.insert(w.id) {
                return err(format!("window {} appears twice", w.id));
            }
            if w.services.is_empty() {
                return err(format!("window {} serves no service", w.id));
            }
            if let Some(unknown) = w.services.iter().find(|s| !ids.contains(s.as_str())) {
                return err(format!(
                    "window {} serves unknown service {unknown:?}",
                    w.id
                ));
            }
        }
        if self.appointments.late_grace_minutes > 24 * 60 {
            return err("appointments.late_grace_minutes must be at most 1440".into());
        }
        if self.identity_salt.as_deref().is_some_and(|s| s.len() < 8) {
            return err("identity_salt must be at least 8 characters".into());
        }
        Ok(())
    }

    /// The service with this id.
    pub fn service(&self, id: &str) -> Option<&ServiceConfig> {
        self.services.iter().find(|s| s.id == id)
    }

    /// The window with this number.
    pub fn window(&self, id: u32) -> Option<&WindowConfig> {
        self.windows.iter().find(|w| w.id == id)
    }

    /// The business day an instant belongs to: the local date of `now - reset_time`.
    pub fn business_day(&self, now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
        let local = now.with_timezone(&self.utc_offset.0).naive_local();
        (local - chrono::Duration::minutes(i64::from(self.reset_time.minutes()))).date()
    }
}

impl ServiceConfig {
    /// Whether the service accepts tickets at this local date and time (weekday and hours).
    pub fn is_open_at(&self, local: chrono::NaiveDateTime) -> bool {
        if !self.is_open_today(local) {
            return false;
        }
        if self.hours.is_empty() {
            return true;
        }
        let minute = local.time().hour() * 60 + local.time().minute();
        self.hours
            .iter()
            .any(|h| h.start.minutes() <= minute && minute < h.end.minutes())
    }

    /// Whether the service opens at all on this local date's weekday.
    pub fn is_open_today(&self, local: chrono::NaiveDateTime) -> bool {
        let weekday = u8::try_from(local.weekday().number_from_monday()).unwrap_or(0);
        self.days.contains(&weekday)
    }

    /// Formats a ticket number: the prefix and the zero-padded sequence (`A012`).
    pub fn format_number(&self, seq: u32) -> String {
        let width = self.number_end.to_string().len().max(3);
        format!("{}{:0width$}", self.prefix, seq)
    }

    /// Whether `outcome` is an acceptable completion code for this service.
    pub fn accepts_outcome(&self, outcome: &str) -> bool {
        if self.outcomes.is_empty() {
            is_outcome_code(outcome)
        } else {
            self.outcomes.iter().any(|o| o == outcome)
        }
    }
}

pub(crate) fn is_code(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn is_outcome_code(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A local time of day `"HH:MM"` (`"24:00"` allowed as the end of a range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClockTime(u32);

impl ClockTime {
    /// Midnight.
    pub const MIDNIGHT: Self = Self(0);

    /// Minutes after midnight.
    pub fn minutes(self) -> u32 {
        self.0
    }

    /// This time as a `NaiveTime` (`24:00` becomes `23:59:59`).
    pub fn to_naive(self) -> NaiveTime {
        NaiveTime::from_hms_opt(self.0 / 60, self.0 % 60, 0)
            .unwrap_or_else(|| NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default())
    }
}

impl FromStr for ClockTime {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a time of day HH:MM");
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let h: u32 = h.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return Err(bad());
        }
        Ok(Self(h * 60 + m))
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t: Self = s.parse().map_err(de::Error::custom)?;
        if t.0 >= 24 * 60 {
            return Err(de::Error::custom(format!("{s:?} must be before 24:00")));
        }
        Ok(t)
    }
}

/// Opening hours `"HH:MM-HH:MM"` (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoursRange {
    /// Opening time.
    pub start: ClockTime,
    /// Closing time.
    pub end: ClockTime,
}

impl FromStr for HoursRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| format!("{s:?} is not a range HH:MM-HH:MM"))?;
        let (start, end): (ClockTime, ClockTime) = (a.parse()?, b.parse()?);
        if start >= end {
            return Err(format!("{s:?}: the range must end after it starts"));
        }
        Ok(Self { start, end })
    }
}

impl fmt::Display for HoursRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

impl<'de> Deserialize<'de> for HoursRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(de::Error::custom)
    }
}

/// A fixed UTC offset `"+08:00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset(pub FixedOffset);

impl UtcOffset {
    /// China Standard Time, UTC+8.
    pub const CHINA: Self = Self(match FixedOffset::east_opt(8 * 3600) {
        Some(o) => o,
        None => panic!("UTC+8 is a valid offset"),
    });
}

impl FromStr for UtcOffset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a UTC offset like +08:00");
        let (sign, rest) = match s.as_bytes().first() {
            Some(b'+') => (1, &s[1..]),
            Some(b'-') => (-1, &s[1..]),
            _ => return Err(bad()),
        };
        let t: ClockTime = rest.parse().map_err(|_| bad())?;
        let secs = sign * i32::try_from(t.minutes() * 60).map_err(|_| bad())?;
        FixedOffset::east_opt(secs).map(Self).ok_or_else(bad)
    }
}

impl<'de> Deserialize<'de> for UtcOffset {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_mirror_the_centre() {
        let c = QueueConfig::default();
        c.validate().unwrap();
        let names: Vec<_> = c.services.iter().map(|s| s.name_zh.as_str()).collect();
        assert_eq!(
            names,
            [
                "接待指引",
                "法律咨询",
                "法律援助",
                "公证受理",
                "行政审批",
                "人民调解",
                "投诉受理",
                "律师/司法鉴定"
            ]
        );
        QueueConfig::demo().validate().unwrap();
    }

    #[test]
    fn a_legal_aid_ticket_never_needs_the_id_card() {
        // Proxies (a guardian or close relative), minors and people with only a household
        // register or a temporary ID card apply for legal aid; the window checks identity.
        for config in [QueueConfig::default(), QueueConfig::demo()] {
            let legal_aid = config
                .service("legal_aid")
                .expect("legal aid is a default service");
            // Optional, not off: the card is still offered (the elderly priority needs its age).
            assert_eq!(legal_aid.id_card, IdCardPolicy::Optional);
        }
    }

    #[test]
    fn empty_table_gives_defaults_and_unknown_keys_are_refused() {
        let c: QueueConfig = toml::from_str("").unwrap();
        assert_eq!(c, QueueConfig::default());
        let err = toml::from_str::<QueueConfig>("reset_hour = 3").unwrap_err();
        assert!(err.to_string().contains("reset_hour"), "{err}");
    }

    #[test]
    fn times_and_offsets_parse_strictly() {
        assert_eq!("03:30".parse::<ClockTime>().unwrap().minutes(), 210);
        assert!("3:30".parse::<ClockTime>().is_err());
        assert!("24:01".parse::<ClockTime>().is_err());
        assert!("12:00-09:00".parse::<HoursRange>().is_err());
        assert_eq!(
            "-05:30".parse::<UtcOffset>().unwrap().0.local_minus_utc(),
            -(5 * 3600 + 1800)
        );
        assert!(toml::from_str::<QueueConfig>("reset_time = \"24:00\"").is_err());
    }

    #[test]
    fn validation_names_the_problem() {
        let mut c = QueueConfig::default();
        c.services[1].prefix = "A".into();
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("prefix \"A\" is used twice"), "{msg}");
        let mut c = QueueConfig::default();
        c.windows[0].services.push("nope".into());
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("unknown service \"nope\""), "{msg}");
    }

    #[test]
    fn numbers_are_zero_padded() {
        let s = &QueueConfig::default().services[0];
        assert_eq!(s.format_number(12), "A012");
        let wide = ServiceConfig {
            prefix: "B".into(),
            number_end: 2000,
            ..ServiceConfig::default()
        };
        assert_eq!(wide.format_number(7), "B0007");
    }
}
