//! Asking the centre for today's bookings, and handing them to the queue engine on the host.

use std::{sync::Arc, time::Duration};

use content::booking::{BookingClient, BookingState, Fetched, SiteBookings};
use queue::{BookedSlot, QueueConfig, QueueEngine};

use super::BookingBook;

/// How often the centre is asked. A booking made at the centre reaches the kiosk within this
/// (plus the request's time): the issue asks for "within a minute".
pub const POLL_EVERY: Duration = Duration::from_secs(20);

/// Polls the centre with `client` every `every` and keeps each new list in `book`; on the queue host
/// (`engine`), hands every new list (and, at start, the list kept from before) to the engine. Failures
/// are logged once per kind and the last list stays in use.
pub fn spawn_poll(
    book: BookingBook,
    mut client: BookingClient,
    engine: Option<Arc<QueueEngine>>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let (Some(engine), Some(list)) = (&engine, book.current()) {
            hand_to_engine(engine, &list).await;
        }
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_error: Option<String> = None;
        loop {
            tick.tick().await;
            match client.fetch(None).await {
                Ok(Fetched::Unchanged) => last_error = None,
                Ok(Fetched::New(list)) => {
                    last_error = None;
                    tracing::info!(
                        "bookings of {} for {}: {} received",
                        list.site,
                        list.day,
                        list.bookings.len()
                    );
                    if let Some(engine) = &engine {
                        hand_to_engine(engine, &list).await;
                    }
                    if let Err(err) = book.replace(list) {
                        tracing::warn!("{err}");
                    }
                }
                Err(err) => {
                    let text = err.to_string();
                    if last_error.as_deref() != Some(&text) {
                        tracing::warn!("today's bookings not updated, the last list stays: {text}");
                    }
                    last_error = Some(text);
                }
            }
        }
    })
}

async fn hand_to_engine(engine: &Arc<QueueEngine>, list: &SiteBookings) {
    let engine = Arc::clone(engine);
    let list = list.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let today = engine.config().business_day(engine.now());
        if list.day != today {
            return Ok(None);
        }
        let slots = booked_slots(&list, engine.config());
        engine.replace_bookings(&slots).map(Some)
    })
    .await;
    match outcome {
        Ok(Ok(Some(n))) => tracing::info!("queue: {n} booked slots today"),
        Ok(Ok(None)) => {}
        Ok(Err(err)) => tracing::warn!("the queue refused today's booking list: {err}"),
        Err(err) => tracing::warn!("handing the booking list to the queue failed: {err}"),
    }
}

/// The slots the queue engine keeps for the staff page and the appointment order: the bookings
/// still expected or already checked in (not cancelled, not no-shows) of a service the site's queue
/// offers. A booking of another service is left out with a warning, so one wrong entry does not
/// refuse the whole list.
pub fn booked_slots(list: &SiteBookings, config: &QueueConfig) -> Vec<BookedSlot> {
    list.bookings
        .iter()
        .filter(|b| {
            matches!(
                b.state,
                BookingState::Booked | BookingState::CheckedIn | BookingState::LateWalkIn
            )
        })
        .filter(|b| {
            let known = config.service(&b.service).is_some();
            if !known {
                tracing::warn!(
                    "booking {} is for service {:?}, which this site's queue does not offer",
                    b.code,
                    b.service
                );
            }
            known
        })
        .map(|b| BookedSlot {
            code: b.code.clone(),
            service: b.service.clone(),
            slot_start: b.start,
            slot_end: b.end,
            masked_name: b.masked_name.clone(),
        })
        .collect()
}
