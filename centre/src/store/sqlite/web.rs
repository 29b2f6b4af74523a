//! The staff web app's queries: complaint cases, return calls, the audit log and alerts.

use chrono::{DateTime, Utc};
use content::Complaint;
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};

use super::{ms, time};
use crate::{
    error::StoreError,
    store::{
        ActiveCondition, AlertChange, AlertRecord, AlertState, AlertSync, AlertUpdate, AuditEntry,
        CaseChange, CaseFilter, CaseUpdate, ComplaintCase, ComplaintRecord, ComplaintStatus,
        RATING_COLUMN_COUNT, RATING_COLUMNS, RatedVisit, ReturnCall,
    },
};

/// A complaint row: `key, device, site, about, text, contact, created_ms, received_ms, status`.
pub(super) type ComplaintRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    String,
);

pub(super) fn complaint_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ComplaintRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

pub(super) fn complaint_record(row: ComplaintRow) -> Result<ComplaintRecord, StoreError> {
    let (key, device, site, about, text, contact, created, received, status) = row;
    Ok(ComplaintRecord {
        key,
        device,
        site,
        complaint: Complaint {
            about,
            text,
            contact,
        },
        status: status_of(&status)?,
        created: time(created),
        received: time(received),
    })
}

fn status_of(name: &str) -> Result<ComplaintStatus, StoreError> {
    ComplaintStatus::parse(name).ok_or_else(|| StoreError::Corrupt {
        what: "complaint status",
        reason: format!("unknown status {name:?}"),
    })
}

const CASE_COLUMNS: &str = "c.key, c.device, d.site, c.about, c.text, c.contact, c.created_ms, \
     c.received_ms, c.status, c.assignee, c.reply, c.replied_ms, c.closed_ms";

type CaseRow = (
    ComplaintRow,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

fn case_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok((
        complaint_row(r)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
    ))
}

fn case((row, assignee, reply, replied, closed): CaseRow) -> Result<ComplaintCase, StoreError> {
    Ok(ComplaintCase {
        record: complaint_record(row)?,
        assignee,
        reply,
        replied: replied.map(time),
        closed: closed.map(time),
    })
}

pub(super) fn complaint_cases(
    conn: &Connection,
    filter: &CaseFilter,
) -> Result<Vec<ComplaintCase>, StoreError> {
    let rows: Vec<CaseRow> = conn
        .prepare(&format!(
            "SELECT {CASE_COLUMNS} FROM complaints c JOIN devices d ON d.id = c.device \
             WHERE (?1 IS NULL OR d.site = ?1) AND (?2 IS NULL OR c.status = ?2) \
             ORDER BY c.received_ms DESC, c.item_id DESC LIMIT ?3"
        ))?
        .query_map(
            params![
                filter.site,
                filter.status.map(ComplaintStatus::as_str),
                filter.limit
            ],
            case_row,
        )?
        .collect::<Result<_, _>>()?;
    rows.into_iter().map(case).collect()
}

pub(super) fn complaint_case(
    conn: &Connection,
    key: &str,
) -> Result<Option<ComplaintCase>, StoreError> {
    conn.query_row(
        &format!(
            "SELECT {CASE_COLUMNS} FROM complaints c JOIN devices d ON d.id = c.device \
             WHERE c.key = ?1 ORDER BY c.received_ms DESC, c.item_id DESC LIMIT 1"
        ),
        [key],
        case_row,
    )
    .optional()?
    .map(case)
    .transpose()
}

pub(super) fn insert_audit(conn: &Connection, entry: &AuditEntry) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit (at_ms, user, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            ms(entry.at),
            entry.user,
            entry.action,
            entry.target,
            entry.detail
        ],
    )?;
    Ok(())
}

pub(super) fn record_audit(conn: &Connection, entry: &AuditEntry) -> Result<(), StoreError> {
    insert_audit(conn, entry)
}

pub(super) fn audit(conn: &Connection, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
    Ok(conn
        .prepare("SELECT at_ms, user, action, target, detail FROM audit ORDER BY id DESC LIMIT ?1")?
        .query_map([limit], |r| {
            Ok(AuditEntry {
                at: time(r.get(0)?),
                user: r.get(1)?,
                action: r.get(2)?,
                target: r.get(3)?,
                detail: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

pub(super) fn change_complaint(
    conn: &mut Connection,
    key: &str,
    change: &CaseChange,
    entry: &AuditEntry,
) -> Result<CaseUpdate, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row: Option<(i64, String)> = tx
        .query_row(
            "SELECT item_id, status FROM complaints WHERE key = ?1 \
             ORDER BY received_ms DESC, item_id DESC LIMIT 1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, status)) = row else {
        return Ok(CaseUpdate::NotFound);
    };
    let status = status_of(&status)?;
    if !change.allowed_from().contains(&status) {
        return Ok(CaseUpdate::WrongStatus(status));
    }
    let to = change.to().as_str();
    match change {
        CaseChange::Assign(user) => tx.execute(
            "UPDATE complaints SET status = ?2, assignee = ?3 WHERE item_id = ?1",
            params![id, to, user],
        )?,
        CaseChange::Reply(text) => tx.execute(
            "UPDATE complaints SET status = ?2, reply = ?3, replied_ms = ?4 WHERE item_id = ?1",
            params![id, to, text, ms(entry.at)],
        )?,
        CaseChange::Close => tx.execute(
            "UPDATE complaints SET status = ?2, closed_ms = ?3 WHERE item_id = ?1",
            params![id, to, ms(entry.at)],
        )?,
    };
    insert_audit(&tx, entry)?;
    tx.commit()?;
    Ok(CaseUpdate::Done)
}

pub(super) fn rated_visits(
    conn: &Connection,
    site: Option<&str>,
    limit: u32,
) -> Result<Vec<RatedVisit>, StoreError> {
    Ok(conn
        .prepare(&format!(
            "SELECT {RATING_COLUMNS}, r.return_outcome, r.return_user, r.return_ms \
             FROM ratings r JOIN devices d ON d.id = r.device WHERE (?1 IS NULL OR d.site = ?1) \
             ORDER BY r.received_ms DESC, r.item_id DESC LIMIT ?2"
        ))?
        .query_map(params![site, limit], |r| {
            let outcome: Option<String> = r.get(RATING_COLUMN_COUNT)?;
            let user: Option<String> = r.get(RATING_COLUMN_COUNT + 1)?;
            let at: Option<i64> = r.get(RATING_COLUMN_COUNT + 2)?;
            Ok(RatedVisit {
                record: super::rating_row(r)?,
                return_call: outcome.map(|outcome| ReturnCall {
                    outcome,
                    user: user.unwrap_or_default(),
                    at: time(at.unwrap_or_default()),
                }),
            })
        })?
        .collect::<Result<_, _>>()?)
}

pub(super) fn record_return_call(
    conn: &mut Connection,
    device: &str,
    key: &str,
    outcome: &str,
    entry: &AuditEntry,
) -> Result<bool, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = tx.execute(
        "UPDATE ratings SET return_outcome = ?3, return_user = ?4, return_ms = ?5 \
         WHERE device = ?1 AND key = ?2",
        params![device, key, outcome, entry.user, ms(entry.at)],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    insert_audit(&tx, entry)?;
    tx.commit()?;
    Ok(true)
}

pub(super) fn sync_alerts(
    conn: &mut Connection,
    active: &[ActiveCondition],
    now: DateTime<Utc>,
) -> Result<AlertSync, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let live: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, device, rule FROM alerts WHERE state IN ('open', 'acknowledged')")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut sync = AlertSync::default();
    for (id, device, rule) in &live {
        if !active
            .iter()
            .any(|c| &c.device == device && &c.rule == rule)
        {
            tx.execute(
                "UPDATE alerts SET state = 'closed', closed_user = 'system', closed_ms = ?2 \
                 WHERE id = ?1",
                params![id, ms(now)],
            )?;
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
             VALUES (?1, ?2, ?3, 'open', ?4)",
            params![condition.device, condition.rule, condition.detail, ms(now)],
        )?;
        sync.raised += 1;
    }
    tx.commit()?;
    Ok(sync)
}

pub(super) fn alerts(
    conn: &Connection,
    closed_too: bool,
    limit: u32,
) -> Result<Vec<AlertRecord>, StoreError> {
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        String,
        i64,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<i64>,
    );
    let rows: Vec<Row> = conn
        .prepare(
            "SELECT a.id, a.device, d.site, a.rule, a.detail, a.state, a.raised_ms, a.ack_user, \
             a.ack_ms, a.closed_user, a.closed_ms FROM alerts a JOIN devices d ON d.id = a.device \
             WHERE ?1 OR a.state != 'closed' ORDER BY a.id DESC LIMIT ?2",
        )?
        .query_map(params![closed_too, limit], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(
            |(id, device, site, rule, detail, state, raised, ack_user, ack_ms, cl_user, cl_ms)| {
                Ok(AlertRecord {
                    id,
                    device,
                    site,
                    rule,
                    detail,
                    state: alert_state(&state)?,
                    raised: time(raised),
                    acknowledged: ack_user.zip(ack_ms).map(|(u, t)| (u, time(t))),
                    closed: cl_user.zip(cl_ms).map(|(u, t)| (u, time(t))),
                })
            },
        )
        .collect()
}

fn alert_state(name: &str) -> Result<AlertState, StoreError> {
    AlertState::parse(name).ok_or_else(|| StoreError::Corrupt {
        what: "alert state",
        reason: format!("unknown state {name:?}"),
    })
}

pub(super) fn change_alert(
    conn: &mut Connection,
    id: i64,
    change: AlertChange,
    entry: &AuditEntry,
) -> Result<AlertUpdate, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let state: Option<String> = tx
        .query_row("SELECT state FROM alerts WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    let Some(state) = state else {
        return Ok(AlertUpdate::NotFound);
    };
    let state = alert_state(&state)?;
    match (change, state) {
        (AlertChange::Acknowledge, AlertState::Open) => tx.execute(
            "UPDATE alerts SET state = 'acknowledged', ack_user = ?2, ack_ms = ?3 WHERE id = ?1",
            params![id, entry.user, ms(entry.at)],
        )?,
        (AlertChange::Close, AlertState::Open | AlertState::Acknowledged) => tx.execute(
            "UPDATE alerts SET state = 'closed', closed_user = ?2, closed_ms = ?3 WHERE id = ?1",
            params![id, entry.user, ms(entry.at)],
        )?,
        (_, state) => return Ok(AlertUpdate::WrongState(state)),
    };
    insert_audit(&tx, entry)?;
    tx.commit()?;
    Ok(AlertUpdate::Done)
}
