//! The queue engine: every queue operation, each one SQLite transaction.
//!
//! The engine is synchronous (it holds the connection behind a mutex); async callers use
//! [`LocalQueueClient`](super::LocalQueueClient) or `spawn_blocking`. Events of an operation
//! are written to the log inside its transaction and broadcast after the commit, in log order.
//!
//! The operations are `impl QueueEngine` blocks grouped by concern, one file each:
//!
//! - `issue`: issuing a ticket, retries by idempotency key, one active ticket per person,
//!   appointment check-ins (one number per booking code and day);
//! - `counter`: a ticket issued by window staff for a person at the counter;
//! - `bookings`: the day's booked slots (replace all) and their check-in state;
//! - `rating`: one rating per completed ticket (the window's rating pad, the phone page);
//! - `returns`: a no-show put back in the queue by staff (回队), bounded per ticket;
//! - `tickets`: a ticket as printed, the phone page, cancelling a waiting ticket;
//! - `status`: services (open, closed, full, waiting, wait estimate) and the queue snapshot;
//! - `windows`: windows opening and closing, a window's staff view, its current ticket;
//! - `call`: call next (the appointment and priority fairness rules), call by number, recall, no-show, reprint;
//! - `serve`: the window's current ticket: start, complete, transfer, hold, resume;
//! - `day`: the business day and the daily reset;
//! - `day_key`: the in-memory key that turns identity tokens into the values stored;
//! - `devices`: device alerts and help requests (kept in memory, logged as events);
//! - `event_log`: the event log (the current business day, bounded replay).
//!
//! Their SQL statements are named constants in the crate's `sql` module.

mod bookings;
mod call;
mod counter;
mod day;
mod day_key;
mod devices;
mod event_log;
mod issue;
mod rating;
mod returns;
mod serve;
mod status;
mod tickets;
mod windows;

use std::{
    collections::BTreeMap,
    path::Path,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::RngCore;
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use tokio::sync::broadcast;
use zeroize::Zeroizing;

use day_key::DayKey;

pub use call::validate_number;
pub use counter::{CounterIssue, counter_device};
pub use devices::validate_device_name;
pub use event_log::MAX_REPLAY;
pub use issue::{
    IssueRequest, Issued, validate_booking, validate_booking_code, validate_idempotency_key,
};
pub use rating::validate_rating;
pub use tickets::PHONE_LINK_GRACE_MINUTES;

use super::{
    QueueError,
    alerts::DeviceAlerts,
    clock::Clock,
    config::{QueueConfig, ServiceConfig},
    events::QueueEvent,
    model::{IdentityToken, Ticket, TicketId, TicketRating},
    sql,
    store::{self, day_str, query_ticket},
};

/// The queue engine. Cheap to share behind an `Arc`.
pub struct QueueEngine {
    conn: Mutex<Connection>,
    config: Arc<QueueConfig>,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<QueueEvent>,
    /// The pre-hash salt: the configured one, else a random one drawn at open (memory only).
    salt: Zeroizing<String>,
    /// The key of the stored identity values (memory only; see `day_key`). Locked after `conn`.
    day_key: Mutex<DayKey>,
    /// Whether a committed erasure may still have copies in the WAL (see `store::scrub_wal`).
    wal_dirty: AtomicBool,
    status_base: String,
    alerts: Mutex<BTreeMap<String, DeviceAlerts>>,
    /// Told of every rating after its commit (the host's outbox; see [`QueueEngine::on_rated`]).
    rated: Mutex<Option<RatingSink>>,
}

/// What [`QueueEngine::on_rated`] calls with each rating once it is committed.
pub type RatingSink = Arc<dyn Fn(&TicketRating) + Send + Sync>;

impl std::fmt::Debug for QueueEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueEngine")
            .field("status_base", &self.status_base)
            .finish_non_exhaustive()
    }
}

/// One operation's transaction, its instant and business day, and the events it logged.
struct Ctx<'a> {
    tx: Transaction<'a>,
    now: DateTime<Utc>,
    day: NaiveDate,
    config: &'a QueueConfig,
    status_base: &'a str,
    day_key: &'a mut DayKey,
    /// Set by operations that erase identity tokens, capabilities or events.
    erased: bool,
    pending: Vec<QueueEvent>,
}

impl QueueEngine {
    /// Opens the database file at `path` (created if missing) with `config` and `clock`.
    ///
    /// `status_base` prefixes phone status URLs (built by
    /// [`routes::phone_page_url`](crate::wire::routes::phone_page_url), the path the LAN
    /// service serves): e.g. `http://192.168.1.10:8080` gives
    /// `http://192.168.1.10:8080/t/<capability>`; an empty string gives `/t/<capability>`.
    pub fn open(
        path: &Path,
        config: QueueConfig,
        clock: Arc<dyn Clock>,
        status_base: &str,
    ) -> Result<Self, QueueError> {
        config.validate()?;
        let conn = store::open(path)?;
        // Without a configured salt only this host derives tokens (remote kiosks cannot), and
        // stored values do not outlive the day key anyway: a salt of this process will do.
        let salt = Zeroizing::new(
            config
                .identity_salt
                .clone()
                .unwrap_or_else(|| random_hex(32)),
        );
        let (events, _) = broadcast::channel(1024);
        let engine = Self {
            conn: Mutex::new(conn),
            config: Arc::new(config),
            clock,
            events,
            salt,
            day_key: Mutex::new(DayKey::new()),
            // A migration may have erased values: scrub the WAL once after opening.
            wal_dirty: AtomicBool::new(true),
            status_base: status_base.trim_end_matches('/').to_owned(),
            alerts: Mutex::new(BTreeMap::new()),
            rated: Mutex::new(None),
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

    /// Derives the identity token (the salted pre-hash a kiosk sends) of an ID number with this
    /// site's salt. The engine stores a keyed hash of it, never the token itself.
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
        let mut day_key = self.day_key.lock().unwrap_or_else(PoisonError::into_inner);
        let now = self.clock.now();
        let (out, pending, erased) = {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut ctx = Ctx {
                tx,
                now,
                day: self.config.business_day(now),
                config: &self.config,
                status_base: &self.status_base,
                day_key: &mut day_key,
                erased: false,
                pending: Vec::new(),
            };
            ctx.ensure_day()?;
            let out = f(&mut ctx)?;
            let Ctx {
                tx,
                pending,
                erased,
                ..
            } = ctx;
            tx.commit()?;
            (out, pending, erased)
        };
        for event in pending {
            // Nobody listening is fine: the log keeps everything.
            let _ = self.events.send(event);
        }
        if erased {
            self.wal_dirty.store(true, Ordering::SeqCst);
        }
        if self.wal_dirty.load(Ordering::SeqCst) {
            // The operation has committed: a scrub that cannot finish now (a reader outside the
            // engine holds the WAL) is retried after the next operation or tick.
            if let Ok(true) = store::scrub_wal(&conn) {
                self.wal_dirty.store(false, Ordering::SeqCst);
            }
        }
        Ok(out)
    }

    fn check_window(&self, window: u32) -> Result<(), QueueError> {
        self.config
            .window(window)
            .map(|_| ())
            .ok_or(QueueError::UnknownWindow(window))
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

    /// `(last_number, issued)` of a service today, creating the row if needed.
    fn service_day(&self, service: &str) -> Result<(u32, u32), QueueError> {
        let svc = self.service(service)?;
        self.tx.execute(
            sql::ENSURE_SERVICE_DAY,
            params![day_str(self.day), service, svc.number_start - 1],
        )?;
        Ok(self.tx.query_row(
            sql::SERVICE_DAY_COUNTERS,
            params![day_str(self.day), service],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// The value stored for an identity token (and compared with stored ones): its HMAC under
    /// the day key.
    fn seal(&self, token: &IdentityToken) -> Result<String, QueueError> {
        self.day_key.seal(token)
    }

    fn reload(&self, id: TicketId) -> Result<Ticket, QueueError> {
        query_ticket(&self.tx, sql::TICKET_BY_ID, [id])?
            .ok_or_else(|| QueueError::TicketNotFound(id.to_string()))
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}
