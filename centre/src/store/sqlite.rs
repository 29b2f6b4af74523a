//! The SQLite store: one file (mode 0600, WAL, `synchronous=FULL`), one writer connection and one
//! reader connection. Outbox items go to a writer thread that commits the items arriving together in
//! one transaction (group commit: one sync for many devices); everything else runs on tokio's blocking
//! pool.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError, mpsc},
};

use chrono::{DateTime, NaiveDate, Utc};
use content::{
    Heartbeat, OutboxMessage, OutboxPayload, Rating,
    private_file::{create_private, restrict},
};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};
use tokio::sync::oneshot;

use super::{
    AccountSet, ActiveCondition, AlertChange, AlertRecord, AlertSync, AlertUpdate,
    ApplicationFilter, ApplicationInsert, ApplicationRecord, ApplicationRow, AuditEntry,
    BookingFilter, BookingKey, BookingMove, BookingRecord, BookingWrite, CallbackRecord,
    CaseChange, CaseFilter, CaseUpdate, ComplaintCase, ComplaintRecord, ComplaintStatus, Decision,
    DecisionOutcome, DeviceRecord, DeviceStatus, NewApplication, NewBooking, NewItem,
    RATING_COLUMNS, RatedVisit, RatingRecord, Receipt, ReminderCandidate, ReportFilter, Session,
    SlotTaken, StaffAccount, Store, StoreCounts, StoreFuture, Stored, SurveyRow, TicketStatsRecord,
    TicketStatsRow, VideoCallRow,
    report::{ComplaintCount, RatingCount, RatingStaffCount, StatsColumns},
    sqlite_report,
};
use crate::{auth::Role, error::StoreError};

mod applications;
mod bookings;
mod calls;
mod web;

/// The schema version this code writes (`PRAGMA user_version`). Version 1 is [`SCHEMA`], version 2
/// adds [`SCHEMA_V2`] (the web app's tables), the reports' step to version 3 is
/// [`sqlite_report::upgrade`], version 4 adds [`SCHEMA_V4`] (the window a rating names), version 5
/// the bookings ([`bookings::SCHEMA_V5`]) and version 6 [`SCHEMA_V6`] (who served a rated visit, the
/// reasons ticked and where the rating was given), version 7 the video calls' call-backs
/// ([`super::calls::CALLBACKS_TABLE`]), version 8 the applications made at the kiosk
/// ([`super::applications::SQLITE_TABLES`]).
const SCHEMA_VERSION: i64 = 8;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    token_sha256 TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS staff (
    user TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    demo INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES staff(user) ON DELETE CASCADE,
    expires_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    device TEXT NOT NULL REFERENCES devices(id),
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (device, key)
);
CREATE INDEX IF NOT EXISTS items_kind_received ON items(kind, received_ms);
CREATE TABLE IF NOT EXISTS complaints (
    item_id INTEGER PRIMARY KEY REFERENCES items(id),
    device TEXT NOT NULL,
    key TEXT NOT NULL,
    about TEXT NOT NULL,
    text TEXT NOT NULL,
    contact TEXT,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    received_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS complaints_key ON complaints(key);
CREATE TABLE IF NOT EXISTS ratings (
    item_id INTEGER PRIMARY KEY REFERENCES items(id),
    device TEXT NOT NULL,
    key TEXT NOT NULL,
    service TEXT NOT NULL,
    ticket TEXT,
    score INTEGER NOT NULL,
    comment TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    received_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS heartbeats (
    device TEXT PRIMARY KEY REFERENCES devices(id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    created_ms INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ticket_stats (
    device TEXT NOT NULL REFERENCES devices(id),
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items(id),
    issued INTEGER NOT NULL,
    served INTEGER NOT NULL,
    no_show INTEGER NOT NULL,
    mean_wait_secs INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (device, day, service)
);
";

/// Version 3 → 4: the window that served a rated visit (NULL when the rating names none), filled
/// from the stored items' bodies: an older centre kept a newer kiosk's rating whole.
const SCHEMA_V4: &str = "
ALTER TABLE ratings ADD COLUMN window_no INTEGER;
UPDATE ratings SET window_no = (
    SELECT json_extract(i.body, '$.data.window') FROM items i WHERE i.id = ratings.item_id
);
";

/// Version 5 → 6: who served a rated visit (`staff_id`, `staff_name`), the reasons ticked on a low
/// rating (`reasons`: the ids joined by commas, [`super::reasons_column`]; empty for none) and where
/// it was given (`source`: `pad`, `phone` or `kiosk`; NULL when the rating does not say), filled from
/// the stored items' bodies like version 4's window: an older centre kept a newer kiosk's rating
/// whole. Reasons are joined in their order in the body; a body whose `reasons` is not an array
/// gets none.
const SCHEMA_V6: &str = "
ALTER TABLE ratings ADD COLUMN staff_id TEXT;
ALTER TABLE ratings ADD COLUMN staff_name TEXT;
ALTER TABLE ratings ADD COLUMN reasons TEXT NOT NULL DEFAULT '';
ALTER TABLE ratings ADD COLUMN source TEXT;
UPDATE ratings SET
    staff_id = (SELECT json_extract(i.body, '$.data.staff_id') FROM items i WHERE i.id = ratings.item_id),
    staff_name = (SELECT json_extract(i.body, '$.data.staff_name') FROM items i WHERE i.id = ratings.item_id),
    source = (SELECT json_extract(i.body, '$.data.source') FROM items i WHERE i.id = ratings.item_id),
    reasons = COALESCE((
        SELECT group_concat(reason, ',') FROM (
            SELECT j.value AS reason FROM items i, json_each(i.body, '$.data.reasons') j
            WHERE i.id = ratings.item_id AND json_type(i.body, '$.data.reasons') = 'array'
            ORDER BY j.key
        )
    ), '');
";

/// Version 1 → 2: townships, managers' sites, complaint handling, return calls, the audit log and
/// alerts. Runs once, inside the transaction that creates or upgrades the schema.
const SCHEMA_V2: &str = "
ALTER TABLE devices ADD COLUMN township TEXT;
ALTER TABLE staff ADD COLUMN site TEXT;
ALTER TABLE complaints ADD COLUMN assignee TEXT;
ALTER TABLE complaints ADD COLUMN reply TEXT;
ALTER TABLE complaints ADD COLUMN replied_ms INTEGER;
ALTER TABLE complaints ADD COLUMN closed_ms INTEGER;
ALTER TABLE ratings ADD COLUMN return_outcome TEXT;
ALTER TABLE ratings ADD COLUMN return_user TEXT;
ALTER TABLE ratings ADD COLUMN return_ms INTEGER;
CREATE INDEX ratings_received ON ratings(received_ms);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    device TEXT NOT NULL REFERENCES devices(id),
    rule TEXT NOT NULL,
    detail TEXT NOT NULL,
    state TEXT NOT NULL,
    raised_ms INTEGER NOT NULL,
    ack_user TEXT,
    ack_ms INTEGER,
    closed_user TEXT,
    closed_ms INTEGER
);
CREATE INDEX alerts_state ON alerts(state, device, rule);
";

/// The SQLite implementation of [`Store`]. Clone freely (clones share the connections).
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    reader: Mutex<Connection>,
    /// Items for the writer thread ([`write_batches`]); it stops when this is dropped.
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (or creates) the database at `path`: the file and its `-wal`/`-shm` companions get mode
    /// 0600, the schema is created, WAL with `synchronous=FULL`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let sqlite = |source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        };
        let file = |source| StoreError::File {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(file)?;
        }
        create_private(path).map_err(file)?;
        let writer = Connection::open(path).map_err(sqlite)?;
        configure(&writer).map_err(sqlite)?;
        writer
            .execute_batch("PRAGMA journal_mode=WAL;")
            .map_err(sqlite)?;
        let version: i64 = writer
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sqlite)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Corrupt {
                what: "schema",
                reason: format!(
                    "version {version} was written by a newer centre (this one knows {SCHEMA_VERSION})"
                ),
            });
        }
        // One transaction: version 1's tables (a no-op on an existing file), then every missing
        // step, then the new version. A failure leaves the file as it was.
        let v2 = if version < 2 { SCHEMA_V2 } else { "" };
        writer
            .execute_batch(&format!("BEGIN IMMEDIATE; {SCHEMA} {v2}"))
            .map_err(sqlite)?;
        sqlite_report::upgrade(&writer, version).map_err(|err| match err {
            StoreError::Sqlite { source, .. } => sqlite(source),
            other => other,
        })?;
        if version < 4 {
            writer.execute_batch(SCHEMA_V4).map_err(sqlite)?;
        }
        if version < 5 {
            writer.execute_batch(bookings::SCHEMA_V5).map_err(sqlite)?;
        }
        if version < 6 {
            writer.execute_batch(SCHEMA_V6).map_err(sqlite)?;
        }
        if version < 7 {
            writer
                .execute_batch(super::calls::CALLBACKS_TABLE)
                .map_err(sqlite)?;
        }
        if version < 8 {
            writer
                .execute_batch(super::applications::SQLITE_TABLES)
                .map_err(sqlite)?;
        }
        writer
            .execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"))
            .map_err(sqlite)?;
        let reader = Connection::open(path).map_err(sqlite)?;
        configure(&reader).map_err(sqlite)?;
        for suffix in ["-wal", "-shm"] {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            restrict(Path::new(&side)).map_err(file)?;
        }
        let writer = Arc::new(Mutex::new(writer));
        let (jobs, queue) = mpsc::channel();
        let thread_writer = Arc::clone(&writer);
        let thread_path = path.to_owned();
        std::thread::Builder::new()
            .name("centre-sqlite-writer".into())
            .spawn(move || write_batches(&thread_path, &thread_writer, &queue))
            .map_err(file)?;
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer,
                reader: Mutex::new(reader),
                jobs,
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on the writer connection on the blocking pool.
    fn write<T, F>(&self, f: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let mut conn = inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
                f(&mut conn).map_err(|err| inner.locate(err))
            })
            .await
            .map_err(|err| StoreError::Task(err.to_string()))?
        })
    }

    /// Runs `f` on the reader connection on the blocking pool.
    fn read<T, F>(&self, f: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let conn = inner.reader.lock().unwrap_or_else(PoisonError::into_inner);
                f(&conn).map_err(|err| inner.locate(err))
            })
            .await
            .map_err(|err| StoreError::Task(err.to_string()))?
        })
    }
}

impl Inner {
    /// Names the file in an SQLite error raised inside a query.
    fn locate(&self, err: StoreError) -> StoreError {
        match err {
            StoreError::Sqlite { path, source } if path.as_os_str().is_empty() => {
                StoreError::Sqlite {
                    path: self.path.clone(),
                    source,
                }
            }
            other => other,
        }
    }
}

/// An SQLite error whose file [`Inner::locate`] fills in.
impl From<rusqlite::Error> for StoreError {
    fn from(source: rusqlite::Error) -> Self {
        Self::Sqlite {
            path: PathBuf::new(),
            source,
        }
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(
        "PRAGMA synchronous=FULL;
         PRAGMA foreign_keys=ON;
         PRAGMA secure_delete=ON;",
    )
}

fn ms(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn corrupt(what: &'static str) -> impl FnOnce(serde_json::Error) -> StoreError {
    move |err| StoreError::Corrupt {
        what,
        reason: err.to_string(),
    }
}

/// Stores an item and its projection inside the caller's transaction (a savepoint of the batch).
fn store_one(tx: &Connection, item: &NewItem) -> Result<Stored, StoreError> {
    let message = &item.message;
    let id: Option<i64> = tx
        .query_row(
            "INSERT INTO items (device, key, kind, created_ms, received_ms, body) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (device, key) DO NOTHING RETURNING id",
            params![
                message.device,
                message.key,
                message.payload.kind(),
                ms(message.created),
                ms(item.received),
                item.body
            ],
            |r| r.get(0),
        )
        .optional()?;
    let Some(id) = id else {
        let (body, received_ms): (String, i64) = tx.query_row(
            "SELECT body, received_ms FROM items WHERE device = ?1 AND key = ?2",
            params![message.device, message.key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let receipt = Receipt {
            key: message.key.clone(),
            device: message.device.clone(),
            received: time(received_ms),
        };
        let before: Option<OutboxMessage> = serde_json::from_str(&body).ok();
        return Ok(if before.as_ref() == Some(message) {
            Stored::Again(receipt)
        } else {
            Stored::Conflict(receipt)
        });
    };
    let (created, received) = (ms(message.created), ms(item.received));
    match &message.payload {
        OutboxPayload::Complaint(c) => {
            tx.execute(
                "INSERT INTO complaints (item_id, device, key, about, text, contact, status, \
                 created_ms, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    id,
                    message.device,
                    message.key,
                    c.about,
                    c.text,
                    c.contact,
                    ComplaintStatus::Received.as_str(),
                    created,
                    received
                ],
            )?;
        }
        OutboxPayload::Rating(r) => {
            tx.execute(
                "INSERT INTO ratings (item_id, device, key, service, ticket, score, comment, \
                 created_ms, received_ms, window_no, staff_id, staff_name, reasons, source) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    id,
                    message.device,
                    message.key,
                    r.service,
                    r.ticket,
                    r.score,
                    r.comment,
                    created,
                    received,
                    r.window,
                    r.staff_id,
                    r.staff_name,
                    super::reasons_column(&r.reasons),
                    r.source
                ],
            )?;
        }
        OutboxPayload::TicketStats(s) => {
            let columns = StatsColumns::of(s);
            tx.execute(
                "INSERT INTO ticket_stats (device, day, service, item_id, issued, served, no_show, \
                 mean_wait_secs, created_ms, wait_minutes, service_count, service_total_secs, \
                 issued_by_hour) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
                 ON CONFLICT (device, day, service) DO UPDATE SET item_id = excluded.item_id, \
                 issued = excluded.issued, served = excluded.served, no_show = excluded.no_show, \
                 mean_wait_secs = excluded.mean_wait_secs, created_ms = excluded.created_ms, \
                 wait_minutes = excluded.wait_minutes, service_count = excluded.service_count, \
                 service_total_secs = excluded.service_total_secs, \
                 issued_by_hour = excluded.issued_by_hour \
                 WHERE excluded.created_ms >= ticket_stats.created_ms",
                params![
                    message.device,
                    s.day.to_string(),
                    s.service,
                    id,
                    s.issued,
                    s.served,
                    s.no_show,
                    s.mean_wait_secs,
                    created,
                    columns.wait_minutes,
                    columns.service_count,
                    columns.service_total_secs,
                    columns.issued_by_hour
                ],
            )?;
        }
        OutboxPayload::Heartbeat(h) => {
            let data = serde_json::to_string(h).map_err(corrupt("heartbeat"))?;
            tx.execute(
                "INSERT INTO heartbeats (device, item_id, created_ms, received_ms, data) \
                 VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (device) DO UPDATE SET \
                 received_ms = MAX(heartbeats.received_ms, excluded.received_ms), \
                 item_id = CASE WHEN excluded.created_ms >= heartbeats.created_ms \
                     THEN excluded.item_id ELSE heartbeats.item_id END, \
                 data = CASE WHEN excluded.created_ms >= heartbeats.created_ms \
                     THEN excluded.data ELSE heartbeats.data END, \
                 created_ms = MAX(heartbeats.created_ms, excluded.created_ms)",
                params![message.device, id, created, received, data],
            )?;
        }
        OutboxPayload::NeedsSurvey(_) | OutboxPayload::VideoCall(_) => {}
        OutboxPayload::BookingUpdate(update) => {
            bookings::apply_update(tx, &message.device, update, received)?;
        }
        OutboxPayload::CallbackRequest(request) => {
            calls::insert_callback(tx, id, &message.device, request, received)?;
        }
    }
    Ok(Stored::New(Receipt {
        key: message.key.clone(),
        device: message.device.clone(),
        // As stored (milliseconds), so the first answer and every repeat are the same.
        received: time(received),
    }))
}

/// One item waiting for the writer, and where its outcome goes.
type Job = (NewItem, oneshot::Sender<Result<Stored, StoreError>>);

/// Items written in one transaction at most.
const MAX_BATCH: usize = 128;

/// The writer thread: takes the items that arrived together and writes them in one transaction with
/// one sync (group commit), each in its own savepoint so one failing item does not take the others
/// with it. Every outcome is answered only after the commit: what is answered as stored is on disk.
fn write_batches(path: &Path, writer: &Mutex<Connection>, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut conn = writer.lock().unwrap_or_else(PoisonError::into_inner);
        let outcomes = write_batch(&mut conn, &batch);
        drop(conn);
        let located = |err: StoreError| match err {
            StoreError::Sqlite { source, .. } => StoreError::Sqlite {
                path: path.to_owned(),
                source,
            },
            other => other,
        };
        match outcomes {
            Ok(outcomes) => {
                for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome.map_err(located));
                }
            }
            Err(err) => {
                let err = located(err);
                tracing::error!("a batch of {} items was not stored: {err}", batch.len());
                for (_, reply) in batch {
                    let _ = reply.send(Err(StoreError::Task(format!(
                        "the batch was not stored: {err}"
                    ))));
                }
            }
        }
    }
}

fn write_batch(
    conn: &mut Connection,
    batch: &[Job],
) -> Result<Vec<Result<Stored, StoreError>>, StoreError> {
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for (item, _) in batch {
        let savepoint = tx.savepoint()?;
        match store_one(&savepoint, item) {
            Ok(stored) => {
                savepoint.commit()?;
                outcomes.push(Ok(stored));
            }
            Err(err) => {
                // Dropping the savepoint rolls this item back; the others stay.
                drop(savepoint);
                outcomes.push(Err(err));
            }
        }
    }
    tx.commit()?;
    Ok(outcomes)
}

fn replace_accounts(conn: &mut Connection, accounts: &AccountSet) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Tokens first cleared, then set: a token moving from one device to another never collides.
    tx.execute("UPDATE devices SET token_sha256 = NULL", [])?;
    for device in &accounts.devices {
        tx.execute(
            "INSERT INTO devices (id, site, token_sha256, township) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (id) DO UPDATE SET site = excluded.site, \
             token_sha256 = excluded.token_sha256, township = excluded.township",
            params![device.id, device.site, device.token_sha256, device.township],
        )?;
    }
    let keep: Vec<&str> = accounts.staff.iter().map(|s| s.user.as_str()).collect();
    let existing: Vec<String> = tx
        .prepare("SELECT user FROM staff")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for user in existing.iter().filter(|u| !keep.contains(&u.as_str())) {
        tx.execute("DELETE FROM staff WHERE user = ?1", [user])?;
    }
    for account in &accounts.staff {
        tx.execute(
            "INSERT INTO staff (user, password_hash, role, demo, site) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (user) DO UPDATE SET password_hash = excluded.password_hash, \
             role = excluded.role, demo = excluded.demo, site = excluded.site",
            params![
                account.user,
                account.password_hash,
                account.role.as_str(),
                account.demo,
                account.site
            ],
        )?;
    }
    tx.commit()?;
    Ok(())
}

type StaffRow = (String, String, String, bool, Option<String>);

/// Reads `user, password_hash, role, demo, site`.
fn staff_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StaffRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn staff_account(
    (user, password_hash, name, demo, site): StaffRow,
) -> Result<StaffAccount, StoreError> {
    Ok(StaffAccount {
        user,
        password_hash,
        role: role(name)?,
        demo,
        site,
    })
}

fn role(name: String) -> Result<Role, StoreError> {
    Role::parse(&name).ok_or(StoreError::Corrupt {
        what: "staff role",
        reason: format!("unknown role {name:?}"),
    })
}

impl Store for SqliteStore {
    fn store_item(&self, item: NewItem) -> StoreFuture<'_, Stored> {
        Box::pin(async move {
            let (reply, outcome) = oneshot::channel();
            self.inner
                .jobs
                .send((item, reply))
                .map_err(|_| StoreError::Task("the writer thread has stopped".into()))?;
            outcome
                .await
                .map_err(|_| StoreError::Task("the writer thread has stopped".into()))?
        })
    }

    fn device_by_token(&self, token_sha256: String) -> StoreFuture<'_, Option<DeviceRecord>> {
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, site, token_sha256, township FROM devices WHERE token_sha256 = ?1",
                    [token_sha256],
                    |r| {
                        Ok(DeviceRecord {
                            id: r.get(0)?,
                            site: r.get(1)?,
                            token_sha256: r.get(2)?,
                            township: r.get(3)?,
                        })
                    },
                )
                .optional()?)
        })
    }

    fn replace_accounts(&self, accounts: AccountSet) -> StoreFuture<'_, ()> {
        self.write(move |conn| replace_accounts(conn, &accounts))
    }

    fn real_staff(&self) -> StoreFuture<'_, Vec<String>> {
        self.read(|conn| {
            Ok(conn
                .prepare("SELECT user FROM staff WHERE demo = 0 ORDER BY user")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?)
        })
    }

    fn staff(&self, user: String) -> StoreFuture<'_, Option<StaffAccount>> {
        self.read(move |conn| {
            conn.query_row(
                "SELECT user, password_hash, role, demo, site FROM staff WHERE user = ?1",
                [user],
                staff_row,
            )
            .optional()?
            .map(staff_account)
            .transpose()
        })
    }

    fn create_session(
        &self,
        token_sha256: String,
        user: String,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute("DELETE FROM sessions WHERE expires_ms <= ?1", [ms(now)])?;
            tx.execute(
                "INSERT INTO sessions (token_sha256, user, expires_ms) VALUES (?1, ?2, ?3)",
                params![token_sha256, user, ms(expires)],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn session(
        &self,
        token_sha256: String,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, Option<Session>> {
        self.read(move |conn| {
            let row: Option<(String, String, i64, Option<String>)> = conn
                .query_row(
                    "SELECT s.user, staff.role, s.expires_ms, staff.site FROM sessions s \
                     JOIN staff ON staff.user = s.user \
                     WHERE s.token_sha256 = ?1 AND s.expires_ms > ?2",
                    params![token_sha256, ms(now)],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            row.map(|(user, name, expires, site)| {
                Ok(Session {
                    user,
                    role: role(name)?,
                    expires: time(expires),
                    site,
                })
            })
            .transpose()
        })
    }

    fn devices(&self) -> StoreFuture<'_, Vec<DeviceStatus>> {
        self.read(|conn| {
            type Row = (
                String,
                String,
                Option<i64>,
                Option<String>,
                Option<String>,
                Option<i64>,
                Option<i64>,
            );
            let rows: Vec<Row> = conn
                .prepare(
                    "SELECT d.id, d.site, h.received_ms, h.data, d.township, h.created_ms, \
                     i.received_ms FROM devices d \
                     LEFT JOIN heartbeats h ON h.device = d.id \
                     LEFT JOIN items i ON i.id = h.item_id ORDER BY d.id",
                )?
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect::<Result<_, _>>()?;
            rows.into_iter()
                .map(
                    |(id, site, received, data, township, hb_created, hb_received)| {
                        let heartbeat = data
                            .map(|data| serde_json::from_str::<Heartbeat>(&data))
                            .transpose()
                            .map_err(corrupt("heartbeat"))?;
                        Ok(DeviceStatus {
                            id,
                            site,
                            last_seen: received.map(time),
                            heartbeat,
                            township,
                            heartbeat_times: hb_created
                                .zip(hb_received)
                                .map(|(c, r)| (time(c), time(r))),
                        })
                    },
                )
                .collect()
        })
    }

    fn complaints(&self, limit: u32) -> StoreFuture<'_, Vec<ComplaintRecord>> {
        self.read(move |conn| {
            conn.prepare(
                "SELECT c.key, c.device, d.site, c.about, c.text, c.contact, c.created_ms, \
                     c.received_ms, c.status FROM complaints c JOIN devices d ON d.id = c.device \
                     ORDER BY c.received_ms DESC, c.item_id DESC LIMIT ?1",
            )?
            .query_map([limit], web::complaint_row)?
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(web::complaint_record)
            .collect::<Result<_, _>>()
        })
    }

    fn ratings(&self, limit: u32) -> StoreFuture<'_, Vec<RatingRecord>> {
        self.read(move |conn| {
            Ok(conn
                .prepare(&format!(
                    "SELECT {RATING_COLUMNS} FROM ratings r JOIN devices d ON d.id = r.device \
                     ORDER BY r.received_ms DESC, r.item_id DESC LIMIT ?1"
                ))?
                .query_map([limit], rating_row)?
                .collect::<Result<_, _>>()?)
        })
    }

    fn ticket_stats(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreFuture<'_, Vec<TicketStatsRecord>> {
        self.read(move |conn| {
            let rows: Vec<(String, String, String, u32, u32, u32, u32)> = conn
                .prepare(
                    "SELECT device, day, service, issued, served, no_show, mean_wait_secs \
                     FROM ticket_stats WHERE day >= ?1 AND day <= ?2 ORDER BY day, device, service",
                )?
                .query_map(params![from.to_string(), to.to_string()], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect::<Result<_, _>>()?;
            rows.into_iter()
                .map(
                    |(device, day, service, issued, served, no_show, mean_wait_secs)| {
                        Ok(TicketStatsRecord {
                            device,
                            day: day.parse().map_err(|err: chrono::ParseError| {
                                StoreError::Corrupt {
                                    what: "ticket statistics day",
                                    reason: err.to_string(),
                                }
                            })?,
                            service,
                            issued,
                            served,
                            no_show,
                            mean_wait_secs,
                        })
                    },
                )
                .collect()
        })
    }

    fn counts(&self) -> StoreFuture<'_, StoreCounts> {
        self.read(|conn| {
            let count = |table: &str| -> Result<u64, StoreError> {
                let n: i64 =
                    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
                Ok(n.max(0) as u64)
            };
            Ok(StoreCounts {
                items: count("items")?,
                complaints: count("complaints")?,
                ratings: count("ratings")?,
                heartbeats: count("heartbeats")?,
                ticket_stats: count("ticket_stats")?,
            })
        })
    }

    fn delete_session(&self, token_sha256: String) -> StoreFuture<'_, ()> {
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM sessions WHERE token_sha256 = ?1",
                [token_sha256],
            )?;
            Ok(())
        })
    }

    fn staff_list(&self) -> StoreFuture<'_, Vec<StaffAccount>> {
        self.read(|conn| {
            conn.prepare("SELECT user, password_hash, role, demo, site FROM staff ORDER BY user")?
                .query_map([], staff_row)?
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .map(staff_account)
                .collect()
        })
    }

    fn sites(&self) -> StoreFuture<'_, Vec<String>> {
        self.read(|conn| {
            Ok(conn
                .prepare("SELECT DISTINCT site FROM devices ORDER BY site")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?)
        })
    }

    fn record_audit(&self, entry: AuditEntry) -> StoreFuture<'_, ()> {
        self.write(move |conn| web::record_audit(conn, &entry))
    }

    fn audit(&self, limit: u32) -> StoreFuture<'_, Vec<AuditEntry>> {
        self.read(move |conn| web::audit(conn, limit))
    }

    fn complaint_cases(&self, filter: CaseFilter) -> StoreFuture<'_, Vec<ComplaintCase>> {
        self.read(move |conn| web::complaint_cases(conn, &filter))
    }

    fn complaint_case(&self, key: String) -> StoreFuture<'_, Option<ComplaintCase>> {
        self.read(move |conn| web::complaint_case(conn, &key))
    }

    fn change_complaint(
        &self,
        key: String,
        change: CaseChange,
        audit: AuditEntry,
    ) -> StoreFuture<'_, CaseUpdate> {
        self.write(move |conn| web::change_complaint(conn, &key, &change, &audit))
    }

    fn rated_visits(&self, site: Option<String>, limit: u32) -> StoreFuture<'_, Vec<RatedVisit>> {
        self.read(move |conn| web::rated_visits(conn, site.as_deref(), limit))
    }

    fn record_return_call(
        &self,
        device: String,
        key: String,
        outcome: String,
        audit: AuditEntry,
    ) -> StoreFuture<'_, bool> {
        self.write(move |conn| web::record_return_call(conn, &device, &key, &outcome, &audit))
    }

    fn sync_alerts(
        &self,
        active: Vec<ActiveCondition>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, AlertSync> {
        self.write(move |conn| web::sync_alerts(conn, &active, now))
    }

    fn alerts(&self, closed_too: bool, limit: u32) -> StoreFuture<'_, Vec<AlertRecord>> {
        self.read(move |conn| web::alerts(conn, closed_too, limit))
    }

    fn change_alert(
        &self,
        id: i64,
        change: AlertChange,
        audit: AuditEntry,
    ) -> StoreFuture<'_, AlertUpdate> {
        self.write(move |conn| web::change_alert(conn, id, change, &audit))
    }

    fn ticket_stats_rows(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<TicketStatsRow>> {
        self.read(move |conn| sqlite_report::ticket_stats_rows(conn, &filter))
    }

    fn complaint_counts(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<ComplaintCount>> {
        self.read(move |conn| sqlite_report::complaint_counts(conn, &filter))
    }

    fn rating_counts(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<RatingCount>> {
        self.read(move |conn| sqlite_report::rating_counts(conn, &filter))
    }

    fn rating_staff_counts(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<RatingStaffCount>> {
        self.read(move |conn| sqlite_report::rating_staff_counts(conn, &filter))
    }

    fn survey_rows(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<SurveyRow>> {
        self.read(move |conn| sqlite_report::survey_rows(conn, &filter))
    }

    fn create_booking(&self, booking: NewBooking) -> StoreFuture<'_, BookingWrite> {
        self.write(move |conn| bookings::create(conn, &booking))
    }

    fn booking(&self, key: BookingKey) -> StoreFuture<'_, Option<BookingRecord>> {
        self.read(move |conn| bookings::booking(conn, &key))
    }

    fn cancel_booking(
        &self,
        code: String,
        at: DateTime<Utc>,
        audit: Option<AuditEntry>,
    ) -> StoreFuture<'_, BookingWrite> {
        self.write(move |conn| bookings::cancel(conn, &code, at, audit.as_ref()))
    }

    fn move_booking(
        &self,
        code: String,
        to: BookingMove,
        at: DateTime<Utc>,
        audit: Option<AuditEntry>,
    ) -> StoreFuture<'_, BookingWrite> {
        self.write(move |conn| bookings::move_to(conn, &code, &to, at, audit.as_ref()))
    }

    fn bookings(&self, filter: BookingFilter) -> StoreFuture<'_, Vec<BookingRecord>> {
        self.read(move |conn| bookings::list(conn, &filter))
    }

    fn slots_taken(
        &self,
        site: String,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreFuture<'_, Vec<SlotTaken>> {
        self.read(move |conn| bookings::slots_taken(conn, &site, from, to))
    }

    fn reminder_candidates(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreFuture<'_, Vec<ReminderCandidate>> {
        self.read(move |conn| bookings::reminder_candidates(conn, from, to))
    }

    fn claim_reminder(&self, id: i64, kind: String, at: DateTime<Utc>) -> StoreFuture<'_, bool> {
        self.write(move |conn| bookings::claim_reminder(conn, id, &kind, at))
    }

    fn release_reminder(&self, id: i64, kind: String) -> StoreFuture<'_, ()> {
        self.write(move |conn| bookings::release_reminder(conn, id, &kind))
    }

    fn mark_no_shows(&self, today: NaiveDate, at: DateTime<Utc>) -> StoreFuture<'_, u64> {
        self.write(move |conn| bookings::mark_no_shows(conn, today, at))
    }

    fn no_show_count(&self, phone_mac: String, since: NaiveDate) -> StoreFuture<'_, u32> {
        self.read(move |conn| bookings::no_show_count(conn, &phone_mac, since))
    }

    fn callbacks(&self, done_too: bool, limit: u32) -> StoreFuture<'_, Vec<CallbackRecord>> {
        self.read(move |conn| calls::callbacks(conn, done_too, limit))
    }

    fn complete_callback(
        &self,
        id: i64,
        by: String,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> StoreFuture<'_, bool> {
        self.write(move |conn| calls::complete_callback(conn, id, &by, at, &audit))
    }

    fn video_calls(&self, limit: u32) -> StoreFuture<'_, Vec<VideoCallRow>> {
        self.read(move |conn| calls::video_calls(conn, limit))
    }

    fn video_call_rows(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<VideoCallRow>> {
        self.read(move |conn| calls::video_call_rows(conn, &filter))
    }

    fn insert_application(
        &self,
        application: NewApplication,
    ) -> StoreFuture<'_, ApplicationInsert> {
        self.write(move |conn| applications::insert(conn, &application))
    }

    fn applications(&self, filter: ApplicationFilter) -> StoreFuture<'_, Vec<ApplicationRow>> {
        self.read(move |conn| applications::list(conn, &filter))
    }

    fn application(&self, code: String) -> StoreFuture<'_, Option<ApplicationRecord>> {
        self.read(move |conn| applications::one(conn, &code))
    }

    fn application_envelope(&self, code: String) -> StoreFuture<'_, Option<Vec<u8>>> {
        self.read(move |conn| applications::envelope(conn, &code))
    }

    fn applications_by_holder(
        &self,
        holder_mac: String,
        limit: u32,
    ) -> StoreFuture<'_, Vec<ApplicationRecord>> {
        self.read(move |conn| applications::by_holder(conn, &holder_mac, limit))
    }

    fn decide_application(
        &self,
        decision: Decision,
        audit: AuditEntry,
    ) -> StoreFuture<'_, DecisionOutcome> {
        self.write(move |conn| applications::decide(conn, &decision, &audit))
    }
}

/// A rating from the columns of [`RATING_COLUMNS`] (the first [`super::RATING_COLUMN_COUNT`] of the
/// row).
fn rating_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RatingRecord> {
    let reasons: String = r.get(12)?;
    Ok(RatingRecord {
        key: r.get(0)?,
        device: r.get(1)?,
        site: r.get(2)?,
        rating: Rating {
            service: r.get(3)?,
            ticket: r.get(4)?,
            score: r.get(5)?,
            comment: r.get(6)?,
            window: r.get(9)?,
            staff_id: r.get(10)?,
            staff_name: r.get(11)?,
            reasons: super::reasons_of_column(&reasons),
            source: r.get(13)?,
        },
        created: time(r.get(7)?),
        received: time(r.get(8)?),
    })
}
