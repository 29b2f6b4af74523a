//! Applications in PostgreSQL (migration 8): the sealed envelopes, their rows and steps. The same
//! statements as SQLite's (`sqlite/applications.rs`); a decision reads its row `FOR UPDATE`, so two
//! centres or two staff members cannot both move one application.

use deadpool_postgres::Object;
use tokio_postgres::{Client, GenericClient, Row};

use super::{
    rows::{ms, time},
    web::execute_audit,
};
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

fn raw_row(r: &Row) -> Result<RawRow, StoreError> {
    let page_count: i32 = r.try_get(5)?;
    Ok(RawRow {
        code: r.try_get(0)?,
        kind: r.try_get(1)?,
        device: r.try_get(2)?,
        site: r.try_get(3)?,
        masked_name: r.try_get(4)?,
        page_count: i64::from(page_count),
        received_ms: r.try_get(6)?,
        state: r.try_get(7)?,
        state_ms: r.try_get(8)?,
        note: r.try_get(9)?,
        deadline: r.try_get(10)?,
    })
}

pub(super) async fn insert(
    client: &mut Object,
    new: &NewApplication,
) -> Result<ApplicationInsert, StoreError> {
    let tx = client.transaction().await?;
    let received = ms(new.received);
    let page_count = i32::try_from(new.page_count).unwrap_or(i32::MAX);
    let deadline = new.deadline().map(|d| d.to_string());
    let inserted = tx
        .query_opt(
            "INSERT INTO applications (code, kind, device, site, masked_name, holder_mac, \
             page_count, received_ms, state, state_ms, note, deadline, envelope, envelope_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'received', $8, NULL, $9, $10, $11) \
             ON CONFLICT (code) DO NOTHING RETURNING code",
            &[
                &new.code.as_str(),
                &new.kind.as_str(),
                &new.device,
                &new.site,
                &new.masked_name,
                &new.holder_mac,
                &page_count,
                &received,
                &deadline,
                &new.envelope,
                &new.envelope_sha256,
            ],
        )
        .await?;
    if inserted.is_none() {
        // Another transaction stored the code first (the insert waited for its commit).
        let row = tx
            .query_one(
                "SELECT envelope_sha256, received_ms FROM applications WHERE code = $1",
                &[&new.code.as_str()],
            )
            .await?;
        let sha: String = row.try_get(0)?;
        let receipt = ApplicationReceipt {
            code: new.code.to_string(),
            received: time(row.try_get(1)?),
        };
        return Ok(if sha == new.envelope_sha256 {
            ApplicationInsert::Again(receipt)
        } else {
            ApplicationInsert::Conflict(receipt)
        });
    }
    tx.execute(
        "INSERT INTO application_steps (code, state, at_ms, \"by\", note) \
         VALUES ($1, 'received', $2, $3, NULL)",
        &[&new.code.as_str(), &received, &new.device],
    )
    .await?;
    tx.commit().await?;
    Ok(ApplicationInsert::New(ApplicationReceipt {
        code: new.code.to_string(),
        received: time(received),
    }))
}

pub(super) async fn list(
    client: &Object,
    filter: &ApplicationFilter,
) -> Result<Vec<ApplicationRow>, StoreError> {
    let statement = client
        .prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM applications \
             WHERE ($1::TEXT IS NULL OR site = $1) AND ($2::TEXT IS NULL OR state = $2) \
             AND (NOT $3 OR state NOT IN {FINAL_STATES}) \
             ORDER BY state IN {FINAL_STATES}, deadline IS NULL, deadline COLLATE \"C\", \
             received_ms DESC, code COLLATE \"C\" LIMIT $4"
        ))
        .await?;
    let rows = client
        .query(
            &statement,
            &[
                &filter.site,
                &filter.state.map(|s| s.as_str()),
                &filter.open_only,
                &i64::from(filter.limit),
            ],
        )
        .await?;
    rows.iter().map(|r| raw_row(r)?.parse()).collect()
}

async fn steps_of(
    client: &impl GenericClient,
    row: ApplicationRow,
) -> Result<ApplicationRecord, StoreError> {
    let rows = client
        .query(
            "SELECT state, at_ms, \"by\", note FROM application_steps WHERE code = $1 ORDER BY id",
            &[&row.code.as_str()],
        )
        .await?;
    let steps = rows
        .iter()
        .map(|r| {
            let state: String = r.try_get(0)?;
            step(&state, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)
        })
        .collect::<Result<_, _>>()?;
    Ok(ApplicationRecord { row, steps })
}

pub(super) async fn one(
    client: &Client,
    code: &str,
) -> Result<Option<ApplicationRecord>, StoreError> {
    let row = client
        .query_opt(
            &format!("SELECT {ROW_COLUMNS} FROM applications WHERE code = $1"),
            &[&code],
        )
        .await?;
    match row {
        Some(row) => Ok(Some(steps_of(client, raw_row(&row)?.parse()?).await?)),
        None => Ok(None),
    }
}

pub(super) async fn envelope(client: &Client, code: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let row = client
        .query_opt(
            "SELECT envelope FROM applications WHERE code = $1",
            &[&code],
        )
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub(super) async fn by_holder(
    client: &Client,
    holder_mac: &str,
    limit: u32,
) -> Result<Vec<ApplicationRecord>, StoreError> {
    let rows = client
        .query(
            &format!(
                "SELECT {ROW_COLUMNS} FROM applications WHERE holder_mac = $1 \
                 ORDER BY received_ms DESC, code COLLATE \"C\" LIMIT $2"
            ),
            &[&holder_mac, &i64::from(limit)],
        )
        .await?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        records.push(steps_of(client, raw_row(row)?.parse()?).await?);
    }
    Ok(records)
}

pub(super) async fn decide(
    client: &mut Object,
    decision: &Decision,
    audit: &AuditEntry,
) -> Result<DecisionOutcome, StoreError> {
    let tx = client.transaction().await?;
    let row = tx
        .query_opt(
            "SELECT kind, state FROM applications WHERE code = $1 FOR UPDATE",
            &[&decision.code],
        )
        .await?;
    let Some(row) = row else {
        return Ok(DecisionOutcome::NotFound);
    };
    let kind = kind_of(row.try_get(0)?)?;
    let state = state_of(row.try_get(1)?)?;
    if !state.may_become(decision.to) {
        return Ok(DecisionOutcome::NotAllowed(state));
    }
    let at = ms(decision.at);
    let to = decision.to.as_str();
    let deadline = decision.deadline(kind).map(|d| d.to_string());
    tx.execute(
        "UPDATE applications SET state = $2, state_ms = $3, note = $4, deadline = $5 \
         WHERE code = $1",
        &[&decision.code, &to, &at, &decision.note, &deadline],
    )
    .await?;
    tx.execute(
        "INSERT INTO application_steps (code, state, at_ms, \"by\", note) \
         VALUES ($1, $2, $3, $4, $5)",
        &[&decision.code, &to, &at, &decision.by, &decision.note],
    )
    .await?;
    execute_audit(&*tx, audit).await?;
    tx.commit().await?;
    Ok(DecisionOutcome::Done)
}
