//! Ratings (好差评) of a visit: one per ticket, given on the window's rating pad or on the phone
//! status page, only after the ticket was completed today.
//!
//! The queue host is the one place that enforces "one rating per ticket": the row is keyed by the
//! ticket and unique per day and number, so a second rating (from the pad and the phone, or a
//! retry whose answer was lost) is refused with [`QueueError::Conflict`]. Every completion counts
//! as served, whatever its outcome (a refused application is a visit worth rating too); a no-show,
//! a cancelled or a transferred row cannot be rated. The staff member named is the one on duty
//! when the ticket was completed (read from that day's `completed` event), not whoever is logged
//! in when the rating arrives.

use std::sync::PoisonError;

use rusqlite::{OptionalExtension as _, Row, params};

use super::{Ctx, QueueEngine, RatingSink};
use crate::{
    QueueError,
    events::EventPayload,
    model::{
        RATING_REASONS, RatingSource, StaffOnDuty, Ticket, TicketId, TicketRating, TicketStatus,
    },
    sql,
    store::{self, day_str, from_ms, query_ticket, to_ms},
};

/// Checks a rating's score (1 to 5) and reasons (ids of [`RATING_REASONS`], each once, at most
/// all of them), naming the field that is wrong.
pub fn validate_rating(score: u8, reasons: &[String]) -> Result<(), QueueError> {
    if !(1..=5).contains(&score) {
        return Err(QueueError::invalid(
            "score",
            format!("{score} is not a score: use 1 (very dissatisfied) to 5 (very satisfied)"),
        ));
    }
    for (i, reason) in reasons.iter().enumerate() {
        if !RATING_REASONS.contains(&reason.as_str()) {
            return Err(QueueError::invalid(
                "reasons",
                format!(
                    "{:?} is not a reason: use {}",
                    reason.chars().take(40).collect::<String>(),
                    RATING_REASONS.join(", ")
                ),
            ));
        }
        if reasons[..i].contains(reason) {
            return Err(QueueError::invalid(
                "reasons",
                format!("{reason:?} is given twice"),
            ));
        }
    }
    Ok(())
}

impl QueueEngine {
    /// Records the rating of ticket `ticket_id`, completed today, once; returns what the outbox
    /// sends to the centre. A second rating is a [`QueueError::Conflict`] ("该号已评价 / this
    /// ticket was already rated"), a ticket not completed (yet) too; a bad score or reason is
    /// [`QueueError::Invalid`] naming `score` or `reasons`.
    pub fn rate_ticket(
        &self,
        ticket_id: TicketId,
        score: u8,
        reasons: &[String],
        source: RatingSource,
    ) -> Result<TicketRating, QueueError> {
        validate_rating(score, reasons)?;
        let rating = self.run(|c| {
            let t = query_ticket(&c.tx, sql::TICKET_BY_ID, [ticket_id])?
                .ok_or_else(|| QueueError::TicketNotFound(ticket_id.to_string()))?;
            c.rate(&t, score, reasons, source)
        })?;
        self.tell_rated(&rating);
        Ok(rating)
    }

    /// [`rate_ticket`](Self::rate_ticket) for the rating pad of `window`: only a ticket that
    /// window served; another window's ticket answers [`QueueError::TicketNotFound`], like an
    /// unknown one.
    pub fn rate_at_window(
        &self,
        window: u32,
        ticket_id: TicketId,
        score: u8,
        reasons: &[String],
    ) -> Result<TicketRating, QueueError> {
        self.check_window(window)?;
        validate_rating(score, reasons)?;
        let rating = self.run(|c| {
            let t = query_ticket(&c.tx, sql::TICKET_BY_ID, [ticket_id])?
                .filter(|t| t.window == Some(window))
                .ok_or_else(|| QueueError::TicketNotFound(ticket_id.to_string()))?;
            c.rate(&t, score, reasons, RatingSource::Pad)
        })?;
        self.tell_rated(&rating);
        Ok(rating)
    }

    /// The rating given on the phone page behind `capability` (an expired link is not found).
    pub fn rate_by_capability(
        &self,
        capability: &str,
        score: u8,
        reasons: &[String],
    ) -> Result<TicketRating, QueueError> {
        validate_rating(score, reasons)?;
        let rating = self.run(|c| {
            let t = c.ticket_by_capability(capability)?;
            c.rate(&t, score, reasons, RatingSource::Phone)
        })?;
        self.tell_rated(&rating);
        Ok(rating)
    }

    /// Calls `sink` with every rating right after it is committed (the queue host queues it in
    /// its outbox for the centre). Replaces an earlier sink. The sink runs on the rating's
    /// thread, outside the engine's lock; it should not block for long.
    pub fn on_rated(&self, sink: RatingSink) {
        *self.rated.lock().unwrap_or_else(PoisonError::into_inner) = Some(sink);
    }

    fn tell_rated(&self, rating: &TicketRating) {
        let sink = self
            .rated
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(sink) = sink {
            sink(rating);
        }
    }

    /// The ratings recorded for business day `day`, oldest first (the host re-queues them for
    /// the centre; the outbox keys make that a no-op for those already queued).
    pub fn ratings_of_day(&self, day: chrono::NaiveDate) -> Result<Vec<TicketRating>, QueueError> {
        self.run(|c| {
            let mut stmt = c.tx.prepare_cached(sql::RATINGS_OF_DAY)?;
            let rows = stmt.query_map([day_str(day)], rating_from_row)?;
            rows.map(|r| r?).collect()
        })
    }
}

impl Ctx<'_> {
    fn rate(
        &mut self,
        t: &Ticket,
        score: u8,
        reasons: &[String],
        source: RatingSource,
    ) -> Result<TicketRating, QueueError> {
        if self.rating_of(&t.number)?.is_some() {
            return Err(QueueError::Conflict(format!(
                "该号已评价 / ticket {} was already rated",
                t.number
            )));
        }
        let window = match (t.status, t.window) {
            (TicketStatus::Done, Some(window)) if t.day == self.day => window,
            (TicketStatus::Done, _) => {
                return Err(QueueError::Conflict(format!(
                    "{} 不是今天办结的号，不能评价 / ticket {} was not completed today and cannot be rated",
                    t.number, t.number
                )));
            }
            (status, _) => {
                return Err(QueueError::Conflict(format!(
                    "{} 尚未办结，不能评价 / ticket {} is {} and cannot be rated before it is completed",
                    t.number,
                    t.number,
                    status.as_str()
                )));
            }
        };
        let staff = self.staff_who_completed(t.id)?;
        let rating = TicketRating {
            ticket_id: t.id,
            day: t.day,
            number: t.number.clone(),
            service: t.service.clone(),
            window,
            staff,
            score,
            reasons: reasons.to_vec(),
            source,
            rated_at: self.now,
        };
        self.tx.execute(
            sql::INSERT_RATING,
            params![
                rating.ticket_id,
                day_str(rating.day),
                rating.number,
                rating.service,
                rating.window,
                rating.staff.as_ref().map(|s| s.staff_id.as_str()),
                rating.staff.as_ref().map(|s| s.name.as_str()),
                rating.score,
                rating.reasons.join(","),
                source.as_str(),
                to_ms(rating.rated_at),
            ],
        )?;
        Ok(rating)
    }

    /// Today's rating of ticket `number`, if any.
    pub(super) fn rating_of(&self, number: &str) -> Result<Option<TicketRating>, QueueError> {
        self.tx
            .query_row(
                sql::RATING_BY_NUMBER,
                params![day_str(self.day), number],
                rating_from_row,
            )
            .optional()?
            .transpose()
    }

    /// The staff member named by the day's `completed` event of ticket `id`.
    fn staff_who_completed(&self, id: TicketId) -> Result<Option<StaffOnDuty>, QueueError> {
        let mut stmt = self.tx.prepare_cached(sql::COMPLETED_EVENTS_OF_DAY)?;
        let mut rows = stmt.query([day_str(self.day)])?;
        while let Some(row) = rows.next()? {
            let json: String = row.get(0)?;
            if let Ok(EventPayload::Completed {
                ticket_id, staff, ..
            }) = serde_json::from_str(&json)
                && ticket_id == id
            {
                return Ok(staff);
            }
        }
        Ok(None)
    }
}

fn rating_from_row(r: &Row<'_>) -> rusqlite::Result<Result<TicketRating, QueueError>> {
    let day: String = r.get(1)?;
    let staff_id: Option<String> = r.get(5)?;
    let staff_name: Option<String> = r.get(6)?;
    let reasons: String = r.get(8)?;
    let source: String = r.get(9)?;
    let Some(source) = RatingSource::parse(&source) else {
        return Ok(Err(QueueError::Corrupt(format!(
            "rating source {source:?}"
        ))));
    };
    Ok(Ok(TicketRating {
        ticket_id: r.get(0)?,
        day: store::parse_day(&day)?,
        number: r.get(2)?,
        service: r.get(3)?,
        window: r.get(4)?,
        staff: match (staff_name, staff_id) {
            (Some(name), Some(staff_id)) => Some(StaffOnDuty { name, staff_id }),
            _ => None,
        },
        score: r.get(7)?,
        reasons: reasons
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        source,
        rated_at: from_ms(r.get(10)?),
    }))
}
