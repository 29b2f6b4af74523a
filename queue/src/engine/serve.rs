//! The window's current ticket: start serving, complete with an outcome, transfer to another
//! service, hold and resume.

use rusqlite::params;

use super::{QueueEngine, call::validate_number};
use crate::{
    QueueError,
    events::EventPayload,
    model::{QueuePosition, Ticket, TicketStatus},
    sql,
    store::{day_str, query_ticket, to_ms},
};

impl QueueEngine {
    /// Starts serving the window's called ticket.
    pub fn start(&self, window: u32) -> Result<Ticket, QueueError> {
        self.check_window(window)?;
        self.run(|c| {
            let t = c.current_in(window, &[TicketStatus::Called])?;
            c.tx.execute(sql::MARK_SERVING, params![t.id, to_ms(c.now)])?;
            c.log(EventPayload::Started {
                ticket_id: t.id,
                number: t.number.clone(),
                service: t.service.clone(),
                window,
                staff: c.staff_at(window)?,
            })?;
            c.reload(t.id)
        })
    }

    /// Ends the window's ticket with an outcome code allowed by its service; its identity token
    /// is erased.
    pub fn complete(&self, window: u32, outcome: &str) -> Result<Ticket, QueueError> {
        self.check_window(window)?;
        self.run(|c| {
            let t = c.current_in(window, &[TicketStatus::Called, TicketStatus::Serving])?;
            let svc = c.service(&t.service)?;
            if !svc.accepts_outcome(outcome) {
                let allowed = if svc.outcomes.is_empty() {
                    "1-32 characters of a-z, 0-9 or '_'".to_owned()
                } else {
                    svc.outcomes.join(", ")
                };
                return Err(QueueError::invalid(
                    "outcome",
                    format!("{outcome:?} is not an outcome of {}: use {allowed}", svc.id),
                ));
            }
            c.tx.execute(sql::MARK_DONE, params![t.id, outcome, to_ms(c.now)])?;
            c.erased = true;
            c.log(EventPayload::Completed {
                ticket_id: t.id,
                number: t.number.clone(),
                service: t.service.clone(),
                window,
                outcome: outcome.to_owned(),
                staff: c.staff_at(window)?,
            })?;
            c.reload(t.id)
        })
    }

    /// Sends the window's ticket to another service, at the front or the back of its class.
    /// Returns the new row, which keeps the number and the phone page.
    pub fn transfer(
        &self,
        window: u32,
        service: &str,
        position: QueuePosition,
    ) -> Result<Ticket, QueueError> {
        self.check_window(window)?;
        if self.config.service(service).is_none() {
            return Err(QueueError::UnknownService(service.to_owned()));
        }
        self.run(|c| {
            let t = c.current_in(window, &[TicketStatus::Called, TicketStatus::Serving])?;
            let (capability, identity): (Option<String>, Option<String>) =
                c.tx.query_row(sql::TICKET_CAPABILITY_AND_IDENTITY, [t.id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            c.tx.execute(
                sql::MARK_TRANSFERRED,
                params![t.id, to_ms(c.now), format!("to:{service}")],
            )?;
            let seq: i64 = c.tx.query_row(sql::TICKET_SEQ, [t.id], |r| r.get(0))?;
            c.tx.execute(
                sql::INSERT_TRANSFERRED_TICKET,
                params![
                    day_str(t.day),
                    service,
                    seq,
                    t.number,
                    t.priority.as_str(),
                    to_ms(t.issued_at),
                    to_ms(c.now),
                    identity,
                    capability,
                    t.id,
                    t.issued_by,
                ],
            )?;
            let new_id = c.tx.last_insert_rowid();
            let key = match position {
                QueuePosition::Back => new_id,
                QueuePosition::Front => {
                    let min: Option<i64> = c.tx.query_row(
                        sql::MIN_WAITING_QUEUE_KEY,
                        params![day_str(c.day), service, new_id],
                        |r| r.get(0),
                    )?;
                    min.map_or(new_id, |m| m - 1)
                }
            };
            c.tx.execute(sql::SET_QUEUE_KEY, params![new_id, key])?;
            c.log(EventPayload::Transferred {
                ticket_id: t.id,
                new_ticket_id: new_id,
                number: t.number.clone(),
                from_service: t.service.clone(),
                to_service: service.to_owned(),
                position,
                window,
            })?;
            c.reload(new_id)
        })
    }

    /// Parks the window's ticket (the citizen fetches a document, …).
    pub fn hold(&self, window: u32) -> Result<Ticket, QueueError> {
        self.check_window(window)?;
        self.run(|c| {
            let t = c.current_in(window, &[TicketStatus::Called, TicketStatus::Serving])?;
            c.tx.execute(sql::MARK_HELD, params![t.id, to_ms(c.now)])?;
            c.log(EventPayload::Held {
                ticket_id: t.id,
                number: t.number.clone(),
                service: t.service.clone(),
                window,
            })?;
            c.reload(t.id)
        })
    }

    /// Brings back a ticket the window parked (the given number, or the one parked last).
    pub fn resume(&self, window: u32, number: Option<&str>) -> Result<Ticket, QueueError> {
        self.check_window(window)?;
        if let Some(n) = number {
            validate_number(n)?;
        }
        self.run(|c| {
            c.ensure_free(window)?;
            let day = day_str(c.day);
            let t = match number {
                Some(n) => query_ticket(&c.tx, sql::HELD_BY_NUMBER, params![day, window, n])?,
                None => query_ticket(&c.tx, sql::LAST_HELD, params![day, window])?,
            }
            .ok_or_else(|| {
                QueueError::Conflict(format!(
                    "窗口 {window} 没有暂停的号 / window {window} holds no such ticket"
                ))
            })?;
            let status = if t.started_at.is_some() {
                "serving"
            } else {
                "called"
            };
            c.tx.execute(sql::MARK_RESUMED, params![t.id, status])?;
            c.log(EventPayload::Resumed {
                ticket_id: t.id,
                number: t.number.clone(),
                service: t.service.clone(),
                window,
            })?;
            c.reload(t.id)
        })
    }
}
