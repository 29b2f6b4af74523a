//! Applications in SQLite (schema version 8): the sealed envelopes, their rows and steps.

use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};

use super::{ms, time, web::insert_audit};
use crate::{
    error::StoreError,
    store::{
        AuditEntry,
        applications::{
            ApplicationFilter, ApplicationInsert, ApplicationReceipt, ApplicationRecord,
            ApplicationRow, Decision, DecisionOutcome, FINAL_STATES, NewApplication, ROW_COLUMNS,
            RawRow, kind_of, state_of, step,
        },
    },
};

fn raw_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        code: r.get(0)?,
        kind: r.get(1)?,
        device: r.get(2)?,
        site: r.get(3)?,
        masked_name: r.get(4)?,
        page_count: r.get(5)?,
        received_ms: r.get(6)?,
        state: r.get(7)?,
        state_ms: r.get(8)?,
        note: r.get(9)?,
        deadline: r.get(10)?,
    })
}

pub(super) fn insert(
    conn: &mut Connection,
    new: &NewApplication,
) -> Result<ApplicationInsert, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let received = ms(new.received);
    let inserted: Option<String> = tx
        .query_row(
            "INSERT INTO applications (code, kind, device, site, masked_name, holder_mac, \
             page_count, received_ms, state, state_ms, note, deadline, envelope, envelope_sha256) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'received', ?8, NULL, ?9, ?10, ?11) \
             ON CONFLICT (code) DO NOTHING RETURNING code",
            params![
                new.code.as_str(),
                new.kind.as_str(),
                new.device,
                new.site,
                new.masked_name,
                new.holder_mac,
                new.page_count,
                received,
                new.deadline().map(|d| d.to_string()),
                new.envelope,
                new.envelope_sha256
            ],
            |r| r.get(0),
        )
        .optional()?;
    if inserted.is_none() {
        let (sha, received_ms): (String, i64) = tx.query_row(
            "SELECT envelope_sha256, received_ms FROM applications WHERE code = ?1",
            [new.code.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let receipt = ApplicationReceipt {
            code: new.code.to_string(),
            received: time(received_ms),
        };
        return Ok(if sha == new.envelope_sha256 {
            ApplicationInsert::Again(receipt)
        } else {
            ApplicationInsert::Conflict(receipt)
        });
    }
    tx.execute(
        "INSERT INTO application_steps (code, state, at_ms, \"by\", note) \
         VALUES (?1, 'received', ?2, ?3, NULL)",
        params![new.code.as_str(), received, new.device],
    )?;
    tx.commit()?;
    Ok(ApplicationInsert::New(ApplicationReceipt {
        code: new.code.to_string(),
        received: time(received),
    }))
}

pub(super) fn list(
    conn: &Connection,
    filter: &ApplicationFilter,
) -> Result<Vec<ApplicationRow>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {ROW_COLUMNS} FROM applications \
         WHERE (?1 IS NULL OR site = ?1) AND (?2 IS NULL OR state = ?2) \
         AND (NOT ?3 OR state NOT IN {FINAL_STATES}) \
         ORDER BY state IN {FINAL_STATES}, deadline IS NULL, deadline, received_ms DESC, code \
         LIMIT ?4"
    ))?;
    let rows: Vec<RawRow> = statement
        .query_map(
            params![
                filter.site,
                filter.state.map(|s| s.as_str()),
                filter.open_only,
                filter.limit
            ],
            raw_row,
        )?
        .collect::<Result<_, _>>()?;
    rows.into_iter().map(RawRow::parse).collect()
}

fn steps_of(conn: &Connection, row: ApplicationRow) -> Result<ApplicationRecord, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT state, at_ms, \"by\", note FROM application_steps WHERE code = ?1 ORDER BY id",
    )?;
    let raw: Vec<(String, i64, String, Option<String>)> = statement
        .query_map([row.code.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    let steps = raw
        .into_iter()
        .map(|(state, at, by, note)| step(&state, at, by, note))
        .collect::<Result<_, _>>()?;
    Ok(ApplicationRecord { row, steps })
}

pub(super) fn one(conn: &Connection, code: &str) -> Result<Option<ApplicationRecord>, StoreError> {
    let raw = conn
        .query_row(
            &format!("SELECT {ROW_COLUMNS} FROM applications WHERE code = ?1"),
            [code],
            raw_row,
        )
        .optional()?;
    raw.map(|raw| steps_of(conn, raw.parse()?)).transpose()
}

pub(super) fn envelope(conn: &Connection, code: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT envelope FROM applications WHERE code = ?1",
            [code],
            |r| r.get(0),
        )
        .optional()?)
}

pub(super) fn by_holder(
    conn: &Connection,
    holder_mac: &str,
    limit: u32,
) -> Result<Vec<ApplicationRecord>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {ROW_COLUMNS} FROM applications WHERE holder_mac = ?1 \
         ORDER BY received_ms DESC, code LIMIT ?2"
    ))?;
    let rows: Vec<RawRow> = statement
        .query_map(params![holder_mac, limit], raw_row)?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|raw| steps_of(conn, raw.parse()?))
        .collect()
}

pub(super) fn decide(
    conn: &mut Connection,
    decision: &Decision,
    audit: &AuditEntry,
) -> Result<DecisionOutcome, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row: Option<(String, String)> = tx
        .query_row(
            "SELECT kind, state FROM applications WHERE code = ?1",
            [&decision.code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((kind, state)) = row else {
        return Ok(DecisionOutcome::NotFound);
    };
    let (kind, state) = (kind_of(&kind)?, state_of(&state)?);
    if !state.may_become(decision.to) {
        return Ok(DecisionOutcome::NotAllowed(state));
    }
    let at = ms(decision.at);
    tx.execute(
        "UPDATE applications SET state = ?2, state_ms = ?3, note = ?4, deadline = ?5 \
         WHERE code = ?1",
        params![
            decision.code,
            decision.to.as_str(),
            at,
            decision.note,
            decision.deadline(kind).map(|d| d.to_string())
        ],
    )?;
    tx.execute(
        "INSERT INTO application_steps (code, state, at_ms, \"by\", note) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            decision.code,
            decision.to.as_str(),
            at,
            decision.by,
            decision.note
        ],
    )?;
    insert_audit(&tx, audit)?;
    tx.commit()?;
    Ok(DecisionOutcome::Done)
}
