//! One outbox item and its projection in one transaction.
//!
//! Two centres (or two requests) storing the same device and key at once: the second `INSERT … ON
//! CONFLICT DO NOTHING` waits for the first transaction; when that commits it inserts nothing and
//! its `SELECT` (a new snapshot per statement in READ COMMITTED) reads the winner's row. PostgreSQL
//! groups concurrent commits into one WAL flush by itself, so there is no batching here.

use content::{OutboxMessage, OutboxPayload};
use deadpool_postgres::{Object, Transaction};

use super::rows::{ms, time};
use crate::{
    error::StoreError,
    store::{ComplaintStatus, NewItem, Receipt, Stored, report::StatsColumns},
};

/// Stores `item` in its own transaction; returns after the commit (durable: `synchronous_commit=on`).
pub(super) async fn store_item(client: &mut Object, item: &NewItem) -> Result<Stored, StoreError> {
    let tx = client.transaction().await?;
    let stored = store_one(&tx, item).await?;
    tx.commit().await?;
    Ok(stored)
}

async fn store_one(tx: &Transaction<'_>, item: &NewItem) -> Result<Stored, StoreError> {
    let message = &item.message;
    let (created, received) = (ms(message.created), ms(item.received));
    let insert = tx
        .prepare_cached(
            "INSERT INTO items (device, key, kind, created_ms, received_ms, body) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (device, key) DO NOTHING RETURNING id",
        )
        .await?;
    let inserted = tx
        .query_opt(
            &insert,
            &[
                &message.device,
                &message.key,
                &message.payload.kind(),
                &created,
                &received,
                &item.body,
            ],
        )
        .await?;
    let Some(row) = inserted else {
        return stored_before(tx, message).await;
    };
    let id: i64 = row.try_get(0)?;
    match &message.payload {
        OutboxPayload::Complaint(c) => {
            let insert = tx
                .prepare_cached(
                    "INSERT INTO complaints (item_id, device, key, about, text, contact, status, \
                     created_ms, received_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .await?;
            tx.execute(
                &insert,
                &[
                    &id,
                    &message.device,
                    &message.key,
                    &c.about,
                    &c.text,
                    &c.contact,
                    &ComplaintStatus::Received.as_str(),
                    &created,
                    &received,
                ],
            )
            .await?;
        }
        OutboxPayload::Rating(r) => {
            // At most RATING_MAX_WINDOW (checked before storing), so it fits.
            let window = r.window.and_then(|w| i32::try_from(w).ok());
            let insert = tx
                .prepare_cached(
                    "INSERT INTO ratings (item_id, device, key, service, ticket, score, comment, \
                     created_ms, received_ms, window_no, staff_id, staff_name, reasons, source) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                )
                .await?;
            tx.execute(
                &insert,
                &[
                    &id,
                    &message.device,
                    &message.key,
                    &r.service,
                    &r.ticket,
                    &i32::from(r.score),
                    &r.comment,
                    &created,
                    &received,
                    &window,
                    &r.staff_id,
                    &r.staff_name,
                    &crate::store::reasons_column(&r.reasons),
                    &r.source,
                ],
            )
            .await?;
        }
        OutboxPayload::TicketStats(s) => {
            let columns = StatsColumns::of(s);
            let upsert = tx
                .prepare_cached(
                    "INSERT INTO ticket_stats (device, day, service, item_id, issued, served, \
                     no_show, mean_wait_secs, created_ms, wait_minutes, service_count, \
                     service_total_secs, issued_by_hour) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                     ON CONFLICT (device, day, service) DO UPDATE SET item_id = EXCLUDED.item_id, \
                     issued = EXCLUDED.issued, served = EXCLUDED.served, \
                     no_show = EXCLUDED.no_show, mean_wait_secs = EXCLUDED.mean_wait_secs, \
                     created_ms = EXCLUDED.created_ms, wait_minutes = EXCLUDED.wait_minutes, \
                     service_count = EXCLUDED.service_count, \
                     service_total_secs = EXCLUDED.service_total_secs, \
                     issued_by_hour = EXCLUDED.issued_by_hour \
                     WHERE EXCLUDED.created_ms >= ticket_stats.created_ms",
                )
                .await?;
            tx.execute(
                &upsert,
                &[
                    &message.device,
                    &s.day.to_string(),
                    &s.service,
                    &id,
                    &i64::from(s.issued),
                    &i64::from(s.served),
                    &i64::from(s.no_show),
                    &i64::from(s.mean_wait_secs),
                    &created,
                    &columns.wait_minutes,
                    &columns.service_count.map(i64::from),
                    &columns.service_total_secs,
                    &columns.issued_by_hour,
                ],
            )
            .await?;
        }
        OutboxPayload::Heartbeat(h) => {
            let data = serde_json::to_string(h).map_err(|err| StoreError::Corrupt {
                what: "heartbeat",
                reason: err.to_string(),
            })?;
            // A late, older heartbeat proves the device alive but does not replace newer facts.
            let upsert = tx
                .prepare_cached(
                    "INSERT INTO heartbeats (device, item_id, created_ms, received_ms, data) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (device) DO UPDATE SET \
                     received_ms = GREATEST(heartbeats.received_ms, EXCLUDED.received_ms), \
                     item_id = CASE WHEN EXCLUDED.created_ms >= heartbeats.created_ms \
                         THEN EXCLUDED.item_id ELSE heartbeats.item_id END, \
                     data = CASE WHEN EXCLUDED.created_ms >= heartbeats.created_ms \
                         THEN EXCLUDED.data ELSE heartbeats.data END, \
                     created_ms = GREATEST(heartbeats.created_ms, EXCLUDED.created_ms)",
                )
                .await?;
            tx.execute(&upsert, &[&message.device, &id, &created, &received, &data])
                .await?;
        }
        OutboxPayload::NeedsSurvey(_) | OutboxPayload::VideoCall(_) => {}
        OutboxPayload::BookingUpdate(update) => {
            super::bookings::apply_update(tx, &message.device, update, received).await?;
        }
        OutboxPayload::CallbackRequest(request) => {
            let insert = tx
                .prepare_cached(
                    "INSERT INTO callbacks (item_id, device, phone, topic, reason, received_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .await?;
            tx.execute(
                &insert,
                &[
                    &id,
                    &message.device,
                    &request.phone,
                    &request.topic,
                    &request.reason.as_str(),
                    &received,
                ],
            )
            .await?;
        }
    }
    Ok(Stored::New(Receipt {
        key: message.key.clone(),
        device: message.device.clone(),
        // As stored (milliseconds), so the first answer and every repeat are the same.
        received: time(received),
    }))
}

/// The item this device stored under this key before: the same content ([`Stored::Again`]) or not
/// ([`Stored::Conflict`]).
async fn stored_before(
    tx: &Transaction<'_>,
    message: &OutboxMessage,
) -> Result<Stored, StoreError> {
    let select = tx
        .prepare_cached("SELECT body, received_ms FROM items WHERE device = $1 AND key = $2")
        .await?;
    let row = tx
        .query_one(&select, &[&message.device, &message.key])
        .await?;
    let body: String = row.try_get(0)?;
    let receipt = Receipt {
        key: message.key.clone(),
        device: message.device.clone(),
        received: time(row.try_get(1)?),
    };
    let before: Option<OutboxMessage> = serde_json::from_str(&body).ok();
    Ok(if before.as_ref() == Some(message) {
        Stored::Again(receipt)
    } else {
        Stored::Conflict(receipt)
    })
}
