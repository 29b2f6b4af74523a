//! The PostgreSQL schema and its migrations.
//!
//! The tables and columns are those of the SQLite store (`sqlite.rs`), so a method is ported by
//! changing little more than placeholders and types: times are `BIGINT` milliseconds (`*_ms`), JSON
//! is kept as `TEXT`, days as `TEXT` (`YYYY-MM-DD`). `user` is a reserved word in PostgreSQL and is
//! always written `"user"`.
//!
//! [`migrate`] applies the migrations a database lacks in one transaction holding a transaction-level
//! advisory lock: centres starting at the same moment against one database take turns, and each
//! finds the schema either absent or complete (two concurrent `CREATE TABLE IF NOT EXISTS` would
//! otherwise fail in one of them). To change the schema, append a migration; never edit one that has
//! shipped. A migration runs inside that transaction, so it cannot use `CREATE INDEX CONCURRENTLY`.

use deadpool_postgres::Object;

use crate::error::StoreError;

/// The advisory lock key the migrations hold (`centre` in ASCII).
const MIGRATION_LOCK: i64 = 0x63_65_6e_74_72_65;

/// The migrations, in order: the schema version is the number applied.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema, the SQLite store's tables.
    r#"
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    token_sha256 TEXT UNIQUE
);
CREATE TABLE staff (
    "user" TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    demo BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    "user" TEXT NOT NULL REFERENCES staff("user") ON DELETE CASCADE,
    expires_ms BIGINT NOT NULL
);
CREATE TABLE items (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device TEXT NOT NULL REFERENCES devices(id),
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    received_ms BIGINT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (device, key)
);
CREATE INDEX items_kind_received ON items(kind, received_ms);
CREATE TABLE complaints (
    item_id BIGINT PRIMARY KEY REFERENCES items(id),
    device TEXT NOT NULL,
    key TEXT NOT NULL,
    about TEXT NOT NULL,
    text TEXT NOT NULL,
    contact TEXT,
    status TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    received_ms BIGINT NOT NULL
);
CREATE INDEX complaints_key ON complaints(key);
CREATE INDEX complaints_received ON complaints(received_ms, item_id);
CREATE TABLE ratings (
    item_id BIGINT PRIMARY KEY REFERENCES items(id),
    device TEXT NOT NULL,
    key TEXT NOT NULL,
    service TEXT NOT NULL,
    ticket TEXT,
    score INTEGER NOT NULL,
    comment TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    received_ms BIGINT NOT NULL
);
CREATE INDEX ratings_received ON ratings(received_ms, item_id);
CREATE TABLE heartbeats (
    device TEXT PRIMARY KEY REFERENCES devices(id),
    item_id BIGINT NOT NULL REFERENCES items(id),
    created_ms BIGINT NOT NULL,
    received_ms BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE ticket_stats (
    device TEXT NOT NULL REFERENCES devices(id),
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES items(id),
    issued BIGINT NOT NULL,
    served BIGINT NOT NULL,
    no_show BIGINT NOT NULL,
    mean_wait_secs BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (device, day, service)
);
"#,
    // 2: the staff web app: townships, managers' sites, complaint handling, return calls, the audit
    // log and alerts (the SQLite store's schema version 2).
    r#"
ALTER TABLE devices ADD COLUMN township TEXT;
ALTER TABLE staff ADD COLUMN site TEXT;
ALTER TABLE complaints ADD COLUMN assignee TEXT;
ALTER TABLE complaints ADD COLUMN reply TEXT;
ALTER TABLE complaints ADD COLUMN replied_ms BIGINT;
ALTER TABLE complaints ADD COLUMN closed_ms BIGINT;
ALTER TABLE ratings ADD COLUMN return_outcome TEXT;
ALTER TABLE ratings ADD COLUMN return_user TEXT;
ALTER TABLE ratings ADD COLUMN return_ms BIGINT;
CREATE TABLE audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    "user" TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE alerts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device TEXT NOT NULL REFERENCES devices(id),
    rule TEXT NOT NULL,
    detail TEXT NOT NULL,
    state TEXT NOT NULL,
    raised_ms BIGINT NOT NULL,
    ack_user TEXT,
    ack_ms BIGINT,
    closed_user TEXT,
    closed_ms BIGINT
);
CREATE INDEX alerts_state ON alerts(state, device, rule);
"#,
    // 3: the reports: the ticket statistics' histogram, service times and hours (NULL for older
    // kiosks; filled from the stored items' bodies), and indexes by day and by time (the SQLite
    // store's schema version 3).
    r#"
ALTER TABLE ticket_stats ADD COLUMN wait_minutes TEXT;
ALTER TABLE ticket_stats ADD COLUMN service_count BIGINT;
ALTER TABLE ticket_stats ADD COLUMN service_total_secs BIGINT;
ALTER TABLE ticket_stats ADD COLUMN issued_by_hour TEXT;
UPDATE ticket_stats t SET
    wait_minutes = NULLIF(i.body::jsonb #>> '{data,wait_minutes}', '[]'),
    service_count = (i.body::jsonb #>> '{data,service_count}')::BIGINT,
    service_total_secs = (i.body::jsonb #>> '{data,service_total_secs}')::BIGINT,
    issued_by_hour = i.body::jsonb #>> '{data,issued_by_hour}'
FROM items i WHERE i.id = t.item_id;
CREATE INDEX ticket_stats_day ON ticket_stats(day);
CREATE INDEX complaints_created ON complaints(created_ms);
CREATE INDEX ratings_created ON ratings(created_ms);
CREATE INDEX items_kind_created ON items(kind, created_ms);
"#,
    // 4: the window that served a rated visit (NULL when the rating names none), filled from the
    // stored items' bodies (the SQLite store's schema version 4).
    r#"
ALTER TABLE ratings ADD COLUMN window_no INTEGER;
UPDATE ratings r SET window_no = (i.body::jsonb #>> '{data,window}')::INTEGER
FROM items i WHERE i.id = r.item_id;
"#,
    // 5: the bookings (the SQLite store's schema version 5): the bookings, the seats taken per slot
    // (a conditional upsert takes the last seat under the row's lock) and the reminders claimed.
    r#"
CREATE TABLE bookings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    manage_sha256 TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    end_ms BIGINT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    phone_mac TEXT NOT NULL,
    id_mac TEXT,
    id_masked TEXT,
    state TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    changed_ms BIGINT NOT NULL,
    ticket TEXT,
    checked_in_ms BIGINT,
    no_shows_before INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX bookings_site_day ON bookings(site, day, start_ms);
CREATE INDEX bookings_state_start ON bookings(state, start_ms);
CREATE INDEX bookings_phone ON bookings(phone_mac, state, day);
CREATE UNIQUE INDEX bookings_phone_slot ON bookings(site, service, start_ms, phone_mac)
    WHERE state = 'booked';
CREATE UNIQUE INDEX bookings_id_slot ON bookings(site, service, start_ms, id_mac)
    WHERE state = 'booked' AND id_mac IS NOT NULL;
CREATE TABLE booking_slots (
    site TEXT NOT NULL,
    service TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    taken INTEGER NOT NULL CHECK (taken >= 0),
    PRIMARY KEY (site, service, start_ms)
);
CREATE TABLE booking_reminders (
    booking_id BIGINT NOT NULL REFERENCES bookings(id),
    kind TEXT NOT NULL,
    claimed_ms BIGINT NOT NULL,
    PRIMARY KEY (booking_id, kind)
);
"#,
    // 6: who served a rated visit, the reasons ticked (the ids joined by commas in the body's order,
    // empty for none or for a `reasons` that is not an array) and where the rating was given, filled
    // from the stored items' bodies (the SQLite store's schema version 6).
    r#"
ALTER TABLE ratings ADD COLUMN staff_id TEXT;
ALTER TABLE ratings ADD COLUMN staff_name TEXT;
ALTER TABLE ratings ADD COLUMN reasons TEXT NOT NULL DEFAULT '';
ALTER TABLE ratings ADD COLUMN source TEXT;
UPDATE ratings r SET
    staff_id = i.body::jsonb #>> '{data,staff_id}',
    staff_name = i.body::jsonb #>> '{data,staff_name}',
    source = i.body::jsonb #>> '{data,source}',
    reasons = CASE WHEN jsonb_typeof(i.body::jsonb #> '{data,reasons}') = 'array' THEN COALESCE((
        SELECT string_agg(e.reason, ',' ORDER BY e.n)
        FROM jsonb_array_elements_text(i.body::jsonb #> '{data,reasons}') WITH ORDINALITY AS e(reason, n)
    ), '') ELSE '' END
FROM items i WHERE i.id = r.item_id;
"#,
    // 7: the video calls' call-backs (the SQLite store's schema version 7).
    r#"
CREATE TABLE callbacks (
    item_id BIGINT PRIMARY KEY REFERENCES items(id),
    device TEXT NOT NULL,
    phone TEXT NOT NULL,
    topic TEXT NOT NULL,
    reason TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    done_ms BIGINT,
    done_by TEXT
);
CREATE INDEX callbacks_open ON callbacks(done_ms, received_ms);
"#,
    // 8: the applications made at the kiosk, their envelopes sealed as received, and their steps
    // (the SQLite store's schema version 8).
    r#"
CREATE TABLE applications (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    device TEXT NOT NULL REFERENCES devices(id),
    site TEXT NOT NULL,
    masked_name TEXT NOT NULL,
    holder_mac TEXT NOT NULL,
    page_count INTEGER NOT NULL,
    received_ms BIGINT NOT NULL,
    state TEXT NOT NULL,
    state_ms BIGINT NOT NULL,
    note TEXT,
    deadline TEXT,
    envelope BYTEA NOT NULL,
    envelope_sha256 TEXT NOT NULL
);
CREATE INDEX applications_holder ON applications(holder_mac);
CREATE INDEX applications_state ON applications(state, received_ms);
CREATE TABLE application_steps (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL REFERENCES applications(code),
    state TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    "by" TEXT NOT NULL,
    note TEXT
);
CREATE INDEX application_steps_code ON application_steps(code, id);
"#,
];

/// The schema version this code writes.
pub(super) fn version() -> i32 {
    MIGRATIONS.len() as i32
}

/// Brings the database to [`version`]: creates `schema_version` when missing and applies the
/// migrations it lacks, all in one transaction under the migration lock. A database written by a
/// newer centre is refused.
pub(super) async fn migrate(client: &mut Object, now_ms: i64) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (
             version INTEGER PRIMARY KEY,
             applied_ms BIGINT NOT NULL
         )",
    )
    .await?;
    let current: i32 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::INTEGER FROM schema_version",
            &[],
        )
        .await?
        .get(0);
    if current > version() {
        return Err(StoreError::Corrupt {
            what: "schema",
            reason: format!(
                "version {current} was written by a newer centre (this one knows {})",
                version()
            ),
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let number = index as i32 + 1;
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_version (version, applied_ms) VALUES ($1, $2)",
            &[&number, &now_ms],
        )
        .await?;
        tracing::info!("PostgreSQL schema: migration {number} applied");
    }
    tx.commit().await?;
    Ok(())
}
