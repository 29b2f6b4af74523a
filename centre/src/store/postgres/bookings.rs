//! The PostgreSQL side of the bookings (migration 5): the same queries as SQLite's
//! (`sqlite/bookings.rs`). The last seat of a slot: the conditional upsert of `booking_slots` takes
//! the slot row's lock, so concurrent bookings of one slot (in any process) take turns and a booking
//! finding `taken = capacity` gets no row. The same person twice in one slot: the partial unique
//! indexes `bookings_phone_slot` and `bookings_id_slot` refuse the second insert (a unique violation,
//! answered as [`BookingWrite::Duplicate`]).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use deadpool_postgres::{Object, Transaction};
use tokio_postgres::{GenericClient, Row, error::SqlState};

use super::{
    rows::{ms, time},
    web::execute_audit,
};
use crate::{
    error::StoreError,
    store::{
        AuditEntry, BookingFilter, BookingKey, BookingMove, BookingRecord, BookingWrite,
        NewBooking, ReminderCandidate, SlotTaken,
        bookings::{BOOKING_COLUMNS, day_start_ms, state_of},
    },
};

fn record(row: &Row) -> Result<BookingRecord, StoreError> {
    let day: String = row.try_get(4)?;
    let state: String = row.try_get(12)?;
    let no_shows: i32 = row.try_get(18)?;
    Ok(BookingRecord {
        id: row.try_get(0)?,
        code: row.try_get(1)?,
        site: row.try_get(2)?,
        service: row.try_get(3)?,
        day: day
            .parse()
            .map_err(|err: chrono::ParseError| StoreError::Corrupt {
                what: "booking day",
                reason: err.to_string(),
            })?,
        start: time(row.try_get(5)?),
        end: time(row.try_get(6)?),
        name: row.try_get(7)?,
        phone: row.try_get(8)?,
        phone_mac: row.try_get(9)?,
        id_mac: row.try_get(10)?,
        id_masked: row.try_get(11)?,
        state: state_of(&state)?,
        created: time(row.try_get(13)?),
        created_by: row.try_get(14)?,
        changed: time(row.try_get(15)?),
        ticket: row.try_get(16)?,
        checked_in: row.try_get::<_, Option<i64>>(17)?.map(time),
        no_shows_before: u32::try_from(no_shows).unwrap_or(0),
    })
}

async fn by_code(
    client: &impl GenericClient,
    code: &str,
    lock: bool,
) -> Result<Option<BookingRecord>, StoreError> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE code = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    client
        .query_opt(&sql, &[&code])
        .await?
        .as_ref()
        .map(record)
        .transpose()
}

pub(super) async fn booking(
    client: &Object,
    key: &BookingKey,
) -> Result<Option<BookingRecord>, StoreError> {
    match key {
        BookingKey::Code(code) => by_code(&***client, code, false).await,
        BookingKey::Manage(hash) => client
            .query_opt(
                &format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE manage_sha256 = $1"),
                &[hash],
            )
            .await?
            .as_ref()
            .map(record)
            .transpose(),
    }
}

async fn take_seat(
    tx: &Transaction<'_>,
    site: &str,
    service: &str,
    start: DateTime<Utc>,
    capacity: u32,
) -> Result<bool, StoreError> {
    let capacity = i32::try_from(capacity).unwrap_or(i32::MAX);
    Ok(tx
        .query_opt(
            "INSERT INTO booking_slots (site, service, start_ms, taken) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (site, service, start_ms) DO UPDATE SET taken = booking_slots.taken + 1 \
             WHERE booking_slots.taken < $4 RETURNING taken",
            &[&site, &service, &ms(start), &capacity],
        )
        .await?
        .is_some())
}

async fn give_seat_back(
    tx: &Transaction<'_>,
    site: &str,
    service: &str,
    start: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE booking_slots SET taken = taken - 1 \
         WHERE site = $1 AND service = $2 AND start_ms = $3 AND taken > 0",
        &[&site, &service, &ms(start)],
    )
    .await?;
    Ok(())
}

async fn holds_slot(
    tx: &Transaction<'_>,
    site: &str,
    service: &str,
    start: DateTime<Utc>,
    phone_mac: &str,
    id_mac: Option<&str>,
    except: i64,
) -> Result<bool, StoreError> {
    Ok(tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM bookings WHERE site = $1 AND service = $2 \
             AND start_ms = $3 AND state = 'booked' AND id <> $6 \
             AND (phone_mac = $4 OR ($5::TEXT IS NOT NULL AND id_mac = $5)))",
            &[&site, &service, &ms(start), &phone_mac, &id_mac, &except],
        )
        .await?
        .try_get(0)?)
}

/// A unique violation of the person-per-slot indexes (another process won the race).
fn duplicate(err: &tokio_postgres::Error) -> Option<BookingWrite> {
    let db = err.as_db_error()?;
    if db.code() != &SqlState::UNIQUE_VIOLATION {
        return None;
    }
    match db.constraint() {
        Some("bookings_phone_slot" | "bookings_id_slot") => Some(BookingWrite::Duplicate),
        Some(_) => Some(BookingWrite::CodeTaken),
        None => None,
    }
}

pub(super) async fn create(
    client: &mut Object,
    b: &NewBooking,
) -> Result<BookingWrite, StoreError> {
    let tx = client.transaction().await?;
    if holds_slot(
        &tx,
        &b.site,
        &b.service,
        b.start,
        &b.phone_mac,
        b.id_mac.as_deref(),
        -1,
    )
    .await?
    {
        return Ok(BookingWrite::Duplicate);
    }
    if !take_seat(&tx, &b.site, &b.service, b.start, b.capacity).await? {
        return Ok(BookingWrite::SlotFull);
    }
    let no_shows = i32::try_from(b.no_shows_before).unwrap_or(i32::MAX);
    let inserted = tx
        .execute(
            "INSERT INTO bookings (code, manage_sha256, site, service, day, start_ms, end_ms, name, \
             phone, phone_mac, id_mac, id_masked, state, created_ms, created_by, changed_ms, \
             no_shows_before) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'booked', \
             $13, $14, $13, $15)",
            &[
                &b.code,
                &b.manage_sha256,
                &b.site,
                &b.service,
                &b.day.to_string(),
                &ms(b.start),
                &ms(b.end),
                &b.name,
                &b.phone,
                &b.phone_mac,
                &b.id_mac,
                &b.id_masked,
                &ms(b.created),
                &b.created_by,
                &no_shows,
            ],
        )
        .await;
    if let Err(err) = inserted {
        return match duplicate(&err) {
            Some(outcome) => Ok(outcome),
            None => Err(err.into()),
        };
    }
    if let Some(entry) = &b.audit {
        execute_audit(&*tx, entry).await?;
    }
    let stored = by_code(&*tx, &b.code, false).await?;
    tx.commit().await?;
    Ok(stored.map_or(BookingWrite::NotFound, BookingWrite::Done))
}

pub(super) async fn cancel(
    client: &mut Object,
    code: &str,
    at: DateTime<Utc>,
    audit: Option<&AuditEntry>,
) -> Result<BookingWrite, StoreError> {
    let tx = client.transaction().await?;
    let Some(before) = by_code(&*tx, code, true).await? else {
        return Ok(BookingWrite::NotFound);
    };
    if before.state != content::BookingState::Booked {
        return Ok(BookingWrite::NotActive(before.state));
    }
    tx.execute(
        "UPDATE bookings SET state = 'cancelled', changed_ms = $2 WHERE id = $1",
        &[&before.id, &ms(at)],
    )
    .await?;
    give_seat_back(&tx, &before.site, &before.service, before.start).await?;
    if let Some(entry) = audit {
        execute_audit(&*tx, entry).await?;
    }
    let after = by_code(&*tx, code, false).await?;
    tx.commit().await?;
    Ok(after.map_or(BookingWrite::NotFound, BookingWrite::Done))
}

pub(super) async fn move_to(
    client: &mut Object,
    code: &str,
    to: &BookingMove,
    at: DateTime<Utc>,
    audit: Option<&AuditEntry>,
) -> Result<BookingWrite, StoreError> {
    let tx = client.transaction().await?;
    let Some(before) = by_code(&*tx, code, true).await? else {
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
    )
    .await?
    {
        return Ok(BookingWrite::Duplicate);
    }
    if !take_seat(&tx, &before.site, &before.service, to.start, to.capacity).await? {
        return Ok(BookingWrite::SlotFull);
    }
    give_seat_back(&tx, &before.site, &before.service, before.start).await?;
    let moved = tx
        .execute(
            "UPDATE bookings SET day = $2, start_ms = $3, end_ms = $4, changed_ms = $5 WHERE id = $1",
            &[&before.id, &to.day.to_string(), &ms(to.start), &ms(to.end), &ms(at)],
        )
        .await;
    if let Err(err) = moved {
        return match duplicate(&err) {
            Some(outcome) => Ok(outcome),
            None => Err(err.into()),
        };
    }
    tx.execute(
        "DELETE FROM booking_reminders WHERE booking_id = $1",
        &[&before.id],
    )
    .await?;
    if let Some(entry) = audit {
        execute_audit(&*tx, entry).await?;
    }
    let after = by_code(&*tx, code, false).await?;
    tx.commit().await?;
    Ok(after.map_or(BookingWrite::NotFound, BookingWrite::Done))
}

pub(super) async fn list(
    client: &Object,
    filter: &BookingFilter,
) -> Result<Vec<BookingRecord>, StoreError> {
    client
        .query(
            &format!(
                "SELECT {BOOKING_COLUMNS} FROM bookings WHERE ($1::TEXT IS NULL OR site = $1) \
                 AND day >= $2 AND day <= $3 ORDER BY start_ms, code COLLATE \"C\" LIMIT $4"
            ),
            &[
                &filter.site,
                &filter.from.to_string(),
                &filter.to.to_string(),
                &i64::from(filter.limit),
            ],
        )
        .await?
        .iter()
        .map(record)
        .collect()
}

pub(super) async fn slots_taken(
    client: &Object,
    site: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SlotTaken>, StoreError> {
    let end = day_start_ms(to + Duration::days(1));
    client
        .query(
            "SELECT service, start_ms, taken FROM booking_slots \
             WHERE site = $1 AND start_ms >= $2 AND start_ms < $3 AND taken > 0 \
             ORDER BY start_ms, service COLLATE \"C\"",
            &[&site, &day_start_ms(from), &end],
        )
        .await?
        .iter()
        .map(|row| {
            let taken: i32 = row.try_get(2)?;
            Ok(SlotTaken {
                service: row.try_get(0)?,
                start: time(row.try_get(1)?),
                taken: u32::try_from(taken).unwrap_or(0),
            })
        })
        .collect()
}

pub(super) async fn reminder_candidates(
    client: &Object,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ReminderCandidate>, StoreError> {
    let bookings: Vec<BookingRecord> = client
        .query(
            &format!(
                "SELECT {BOOKING_COLUMNS} FROM bookings WHERE state = 'booked' \
                 AND start_ms >= $1 AND start_ms < $2 ORDER BY start_ms, code COLLATE \"C\""
            ),
            &[&ms(from), &ms(to)],
        )
        .await?
        .iter()
        .map(record)
        .collect::<Result<_, _>>()?;
    let claimed: Vec<(i64, String)> = client
        .query(
            "SELECT r.booking_id, r.kind FROM booking_reminders r JOIN bookings b \
             ON b.id = r.booking_id WHERE b.state = 'booked' AND b.start_ms >= $1 AND b.start_ms < $2",
            &[&ms(from), &ms(to)],
        )
        .await?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, StoreError>>()?;
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

pub(super) async fn claim_reminder(
    client: &Object,
    id: i64,
    kind: &str,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(client
        .execute(
            "INSERT INTO booking_reminders (booking_id, kind, claimed_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (booking_id, kind) DO NOTHING",
            &[&id, &kind, &ms(at)],
        )
        .await?
        == 1)
}

pub(super) async fn release_reminder(
    client: &Object,
    id: i64,
    kind: &str,
) -> Result<(), StoreError> {
    client
        .execute(
            "DELETE FROM booking_reminders WHERE booking_id = $1 AND kind = $2",
            &[&id, &kind],
        )
        .await?;
    Ok(())
}

pub(super) async fn mark_no_shows(
    client: &Object,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(client
        .execute(
            "UPDATE bookings SET state = 'no_show', changed_ms = $2 WHERE state = 'booked' AND day < $1",
            &[&today.to_string(), &ms(at)],
        )
        .await?)
}

pub(super) async fn no_show_count(
    client: &Object,
    phone_mac: &str,
    since: NaiveDate,
) -> Result<u32, StoreError> {
    let n: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM bookings WHERE phone_mac = $1 AND state = 'no_show' AND day >= $2",
            &[&phone_mac, &since.to_string()],
        )
        .await?
        .try_get(0)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The projection of a `booking_update` item (see the SQLite store's `apply_update`).
pub(super) async fn apply_update(
    tx: &Transaction<'_>,
    device: &str,
    update: &content::BookingUpdate,
    received: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE bookings SET state = $1, ticket = $2, checked_in_ms = $3, changed_ms = $4 \
         WHERE code = $5 AND site = (SELECT site FROM devices WHERE id = $6) \
         AND state IN ('booked', 'no_show', 'checked_in', 'late_walk_in')",
        &[
            &update.state.state().as_str(),
            &update.ticket,
            &ms(update.at),
            &received,
            &update.code,
            &device,
        ],
    )
    .await?;
    Ok(())
}
