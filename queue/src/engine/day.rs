//! The business day: it only moves forward, and the first transaction of a new day applies the
//! daily reset.

use chrono::{Duration, NaiveDate};
use rusqlite::params;

use super::{Ctx, QueueEngine};
use crate::{
    QueueError,
    events::EventPayload,
    sql,
    store::{self, day_str, meta_get, meta_set, to_ms},
};

impl QueueEngine {
    /// Applies the daily reset if the reset time has passed and erases expired phone links;
    /// call it periodically so the `day_reset` event goes out even when nobody takes a ticket.
    pub fn tick(&self) -> Result<NaiveDate, QueueError> {
        self.run(|c| {
            c.expire_phone_links()?;
            Ok(c.day)
        })
    }

    /// The current business day (never earlier than a day already used).
    pub fn current_day(&self) -> Result<NaiveDate, QueueError> {
        self.tick()
    }
}

impl Ctx<'_> {
    /// The daily reset: the business day only moves forward. When the clock reaches a later
    /// day, earlier days' active tickets are cancelled, their identity tokens and phone page
    /// capabilities erased, earlier days' events and booked slots deleted, windows closed and old
    /// retry keys dropped, all in this transaction, and the day key is replaced
    /// (the old one zeroized). A clock that goes back keeps the later day, so numbers are never
    /// reused.
    pub(super) fn ensure_day(&mut self) -> Result<(), QueueError> {
        let clock_day = self.day;
        let stored = meta_get(&self.tx, "current_day")?
            .map(|s| store::parse_day(&s))
            .transpose()?;
        if let Some(stored) = stored
            && stored >= clock_day
        {
            self.day = stored;
            return Ok(());
        }
        let today = day_str(clock_day);
        let now = to_ms(self.now);
        let cancelled = self
            .tx
            .execute(sql::CANCEL_EARLIER_DAYS, params![today, now])?;
        self.tx.execute(sql::ERASE_EARLIER_SECRETS, [&today])?;
        self.tx.execute(sql::DELETE_EARLIER_BOOKINGS, [&today])?;
        self.erased = true;
        self.tx.execute(sql::CLOSE_ALL_WINDOWS, [now])?;
        self.tx.execute(
            sql::DELETE_OLD_IDEMPOTENCY_KEYS,
            [now - Duration::days(2).num_milliseconds()],
        )?;
        meta_set(&self.tx, "current_day", &today)?;
        // After `current_day` moved: the log's trigger keeps that day's events only.
        self.tx.execute(sql::DELETE_EARLIER_EVENTS, [&today])?;
        // Should this transaction fail, the next one resets again: only the tokens of the days
        // being reset were sealed with the old key, and those are erased anyway.
        self.day_key.rotate();
        self.log(EventPayload::DayReset {
            from: stored,
            cancelled: u32::try_from(cancelled).unwrap_or(u32::MAX),
        })
    }
}
