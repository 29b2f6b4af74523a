//! Complaint cases (status, assignee, reply) and return calls (回访) of low ratings.

use chrono::{DateTime, Utc};

use super::{ComplaintRecord, ComplaintStatus, RatingRecord};

/// A complaint or suggestion with its handling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintCase {
    /// The complaint as received (its `status` is the case's status).
    pub record: ComplaintRecord,
    /// The staff account it is assigned to.
    pub assignee: Option<String>,
    /// The reply recorded.
    pub reply: Option<String>,
    /// When the reply was recorded.
    pub replied: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed: Option<DateTime<Utc>>,
}

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Only this site's.
    pub site: Option<String>,
    /// Only cases in this status.
    pub status: Option<ComplaintStatus>,
    /// At most this many, newest first.
    pub limit: u32,
}

/// A step in a case's handling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseChange {
    /// Assign to a staff account: from `received` or `assigned` (a re-assignment) to `assigned`.
    Assign(String),
    /// Record the reply: from `assigned` to `replied`.
    Reply(String),
    /// Close: from `replied` to `closed`.
    Close,
}

impl CaseChange {
    /// The statuses this change may start from.
    pub fn allowed_from(&self) -> &'static [ComplaintStatus] {
        match self {
            Self::Assign(_) => &[ComplaintStatus::Received, ComplaintStatus::Assigned],
            Self::Reply(_) => &[ComplaintStatus::Assigned],
            Self::Close => &[ComplaintStatus::Replied],
        }
    }

    /// The status after the change.
    pub fn to(&self) -> ComplaintStatus {
        match self {
            Self::Assign(_) => ComplaintStatus::Assigned,
            Self::Reply(_) => ComplaintStatus::Replied,
            Self::Close => ComplaintStatus::Closed,
        }
    }
}

/// The outcome of a case change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseUpdate {
    /// Done (and audited in the same transaction).
    Done,
    /// No such complaint.
    NotFound,
    /// The case is in a status this change cannot start from: nothing changed.
    WrongStatus(ComplaintStatus),
}

/// A rating with its return call (回访), if one was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedVisit {
    /// The rating.
    pub record: RatingRecord,
    /// The return call's outcome.
    pub return_call: Option<ReturnCall>,
}

/// A return call's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnCall {
    /// What came of it.
    pub outcome: String,
    /// Who recorded it.
    pub user: String,
    /// When.
    pub at: DateTime<Utc>,
}
