//! Calling: call next (services in order of preference, the priority fairness rule), call by
//! number, recall, no-show, and reprint requests by number.

use rusqlite::{OptionalExtension, params};

use super::{Ctx, QueueEngine};
use crate::{
    QueueError,
    events::EventPayload,
    fairness::{self, Pick, Turn},
    model::{Ticket, TicketStatus},
    sql,
    store::{day_str, query_ticket, query_tickets, to_ms},
};

impl QueueEngine {
    /// Calls the next ticket for a window: its services in order of preference, the priority
    /// fairness rule within a service. `None` when nobody waits.
    pub fn call_next(&self, window: u32) -> Result<Option<Ticket>, QueueError> {
        let wcfg = self
            .config
            .window(window)
            .ok_or(QueueError::UnknownWindow(window))?
            .clone();
        self.run(|c| {
            c.ensure_free(window)?;
            for service in &wcfg.services {
                let waiting = c.waiting_in_call_order(service)?;
                // Appointments come first in call order, earliest slot first.
                let due = waiting
                    .iter()
                    .find(|t| t.appointment.as_ref().is_some_and(|a| a.is_due(c.now)));
                let walk_ins: Vec<&Ticket> =
                    waiting.iter().filter(|t| !has_precedence(t)).collect();
                let first_priority = walk_ins.iter().find(|t| t.priority.is_priority());
                let first_normal = walk_ins.iter().find(|t| !t.priority.is_priority());
                let longest_normal_wait = walk_ins
                    .iter()
                    .filter(|t| !t.priority.is_priority())
                    .map(|t| c.now - t.enqueued_at)
                    .max();
                let longest_walk_in_wait = walk_ins.iter().map(|t| c.now - t.enqueued_at).max();
                let streak = c.streak(sql::PRIORITY_STREAK, service)?;
                let walk_in = match fairness::pick(
                    first_priority.is_some(),
                    longest_normal_wait,
                    streak,
                    &c.config.fairness,
                ) {
                    Some(Pick::Priority) => first_priority.copied(),
                    Some(Pick::Normal) => first_normal.copied(),
                    None => None,
                };
                let chosen = match fairness::appointment_turn(
                    due.is_some(),
                    longest_walk_in_wait,
                    c.streak(sql::APPOINTMENT_STREAK, service)?,
                    &c.config.appointments,
                ) {
                    Some(Turn::Appointment) => due,
                    Some(Turn::WalkIn) => walk_in,
                    None => None,
                };
                if let Some(t) = chosen {
                    let t = t.clone();
                    return c.call(&t, window, false).map(Some);
                }
            }
            Ok(None)
        })
    }

    /// Calls a specific ticket by number, out of order: a waiting ticket of one of the window's
    /// services, or a no-show within the late-arrival tolerance.
    pub fn call_number(&self, window: u32, number: &str) -> Result<Ticket, QueueError> {
        validate_number(number)?;
        let wcfg = self
            .config
            .window(window)
            .ok_or(QueueError::UnknownWindow(window))?
            .clone();
        self.run(|c| {
            c.ensure_free(window)?;
            let t = c
                .latest_with_number(number)?
                .ok_or_else(|| QueueError::TicketNotFound(number.to_owned()))?;
            if !wcfg.services.contains(&t.service) {
                return Err(QueueError::Conflict(format!(
                    "{number} 属于其他业务，本窗口不办理 / {number} belongs to service {} which window {window} does not serve",
                    t.service
                )));
            }
            let late_ok = t.status == TicketStatus::NoShow
                && t.finished_at.is_some_and(|f| f >= c.now - c.late_tolerance());
            if t.status != TicketStatus::Waiting && !late_ok {
                return Err(QueueError::Conflict(format!(
                    "{number} 当前状态为 {}，不能呼叫 / {number} is {} and cannot be called",
                    t.status.as_str(),
                    t.status.as_str()
                )));
            }
            c.call(&t, window, true)
        })
    }

    /// Calls the window's current ticket again. Beyond `max_recalls` the ticket becomes a
    /// no-show (or the recall is refused, depending on the configuration).
    pub fn recall(&self, window: u32) -> Result<Ticket, QueueError> {
        self.check_window(window)?;
        self.run(|c| {
            let t = c.current_in(window, &[TicketStatus::Called])?;
            if t.recalls >= c.config.max_recalls {
                if c.config.no_show_after_max_recalls {
                    return c.no_show(&t, window);
                }
                return Err(QueueError::RecallLimit {
                    number: t.number,
                    recalls: t.recalls,
                });
            }
            c.tx.execute(sql::COUNT_RECALL, [t.id])?;
            c.log(EventPayload::Recalled {
                ticket_id: t.id,
                number: t.number.clone(),
                service: t.service.clone(),
                window,
                recalls: t.recalls + 1,
            })?;
            c.reload(t.id)
        })
    }

    /// Marks the window's called ticket as not present.
    pub fn no_show(&self, window: u32) -> Result<Ticket, QueueError> {
        self.check_window(window)?;
        self.run(|c| {
            let t = c.current_in(window, &[TicketStatus::Called])?;
            c.no_show(&t, window)
        })
    }

    /// Asks the kiosk that issued today's ticket `number` to print it again.
    pub fn request_reprint(&self, window: u32, number: &str) -> Result<Ticket, QueueError> {
        self.check_window(window)?;
        validate_number(number)?;
        self.run(|c| {
            let t = c
                .latest_with_number(number)?
                .ok_or_else(|| QueueError::TicketNotFound(number.to_owned()))?;
            if !t.status.is_active() {
                return Err(QueueError::Conflict(format!(
                    "{number} 已结束，无需补打 / {number} is {} and needs no reprint",
                    t.status.as_str()
                )));
            }
            c.log(EventPayload::ReprintRequested {
                ticket_id: t.id,
                number: t.number.clone(),
                service: t.service.clone(),
                device: t.issued_by.clone(),
                window,
            })?;
            Ok(t)
        })
    }
}

impl Ctx<'_> {
    /// Waiting tickets of a service in call order (priority class first, then queue position).
    pub(super) fn waiting_in_call_order(&self, service: &str) -> Result<Vec<Ticket>, QueueError> {
        query_tickets(
            &self.tx,
            sql::WAITING_IN_CALL_ORDER,
            params![day_str(self.day), service],
        )
    }

    /// A streak counter of a service today (`sql::PRIORITY_STREAK` or
    /// `sql::APPOINTMENT_STREAK`).
    fn streak(&self, statement: &str, service: &str) -> Result<u32, QueueError> {
        Ok(self
            .tx
            .query_row(statement, params![day_str(self.day), service], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    pub(super) fn latest_with_number(&self, number: &str) -> Result<Option<Ticket>, QueueError> {
        query_ticket(
            &self.tx,
            sql::LATEST_WITH_NUMBER,
            params![day_str(self.day), number],
        )
    }

    fn call(&mut self, t: &Ticket, window: u32, out_of_order: bool) -> Result<Ticket, QueueError> {
        self.tx
            .execute(sql::MARK_CALLED, params![t.id, window, to_ms(self.now)])?;
        // An appointment call counts in the appointment streak and leaves the priority streak;
        // a walk-in call ends the appointment streak and counts in the priority rule.
        let streaks: &[&str] = if has_precedence(t) {
            &[sql::BUMP_APPOINTMENT_STREAK]
        } else if t.priority.is_priority() {
            &[sql::RESET_APPOINTMENT_STREAK, sql::BUMP_PRIORITY_STREAK]
        } else {
            &[sql::RESET_APPOINTMENT_STREAK, sql::RESET_PRIORITY_STREAK]
        };
        self.service_day(&t.service)?;
        for statement in streaks {
            self.tx
                .execute(statement, params![day_str(self.day), t.service])?;
        }
        self.log(EventPayload::Called {
            ticket_id: t.id,
            number: t.number.clone(),
            service: t.service.clone(),
            window,
            out_of_order,
        })?;
        self.reload(t.id)
    }

    pub(super) fn no_show(&mut self, t: &Ticket, window: u32) -> Result<Ticket, QueueError> {
        self.tx
            .execute(sql::MARK_NO_SHOW, params![t.id, to_ms(self.now)])?;
        self.log(EventPayload::NoShow {
            ticket_id: t.id,
            number: t.number.clone(),
            service: t.service.clone(),
            window,
        })?;
        self.reload(t.id)
    }
}

/// Whether the appointment rule calls this ticket (a checked-in appointment that was not late
/// and was not put back in the queue).
fn has_precedence(t: &Ticket) -> bool {
    t.appointment.as_ref().is_some_and(|a| a.precedence)
}

/// Checks a ticket number: 1–3 capital letters and 3–4 digits (`A012`).
pub fn validate_number(number: &str) -> Result<(), QueueError> {
    let letters = number.bytes().take_while(u8::is_ascii_uppercase).count();
    let digits = number.len() - letters;
    if (1..=3).contains(&letters)
        && (3..=4).contains(&digits)
        && number.bytes().skip(letters).all(|b| b.is_ascii_digit())
    {
        Ok(())
    } else {
        Err(QueueError::invalid(
            "number",
            format!("{number:?} is not a ticket number like A012"),
        ))
    }
}
