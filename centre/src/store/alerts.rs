//! Stored alerts: raised by the alert rules, acknowledged and closed by staff (or closed by the
//! centre when the condition clears).

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Raised, nobody has acknowledged it yet.
    Open,
    /// A staff member has seen it and is on it.
    Acknowledged,
    /// Over: closed by staff, or by the centre when the condition cleared.
    Closed,
}

impl AlertState {
    /// The name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Closed => "closed",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Open, Self::Acknowledged, Self::Closed]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// A condition an evaluation found, to be raised unless it already is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveCondition {
    /// The device.
    pub device: String,
    /// The rule's name (`offline`, `paper_out`, `paper_low`, `reader_failing`, `scanner_failing`, `video_failing`, `content_stale`,
    /// `clock_wrong`).
    pub rule: String,
    /// What was seen, for people.
    pub detail: String,
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRecord {
    /// Its number.
    pub id: i64,
    /// The device.
    pub device: String,
    /// The device's site.
    pub site: String,
    /// The rule.
    pub rule: String,
    /// What was seen when it was raised.
    pub detail: String,
    /// Where it stands.
    pub state: AlertState,
    /// When it was raised.
    pub raised: DateTime<Utc>,
    /// Who acknowledged it, and when.
    pub acknowledged: Option<(String, DateTime<Utc>)>,
    /// Who closed it (`system` when the condition cleared), and when.
    pub closed: Option<(String, DateTime<Utc>)>,
}

/// A staff action on an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertChange {
    /// From `open` to `acknowledged`.
    Acknowledge,
    /// From `open` or `acknowledged` to `closed`.
    Close,
}

/// The outcome of [`AlertChange`] or of a reconciliation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertSync {
    /// Alerts raised now.
    pub raised: u32,
    /// Alerts closed because their condition cleared.
    pub cleared: u32,
}

/// The outcome of an [`AlertChange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertUpdate {
    /// Done (and audited in the same transaction).
    Done,
    /// No such alert.
    NotFound,
    /// The alert is in a state this change cannot start from: nothing changed.
    WrongState(AlertState),
}
