//! The report queries on PostgreSQL: the same as `sqlite_report.rs` with `$N` placeholders, `BIGINT`
//! counts and bytewise (`COLLATE "C"`) ordering. The schema step is migration 2 in `schema.rs`.

use content::{OutboxMessage, OutboxPayload, TicketStats};
use deadpool_postgres::Object;

use crate::{
    error::StoreError,
    store::{
        ComplaintCategory, ComplaintCount, RatingCount, RatingStaffCount, ReportFilter, SurveyRow,
        TicketStatsRow,
        report::{REPORT_UTC_OFFSET_SECS, day_of_number},
    },
};

fn corrupt(what: &'static str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what,
        reason: reason.to_string(),
    }
}

fn count<T: TryFrom<i64>>(what: &'static str, value: i64) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| corrupt(what, format!("{value} is out of range")))
}

/// The newest ticket statistics of the filter's days (and site), by day, site, service and device.
pub(super) async fn ticket_stats_rows(
    client: &Object,
    filter: &ReportFilter,
) -> Result<Vec<TicketStatsRow>, StoreError> {
    let statement = client
        .prepare_cached(
            "SELECT t.device, d.site, t.day, t.service, t.issued, t.served, t.no_show, \
             t.mean_wait_secs, t.wait_minutes, t.service_count, t.service_total_secs, \
             t.issued_by_hour FROM ticket_stats t JOIN devices d ON d.id = t.device \
             WHERE t.day >= $1 AND t.day <= $2 AND ($3::TEXT IS NULL OR d.site = $3) \
             ORDER BY t.day COLLATE \"C\", d.site COLLATE \"C\", t.service COLLATE \"C\", \
             t.device COLLATE \"C\"",
        )
        .await?;
    let rows = client
        .query(
            &statement,
            &[
                &filter.from.to_string(),
                &filter.to.to_string(),
                &filter.site,
            ],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let day: String = row.try_get(2)?;
            let waits: Option<String> = row.try_get(8)?;
            let service_count: Option<i64> = row.try_get(9)?;
            let service_total: Option<i64> = row.try_get(10)?;
            let hours: Option<String> = row.try_get(11)?;
            Ok(TicketStatsRow {
                device: row.try_get(0)?,
                site: row.try_get(1)?,
                stats: TicketStats {
                    day: day
                        .parse()
                        .map_err(|e| corrupt("ticket statistics day", e))?,
                    service: row.try_get(3)?,
                    issued: count("ticket statistics", row.try_get(4)?)?,
                    served: count("ticket statistics", row.try_get(5)?)?,
                    no_show: count("ticket statistics", row.try_get(6)?)?,
                    mean_wait_secs: count("ticket statistics", row.try_get(7)?)?,
                    wait_minutes: match waits {
                        Some(text) => serde_json::from_str(&text)
                            .map_err(|e| corrupt("ticket statistics wait_minutes", e))?,
                        None => Vec::new(),
                    },
                    service_count: service_count
                        .map(|n| count("ticket statistics", n))
                        .transpose()?,
                    service_total_secs: service_total
                        .map(|n| count("ticket statistics", n))
                        .transpose()?,
                    issued_by_hour: hours
                        .map(|text| serde_json::from_str(&text))
                        .transpose()
                        .map_err(|e| corrupt("ticket statistics issued_by_hour", e))?,
                },
            })
        })
        .collect()
}

/// Complaints of the filter's days by local day, site and category.
pub(super) async fn complaint_counts(
    client: &Object,
    filter: &ReportFilter,
) -> Result<Vec<ComplaintCount>, StoreError> {
    let (start, end) = filter.millis();
    let statement = client
        .prepare_cached(
            "SELECT (c.created_ms + $4) / 86400000 AS day_number, d.site, \
             CASE WHEN substr(c.text, 1, 4) = $5 THEN 'complaint' \
                  WHEN substr(c.text, 1, 4) = $6 THEN 'suggestion' ELSE 'other' END AS category, \
             COUNT(*) FROM complaints c JOIN devices d ON d.id = c.device \
             WHERE c.created_ms >= $1 AND c.created_ms < $2 AND ($3::TEXT IS NULL OR d.site = $3) \
             GROUP BY day_number, d.site, category \
             ORDER BY day_number, d.site COLLATE \"C\", category",
        )
        .await?;
    let rows = client
        .query(
            &statement,
            &[
                &start,
                &end,
                &filter.site,
                &(REPORT_UTC_OFFSET_SECS * 1000),
                &ComplaintCategory::COMPLAINT_MARK,
                &ComplaintCategory::SUGGESTION_MARK,
            ],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let day: i64 = row.try_get(0)?;
            let category: String = row.try_get(2)?;
            Ok(ComplaintCount {
                day: day_of_number(day)
                    .ok_or_else(|| corrupt("complaint time", format!("day number {day}")))?,
                site: row.try_get(1)?,
                category: match category.as_str() {
                    "complaint" => ComplaintCategory::Complaint,
                    "suggestion" => ComplaintCategory::Suggestion,
                    _ => ComplaintCategory::Other,
                },
                count: count("complaint count", row.try_get(3)?)?,
            })
        })
        .collect()
}

/// Ratings of the filter's days by site, service and score.
pub(super) async fn rating_counts(
    client: &Object,
    filter: &ReportFilter,
) -> Result<Vec<RatingCount>, StoreError> {
    let (start, end) = filter.millis();
    let statement = client
        .prepare_cached(
            "SELECT d.site, r.service, r.score, COUNT(*) FROM ratings r \
             JOIN devices d ON d.id = r.device \
             WHERE r.created_ms >= $1 AND r.created_ms < $2 AND ($3::TEXT IS NULL OR d.site = $3) \
             GROUP BY d.site, r.service, r.score \
             ORDER BY d.site COLLATE \"C\", r.service COLLATE \"C\", r.score",
        )
        .await?;
    let rows = client
        .query(&statement, &[&start, &end, &filter.site])
        .await?;
    rows.iter()
        .map(|row| {
            let score: i32 = row.try_get(2)?;
            Ok(RatingCount {
                site: row.try_get(0)?,
                service: row.try_get(1)?,
                score: count("rating score", i64::from(score))?,
                count: count("rating count", row.try_get(3)?)?,
            })
        })
        .collect()
}

/// Ratings of the filter's days by site, staff member and score.
pub(super) async fn rating_staff_counts(
    client: &Object,
    filter: &ReportFilter,
) -> Result<Vec<RatingStaffCount>, StoreError> {
    let (start, end) = filter.millis();
    let statement = client
        .prepare_cached(
            "SELECT d.site, r.staff_id, r.staff_name, r.score, COUNT(*) FROM ratings r \
             JOIN devices d ON d.id = r.device \
             WHERE r.created_ms >= $1 AND r.created_ms < $2 AND ($3::TEXT IS NULL OR d.site = $3) \
             GROUP BY d.site, r.staff_id, r.staff_name, r.score \
             ORDER BY d.site COLLATE \"C\", r.staff_id COLLATE \"C\" NULLS FIRST, \
             r.staff_name COLLATE \"C\" NULLS FIRST, r.score",
        )
        .await?;
    let rows = client
        .query(&statement, &[&start, &end, &filter.site])
        .await?;
    rows.iter()
        .map(|row| {
            let score: i32 = row.try_get(3)?;
            Ok(RatingStaffCount {
                site: row.try_get(0)?,
                staff_id: row.try_get(1)?,
                staff_name: row.try_get(2)?,
                score: count("rating score", i64::from(score))?,
                count: count("rating count", row.try_get(4)?)?,
            })
        })
        .collect()
}

/// Needs surveys of the filter's days, with their site.
pub(super) async fn survey_rows(
    client: &Object,
    filter: &ReportFilter,
) -> Result<Vec<SurveyRow>, StoreError> {
    let (start, end) = filter.millis();
    let statement = client
        .prepare_cached(
            "SELECT d.site, i.body FROM items i JOIN devices d ON d.id = i.device \
             WHERE i.kind = 'needs_survey' AND i.created_ms >= $1 AND i.created_ms < $2 \
             AND ($3::TEXT IS NULL OR d.site = $3) ORDER BY i.id",
        )
        .await?;
    let rows = client
        .query(&statement, &[&start, &end, &filter.site])
        .await?;
    rows.iter()
        .map(|row| {
            let site: String = row.try_get(0)?;
            let body: String = row.try_get(1)?;
            match serde_json::from_str::<OutboxMessage>(&body)
                .map_err(|e| corrupt("needs survey", e))?
                .payload
            {
                OutboxPayload::NeedsSurvey(survey) => Ok(SurveyRow { site, survey }),
                other => Err(corrupt(
                    "needs survey",
                    format!("an item of kind needs_survey holds a {}", other.kind()),
                )),
            }
        })
        .collect()
}
