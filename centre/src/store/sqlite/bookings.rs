//! The SQLite side of the bookings: the schema step to version 5 and the queries.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};

use super::{ms, time, web::insert_audit};
use crate::{
    error::StoreError,
    store::{
        AuditEntry, BookingFilter, BookingKey, BookingMove, BookingRecord, BookingWrite,
        NewBooking, ReminderCandidate, SlotTaken,
        bookings::{BOOKING_COLUMNS, day_start_ms, state_of},
    },
};

/// Version 4 → 5: the bookings.
pub(super) const SCHEMA_V5: &str = "
CREATE TABLE bookings (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    manage_sha256 TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    phone_mac TEXT NOT NULL,
    id_mac TEXT,
    id_masked TEXT,
    state TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    changed_ms INTEGER NOT NULL,
    ticket TEXT,
    checked_in_ms INTEGER,
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
    start_ms INTEGER NOT NULL,
    taken INTEGER NOT NULL CHECK (taken >= 0),
    PRIMARY KEY (site, service, start_ms)
);
CREATE TABLE booking_reminders (
    booking_id INTEGER NOT NULL REFERENCES bookings(id),
    kind TEXT NOT NULL,
    claimed_ms INTEGER NOT NULL,
    PRIMARY KEY (booking_id, kind)
);
";

type Raw = (
    (i64, String, String, String, String, i64, i64, String),
    (
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        i64,
        String,
    ),
    (i64, Option<String>, Option<i64>, i64),
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        (
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
        ),
        (
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
            r.get(11)?,
            r.get(12)?,
            r.get(13)?,
            r.get(14)?,
        ),
        (r.get(15)?, r.get(16)?, r.get(17)?, r.get(18)?),
    ))
}

fn record(raw: Raw) -> Result<BookingRecord, StoreError> {
    let (
        (id, code, site, service, day, start, end, name),
        (phone, phone_mac, id_mac, id_masked, state, created, created_by),
        (changed, ticket, checked_in, no_shows_before),
    ) = raw;
    Ok(BookingRecord {
        id,
        code,
        site,
        service,
        day: day
            .parse()
            .map_err(|err: chrono::ParseError| StoreError::Corrupt {
                what: "booking day",
                reason: err.to_string(),
            })?,
        start: time(start),
        end: time(end),
        name,
        phone,
        phone_mac,
        id_mac,
        id_masked,
        state: state_of(&state)?,
        created: time(created),
        created_by,
        changed: time(changed),
        ticket,
        checked_in: checked_in.map(time),
        no_shows_before: u32::try_from(no_shows_before).unwrap_or(0),
    })
}

fn by_code(conn: &Connection, code: &str) -> Result<Option<BookingRecord>, StoreError> {
    conn.query_row(
        &format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE code = ?1"),
        [code],
        raw,
    )
    .optional()?
    .map(record)
    .transpose()
}

pub(super) fn booking(
    conn: &Connection,
    key: &BookingKey,
) -> Result<Option<BookingRecord>, StoreError> {
    match key {
        BookingKey::Code(code) => by_code(conn, code),
        BookingKey::Manage(hash) => conn
            .query_row(
                &format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE manage_sha256 = ?1"),
                [hash],
                raw,
            )
            .optional()?
            .map(record)
            .transpose(),
    }
}

/// Takes a seat of the slot when one is left: the new count, or none (full).
fn take_seat(
    conn: &Connection,
    site: &str,
    service: &str,
    start: DateTime<Utc>,
    capacity: u32,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "INSERT INTO booking_slots (site, service, start_ms, taken) VALUES (?1, ?2, ?3, 1) \
             ON CONFLICT (site, service, start_ms) DO UPDATE SET taken = booking_slots.taken + 1 \
             WHERE booking_slots.taken < ?4 RETURNING taken",
            params![site, service, ms(start), capacity],
            |r| r.get(0),
        )
        .optional()?)
}

fn give_seat_back(
    conn: &Connection,
    site: &str,
    service: &str,
    start_ms: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE booking_slots SET taken = taken - 1 \
         WHERE site = ?1 AND service = ?2 AND start_ms = ?3 AND taken > 0",
        params![site, service, start_ms],
    )?;
    Ok(())
}

/// Whether another booked booking (not `except`) of this slot has this phone or ID MAC.
fn holds_slot(
    conn: &Connection,
    site: &str,
    service: &str,
    start: DateTime<Utc>,
    phone_mac: &str,
    id_mac: Option<&str>,
    except: i64,
) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM bookings WHERE site = ?1 AND service = ?2 AND start_ms = ?3 \
         AND state = 'booked' AND id != ?6 AND (phone_mac = ?4 OR (?5 IS NOT NULL AND id_mac = ?5)))",
        params![site, service, ms(start), phone_mac, id_mac, except],
        |r| r.get(0),
    )?)
}

pub(super) fn create(conn: &mut Connection, b: &NewBooking) -> Result<BookingWrite, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if holds_slot(
        &tx,
        &b.site,
        &b.service,
        b.start,
        &b.phone_mac,
        b.id_mac.as_deref(),
        -1,
    )? {
        return Ok(BookingWrite::Duplicate);
    }
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM bookings WHERE code = ?1 OR manage_sha256 = ?2)",
        params![b.code, b.manage_sha256],
        |r| r.get(0),
    )?;
    if taken {
        return Ok(BookingWrite::CodeTaken);
    }
    if take_seat(&tx, &b.site, &b.service, b.start, b.capacity)?.is_none() {
        return Ok(BookingWrite::SlotFull);
    }
    tx.execute(
        "INSERT INTO bookings (code, manage_sha256, site, service, day, start_ms, end_ms, name, \
         phone, phone_mac, id_mac, id_masked, state, created_ms, created_by, changed_ms, \
         no_shows_before) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'booked', \
         ?13, ?14, ?13, ?15)",
        params![
            b.code,
            b.manage_sha256,
            b.site,
            b.service,
            b.day.to_string(),
            ms(b.start),
            ms(b.end),
            b.name,
            b.phone,
            b.phone_mac,
            b.id_mac,
            b.id_masked,
            ms(b.created),
            b.created_by,
            b.no_shows_before
        ],
    )?;
    if let Some(entry) = &b.audit {
        insert_audit(&tx, entry)?;
    }
    let stored = by_code(&tx, &b.code)?;
    tx.commit()?;
    stored.map_or(Ok(BookingWrite::NotFound), |r| Ok(BookingWrite::Done(r)))
}

pub(super) fn cancel(
    conn: &mut Connection,
    code: &str,
    at: DateTime<Utc>,
    audit: Option<&AuditEntry>,
) -> Result<BookingWrite, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(before) = by_code(&tx, code)? else {
        return Ok(BookingWrite::NotFound);
    };
    if before.state != content::BookingState::Booked {
        return Ok(BookingWrite::NotActive(before.state));
    }
    tx.execute(
        "UPDATE bookings SET state = 'cancelled', changed_ms = ?2 WHERE id = ?1",
        params![before.id, ms(at)],
    )?;
    give_seat_back(&tx, &before.site, &before.service, ms(before.start))?;
    if let Some(entry) = audit {
        insert_audit(&tx, entry)?;
    }
    let after = by_code(&tx, code)?;
    tx.commit()?;
    after.map_or(Ok(BookingWrite::NotFound), |r| Ok(BookingWrite::Done(r)))
}

pub(super) fn move_to(
    conn: &mut Connection,
    code: &str,
    to: &BookingMove,
    at: DateTime<Utc>,
    audit: Option<&AuditEntry>,
) -> Result<BookingWrite, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(before) = by_code(&tx, code)? else {
        return Ok(BookingWrite::NotFound);
    };
    if before.state != content::BookingState::Booked {
        return Ok(BookingWrite::NotActive(before.state));
    }
    if before.start == to.start {
        return Ok(BookingWrite::Done(before));
    }
    if holds_slot(
        &tx,
        &before.site,
        &before.service,
        to.start,
        &before.phone_mac,
        before.id_mac.as_deref(),
        before.id,
    )? {
        return Ok(BookingWrite::Duplicate);
    }
    if take_seat(&tx, &before.site, &before.service, to.start, to.capacity)?.is_none() {
        return Ok(BookingWrite::SlotFull);
    }
    give_seat_back(&tx, &before.site, &before.service, ms(before.start))?;
    tx.execute(
        "UPDATE bookings SET day = ?2, start_ms = ?3, end_ms = ?4, changed_ms = ?5 WHERE id = ?1",
        params![
            before.id,
            to.day.to_string(),
            ms(to.start),
            ms(to.end),
            ms(at)
        ],
    )?;
    // The reminders are for the new time.
    tx.execute(
        "DELETE FROM booking_reminders WHERE booking_id = ?1",
        [before.id],
    )?;
    if let Some(entry) = audit {
        insert_audit(&tx, entry)?;
    }
    let after = by_code(&tx, code)?;
    tx.commit()?;
    after.map_or(Ok(BookingWrite::NotFound), |r| Ok(BookingWrite::Done(r)))
}

pub(super) fn list(
    conn: &Connection,
    filter: &BookingFilter,
) -> Result<Vec<BookingRecord>, StoreError> {
    conn.prepare(&format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE (?1 IS NULL OR site = ?1) \
         AND day >= ?2 AND day <= ?3 ORDER BY start_ms, code LIMIT ?4"
    ))?
    .query_map(
        params![
            filter.site,
            filter.from.to_string(),
            filter.to.to_string(),
            filter.limit
        ],
        raw,
    )?
    .collect::<Result<Vec<_>, _>>()?
    .into_iter()
    .map(record)
    .collect()
}

pub(super) fn slots_taken(
    conn: &Connection,
    site: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SlotTaken>, StoreError> {
    let end = day_start_ms(to + Duration::days(1));
    let rows: Vec<(String, i64, i64)> = conn
        .prepare(
            "SELECT service, start_ms, taken FROM booking_slots \
             WHERE site = ?1 AND start_ms >= ?2 AND start_ms < ?3 AND taken > 0 \
             ORDER BY start_ms, service",
        )?
        .query_map(params![site, day_start_ms(from), end], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .map(|(service, start, taken)| SlotTaken {
            service,
            start: time(start),
            taken: u32::try_from(taken).unwrap_or(0),
        })
        .collect())
}

pub(super) fn reminder_candidates(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ReminderCandidate>, StoreError> {
    let bookings: Vec<BookingRecord> = conn
        .prepare(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE state = 'booked' \
             AND start_ms >= ?1 AND start_ms < ?2 ORDER BY start_ms, code"
        ))?
        .query_map(params![ms(from), ms(to)], raw)?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(record)
        .collect::<Result<_, _>>()?;
    let claimed: Vec<(i64, String)> = conn
        .prepare(
            "SELECT r.booking_id, r.kind FROM booking_reminders r JOIN bookings b \
             ON b.id = r.booking_id WHERE b.state = 'booked' AND b.start_ms >= ?1 AND b.start_ms < ?2",
        )?
        .query_map(params![ms(from), ms(to)], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(bookings
        .into_iter()
        .map(|booking| ReminderCandidate {
            claimed: claimed
                .iter()
                .filter(|(id, _)| *id == booking.id)
                .map(|(_, kind)| kind.clone())
                .collect(),
            booking,
        })
        .collect())
}

pub(super) fn claim_reminder(
    conn: &Connection,
    id: i64,
    kind: &str,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "INSERT INTO booking_reminders (booking_id, kind, claimed_ms) VALUES (?1, ?2, ?3) \
         ON CONFLICT (booking_id, kind) DO NOTHING",
        params![id, kind, ms(at)],
    )? == 1)
}

pub(super) fn release_reminder(conn: &Connection, id: i64, kind: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM booking_reminders WHERE booking_id = ?1 AND kind = ?2",
        params![id, kind],
    )?;
    Ok(())
}

pub(super) fn mark_no_shows(
    conn: &Connection,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let n = conn.execute(
        "UPDATE bookings SET state = 'no_show', changed_ms = ?2 WHERE state = 'booked' AND day < ?1",
        params![today.to_string(), ms(at)],
    )?;
    Ok(n as u64)
}

pub(super) fn no_show_count(
    conn: &Connection,
    phone_mac: &str,
    since: NaiveDate,
) -> Result<u32, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM bookings WHERE phone_mac = ?1 AND state = 'no_show' AND day >= ?2",
        params![phone_mac, since.to_string()],
        |r| r.get(0),
    )?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The projection of a `booking_update` item: the booking of the device's site checks in (also
/// after a no-show was recorded: the late check-in revokes it). A cancelled booking, or another
/// site's, is left as it is (the item is still stored).
pub(super) fn apply_update(
    tx: &Connection,
    device: &str,
    update: &content::BookingUpdate,
    received: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE bookings SET state = ?1, ticket = ?2, checked_in_ms = ?3, changed_ms = ?4 \
         WHERE code = ?5 AND site = (SELECT site FROM devices WHERE id = ?6) \
         AND state IN ('booked', 'no_show', 'checked_in', 'late_walk_in')",
        params![
            update.state.state().as_str(),
            update.ticket,
            ms(update.at),
            received,
            update.code,
            device
        ],
    )?;
    Ok(())
}
