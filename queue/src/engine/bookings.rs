//! The day's booked slots, handed to the queue host by the centre's booking service (replace
//! all), and their check-in state for the staff page.

use rusqlite::params;

use super::{Ctx, QueueEngine, issue::validate_booking_code};
use crate::{
    QueueError,
    events::EventPayload,
    model::{BookedSlot, BookingState, BookingTicket},
    sql,
    store::{day_str, from_ms, query_ticket, to_ms},
};

impl QueueEngine {
    /// Replaces the current business day's booked slots with `slots` (one transaction; stored,
    /// so a restarted host still has them; erased at the daily reset).
    ///
    /// Every slot must be of today, of a configured service, with a valid code (no code twice),
    /// a slot that ends after it starts, and a masked name (1-16 characters with a `*`): the
    /// first bad entry refuses the whole list.
    pub fn replace_bookings(&self, slots: &[BookedSlot]) -> Result<usize, QueueError> {
        for slot in slots {
            validate_slot(self, slot)?;
        }
        self.run(|c| {
            let day = day_str(c.day);
            let mut codes = std::collections::HashSet::new();
            for slot in slots {
                if c.config.business_day(slot.slot_start) != c.day {
                    return Err(QueueError::invalid(
                        "slot_start",
                        format!(
                            "booking {} is for {}, not today ({})",
                            slot.code,
                            c.config.business_day(slot.slot_start),
                            c.day
                        ),
                    ));
                }
                if !codes.insert(slot.code.as_str()) {
                    return Err(QueueError::invalid(
                        "code",
                        format!("booking {} appears twice", slot.code),
                    ));
                }
            }
            let removed = c.tx.execute(sql::DELETE_BOOKINGS_OF_DAY, [&day])?;
            c.erased |= removed > 0;
            for slot in slots {
                c.tx.execute(
                    sql::INSERT_BOOKING,
                    params![
                        day,
                        slot.code,
                        slot.service,
                        to_ms(slot.slot_start),
                        to_ms(slot.slot_end),
                        slot.masked_name,
                    ],
                )?;
            }
            c.log(EventPayload::BookingsReplaced {
                count: u32::try_from(slots.len()).unwrap_or(u32::MAX),
            })?;
            Ok(slots.len())
        })
    }

    /// The current business day's booked slots by start, each with the ticket of its check-in
    /// (its current row after transfers), if any.
    pub fn bookings(&self) -> Result<Vec<BookingState>, QueueError> {
        self.run(|c| c.bookings())
    }
}

impl Ctx<'_> {
    fn bookings(&self) -> Result<Vec<BookingState>, QueueError> {
        let day = day_str(self.day);
        let slots: Vec<BookedSlot> = {
            let mut stmt = self.tx.prepare_cached(sql::BOOKINGS_OF_DAY)?;
            let rows = stmt.query_map([&day], |r| {
                Ok(BookedSlot {
                    code: r.get(0)?,
                    service: r.get(1)?,
                    slot_start: from_ms(r.get(2)?),
                    slot_end: from_ms(r.get(3)?),
                    masked_name: r.get(4)?,
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        slots
            .into_iter()
            .map(|slot| {
                let ticket = match query_ticket(
                    &self.tx,
                    sql::TICKET_BY_APPOINTMENT,
                    params![day, slot.code],
                )? {
                    Some(first) => {
                        let check_in = first.appointment.as_ref().map(|a| a.check_in);
                        let current = self.reload(self.follow_transfers(first.id)?)?;
                        check_in.map(|check_in| BookingTicket {
                            number: current.number,
                            service: current.service,
                            status: current.status,
                            check_in,
                        })
                    }
                    None => None,
                };
                Ok(BookingState { slot, ticket })
            })
            .collect()
    }
}

fn validate_slot(engine: &QueueEngine, slot: &BookedSlot) -> Result<(), QueueError> {
    validate_booking_code(&slot.code)?;
    if engine.config().service(&slot.service).is_none() {
        return Err(QueueError::UnknownService(slot.service.clone()));
    }
    if slot.slot_end <= slot.slot_start {
        return Err(QueueError::invalid(
            "slot_end",
            format!("the slot of booking {} ends before it starts", slot.code),
        ));
    }
    let chars = slot.masked_name.chars().count();
    if !(1..=16).contains(&chars)
        || !slot.masked_name.contains('*')
        || slot.masked_name.chars().any(char::is_control)
    {
        return Err(QueueError::invalid(
            "masked_name",
            format!(
                "booking {}: a masked name has 1-16 characters with a '*' (张*三)",
                slot.code
            ),
        ));
    }
    Ok(())
}
