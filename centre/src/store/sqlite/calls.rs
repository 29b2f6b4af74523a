//! The video calls in SQLite: the call-backs table and the kiosks' records (stored items).

use chrono::{DateTime, Utc};
use content::video_call::CallbackRequest;
use rusqlite::{Connection, TransactionBehavior, params};

use super::{ms, time, web::insert_audit};
use crate::{
    error::StoreError,
    store::{
        AuditEntry, CallbackRecord, ReportFilter, VideoCallRow,
        calls::{reason_of, video_call_row},
    },
};

/// The call-back of a stored `callback_request` item.
pub(super) fn insert_callback(
    tx: &Connection,
    item_id: i64,
    device: &str,
    request: &CallbackRequest,
    received_ms: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO callbacks (item_id, device, phone, topic, reason, received_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            item_id,
            device,
            request.phone,
            request.topic,
            request.reason.as_str(),
            received_ms
        ],
    )?;
    Ok(())
}

pub(super) fn callbacks(
    conn: &Connection,
    done_too: bool,
    limit: u32,
) -> Result<Vec<CallbackRecord>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT c.item_id, c.device, d.site, c.phone, c.topic, c.reason, c.received_ms, \
         c.done_ms, c.done_by FROM callbacks c JOIN devices d ON d.id = c.device \
         WHERE ?1 OR c.done_ms IS NULL \
         ORDER BY c.done_ms IS NOT NULL, \
         CASE WHEN c.done_ms IS NULL THEN c.received_ms ELSE -c.done_ms END LIMIT ?2",
    )?;
    let rows = statement.query_map(params![done_too, limit], |r| {
        let done_ms: Option<i64> = r.get(7)?;
        let done_by: Option<String> = r.get(8)?;
        let reason: String = r.get(5)?;
        Ok(CallbackRecord {
            id: r.get(0)?,
            device: r.get(1)?,
            site: r.get(2)?,
            phone: r.get(3)?,
            topic: r.get(4)?,
            reason: reason_of(&reason),
            received: time(r.get(6)?),
            done: done_ms.map(|at| (time(at), done_by.unwrap_or_default())),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn complete_callback(
    conn: &mut Connection,
    id: i64,
    by: &str,
    at: DateTime<Utc>,
    audit: &AuditEntry,
) -> Result<bool, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = tx.execute(
        "UPDATE callbacks SET done_ms = ?2, done_by = ?3 WHERE item_id = ?1 AND done_ms IS NULL",
        params![id, ms(at), by],
    )?;
    if changed > 0 {
        insert_audit(&tx, audit)?;
    }
    tx.commit()?;
    Ok(changed > 0)
}

pub(super) fn video_calls(conn: &Connection, limit: u32) -> Result<Vec<VideoCallRow>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT d.site, i.body FROM items i JOIN devices d ON d.id = i.device \
         WHERE i.kind = 'video_call' ORDER BY i.created_ms DESC, i.id DESC LIMIT ?1",
    )?;
    let rows: Vec<(String, String)> = statement
        .query_map([limit], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(site, body)| video_call_row(site, &body))
        .collect()
}

pub(super) fn video_call_rows(
    conn: &Connection,
    filter: &ReportFilter,
) -> Result<Vec<VideoCallRow>, StoreError> {
    let (start, end) = filter.millis();
    let mut statement = conn.prepare_cached(
        "SELECT d.site, i.body FROM items i JOIN devices d ON d.id = i.device \
         WHERE i.kind = 'video_call' AND i.created_ms >= ?1 AND i.created_ms < ?2 \
         AND (?3 IS NULL OR d.site = ?3) ORDER BY i.created_ms, i.id",
    )?;
    let rows: Vec<(String, String)> = statement
        .query_map(params![start, end, filter.site], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(site, body)| video_call_row(site, &body))
        .collect()
}
