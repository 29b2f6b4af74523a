//! The outbox database file: created with mode 0600 (complaints may hold telephone numbers), WAL with
//! `synchronous=FULL`, `secure_delete=ON` (deleted rows are overwritten, not left in free pages), and the
//! schema with its one migration.

use std::path::Path;

use rusqlite::{Connection, params};

use crate::private_file::{create_private, restrict};

/// The schema version this code writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

/// Why the database could not be opened.
#[derive(Debug)]
pub(super) enum OpenError {
    /// Creating the file or setting its mode failed.
    File(std::io::Error),
    /// SQLite failed.
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for OpenError {
    fn from(err: rusqlite::Error) -> Self {
        Self::Sqlite(err)
    }
}

/// Opens (or creates) the outbox database at `path`.
pub(super) fn open(path: &Path) -> Result<Connection, OpenError> {
    create_private(path).map_err(OpenError::File)?;
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL;
         PRAGMA synchronous=FULL;
         PRAGMA secure_delete=ON;
         CREATE TABLE IF NOT EXISTS outbox (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             key TEXT NOT NULL UNIQUE,
             message TEXT NOT NULL,
             state TEXT NOT NULL DEFAULT 'pending',
             attempts INTEGER NOT NULL DEFAULT 0,
             next_attempt_ms INTEGER NOT NULL,
             last_error TEXT,
             -- when the centre answered: delivered ('sent') or refused ('rejected')
             sent_ms INTEGER,
             kind TEXT NOT NULL DEFAULT '',
             created_ms INTEGER NOT NULL DEFAULT 0
         );
         CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_attempt_ms);
         CREATE TABLE IF NOT EXISTS outbox_dropped (
             kind TEXT PRIMARY KEY,
             count INTEGER NOT NULL
         );",
    )?;
    migrate(&conn)?;
    // The WAL and shared-memory files take the database file's mode; make sure of it for files left by
    // an older version.
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        restrict(Path::new(&side)).map_err(OpenError::File)?;
    }
    Ok(conn)
}

/// Version 0 (before retention) had no `kind` and `created_ms` columns, and no answer time for refused
/// items: add them and fill them in from the stored messages.
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version >= SCHEMA_VERSION {
        return Ok(());
    }
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('outbox')")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let tx = conn.unchecked_transaction()?;
    if !columns.iter().any(|c| c == "kind") {
        tx.execute_batch("ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT ''")?;
    }
    if !columns.iter().any(|c| c == "created_ms") {
        tx.execute_batch("ALTER TABLE outbox ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0")?;
    }
    let rows: Vec<(i64, String, i64)> = tx
        .prepare("SELECT id, message, next_attempt_ms FROM outbox WHERE kind = ''")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (id, message, next_ms) in rows {
        let (kind, created_ms) = match serde_json::from_str::<super::OutboxMessage>(&message) {
            Ok(m) => (m.payload.kind(), m.created.timestamp_millis()),
            Err(_) => ("unknown", next_ms),
        };
        tx.execute(
            "UPDATE outbox SET kind = ?2, created_ms = ?3 WHERE id = ?1",
            params![id, kind, created_ms],
        )?;
    }
    tx.execute(
        "UPDATE outbox SET sent_ms = next_attempt_ms WHERE state = 'rejected' AND sent_ms IS NULL",
        [],
    )?;
    tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
    tx.commit()
}
