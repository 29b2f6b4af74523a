//! The queue engine: every queue operation, each one SQLite transaction.
//!
//! The engine is synchronous (it holds the connection behind a mutex); async callers use
//! [`LocalQueueClient`](super::LocalQueueClient) or `spawn_blocking`. Events of an operation
//! are written to the log inside its transaction and broadcast after the commit, in log order.

use std::{
    collections::BTreeMap,
    path::Path,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use tokio::sync::broadcast;

use super::{
    QueueError,
    alerts::DeviceAlerts,
    clock::Clock,
    config::{IdCardPolicy, QueueConfig, ServiceConfig},
    eta::ServiceTimes,
    events::{EventPayload, QueueEvent},
    fairness::{self, Pick},
    model::{
        EtaRange, IdentityToken, IssuedTicket, PhoneStatus, PriorityKind, QueuePosition,
        QueueSnapshot, ServiceState, ServiceStatus, Ticket, TicketBrief, TicketId, TicketStatus,
        WindowStatus, WindowView,
    },
    store::{self, day_str, from_ms, meta_get, meta_set, ticket_where, tickets_where, to_ms},
};

const ACTIVE: &str = "('waiting', 'called', 'serving', 'held')";
const AT_WINDOW: &str = "('called', 'serving')";

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

/// The queue engine. Cheap to share behind an `Arc`.
pub struct QueueEngine {
    conn: Mutex<Connection>,
    config: Arc<QueueConfig>,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<QueueEvent>,
    salt: String,
    status_base: String,
    alerts: Mutex<BTreeMap<String, DeviceAlerts>>,
}

impl std::fmt::Debug for QueueEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueEngine")
            .field("status_base", &self.status_base)
            .finish_non_exhaustive()
    }
}

struct Ctx<'a> {
    tx: Transaction<'a>,
    now: DateTime<Utc>,
    day: NaiveDate,
    config: &'a QueueConfig,
    status_base: &'a str,
    pending: Vec<QueueEvent>,
}

impl QueueEngine {
    /// Opens the database file at `path` (created if missing) with `config` and `clock`.
    ///
    /// `status_base` prefixes phone status URLs: e.g. `http://192.168.1.10:8080` gives
    /// `http://192.168.1.10:8080/t/<capability>`; an empty string gives `/t/<capability>`.
    pub fn open(
        path: &Path,
        config: QueueConfig,
        clock: Arc<dyn Clock>,
        status_base: &str,
    ) -> Result<Self, QueueError> {
        config.validate()?;
        let mut conn = store::open(path)?;
        let salt = match &config.identity_salt {
            Some(s) => s.clone(),
            None => {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let salt = match meta_get(&tx, "identity_salt")? {
                    Some(s) => s,
                    None => {
                        let s = random_hex(32);
                        meta_set(&tx, "identity_salt", &s)?;
                        s
                    }
                };
                tx.commit()?;
                salt
            }
        };
        let (events, _) = broadcast::channel(1024);
        let engine = Self {
            conn: Mutex::new(conn),
            config: Arc::new(config),
            clock,
            events,
            salt,
            status_base: status_base.trim_end_matches('/').to_owned(),
            alerts: Mutex::new(BTreeMap::new()),
        };
        engine.tick()?;
        Ok(engine)
    }

    /// The configuration in use.
    pub fn config(&self) -> &QueueConfig {
        &self.config
    }

    /// The current instant of the injected clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Derives the identity token of an ID number with this site's salt.
    pub fn identity_token(&self, id_number: &str) -> Result<IdentityToken, QueueError> {
        IdentityToken::derive(&self.salt, id_number)
    }

    /// A receiver of events committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<QueueEvent> {
        self.events.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` in one immediate transaction after applying the daily reset if due.
    fn run<T>(
        &self,
        f: impl FnOnce(&mut Ctx<'_>) -> Result<T, QueueError>,
    ) -> Result<T, QueueError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = self.clock.now();
        let mut ctx = Ctx {
            tx,
            now,
            day: self.config.business_day(now),
            config: &self.config,
            status_base: &self.status_base,
            pending: Vec::new(),
        };
        ctx.ensure_day()?;
        let out = f(&mut ctx)?;
        let Ctx { tx, pending, .. } = ctx;
        tx.commit()?;
        for event in pending {
            // Nobody listening is fine: the log keeps everything.
            let _ = self.events.send(event);
        }
        Ok(out)
    }

    /// Applies the daily reset if the reset time has passed; call it periodically so the
    /// `day_reset` event goes out even when nobody takes a ticket.
    pub fn tick(&self) -> Result<NaiveDate, QueueError> {
        self.run(|c| Ok(c.day))
    }

    /// The current business day (never earlier than a day already used).
    pub fn current_day(&self) -> Result<NaiveDate, QueueError> {
        self.tick()
    }

    /// Issues a ticket for `device` (a name recorded with the ticket, used for reprints).
    pub fn issue(&self, req: &IssueRequest, device: &str) -> Result<Issued, QueueError> {
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
        self.run(|c| {
            let key = req
                .idempotency_key
                .as_ref()
                .map(|k| format!("{device}\u{1f}{k}"));
            if let Some(key) = &key {
                let existing: Option<TicketId> =
                    c.tx.query_row(
                        "SELECT ticket_id FROM idempotency WHERE key = ?1",
                        [key],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(id) = existing {
                    let ticket = c.issued_view(id)?;
                    return Ok(Issued {
                        ticket,
                        replayed: true,
                    });
                }
            }
            let id = c.issue(svc, req, device)?;
            if let Some(key) = &key {
                c.tx.execute(
                    "INSERT INTO idempotency(key, ticket_id, created_at) VALUES (?1, ?2, ?3)",
                    params![key, id, to_ms(c.now)],
                )?;
            }
            Ok(Issued {
                ticket: c.issued_view(id)?,
                replayed: false,
            })
        })
    }

    /// The person's active ticket for a service today, if any.
    pub fn find_active(
        &self,
        identity: &IdentityToken,
        service: &str,
    ) -> Result<Option<IssuedTicket>, QueueError> {
        self.run(|c| {
            let found = ticket_where(
                &c.tx,
                &format!(
                    "day = ?1 AND service = ?2 AND identity_token = ?3 AND status IN {ACTIVE} \
                     ORDER BY id DESC"
                ),
                params![day_str(c.day), service, identity.as_str()],
            )?;
            found.map(|t| c.issued_view(t.id)).transpose()
        })
    }

    /// A ticket as the kiosk prints it (following transfers to the row that is current).
    pub fn ticket(&self, id: TicketId) -> Result<IssuedTicket, QueueError> {
        self.run(|c| {
            let id = c.follow_transfers(id)?;
            c.issued_view(id)
        })
    }

    /// The services with waiting counts, wait ranges and whether they issue now.
    pub fn services(&self) -> Result<Vec<ServiceStatus>, QueueError> {
        self.run(|c| c.services())
    }

    /// Services and windows (the hall display's and the API's `GET /api/v1/queue`).
    pub fn snapshot(&self) -> Result<QueueSnapshot, QueueError> {
        self.run(|c| {
            Ok(QueueSnapshot {
                day: c.day,
                services: c.services()?,
                windows: c.windows()?,
            })
        })
    }

    /// What the phone page behind a ticket's QR code shows.
    pub fn phone_status(&self, capability: &str) -> Result<PhoneStatus, QueueError> {
        if !is_capability(capability) {
            return Err(QueueError::TicketNotFound("(capability)".into()));
        }
        self.run(|c| {
            let t = ticket_where(&c.tx, "capability = ?1", [capability])?
                .ok_or_else(|| QueueError::TicketNotFound("(capability)".into()))?;
            let svc = c.service(&t.service)?;
            let (ahead, eta) = if t.status == TicketStatus::Waiting {
                let ahead = c.ahead_of(&t)?;
                (ahead, c.eta(&t.service, ahead)?)
            } else {
                (0, EtaRange::default())
            };
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
            })
        })
    }

    /// The citizen withdraws the ticket from the phone page (only while waiting).
    pub fn cancel_by_capability(&self, capability: &str) -> Result<(), QueueError> {
        if !is_capability(capability) {
            return Err(QueueError::TicketNotFound("(capability)".into()));
        }
        self.run(|c| {
            let t = ticket_where(&c.tx, "capability = ?1", [capability])?
                .ok_or_else(|| QueueError::TicketNotFound("(capability)".into()))?;
            c.cancel(&t, "citizen")
        })
    }

    /// A kiosk withdraws a waiting ticket it issued (e.g. the citizen changed their mind).
    pub fn cancel(&self, id: TicketId, by: &str) -> Result<(), QueueError> {
        self.run(|c| {
            let t = ticket_where(&c.tx, "id = ?1", [id])?
                .ok_or_else(|| QueueError::TicketNotFound(id.to_string()))?;
            c.cancel(&t, by)
        })
    }

    /// What a window's staff page shows.
    pub fn window_view(&self, window: u32) -> Result<WindowView, QueueError> {
        let wcfg = self
            .config
            .window(window)
            .ok_or(QueueError::UnknownWindow(window))?;
        self.run(|c| {
            let status = c
                .windows()?
                .into_iter()
                .find(|w| w.id == window)
                .ok_or(QueueError::UnknownWindow(window))?;
            let current = c.current(window)?.map(|t| c.brief(&t));
            let held = tickets_where(
                &c.tx,
                "day = ?1 AND window = ?2 AND status = 'held' ORDER BY held_at",
                params![day_str(c.day), window],
            )?
            .iter()
            .map(|t| c.brief(t))
            .collect();
            let mut waiting = Vec::new();
            let mut outcomes = Vec::new();
            for s in &wcfg.services {
                waiting.extend(c.waiting_in_call_order(s)?.iter().map(|t| c.brief(t)));
                let svc = c.service(s)?;
                outcomes.push((s.clone(), svc.outcomes.clone()));
            }
            let since = to_ms(c.now - c.late_tolerance());
            let mut late_callable = Vec::new();
            for s in &wcfg.services {
                late_callable.extend(
                    tickets_where(
                        &c.tx,
                        "day = ?1 AND service = ?2 AND status = 'no_show' AND finished_at >= ?3 \
                         ORDER BY finished_at DESC",
                        params![day_str(c.day), s, since],
                    )?
                    .iter()
                    .map(|t| c.brief(t)),
                );
            }
            Ok(WindowView {
                window: status,
                current,
                held,
                waiting,
                late_callable,
                outcomes,
            })
        })
    }

    /// Marks a window open (staff logged in).
    pub fn open_window(&self, window: u32) -> Result<(), QueueError> {
        self.check_window(window)?;
        self.run(|c| c.set_window_open(window, true))
    }

    /// Marks a window closed (staff logged out).
    pub fn close_window(&self, window: u32) -> Result<(), QueueError> {
        self.check_window(window)?;
        self.run(|c| c.set_window_open(window, false))
    }

    fn check_window(&self, window: u32) -> Result<(), QueueError> {
        self.config
            .window(window)
            .map(|_| ())
            .ok_or(QueueError::UnknownWindow(window))
    }

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
                let first_priority = waiting.iter().find(|t| t.priority.is_priority());
                let first_normal = waiting.iter().find(|t| !t.priority.is_priority());
                let longest_normal_wait = waiting
                    .iter()
                    .filter(|t| !t.priority.is_priority())
                    .map(|t| c.now - t.enqueued_at)
                    .max();
                let streak = c.priority_streak(service)?;
                let chosen = match fairness::pick(
                    first_priority.is_some(),
                    longest_normal_wait,
                    streak,
                    &c.config.fairness,
                ) {
                    Some(Pick::Priority) => first_priority,
                    Some(Pick::Normal) => first_normal,
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
            c.tx.execute(
                "UPDATE tickets SET recalls = recalls + 1 WHERE id = ?1",
                [t.id],
            )?;
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

    /// Starts serving the window's called ticket.
    pub fn start(&self, window: u32) -> Result<Ticket, QueueError> {
        self.check_window(window)?;
        self.run(|c| {
            let t = c.current_in(window, &[TicketStatus::Called])?;
            c.tx.execute(
                "UPDATE tickets SET status = 'serving', started_at = ?2 WHERE id = ?1",
                params![t.id, to_ms(c.now)],
            )?;
            c.log(EventPayload::Started {
                ticket_id: t.id,
                number: t.number.clone(),
                service: t.service.clone(),
                window,
            })?;
            c.reload(t.id)
        })
    }

    /// Ends the window's ticket with an outcome code allowed by its service.
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
            c.tx.execute(
                "UPDATE tickets SET status = 'done', outcome = ?2, finished_at = ?3,
                        started_at = COALESCE(started_at, called_at, ?3)
                 WHERE id = ?1",
                params![t.id, outcome, to_ms(c.now)],
            )?;
            c.log(EventPayload::Completed {
                ticket_id: t.id,
                number: t.number.clone(),
                service: t.service.clone(),
                window,
                outcome: outcome.to_owned(),
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
            let (capability, identity): (Option<String>, Option<String>) = c.tx.query_row(
                "SELECT capability, identity_token FROM tickets WHERE id = ?1",
                [t.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            c.tx.execute(
                "UPDATE tickets SET status = 'transferred', finished_at = ?2, outcome = ?3,
                        capability = NULL, identity_token = NULL,
                        started_at = COALESCE(started_at, called_at, ?2)
                 WHERE id = ?1",
                params![t.id, to_ms(c.now), format!("to:{service}")],
            )?;
            let seq: i64 =
                c.tx.query_row("SELECT seq FROM tickets WHERE id = ?1", [t.id], |r| {
                    r.get(0)
                })?;
            c.tx.execute(
                "INSERT INTO tickets(day, service, seq, number, priority, status, queue_key,
                        issued_at, enqueued_at, identity_token, capability, transferred_from,
                        issued_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'waiting', 0, ?6, ?7, ?8, ?9, ?10, ?11)",
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
                        "SELECT MIN(queue_key) FROM tickets
                         WHERE day = ?1 AND service = ?2 AND status = 'waiting' AND id != ?3",
                        params![day_str(c.day), service, new_id],
                        |r| r.get(0),
                    )?;
                    min.map_or(new_id, |m| m - 1)
                }
            };
            c.tx.execute(
                "UPDATE tickets SET queue_key = ?2 WHERE id = ?1",
                params![new_id, key],
            )?;
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
            c.tx.execute(
                "UPDATE tickets SET status = 'held', held_at = ?2 WHERE id = ?1",
                params![t.id, to_ms(c.now)],
            )?;
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
                Some(n) => ticket_where(
                    &c.tx,
                    "day = ?1 AND window = ?2 AND status = 'held' AND number = ?3",
                    params![day, window, n],
                )?,
                None => ticket_where(
                    &c.tx,
                    "day = ?1 AND window = ?2 AND status = 'held' ORDER BY held_at DESC",
                    params![day, window],
                )?,
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
            c.tx.execute(
                "UPDATE tickets SET status = ?2, held_at = NULL WHERE id = ?1",
                params![t.id, status],
            )?;
            c.log(EventPayload::Resumed {
                ticket_id: t.id,
                number: t.number.clone(),
                service: t.service.clone(),
                window,
            })?;
            c.reload(t.id)
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

    /// Records a device's alerts; logs and broadcasts a `device_alert` event when they change.
    pub fn set_device_alerts(
        &self,
        device: &str,
        alerts: DeviceAlerts,
    ) -> Result<bool, QueueError> {
        validate_device_name(device)?;
        let mut map = self.alerts.lock().unwrap_or_else(PoisonError::into_inner);
        let previous = map.get(device).copied().unwrap_or_default();
        // The help request has its own call; a printer report leaves it as it is.
        let alerts = DeviceAlerts {
            help: previous.help,
            ..alerts
        };
        if previous == alerts {
            return Ok(false);
        }
        self.run(|c| {
            c.log(EventPayload::DeviceAlert {
                device: device.to_owned(),
                alerts,
            })
        })?;
        map.insert(device.to_owned(), alerts);
        Ok(true)
    }

    /// Opens or closes a device's help request (its help button); logs and broadcasts a
    /// `device_alert` event when it changes.
    pub fn set_help_request(&self, device: &str, requested: bool) -> Result<bool, QueueError> {
        validate_device_name(device)?;
        let mut map = self.alerts.lock().unwrap_or_else(PoisonError::into_inner);
        let previous = map.get(device).copied().unwrap_or_default();
        if previous.help == requested {
            return Ok(false);
        }
        let alerts = DeviceAlerts {
            help: requested,
            ..previous
        };
        self.run(|c| {
            c.log(EventPayload::DeviceAlert {
                device: device.to_owned(),
                alerts,
            })
        })?;
        map.insert(device.to_owned(), alerts);
        Ok(true)
    }

    /// The latest alerts of every device that reported any.
    pub fn device_alerts(&self) -> Vec<(String, DeviceAlerts)> {
        self.alerts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    }

    /// Logged events after `after` (exclusive), oldest first, at most `limit`.
    pub fn events_after(&self, after: u64, limit: usize) -> Result<Vec<QueueEvent>, QueueError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, at, day, payload FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![
                i64::try_from(after).unwrap_or(i64::MAX),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, at, day, payload) = row?;
            let payload: EventPayload = serde_json::from_str(&payload)
                .map_err(|e| QueueError::Corrupt(format!("event {seq}: {e}")))?;
            out.push(QueueEvent {
                seq: u64::try_from(seq).unwrap_or(0),
                at: from_ms(at),
                day: store::parse_day(&day)?,
                payload,
            });
        }
        Ok(out)
    }

    /// The sequence number of the last logged event (0 when the log is empty).
    pub fn last_event_seq(&self) -> Result<u64, QueueError> {
        let conn = self.lock();
        let seq: i64 =
            conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
        Ok(u64::try_from(seq).unwrap_or(0))
    }

    /// Every ticket row of a business day (statistics, audits, tests), in id order.
    pub fn tickets_of_day(&self, day: NaiveDate) -> Result<Vec<Ticket>, QueueError> {
        self.run(|c| tickets_where(&c.tx, "day = ?1 ORDER BY id", [day_str(day)]))
    }
}

impl Ctx<'_> {
    fn service(&self, id: &str) -> Result<&ServiceConfig, QueueError> {
        self.config
            .service(id)
            .ok_or_else(|| QueueError::UnknownService(id.to_owned()))
    }

    fn late_tolerance(&self) -> Duration {
        Duration::minutes(i64::from(self.config.late_arrival_minutes))
    }

    fn log(&mut self, payload: EventPayload) -> Result<(), QueueError> {
        let json = serde_json::to_string(&payload)
            .map_err(|e| QueueError::Corrupt(format!("event encoding: {e}")))?;
        self.tx.execute(
            "INSERT INTO events(at, day, kind, payload) VALUES (?1, ?2, ?3, ?4)",
            params![to_ms(self.now), day_str(self.day), payload.kind(), json],
        )?;
        let seq = u64::try_from(self.tx.last_insert_rowid()).unwrap_or(0);
        self.pending.push(QueueEvent {
            seq,
            at: self.now,
            day: self.day,
            payload,
        });
        Ok(())
    }

    /// The daily reset: the business day only moves forward. When the clock reaches a later
    /// day, earlier days' active tickets are cancelled, their identity tokens erased, windows
    /// closed and old retry keys dropped, all in this transaction. A clock that goes back keeps
    /// the later day, so numbers are never reused.
    fn ensure_day(&mut self) -> Result<(), QueueError> {
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
        let cancelled = self.tx.execute(
            &format!(
                "UPDATE tickets SET status = 'cancelled', outcome = 'day_end', finished_at = ?2
                 WHERE day < ?1 AND status IN {ACTIVE}"
            ),
            params![today, now],
        )?;
        self.tx.execute(
            "UPDATE tickets SET identity_token = NULL
             WHERE day < ?1 AND identity_token IS NOT NULL",
            [&today],
        )?;
        self.tx.execute(
            "UPDATE window_state SET open = 0, changed_at = ?1 WHERE open = 1",
            [now],
        )?;
        self.tx.execute(
            "DELETE FROM idempotency WHERE created_at < ?1",
            [now - Duration::days(2).num_milliseconds()],
        )?;
        meta_set(&self.tx, "current_day", &today)?;
        self.log(EventPayload::DayReset {
            from: stored,
            cancelled: u32::try_from(cancelled).unwrap_or(u32::MAX),
        })
    }

    fn issue(
        &mut self,
        svc: &ServiceConfig,
        req: &IssueRequest,
        device: &str,
    ) -> Result<TicketId, QueueError> {
        let day = day_str(self.day);
        let status = self.service_status(svc)?;
        if status.state != ServiceState::Open {
            return Err(QueueError::ServiceUnavailable {
                service: svc.id.clone(),
                reason: status.reason.unwrap_or_default(),
            });
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
        if let Some(token) = identity {
            let existing = ticket_where(
                &self.tx,
                &format!(
                    "day = ?1 AND service = ?2 AND identity_token = ?3 AND status IN {ACTIVE}"
                ),
                params![day, svc.id, token.as_str()],
            )?;
            if let Some(t) = existing {
                return Err(QueueError::AlreadyActive {
                    number: t.number,
                    ticket_id: t.id,
                });
            }
        }
        let (last, _issued) = self.service_day(&svc.id)?;
        let seq = last + 1;
        let capability = random_hex(16);
        let number = svc.format_number(seq);
        self.tx.execute(
            "INSERT INTO tickets(day, service, seq, number, priority, status, queue_key,
                    issued_at, enqueued_at, identity_token, capability, issued_by)
             VALUES (?1, ?2, ?3, ?4, ?5, 'waiting', 0, ?6, ?6, ?7, ?8, ?9)",
            params![
                day,
                svc.id,
                seq,
                number,
                req.priority.as_str(),
                to_ms(self.now),
                identity.map(IdentityToken::as_str),
                capability,
                device,
            ],
        )?;
        let id = self.tx.last_insert_rowid();
        self.tx
            .execute("UPDATE tickets SET queue_key = ?1 WHERE id = ?1", [id])?;
        self.tx.execute(
            "UPDATE service_day SET last_number = ?3, issued = issued + 1
             WHERE day = ?1 AND service = ?2",
            params![day, svc.id, seq],
        )?;
        self.log(EventPayload::Issued {
            ticket_id: id,
            number,
            service: svc.id.clone(),
            priority: req.priority,
            device: device.to_owned(),
        })?;
        Ok(id)
    }

    /// `(last_number, issued)` of a service today, creating the row if needed.
    fn service_day(&self, service: &str) -> Result<(u32, u32), QueueError> {
        let svc = self.service(service)?;
        self.tx.execute(
            "INSERT OR IGNORE INTO service_day(day, service, last_number, issued)
             VALUES (?1, ?2, ?3, 0)",
            params![day_str(self.day), service, svc.number_start - 1],
        )?;
        Ok(self.tx.query_row(
            "SELECT last_number, issued FROM service_day WHERE day = ?1 AND service = ?2",
            params![day_str(self.day), service],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    fn priority_streak(&self, service: &str) -> Result<u32, QueueError> {
        Ok(self
            .tx
            .query_row(
                "SELECT priority_streak FROM service_day WHERE day = ?1 AND service = ?2",
                params![day_str(self.day), service],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    fn service_status(&self, svc: &ServiceConfig) -> Result<ServiceStatus, QueueError> {
        let day = day_str(self.day);
        let waiting: u32 = self.tx.query_row(
            "SELECT COUNT(*) FROM tickets WHERE day = ?1 AND service = ?2 AND status = 'waiting'",
            params![day, svc.id],
            |r| r.get(0),
        )?;
        let (last, issued): (u32, u32) = self
            .tx
            .query_row(
                "SELECT last_number, issued FROM service_day WHERE day = ?1 AND service = ?2",
                params![day, svc.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((svc.number_start - 1, 0));
        let local = self
            .now
            .with_timezone(&self.config.utc_offset.0)
            .naive_local();
        let serves = self
            .config
            .windows
            .iter()
            .any(|w| w.services.contains(&svc.id));
        let (state, reason) = if !serves {
            (
                ServiceState::Closed,
                Some("暂无窗口办理此业务 / No window serves this service".to_owned()),
            )
        } else if !svc.is_open_at(local) {
            let list: Vec<String> = svc.hours.iter().map(ToString::to_string).collect();
            let reason = if svc.is_open_today(local) && !list.is_empty() {
                format!(
                    "不在办理时间（{}）/ Outside opening hours ({})",
                    list.join("，"),
                    list.join(", ")
                )
            } else {
                "今日不办理此业务 / This service is closed today".to_owned()
            };
            (ServiceState::Closed, Some(reason))
        } else if last >= svc.number_end || svc.daily_cap.is_some_and(|cap| issued >= cap) {
            (
                ServiceState::Full,
                Some("今日号源已满 / All of today's tickets have been taken".to_owned()),
            )
        } else {
            (ServiceState::Open, None)
        };
        let open_windows = self.open_windows(&svc.id)?;
        let eta = self.eta(&svc.id, waiting)?;
        Ok(ServiceStatus {
            id: svc.id.clone(),
            name: svc.name_zh.clone(),
            name_en: svc.name_en.clone(),
            prefix: svc.prefix.clone(),
            waiting,
            eta_minutes: eta,
            state,
            reason,
            id_card: svc.id_card,
            priority_allowed: svc.priority_allowed,
            open_windows,
        })
    }

    fn services(&self) -> Result<Vec<ServiceStatus>, QueueError> {
        self.config
            .services
            .iter()
            .map(|s| self.service_status(s))
            .collect()
    }

    fn open_window_ids(&self) -> Result<Vec<u32>, QueueError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT window FROM window_state WHERE open = 1")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn open_windows(&self, service: &str) -> Result<u32, QueueError> {
        let open = self.open_window_ids()?;
        let n = self
            .config
            .windows
            .iter()
            .filter(|w| open.contains(&w.id) && w.services.iter().any(|s| s == service))
            .count();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn windows(&self) -> Result<Vec<WindowStatus>, QueueError> {
        let open = self.open_window_ids()?;
        self.config
            .windows
            .iter()
            .map(|w| {
                Ok(WindowStatus {
                    id: w.id,
                    name: w.name_zh.clone(),
                    name_en: w.name_en.clone(),
                    open: open.contains(&w.id),
                    serving: self.current(w.id)?.map(|t| t.number),
                    services: w.services.clone(),
                })
            })
            .collect()
    }

    fn eta(&self, service: &str, ahead: u32) -> Result<EtaRange, QueueError> {
        let svc = self.service(service)?;
        let mut stmt = self.tx.prepare_cached(
            "SELECT called_at, finished_at FROM tickets
             WHERE day = ?1 AND service = ?2 AND status IN ('done', 'transferred')
               AND called_at IS NOT NULL AND finished_at IS NOT NULL",
        )?;
        let samples: Vec<f64> = stmt
            .query_map(params![day_str(self.day), service], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(|(a, b)| (b - a) as f64 / 60_000.0)
            .collect();
        let times = ServiceTimes::from_samples(
            &samples,
            f64::from(svc.default_service_minutes),
            usize::try_from(self.config.eta_min_samples).unwrap_or(5),
        );
        Ok(times.wait(ahead, self.open_windows(service)?))
    }

    /// Waiting tickets of a service in call order (priority class first, then queue position).
    fn waiting_in_call_order(&self, service: &str) -> Result<Vec<Ticket>, QueueError> {
        tickets_where(
            &self.tx,
            "day = ?1 AND service = ?2 AND status = 'waiting'
             ORDER BY (priority = 'none'), queue_key, id",
            params![day_str(self.day), service],
        )
    }

    fn ahead_of(&self, t: &Ticket) -> Result<u32, QueueError> {
        let key: i64 =
            self.tx
                .query_row("SELECT queue_key FROM tickets WHERE id = ?1", [t.id], |r| {
                    r.get(0)
                })?;
        let sql = if t.priority.is_priority() {
            "SELECT COUNT(*) FROM tickets WHERE day = ?1 AND service = ?2 AND status = 'waiting'
               AND priority != 'none' AND (queue_key < ?3 OR (queue_key = ?3 AND id < ?4))"
        } else {
            "SELECT COUNT(*) FROM tickets WHERE day = ?1 AND service = ?2 AND status = 'waiting'
               AND (priority != 'none' OR queue_key < ?3 OR (queue_key = ?3 AND id < ?4))"
        };
        Ok(self
            .tx
            .query_row(sql, params![day_str(t.day), t.service, key, t.id], |r| {
                r.get(0)
            })?)
    }

    fn issued_view(&self, id: TicketId) -> Result<IssuedTicket, QueueError> {
        let t = ticket_where(&self.tx, "id = ?1", [id])?
            .ok_or_else(|| QueueError::TicketNotFound(id.to_string()))?;
        let (ahead, eta) = if t.status == TicketStatus::Waiting {
            let ahead = self.ahead_of(&t)?;
            (ahead, self.eta(&t.service, ahead)?)
        } else {
            (0, EtaRange::default())
        };
        let status_url = match &t.capability {
            Some(cap) => format!("{}/t/{cap}", self.status_base),
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

    fn follow_transfers(&self, mut id: TicketId) -> Result<TicketId, QueueError> {
        for _ in 0..64 {
            let next: Option<TicketId> = self
                .tx
                .query_row(
                    "SELECT id FROM tickets WHERE transferred_from = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            match next {
                Some(n) => id = n,
                None => return Ok(id),
            }
        }
        Ok(id)
    }

    fn brief(&self, t: &Ticket) -> TicketBrief {
        let since = match t.status {
            TicketStatus::Called | TicketStatus::Serving => t.called_at.unwrap_or(t.enqueued_at),
            TicketStatus::Held => t.called_at.unwrap_or(t.enqueued_at),
            _ => t.enqueued_at,
        };
        let identified = self
            .tx
            .query_row(
                "SELECT identity_token IS NOT NULL FROM tickets WHERE id = ?1",
                [t.id],
                |r| r.get(0),
            )
            .unwrap_or(false);
        TicketBrief {
            id: t.id,
            number: t.number.clone(),
            service: t.service.clone(),
            priority: t.priority,
            status: t.status,
            waited_minutes: u32::try_from((self.now - since).num_minutes().max(0))
                .unwrap_or(u32::MAX),
            recalls: t.recalls,
            identified,
        }
    }

    fn current(&self, window: u32) -> Result<Option<Ticket>, QueueError> {
        ticket_where(
            &self.tx,
            &format!("day = ?1 AND window = ?2 AND status IN {AT_WINDOW} ORDER BY id DESC"),
            params![day_str(self.day), window],
        )
    }

    fn current_in(&self, window: u32, allowed: &[TicketStatus]) -> Result<Ticket, QueueError> {
        let t = self.current(window)?.ok_or_else(|| {
            QueueError::Conflict(format!(
                "窗口 {window} 当前没有号 / window {window} has no current ticket"
            ))
        })?;
        if !allowed.contains(&t.status) {
            return Err(QueueError::Conflict(format!(
                "{} 状态为 {}，不能进行此操作 / {} is {} and this action does not apply",
                t.number,
                t.status.as_str(),
                t.number,
                t.status.as_str()
            )));
        }
        Ok(t)
    }

    fn ensure_free(&mut self, window: u32) -> Result<(), QueueError> {
        if let Some(t) = self.current(window)? {
            return Err(QueueError::Conflict(format!(
                "窗口 {window} 正在办理 {n}，请先办结、过号、转移或暂停 / window {window} is still on {n}: complete, mark no-show, transfer or hold it first",
                n = t.number
            )));
        }
        self.set_window_open(window, true)
    }

    fn set_window_open(&mut self, window: u32, open: bool) -> Result<(), QueueError> {
        let was: Option<bool> = self
            .tx
            .query_row(
                "SELECT open FROM window_state WHERE window = ?1",
                [window],
                |r| r.get(0),
            )
            .optional()?;
        if was == Some(open) || (was.is_none() && !open) {
            return Ok(());
        }
        self.tx.execute(
            "INSERT INTO window_state(window, open, changed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(window) DO UPDATE SET open = excluded.open, changed_at = excluded.changed_at",
            params![window, open, to_ms(self.now)],
        )?;
        self.log(if open {
            EventPayload::WindowOpened { window }
        } else {
            EventPayload::WindowClosed { window }
        })
    }

    fn latest_with_number(&self, number: &str) -> Result<Option<Ticket>, QueueError> {
        ticket_where(
            &self.tx,
            "day = ?1 AND number = ?2 ORDER BY id DESC",
            params![day_str(self.day), number],
        )
    }

    fn call(&mut self, t: &Ticket, window: u32, out_of_order: bool) -> Result<Ticket, QueueError> {
        self.tx.execute(
            "UPDATE tickets SET status = 'called', window = ?2, called_at = ?3, recalls = 0,
                    finished_at = NULL, started_at = NULL
             WHERE id = ?1",
            params![t.id, window, to_ms(self.now)],
        )?;
        let streak = if t.priority.is_priority() {
            "priority_streak + 1"
        } else {
            "0"
        };
        self.service_day(&t.service)?;
        self.tx.execute(
            &format!(
                "UPDATE service_day SET priority_streak = {streak} WHERE day = ?1 AND service = ?2"
            ),
            params![day_str(self.day), t.service],
        )?;
        self.log(EventPayload::Called {
            ticket_id: t.id,
            number: t.number.clone(),
            service: t.service.clone(),
            window,
            out_of_order,
        })?;
        self.reload(t.id)
    }

    fn no_show(&mut self, t: &Ticket, window: u32) -> Result<Ticket, QueueError> {
        self.tx.execute(
            "UPDATE tickets SET status = 'no_show', finished_at = ?2 WHERE id = ?1",
            params![t.id, to_ms(self.now)],
        )?;
        self.log(EventPayload::NoShow {
            ticket_id: t.id,
            number: t.number.clone(),
            service: t.service.clone(),
            window,
        })?;
        self.reload(t.id)
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
            "UPDATE tickets SET status = 'cancelled', outcome = ?2, finished_at = ?3,
                    identity_token = NULL
             WHERE id = ?1",
            params![t.id, format!("cancelled_by_{by}"), to_ms(self.now)],
        )?;
        self.log(EventPayload::Cancelled {
            ticket_id: t.id,
            number: t.number.clone(),
            service: t.service.clone(),
            by: by.to_owned(),
        })
    }

    fn reload(&self, id: TicketId) -> Result<Ticket, QueueError> {
        ticket_where(&self.tx, "id = ?1", [id])?
            .ok_or_else(|| QueueError::TicketNotFound(id.to_string()))
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

fn is_capability(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
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

/// Checks a device name: 1–64 characters of `a-z A-Z 0-9 - _ .`.
pub fn validate_device_name(name: &str) -> Result<(), QueueError> {
    if (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Ok(())
    } else {
        Err(QueueError::invalid(
            "device",
            "a device name has 1-64 characters of A-Z, a-z, 0-9, '-', '_' or '.'",
        ))
    }
}
