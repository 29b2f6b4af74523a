//! What the store keeps of applications made at the kiosk: one row per application with the
//! envelope **sealed as received** (the database holds no readable application), what the inbox and
//! the citizen's status need beside it (kind, site, the masked name, the ID number's keyed MAC, the
//! page count, the state, the note for the citizen, the time limit of the next step), and every step
//! with who took it.
//!
//! Tables (SQLite schema version 8, PostgreSQL migration 8): `applications` (primary key `code`,
//! indexes on `holder_mac` and on `(state, received_ms)`) and `application_steps`.

use ::applications::{
    ApplicationKind, ApplicationState, ApplicationStatus, StatusStep, TrackingCode, deadline_after,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{calendar::local_date, error::StoreError};

/// An application to store, as it arrived.
#[derive(Clone, PartialEq, Eq)]
pub struct NewApplication {
    /// The tracking code.
    pub code: TrackingCode,
    /// What is applied for.
    pub kind: ApplicationKind,
    /// The kiosk that sent it (the token's device).
    pub device: String,
    /// The kiosk's site.
    pub site: String,
    /// The applicant's name masked (张*三).
    pub masked_name: String,
    /// The MAC of the applicant's ID number under the holder key (hex).
    pub holder_mac: String,
    /// Pages carried.
    pub page_count: u32,
    /// When the centre received it.
    pub received: DateTime<Utc>,
    /// The envelope as received (sealed).
    pub envelope: Vec<u8>,
    /// The envelope's SHA-256 (hex): a second delivery of the same bytes is recognised by it.
    pub envelope_sha256: String,
}

impl std::fmt::Debug for NewApplication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApplication")
            .field("code", &self.code)
            .field("kind", &self.kind)
            .field("device", &self.device)
            .field("envelope", &self.envelope.len())
            .finish_non_exhaustive()
    }
}

impl NewApplication {
    /// The time limit of its first step (received), from the local day of receipt.
    pub fn deadline(&self) -> Option<NaiveDate> {
        deadline_after(
            self.kind,
            ApplicationState::Received,
            local_date(self.received),
        )
        .map(|d| d.by)
    }
}

/// What the centre answers about a stored application: the same for the first delivery and every
/// repeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationReceipt {
    /// The tracking code.
    pub code: String,
    /// When the centre first received it.
    pub received: DateTime<Utc>,
}

/// The outcome of [`crate::Store::insert_application`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationInsert {
    /// Stored now.
    New(ApplicationReceipt),
    /// Stored before with the same envelope (sha256): nothing written.
    Again(ApplicationReceipt),
    /// Stored before with a different envelope: nothing written.
    Conflict(ApplicationReceipt),
}

/// A stored application without its envelope: what the inbox lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    /// The tracking code.
    pub code: TrackingCode,
    /// What is applied for.
    pub kind: ApplicationKind,
    /// The kiosk it came from.
    pub device: String,
    /// Its site.
    pub site: String,
    /// The applicant's name masked.
    pub masked_name: String,
    /// Pages carried.
    pub page_count: u32,
    /// When the centre received it.
    pub received: DateTime<Utc>,
    /// The current state.
    pub state: ApplicationState,
    /// When it entered the current state.
    pub state_at: DateTime<Utc>,
    /// What the centre tells the citizen (the latest decision's note).
    pub note: Option<String>,
    /// The last day of the next step's time limit.
    pub deadline: Option<NaiveDate>,
}

impl ApplicationRow {
    /// Whether the next step is late: an open application whose time limit ended before `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.state.is_final() && self.deadline.is_some_and(|by| by < today)
    }
}

/// One step an application went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationStep {
    /// The state entered.
    pub state: ApplicationState,
    /// When.
    pub at: DateTime<Utc>,
    /// Who: the staff account, or the kiosk for the arrival.
    pub by: String,
    /// The note for the citizen given with it.
    pub note: Option<String>,
}

/// A stored application with its steps (oldest first), without its envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRecord {
    /// The row.
    pub row: ApplicationRow,
    /// Every step, oldest first.
    pub steps: Vec<ApplicationStep>,
}

impl ApplicationRecord {
    /// What any kiosk or phone may see: no personal data.
    pub fn status(&self) -> ApplicationStatus {
        let row = &self.row;
        let deadline = row.deadline.and_then(|by| {
            deadline_after(row.kind, row.state, local_date(row.state_at)).map(|mut d| {
                d.by = by;
                d
            })
        });
        ApplicationStatus {
            code: row.code.clone(),
            kind: row.kind,
            state: row.state,
            steps: self
                .steps
                .iter()
                .map(|s| StatusStep {
                    state: s.state,
                    on: local_date(s.at),
                })
                .collect(),
            note: row.note.clone(),
            deadline,
        }
    }
}

/// Which applications to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationFilter {
    /// Only this site's.
    pub site: Option<String>,
    /// Only those in this state.
    pub state: Option<ApplicationState>,
    /// Only those not refused or closed.
    pub open_only: bool,
    /// At most this many.
    pub limit: u32,
}

/// A decision of staff on an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The tracking code.
    pub code: String,
    /// The state it moves to.
    pub to: ApplicationState,
    /// The note for the citizen (what is missing, the reasons of a refusal, who handles it).
    pub note: Option<String>,
    /// The staff account.
    pub by: String,
    /// When (the centre's clock); the new time limit runs from its local day.
    pub at: DateTime<Utc>,
}

impl Decision {
    /// The time limit of the step after the decision, for `kind`.
    pub fn deadline(&self, kind: ApplicationKind) -> Option<NaiveDate> {
        deadline_after(kind, self.to, local_date(self.at)).map(|d| d.by)
    }
}

/// The outcome of [`crate::Store::decide_application`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionOutcome {
    /// Done, with its audit entry.
    Done,
    /// No application has this code.
    NotFound,
    /// The application's current state does not allow the move.
    NotAllowed(ApplicationState),
}

/// SQL of SQLite's schema version 8.
pub(crate) const SQLITE_TABLES: &str = r#"
CREATE TABLE IF NOT EXISTS applications (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    device TEXT NOT NULL REFERENCES devices(id),
    site TEXT NOT NULL,
    masked_name TEXT NOT NULL,
    holder_mac TEXT NOT NULL,
    page_count INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    state TEXT NOT NULL,
    state_ms INTEGER NOT NULL,
    note TEXT,
    deadline TEXT,
    envelope BLOB NOT NULL,
    envelope_sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS applications_holder ON applications(holder_mac);
CREATE INDEX IF NOT EXISTS applications_state ON applications(state, received_ms);
CREATE TABLE IF NOT EXISTS application_steps (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL REFERENCES applications(code),
    state TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    "by" TEXT NOT NULL,
    note TEXT
);
CREATE INDEX IF NOT EXISTS application_steps_code ON application_steps(code, id);
"#;

/// The columns of an [`ApplicationRow`], in the order [`RawRow`] takes them.
pub(crate) const ROW_COLUMNS: &str = "code, kind, device, site, masked_name, page_count, \
     received_ms, state, state_ms, note, deadline";

/// The states that end an application, as SQL (`state IN …`).
pub(crate) const FINAL_STATES: &str = "('refused', 'closed')";

/// A row as both engines read it, before its names are checked.
pub(crate) struct RawRow {
    pub(crate) code: String,
    pub(crate) kind: String,
    pub(crate) device: String,
    pub(crate) site: String,
    pub(crate) masked_name: String,
    pub(crate) page_count: i64,
    pub(crate) received_ms: i64,
    pub(crate) state: String,
    pub(crate) state_ms: i64,
    pub(crate) note: Option<String>,
    pub(crate) deadline: Option<String>,
}

fn corrupt(reason: String) -> StoreError {
    StoreError::Corrupt {
        what: "application",
        reason,
    }
}

/// A stored state.
pub(crate) fn state_of(name: &str) -> Result<ApplicationState, StoreError> {
    ApplicationState::parse(name).ok_or_else(|| corrupt(format!("unknown state {name:?}")))
}

/// A stored kind.
pub(crate) fn kind_of(name: &str) -> Result<ApplicationKind, StoreError> {
    ApplicationKind::parse(name).ok_or_else(|| corrupt(format!("unknown kind {name:?}")))
}

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl RawRow {
    /// The row, its names checked.
    pub(crate) fn parse(self) -> Result<ApplicationRow, StoreError> {
        Ok(ApplicationRow {
            code: TrackingCode::try_from(self.code).map_err(corrupt)?,
            kind: kind_of(&self.kind)?,
            device: self.device,
            site: self.site,
            masked_name: self.masked_name,
            page_count: u32::try_from(self.page_count)
                .map_err(|_| corrupt(format!("page count {}", self.page_count)))?,
            received: time(self.received_ms),
            state: state_of(&self.state)?,
            state_at: time(self.state_ms),
            note: self.note,
            deadline: self
                .deadline
                .map(|d| {
                    d.parse::<NaiveDate>()
                        .map_err(|e| corrupt(format!("deadline {d:?}: {e}")))
                })
                .transpose()?,
        })
    }
}

/// A step as both engines read it: `state, at_ms, "by", note`.
pub(crate) fn step(
    state: &str,
    at_ms: i64,
    by: String,
    note: Option<String>,
) -> Result<ApplicationStep, StoreError> {
    Ok(ApplicationStep {
        state: state_of(state)?,
        at: time(at_ms),
        by,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_carries_the_steps_and_the_time_limit_of_the_current_state() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let received = at("2026-03-02T01:00:00Z");
        let record = ApplicationRecord {
            row: ApplicationRow {
                code: TrackingCode::from_random([1, 2, 3, 4, 5]),
                kind: ApplicationKind::LegalAid,
                device: "kiosk-a".into(),
                site: "向阳镇".into(),
                masked_name: "张*三".into(),
                page_count: 2,
                received,
                state: ApplicationState::Received,
                state_at: received,
                note: None,
                deadline: Some("2026-03-09".parse().unwrap()),
            },
            steps: vec![ApplicationStep {
                state: ApplicationState::Received,
                at: received,
                by: "kiosk-a".into(),
                note: None,
            }],
        };
        let status = record.status();
        assert_eq!(status.steps.len(), 1);
        assert_eq!(status.steps[0].on.to_string(), "2026-03-02");
        let deadline = status.deadline.clone().unwrap();
        assert_eq!(deadline.by.to_string(), "2026-03-09");
        assert_eq!(deadline.basis_zh, "法律援助法第四十三条");
        assert!(!record.row.is_overdue("2026-03-09".parse().unwrap()));
        assert!(record.row.is_overdue("2026-03-10".parse().unwrap()));
        let json = serde_json::to_string(&status).unwrap();
        assert!(!json.contains("张") && !json.contains("kiosk-a"), "{json}");
    }
}
