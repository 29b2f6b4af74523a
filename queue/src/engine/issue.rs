//! Issuing tickets: numbering, retries by idempotency key, one active ticket per person, and
//! check-ins of appointments (one number per booking code and day).

use chrono::Duration;
use rusqlite::{OptionalExtension, params};

use super::{Ctx, QueueEngine, random_hex};
use crate::{
    QueueError,
    config::{IdCardPolicy, ServiceConfig},
    events::EventPayload,
    model::{
        Booking, CheckIn, CheckedIn, IdentityToken, IssuedTicket, PriorityKind, ServiceState,
        TicketId,
    },
    sql,
    store::{day_str, query_ticket, to_ms},
};

/// A ticket request from a kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRequest {
    /// Service id.
    pub service: String,
    /// Priority (must be allowed by the service unless `None`).
    pub priority: PriorityKind,
    /// Salted identity token, when the ID card was read.
    pub identity: Option<IdentityToken>,
    /// Retry key: a repeated request with the same key returns the same ticket.
    pub idempotency_key: Option<String>,
}

impl IssueRequest {
    /// A normal ticket for `service`, without identity or retry key.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            priority: PriorityKind::None,
            identity: None,
            idempotency_key: None,
        }
    }
}

/// The result of an issue: the ticket as printed and whether it was a replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The ticket.
    pub ticket: IssuedTicket,
    /// True when the idempotency key had been used: nothing new was issued.
    pub replayed: bool,
}

impl QueueEngine {
    /// The service of a request, when it may issue the request's priority.
    fn requested_service(&self, req: &IssueRequest) -> Result<&ServiceConfig, QueueError> {
        if let Some(key) = &req.idempotency_key {
            validate_idempotency_key(key)?;
        }
        let svc = self
            .config
            .service(&req.service)
            .ok_or_else(|| QueueError::UnknownService(req.service.clone()))?;
        if req.priority.is_priority() && !svc.priority_allowed {
            return Err(QueueError::invalid(
                "priority",
                format!("service {:?} does not issue priority tickets", svc.id),
            ));
        }
        Ok(svc)
    }

    /// Checks in an appointment: issues a ticket of the request's service (same numbering as
    /// walk-ins) for `booking`, or returns the ticket already issued for its code today
    /// (`replayed`, following transfers; no second number, also after a restart).
    ///
    /// A check-in before the slot starts waits for the slot ([`CheckIn::Early`]); one within
    /// `appointments.late_grace_minutes` after the start is called ahead of walk-ins
    /// ([`CheckIn::OnTime`]); a later one gets an ordinary walk-in ticket ([`CheckIn::Late`]).
    /// The booking code is the retry key: `idempotency_key` is not needed. Opening hours and the
    /// daily cap do not refuse a check-in (the slot was granted); the number range does.
    pub fn check_in(
        &self,
        req: &IssueRequest,
        booking: &Booking,
        device: &str,
    ) -> Result<CheckedIn, QueueError> {
        validate_booking(booking)?;
        let svc = self.requested_service(req)?;
        self.run(|c| {
            let found = query_ticket(
                &c.tx,
                sql::TICKET_BY_APPOINTMENT,
                params![day_str(c.day), booking.code],
            )?;
            if let Some(t) = found {
                if t.service != svc.id {
                    return Err(QueueError::Conflict(format!(
                        "预约码 {code} 已用于其他业务 / booking {code} was checked in for service {}",
                        t.service,
                        code = booking.code
                    )));
                }
                let appointment = t.appointment.ok_or_else(|| {
                    QueueError::Corrupt(format!("ticket {} lost its booking", t.id))
                })?;
                let id = c.follow_transfers(t.id)?;
                return Ok(CheckedIn {
                    ticket: c.issued_view(id)?,
                    appointment,
                    replayed: true,
                });
            }
            let slot_day = c.config.business_day(booking.slot_start);
            if slot_day != c.day {
                return Err(QueueError::Conflict(format!(
                    "预约日期为 {slot_day}，不是今天 / the booking is for {slot_day}, not today"
                )));
            }
            let grace = Duration::minutes(i64::from(c.config.appointments.late_grace_minutes));
            let check_in = if c.now < booking.slot_start {
                CheckIn::Early
            } else if c.now <= booking.slot_start + grace {
                CheckIn::OnTime
            } else {
                CheckIn::Late
            };
            let id = c.issue_ticket(svc, req, device, true)?;
            c.tx.execute(
                sql::SET_TICKET_APPOINTMENT,
                params![
                    id,
                    booking.code,
                    to_ms(booking.slot_start),
                    to_ms(booking.slot_end),
                    check_in.as_str(),
                    check_in != CheckIn::Late,
                ],
            )?;
            let appointment = c.reload(id)?.appointment.ok_or_else(|| {
                QueueError::Corrupt(format!("ticket {id} did not keep its booking"))
            })?;
            Ok(CheckedIn {
                ticket: c.issued_view(id)?,
                appointment,
                replayed: false,
            })
        })
    }

    /// Issues a ticket for `device` (a name recorded with the ticket, used for reprints).
    pub fn issue(&self, req: &IssueRequest, device: &str) -> Result<Issued, QueueError> {
        let svc = self.requested_service(req)?;
        self.run(|c| {
            let key = req
                .idempotency_key
                .as_ref()
                .map(|k| format!("{device}\u{1f}{k}"));
            if let Some(key) = &key {
                let existing: Option<TicketId> =
                    c.tx.query_row(sql::IDEMPOTENT_TICKET, [key], |r| r.get(0))
                        .optional()?;
                if let Some(id) = existing {
                    let ticket = c.issued_view(id)?;
                    return Ok(Issued {
                        ticket,
                        replayed: true,
                    });
                }
            }
            let id = c.issue_ticket(svc, req, device, false)?;
            if let Some(key) = &key {
                c.tx.execute(sql::INSERT_IDEMPOTENCY_KEY, params![key, id, to_ms(c.now)])?;
            }
            Ok(Issued {
                ticket: c.issued_view(id)?,
                replayed: false,
            })
        })
    }

    /// The person's active ticket for a service today, whichever device issued it.
    ///
    /// Unscoped: it tells whether any person holds a ticket. The LAN service and the kiosk use
    /// [`find_active_for_device`](Self::find_active_for_device).
    #[deprecated(note = "unscoped: use find_active_for_device with the asking device's name")]
    pub fn find_active(
        &self,
        identity: &IdentityToken,
        service: &str,
    ) -> Result<Option<IssuedTicket>, QueueError> {
        self.run(|c| {
            let found = query_ticket(
                &c.tx,
                sql::LATEST_ACTIVE_OF_PERSON,
                params![day_str(c.day), service, c.seal(identity)?],
            )?;
            found.map(|t| c.issued_view(t.id)).transpose()
        })
    }

    /// The person's active ticket for a service today, if `device` issued it.
    ///
    /// A ticket issued by another device answers `None`, as if there were none: a device learns
    /// nothing about tickets it did not issue (issuing still refuses a second ticket, with
    /// [`QueueError::AlreadyActiveElsewhere`]).
    pub fn find_active_for_device(
        &self,
        identity: &IdentityToken,
        service: &str,
        device: &str,
    ) -> Result<Option<IssuedTicket>, QueueError> {
        self.run(|c| {
            let found = query_ticket(
                &c.tx,
                sql::LATEST_ACTIVE_OF_PERSON_AT_DEVICE,
                params![day_str(c.day), service, c.seal(identity)?, device],
            )?;
            found.map(|t| c.issued_view(t.id)).transpose()
        })
    }
}

impl Ctx<'_> {
    /// Issues a ticket: a new number of the service, one transaction with its `issued` event.
    /// `booked`: a check-in, which only the number range refuses (not hours or the daily cap).
    pub(super) fn issue_ticket(
        &mut self,
        svc: &ServiceConfig,
        req: &IssueRequest,
        device: &str,
        booked: bool,
    ) -> Result<TicketId, QueueError> {
        let day = day_str(self.day);
        if booked {
            let (last, _) = self.service_day(&svc.id)?;
            if last >= svc.number_end {
                return Err(QueueError::ServiceUnavailable {
                    service: svc.id.clone(),
                    reason: "今日号源已满 / All of today's tickets have been taken".to_owned(),
                });
            }
        } else {
            let status = self.service_status(svc)?;
            if status.state != ServiceState::Open {
                return Err(QueueError::ServiceUnavailable {
                    service: svc.id.clone(),
                    reason: status.reason.unwrap_or_default(),
                });
            }
        }
        let identity = match svc.id_card {
            IdCardPolicy::Off => None,
            IdCardPolicy::Optional => req.identity.as_ref(),
            IdCardPolicy::Required => Some(
                req.identity
                    .as_ref()
                    .ok_or_else(|| QueueError::IdentityRequired(svc.id.clone()))?,
            ),
        };
        let sealed = identity.map(|token| self.seal(token)).transpose()?;
        if let Some(sealed) = &sealed {
            let existing = query_ticket(
                &self.tx,
                sql::ANY_ACTIVE_OF_PERSON,
                params![day, svc.id, sealed],
            )?;
            if let Some(t) = existing {
                // Only the issuing device learns the number (and may read the ticket).
                return Err(if t.issued_by == device {
                    QueueError::AlreadyActive {
                        number: t.number,
                        ticket_id: t.id,
                    }
                } else {
                    QueueError::AlreadyActiveElsewhere {
                        service: svc.id.clone(),
                    }
                });
            }
        }
        let (last, _issued) = self.service_day(&svc.id)?;
        let seq = last + 1;
        let capability = random_hex(16);
        let number = svc.format_number(seq);
        self.tx.execute(
            sql::INSERT_TICKET,
            params![
                day,
                svc.id,
                seq,
                number,
                req.priority.as_str(),
                to_ms(self.now),
                sealed,
                capability,
                device,
            ],
        )?;
        let id = self.tx.last_insert_rowid();
        self.tx.execute(sql::QUEUE_KEY_FROM_ID, [id])?;
        self.tx
            .execute(sql::COUNT_ISSUED, params![day, svc.id, seq])?;
        self.log(EventPayload::Issued {
            ticket_id: id,
            number,
            service: svc.id.clone(),
            priority: req.priority,
            device: device.to_owned(),
        })?;
        Ok(id)
    }
}

/// Checks a booking: a code of 4–32 characters of `A-Z a-z 0-9 - _`, and a slot that ends after
/// it starts.
pub fn validate_booking(booking: &Booking) -> Result<(), QueueError> {
    validate_booking_code(&booking.code)?;
    if booking.slot_end <= booking.slot_start {
        return Err(QueueError::invalid(
            "slot_end",
            format!(
                "the slot of booking {} ends ({}) before it starts ({})",
                booking.code, booking.slot_end, booking.slot_start
            ),
        ));
    }
    Ok(())
}

/// Checks a booking code: 4–32 characters of `A-Z a-z 0-9 - _`.
pub fn validate_booking_code(code: &str) -> Result<(), QueueError> {
    if (4..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    {
        Ok(())
    } else {
        Err(QueueError::invalid(
            "code",
            format!(
                "{code:?} is not a booking code: use 4-32 characters of A-Z, a-z, 0-9, '-' or '_'"
            ),
        ))
    }
}

/// Checks an idempotency key: 8–128 characters of `A-Z a-z 0-9 - _ .`.
pub fn validate_idempotency_key(key: &str) -> Result<(), QueueError> {
    if (8..=128).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Ok(())
    } else {
        Err(QueueError::invalid(
            "idempotency_key",
            "use 8-128 characters of A-Z, a-z, 0-9, '-', '_' or '.'",
        ))
    }
}
