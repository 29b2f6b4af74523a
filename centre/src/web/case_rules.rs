//! What the pages and the receipt lookup derive from a complaint case: its kind (the `【投诉】` /
//! `【建议】` mark the kiosk puts at the start of the text), its deadline and whether it is overdue.

use chrono::{DateTime, NaiveDate, Utc};

use super::WebSettings;
use crate::{
    calendar::local_date,
    store::{ComplaintCase, ComplaintStatus},
};

/// A complaint (投诉) or a suggestion (建议).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    /// 投诉.
    Complaint,
    /// 建议.
    Suggestion,
}

impl CaseKind {
    /// The kind of a text: `【建议】` at its start is a suggestion; anything else (`【投诉】`, or a
    /// text of a kiosk that did not mark it) a complaint.
    pub fn of(text: &str) -> Self {
        if text.trim_start().starts_with("【建议】") {
            Self::Suggestion
        } else {
            Self::Complaint
        }
    }

    /// `complaint` or `suggestion`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complaint => "complaint",
            Self::Suggestion => "suggestion",
        }
    }

    /// The label, Chinese first.
    pub fn label(self) -> &'static str {
        match self {
            Self::Complaint => "投诉 Complaint",
            Self::Suggestion => "建议 Suggestion",
        }
    }
}

/// The text without the kind mark.
pub fn text_without_mark(text: &str) -> &str {
    let trimmed = text.trim_start();
    trimmed
        .strip_prefix("【投诉】")
        .or_else(|| trimmed.strip_prefix("【建议】"))
        .unwrap_or(trimmed)
}

impl WebSettings {
    /// The reply deadline of an item received at `received`: N working days after its local date.
    pub fn deadline(&self, received: DateTime<Utc>) -> NaiveDate {
        self.working_days
            .deadline(local_date(received), self.deadline_working_days)
    }

    /// Whether `case` is overdue at `now`: not yet replied or closed, and its deadline has passed.
    pub fn is_overdue(&self, case: &ComplaintCase, now: DateTime<Utc>) -> bool {
        matches!(
            case.record.status,
            ComplaintStatus::Received | ComplaintStatus::Assigned
        ) && local_date(now) > self.deadline(case.record.received)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_tells_the_kind() {
        assert_eq!(CaseKind::of("【建议】多放椅子"), CaseKind::Suggestion);
        assert_eq!(CaseKind::of("【投诉】太慢"), CaseKind::Complaint);
        assert_eq!(CaseKind::of("太慢"), CaseKind::Complaint);
        assert_eq!(text_without_mark("【建议】多放椅子"), "多放椅子");
        assert_eq!(text_without_mark("太慢"), "太慢");
    }
}
