//! The audit log's record: who did what to which item, when.

use chrono::{DateTime, Utc};

/// One staff action, as stored in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When it happened (the centre's clock).
    pub at: DateTime<Utc>,
    /// The staff account (for a failed login: the name that was tried).
    pub user: String,
    /// What was done: `login`, `login_failed`, `logout`, `complaint_assign`, `complaint_reply`,
    /// `complaint_close`, `complaint_contact_view`, `alert_acknowledge`, `alert_close`, `return_call`.
    pub action: String,
    /// What it was done to (`complaint T-ABCD-EFGH`, `alert 7`, `rating demo-kiosk/P-…`); empty for
    /// a login.
    pub target: String,
    /// Details (the assignee, the reply's length, the outcome…); never a full telephone number.
    pub detail: String,
}

impl AuditEntry {
    /// An entry of `user` doing `action` to `target` at `at`.
    pub fn new(
        at: DateTime<Utc>,
        user: impl Into<String>,
        action: impl Into<String>,
        target: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            at,
            user: user.into(),
            action: action.into(),
            target: target.into(),
            detail: detail.into(),
        }
    }
}
