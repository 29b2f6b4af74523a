//! SQLite persistence: opening with durable settings, migrations, row mapping.
//!
//! The database runs in WAL mode with `synchronous=FULL`: a commit returns only after the WAL
//! is on stable storage, so an acknowledged ticket survives a power cut. Every queue operation
//! is one `BEGIN IMMEDIATE … COMMIT` transaction; a crash before the commit leaves no trace of
//! the operation (no number is consumed), a crash after it loses nothing. The `events` table
//! is append-only within a business day: triggers refuse updates, and deletes of events of the
//! current day; the daily reset deletes the earlier days' events.
//!
//! Erasing is real: `secure_delete` is on, so SQLite overwrites with zeros whatever a statement
//! removes (cells, index entries, freed pages), and after an erasure the engine calls
//! [`scrub_wal`], which copies the WAL into the database and truncates it, so no earlier page
//! image with the erased value stays in the `-wal` file.

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::{
    QueueError,
    model::{CheckIn, Ticket, TicketAppointment, TicketStatus},
    sql,
};

/// Schema versions, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: initial schema
    "
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE service_day (
        day             TEXT NOT NULL,
        service         TEXT NOT NULL,
        last_number     INTEGER NOT NULL,
        issued          INTEGER NOT NULL,
        priority_streak INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, service)
    );
    CREATE TABLE tickets (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        day              TEXT NOT NULL,
        service          TEXT NOT NULL,
        seq              INTEGER NOT NULL,
        number           TEXT NOT NULL,
        priority         TEXT NOT NULL
                         CHECK (priority IN ('none', 'elderly', 'disabled', 'manual')),
        status           TEXT NOT NULL
                         CHECK (status IN ('waiting', 'called', 'serving', 'held', 'done',
                                           'no_show', 'transferred', 'cancelled')),
        window           INTEGER,
        queue_key        INTEGER NOT NULL,
        issued_at        INTEGER NOT NULL,
        enqueued_at      INTEGER NOT NULL,
        called_at        INTEGER,
        started_at       INTEGER,
        held_at          INTEGER,
        finished_at      INTEGER,
        recalls          INTEGER NOT NULL DEFAULT 0,
        outcome          TEXT,
        identity_token   TEXT,
        capability       TEXT UNIQUE,
        transferred_from INTEGER REFERENCES tickets(id),
        issued_by        TEXT NOT NULL
    );
    CREATE UNIQUE INDEX tickets_issued_number
        ON tickets(day, service, seq) WHERE transferred_from IS NULL;
    CREATE INDEX tickets_queue ON tickets(day, service, status, queue_key);
    CREATE INDEX tickets_number ON tickets(day, number);
    CREATE INDEX tickets_window ON tickets(window, status);
    CREATE INDEX tickets_identity ON tickets(identity_token) WHERE identity_token IS NOT NULL;
    CREATE TABLE idempotency (
        key        TEXT PRIMARY KEY,
        ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
        created_at INTEGER NOT NULL
    );
    CREATE TABLE window_state (
        window     INTEGER PRIMARY KEY,
        open       INTEGER NOT NULL,
        changed_at INTEGER NOT NULL
    );
    CREATE TABLE events (
        seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        at      INTEGER NOT NULL,
        day     TEXT NOT NULL,
        kind    TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    ",
    // 2: identity tokens are stored as keyed hashes under an in-memory day key. The pre-hashes
    // stored so far are reversible: erase them, and the salt the host kept for them.
    "
    UPDATE tickets SET identity_token = NULL WHERE identity_token IS NOT NULL;
    DELETE FROM meta WHERE key = 'identity_salt';
    ",
    // 3: the event log keeps the current business day only: the daily reset deletes earlier
    // days' events (and this migration those already there), nothing else may delete.
    "
    DROP TRIGGER events_append_only_delete;
    DELETE FROM events
        WHERE day < COALESCE((SELECT value FROM meta WHERE key = 'current_day'), '');
    UPDATE tickets SET capability = NULL
        WHERE capability IS NOT NULL
          AND day < COALESCE((SELECT value FROM meta WHERE key = 'current_day'), '');
    CREATE TRIGGER events_keep_current_day BEFORE DELETE ON events
        WHEN OLD.day >= COALESCE((SELECT value FROM meta WHERE key = 'current_day'), '')
        BEGIN SELECT RAISE(ABORT, 'the event log keeps the current business day'); END;
    CREATE INDEX events_day ON events(day, seq);
    ",
    // 4: appointment tickets (booking code, slot, check-in; one number per booking code and
    // day), returns to the queue, the appointment streak, the staff member on duty at a window,
    // and the day's booked slots handed over by the centre's booking service.
    "
    ALTER TABLE tickets ADD COLUMN appointment_code TEXT;
    ALTER TABLE tickets ADD COLUMN slot_start INTEGER;
    ALTER TABLE tickets ADD COLUMN slot_end INTEGER;
    ALTER TABLE tickets ADD COLUMN check_in TEXT
        CHECK (check_in IS NULL OR check_in IN ('early', 'on_time', 'late'));
    ALTER TABLE tickets ADD COLUMN slot_precedence INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN returns INTEGER NOT NULL DEFAULT 0;
    CREATE UNIQUE INDEX tickets_appointment
        ON tickets(day, appointment_code)
        WHERE appointment_code IS NOT NULL AND transferred_from IS NULL;
    ALTER TABLE service_day ADD COLUMN appointment_streak INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE window_state ADD COLUMN staff_name TEXT;
    ALTER TABLE window_state ADD COLUMN staff_id TEXT;
    CREATE TABLE bookings (
        day         TEXT NOT NULL,
        code        TEXT NOT NULL,
        service     TEXT NOT NULL,
        slot_start  INTEGER NOT NULL,
        slot_end    INTEGER NOT NULL,
        masked_name TEXT NOT NULL,
        PRIMARY KEY (day, code)
    );
    ",
    // 5: one rating per ticket (the window rating pad, the phone page), with the staff member
    // who served it; the outbox carries a copy to the centre.
    "
    CREATE TABLE ratings (
        ticket_id  INTEGER PRIMARY KEY REFERENCES tickets(id),
        day        TEXT NOT NULL,
        number     TEXT NOT NULL,
        service    TEXT NOT NULL,
        window     INTEGER NOT NULL,
        staff_id   TEXT,
        staff_name TEXT,
        score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
        reasons    TEXT NOT NULL,
        source     TEXT NOT NULL CHECK (source IN ('pad', 'phone', 'kiosk')),
        rated_at   INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX ratings_day_number ON ratings(day, number);
    ",
];

/// Creates `path` with mode 0600 if it does not exist, and restricts it to 0600 if it does.
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    restrict(path)
}

/// Restricts an existing file to mode 0600 (a missing one is fine).
fn restrict(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    match std::fs::metadata(path) {
        Ok(meta) if meta.permissions().mode() & 0o777 != 0o600 => {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        }
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err),
    }
}

/// Opens (creating if needed) the queue database at `path` and brings its schema up to date. The
/// database and its `-wal`/`-shm` files are readable by their owner only (mode 0600), whatever the
/// umask of whoever started the process.
pub fn open(path: &Path) -> Result<Connection, QueueError> {
    let private = |p: &Path, e: std::io::Error| {
        QueueError::Corrupt(format!("cannot make {} private: {e}", p.display()))
    };
    create_private(path).map_err(|e| private(path, e))?;
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(QueueError::Corrupt(format!(
            "the database refused WAL mode (got {mode})"
        )));
    }
    conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = Path::new(&side);
        restrict(side).map_err(|e| private(side, e))?;
    }
    let secure: i64 = conn.query_row("PRAGMA secure_delete=ON", [], |r| r.get(0))?;
    if secure != 1 {
        return Err(QueueError::Corrupt(format!(
            "the database refused secure_delete (got {secure})"
        )));
    }
    migrate(&mut conn)?;
    Ok(conn)
}

/// Copies every page of the WAL into the database and truncates the WAL to zero bytes, so no
/// earlier version of a page (holding a value since erased) stays in the `-wal` file.
///
/// Returns `false` when another connection's read kept part of the WAL in use; the caller tries
/// again later. Durability is unchanged: the pages are synced to the database before the WAL is
/// truncated.
pub fn scrub_wal(conn: &Connection) -> Result<bool, QueueError> {
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    Ok(busy == 0)
}

/// Applies the migrations that have not run yet, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<(), QueueError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if version > known {
        return Err(QueueError::Corrupt(format!(
            "the database has schema version {version}, newer than this program ({known})"
        )));
    }
    for (i, migration) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        let tx = conn.transaction()?;
        tx.execute_batch(migration)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// The schema version this program writes.
pub fn schema_version() -> usize {
    MIGRATIONS.len()
}

pub(crate) fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

pub(crate) fn day_str(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_day(s: &str) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn conversion(e: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::<dyn std::error::Error + Send + Sync>::from(e),
    )
}

/// A ticket from a row of the `select_tickets!` statements of [`sql`].
pub(crate) fn ticket_from_row(r: &Row<'_>) -> rusqlite::Result<Ticket> {
    let day: String = r.get(1)?;
    let priority: String = r.get(4)?;
    let status: String = r.get(5)?;
    let appointment = match (
        r.get::<_, Option<String>>(17)?,
        r.get::<_, Option<i64>>(18)?,
        r.get::<_, Option<i64>>(19)?,
        r.get::<_, Option<String>>(20)?,
    ) {
        (Some(code), Some(start), Some(end), Some(check_in)) => Some(TicketAppointment {
            code,
            slot_start: from_ms(start),
            slot_end: from_ms(end),
            check_in: check_in.parse::<CheckIn>().map_err(conversion)?,
            precedence: r.get(21)?,
        }),
        _ => None,
    };
    Ok(Ticket {
        id: r.get(0)?,
        day: parse_day(&day)?,
        number: r.get(2)?,
        service: r.get(3)?,
        priority: priority.parse().map_err(conversion)?,
        status: status.parse::<TicketStatus>().map_err(conversion)?,
        window: r.get(6)?,
        issued_at: from_ms(r.get(7)?),
        enqueued_at: from_ms(r.get(8)?),
        called_at: r.get::<_, Option<i64>>(9)?.map(from_ms),
        started_at: r.get::<_, Option<i64>>(10)?.map(from_ms),
        finished_at: r.get::<_, Option<i64>>(11)?.map(from_ms),
        recalls: r.get(12)?,
        outcome: r.get(13)?,
        capability: r.get(14)?,
        transferred_from: r.get(15)?,
        issued_by: r.get(16)?,
        appointment,
        returns: r.get(22)?,
    })
}

/// The first ticket of a `SELECT` of ticket rows (the statements of `sql` that return them).
pub(crate) fn query_ticket(
    tx: &Transaction<'_>,
    statement: &str,
    params: impl rusqlite::Params,
) -> Result<Option<Ticket>, QueueError> {
    Ok(tx
        .query_row(statement, params, ticket_from_row)
        .optional()?)
}

/// Every ticket of a `SELECT` of ticket rows.
pub(crate) fn query_tickets(
    tx: &Transaction<'_>,
    statement: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Ticket>, QueueError> {
    let mut stmt = tx.prepare_cached(statement)?;
    let rows = stmt.query_map(params, ticket_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn meta_get(tx: &Transaction<'_>, key: &str) -> Result<Option<String>, QueueError> {
    Ok(tx
        .query_row(sql::META_GET, [key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn meta_set(tx: &Transaction<'_>, key: &str, value: &str) -> Result<(), QueueError> {
    tx.execute(sql::META_SET, params![key, value])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_the_log_keeps_the_current_day() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let conn = open(&path).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, schema_version());
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        let secure: i64 = conn
            .query_row("PRAGMA secure_delete", [], |r| r.get(0))
            .unwrap();
        assert_eq!(secure, 1, "secure_delete=ON");
        conn.execute(
            "INSERT INTO events(at, day, kind, payload) VALUES (0, '2025-01-01', 'x', '{}')",
            [],
        )
        .unwrap();
        assert!(conn.execute("DELETE FROM events", []).is_err());
        assert!(conn.execute("UPDATE events SET kind = 'y'", []).is_err());
        drop(conn);
        let conn = open(&path).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        // Once a later day is current, the earlier day's events may go, not the current day's.
        conn.execute_batch(
            "INSERT INTO meta(key, value) VALUES ('current_day', '2025-01-02');
             INSERT INTO events(at, day, kind, payload) VALUES (0, '2025-01-02', 'x', '{}');",
        )
        .unwrap();
        assert!(conn.execute("DELETE FROM events", []).is_err());
        assert_eq!(
            conn.execute("DELETE FROM events WHERE day < '2025-01-02'", [])
                .unwrap(),
            1
        );
        assert!(conn.execute("UPDATE events SET kind = 'y'", []).is_err());
    }

    #[test]
    fn upgrading_erases_the_reversible_identity_tokens_and_the_stored_salt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO meta(key, value) VALUES ('identity_salt', 'abcdef0123456789');
             INSERT INTO tickets(day, service, seq, number, priority, status, queue_key,
                                 issued_at, enqueued_at, identity_token, issued_by)
             VALUES ('2025-03-03', 'legal_aid', 1, 'C001', 'none', 'waiting', 1, 0, 0,
                     'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'k1');",
        )
        .unwrap();
        drop(conn);
        let conn = open(&path).unwrap();
        let (tokens, salts): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT COUNT(identity_token) FROM tickets),
                        (SELECT COUNT(*) FROM meta WHERE key = 'identity_salt')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((tokens, salts), (0, 0));
    }

    #[test]
    fn a_version_3_database_is_upgraded_in_place_and_keeps_its_tickets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let mut conn = Connection::open(&path).unwrap();
        for migration in &MIGRATIONS[..3] {
            conn.execute_batch(migration).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO meta(key, value) VALUES ('current_day', '2025-03-03');
             INSERT INTO service_day(day, service, last_number, issued)
             VALUES ('2025-03-03', 'legal_aid', 1, 1);
             INSERT INTO window_state(window, open, changed_at) VALUES (3, 1, 0);
             INSERT INTO tickets(day, service, seq, number, priority, status, queue_key,
                                 issued_at, enqueued_at, issued_by)
             VALUES ('2025-03-03', 'legal_aid', 1, 'C001', 'none', 'waiting', 1, 0, 0, 'k1');",
        )
        .unwrap();
        drop(conn);
        conn = open(&path).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, schema_version());
        let tx = conn.transaction().unwrap();
        let t = query_ticket(&tx, sql::TICKET_BY_ID, [1]).unwrap().unwrap();
        assert_eq!(
            (t.number.as_str(), t.appointment, t.returns),
            ("C001", None, 0)
        );
        let streak: i64 = tx
            .query_row(sql::APPOINTMENT_STREAK, ["2025-03-03", "legal_aid"], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(streak, 0);
        let staff: (Option<String>, Option<String>) = tx
            .query_row(sql::WINDOW_STAFF, [3], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(staff, (None, None));
        // One ticket per booking code and day, enforced by the database too.
        let insert = "INSERT INTO tickets(day, service, seq, number, priority, status, queue_key,
                             issued_at, enqueued_at, issued_by, appointment_code, slot_start,
                             slot_end, check_in, slot_precedence)
             VALUES ('2025-03-03', 'legal_aid', ?1, ?2, 'none', 'waiting', 2, 0, 0, 'k1',
                     'BK-1', 0, 1, 'on_time', 1)";
        tx.execute(insert, rusqlite::params![2, "C002"]).unwrap();
        assert!(tx.execute(insert, rusqlite::params![3, "C003"]).is_err());
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let conn = open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = open(&path).unwrap_err().to_string();
        assert!(err.contains("schema version 99"), "{err}");
    }
}
