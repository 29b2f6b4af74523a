//! Reminders and no-shows.
//!
//! Reminders go through a [`NotificationChannel`]: the only channel built is
//! [`SimulatedChannel`], which records the messages (in memory, and for `centre serve` also as JSON
//! lines in `DATA_DIR/booking-messages.jsonl`); an SMS or WeChat gateway implements the same trait.
//!
//! [`tick`] does one pass at a time passed in (the injected clock's): for every booking still
//! `booked`,
//! - **the day before** (`day_before`): due at `reminder_day_before` (default 18:00 local) on the
//!   day before the slot; sent while the slot is not yet within the second reminder's window, and
//!   only for a booking made before it was due (whoever books in the evening for tomorrow morning
//!   does not need it);
//! - **when the slot nears** (`soon`): due `reminder_minutes_before` (default 60) before the slot,
//!   sent until the slot starts.
//!
//! Each reminder is **claimed** in the store before it is sent (`booking_reminders`, one row per
//! booking and kind, durable): a pass after a restart, or another centre process, finds the claim
//! and sends nothing. A send that fails gives the claim back, so the next pass tries again; a crash
//! between the claim and the send loses that one reminder (at most once, never twice). A cancelled
//! booking gets none; a moved one gets both again for its new slot.
//!
//! **No-shows**: a booking still `booked` on a day before today (local) is recorded `no_show`. A
//! later check-in from the site (a `booking_update` that arrived late) revokes it. Counted by the
//! phone's keyed MAC, a citizen with `no_show_notice_after` no-shows (default 2) within
//! `no_show_window_days` (default 180) is told so, plainly, on the next booking's page; the booking
//! goes through all the same.

use std::{
    future::Future,
    io::Write as _,
    path::PathBuf,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use chrono::{DateTime, Duration as Span, TimeZone as _, Utc};
use serde::Serialize;

use super::{BookingSettings, local_time};
use crate::{
    calendar::{local_date, local_offset},
    error::StoreError,
    state::AppState,
    store::BookingRecord,
};

/// Which reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// The day before.
    DayBefore,
    /// When the slot nears.
    Soon,
}

impl ReminderKind {
    /// The name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DayBefore => "day_before",
            Self::Soon => "soon",
        }
    }
}

/// A message to a citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// The mobile number.
    pub to: String,
    /// The booking's code.
    pub code: String,
    /// Which reminder.
    pub kind: ReminderKind,
    /// The text (Chinese, as an SMS).
    pub text: String,
    /// When it was handed to the channel (the centre's clock).
    pub at: DateTime<Utc>,
}

/// The future a channel's send returns.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// A way to reach citizens (SMS, WeChat…). `Err` with a reason: not sent, tried again later.
pub trait NotificationChannel: Send + Sync + 'static {
    /// The channel's name, for logs.
    fn name(&self) -> &str;

    /// Sends one message.
    fn send<'a>(&'a self, message: &'a Notification) -> SendFuture<'a>;
}

/// The simulated channel: records every message (and appends it to a JSON-lines file when given).
#[derive(Debug, Default)]
pub struct SimulatedChannel {
    sent: Mutex<Vec<Notification>>,
    file: Option<PathBuf>,
    fail: std::sync::atomic::AtomicBool,
}

impl SimulatedChannel {
    /// A channel recording in memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// A channel that also appends each message as a JSON line to `file`.
    pub fn with_file(file: PathBuf) -> Self {
        Self {
            file: Some(file),
            ..Self::default()
        }
    }

    /// Every message sent so far.
    pub fn sent(&self) -> Vec<Notification> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Makes every send fail (a gateway down) until called with false.
    pub fn set_failing(&self, failing: bool) {
        self.fail
            .store(failing, std::sync::atomic::Ordering::SeqCst);
    }
}

impl NotificationChannel for SimulatedChannel {
    fn name(&self) -> &str {
        "simulated"
    }

    fn send<'a>(&'a self, message: &'a Notification) -> SendFuture<'a> {
        Box::pin(async move {
            if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
                return Err("the simulated gateway is down".into());
            }
            if let Some(path) = &self.file {
                let line = serde_json::to_string(message).map_err(|e| e.to_string())?;
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                writeln!(file, "{line}").map_err(|e| format!("{}: {e}", path.display()))?;
            }
            tracing::info!(
                "reminder ({}) for booking {} to {}",
                message.kind.as_str(),
                message.code,
                content::booking::mask_phone(&message.to)
            );
            self.sent
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(message.clone());
            Ok(())
        })
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Reminders sent.
    pub sent: usize,
    /// Reminders whose send failed (to be tried again).
    pub failed: usize,
    /// Bookings recorded as no-shows.
    pub no_shows: u64,
}

/// When the day-before reminder of a slot starting at `start` is due.
pub fn day_before_due(settings: &BookingSettings, start: DateTime<Utc>) -> DateTime<Utc> {
    let day = local_date(start) - Span::days(1);
    local_offset()
        .from_local_datetime(&day.and_time(settings.day_before_at))
        .single()
        .map_or(start, |t| t.with_timezone(&Utc))
}

/// The reminders due for `booking` at `now`, not yet claimed.
pub fn due(
    settings: &BookingSettings,
    booking: &BookingRecord,
    claimed: &[String],
    now: DateTime<Utc>,
) -> Vec<ReminderKind> {
    let soon_due = booking.start - Span::minutes(i64::from(settings.soon_minutes));
    let mut kinds = Vec::new();
    if now >= booking.start {
        return kinds;
    }
    let day_before = day_before_due(settings, booking.start);
    if now >= day_before
        && now < soon_due
        && booking.created < day_before
        && !claimed
            .iter()
            .any(|k| k == ReminderKind::DayBefore.as_str())
    {
        kinds.push(ReminderKind::DayBefore);
    }
    if now >= soon_due && !claimed.iter().any(|k| k == ReminderKind::Soon.as_str()) {
        kinds.push(ReminderKind::Soon);
    }
    kinds
}

/// The reminder's text.
pub fn text(state: &AppState, booking: &BookingRecord, kind: ReminderKind) -> String {
    let service = state
        .bookings()
        .site(&booking.site)
        .and_then(|s| s.service(&booking.service))
        .map_or_else(|| booking.service.clone(), |s| s.name_zh.clone());
    let time = local_time(booking.start).format("%H:%M");
    match kind {
        ReminderKind::DayBefore => format!(
            "【公共法律服务】提醒：您预约了{day} {time} 在{site}办理{service}，预约码 {code}。\
             请带好身份证件按时到达；如不能前来，请通过预约链接取消。",
            day = booking.day,
            site = booking.site,
            code = booking.code,
        ),
        ReminderKind::Soon => format!(
            "【公共法律服务】您预约的{service}将于今天 {time} 在{site}开始，预约码 {code}。\
             到达后请在取号机扫码或刷身份证签到。",
            site = booking.site,
            code = booking.code,
        ),
    }
}

/// One pass at `now`: the reminders due, then the no-shows of the days before today.
pub async fn tick(
    state: &AppState,
    channel: &dyn NotificationChannel,
    now: DateTime<Utc>,
) -> Result<TickReport, StoreError> {
    let settings = state.bookings();
    let mut report = TickReport::default();
    let store = state.store();
    for candidate in store.reminder_candidates(now, now + Span::days(2)).await? {
        for kind in due(settings, &candidate.booking, &candidate.claimed, now) {
            let booking = &candidate.booking;
            if !store
                .claim_reminder(booking.id, kind.as_str().to_owned(), now)
                .await?
            {
                continue;
            }
            let message = Notification {
                to: booking.phone.clone(),
                code: booking.code.clone(),
                kind,
                text: text(state, booking, kind),
                at: now,
            };
            match channel.send(&message).await {
                Ok(()) => report.sent += 1,
                Err(reason) => {
                    tracing::warn!(
                        "reminder ({}) of booking {} not sent through {}: {reason}; tried again later",
                        kind.as_str(),
                        booking.code,
                        channel.name()
                    );
                    store
                        .release_reminder(booking.id, kind.as_str().to_owned())
                        .await?;
                    report.failed += 1;
                }
            }
        }
    }
    report.no_shows = store.mark_no_shows(local_date(now), now).await?;
    if report.no_shows > 0 {
        tracing::info!("{} booking(s) recorded as no-shows", report.no_shows);
    }
    Ok(report)
}

/// Runs [`tick`] every `every` by the state's clock until the task is dropped (`centre serve`).
pub async fn run(state: AppState, channel: Arc<dyn NotificationChannel>, every: Duration) {
    loop {
        if let Err(err) = tick(&state, channel.as_ref(), state.now()).await {
            tracing::error!("bookings: {err}");
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::BookingKeys;

    #[test]
    fn reminders_fall_due_the_evening_before_and_an_hour_before() {
        let settings = BookingSettings::demo("站", BookingKeys::random());
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // Tuesday 2026-03-03 09:00 local = 01:00 UTC; booked on Monday morning.
        let booking = BookingRecord {
            id: 1,
            code: "B-2345-6789".into(),
            site: "站".into(),
            service: "legal_aid".into(),
            day: "2026-03-03".parse().unwrap(),
            start: t("2026-03-03T01:00:00Z"),
            end: t("2026-03-03T01:30:00Z"),
            name: "张三".into(),
            phone: "13812345678".into(),
            phone_mac: String::new(),
            id_mac: None,
            id_masked: None,
            state: content::BookingState::Booked,
            created: t("2026-03-02T01:00:00Z"),
            created_by: "citizen".into(),
            changed: t("2026-03-02T01:00:00Z"),
            ticket: None,
            checked_in: None,
            no_shows_before: 0,
        };
        assert_eq!(
            day_before_due(&settings, booking.start),
            t("2026-03-02T10:00:00Z")
        );
        assert!(due(&settings, &booking, &[], t("2026-03-02T09:59:00Z")).is_empty());
        assert_eq!(
            due(&settings, &booking, &[], t("2026-03-02T10:00:00Z")),
            [ReminderKind::DayBefore]
        );
        let claimed = vec!["day_before".to_owned()];
        assert!(due(&settings, &booking, &claimed, t("2026-03-02T12:00:00Z")).is_empty());
        assert_eq!(
            due(&settings, &booking, &claimed, t("2026-03-03T00:00:00Z")),
            [ReminderKind::Soon]
        );
        // Never claimed the evening before: within the last hour only the second one goes.
        assert_eq!(
            due(&settings, &booking, &[], t("2026-03-03T00:10:00Z")),
            [ReminderKind::Soon]
        );
        assert!(
            due(&settings, &booking, &[], t("2026-03-03T01:00:00Z")).is_empty(),
            "started"
        );
        let late = BookingRecord {
            created: t("2026-03-02T12:00:00Z"),
            ..booking
        };
        assert!(
            due(&settings, &late, &[], t("2026-03-02T12:00:00Z")).is_empty(),
            "booked after 18:00"
        );
    }
}
