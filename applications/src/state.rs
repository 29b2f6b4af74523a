//! How far an application has come, and the time limit of its next step.
//!
//! The steps: received (已收到) → accepted (已受理) or returned for more papers (需补充材料) → assigned
//! (已指派) → closed (已办结); legal aid may also be refused (不予援助, in writing with reasons, art. 43).
//!
//! Time limits of the next step ([`deadline_after`]):
//! - legal aid: a decision within 7 days of receipt; once granted, a lawyer assigned within 3 days of the
//!   decision (法律援助法 art. 43, calendar days);
//! - notary: once accepted, the certificate within 15 working days (公证法 art. 30); before that the
//!   notary office calls to confirm the appointment within 2 working days (the centre's promise);
//! - mediation: the law sets no time limit; the centre promises a mediator's call within 3 working days.
//!
//! Working days here skip Saturdays and Sundays only; public holidays are not known to this crate, so a
//! deadline over a holiday is early, never late.

use chrono::{Datelike as _, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::{ApplicationKind, TrackingCode};

/// A step of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// The centre has it; nobody has looked at it yet.
    Received,
    /// Accepted for handling (legal aid: granted).
    Accepted,
    /// Returned: papers are missing or something must be explained (the note says what).
    Returned,
    /// A lawyer, mediator or notary is handling it.
    Assigned,
    /// Legal aid refused, with reasons in the note.
    Refused,
    /// Finished.
    Closed,
}

impl ApplicationState {
    /// Every state.
    pub const ALL: [Self; 6] = [
        Self::Received,
        Self::Accepted,
        Self::Returned,
        Self::Assigned,
        Self::Refused,
        Self::Closed,
    ];

    /// The name as sent and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::Returned => "returned",
            Self::Assigned => "assigned",
            Self::Refused => "refused",
            Self::Closed => "closed",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The state in Simplified Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Received => "已收到",
            Self::Accepted => "已受理",
            Self::Returned => "需补充材料",
            Self::Assigned => "已指派",
            Self::Refused => "不予受理",
            Self::Closed => "已办结",
        }
    }

    /// The state in English.
    pub fn en(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::Accepted => "Accepted",
            Self::Returned => "More papers needed",
            Self::Assigned => "Assigned",
            Self::Refused => "Refused",
            Self::Closed => "Closed",
        }
    }

    /// Whether staff may move an application from `self` to `next`.
    pub fn may_become(self, next: Self) -> bool {
        use ApplicationState::*;
        matches!(
            (self, next),
            (Received, Accepted | Returned | Refused | Closed)
                | (Returned, Received | Accepted | Refused | Closed)
                | (Accepted, Assigned | Returned | Closed)
                | (Assigned, Closed)
        )
    }

    /// Whether nothing more happens.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Refused | Self::Closed)
    }
}

/// The time limit of the next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The last day.
    pub by: NaiveDate,
    /// What must happen by then, in Simplified Chinese.
    pub zh: String,
    /// The same in English.
    pub en: String,
    /// The rule it comes from (法律援助法第四十三条, or the centre's promise).
    pub basis_zh: String,
}

/// The time limit of what comes after `state`, entered on `since`, for `kind`; none when the next step
/// waits for the citizen or nothing follows.
pub fn deadline_after(
    kind: ApplicationKind,
    state: ApplicationState,
    since: NaiveDate,
) -> Option<Deadline> {
    use ApplicationKind::*;
    use ApplicationState::*;
    let days = |n: u64| since.checked_add_days(Days::new(n));
    let (by, zh, en, basis) = match (kind, state) {
        (LegalAid, Received) => (
            days(7)?,
            "作出是否给予法律援助的决定",
            "Decide whether to grant legal aid",
            "法律援助法第四十三条",
        ),
        (LegalAid, Accepted) => (
            days(3)?,
            "指派律师等法律援助人员",
            "Assign a lawyer",
            "法律援助法第四十三条",
        ),
        (Notary, Received) => (
            working_days(since, 2)?,
            "公证处电话联系您确认时间",
            "The notary office calls to confirm",
            "本中心服务承诺",
        ),
        (Notary, Accepted) => (
            working_days(since, 15)?,
            "出具公证书（补充材料、核实情况的时间不计算在内）",
            "Issue the certificate (time for more papers not counted)",
            "公证法第三十条",
        ),
        (Mediation, Received) => (
            working_days(since, 3)?,
            "调解员电话联系您",
            "A mediator calls you",
            "本中心服务承诺",
        ),
        _ => return None,
    };
    Some(Deadline {
        by,
        zh: zh.into(),
        en: en.into(),
        basis_zh: basis.into(),
    })
}

/// `since` plus `n` working days (Monday to Friday).
fn working_days(since: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut day = since;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt()?;
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    Some(day)
}

/// One step an application went through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusStep {
    /// The state entered.
    pub state: ApplicationState,
    /// The day it was entered (China Standard Time).
    pub on: NaiveDate,
}

/// Where an application stands: what any kiosk shows for a tracking code or an ID card and what the
/// phone page shows. No personal data: no name, number, answer or page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationStatus {
    /// The tracking code.
    pub code: TrackingCode,
    /// What was applied for.
    pub kind: ApplicationKind,
    /// The current state.
    pub state: ApplicationState,
    /// Every step so far, oldest first.
    pub steps: Vec<StatusStep>,
    /// What the centre tells the citizen (the missing papers, the reasons of a refusal, who handles
    /// it), in Simplified Chinese; written by staff for the citizen.
    pub note: Option<String>,
    /// The time limit of the next step.
    pub deadline: Option<Deadline>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn time_limits_follow_the_law() {
        let d = deadline_after(
            ApplicationKind::LegalAid,
            ApplicationState::Received,
            day("2026-12-04"),
        )
        .unwrap();
        assert_eq!(d.by, day("2026-12-11"));
        assert_eq!(d.basis_zh, "法律援助法第四十三条");
        // Friday + 15 working days = three weeks later, a Friday.
        let d = deadline_after(
            ApplicationKind::Notary,
            ApplicationState::Accepted,
            day("2026-12-04"),
        )
        .unwrap();
        assert_eq!(d.by, day("2026-12-25"));
        let d = deadline_after(
            ApplicationKind::Mediation,
            ApplicationState::Received,
            day("2026-12-04"),
        )
        .unwrap();
        assert_eq!(d.by, day("2026-12-09"));
        assert!(
            deadline_after(
                ApplicationKind::LegalAid,
                ApplicationState::Returned,
                day("2026-12-04")
            )
            .is_none()
        );
    }

    #[test]
    fn staff_moves_are_checked() {
        use ApplicationState::*;
        assert!(Received.may_become(Accepted));
        assert!(Returned.may_become(Received));
        assert!(!Closed.may_become(Received));
        assert!(!Received.may_become(Assigned));
        for s in ApplicationState::ALL {
            assert_eq!(ApplicationState::parse(s.as_str()), Some(s));
            assert!(!s.may_become(s));
        }
    }
}
