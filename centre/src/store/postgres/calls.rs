//! The video calls in PostgreSQL: the call-backs table and the kiosks' records (stored items).

use chrono::{DateTime, Utc};
use deadpool_postgres::Object;

use super::{
    rows::{ms, time},
    web::execute_audit,
};
use crate::{
    error::StoreError,
    store::{
        AuditEntry, CallbackRecord, ReportFilter, VideoCallRow,
        calls::{reason_of, video_call_row},
    },
};

pub(super) async fn callbacks(
    client: &Object,
    done_too: bool,
    limit: u32,
) -> Result<Vec<CallbackRecord>, StoreError> {
    let statement = client
        .prepare_cached(
            "SELECT c.item_id, c.device, d.site, c.phone, c.topic, c.reason, c.received_ms, \
             c.done_ms, c.done_by FROM callbacks c JOIN devices d ON d.id = c.device \
             WHERE $1 OR c.done_ms IS NULL \
             ORDER BY c.done_ms IS NOT NULL, \
             CASE WHEN c.done_ms IS NULL THEN c.received_ms ELSE -c.done_ms END LIMIT $2",
        )
        .await?;
    let rows = client
        .query(&statement, &[&done_too, &i64::from(limit)])
        .await?;
    rows.iter()
        .map(|r| {
            let done_ms: Option<i64> = r.try_get(7)?;
            let done_by: Option<String> = r.try_get(8)?;
            let reason: String = r.try_get(5)?;
            Ok(CallbackRecord {
                id: r.try_get(0)?,
                device: r.try_get(1)?,
                site: r.try_get(2)?,
                phone: r.try_get(3)?,
                topic: r.try_get(4)?,
                reason: reason_of(&reason),
                received: time(r.try_get(6)?),
                done: done_ms.map(|at| (time(at), done_by.unwrap_or_default())),
            })
        })
        .collect()
}

pub(super) async fn complete_callback(
    client: &mut Object,
    id: i64,
    by: &str,
    at: DateTime<Utc>,
    audit: &AuditEntry,
) -> Result<bool, StoreError> {
    let tx = client.transaction().await?;
    let changed = tx
        .execute(
            "UPDATE callbacks SET done_ms = $2, done_by = $3 WHERE item_id = $1 AND done_ms IS NULL",
            &[&id, &ms(at), &by],
        )
        .await?;
    if changed > 0 {
        execute_audit(&*tx, audit).await?;
    }
    tx.commit().await?;
    Ok(changed > 0)
}

pub(super) async fn video_calls(
    client: &Object,
    limit: u32,
) -> Result<Vec<VideoCallRow>, StoreError> {
    let statement = client
        .prepare_cached(
            "SELECT d.site, i.body FROM items i JOIN devices d ON d.id = i.device \
             WHERE i.kind = 'video_call' ORDER BY i.created_ms DESC, i.id DESC LIMIT $1",
        )
        .await?;
    let rows = client.query(&statement, &[&i64::from(limit)]).await?;
    rows.iter()
        .map(|r| {
            let site: String = r.try_get(0)?;
            let body: String = r.try_get(1)?;
            video_call_row(site, &body)
        })
        .collect()
}

pub(super) async fn video_call_rows(
    client: &Object,
    filter: &ReportFilter,
) -> Result<Vec<VideoCallRow>, StoreError> {
    let (start, end) = filter.millis();
    let statement = client
        .prepare_cached(
            "SELECT d.site, i.body FROM items i JOIN devices d ON d.id = i.device \
             WHERE i.kind = 'video_call' AND i.created_ms >= $1 AND i.created_ms < $2 \
             AND ($3::TEXT IS NULL OR d.site = $3) ORDER BY i.created_ms, i.id",
        )
        .await?;
    let rows = client
        .query(&statement, &[&start, &end, &filter.site])
        .await?;
    rows.iter()
        .map(|r| {
            let site: String = r.try_get(0)?;
            let body: String = r.try_get(1)?;
            video_call_row(site, &body)
        })
        .collect()
}
