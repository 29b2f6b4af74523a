//! The PostgreSQL store: any number of centres share one database.
//!
//! The same tables and rules as the SQLite store: an item and its projection in one transaction,
//! `(device, key)` stored once (also across processes: the unique index decides), every commit
//! durable (`synchronous_commit=on` for every session) before the answer. Connections come from a
//! pool; each item is its own transaction, and PostgreSQL flushes concurrent commits together.
//!
//! - [`target`]: the URL, the settings added to it, its description for errors (never a password);
//! - [`schema`]: the migrations, applied under an advisory lock;
//! - [`items`]: storing an item;
//! - [`reports`]: the report queries;
//! - [`rows`]: reading rows back into records;
//! - [`web`]: the staff web app's queries (complaint cases, return calls, audit, alerts).
//!
//! Text is ordered `COLLATE "C"` (bytewise, as SQLite orders it), not by the database's locale.
//!
//! To port a new [`Store`] method from `sqlite.rs`: `?N` becomes `$N`, `user` becomes `"user"`,
//! `MAX(a, b)` becomes `GREATEST(a, b)`, integers are `i64` (`BIGINT`) or `i32` (`INTEGER`), and the
//! row mapping goes into a function in `rows.rs`.

mod applications;
mod bookings;
mod calls;
mod items;
mod reports;
mod rows;
mod schema;
mod target;
mod web;

use std::{future::Future, sync::Arc, time::Duration};

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use super::{
    AccountSet, ActiveCondition, AlertChange, AlertRecord, AlertSync, AlertUpdate,
    ApplicationFilter, ApplicationInsert, ApplicationRecord, ApplicationRow, AuditEntry,
    BookingFilter, BookingKey, BookingMove, BookingRecord, BookingWrite, CallbackRecord,
    CaseChange, CaseFilter, CaseUpdate, ComplaintCase, ComplaintCount, ComplaintRecord, Decision,
    DecisionOutcome, DeviceRecord, DeviceStatus, NewApplication, NewBooking, NewItem, RatedVisit,
    RatingCount, RatingRecord, RatingStaffCount, ReminderCandidate, ReportFilter, Session,
    SlotTaken, StaffAccount, Store, StoreCounts, StoreFuture, Stored, SurveyRow, TicketStatsRecord,
    TicketStatsRow, VideoCallRow,
};
use crate::error::StoreError;
use rows::ms;

/// Connections per centre process. Items are short transactions; more connections than this mostly
/// add lock waits (and a server's `max_connections`, 100 by default, is shared by every centre).
const POOL_SIZE: usize = 16;

/// How long a request waits for a free connection before it fails (503: the kiosk retries).
const POOL_WAIT: Duration = Duration::from_secs(30);

/// The advisory lock key [`Store::replace_accounts`] holds, so centres starting together take turns.
const ACCOUNTS_LOCK: i64 = 0x63_65_6e_74_72_66;

/// The PostgreSQL implementation of [`Store`]. Clone freely (clones share the pool).
#[derive(Clone)]
pub struct PostgresStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// `host … port … database … user …`, for errors.
    target: String,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("target", &self.inner.target)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database a `postgres://` (or `postgresql://`) URL names and brings its schema
    /// up to date. Fails when the server cannot be reached, naming host, port, database and user
    /// (never the password), or when the database was written by a newer centre.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let config = target::config(url)?;
        let target = target::describe(&config);
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .build()
            .map_err(|err| StoreError::Pool {
                target: target.clone(),
                reason: err.to_string(),
            })?;
        let store = Self {
            inner: Arc::new(Inner { pool, target }),
        };
        let mut client = store.inner.client().await?;
        schema::migrate(&mut client, ms(Utc::now()))
            .await
            .map_err(|err| store.inner.locate(err))?;
        Ok(store)
    }

    /// The server and database, as errors name them: `host … port … database … user …`.
    pub fn target(&self) -> &str {
        &self.inner.target
    }

    /// The schema version this code writes (the highest `schema_version.version`).
    pub fn schema_version() -> i32 {
        schema::version()
    }

    /// Runs `work` with a pooled connection; errors name the server and database.
    fn with_client<'a, T, F, Fut>(&'a self, work: F) -> StoreFuture<'a, T>
    where
        T: Send + 'a,
        F: FnOnce(Object) -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'a,
    {
        Box::pin(async move {
            let client = self.inner.client().await?;
            work(client).await.map_err(|err| self.inner.locate(err))
        })
    }
}

impl Inner {
    async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(|err| match err {
            deadpool_postgres::PoolError::Backend(source) => StoreError::Postgres {
                target: self.target.clone(),
                source,
            },
            other => StoreError::Pool {
                target: self.target.clone(),
                reason: other.to_string(),
            },
        })
    }

    /// Names the server in a PostgreSQL error raised inside a query.
    fn locate(&self, err: StoreError) -> StoreError {
        match err {
            StoreError::Postgres { target, source } if target.is_empty() => StoreError::Postgres {
                target: self.target.clone(),
                source,
            },
            other => other,
        }
    }
}

/// A PostgreSQL error whose server [`Inner::locate`] fills in.
impl From<tokio_postgres::Error> for StoreError {
    fn from(source: tokio_postgres::Error) -> Self {
        Self::Postgres {
            target: String::new(),
            source,
        }
    }
}

async fn replace_accounts(client: &mut Object, accounts: &AccountSet) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ACCOUNTS_LOCK])
        .await?;
    // Tokens first cleared, then set: a token moving from one device to another never collides.
    tx.execute("UPDATE devices SET token_sha256 = NULL", &[])
        .await?;
    for device in &accounts.devices {
        tx.execute(
            "INSERT INTO devices (id, site, token_sha256, township) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET site = EXCLUDED.site, \
             token_sha256 = EXCLUDED.token_sha256, township = EXCLUDED.township",
            &[
                &device.id,
                &device.site,
                &device.token_sha256,
                &device.township,
            ],
        )
        .await?;
    }
    let keep: Vec<&str> = accounts.staff.iter().map(|s| s.user.as_str()).collect();
    tx.execute("DELETE FROM staff WHERE NOT (\"user\" = ANY($1))", &[&keep])
        .await?;
    for account in &accounts.staff {
        tx.execute(
            "INSERT INTO staff (\"user\", password_hash, role, demo, site) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (\"user\") DO UPDATE SET password_hash = EXCLUDED.password_hash, \
             role = EXCLUDED.role, demo = EXCLUDED.demo, site = EXCLUDED.site",
            &[
                &account.user,
                &account.password_hash,
                &account.role.as_str(),
                &account.demo,
                &account.site,
            ],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

impl Store for PostgresStore {
    fn store_item(&self, item: NewItem) -> StoreFuture<'_, Stored> {
        self.with_client(|mut client| async move { items::store_item(&mut client, &item).await })
    }

    fn device_by_token(&self, token_sha256: String) -> StoreFuture<'_, Option<DeviceRecord>> {
        self.with_client(|client| async move {
            let statement = client
                .prepare_cached(
                    "SELECT id, site, token_sha256, township FROM devices WHERE token_sha256 = $1",
                )
                .await?;
            client
                .query_opt(&statement, &[&token_sha256])
                .await?
                .as_ref()
                .map(rows::device)
                .transpose()
        })
    }

    fn replace_accounts(&self, accounts: AccountSet) -> StoreFuture<'_, ()> {
        self.with_client(|mut client| async move { replace_accounts(&mut client, &accounts).await })
    }

    fn real_staff(&self) -> StoreFuture<'_, Vec<String>> {
        self.with_client(|client| async move {
            client
                .query(
                    "SELECT \"user\" FROM staff WHERE NOT demo ORDER BY \"user\" COLLATE \"C\"",
                    &[],
                )
                .await?
                .iter()
                .map(|row| Ok(row.try_get(0)?))
                .collect()
        })
    }

    fn staff(&self, user: String) -> StoreFuture<'_, Option<StaffAccount>> {
        self.with_client(|client| async move {
            client
                .query_opt(
                    "SELECT \"user\", password_hash, role, demo, site FROM staff WHERE \"user\" = $1",
                    &[&user],
                )
                .await?
                .as_ref()
                .map(rows::staff)
                .transpose()
        })
    }

    fn create_session(
        &self,
        token_sha256: String,
        user: String,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.with_client(move |mut client| async move {
            let tx = client.transaction().await?;
            tx.execute("DELETE FROM sessions WHERE expires_ms <= $1", &[&ms(now)])
                .await?;
            tx.execute(
                "INSERT INTO sessions (token_sha256, \"user\", expires_ms) VALUES ($1, $2, $3)",
                &[&token_sha256, &user, &ms(expires)],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn session(
        &self,
        token_sha256: String,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, Option<Session>> {
        self.with_client(move |client| async move {
            let statement = client
                .prepare_cached(
                    "SELECT s.\"user\", staff.role, s.expires_ms, staff.site FROM sessions s \
                     JOIN staff ON staff.\"user\" = s.\"user\" \
                     WHERE s.token_sha256 = $1 AND s.expires_ms > $2",
                )
                .await?;
            client
                .query_opt(&statement, &[&token_sha256, &ms(now)])
                .await?
                .as_ref()
                .map(rows::session)
                .transpose()
        })
    }

    fn devices(&self) -> StoreFuture<'_, Vec<DeviceStatus>> {
        self.with_client(|client| async move {
            client
                .query(
                    "SELECT d.id, d.site, h.received_ms, h.data, d.township, h.created_ms, \
                     i.received_ms FROM devices d \
                     LEFT JOIN heartbeats h ON h.device = d.id \
                     LEFT JOIN items i ON i.id = h.item_id ORDER BY d.id COLLATE \"C\"",
                    &[],
                )
                .await?
                .iter()
                .map(rows::device_status)
                .collect()
        })
    }

    fn complaints(&self, limit: u32) -> StoreFuture<'_, Vec<ComplaintRecord>> {
        self.with_client(move |client| async move {
            client
                .query(
                    "SELECT c.key, c.device, d.site, c.about, c.text, c.contact, c.created_ms, \
                     c.received_ms, c.status FROM complaints c JOIN devices d ON d.id = c.device \
                     ORDER BY c.received_ms DESC, c.item_id DESC LIMIT $1",
                    &[&i64::from(limit)],
                )
                .await?
                .iter()
                .map(rows::complaint)
                .collect()
        })
    }

    fn ratings(&self, limit: u32) -> StoreFuture<'_, Vec<RatingRecord>> {
        self.with_client(move |client| async move {
            client
                .query(
                    &format!(
                        "SELECT {} FROM ratings r JOIN devices d ON d.id = r.device \
                         ORDER BY r.received_ms DESC, r.item_id DESC LIMIT $1",
                        super::RATING_COLUMNS
                    ),
                    &[&i64::from(limit)],
                )
                .await?
                .iter()
                .map(rows::rating)
                .collect()
        })
    }

    fn ticket_stats(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreFuture<'_, Vec<TicketStatsRecord>> {
        self.with_client(move |client| async move {
            client
                .query(
                    "SELECT device, day, service, issued, served, no_show, mean_wait_secs \
                     FROM ticket_stats WHERE day >= $1 AND day <= $2 \
                     ORDER BY day, device COLLATE \"C\", service COLLATE \"C\"",
                    &[&from.to_string(), &to.to_string()],
                )
                .await?
                .iter()
                .map(rows::ticket_stats)
                .collect()
        })
    }

    fn counts(&self) -> StoreFuture<'_, StoreCounts> {
        self.with_client(|client| async move {
            let row = client
                .query_one(
                    "SELECT (SELECT COUNT(*) FROM items), (SELECT COUNT(*) FROM complaints), \
                     (SELECT COUNT(*) FROM ratings), (SELECT COUNT(*) FROM heartbeats), \
                     (SELECT COUNT(*) FROM ticket_stats)",
                    &[],
                )
                .await?;
            let count = |index: usize| -> Result<u64, StoreError> {
                let n: i64 = row.try_get(index)?;
                Ok(n.max(0) as u64)
            };
            Ok(StoreCounts {
                items: count(0)?,
                complaints: count(1)?,
                ratings: count(2)?,
                heartbeats: count(3)?,
                ticket_stats: count(4)?,
            })
        })
    }

    fn delete_session(&self, token_sha256: String) -> StoreFuture<'_, ()> {
        self.with_client(move |client| async move {
            client
                .execute(
                    "DELETE FROM sessions WHERE token_sha256 = $1",
                    &[&token_sha256],
                )
                .await?;
            Ok(())
        })
    }

    fn staff_list(&self) -> StoreFuture<'_, Vec<StaffAccount>> {
        self.with_client(|client| async move {
            client
                .query(
                    "SELECT \"user\", password_hash, role, demo, site FROM staff \
                     ORDER BY \"user\" COLLATE \"C\"",
                    &[],
                )
                .await?
                .iter()
                .map(rows::staff)
                .collect()
        })
    }

    fn sites(&self) -> StoreFuture<'_, Vec<String>> {
        self.with_client(|client| async move {
            Ok(client
                .query(
                    "SELECT DISTINCT site COLLATE \"C\" AS site FROM devices ORDER BY 1",
                    &[],
                )
                .await?
                .iter()
                .map(|row| row.get::<_, String>(0))
                .collect())
        })
    }

    fn record_audit(&self, entry: AuditEntry) -> StoreFuture<'_, ()> {
        self.with_client(move |client| async move { web::insert_audit(&client, &entry).await })
    }

    fn audit(&self, limit: u32) -> StoreFuture<'_, Vec<AuditEntry>> {
        self.with_client(move |client| async move { web::audit(&client, limit).await })
    }

    fn complaint_cases(&self, filter: CaseFilter) -> StoreFuture<'_, Vec<ComplaintCase>> {
        self.with_client(move |client| async move { web::complaint_cases(&client, &filter).await })
    }

    fn complaint_case(&self, key: String) -> StoreFuture<'_, Option<ComplaintCase>> {
        self.with_client(move |client| async move { web::complaint_case(&client, &key).await })
    }

    fn change_complaint(
        &self,
        key: String,
        change: CaseChange,
        audit: AuditEntry,
    ) -> StoreFuture<'_, CaseUpdate> {
        self.with_client(move |mut client| async move {
            web::change_complaint(&mut client, &key, &change, &audit).await
        })
    }

    fn rated_visits(&self, site: Option<String>, limit: u32) -> StoreFuture<'_, Vec<RatedVisit>> {
        self.with_client(move |client| async move {
            web::rated_visits(&client, site.as_deref(), limit).await
        })
    }

    fn record_return_call(
        &self,
        device: String,
        key: String,
        outcome: String,
        audit: AuditEntry,
    ) -> StoreFuture<'_, bool> {
        self.with_client(move |mut client| async move {
            web::record_return_call(&mut client, &device, &key, &outcome, &audit).await
        })
    }

    fn sync_alerts(
        &self,
        active: Vec<ActiveCondition>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, AlertSync> {
        self.with_client(move |mut client| async move {
            web::sync_alerts(&mut client, &active, now).await
        })
    }

    fn alerts(&self, closed_too: bool, limit: u32) -> StoreFuture<'_, Vec<AlertRecord>> {
        self.with_client(move |client| async move { web::alerts(&client, closed_too, limit).await })
    }

    fn change_alert(
        &self,
        id: i64,
        change: AlertChange,
        audit: AuditEntry,
    ) -> StoreFuture<'_, AlertUpdate> {
        self.with_client(move |mut client| async move {
            web::change_alert(&mut client, id, change, &audit).await
        })
    }

    fn ticket_stats_rows(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<TicketStatsRow>> {
        self.with_client(|client| async move { reports::ticket_stats_rows(&client, &filter).await })
    }

    fn complaint_counts(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<ComplaintCount>> {
        self.with_client(|client| async move { reports::complaint_counts(&client, &filter).await })
    }

    fn rating_counts(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<RatingCount>> {
        self.with_client(|client| async move { reports::rating_counts(&client, &filter).await })
    }

    fn rating_staff_counts(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<RatingStaffCount>> {
        self.with_client(
            |client| async move { reports::rating_staff_counts(&client, &filter).await },
        )
    }

    fn survey_rows(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<SurveyRow>> {
        self.with_client(|client| async move { reports::survey_rows(&client, &filter).await })
    }

    fn create_booking(&self, booking: NewBooking) -> StoreFuture<'_, BookingWrite> {
        self.with_client(
            move |mut client| async move { bookings::create(&mut client, &booking).await },
        )
    }

    fn booking(&self, key: BookingKey) -> StoreFuture<'_, Option<BookingRecord>> {
        self.with_client(move |client| async move { bookings::booking(&client, &key).await })
    }

    fn cancel_booking(
        &self,
        code: String,
        at: DateTime<Utc>,
        audit: Option<AuditEntry>,
    ) -> StoreFuture<'_, BookingWrite> {
        self.with_client(move |mut client| async move {
            bookings::cancel(&mut client, &code, at, audit.as_ref()).await
        })
    }

    fn move_booking(
        &self,
        code: String,
        to: BookingMove,
        at: DateTime<Utc>,
        audit: Option<AuditEntry>,
    ) -> StoreFuture<'_, BookingWrite> {
        self.with_client(move |mut client| async move {
            bookings::move_to(&mut client, &code, &to, at, audit.as_ref()).await
        })
    }

    fn bookings(&self, filter: BookingFilter) -> StoreFuture<'_, Vec<BookingRecord>> {
        self.with_client(move |client| async move { bookings::list(&client, &filter).await })
    }

    fn slots_taken(
        &self,
        site: String,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreFuture<'_, Vec<SlotTaken>> {
        self.with_client(move |client| async move {
            bookings::slots_taken(&client, &site, from, to).await
        })
    }

    fn reminder_candidates(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreFuture<'_, Vec<ReminderCandidate>> {
        self.with_client(move |client| async move {
            bookings::reminder_candidates(&client, from, to).await
        })
    }

    fn claim_reminder(&self, id: i64, kind: String, at: DateTime<Utc>) -> StoreFuture<'_, bool> {
        self.with_client(move |client| async move {
            bookings::claim_reminder(&client, id, &kind, at).await
        })
    }

    fn release_reminder(&self, id: i64, kind: String) -> StoreFuture<'_, ()> {
        self.with_client(move |client| async move {
            bookings::release_reminder(&client, id, &kind).await
        })
    }

    fn mark_no_shows(&self, today: NaiveDate, at: DateTime<Utc>) -> StoreFuture<'_, u64> {
        self.with_client(
            move |client| async move { bookings::mark_no_shows(&client, today, at).await },
        )
    }

    fn no_show_count(&self, phone_mac: String, since: NaiveDate) -> StoreFuture<'_, u32> {
        self.with_client(move |client| async move {
            bookings::no_show_count(&client, &phone_mac, since).await
        })
    }

    fn callbacks(&self, done_too: bool, limit: u32) -> StoreFuture<'_, Vec<CallbackRecord>> {
        self.with_client(
            move |client| async move { calls::callbacks(&client, done_too, limit).await },
        )
    }

    fn complete_callback(
        &self,
        id: i64,
        by: String,
        at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> StoreFuture<'_, bool> {
        self.with_client(move |mut client| async move {
            calls::complete_callback(&mut client, id, &by, at, &audit).await
        })
    }

    fn video_calls(&self, limit: u32) -> StoreFuture<'_, Vec<VideoCallRow>> {
        self.with_client(move |client| async move { calls::video_calls(&client, limit).await })
    }

    fn video_call_rows(&self, filter: ReportFilter) -> StoreFuture<'_, Vec<VideoCallRow>> {
        self.with_client(
            move |client| async move { calls::video_call_rows(&client, &filter).await },
        )
    }

    fn insert_application(
        &self,
        application: NewApplication,
    ) -> StoreFuture<'_, ApplicationInsert> {
        self.with_client(move |mut client| async move {
            applications::insert(&mut client, &application).await
        })
    }

    fn applications(&self, filter: ApplicationFilter) -> StoreFuture<'_, Vec<ApplicationRow>> {
        self.with_client(move |client| async move { applications::list(&client, &filter).await })
    }

    fn application(&self, code: String) -> StoreFuture<'_, Option<ApplicationRecord>> {
        self.with_client(move |client| async move { applications::one(&client, &code).await })
    }

    fn application_envelope(&self, code: String) -> StoreFuture<'_, Option<Vec<u8>>> {
        self.with_client(move |client| async move { applications::envelope(&client, &code).await })
    }

    fn applications_by_holder(
        &self,
        holder_mac: String,
        limit: u32,
    ) -> StoreFuture<'_, Vec<ApplicationRecord>> {
        self.with_client(move |client| async move {
            applications::by_holder(&client, &holder_mac, limit).await
        })
    }

    fn decide_application(
        &self,
        decision: Decision,
        audit: AuditEntry,
    ) -> StoreFuture<'_, DecisionOutcome> {
        self.with_client(move |mut client| async move {
            applications::decide(&mut client, &decision, &audit).await
        })
    }
}
