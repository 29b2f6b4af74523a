//! Who answers calls (`[calls]` in the configuration): the lawyers' names for citizens, their duty
//! days, the village sites each advises, the answer time, the ICE servers and the recording policy.

use std::collections::HashSet;

use chrono::{Datelike as _, NaiveDate, Weekday};
use serde::Deserialize;
use videocall::wire::{IceServers, TurnServer};

/// The default seconds a caller waits before the kiosk offers 12348 and a call-back.
pub const DEFAULT_ANSWER_TIMEOUT_SECS: u32 = 30;
/// The default seconds a call rings only for the duty lawyer, then also for the village's adviser,
/// then (twice this) for every available lawyer.
pub const DEFAULT_ESCALATE_AFTER_SECS: u32 = 10;

/// A lawyer who takes calls (`[[calls.lawyers]]`); their login is a `[[staff]]` entry with
/// `role = "lawyer"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LawyerEntry {
    /// The staff login.
    pub user: String,
    /// The name citizens see (`王律师`).
    pub name: String,
    /// Weekdays on duty (`["mon", "thu"]`).
    #[serde(default)]
    pub duty_weekdays: Vec<String>,
    /// Further dates on duty (`["2026-12-12"]`).
    #[serde(default)]
    pub duty_dates: Vec<NaiveDate>,
    /// The village sites whose legal adviser (一村一法律顾问) this lawyer is.
    #[serde(default)]
    pub adviser_of: Vec<String>,
}

/// A TURN relay (`[[calls.turn]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TurnEntry {
    /// `host:port`.
    pub host: String,
    /// The user name.
    pub username: String,
    /// The password (coturn's `user=name:password`).
    pub credential: String,
    /// TURN over TLS.
    #[serde(default)]
    pub tls: bool,
}

/// The `[calls]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallsEntry {
    /// Seconds before an unanswered call falls back to 12348 and a call-back (default 30).
    #[serde(default = "default_answer_timeout")]
    pub answer_timeout_secs: u32,
    /// Seconds of each routing tier (default 10).
    #[serde(default = "default_escalate_after")]
    pub escalate_after_secs: u32,
    /// Whether calls are recorded (the kiosk's consent screen says so). Default false: they are not.
    #[serde(default)]
    pub recorded: bool,
    /// A STUN server, `host:port`.
    #[serde(default)]
    pub stun: Option<String>,
    /// TURN relays.
    #[serde(default)]
    pub turn: Vec<TurnEntry>,
    /// The lawyers.
    #[serde(default)]
    pub lawyers: Vec<LawyerEntry>,
    /// Where citizens reach this centre's pages (`https://centre.example`), for the advice's QR
    /// code; none: the address the lawyer's console used.
    #[serde(default)]
    pub public_url: Option<String>,
}

fn default_answer_timeout() -> u32 {
    DEFAULT_ANSWER_TIMEOUT_SECS
}

fn default_escalate_after() -> u32 {
    DEFAULT_ESCALATE_AFTER_SECS
}

impl Default for CallsEntry {
    fn default() -> Self {
        Self {
            answer_timeout_secs: DEFAULT_ANSWER_TIMEOUT_SECS,
            escalate_after_secs: DEFAULT_ESCALATE_AFTER_SECS,
            recorded: false,
            stun: None,
            turn: Vec::new(),
            lawyers: Vec::new(),
            public_url: None,
        }
    }
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// One lawyer of the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLawyer {
    /// The staff login.
    pub user: String,
    /// The name citizens see.
    pub name: String,
    duty_weekdays: Vec<Weekday>,
    duty_dates: Vec<NaiveDate>,
    adviser_of: Vec<String>,
}

/// The checked `[calls]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    /// Seconds before an unanswered call falls back.
    pub answer_timeout_secs: u32,
    /// Seconds of each routing tier.
    pub escalate_after_secs: u32,
    /// Whether calls are recorded.
    pub recorded: bool,
    /// The ICE servers handed to both sides.
    pub ice_servers: IceServers,
    lawyers: Vec<RosterLawyer>,
}

impl Default for Roster {
    fn default() -> Self {
        Self::from_entry(&CallsEntry::default(), &[]).unwrap_or_else(|_| unreachable!())
    }
}

/// Why a lawyer is offered a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// The duty lawyer of the day (律师值班).
    Duty,
    /// The village's own legal adviser (一村一法律顾问).
    Adviser,
    /// Any available lawyer.
    Any,
}

impl Tier {
    /// The label sent to the console.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duty => "duty",
            Self::Adviser => "adviser",
            Self::Any => "any",
        }
    }
}

impl Roster {
    /// Checks `entry`: every lawyer a `lawyer` login of `lawyer_logins`, once; weekdays named
    /// `mon`…`sun`; sane times. Errors name the key.
    pub fn from_entry(
        entry: &CallsEntry,
        lawyer_logins: &[&str],
    ) -> Result<Self, (String, String)> {
        if !(5..=600).contains(&entry.answer_timeout_secs) {
            return Err((
                "calls.answer_timeout_secs".into(),
                "must be 5 to 600 seconds".into(),
            ));
        }
        if entry.escalate_after_secs > entry.answer_timeout_secs {
            return Err((
                "calls.escalate_after_secs".into(),
                "must not exceed answer_timeout_secs".into(),
            ));
        }
        let host_port = |value: &str| {
            value
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
        };
        if let Some(stun) = &entry.stun
            && !host_port(stun)
        {
            return Err(("calls.stun".into(), format!("{stun:?} is not host:port")));
        }
        let mut turn = Vec::new();
        for (i, t) in entry.turn.iter().enumerate() {
            if !host_port(&t.host) {
                return Err((
                    format!("calls.turn[{i}].host"),
                    format!("{:?} is not host:port", t.host),
                ));
            }
            turn.push(TurnServer {
                host: t.host.clone(),
                username: t.username.clone(),
                credential: t.credential.clone(),
                tls: t.tls,
            });
        }
        let mut seen = HashSet::new();
        let mut lawyers = Vec::new();
        for (i, l) in entry.lawyers.iter().enumerate() {
            let key = |field: &str| format!("calls.lawyers[{i}].{field}");
            if !lawyer_logins.contains(&l.user.as_str()) {
                return Err((
                    key("user"),
                    format!("{:?} is no [[staff]] login with role \"lawyer\"", l.user),
                ));
            }
            if !seen.insert(l.user.as_str()) {
                return Err((key("user"), format!("{:?} is listed twice", l.user)));
            }
            let n = l.name.chars().count();
            if n == 0 || n > 20 || l.name.chars().any(char::is_control) {
                return Err((key("name"), "must be 1 to 20 characters".into()));
            }
            let duty_weekdays = l
                .duty_weekdays
                .iter()
                .map(|d| {
                    weekday(d).ok_or_else(|| {
                        (
                            key("duty_weekdays"),
                            format!("{d:?} is not one of mon, tue, wed, thu, fri, sat, sun"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            lawyers.push(RosterLawyer {
                user: l.user.clone(),
                name: l.name.clone(),
                duty_weekdays,
                duty_dates: l.duty_dates.clone(),
                adviser_of: l.adviser_of.clone(),
            });
        }
        Ok(Self {
            answer_timeout_secs: entry.answer_timeout_secs,
            escalate_after_secs: entry.escalate_after_secs,
            recorded: entry.recorded,
            ice_servers: IceServers {
                stun: entry.stun.clone(),
                turn,
            },
            lawyers,
        })
    }

    /// The name citizens see for `user` (a lawyer not in the roster: `律师`).
    pub fn public_name(&self, user: &str) -> String {
        self.lawyers
            .iter()
            .find(|l| l.user == user)
            .map_or_else(|| "律师".to_owned(), |l| l.name.clone())
    }

    /// Why `user` would answer a call from `site` on `day`: duty, adviser, or any.
    pub fn tier(&self, user: &str, site: &str, day: NaiveDate) -> Tier {
        let Some(l) = self.lawyers.iter().find(|l| l.user == user) else {
            return Tier::Any;
        };
        if l.duty_weekdays.contains(&day.weekday()) || l.duty_dates.contains(&day) {
            Tier::Duty
        } else if l.adviser_of.iter().any(|s| s == site) {
            Tier::Adviser
        } else {
            Tier::Any
        }
    }
}
