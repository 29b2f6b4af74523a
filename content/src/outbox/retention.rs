//! Retention of the outbox: bounds on what waits for the centre, and purging of what it answered.
//!
//! Run on every submit and every delivery round (also when no `outbox_url` is set), in one transaction:
//!
//! 1. delivered items older than `delivered_days` (since delivery) and refused items older than
//!    `rejected_days` (since the refusal) are purged;
//! 2. undelivered heartbeats older than `heartbeat_max_age_days`, then beyond the newest
//!    `heartbeat_max_items`, are dropped;
//! 3. undelivered complaints, ratings and statistics older than `max_age_days` are dropped;
//! 4. beyond `max_items` undelivered items of every kind, heartbeats are dropped first, then the oldest.
//!
//! Drops of undelivered items are counted by kind in the `outbox_dropped` table (shown by
//! [`super::Outbox::status`]) and logged with `tracing::warn!` by kind and count only: no text, no contact.
//! After anything is deleted the WAL is checkpointed and truncated, so that with `secure_delete` the
//! deleted rows leave no copy in the database or its WAL.
//!
//! Ages are measured with the outbox's wall clock (items are stamped with it), so a clock set far ahead
//! drops undelivered items by age; such drops are counted and logged like any other. The count limits do
//! not depend on the clock.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, Transaction, params};

use crate::config::OutboxRetention;

/// What one retention pass removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Removed {
    /// Undelivered items dropped, by kind.
    pub(super) dropped: BTreeMap<String, u64>,
    /// Delivered or refused items purged after their retention period.
    pub(super) purged: u64,
}

const HEARTBEAT: &str = "heartbeat";

/// Applies `retention` at `now`.
pub(super) fn enforce(
    conn: &Connection,
    retention: &OutboxRetention,
    now: DateTime<Utc>,
) -> rusqlite::Result<Removed> {
    let ms = |days: u32| (now - Duration::days(i64::from(days))).timestamp_millis();
    let tx = conn.unchecked_transaction()?;
    let mut removed = Removed::default();
    removed.purged += tx.execute(
        "DELETE FROM outbox WHERE state = 'sent' AND sent_ms < ?1",
        [ms(retention.delivered_days)],
    )? as u64;
    removed.purged += tx.execute(
        "DELETE FROM outbox WHERE state = 'rejected' AND sent_ms < ?1",
        [ms(retention.rejected_days)],
    )? as u64;
    let passes: [(&str, String, i64); 4] = [
        (
            "heartbeats older than heartbeat_max_age_days",
            format!(
                "SELECT id FROM outbox WHERE state = 'pending' AND kind = '{HEARTBEAT}' AND created_ms < ?1"
            ),
            ms(retention.heartbeat_max_age_days),
        ),
        (
            "heartbeats beyond heartbeat_max_items",
            format!(
                "SELECT id FROM outbox WHERE state = 'pending' AND kind = '{HEARTBEAT}' \
                 ORDER BY id DESC LIMIT -1 OFFSET ?1"
            ),
            i64::from(retention.heartbeat_max_items),
        ),
        (
            "older than max_age_days",
            format!(
                "SELECT id FROM outbox WHERE state = 'pending' AND kind != '{HEARTBEAT}' AND created_ms < ?1"
            ),
            ms(retention.max_age_days),
        ),
        (
            "beyond max_items (heartbeats first, then the oldest)",
            format!(
                "SELECT id FROM outbox WHERE state != 'sent' \
                 ORDER BY kind = '{HEARTBEAT}' DESC, id ASC LIMIT MAX(0, \
                 (SELECT COUNT(*) FROM outbox WHERE state != 'sent') - ?1)"
            ),
            i64::from(retention.max_items),
        ),
    ];
    for (reason, select, param) in &passes {
        for (kind, count) in drop_selected(&tx, select, *param)? {
            tracing::warn!(
                "outbox retention: dropped {count} undelivered {kind} item(s), {reason}; the centre will \
                 not receive them"
            );
            *removed.dropped.entry(kind).or_default() += count;
        }
    }
    for (kind, count) in &removed.dropped {
        tx.execute(
            "INSERT INTO outbox_dropped (kind, count) VALUES (?1, ?2) \
             ON CONFLICT(kind) DO UPDATE SET count = count + excluded.count",
            params![kind, *count as i64],
        )?;
    }
    tx.commit()?;
    if removed.purged > 0 {
        tracing::info!(
            "outbox retention: purged {} delivered or refused item(s) past their retention period",
            removed.purged
        );
    }
    if removed.purged > 0 || !removed.dropped.is_empty() {
        // Copy the overwritten pages into the database and empty the WAL, so that no old copy of a deleted
        // row stays in the WAL file.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    Ok(removed)
}

/// Deletes the rows whose ids `select` returns (with `?1` = `param`) and counts them by kind.
fn drop_selected(
    tx: &Transaction<'_>,
    select: &str,
    param: i64,
) -> rusqlite::Result<Vec<(String, u64)>> {
    let counts: Vec<(String, u64)> = tx
        .prepare(&format!(
            "SELECT kind, COUNT(*) FROM outbox WHERE id IN ({select}) GROUP BY kind ORDER BY kind"
        ))?
        .query_map([param], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64))
        })?
        .collect::<Result<_, _>>()?;
    if !counts.is_empty() {
        tx.execute(
            &format!("DELETE FROM outbox WHERE id IN ({select})"),
            [param],
        )?;
    }
    Ok(counts)
}

/// The drops counted so far, by kind.
pub(super) fn dropped_counts(conn: &Connection) -> rusqlite::Result<BTreeMap<String, u64>> {
    conn.prepare("SELECT kind, count FROM outbox_dropped ORDER BY kind")?
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?
        .collect()
}
