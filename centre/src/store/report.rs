//! What the report queries of a [`Store`](super::Store) take and return: stored rows with their
//! site, and counts grouped by the database. The figures are combined and shaped for the API in
//! [`crate::report`].
//!
//! Days of complaints, ratings and surveys are the local dates (UTC+8, [`REPORT_UTC_OFFSET_SECS`])
//! of the time the kiosk queued them; ticket statistics carry their own business day.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use content::{NeedsSurvey, TicketStats};
use serde::Serialize;

/// The local time of the reports' days, seconds east of UTC: China Standard Time (no daylight
/// saving), the time every site of the district keeps.
pub const REPORT_UTC_OFFSET_SECS: i64 = 8 * 3600;

/// Which rows a report reads: the days `from..=to`, and one site or every site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFilter {
    /// The first day.
    pub from: NaiveDate,
    /// The last day (inclusive).
    pub to: NaiveDate,
    /// Only this site (a site-scoped manager, or the `site` parameter); none: every site.
    pub site: Option<String>,
}

impl ReportFilter {
    /// The instants of the range: from the start of `from` to the start of the day after `to`,
    /// local time, as UTC milliseconds (`start <= t < end`).
    pub fn millis(&self) -> (i64, i64) {
        let start = |day: NaiveDate| {
            day.and_hms_opt(0, 0, 0)
                .map_or(0, |t| t.and_utc().timestamp_millis())
                - REPORT_UTC_OFFSET_SECS * 1000
        };
        (start(self.from), start(self.to + Duration::days(1)))
    }
}

/// The local date (UTC+8) of a number of days since 1970-01-01 as the queries count them.
pub fn day_of_number(days: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(Duration::days(days))
}

/// The local date (UTC+8) of an instant.
pub fn local_day(time: DateTime<Utc>) -> NaiveDate {
    (time + Duration::seconds(REPORT_UTC_OFFSET_SECS)).date_naive()
}

/// The newest ticket statistics of one device, day and service, with the device's site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketStatsRow {
    /// The device.
    pub device: String,
    /// Its site.
    pub site: String,
    /// The figures as the kiosk sent them (the newest report of the day).
    pub stats: TicketStats,
}

/// What a complaint is, by the mark at the very start of its text (the kiosk's form puts 【投诉】
/// or 【建议】 there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintCategory {
    /// 【投诉】 a complaint.
    Complaint,
    /// 【建议】 a suggestion.
    Suggestion,
    /// No mark.
    Other,
}

impl ComplaintCategory {
    /// The mark of a complaint.
    pub const COMPLAINT_MARK: &'static str = "【投诉】";
    /// The mark of a suggestion.
    pub const SUGGESTION_MARK: &'static str = "【建议】";

    /// The category of a text by its first characters.
    pub fn of_text(text: &str) -> Self {
        if text.starts_with(Self::COMPLAINT_MARK) {
            Self::Complaint
        } else if text.starts_with(Self::SUGGESTION_MARK) {
            Self::Suggestion
        } else {
            Self::Other
        }
    }

    /// The name in the API and in CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complaint => "complaint",
            Self::Suggestion => "suggestion",
            Self::Other => "other",
        }
    }
}

/// Complaints of one day, site and category.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ComplaintCount {
    /// The local day the kiosk queued them.
    pub day: NaiveDate,
    /// The site.
    pub site: String,
    /// The category.
    pub category: ComplaintCategory,
    /// How many.
    pub count: u64,
}

/// The highest score of a low rating (差评): listed for a return call, counted as low in the reports.
pub const LOW_RATING_SCORE: u8 = 2;

/// Ratings of one site, service and score.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RatingCount {
    /// The site.
    pub site: String,
    /// The service rated.
    pub service: String,
    /// The score, 1 to 5.
    pub score: u8,
    /// How many.
    pub count: u64,
}

/// Ratings of one site, staff member and score.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RatingStaffCount {
    /// The site.
    pub site: String,
    /// The staff number (工号) the ratings name; none: they name none.
    pub staff_id: Option<String>,
    /// The staff member's name the ratings name; none: they name none.
    pub staff_name: Option<String>,
    /// The score, 1 to 5.
    pub score: u8,
    /// How many.
    pub count: u64,
}

/// A needs survey with the site of the kiosk that took it (no time, no device: anonymous).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    /// The site.
    pub site: String,
    /// The answers.
    pub survey: NeedsSurvey,
}

/// The columns the reports added to `ticket_stats`, as both engines store them: JSON text, NULL
/// when the kiosk did not send them.
pub(super) struct StatsColumns {
    pub(super) wait_minutes: Option<String>,
    pub(super) service_count: Option<u32>,
    pub(super) service_total_secs: Option<i64>,
    pub(super) issued_by_hour: Option<String>,
}

impl StatsColumns {
    pub(super) fn of(stats: &TicketStats) -> Self {
        Self {
            wait_minutes: (!stats.wait_minutes.is_empty())
                .then(|| serde_json::to_string(&stats.wait_minutes).unwrap_or_default()),
            service_count: stats.service_count,
            service_total_secs: stats
                .service_total_secs
                .map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
            issued_by_hour: stats
                .issued_by_hour
                .map(|h| serde_json::to_string(&h).unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_local_days() {
        let filter = ReportFilter {
            from: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            site: None,
        };
        let (start, end) = filter.millis();
        let start = DateTime::from_timestamp_millis(start).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-03-01T16:00:00+00:00");
        assert_eq!(end - start.timestamp_millis(), 86_400_000);
        assert_eq!(local_day(start), filter.from);
        assert_eq!(
            local_day(start - Duration::milliseconds(1)),
            filter.from.pred_opt().unwrap()
        );
        assert_eq!(day_of_number(0), NaiveDate::from_ymd_opt(1970, 1, 1));
    }

    #[test]
    fn categories_are_read_from_the_mark() {
        assert_eq!(
            ComplaintCategory::of_text("【投诉】窗口态度差"),
            ComplaintCategory::Complaint
        );
        assert_eq!(
            ComplaintCategory::of_text("【建议】增加座椅"),
            ComplaintCategory::Suggestion
        );
        assert_eq!(
            ComplaintCategory::of_text("投诉：没有标记"),
            ComplaintCategory::Other
        );
        assert_eq!(
            ComplaintCategory::of_text(" 【投诉】not at the start"),
            ComplaintCategory::Other
        );
    }
}
