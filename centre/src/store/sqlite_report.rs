//! The SQLite side of the reports: the schema step to version 3 (the ticket statistics' new
//! columns, backfilled from the stored items, and the indexes of the report queries) and the
//! report queries themselves. Called by [`super::SqliteStore`].

use content::{OutboxMessage, OutboxPayload, TicketStats};
use rusqlite::{Connection, params};

use super::report::{
    ComplaintCategory, ComplaintCount, REPORT_UTC_OFFSET_SECS, RatingCount, RatingStaffCount,
    ReportFilter, StatsColumns, SurveyRow, TicketStatsRow, day_of_number,
};
use crate::error::StoreError;

/// Version 3: the ticket statistics' wait-time histogram, service time sum and count and tickets by
/// hour (NULL for reports of older kiosks), and indexes by day and by time for the reports.
const TO_VERSION_3: &str = "
ALTER TABLE ticket_stats ADD COLUMN wait_minutes TEXT;
ALTER TABLE ticket_stats ADD COLUMN service_count INTEGER;
ALTER TABLE ticket_stats ADD COLUMN service_total_secs INTEGER;
ALTER TABLE ticket_stats ADD COLUMN issued_by_hour TEXT;
CREATE INDEX IF NOT EXISTS ticket_stats_day ON ticket_stats(day);
CREATE INDEX IF NOT EXISTS complaints_created ON complaints(created_ms);
CREATE INDEX IF NOT EXISTS ratings_created ON ratings(created_ms);
CREATE INDEX IF NOT EXISTS items_kind_created ON items(kind, created_ms);
";

/// Applies the reports' schema step when the file is older than version 3 (`version` is its
/// `user_version`, 0 for a new file whose earlier tables were just created), inside the caller's
/// transaction.
pub(super) fn upgrade(conn: &Connection, version: i64) -> Result<(), StoreError> {
    if version < 3 {
        conn.execute_batch(TO_VERSION_3)?;
        backfill_ticket_stats(conn)?;
    }
    Ok(())
}

/// Fills the new columns from the stored items: an older centre kept the body of a newer
/// kiosk's report whole, so nothing it sent is lost by the upgrade.
fn backfill_ticket_stats(conn: &Connection) -> Result<(), StoreError> {
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT t.rowid, i.body FROM ticket_stats t JOIN items i ON i.id = t.item_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (rowid, body) in rows {
        let Ok(OutboxMessage {
            payload: OutboxPayload::TicketStats(stats),
            ..
        }) = serde_json::from_str::<OutboxMessage>(&body)
        else {
            continue;
        };
        let columns = StatsColumns::of(&stats);
        conn.execute(
            "UPDATE ticket_stats SET wait_minutes = ?2, service_count = ?3, \
             service_total_secs = ?4, issued_by_hour = ?5 WHERE rowid = ?1",
            params![
                rowid,
                columns.wait_minutes,
                columns.service_count,
                columns.service_total_secs,
                columns.issued_by_hour
            ],
        )?;
    }
    Ok(())
}

fn corrupt(what: &'static str) -> impl Fn(String) -> StoreError {
    move |reason| StoreError::Corrupt { what, reason }
}

/// The newest ticket statistics of the filter's days (and site), by day, site, service and device.
pub(super) fn ticket_stats_rows(
    conn: &Connection,
    filter: &ReportFilter,
) -> Result<Vec<TicketStatsRow>, StoreError> {
    type Raw = (
        String,
        String,
        String,
        String,
        (u32, u32, u32, u32),
        Option<String>,
        Option<u32>,
        Option<i64>,
        Option<String>,
    );
    let mut statement = conn.prepare_cached(
        "SELECT t.device, d.site, t.day, t.service, t.issued, t.served, t.no_show, \
         t.mean_wait_secs, t.wait_minutes, t.service_count, t.service_total_secs, \
         t.issued_by_hour FROM ticket_stats t JOIN devices d ON d.id = t.device \
         WHERE t.day >= ?1 AND t.day <= ?2 AND (?3 IS NULL OR d.site = ?3) \
         ORDER BY t.day, d.site, t.service, t.device",
    )?;
    let rows = statement.query_map(
        params![filter.from.to_string(), filter.to.to_string(), filter.site],
        |r| -> rusqlite::Result<Raw> {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                (r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?),
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (device, site, day, service, counts, waits, service_count, service_total, hours) = row?;
        let (issued, served, no_show, mean_wait_secs) = counts;
        let wait_minutes: Vec<u32> = match waits {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| corrupt("ticket statistics wait_minutes")(e.to_string()))?,
            None => Vec::new(),
        };
        let issued_by_hour: Option<[u32; 24]> = hours
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(|e| corrupt("ticket statistics issued_by_hour")(e.to_string()))?;
        out.push(TicketStatsRow {
            device,
            site,
            stats: TicketStats {
                day: day.parse().map_err(|e: chrono::ParseError| {
                    corrupt("ticket statistics day")(e.to_string())
                })?,
                service,
                issued,
                served,
                no_show,
                mean_wait_secs,
                wait_minutes,
                service_count,
                service_total_secs: service_total.map(|s| u64::try_from(s).unwrap_or(0)),
                issued_by_hour,
            },
        });
    }
    Ok(out)
}

/// Complaints of the filter's days by local day, site and category.
pub(super) fn complaint_counts(
    conn: &Connection,
    filter: &ReportFilter,
) -> Result<Vec<ComplaintCount>, StoreError> {
    let (start, end) = filter.millis();
    let mut statement = conn.prepare_cached(
        "SELECT (c.created_ms + ?4) / 86400000 AS day_number, d.site, \
         CASE WHEN substr(c.text, 1, 4) = ?5 THEN 'complaint' \
              WHEN substr(c.text, 1, 4) = ?6 THEN 'suggestion' ELSE 'other' END AS category, \
         COUNT(*) FROM complaints c JOIN devices d ON d.id = c.device \
         WHERE c.created_ms >= ?1 AND c.created_ms < ?2 AND (?3 IS NULL OR d.site = ?3) \
         GROUP BY day_number, d.site, category ORDER BY day_number, d.site, category",
    )?;
    let rows: Vec<(i64, String, String, i64)> = statement
        .query_map(
            params![
                start,
                end,
                filter.site,
                REPORT_UTC_OFFSET_SECS * 1000,
                ComplaintCategory::COMPLAINT_MARK,
                ComplaintCategory::SUGGESTION_MARK
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(day, site, category, count)| {
            Ok(ComplaintCount {
                day: day_of_number(day)
                    .ok_or_else(|| corrupt("complaint time")(format!("day number {day}")))?,
                site,
                category: match category.as_str() {
                    "complaint" => ComplaintCategory::Complaint,
                    "suggestion" => ComplaintCategory::Suggestion,
                    _ => ComplaintCategory::Other,
                },
                count: u64::try_from(count).unwrap_or(0),
            })
        })
        .collect()
}

/// Ratings of the filter's days by site, service and score.
pub(super) fn rating_counts(
    conn: &Connection,
    filter: &ReportFilter,
) -> Result<Vec<RatingCount>, StoreError> {
    let (start, end) = filter.millis();
    let mut statement = conn.prepare_cached(
        "SELECT d.site, r.service, r.score, COUNT(*) FROM ratings r \
         JOIN devices d ON d.id = r.device \
         WHERE r.created_ms >= ?1 AND r.created_ms < ?2 AND (?3 IS NULL OR d.site = ?3) \
         GROUP BY d.site, r.service, r.score ORDER BY d.site, r.service, r.score",
    )?;
    let rows = statement
        .query_map(params![start, end, filter.site], |r| {
            Ok(RatingCount {
                site: r.get(0)?,
                service: r.get(1)?,
                score: r.get(2)?,
                count: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Ratings of the filter's days by site, staff member and score.
pub(super) fn rating_staff_counts(
    conn: &Connection,
    filter: &ReportFilter,
) -> Result<Vec<RatingStaffCount>, StoreError> {
    let (start, end) = filter.millis();
    let mut statement = conn.prepare_cached(
        "SELECT d.site, r.staff_id, r.staff_name, r.score, COUNT(*) FROM ratings r \
         JOIN devices d ON d.id = r.device \
         WHERE r.created_ms >= ?1 AND r.created_ms < ?2 AND (?3 IS NULL OR d.site = ?3) \
         GROUP BY d.site, r.staff_id, r.staff_name, r.score \
         ORDER BY d.site, r.staff_id, r.staff_name, r.score",
    )?;
    let rows = statement
        .query_map(params![start, end, filter.site], |r| {
            Ok(RatingStaffCount {
                site: r.get(0)?,
                staff_id: r.get(1)?,
                staff_name: r.get(2)?,
                score: r.get(3)?,
                count: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Needs surveys of the filter's days, with their site.
pub(super) fn survey_rows(
    conn: &Connection,
    filter: &ReportFilter,
) -> Result<Vec<SurveyRow>, StoreError> {
    let (start, end) = filter.millis();
    let mut statement = conn.prepare_cached(
        "SELECT d.site, i.body FROM items i JOIN devices d ON d.id = i.device \
         WHERE i.kind = 'needs_survey' AND i.created_ms >= ?1 AND i.created_ms < ?2 \
         AND (?3 IS NULL OR d.site = ?3) ORDER BY i.id",
    )?;
    let rows: Vec<(String, String)> = statement
        .query_map(params![start, end, filter.site], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(site, body)| {
            match serde_json::from_str::<OutboxMessage>(&body)
                .map_err(|e| corrupt("needs survey")(e.to_string()))?
                .payload
            {
                OutboxPayload::NeedsSurvey(survey) => Ok(SurveyRow { site, survey }),
                other => Err(corrupt("needs survey")(format!(
                    "an item of kind needs_survey holds a {}",
                    other.kind()
                ))),
            }
        })
        .collect()
}
