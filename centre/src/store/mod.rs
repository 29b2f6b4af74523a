//! Storage behind one trait, [`Store`], so that the SQLite implementation ([`SqliteStore`], the
//! default) and the PostgreSQL one ([`PostgresStore`], shared by any number of centres) serve the
//! same API.
//!
//! The rules every implementation keeps:
//! - an item and its projection (complaint, rating, ticket statistics, latest heartbeat) are written in
//!   one transaction: never a half item;
//! - an item is identified by its device and its idempotency key: the same pair twice is stored once
//!   ([`Stored::Again`]), and a different body under a stored pair is refused ([`Stored::Conflict`]);
//! - a write is durable before the call returns.
//!
//! Methods return boxed futures so the trait is object-safe (`Arc<dyn Store>`) and an asynchronous
//! database client can implement it directly.

mod alerts;
pub mod applications;
mod audit;
pub mod bookings;
pub mod calls;
mod cases;
mod postgres;
pub mod report;
mod sqlite;
mod sqlite_report;

use std::{future::Future, path::Path, pin::Pin, sync::Arc};

use chrono::{DateTime, NaiveDate, Utc};
use content::{Complaint, Heartbeat, OutboxMessage, Rating};
use serde::Serialize;

use crate::{auth::Role, error::StoreError};

pub use alerts::{ActiveCondition, AlertChange, AlertRecord, AlertState, AlertSync, AlertUpdate};
pub use applications::{
    ApplicationFilter, ApplicationInsert, ApplicationReceipt, ApplicationRecord, ApplicationRow,
    ApplicationStep, Decision, DecisionOutcome, NewApplication,
};
pub use audit::AuditEntry;
pub use bookings::{
    BookingFilter, BookingKey, BookingMove, BookingRecord, BookingWrite, NewBooking,
    ReminderCandidate, SlotTaken,
};
pub use calls::{CallbackRecord, VideoCallRow};
pub use cases::{CaseChange, CaseFilter, CaseUpdate, ComplaintCase, RatedVisit, ReturnCall};
pub use postgres::PostgresStore;
pub use report::{
    ComplaintCategory, ComplaintCount, RatingCount, RatingStaffCount, ReportFilter, SurveyRow,
    TicketStatsRow,
};
pub use sqlite::SqliteStore;

/// The future a [`Store`] method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The default SQLite file name in the data directory.
pub const SQLITE_FILE: &str = "centre.sqlite3";

/// A device allowed to send items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    /// The device id, as kiosks name themselves in outbox items.
    pub id: String,
    /// The site it stands at.
    pub site: String,
    /// Hex SHA-256 of its bearer token; none: revoked (kept for its history).
    pub token_sha256: Option<String>,
    /// The township its site belongs to (none: shown under the site's own name).
    pub township: Option<String>,
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    /// The login name.
    pub user: String,
    /// Argon2id PHC string of the password.
    pub password_hash: String,
    /// The role.
    pub role: Role,
    /// Installed by the demo (`centre serve` without `--config`).
    pub demo: bool,
    /// The one site a manager sees (required for managers, none for the other roles).
    pub site: Option<String>,
}

/// Every device and staff account, as installed at start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountSet {
    /// The devices.
    pub devices: Vec<DeviceRecord>,
    /// The staff accounts.
    pub staff: Vec<StaffAccount>,
}

/// A logged-in staff session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The account.
    pub user: String,
    /// Its role.
    pub role: Role,
    /// When the session ends.
    pub expires: DateTime<Utc>,
    /// The one site a manager sees; none: every site.
    pub site: Option<String>,
}

/// An item to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    /// The parsed message.
    pub message: OutboxMessage,
    /// The body as received.
    pub body: String,
    /// When the centre received it (the centre's clock).
    pub received: DateTime<Utc>,
}

/// What the centre answers about a stored item: the same for the first delivery and every repeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// The idempotency key.
    pub key: String,
    /// The device.
    pub device: String,
    /// When the centre first received it.
    pub received: DateTime<Utc>,
}

/// The outcome of [`Store::store_item`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Stored now.
    New(Receipt),
    /// Stored before, with the same content: nothing written.
    Again(Receipt),
    /// Stored before with a different content: nothing written.
    Conflict(Receipt),
}

/// A device with its latest heartbeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceStatus {
    /// The device id.
    pub id: String,
    /// Its site.
    pub site: String,
    /// When the centre last received a heartbeat from it (the centre's clock).
    pub last_seen: Option<DateTime<Utc>>,
    /// The newest heartbeat by the device's own time stamp (a late, older one does not replace it).
    pub heartbeat: Option<Heartbeat>,
    /// The township (none: the site).
    pub township: Option<String>,
    /// The newest heartbeat's own time stamp (the device's clock) and when the centre received it.
    pub heartbeat_times: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Where a complaint or suggestion stands: received → assigned → replied → closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    /// Received, not yet assigned.
    Received,
    /// Assigned to a staff member.
    Assigned,
    /// The reply is recorded.
    Replied,
    /// Closed.
    Closed,
}

impl ComplaintStatus {
    /// Every status, in order.
    pub const ALL: [Self; 4] = [Self::Received, Self::Assigned, Self::Replied, Self::Closed];

    /// The name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Assigned => "assigned",
            Self::Replied => "replied",
            Self::Closed => "closed",
        }
    }

    /// The status named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Received => "已受理",
            Self::Assigned => "办理中",
            Self::Replied => "已答复",
            Self::Closed => "已办结",
        }
    }

    /// The English label.
    pub fn en(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::Assigned => "Being handled",
            Self::Replied => "Replied",
            Self::Closed => "Closed",
        }
    }
}

/// A stored complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRecord {
    /// The idempotency key (the receipt code the kiosk showed).
    pub key: String,
    /// The device.
    pub device: String,
    /// The device's site.
    pub site: String,
    /// What the citizen wrote (the contact unmasked: mask it before showing it).
    pub complaint: Complaint,
    /// Where it stands.
    pub status: ComplaintStatus,
    /// When the kiosk queued it (the device's clock).
    pub created: DateTime<Utc>,
    /// When the centre received it.
    pub received: DateTime<Utc>,
}

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRecord {
    /// The idempotency key.
    pub key: String,
    /// The device.
    pub device: String,
    /// The device's site.
    pub site: String,
    /// The rating.
    pub rating: Rating,
    /// When the kiosk queued it.
    pub created: DateTime<Utc>,
    /// When the centre received it.
    pub received: DateTime<Utc>,
}

/// The columns a rating is read from, in this order (`r` the `ratings` row, `d` its device): what
/// both engines' row readers take as the first [`RATING_COLUMN_COUNT`] columns.
pub(crate) const RATING_COLUMNS: &str = "r.key, r.device, d.site, r.service, r.ticket, r.score, \
     r.comment, r.created_ms, r.received_ms, r.window_no, r.staff_id, r.staff_name, r.reasons, \
     r.source";

/// How many columns [`RATING_COLUMNS`] names.
pub(crate) const RATING_COLUMN_COUNT: usize = 14;

/// A rating's reasons as its `reasons` column keeps them: the ids joined by commas in the order
/// given, empty for none. The ids are fixed words ([`content::RATING_REASONS`]), never a comma.
pub(crate) fn reasons_column(reasons: &[String]) -> String {
    reasons.join(",")
}

/// The reasons of a `reasons` column ([`reasons_column`]): none for an empty column.
pub(crate) fn reasons_of_column(column: &str) -> Vec<String> {
    column
        .split(',')
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Stored ticket statistics of one device, service and day (the newest report wins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketStatsRecord {
    /// The device.
    pub device: String,
    /// The business day.
    pub day: NaiveDate,
    /// The service.
    pub service: String,
    /// Tickets issued.
    pub issued: u32,
    /// Tickets served.
    pub served: u32,
    /// No-shows.
    pub no_show: u32,
    /// Mean wait, seconds.
    pub mean_wait_secs: u32,
}

/// Rows in each table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreCounts {
    /// Outbox items of every kind.
    pub items: u64,
    /// Complaints.
    pub complaints: u64,
    /// Ratings.
    pub ratings: u64,
    /// Devices with a heartbeat.
    pub heartbeats: u64,
    /// Ticket statistics rows (device, day, service).
    pub ticket_stats: u64,
}

/// The centre's storage. See the module documentation for the rules every implementation keeps.
pub trait Store: Send + Sync + 'static {
    /// Stores an item and its projection in one durable transaction, once per device and key.
    fn store_item(&self, item: NewItem) -> StoreFuture<'_, Stored>;

    /// The device whose token has this hex SHA-256, if any (revoked devices have none).
    fn device_by_token(&self, token_sha256: String) -> StoreFuture<'_, Option<DeviceRecord>>;

    /// Makes `accounts` the complete set of devices and staff: listed ones are added or updated,
    /// devices not listed lose their token (their items stay), staff not listed are deleted with their
    /// sessions. One transaction.
    fn replace_accounts(&self, accounts: AccountSet) -> StoreFuture<'_, ()>;

    /// The staff accounts not installed by the demo, by name.
    fn real_staff(&self) -> StoreFuture<'_, Vec<String>>;

    /// A staff account by login name.
    fn staff(&self, user: String) -> StoreFuture<'_, Option<StaffAccount>>;

    /// Records a session under the hex SHA-256 of its token; sessions expired at `now` are purged.
    fn create_session(
        &self,
        token_sha256: String,
        user: String,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreFuture<'_, ()>;

    /// The session with this token hash, when it exists and has not expired at `now`.
    fn session(&self, token_sha256: String, now: DateTime<Utc>)
    -> StoreFuture<'_, Option<Session>>;

    /// Every device, by id, with its latest heartbeat.
    fn devices(&self) -> StoreFuture<'_, Vec<DeviceStatus>>;

    /// The newest complaints first, at most `limit`.
    fn complaints(&self, limit: u32) -> StoreFuture<'_, Vec<ComplaintRecord>>;

    /// The newest ratings first, at most `limit`.
    fn ratings(&self, limit: u32) -> StoreFuture<'_, Vec<RatingRecord>>;

    /// Ticket statistics of the days `from..=to`, by day, device and service.
    fn ticket_stats(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreFuture<'_, Vec<TicketStatsRecord>>;

    /// Rows in each table.
    fn counts(&self) -> StoreFuture<'_, StoreCounts>;

    /// Ends the session with this token hash (logout); unknown ones are ignored.
    fn delete_session(&self, token_sha256: String) -> StoreFuture<'_, ()>;

    /// Every staff account, by name.
    fn staff_list(&self) -> StoreFuture<'_, Vec<StaffAccount>>;

    /// The sites of every device, each once, sorted bytewise (cheaper than [`Store::devices`] for a
    /// site filter).
    fn sites(&self) -> StoreFuture<'_, Vec<String>>;

    /// Appends an entry to the audit log.
    fn record_audit(&self, entry: AuditEntry) -> StoreFuture<'_, ()>;

    /// The newest audit entries first, at most `limit`.
    fn audit(&self, limit: u32) -> StoreFuture<'_, Vec<AuditEntry>>;

    /// Complaint cases matching `filter`, newest first.
    fn complaint_cases(&self, filter: CaseFilter) -> StoreFuture<'_, Vec<ComplaintCase>>;

    /// The complaint case with this key (the receipt code); the newest when two devices used the same
    /// key.
    fn complaint_case(&self, key: String) -> StoreFuture<'_, Option<ComplaintCase>>;

    /// Applies `change` to the case `key` when its status allows it, and records `audit` in the same
    /// transaction.
    fn change_complaint(
        &self,
        key: String,
        change: CaseChange,
        audit: AuditEntry,
    ) -> StoreFuture<'_, CaseUpdate>;

    /// Ratings with their return calls, newest first, at most `limit`; only `site`'s when given.
    fn rated_visits(&self, site: Option<String>, limit: u32) -> StoreFuture<'_, Vec<RatedVisit>>;

    /// Records the outcome of the return call for the rating `(device, key)` (replacing an earlier
    /// one) with `audit` in the same transaction; false when there is no such rating.
    fn record_return_call(
        &self,
        device: String,
        key: String,
        outcome: String,
        audit: AuditEntry,
    ) -> StoreFuture<'_, bool>;

    /// Makes the stored alerts match an evaluation: a condition without an open or acknowledged alert
    /// of its device and rule raises one; an open or acknowledged alert whose condition is not in
    /// `active` is closed by `system`. One transaction.
    fn sync_alerts(
        &self,
        active: Vec<ActiveCondition>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, AlertSync>;

    /// Alerts, newest first, at most `limit`: only open and acknowledged ones unless `closed_too`.
    fn alerts(&self, closed_too: bool, limit: u32) -> StoreFuture<'_, Vec<AlertRecord>>;

    /// Acknowledges or closes the alert `id` by `audit.user` at `audit.at`, when its state allows it,
    /// with `audit` in the same transaction.
    fn change_alert(
        &self,
        id: i64,
        change: AlertChange,
        audit: AuditEntry,
    ) -> StoreFuture<'_, AlertUpdate>;

    /// Reports: the newest ticket statistics of each device, day and service of the filter's days
    /// (and site), with every field the kiosk sent, ordered by day, site, service and device.
    fn ticket_stats_rows(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<TicketStatsRow>>;

    /// Reports: complaints counted by local day (UTC+8, of the kiosk's time stamp), site and
    /// category (the 【投诉】/【建议】 mark at the start of the text), ordered so.
    fn complaint_counts(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<ComplaintCount>>;

    /// Reports: ratings counted by site, service and score, ordered so.
    fn rating_counts(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<RatingCount>>;

    /// Reports: ratings counted by site, staff member (id and name, each absent when the rating
    /// names none) and score, ordered so.
    fn rating_staff_counts(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<RatingStaffCount>>;

    /// Reports: the needs surveys of the filter's days (and site), each with its site.
    fn survey_rows(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<SurveyRow>>;

    /// Bookings: stores a booking when the person holds no booking of the same slot and the slot
    /// has a seat left (taken under the slot's row lock: the last seat goes to exactly one booking,
    /// also across processes), with the staff audit entry in the same transaction.
    fn create_booking(&self, booking: NewBooking) -> StoreFuture<'_, BookingWrite>;

    /// Bookings: one booking by code or by manage token hash.
    fn booking(&self, key: BookingKey) -> StoreFuture<'_, Option<BookingRecord>>;

    /// Bookings: cancels the booked booking `code` at `at`, giving its seat back, with `audit` (staff)
    /// in the same transaction.
    fn cancel_booking(
        &self,
        code: String,
        at: DateTime<Utc>,
        audit: Option<AuditEntry>,
    ) -> StoreFuture<'_, BookingWrite>;

    /// Bookings: moves the booked booking `code` to another slot of its service when that slot has a
    /// seat (the old seat is given back in the same transaction).
    fn move_booking(
        &self,
        code: String,
        to: BookingMove,
        at: DateTime<Utc>,
        audit: Option<AuditEntry>,
    ) -> StoreFuture<'_, BookingWrite>;

    /// Bookings of the filter's days (and site), by start then code, every state.
    fn bookings(&self, filter: BookingFilter) -> StoreFuture<'_, Vec<BookingRecord>>;

    /// Seats taken per service and slot of `site` on the days `from..=to`.
    fn slots_taken(
        &self,
        site: String,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreFuture<'_, Vec<SlotTaken>>;

    /// Booked bookings starting in `from..to`, with the reminder kinds already claimed.
    fn reminder_candidates(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreFuture<'_, Vec<ReminderCandidate>>;

    /// Claims reminder `kind` of booking `id` (durably): true the first time, false ever after.
    fn claim_reminder(&self, id: i64, kind: String, at: DateTime<Utc>) -> StoreFuture<'_, bool>;

    /// Gives a claim back (the message could not be sent): a later pass tries again.
    fn release_reminder(&self, id: i64, kind: String) -> StoreFuture<'_, ()>;

    /// Records every booking still `booked` on a day before `today` as a no-show; their number.
    fn mark_no_shows(&self, today: NaiveDate, at: DateTime<Utc>) -> StoreFuture<'_, u64>;

    /// No-shows of the phone with this MAC on days from `since`.
    fn no_show_count(&self, phone_mac: String, since: NaiveDate) -> StoreFuture<'_, u32>;

    /// Video calls: the call-backs asked for, open ones first (oldest first), then the done ones
    /// (newest first) when `done_too`; at most `limit`.
    fn callbacks(&self, done_too: bool, limit: u32) -> StoreFuture<'_, Vec<CallbackRecord>>;

    /// Video calls: marks call-back `id` done by `by` at `at`, with the audit entry in the same
    /// transaction; whether it was open.
    fn complete_callback(
        &self,
        id: i64,
        by: String,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> StoreFuture<'_, bool>;

    /// Video calls: the kiosks' records, newest first; at most `limit`.
    fn video_calls(&self, limit: u32) -> StoreFuture<'_, Vec<VideoCallRow>>;

    /// Reports: the kiosks' call records of the filter's days (and site), oldest first.
    fn video_call_rows(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<VideoCallRow>>;

    /// Applications: stores an application that arrived from a kiosk, with its envelope as received
    /// and its first step (received, by the kiosk), once per tracking code: the same envelope again
    /// is [`ApplicationInsert::Again`], another envelope under a stored code
    /// [`ApplicationInsert::Conflict`] (nothing written either way). One durable transaction.
    fn insert_application(&self, application: NewApplication)
    -> StoreFuture<'_, ApplicationInsert>;

    /// Applications matching `filter`, without their envelopes: open ones first, then by the time
    /// limit of the next step (soonest first, none last), then the newest first.
    fn applications(&self, filter: ApplicationFilter) -> StoreFuture<'_, Vec<ApplicationRow>>;

    /// The application `code` with its steps, without its envelope (the status, the staff page's
    /// facts).
    fn application(&self, code: String) -> StoreFuture<'_, Option<ApplicationRecord>>;

    /// The envelope of the application `code`, sealed as received.
    fn application_envelope(&self, code: String) -> StoreFuture<'_, Option<Vec<u8>>>;

    /// The applications whose applicant's ID number has this MAC (under the holder key), newest
    /// first, at most `limit`, with their steps.
    fn applications_by_holder(
        &self,
        holder_mac: String,
        limit: u32,
    ) -> StoreFuture<'_, Vec<ApplicationRecord>>;

    /// Moves an application to `decision.to` when its state allows it
    /// (`ApplicationState::may_become`): the state, the note for the citizen and the new time limit
    /// (`deadline_after` from the decision's local day), the step and `audit`, in one transaction
    /// (the row read `FOR UPDATE` on PostgreSQL, so two staff members cannot both take a step).
    fn decide_application(
        &self,
        decision: Decision,
        audit: AuditEntry,
    ) -> StoreFuture<'_, DecisionOutcome>;
}

/// Opens the store a `--database` URL names: none or `sqlite:PATH` → SQLite (default:
/// [`SQLITE_FILE`] in `data_dir`); `postgres://…` or `postgresql://…` → PostgreSQL (connected, its
/// schema brought up to date). An error never quotes a password.
pub async fn open_store(url: Option<&str>, data_dir: &Path) -> Result<Arc<dyn Store>, StoreError> {
    let path = match url {
        None => data_dir.join(SQLITE_FILE),
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            return Ok(Arc::new(PostgresStore::connect(url).await?));
        }
        Some(url) => match url.strip_prefix("sqlite:") {
            Some(path) if !path.is_empty() => {
                Path::new(path.strip_prefix("//").unwrap_or(path)).to_path_buf()
            }
            _ => {
                return Err(StoreError::Url {
                    url: url
                        .split_once("://")
                        .map_or_else(|| url.to_owned(), |(scheme, _)| format!("{scheme}://…")),
                    reason: "expected sqlite:PATH or postgres://…".into(),
                });
            }
        },
    };
    // Opening the file and creating its schema blocks: off the async threads.
    tokio::task::spawn_blocking(move || SqliteStore::open(&path))
        .await
        .map_err(|err| StoreError::Task(err.to_string()))?
        .map(|store| Arc::new(store) as Arc<dyn Store>)
}
