//! Rows read back into the store's records, one small function per record. Each takes its columns
//! by position, in the order its query (next to it in `mod.rs`) selects them.

use chrono::{DateTime, NaiveDate, Utc};
use content::{Complaint, Heartbeat, Rating};
use tokio_postgres::Row;

use crate::{
    auth::Role,
    error::StoreError,
    store::{
        ComplaintRecord, ComplaintStatus, DeviceRecord, DeviceStatus, RatingRecord, Session,
        StaffAccount, TicketStatsRecord,
    },
};

/// Milliseconds since the epoch, as stored.
pub(super) fn ms(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

/// A stored time.
pub(super) fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn role(name: &str) -> Result<Role, StoreError> {
    Role::parse(name).ok_or(StoreError::Corrupt {
        what: "staff role",
        reason: format!("unknown role {name:?}"),
    })
}

fn count(what: &'static str, value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt {
        what,
        reason: format!("{value} is out of range"),
    })
}

/// `id, site, token_sha256, township`.
pub(super) fn device(row: &Row) -> Result<DeviceRecord, StoreError> {
    Ok(DeviceRecord {
        id: row.try_get(0)?,
        site: row.try_get(1)?,
        token_sha256: row.try_get(2)?,
        township: row.try_get(3)?,
    })
}

/// `"user", password_hash, role, demo, site`.
pub(super) fn staff(row: &Row) -> Result<StaffAccount, StoreError> {
    Ok(StaffAccount {
        user: row.try_get(0)?,
        password_hash: row.try_get(1)?,
        role: role(row.try_get(2)?)?,
        demo: row.try_get(3)?,
        site: row.try_get(4)?,
    })
}

/// `"user", role, expires_ms, site`.
pub(super) fn session(row: &Row) -> Result<Session, StoreError> {
    Ok(Session {
        user: row.try_get(0)?,
        role: role(row.try_get(1)?)?,
        expires: time(row.try_get(2)?),
        site: row.try_get(3)?,
    })
}

/// `id, site, received_ms, data, township, created_ms, item received_ms` (NULL before the first
/// heartbeat, except id, site and township).
pub(super) fn device_status(row: &Row) -> Result<DeviceStatus, StoreError> {
    let received: Option<i64> = row.try_get(2)?;
    let data: Option<String> = row.try_get(3)?;
    let heartbeat = data
        .map(|data| serde_json::from_str::<Heartbeat>(&data))
        .transpose()
        .map_err(|err| StoreError::Corrupt {
            what: "heartbeat",
            reason: err.to_string(),
        })?;
    let created: Option<i64> = row.try_get(5)?;
    let item_received: Option<i64> = row.try_get(6)?;
    Ok(DeviceStatus {
        id: row.try_get(0)?,
        site: row.try_get(1)?,
        last_seen: received.map(time),
        heartbeat,
        township: row.try_get(4)?,
        heartbeat_times: created.zip(item_received).map(|(c, r)| (time(c), time(r))),
    })
}

/// `key, device, site, about, text, contact, created_ms, received_ms, status`.
pub(super) fn complaint(row: &Row) -> Result<ComplaintRecord, StoreError> {
    let status: String = row.try_get(8)?;
    Ok(ComplaintRecord {
        key: row.try_get(0)?,
        device: row.try_get(1)?,
        site: row.try_get(2)?,
        complaint: Complaint {
            about: row.try_get(3)?,
            text: row.try_get(4)?,
            contact: row.try_get(5)?,
        },
        status: ComplaintStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
            what: "complaint status",
            reason: format!("unknown status {status:?}"),
        })?,
        created: time(row.try_get(6)?),
        received: time(row.try_get(7)?),
    })
}

/// The columns of [`RATING_COLUMNS`](crate::store::RATING_COLUMNS) (the first
/// [`RATING_COLUMN_COUNT`](crate::store::RATING_COLUMN_COUNT) of the row).
pub(super) fn rating(row: &Row) -> Result<RatingRecord, StoreError> {
    let score: i32 = row.try_get(5)?;
    let window: Option<i32> = row.try_get(9)?;
    let reasons: String = row.try_get(12)?;
    Ok(RatingRecord {
        key: row.try_get(0)?,
        device: row.try_get(1)?,
        site: row.try_get(2)?,
        rating: Rating {
            service: row.try_get(3)?,
            ticket: row.try_get(4)?,
            score: u8::try_from(score).map_err(|_| StoreError::Corrupt {
                what: "rating score",
                reason: format!("{score} is out of range"),
            })?,
            comment: row.try_get(6)?,
            window: window
                .map(|w| {
                    u32::try_from(w).map_err(|_| StoreError::Corrupt {
                        what: "rating window",
                        reason: format!("{w} is out of range"),
                    })
                })
                .transpose()?,
            staff_id: row.try_get(10)?,
            staff_name: row.try_get(11)?,
            reasons: crate::store::reasons_of_column(&reasons),
            source: row.try_get(13)?,
        },
        created: time(row.try_get(7)?),
        received: time(row.try_get(8)?),
    })
}

/// `device, day, service, issued, served, no_show, mean_wait_secs`.
pub(super) fn ticket_stats(row: &Row) -> Result<TicketStatsRecord, StoreError> {
    let day: String = row.try_get(1)?;
    Ok(TicketStatsRecord {
        device: row.try_get(0)?,
        day: day
            .parse::<NaiveDate>()
            .map_err(|err| StoreError::Corrupt {
                what: "ticket statistics day",
                reason: err.to_string(),
            })?,
        service: row.try_get(2)?,
        issued: count("tickets issued", row.try_get(3)?)?,
        served: count("tickets served", row.try_get(4)?)?,
        no_show: count("no-shows", row.try_get(5)?)?,
        mean_wait_secs: count("mean wait", row.try_get(6)?)?,
    })
}
