//! Reading tickets (as printed, by day, on the phone page) and cancelling a waiting ticket.
//!
//! The phone page capability (the QR code on the ticket) is valid while the ticket is active,
//! for [`PHONE_LINK_GRACE_MINUTES`] after it ended (done, no-show, cancelled), and never past
//! the daily reset, which erases it.

use chrono::{Duration, NaiveDate};
use rusqlite::{OptionalExtension, params};

use super::{Ctx, QueueEngine};
use crate::{
    QueueError,
    events::EventPayload,
    model::{EtaRange, IssuedTicket, PhoneStatus, Ticket, TicketId, TicketStatus},
    sql,
    stats::{ServiceDayStats, day_stats},
    store::{day_str, query_ticket, query_tickets, to_ms},
    wire::routes,
};

/// Minutes a phone page link keeps working after its ticket ended (done, no-show, cancelled),
/// so the citizen can still read the outcome; at least the configured late-arrival tolerance,
/// during which a no-show may still be called. The daily reset ends every link anyway.
pub const PHONE_LINK_GRACE_MINUTES: u32 = 120;

impl QueueEngine {
    /// A ticket as the kiosk prints it (following transfers to the row that is current),
    /// whichever device issued it.
    ///
    /// Unscoped: the answer carries the phone page capability. The LAN service and the kiosk
    /// use [`ticket_for_device`](Self::ticket_for_device).
    #[deprecated(note = "unscoped: use ticket_for_device with the asking device's name")]
    pub fn ticket(&self, id: TicketId) -> Result<IssuedTicket, QueueError> {
        self.run(|c| {
            let id = c.follow_transfers(id)?;
            c.issued_view(id)
        })
    }

    /// A ticket as the kiosk prints it (following transfers to the row that is current), when
    /// `device` issued it (reprints).
    ///
    /// A ticket issued by another device answers [`QueueError::TicketNotFound`], exactly like an
    /// id that does not exist, so its existence does not leak.
    pub fn ticket_for_device(
        &self,
        id: TicketId,
        device: &str,
    ) -> Result<IssuedTicket, QueueError> {
        self.run(|c| {
            let t = c.ticket_of_device(id, device)?;
            let id = c.follow_transfers(t.id)?;
            c.issued_view(id)
        })
    }

    /// What the phone page behind a ticket's QR code shows. An expired link (see
    /// [`PHONE_LINK_GRACE_MINUTES`]) answers [`QueueError::TicketNotFound`], like an unknown one.
    pub fn phone_status(&self, capability: &str) -> Result<PhoneStatus, QueueError> {
        self.run(|c| {
            let t = c.ticket_by_capability(capability)?;
            let svc = c.service(&t.service)?;
            let (ahead, eta) = c.wait_of(&t)?;
            let rated = c.rating_of(&t.number)?.is_some();
            let window_name = t
                .window
                .and_then(|w| c.config.window(w))
                .map(|w| w.name_zh.clone());
            Ok(PhoneStatus {
                number: t.number.clone(),
                service_name: svc.name_zh.clone(),
                service_name_en: svc.name_en.clone(),
                status: t.status,
                ahead,
                eta_minutes: eta,
                window: t.window.filter(|_| t.status.is_active()),
                window_name: window_name.filter(|_| t.status.is_active()),
                issued_at: t.issued_at,
                can_rate: t.status == TicketStatus::Done && t.day == c.day && !rated,
                rated,
            })
        })
    }

    /// The citizen withdraws the ticket from the phone page (only while waiting; an expired
    /// link is not found).
    pub fn cancel_by_capability(&self, capability: &str) -> Result<(), QueueError> {
        self.run(|c| {
            let t = c.ticket_by_capability(capability)?;
            c.cancel(&t, "citizen")
        })
    }

    /// Withdraws a waiting ticket, whichever device issued it; `by` is recorded (outcome
    /// `cancelled_by_<by>`).
    ///
    /// Unscoped: the LAN service and the kiosk use
    /// [`cancel_for_device`](Self::cancel_for_device).
    #[deprecated(note = "unscoped: use cancel_for_device with the asking device's name")]
    pub fn cancel(&self, id: TicketId, by: &str) -> Result<(), QueueError> {
        self.run(|c| {
            let t = query_ticket(&c.tx, sql::TICKET_BY_ID, [id])?
                .ok_or_else(|| QueueError::TicketNotFound(id.to_string()))?;
            c.cancel(&t, by)
        })
    }

    /// A kiosk withdraws a waiting ticket it issued (e.g. the citizen changed their mind); the
    /// outcome is `cancelled_by_device`.
    ///
    /// A ticket issued by another device answers [`QueueError::TicketNotFound`], exactly like an
    /// id that does not exist.
    pub fn cancel_for_device(&self, id: TicketId, device: &str) -> Result<(), QueueError> {
        self.run(|c| {
            let t = c.ticket_of_device(id, device)?;
            c.cancel(&t, "device")
        })
    }

    /// Every ticket row of a business day (statistics, audits, tests), in id order.
    pub fn tickets_of_day(&self, day: NaiveDate) -> Result<Vec<Ticket>, QueueError> {
        self.run(|c| query_tickets(&c.tx, sql::TICKETS_OF_DAY, [day_str(day)]))
    }

    /// The anonymous statistics of a business day, per service ([`crate::stats::day_stats`] over
    /// its ticket rows, hours in the configured `utc_offset`).
    pub fn day_stats(&self, day: NaiveDate) -> Result<Vec<ServiceDayStats>, QueueError> {
        let tickets = self.tickets_of_day(day)?;
        Ok(day_stats(&tickets, day, self.config.utc_offset.0))
    }
}

impl Ctx<'_> {
    /// A ticket as printed: people ahead, wait range and the phone page URL.
    pub(super) fn issued_view(&self, id: TicketId) -> Result<IssuedTicket, QueueError> {
        let t = query_ticket(&self.tx, sql::TICKET_BY_ID, [id])?
            .ok_or_else(|| QueueError::TicketNotFound(id.to_string()))?;
        let (ahead, eta) = self.wait_of(&t)?;
        let status_url = match &t.capability {
            Some(cap) => routes::phone_page_url(self.status_base, cap),
            None => String::new(),
        };
        Ok(IssuedTicket {
            id: t.id,
            number: t.number,
            service: t.service,
            priority: t.priority,
            status: t.status,
            ahead,
            eta_minutes: eta,
            status_url,
            issued_at: t.issued_at,
        })
    }

    /// How long a phone link outlives its ticket.
    fn phone_link_grace(&self) -> Duration {
        Duration::minutes(i64::from(PHONE_LINK_GRACE_MINUTES)).max(self.late_tolerance())
    }

    /// The ticket behind a phone page capability, unless the link expired: its ticket ended
    /// more than the grace period ago, or belongs to an earlier business day.
    pub(super) fn ticket_by_capability(&self, capability: &str) -> Result<Ticket, QueueError> {
        let not_found = || QueueError::TicketNotFound("(capability)".into());
        if !is_capability(capability) {
            return Err(not_found());
        }
        let t = query_ticket(&self.tx, sql::TICKET_BY_CAPABILITY, [capability])?
            .ok_or_else(not_found)?;
        let ended_long_ago = !t.status.is_active()
            && t.finished_at
                .is_none_or(|f| self.now >= f + self.phone_link_grace());
        if ended_long_ago || t.day < self.day {
            return Err(not_found());
        }
        Ok(t)
    }

    /// Erases the capabilities of links that expired (they were already refused), so they leave
    /// the database; `QueueEngine::tick` calls it.
    pub(super) fn expire_phone_links(&mut self) -> Result<usize, QueueError> {
        let erased = self.tx.execute(
            sql::ERASE_EXPIRED_CAPABILITIES,
            [to_ms(self.now - self.phone_link_grace())],
        )?;
        self.erased |= erased > 0;
        Ok(erased)
    }

    /// The ticket row `id` when `device` issued it; otherwise the same error as a missing id.
    fn ticket_of_device(&self, id: TicketId, device: &str) -> Result<Ticket, QueueError> {
        query_ticket(&self.tx, sql::TICKET_BY_ID_OF_DEVICE, params![id, device])?
            .ok_or_else(|| QueueError::TicketNotFound(id.to_string()))
    }

    /// People ahead and the wait range of a ticket (zero when it no longer waits). An
    /// appointment that waits for its slot has nobody ahead and the slot as its wait.
    fn wait_of(&self, t: &Ticket) -> Result<(u32, EtaRange), QueueError> {
        if t.status != TicketStatus::Waiting {
            return Ok((0, EtaRange::default()));
        }
        if let Some(a) = t
            .appointment
            .as_ref()
            .filter(|a| a.waits_for_slot(self.now))
        {
            let secs = (a.slot_start - self.now).num_seconds().max(0);
            let minutes = u32::try_from((secs + 59) / 60).unwrap_or(u32::MAX);
            return Ok((0, EtaRange::from([minutes, minutes])));
        }
        let ahead = self.ahead_of(t)?;
        Ok((ahead, self.eta(&t.service, ahead)?))
    }

    /// Waiting tickets called before this one: for a due appointment, the due appointments with
    /// an earlier slot; for a walk-in, the due appointments and the walk-ins before it by class
    /// and queue position.
    fn ahead_of(&self, t: &Ticket) -> Result<u32, QueueError> {
        let key: i64 = self
            .tx
            .query_row(sql::TICKET_QUEUE_KEY, [t.id], |r| r.get(0))?;
        let day = day_str(t.day);
        let now = to_ms(self.now);
        if let Some(a) = t.appointment.as_ref().filter(|a| a.precedence) {
            return Ok(self.tx.query_row(
                sql::COUNT_AHEAD_OF_APPOINTMENT,
                params![day, t.service, now, to_ms(a.slot_start), key, t.id],
                |r| r.get(0),
            )?);
        }
        let statement = if t.priority.is_priority() {
            sql::COUNT_AHEAD_OF_PRIORITY
        } else {
            sql::COUNT_AHEAD_OF_NORMAL
        };
        let walk_ins: u32 =
            self.tx
                .query_row(statement, params![day, t.service, key, t.id], |r| r.get(0))?;
        let due: u32 = self.tx.query_row(
            sql::COUNT_DUE_APPOINTMENTS,
            params![day, t.service, now],
            |r| r.get(0),
        )?;
        Ok(walk_ins + due)
    }

    pub(super) fn follow_transfers(&self, mut id: TicketId) -> Result<TicketId, QueueError> {
        for _ in 0..64 {
            let next: Option<TicketId> = self
                .tx
                .query_row(sql::TRANSFERRED_TO, [id], |r| r.get(0))
                .optional()?;
            match next {
                Some(n) => id = n,
                None => return Ok(id),
            }
        }
        Ok(id)
    }

    fn cancel(&mut self, t: &Ticket, by: &str) -> Result<(), QueueError> {
        if t.status != TicketStatus::Waiting {
            return Err(QueueError::Conflict(format!(
                "{} 状态为 {}，不能取消 / {} is {} and can no longer be cancelled",
                t.number,
                t.status.as_str(),
                t.number,
                t.status.as_str()
            )));
        }
        self.tx.execute(
            sql::MARK_CANCELLED,
            params![t.id, format!("cancelled_by_{by}"), to_ms(self.now)],
        )?;
        self.erased = true;
        self.log(EventPayload::Cancelled {
            ticket_id: t.id,
            number: t.number.clone(),
            service: t.service.clone(),
            by: by.to_owned(),
        })
    }
}

/// A phone page capability: 32 lowercase hex digits.
fn is_capability(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
