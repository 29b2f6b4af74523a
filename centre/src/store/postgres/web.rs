//! The staff web app's queries on PostgreSQL: complaint cases, return calls, the audit log and alerts.
//! The same statements as the SQLite store's (`sqlite/web.rs`), ported as `mod.rs` describes; a
//! status change reads its row `FOR UPDATE`, and alert reconciliation holds an advisory lock, so
//! centres sharing the database take turns.

use chrono::{DateTime, Utc};
use content::Complaint;
use deadpool_postgres::Object;
use tokio_postgres::{Client, GenericClient, Row};

use super::rows::{self, ms, time};
use crate::{
    error::StoreError,
    store::{
        ActiveCondition, AlertChange, AlertRecord, AlertState, AlertSync, AlertUpdate, AuditEntry,
        CaseChange, CaseFilter, CaseUpdate, ComplaintCase, ComplaintRecord, ComplaintStatus,
        RATING_COLUMN_COUNT, RATING_COLUMNS, RatedVisit, ReturnCall,
    },
};

/// The advisory lock [`sync_alerts`] holds (`alerts` in ASCII).
const ALERTS_LOCK: i64 = 0x61_6c_65_72_74_73;

const INSERT_AUDIT: &str =
    "INSERT INTO audit (at_ms, \"user\", action, target, detail) VALUES ($1, $2, $3, $4, $5)";

const CASE_COLUMNS: &str = "c.key, c.device, d.site, c.about, c.text, c.contact, c.created_ms, \
     c.received_ms, c.status, c.assignee, c.reply, c.replied_ms, c.closed_ms";

fn status_of(name: &str) -> Result<ComplaintStatus, StoreError> {
    ComplaintStatus::parse(name).ok_or_else(|| StoreError::Corrupt {
        what: "complaint status",
        reason: format!("unknown status {name:?}"),
    })
}

/// [`CASE_COLUMNS`].
fn case(row: &Row) -> Result<ComplaintCase, StoreError> {
    let status: String = row.try_get(8)?;
    let replied: Option<i64> = row.try_get(11)?;
    let closed: Option<i64> = row.try_get(12)?;
    Ok(ComplaintCase {
        record: ComplaintRecord {
            key: row.try_get(0)?,
            device: row.try_get(1)?,
            site: row.try_get(2)?,
            complaint: Complaint {
                about: row.try_get(3)?,
                text: row.try_get(4)?,
                contact: row.try_get(5)?,
            },
            status: status_of(&status)?,
            created: time(row.try_get(6)?),
            received: time(row.try_get(7)?),
        },
        assignee: row.try_get(9)?,
        reply: row.try_get(10)?,
        replied: replied.map(time),
        closed: closed.map(time),
    })
}

pub(super) async fn insert_audit(client: &Client, entry: &AuditEntry) -> Result<(), StoreError> {
    execute_audit(client, entry).await
}

/// Appends `entry` to the audit log on `client` (a connection, or a transaction whose change it
/// records).
pub(super) async fn execute_audit(
    client: &impl GenericClient,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    client
        .execute(
            INSERT_AUDIT,
            &[
                &ms(entry.at),
                &entry.user,
                &entry.action,
                &entry.target,
                &entry.detail,
            ],
        )
        .await?;
    Ok(())
}

pub(super) async fn audit(client: &Client, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
    client
        .query(
            "SELECT at_ms, \"user\", action, target, detail FROM audit ORDER BY id DESC LIMIT $1",
            &[&i64::from(limit)],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(AuditEntry {
                at: time(row.try_get(0)?),
                user: row.try_get(1)?,
                action: row.try_get(2)?,
                target: row.try_get(3)?,
                detail: row.try_get(4)?,
            })
        })
        .collect()
}

pub(super) async fn complaint_cases(
    client: &Client,
    filter: &CaseFilter,
) -> Result<Vec<ComplaintCase>, StoreError> {
    client
        .query(
            &format!(
                "SELECT {CASE_COLUMNS} FROM complaints c JOIN devices d ON d.id = c.device \
                 WHERE ($1::TEXT IS NULL OR d.site = $1) AND ($2::TEXT IS NULL OR c.status = $2) \
                 ORDER BY c.received_ms DESC, c.item_id DESC LIMIT $3"
            ),
            &[
                &filter.site,
                &filter.status.map(ComplaintStatus::as_str),
                &i64::from(filter.limit),
            ],
        )
        .await?
        .iter()
        .map(case)
        .collect()
}

pub(super) async fn complaint_case(
    client: &Client,
    key: &str,
) -> Result<Option<ComplaintCase>, StoreError> {
    client
        .query_opt(
            &format!(
                "SELECT {CASE_COLUMNS} FROM complaints c JOIN devices d ON d.id = c.device \
                 WHERE c.key = $1 ORDER BY c.received_ms DESC, c.item_id DESC LIMIT 1"
            ),
            &[&key],
        )
        .await?
        .as_ref()
        .map(case)
        .transpose()
}

pub(super) async fn change_complaint(
    client: &mut Object,
    key: &str,
    change: &CaseChange,
    entry: &AuditEntry,
) -> Result<CaseUpdate, StoreError> {
    let tx = client.transaction().await?;
    let row = tx
        .query_opt(
            "SELECT item_id, status FROM complaints WHERE key = $1 \
             ORDER BY received_ms DESC, item_id DESC LIMIT 1 FOR UPDATE",
            &[&key],
        )
        .await?;
    let Some(row) = row else {
        return Ok(CaseUpdate::NotFound);
    };
    let id: i64 = row.try_get(0)?;
    let status = status_of(row.try_get(1)?)?;
    if !change.allowed_from().contains(&status) {
        return Ok(CaseUpdate::WrongStatus(status));
    }
    let to = change.to().as_str();
    match change {
        CaseChange::Assign(user) => {
            tx.execute(
                "UPDATE complaints SET status = $2, assignee = $3 WHERE item_id = $1",
                &[&id, &to, user],
            )
            .await?
        }
        CaseChange::Reply(text) => {
            tx.execute(
                "UPDATE complaints SET status = $2, reply = $3, replied_ms = $4 WHERE item_id = $1",
                &[&id, &to, text, &ms(entry.at)],
            )
            .await?
        }
        CaseChange::Close => {
            tx.execute(
                "UPDATE complaints SET status = $2, closed_ms = $3 WHERE item_id = $1",
                &[&id, &to, &ms(entry.at)],
            )
            .await?
        }
    };
    execute_audit(&*tx, entry).await?;
    tx.commit().await?;
    Ok(CaseUpdate::Done)
}

pub(super) async fn rated_visits(
    client: &Client,
    site: Option<&str>,
    limit: u32,
) -> Result<Vec<RatedVisit>, StoreError> {
    client
        .query(
            &format!(
                "SELECT {RATING_COLUMNS}, r.return_outcome, r.return_user, r.return_ms \
                 FROM ratings r JOIN devices d ON d.id = r.device \
                 WHERE ($1::TEXT IS NULL OR d.site = $1) \
                 ORDER BY r.received_ms DESC, r.item_id DESC LIMIT $2"
            ),
            &[&site, &i64::from(limit)],
        )
        .await?
        .iter()
        .map(|row| {
            let outcome: Option<String> = row.try_get(RATING_COLUMN_COUNT)?;
            let user: Option<String> = row.try_get(RATING_COLUMN_COUNT + 1)?;
            let at: Option<i64> = row.try_get(RATING_COLUMN_COUNT + 2)?;
            Ok(RatedVisit {
                record: rows::rating(row)?,
                return_call: outcome.map(|outcome| ReturnCall {
                    outcome,
                    user: user.unwrap_or_default(),
                    at: time(at.unwrap_or_default()),
                }),
            })
        })
        .collect()
}

pub(super) async fn record_return_call(
    client: &mut Object,
    device: &str,
    key: &str,
    outcome: &str,
    entry: &AuditEntry,
) -> Result<bool, StoreError> {
    let tx = client.transaction().await?;
    let changed = tx
        .execute(
            "UPDATE ratings SET return_outcome = $3, return_user = $4, return_ms = $5 \
             WHERE device = $1 AND key = $2",
            &[&device, &key, &outcome, &entry.user, &ms(entry.at)],
        )
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    execute_audit(&*tx, entry).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn sync_alerts(
    client: &mut Object,
    active: &[ActiveCondition],
    now: DateTime<Utc>,
) -> Result<AlertSync, StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ALERTS_LOCK])
        .await?;
    let live: Vec<(i64, String, String)> = tx
        .query(
            "SELECT id, device, rule FROM alerts WHERE state IN ('open', 'acknowledged')",
            &[],
        )
        .await?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .collect::<Result<_, StoreError>>()?;
    let mut sync = AlertSync::default();
    for (id, device, rule) in &live {
        if !active
            .iter()
            .any(|c| &c.device == device && &c.rule == rule)
        {
            tx.execute(
                "UPDATE alerts SET state = 'closed', closed_user = 'system', closed_ms = $2 \
                 WHERE id = $1",
                &[id, &ms(now)],
            )
            .await?;
            sync.cleared += 1;
        }
    }
    for condition in active {
        if live
            .iter()
            .any(|(_, device, rule)| device == &condition.device && rule == &condition.rule)
        {
            continue;
        }
        tx.execute(
            "INSERT INTO alerts (device, rule, detail, state, raised_ms) \
             VALUES ($1, $2, $3, 'open', $4)",
            &[
                &condition.device,
                &condition.rule,
                &condition.detail,
                &ms(now),
            ],
        )
        .await?;
        sync.raised += 1;
    }
    tx.commit().await?;
    Ok(sync)
}

fn alert_state(name: &str) -> Result<AlertState, StoreError> {
    AlertState::parse(name).ok_or_else(|| StoreError::Corrupt {
        what: "alert state",
        reason: format!("unknown state {name:?}"),
    })
}

pub(super) async fn alerts(
    client: &Client,
    closed_too: bool,
    limit: u32,
) -> Result<Vec<AlertRecord>, StoreError> {
    client
        .query(
            "SELECT a.id, a.device, d.site, a.rule, a.detail, a.state, a.raised_ms, a.ack_user, \
             a.ack_ms, a.closed_user, a.closed_ms FROM alerts a JOIN devices d ON d.id = a.device \
             WHERE $1::BOOLEAN OR a.state <> 'closed' ORDER BY a.id DESC LIMIT $2",
            &[&closed_too, &i64::from(limit)],
        )
        .await?
        .iter()
        .map(|row| {
            let state: String = row.try_get(5)?;
            let ack_user: Option<String> = row.try_get(7)?;
            let ack_ms: Option<i64> = row.try_get(8)?;
            let closed_user: Option<String> = row.try_get(9)?;
            let closed_ms: Option<i64> = row.try_get(10)?;
            Ok(AlertRecord {
                id: row.try_get(0)?,
                device: row.try_get(1)?,
                site: row.try_get(2)?,
                rule: row.try_get(3)?,
                detail: row.try_get(4)?,
                state: alert_state(&state)?,
                raised: time(row.try_get(6)?),
                acknowledged: ack_user.zip(ack_ms).map(|(u, t)| (u, time(t))),
                closed: closed_user.zip(closed_ms).map(|(u, t)| (u, time(t))),
            })
        })
        .collect()
}

pub(super) async fn change_alert(
    client: &mut Object,
    id: i64,
    change: AlertChange,
    entry: &AuditEntry,
) -> Result<AlertUpdate, StoreError> {
    let tx = client.transaction().await?;
    let row = tx
        .query_opt("SELECT state FROM alerts WHERE id = $1 FOR UPDATE", &[&id])
        .await?;
    let Some(row) = row else {
        return Ok(AlertUpdate::NotFound);
    };
    let state = alert_state(row.try_get(0)?)?;
    match (change, state) {
        (AlertChange::Acknowledge, AlertState::Open) => {
            tx.execute(
                "UPDATE alerts SET state = 'acknowledged', ack_user = $2, ack_ms = $3 WHERE id = $1",
                &[&id, &entry.user, &ms(entry.at)],
            )
            .await?
        }
        (AlertChange::Close, AlertState::Open | AlertState::Acknowledged) => {
            tx.execute(
                "UPDATE alerts SET state = 'closed', closed_user = $2, closed_ms = $3 WHERE id = $1",
                &[&id, &entry.user, &ms(entry.at)],
            )
            .await?
        }
        (_, state) => return Ok(AlertUpdate::WrongState(state)),
    };
    execute_audit(&*tx, entry).await?;
    tx.commit().await?;
    Ok(AlertUpdate::Done)
}
