//! The outbox: complaints, ratings, anonymous ticket statistics, heartbeats and booking check-ins, kept in SQLite
//! (`DATA_DIR/outbox.sqlite3`) until the centre's endpoint has them.
//!
//! Each item has an idempotency key, sent as the `Idempotency-Key` header and in the body, so a retry after
//! a lost answer is recognised by the centre. Delivery: `2xx` or `409 Conflict` (already received) marks
//! the item sent; `400`–`499` other than `401`, `403`, `408` and `429` marks it rejected (kept, logged,
//! not retried; `401` and `403` say the centre does not know the device yet, a fixable setting);
//! anything else, or no answer, schedules a retry with exponential backoff (5 s doubling to 1 h, ±20 %
//! jitter). Items are committed with `synchronous=FULL` before `submit` returns, so a reboot loses nothing.
//!
//! The database file has mode 0600 and `secure_delete=ON` ([`db`]). What waits for the centre is bounded
//! and what it answered is purged ([`retention`], `[content.outbox_retention]`); every drop is counted in
//! [`Outbox::status`].

mod db;
mod retention;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, NaiveDate, Utc};
use rand::{Rng as _, RngCore as _};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::{
    ContentConfig,
    clock::{SystemWallClock, WallClock},
    config::OutboxRetention,
    error::OutboxError,
};

/// The device token in `file`: its first line, trimmed; an empty or unreadable file is an error
/// naming the file.
pub(crate) fn read_token(file: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|err| format!("outbox_token_file {}: {err}", file.display()))?;
    let token = text.lines().next().unwrap_or("").trim().to_owned();
    if token.is_empty() {
        return Err(format!("outbox_token_file {} is empty", file.display()));
    }
    Ok(token)
}

/// A complaint or suggestion (投诉/意见建议).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    /// What it is about: a queue service id, or `general`.
    pub about: String,
    /// The citizen's text.
    pub text: String,
    /// A telephone number for the answer, only when the citizen chose to leave one.
    pub contact: Option<String>,
}

/// A satisfaction rating (好差评), 1 (very dissatisfied) to 5 (very satisfied).
///
/// The fields after `window` came with the window rating pad; older items lack them and still
/// parse (each has a default and is left out of the JSON when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// The queue service id.
    pub service: String,
    /// The ticket number rated, when any (e.g. `C012`).
    pub ticket: Option<String>,
    /// The score, 1 to 5.
    pub score: u8,
    /// An optional comment.
    pub comment: String,
    /// The window (counter) that served the visit, 1 and up, when known: chosen by the citizen on
    /// the touch terminal, or filled by a window's rating pad. Absent in older kiosks' ratings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u32>,
    /// The staff number (工号) of who served the visit, when the window's login names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
    /// The name of who served, as on the counter's name plate (public, not masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_name: Option<String>,
    /// Reasons ticked on a low rating: ids of [`RATING_REASONS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Where it was given: one of [`RATING_SOURCES`] (absent in older kiosks' ratings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The reason ids a rating may carry (the same list as the queue host's).
pub const RATING_REASONS: [&str; 6] = queue::RATING_REASONS;

/// The places a rating may come from: the window's rating pad, the phone status page, the kiosk.
pub const RATING_SOURCES: [&str; 3] = ["pad", "phone", "kiosk"];

impl Rating {
    /// The outbox item of a rating the queue host recorded: one per ticket and day, keyed
    /// [`Rating::key_of`].
    pub fn from_ticket(rating: &queue::TicketRating) -> Self {
        Self {
            service: rating.service.clone(),
            ticket: Some(rating.number.clone()),
            score: rating.score,
            comment: String::new(),
            window: Some(rating.window),
            staff_id: rating.staff.as_ref().map(|s| s.staff_id.clone()),
            staff_name: rating.staff.as_ref().map(|s| s.name.clone()),
            reasons: rating.reasons.clone(),
            source: Some(rating.source.as_str().to_owned()),
        }
    }

    /// The outbox key of a ticket's rating, `rating:DAY:NUMBER`: a repeat is the same item.
    pub fn key_of(rating: &queue::TicketRating) -> String {
        format!("rating:{}:{}", rating.day, rating.number)
    }

    fn problem(&self) -> Option<String> {
        if let Some(bad) = self
            .reasons
            .iter()
            .find(|r| !RATING_REASONS.contains(&r.as_str()))
        {
            let bad: String = bad.chars().take(40).collect();
            return Some(format!("unknown reason {bad:?}"));
        }
        if (1..self.reasons.len()).any(|i| self.reasons[..i].contains(&self.reasons[i])) {
            return Some("a reason is given twice".into());
        }
        if let Some(source) = &self.source
            && !RATING_SOURCES.contains(&source.as_str())
        {
            let source: String = source.chars().take(40).collect();
            return Some(format!("unknown source {source:?}"));
        }
        let too_long = |v: &Option<String>| v.as_ref().is_some_and(|v| v.chars().count() > 64);
        if too_long(&self.staff_id) || too_long(&self.staff_name) {
            return Some("the staff id and name are at most 64 characters".into());
        }
        None
    }
}

/// The highest window number a rating may name.
pub const RATING_MAX_WINDOW: u32 = 999;

/// An anonymous needs survey (需求调查): which services and which kinds of matter the citizen needs
/// help with, and how they would like to be served. Only choices from fixed lists: no free text, no
/// ticket, nothing that names a person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsSurvey {
    /// Services needed (`consultation`, `legal_aid`, `mediation` …).
    pub services: Vec<String>,
    /// Kinds of matter (`marriage_family`, `wages` …).
    pub matters: Vec<String>,
    /// Preferred ways of being served (`station`, `village_adviser`, `hotline` …).
    pub channels: Vec<String>,
}

/// Most choices in one list of a needs survey.
pub const SURVEY_MAX_CHOICES: usize = 16;

impl NeedsSurvey {
    fn problem(&self) -> Option<String> {
        if self.services.is_empty() && self.matters.is_empty() && self.channels.is_empty() {
            return Some("no answer was chosen".into());
        }
        for (name, list) in [
            ("services", &self.services),
            ("matters", &self.matters),
            ("channels", &self.channels),
        ] {
            if list.len() > SURVEY_MAX_CHOICES {
                return Some(format!("{name}: more than {SURVEY_MAX_CHOICES} choices"));
            }
            if let Some(bad) = list.iter().find(|id| {
                id.is_empty()
                    || id.len() > 32
                    || !id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            }) {
                return Some(format!(
                    "{name}: {bad:?} is not a choice id ([a-z_]{{1,32}})"
                ));
            }
        }
        None
    }
}

/// Anonymous ticket statistics of one service on one day (no identities).
///
/// The fields after `mean_wait_secs` were added after the first release: they are optional (serde
/// defaults), so an item of an older kiosk is still read and accepted, and they are left out of the
/// JSON when absent. The waiting times travel as a histogram rather than as percentiles so that the
/// centre can combine several devices exactly (percentiles cannot be averaged).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketStats {
    /// The business day.
    pub day: NaiveDate,
    /// The queue service id.
    pub service: String,
    /// Tickets issued.
    pub issued: u32,
    /// Tickets served.
    pub served: u32,
    /// Tickets not answered when called.
    pub no_show: u32,
    /// Mean wait from issue to call, seconds.
    pub mean_wait_secs: u32,
    /// Waiting times of the tickets called, as a histogram of whole minutes (rounded down): entry
    /// `m` counts the tickets that waited `m` minutes (`[3,0,1]`: three under a minute, one of 2
    /// minutes), without trailing zeros; at most [`TICKET_STATS_MAX_MINUTES`] + 1 entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wait_minutes: Vec<u32>,
    /// Tickets whose service time is known (with `service_total_secs`; at most `served`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_count: Option<u32>,
    /// Their service times summed, seconds (so that a mean over several devices is exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_total_secs: Option<u64>,
    /// Tickets issued in each local hour of the day (index 0 = 00:00–00:59); they add up to
    /// `issued`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_by_hour: Option<[u32; 24]>,
}

/// The most tickets any count of [`TicketStats`] may hold (twice the 9,999 numbers a service can
/// issue in a day, for transfers in).
pub const TICKET_STATS_MAX_TICKETS: u32 = 20_000;

/// The longest wait in [`TicketStats::wait_minutes`]: a business day.
pub const TICKET_STATS_MAX_MINUTES: u32 = 24 * 60;

impl TicketStats {
    fn problem(&self) -> Option<String> {
        let max = TICKET_STATS_MAX_TICKETS;
        for (name, n) in [
            ("issued", self.issued),
            ("served", self.served),
            ("no_show", self.no_show),
        ] {
            if n > max {
                return Some(format!("{name}: more than {max} tickets"));
            }
        }
        if self.wait_minutes.len() > TICKET_STATS_MAX_MINUTES as usize + 1 {
            return Some(format!(
                "wait_minutes: {} entries, more than a day ({TICKET_STATS_MAX_MINUTES} minutes)",
                self.wait_minutes.len()
            ));
        }
        let waits: u64 = self.wait_minutes.iter().map(|&n| u64::from(n)).sum();
        if waits > u64::from(max) {
            return Some(format!("wait_minutes: more than {max} tickets"));
        }
        match (self.service_count, self.service_total_secs) {
            (None, None) => {}
            (Some(count), Some(total)) => {
                if count > self.served {
                    return Some(format!(
                        "service_count: {count} is more than the {} served",
                        self.served
                    ));
                }
                if total > u64::from(count) * 86_400 {
                    return Some(format!(
                        "service_total_secs: {total} is more than a day per ticket served"
                    ));
                }
            }
            _ => {
                return Some("service_count and service_total_secs go together".into());
            }
        }
        if let Some(hours) = &self.issued_by_hour {
            let sum: u64 = hours.iter().map(|&n| u64::from(n)).sum();
            if sum != u64::from(self.issued) {
                return Some(format!(
                    "issued_by_hour adds up to {sum}, not to the {} issued",
                    self.issued
                ));
            }
        }
        None
    }
}

/// A device heartbeat. Fields added after the first release carry `#[serde(default)]`, so items queued
/// by an older version still parse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// Installed content version.
    pub content_version: Option<u64>,
    /// Whether the installed content is past its expiry.
    pub content_stale: bool,
    /// How the device clock was judged: `plausible`, `behind` or `ahead`.
    pub clock: String,
    /// The last sync error, when any.
    pub last_sync_error: Option<String>,
    /// Items waiting in the outbox.
    pub outbox_pending: u64,
    /// Seconds since the installed bundle was signed.
    #[serde(default)]
    pub content_age_secs: Option<u64>,
    /// The peripherals (printer, ID reader, LED panel, queue host, board, disk, uptime, restarts).
    #[serde(default)]
    pub devices: Option<health_facts::DeviceFacts>,
    /// What `/healthz` lists as wrong at the time of the heartbeat.
    #[serde(default)]
    pub problems: Vec<String>,
    /// The kiosk software's version (none from kiosks older than this field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
}

/// What the outbox carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum OutboxPayload {
    /// A complaint or suggestion.
    Complaint(Complaint),
    /// A satisfaction rating.
    Rating(Rating),
    /// Daily ticket statistics.
    TicketStats(TicketStats),
    /// A heartbeat.
    Heartbeat(Heartbeat),
    /// An anonymous needs survey.
    NeedsSurvey(NeedsSurvey),
    /// A citizen with a booking checked in at the site (`crate::booking`).
    BookingUpdate(crate::booking::BookingUpdate),
    /// A video call to a duty lawyer, as the kiosk saw it (`crate::video_call`).
    VideoCall(crate::video_call::VideoCallRecord),
    /// A call-back a citizen asked for when nobody could answer (`crate::video_call`).
    CallbackRequest(crate::video_call::CallbackRequest),
}

impl OutboxPayload {
    /// The kind as stored and sent.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Complaint(_) => "complaint",
            Self::Rating(_) => "rating",
            Self::TicketStats(_) => "ticket_stats",
            Self::Heartbeat(_) => "heartbeat",
            Self::NeedsSurvey(_) => "needs_survey",
            Self::BookingUpdate(_) => "booking_update",
            Self::VideoCall(_) => "video_call",
            Self::CallbackRequest(_) => "callback_request",
        }
    }

    /// Checks the kind's rules (a complaint's text, a rating's score, a survey's choices, the bounds
    /// and sums of ticket statistics): what the kiosk refuses at `submit` and the centre refuses on
    /// arrival, so both apply the same rules.
    pub fn validate(&self) -> Result<(), OutboxError> {
        let invalid = |reason: &str| {
            Err(OutboxError::Invalid {
                kind: self.kind(),
                reason: reason.into(),
            })
        };
        match self {
            Self::Complaint(c) if c.text.trim().is_empty() => invalid("the text is empty"),
            Self::Complaint(c) if c.text.chars().count() > 2000 => {
                invalid("the text is longer than 2000 characters")
            }
            Self::Rating(r) if !(1..=5).contains(&r.score) => invalid("the score must be 1 to 5"),
            Self::Rating(r) if r.comment.chars().count() > 500 => {
                invalid("the comment is longer than 500 characters")
            }
            Self::Rating(Rating {
                window: Some(window),
                ..
            }) if !(1..=RATING_MAX_WINDOW).contains(window) => {
                invalid("the window must be 1 to 999")
            }
            Self::Rating(rating) => match rating.problem() {
                Some(reason) => invalid(&reason),
                None => Ok(()),
            },
            Self::TicketStats(stats) => match stats.problem() {
                Some(reason) => invalid(&reason),
                None => Ok(()),
            },
            Self::NeedsSurvey(survey) => match survey.problem() {
                Some(reason) => invalid(&reason),
                None => Ok(()),
            },
            Self::BookingUpdate(update) => match update.problem() {
                Some(reason) => invalid(&reason),
                None => Ok(()),
            },
            Self::VideoCall(record) => match record.problem() {
                Some(reason) => invalid(&reason),
                None => Ok(()),
            },
            Self::CallbackRequest(request) => match request.problem() {
                Some(reason) => invalid(&reason),
                None => Ok(()),
            },
            Self::Heartbeat(beat)
                if beat
                    .software_version
                    .as_ref()
                    .is_some_and(|v| v.is_empty() || v.len() > 64) =>
            {
                invalid("software_version must be 1 to 64 bytes")
            }
            _ => Ok(()),
        }
    }
}

/// The body POSTed to the endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// The idempotency key.
    pub key: String,
    /// The device that sent it.
    pub device: String,
    /// When it was submitted.
    pub created: DateTime<Utc>,
    /// The payload (`kind` and `data`).
    #[serde(flatten)]
    pub payload: OutboxPayload,
}

/// Delivery state of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemState {
    /// Waiting to be sent (or retried).
    Pending,
    /// Received by the centre.
    Sent,
    /// Refused by the centre (a 4xx answer); kept for the technician.
    Rejected,
}

/// One item as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// The idempotency key.
    pub key: String,
    /// The message.
    pub message: OutboxMessage,
    /// Delivery state.
    pub state: ItemState,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt: DateTime<Utc>,
    /// The last delivery error.
    pub last_error: Option<String>,
}

/// What one delivery round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Items delivered.
    pub sent: usize,
    /// Items to be retried later.
    pub retry: usize,
    /// Items refused by the centre.
    pub rejected: usize,
}

/// The outbox's counts, for status screens and health reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxStatus {
    /// Items waiting to be sent (or retried).
    pub pending: u64,
    /// Items the centre refused, kept for the technician until `rejected_days` have passed.
    pub rejected: u64,
    /// Delivered items not yet purged.
    pub sent: u64,
    /// Undelivered items dropped by the retention limits since the database was created, by kind
    /// (`heartbeat`, `complaint`, `rating`, `ticket_stats`).
    pub dropped: BTreeMap<String, u64>,
}

impl OutboxStatus {
    /// Undelivered items dropped, every kind together.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().sum()
    }
}

/// The durable outbox. Clone freely.
#[derive(Clone)]
pub struct Outbox {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    conn: Mutex<Connection>,
    client: reqwest::Client,
    endpoint: Option<String>,
    /// The device's token for the centre, sent as `Authorization: Bearer`.
    token: Option<String>,
    device: String,
    wake: Notify,
    clock: Arc<dyn WallClock>,
    retention: OutboxRetention,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

const BACKOFF_BASE_SECS: f64 = 5.0;
const BACKOFF_MAX_SECS: f64 = 3600.0;
const BATCH: usize = 50;

/// The delay before attempt `attempts + 1`: 5 s doubling to 1 h, with ±20 % jitter.
pub fn backoff(attempts: u32) -> Duration {
    let base = (BACKOFF_BASE_SECS * 2f64.powi(attempts.saturating_sub(1).min(20) as i32))
        .min(BACKOFF_MAX_SECS);
    Duration::from_secs_f64(base * rand::rng().random_range(0.8..=1.2))
}

impl Outbox {
    /// Opens (or creates) the outbox in `data_dir`. `device` names this device in messages when the
    /// configuration gives no `device_id`.
    pub fn open(
        data_dir: &Path,
        config: &ContentConfig,
        device: &str,
    ) -> Result<Self, OutboxError> {
        Self::open_with_clock(data_dir, config, device, Arc::new(SystemWallClock))
    }

    /// Opens the outbox with an injected wall clock (the time items are stamped with, fall due by and are
    /// kept by). The database file is created with mode 0600; retention runs once at opening.
    pub fn open_with_clock(
        data_dir: &Path,
        config: &ContentConfig,
        device: &str,
        clock: Arc<dyn WallClock>,
    ) -> Result<Self, OutboxError> {
        let path = data_dir.join("outbox.sqlite3");
        let db = |source| OutboxError::Database {
            path: path.clone(),
            source,
        };
        let conn = db::open(&path).map_err(|err| match err {
            db::OpenError::Sqlite(source) => db(source),
            db::OpenError::File(source) => OutboxError::File {
                path: path.clone(),
                source,
            },
        })?;
        retention::enforce(&conn, &config.outbox_retention, clock.now()).map_err(db)?;
        let token = match &config.outbox_token_file {
            None => None,
            Some(file) => Some(read_token(file).map_err(|reason| OutboxError::Invalid {
                kind: "endpoint",
                reason,
            })?),
        };
        let client = config
            .http_client(Duration::from_secs(10), config.timeout())
            .map_err(|err| OutboxError::Invalid {
                kind: "endpoint",
                reason: err.to_string(),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                path,
                conn: Mutex::new(conn),
                client,
                endpoint: config.outbox_url(),
                token,
                device: config
                    .device_id
                    .clone()
                    .unwrap_or_else(|| device.to_owned()),
                wake: Notify::new(),
                clock,
                retention: config.outbox_retention,
            }),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.inner
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn db(&self, source: rusqlite::Error) -> OutboxError {
        OutboxError::Database {
            path: self.inner.path.clone(),
            source,
        }
    }

    /// Queues a payload under a new random idempotency key, durably; returns the key.
    pub fn submit(&self, payload: OutboxPayload) -> Result<String, OutboxError> {
        let mut key = [0u8; 16];
        rand::rng().fill_bytes(&mut key);
        let key = hex::encode(key);
        self.submit_with_key(&key, payload)?;
        Ok(key)
    }

    /// Queues a payload under the caller's key (e.g. `stats:2026-03-02:legal_aid`). Returns false when an
    /// item with that key is already queued or sent (nothing is added). The retention limits are applied
    /// after the item is added, so the outbox never holds more than they allow.
    pub fn submit_with_key(&self, key: &str, payload: OutboxPayload) -> Result<bool, OutboxError> {
        payload.validate()?;
        let now = self.inner.clock.now();
        let message = OutboxMessage {
            key: key.to_owned(),
            device: self.inner.device.clone(),
            created: now,
            payload,
        };
        let json = serde_json::to_string(&message).expect("messages serialise");
        let kind = message.payload.kind();
        let added = {
            let conn = self.conn();
            let added = conn
                .execute(
                    "INSERT OR IGNORE INTO outbox (key, kind, message, created_ms, next_attempt_ms) \
                     VALUES (?1, ?2, ?3, ?4, ?4)",
                    params![key, kind, json, now.timestamp_millis()],
                )
                .map_err(|e| self.db(e))?;
            retention::enforce(&conn, &self.inner.retention, now).map_err(|e| self.db(e))?;
            added
        };
        self.inner.wake.notify_one();
        Ok(added == 1)
    }

    /// Items not yet delivered (pending and rejected), oldest first.
    pub fn undelivered(&self) -> Result<Vec<OutboxItem>, OutboxError> {
        self.items("SELECT key, message, state, attempts, next_attempt_ms, last_error FROM outbox WHERE state != 'sent' ORDER BY id", [])
    }

    /// One item by key.
    pub fn item(&self, key: &str) -> Result<Option<OutboxItem>, OutboxError> {
        Ok(self
            .items("SELECT key, message, state, attempts, next_attempt_ms, last_error FROM outbox WHERE key = ?1", [key])?
            .pop())
    }

    /// Number of items waiting to be sent.
    pub fn pending_count(&self) -> Result<u64, OutboxError> {
        self.conn()
            .query_row(
                "SELECT COUNT(*) FROM outbox WHERE state = 'pending'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.db(e))
    }

    /// Pending, refused and delivered counts, and the drops of the retention limits by kind.
    pub fn status(&self) -> Result<OutboxStatus, OutboxError> {
        let conn = self.conn();
        let mut status = OutboxStatus {
            dropped: retention::dropped_counts(&conn).map_err(|e| self.db(e))?,
            ..OutboxStatus::default()
        };
        let mut stmt = conn
            .prepare("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(|e| self.db(e))?;
        for row in rows {
            let (state, count) = row.map_err(|e| self.db(e))?;
            let count = count.max(0) as u64;
            match state.as_str() {
                "sent" => status.sent = count,
                "rejected" => status.rejected = count,
                _ => status.pending += count,
            }
        }
        Ok(status)
    }

    /// Applies the retention limits at `now` (done by every submit and delivery round; exposed for
    /// maintenance). Returns the number of undelivered items dropped.
    pub fn enforce_retention(&self, now: DateTime<Utc>) -> Result<u64, OutboxError> {
        let removed =
            retention::enforce(&self.conn(), &self.inner.retention, now).map_err(|e| self.db(e))?;
        Ok(removed.dropped.values().sum())
    }

    fn items<P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
    ) -> Result<Vec<OutboxItem>, OutboxError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(sql).map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map(params, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u32>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(|e| self.db(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, message, state, attempts, next_ms, last_error) =
                row.map_err(|e| self.db(e))?;
            let Ok(message) = serde_json::from_str(&message) else {
                tracing::error!("outbox item {key} cannot be read; left in place");
                continue;
            };
            out.push(OutboxItem {
                key,
                message,
                state: match state.as_str() {
                    "sent" => ItemState::Sent,
                    "rejected" => ItemState::Rejected,
                    _ => ItemState::Pending,
                },
                attempts,
                next_attempt: DateTime::from_timestamp_millis(next_ms).unwrap_or_default(),
                last_error,
            });
        }
        Ok(out)
    }

    /// Applies the retention limits, then sends the items due at `now` (up to 50), oldest first, one
    /// request each (nothing is sent without an endpoint).
    pub async fn send_due(&self, now: DateTime<Utc>) -> Result<SendReport, OutboxError> {
        let mut report = SendReport::default();
        self.enforce_retention(now)?;
        let Some(endpoint) = self.inner.endpoint.clone() else {
            return Ok(report);
        };
        let due: Vec<(String, String)> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare("SELECT key, message FROM outbox WHERE state = 'pending' AND next_attempt_ms <= ?1 ORDER BY id LIMIT ?2")
                .map_err(|e| self.db(e))?;
            stmt.query_map(params![now.timestamp_millis(), BATCH as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.db(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.db(e))?
        };
        for (key, message) in due {
            let mut request = self
                .inner
                .client
                .post(&endpoint)
                .header("Idempotency-Key", &key)
                .header(reqwest::header::CONTENT_TYPE, "application/json");
            if let Some(token) = &self.inner.token {
                request = request.bearer_auth(token);
            }
            let result = request.body(message).send().await;
            let verdict = match result {
                Ok(response) => {
                    let status = response.status();
                    if status.is_success() || status == reqwest::StatusCode::CONFLICT {
                        Ok(())
                    } else if status == reqwest::StatusCode::UNAUTHORIZED
                        || status == reqwest::StatusCode::FORBIDDEN
                    {
                        // The centre does not know this device (yet): a token to fix on the device or
                        // at the centre, not a bad item. Kept and retried, never dropped.
                        tracing::error!(
                            "the centre does not accept this device ({status}): check \
                             [content] outbox_token_file and the centre's device list; item {key} \
                             is kept and retried"
                        );
                        Err((true, format!("HTTP {status}")))
                    } else if status.is_client_error()
                        && status != reqwest::StatusCode::REQUEST_TIMEOUT
                        && status != reqwest::StatusCode::TOO_MANY_REQUESTS
                    {
                        Err((false, format!("HTTP {status}")))
                    } else {
                        Err((true, format!("HTTP {status}")))
                    }
                }
                Err(err) => Err((true, crate::error::chain(&err))),
            };
            let conn = self.conn();
            let updated = match verdict {
                Ok(()) => {
                    report.sent += 1;
                    conn.execute(
                        "UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_ms = ?2, last_error = NULL WHERE key = ?1",
                        params![key, now.timestamp_millis()],
                    )
                }
                Err((false, error)) => {
                    report.rejected += 1;
                    tracing::error!(
                        "the centre refused outbox item {key}: {error}; kept, not retried"
                    );
                    conn.execute(
                        "UPDATE outbox SET state = 'rejected', attempts = attempts + 1, last_error = ?2, sent_ms = ?3 WHERE key = ?1",
                        params![key, error, now.timestamp_millis()],
                    )
                }
                Err((true, error)) => {
                    report.retry += 1;
                    let attempts: u32 = conn
                        .query_row("SELECT attempts FROM outbox WHERE key = ?1", [&key], |r| {
                            r.get(0)
                        })
                        .optional()
                        .map_err(|e| self.db(e))?
                        .unwrap_or(0)
                        + 1;
                    let next =
                        now + chrono::Duration::from_std(backoff(attempts)).unwrap_or_default();
                    tracing::warn!(
                        "outbox item {key} not delivered ({error}); attempt {attempts}, retry at {next}"
                    );
                    conn.execute(
                        "UPDATE outbox SET attempts = ?2, next_attempt_ms = ?3, last_error = ?4 WHERE key = ?1",
                        params![key, attempts, next.timestamp_millis(), error],
                    )
                }
            };
            updated.map_err(|e| self.db(e))?;
        }
        Ok(report)
    }

    /// When the next pending item is due (none: nothing pending).
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>, OutboxError> {
        let ms: Option<i64> = self
            .conn()
            .query_row(
                "SELECT MIN(next_attempt_ms) FROM outbox WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.db(e))?;
        Ok(ms.and_then(DateTime::from_timestamp_millis))
    }

    /// Starts the delivery task on `runtime`: sends what is due, then waits until the next item is due or
    /// a new one is submitted (at most a minute).
    pub fn spawn(&self, runtime: &tokio::runtime::Handle) -> tokio::task::JoinHandle<()> {
        let outbox = self.clone();
        runtime.spawn(async move {
            loop {
                if let Err(err) = outbox.send_due(outbox.inner.clock.now()).await {
                    tracing::error!("outbox: {err}");
                }
                let wait = if outbox.inner.endpoint.is_none() {
                    Duration::from_secs(3600)
                } else {
                    outbox
                        .next_due()
                        .ok()
                        .flatten()
                        .map_or(Duration::from_secs(60), |due| {
                            (due - outbox.inner.clock.now())
                                .to_std()
                                .unwrap_or(Duration::ZERO)
                        })
                        .clamp(Duration::from_millis(200), Duration::from_secs(60))
                };
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = outbox.inner.wake.notified() => {}
                }
            }
        })
    }
}
