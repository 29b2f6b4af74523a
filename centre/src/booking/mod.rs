//! Bookings (预约): each site's bookable services with their calendar ([`settings`]), booking,
//! cancelling and moving with every rule checked here ([`book`], [`cancel`], [`move_to`]), the
//! availability the pages show ([`days`], [`slots`]), the day's list a site's devices fetch
//! ([`site_bookings`]), the QR code ([`qr`]), reminders and no-shows ([`reminders`]), and the keys
//! ([`keys`]).
//!
//! The pages: `crate::web::book` (the citizen's phone pages, public) and `crate::web::bookings`
//! (staff); the device API: `crate::api::bookings`. Times are the injected clock's
//! ([`crate::AppState::now`]); days are local (UTC+8).

pub use crate::booking_rules::keys;
pub mod qr;
pub mod reminders;
pub use crate::booking_rules::settings;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use content::{BookingEntry, BookingState, SiteBookings};
use rand::Rng as _;
use sha2::{Digest as _, Sha256};

pub use crate::booking_rules::BookingKeys;
pub use crate::booking_rules::{
    BookingSettings, BookingsEntry, Closed, ServiceCalendar, SiteCalendar, Slot,
};
pub use reminders::{
    Notification, NotificationChannel, ReminderKind, SimulatedChannel, TickReport, tick,
};

use crate::{
    auth::{new_token, token_sha256},
    calendar::{local_date, local_offset},
    error::StoreError,
    state::AppState,
    store::{
        AuditEntry, BookingFilter, BookingKey, BookingMove, BookingRecord, BookingWrite, NewBooking,
    },
};

/// Who made a booking through the phone pages.
pub const CITIZEN: &str = "citizen";

/// The longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 32;

/// Why a booking, a change or a lookup is refused. Each has a reason in Chinese ([`Self::zh`]) and
/// English ([`Self::en`]) and an HTTP status ([`Self::status`]).
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    /// No such site takes bookings.
    #[error("unknown site")]
    UnknownSite,
    /// The site takes no bookings of this service.
    #[error("unknown service")]
    UnknownService,
    /// The day takes no bookings.
    #[error("closed on {0}")]
    Closed(NaiveDate, Closed),
    /// The day or the slot has passed.
    #[error("in the past")]
    Past,
    /// Beyond the booking horizon.
    #[error("beyond the horizon")]
    BeyondHorizon {
        /// Days ahead allowed.
        days: u32,
        /// The last day that may be booked.
        last: NaiveDate,
    },
    /// The slot starts within the cut-off.
    #[error("after the cut-off")]
    AfterCutoff {
        /// The cut-off in minutes.
        minutes: u32,
    },
    /// No slot starts at that time that day.
    #[error("no such slot")]
    NoSuchSlot,
    /// The slot has no seat left.
    #[error("the slot is full")]
    SlotFull,
    /// The person already holds this slot.
    #[error("already booked")]
    Duplicate,
    /// No booking has this code (or link).
    #[error("unknown booking")]
    UnknownCode,
    /// The booking was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The booking is checked in or a no-show: it cannot change.
    #[error("not changeable: {}", .0.as_str())]
    NotActive(BookingState),
    /// The booking's slot has started or passed: it cannot change.
    #[error("the slot has passed")]
    SlotPassed,
    /// No name, or too long.
    #[error("bad name")]
    BadName,
    /// Not a mobile number.
    #[error("bad phone number")]
    BadPhone,
    /// Not a valid ID number.
    #[error("bad ID number: {0}")]
    BadId(content::booking::IdNumberError),
    /// The service needs the ID number.
    #[error("the ID number is required")]
    IdRequired,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn weekday_zh(day: Weekday) -> &'static str {
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][day.num_days_from_monday() as usize]
}

impl BookingError {
    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::UnknownSite | Self::UnknownService | Self::UnknownCode => StatusCode::NOT_FOUND,
            Self::SlotFull | Self::Duplicate | Self::Cancelled | Self::NotActive(_) => {
                StatusCode::CONFLICT
            }
            Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The reason in Simplified Chinese.
    pub fn zh(&self) -> String {
        match self {
            Self::UnknownSite => "未找到该站点，或该站点暂不接受预约。".into(),
            Self::UnknownService => "该站点不提供此项业务的预约。".into(),
            Self::Closed(day, Closed::Holiday) => format!("{day} 是节假日，不办理预约。"),
            Self::Closed(day, Closed::Closure) => format!("{day} 本站点暂停办公，不办理预约。"),
            Self::Closed(day, Closed::NotOpen(wd)) => {
                format!("{day}（{}）不开放该业务的预约。", weekday_zh(*wd))
            }
            Self::Past => "该日期或时段已经过去，请选择以后的时段。".into(),
            Self::BeyondHorizon { days, last } => {
                format!("最多可预约 {days} 天内的时段（至 {last}）。")
            }
            Self::AfterCutoff { minutes } => {
                format!("时段开始前 {minutes} 分钟停止预约，请选择更晚的时段，或直接到窗口取号。")
            }
            Self::NoSuchSlot => "没有这个时段，请从列表中选择。".into(),
            Self::SlotFull => "该时段已约满，请选择其他时段。".into(),
            Self::Duplicate => "您已预约了这个时段，无需重复预约。".into(),
            Self::UnknownCode => "未找到该预约，请核对预约码或链接。".into(),
            Self::Cancelled => "该预约已取消。".into(),
            Self::NotActive(state) => format!("该预约{}，不能再更改。", state.zh()),
            Self::SlotPassed => "该预约的时段已开始或已过去，不能再更改。".into(),
            Self::BadName => format!("请填写姓名（1 至 {MAX_NAME_CHARS} 个字）。"),
            Self::BadPhone => "手机号码不正确，应为 11 位手机号（1 开头）。".into(),
            Self::BadId(err) => err.zh().into(),
            Self::IdRequired => "该业务需要填写身份证号码。".into(),
            Self::Store(_) => "系统繁忙，请稍后再试。".into(),
        }
    }

    /// The reason in English.
    pub fn en(&self) -> String {
        match self {
            Self::UnknownSite => "No such site takes bookings.".into(),
            Self::UnknownService => "This site takes no bookings for this service.".into(),
            Self::Closed(day, Closed::Holiday) => {
                format!("{day} is a public holiday: no bookings.")
            }
            Self::Closed(day, Closed::Closure) => format!("The site is closed on {day}."),
            Self::Closed(day, Closed::NotOpen(wd)) => {
                format!("No bookings for this service on {wd} ({day}).")
            }
            Self::Past => "That date or time has passed: choose a later slot.".into(),
            Self::BeyondHorizon { days, last } => {
                format!("Bookings open at most {days} days ahead (until {last}).")
            }
            Self::AfterCutoff { minutes } => format!(
                "Bookings close {minutes} minutes before a slot starts: choose a later slot, or take a \
                 ticket at the site."
            ),
            Self::NoSuchSlot => "There is no such slot: choose one from the list.".into(),
            Self::SlotFull => "This slot is fully booked: please choose another.".into(),
            Self::Duplicate => "You already hold a booking for this slot.".into(),
            Self::UnknownCode => "No booking has this code or link: please check it.".into(),
            Self::Cancelled => "This booking was cancelled.".into(),
            Self::NotActive(state) => format!(
                "This booking is {}: it can no longer be changed.",
                state.en().to_lowercase()
            ),
            Self::SlotPassed => {
                "The booking's slot has started or passed: it can no longer be changed.".into()
            }
            Self::BadName => format!("Please give a name (1 to {MAX_NAME_CHARS} characters)."),
            Self::BadPhone => "The mobile number is not valid: 11 digits starting with 1.".into(),
            Self::BadId(err) => format!("{err}."),
            Self::IdRequired => "This service needs your resident ID number.".into(),
            Self::Store(_) => "Storage unavailable, try again later.".into(),
        }
    }

    /// A short machine name (`slot_full`, …) for JSON answers and tests.
    pub fn name(&self) -> &'static str {
        match self {
            Self::UnknownSite => "unknown_site",
            Self::UnknownService => "unknown_service",
            Self::Closed(..) => "closed",
            Self::Past => "past",
            Self::BeyondHorizon { .. } => "beyond_horizon",
            Self::AfterCutoff { .. } => "after_cutoff",
            Self::NoSuchSlot => "no_such_slot",
            Self::SlotFull => "slot_full",
            Self::Duplicate => "duplicate",
            Self::UnknownCode => "unknown_code",
            Self::Cancelled => "cancelled",
            Self::NotActive(_) => "not_active",
            Self::SlotPassed => "slot_passed",
            Self::BadName => "bad_name",
            Self::BadPhone => "bad_phone",
            Self::BadId(_) => "bad_id_number",
            Self::IdRequired => "id_required",
            Self::Store(_) => "storage",
        }
    }
}

/// A booking asked for (phone pages or staff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRequest {
    /// The site.
    pub site: String,
    /// The service id.
    pub service: String,
    /// The local day.
    pub day: NaiveDate,
    /// The slot's local start time.
    pub start: NaiveTime,
    /// The name as typed.
    pub name: String,
    /// The phone number as typed.
    pub phone: String,
    /// The ID number as typed (empty: none).
    pub id_number: String,
}

/// A booking made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    /// As stored.
    pub record: BookingRecord,
    /// The manage link's token (only its hash is stored): `/book/b/{token}`.
    pub manage_token: String,
}

/// The site and service named, or why not.
pub fn find<'a>(
    settings: &'a BookingSettings,
    site: &str,
    service: &str,
) -> Result<(&'a SiteCalendar, &'a ServiceCalendar), BookingError> {
    let site = settings.site(site).ok_or(BookingError::UnknownSite)?;
    let service = site.service(service).ok_or(BookingError::UnknownService)?;
    Ok((site, service))
}

/// Checks that `day` may be booked at `now` (not past, within the horizon, open).
pub fn check_day(
    settings: &BookingSettings,
    site: &SiteCalendar,
    service: &ServiceCalendar,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), BookingError> {
    let today = local_date(now);
    if day < today {
        return Err(BookingError::Past);
    }
    let last = settings.last_day(now);
    if day > last {
        return Err(BookingError::BeyondHorizon {
            days: settings.horizon_days,
            last,
        });
    }
    match site.closed(service, day) {
        Some(why) => Err(BookingError::Closed(day, why)),
        None => Ok(()),
    }
}

/// The slot of `service` starting at local `start` on `day`, checked for booking at `now`.
pub fn check_slot(
    settings: &BookingSettings,
    site: &SiteCalendar,
    service: &ServiceCalendar,
    day: NaiveDate,
    start: NaiveTime,
    now: DateTime<Utc>,
) -> Result<Slot, BookingError> {
    check_day(settings, site, service, day, now)?;
    let slot = service
        .slots(day)
        .into_iter()
        .find(|s| local_time(s.start) == start)
        .ok_or(BookingError::NoSuchSlot)?;
    if slot.start <= now {
        return Err(BookingError::Past);
    }
    if now >= settings.cutoff(slot.start) {
        return Err(BookingError::AfterCutoff {
            minutes: settings.cutoff_minutes,
        });
    }
    Ok(slot)
}

/// The local time of an instant (`HH:MM` in the pages).
pub fn local_time(at: DateTime<Utc>) -> NaiveTime {
    at.with_timezone(&local_offset()).time()
}

/// A new booking code `B-XXXX-XXXX`.
fn new_code() -> String {
    let mut rng = rand::rng();
    let mut pick = || {
        let i = rng.random_range(0..content::booking::CODE_ALPHABET.len());
        char::from(content::booking::CODE_ALPHABET[i])
    };
    let a: String = (0..4).map(|_| pick()).collect();
    let b: String = (0..4).map(|_| pick()).collect();
    format!("B-{a}-{b}")
}

/// Makes a booking: every rule checked, the seat taken in the store. `by` is [`CITIZEN`] or the staff
/// account (then `audit` is written with the booking).
pub async fn book(
    state: &AppState,
    request: BookingRequest,
    by: &str,
    staff_audit: bool,
) -> Result<Booked, BookingError> {
    let settings = state.bookings();
    let now = state.now();
    let (site, service) = find(settings, &request.site, &request.service)?;
    let slot = check_slot(settings, site, service, request.day, request.start, now)?;
    let name = request.name.trim().to_owned();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(BookingError::BadName);
    }
    let phone = content::booking::normalise_phone(&request.phone).ok_or(BookingError::BadPhone)?;
    let id_number = if request.id_number.trim().is_empty() {
        if service.needs_id {
            return Err(BookingError::IdRequired);
        }
        None
    } else {
        Some(
            content::booking::normalise_id_number(&request.id_number)
                .map_err(BookingError::BadId)?,
        )
    };
    let keys = &settings.keys;
    let phone_mac = keys.phone_mac(&phone);
    let since = local_date(now) - Duration::days(i64::from(settings.no_show_window_days));
    let no_shows = state
        .store()
        .no_show_count(phone_mac.clone(), since)
        .await?;
    for _ in 0..5 {
        let code = new_code();
        let token = new_token();
        let audit = staff_audit.then(|| {
            AuditEntry::new(
                now,
                by,
                "booking_create",
                format!("booking {code}"),
                format!(
                    "{} {} {} {}",
                    site.site,
                    service.id,
                    request.day,
                    local_time(slot.start).format("%H:%M")
                ),
            )
        });
        let outcome = state
            .store()
            .create_booking(NewBooking {
                code,
                manage_sha256: token_sha256(&token),
                site: site.site.clone(),
                service: service.id.clone(),
                day: request.day,
                start: slot.start,
                end: slot.end,
                name: name.clone(),
                phone: phone.clone(),
                phone_mac: phone_mac.clone(),
                id_mac: id_number.as_ref().map(|n| keys.id_mac(&site.site, n)),
                id_masked: id_number.as_deref().map(content::booking::mask_id_number),
                created: now,
                created_by: by.to_owned(),
                capacity: service.capacity,
                no_shows_before: no_shows,
                audit,
            })
            .await?;
        match outcome {
            BookingWrite::Done(record) => {
                return Ok(Booked {
                    record,
                    manage_token: token,
                });
            }
            BookingWrite::SlotFull => return Err(BookingError::SlotFull),
            BookingWrite::Duplicate => return Err(BookingError::Duplicate),
            BookingWrite::CodeTaken => continue,
            BookingWrite::NotFound | BookingWrite::NotActive(_) => {
                return Err(BookingError::Store(StoreError::Task(
                    "the booking was not read back".into(),
                )));
            }
        }
    }
    Err(BookingError::Store(StoreError::Task(
        "no free booking code after 5 tries".into(),
    )))
}

/// Whether the booking's notice of repeated no-shows applies.
pub fn no_show_notice(settings: &BookingSettings, record: &BookingRecord) -> bool {
    record.no_shows_before >= settings.no_show_notice_after
}

/// The booking a manage token names.
pub async fn by_token(state: &AppState, token: &str) -> Result<BookingRecord, BookingError> {
    let well_formed = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(BookingError::UnknownCode);
    }
    state
        .store()
        .booking(BookingKey::Manage(token_sha256(
            &token.to_ascii_lowercase(),
        )))
        .await?
        .ok_or(BookingError::UnknownCode)
}

/// The booking with this code (typed or scanned).
pub async fn by_code(state: &AppState, code: &str) -> Result<BookingRecord, BookingError> {
    let code = content::parse_booking_code(code).ok_or(BookingError::UnknownCode)?;
    state
        .store()
        .booking(BookingKey::Code(code))
        .await?
        .ok_or(BookingError::UnknownCode)
}

/// Whether `record` may still be cancelled or moved at `now`: booked, and its slot not started.
pub fn changeable(record: &BookingRecord, now: DateTime<Utc>) -> Result<(), BookingError> {
    match record.state {
        BookingState::Booked if record.start <= now => Err(BookingError::SlotPassed),
        BookingState::Booked => Ok(()),
        BookingState::Cancelled => Err(BookingError::Cancelled),
        other => Err(BookingError::NotActive(other)),
    }
}

fn written(outcome: BookingWrite) -> Result<BookingRecord, BookingError> {
    match outcome {
        BookingWrite::Done(record) => Ok(record),
        BookingWrite::NotFound => Err(BookingError::UnknownCode),
        BookingWrite::NotActive(BookingState::Cancelled) => Err(BookingError::Cancelled),
        BookingWrite::NotActive(state) => Err(BookingError::NotActive(state)),
        BookingWrite::SlotFull => Err(BookingError::SlotFull),
        BookingWrite::Duplicate | BookingWrite::CodeTaken => Err(BookingError::Duplicate),
    }
}

/// Cancels `record` (until its slot starts; cancelling late is still better than not coming). A
/// staff member's cancellation is audited (`staff`: their account).
pub async fn cancel(
    state: &AppState,
    record: &BookingRecord,
    staff: Option<&str>,
) -> Result<BookingRecord, BookingError> {
    let now = state.now();
    changeable(record, now)?;
    let audit = staff.map(|user| {
        AuditEntry::new(
            now,
            user,
            "booking_cancel",
            format!("booking {}", record.code),
            format!("{} {}", record.site, record.service),
        )
    });
    written(
        state
            .store()
            .cancel_booking(record.code.clone(), now, audit)
            .await?,
    )
}

/// Moves `record` to the slot of its service starting at local `start` on `day` (checked as a new
/// booking would be).
pub async fn move_to(
    state: &AppState,
    record: &BookingRecord,
    day: NaiveDate,
    start: NaiveTime,
    staff: Option<&str>,
) -> Result<BookingRecord, BookingError> {
    let now = state.now();
    changeable(record, now)?;
    let settings = state.bookings();
    let (site, service) = find(settings, &record.site, &record.service)?;
    let slot = check_slot(settings, site, service, day, start, now)?;
    let audit = staff.map(|user| {
        AuditEntry::new(
            now,
            user,
            "booking_move",
            format!("booking {}", record.code),
            format!("{day} {}", start.format("%H:%M")),
        )
    });
    written(
        state
            .store()
            .move_booking(
                record.code.clone(),
                BookingMove {
                    day,
                    start: slot.start,
                    end: slot.end,
                    capacity: service.capacity,
                },
                now,
                audit,
            )
            .await?,
    )
}

/// A slot as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotView {
    /// The slot.
    pub slot: Slot,
    /// Seats left.
    pub free: u32,
    /// Why it cannot be booked now (full, passed, after the cut-off); none: bookable.
    pub refused: Option<&'static str>,
}

/// A day as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayView {
    /// The day.
    pub day: NaiveDate,
    /// Why it takes no bookings; none: open.
    pub closed: Option<Closed>,
    /// Seats left in bookable slots.
    pub free: u32,
}

/// The slots of `service` on `day` with their seats left, at `now`.
pub async fn slots(
    state: &AppState,
    site: &SiteCalendar,
    service: &ServiceCalendar,
    day: NaiveDate,
) -> Result<Vec<SlotView>, BookingError> {
    let taken = state
        .store()
        .slots_taken(site.site.clone(), day, day)
        .await?;
    Ok(slot_views(
        state.bookings(),
        service,
        day,
        state.now(),
        &taken,
    ))
}

fn slot_views(
    settings: &BookingSettings,
    service: &ServiceCalendar,
    day: NaiveDate,
    now: DateTime<Utc>,
    taken: &[crate::store::SlotTaken],
) -> Vec<SlotView> {
    service
        .slots(day)
        .into_iter()
        .map(|slot| {
            let used = taken
                .iter()
                .find(|t| t.service == service.id && t.start == slot.start)
                .map_or(0, |t| t.taken);
            let free = service.capacity.saturating_sub(used);
            let refused = if slot.start <= now {
                Some("past")
            } else if now >= settings.cutoff(slot.start) {
                Some("after_cutoff")
            } else if free == 0 {
                Some("full")
            } else {
                None
            };
            SlotView {
                slot,
                free,
                refused,
            }
        })
        .collect()
}

/// The bookable days of `service` (today to the horizon) with the seats left in each, at `now`.
pub async fn days(
    state: &AppState,
    site: &SiteCalendar,
    service: &ServiceCalendar,
) -> Result<Vec<DayView>, BookingError> {
    let settings = state.bookings();
    let now = state.now();
    let days = settings.bookable_days(now);
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Ok(Vec::new());
    };
    let taken = state
        .store()
        .slots_taken(site.site.clone(), *first, *last)
        .await?;
    Ok(days
        .into_iter()
        .map(|day| {
            let closed = site.closed(service, day);
            let free = if closed.is_some() {
                0
            } else {
                slot_views(settings, service, day, now, &taken)
                    .iter()
                    .filter(|v| v.refused.is_none())
                    .map(|v| v.free)
                    .sum()
            };
            DayView { day, closed, free }
        })
        .collect())
}

/// The day's list of `site` for its devices, and its entity tag (the SHA-256 of everything but the
/// generation time, so an unchanged list has the same tag).
pub async fn site_bookings(
    state: &AppState,
    site: &str,
    day: NaiveDate,
) -> Result<(SiteBookings, String), StoreError> {
    let records = state
        .store()
        .bookings(BookingFilter {
            site: Some(site.to_owned()),
            from: day,
            to: day,
            limit: 100_000,
        })
        .await?;
    let id_key = hex::encode(state.bookings().keys.site_id_key(site));
    let bookings: Vec<BookingEntry> = records
        .into_iter()
        .map(|r| BookingEntry {
            masked_name: content::booking::mask_name(&r.name),
            masked_phone: content::booking::mask_phone(&r.phone),
            code: r.code,
            service: r.service,
            start: r.start,
            end: r.end,
            id_mac: r.id_mac,
            state: r.state,
        })
        .collect();
    let tag_source = serde_json::json!({
        "site": site, "day": day, "id_key": id_key, "bookings": bookings,
    });
    let etag = format!(
        "\"{}\"",
        hex::encode(Sha256::digest(tag_source.to_string().as_bytes()))
    );
    Ok((
        SiteBookings {
            site: site.to_owned(),
            day,
            generated: state.now(),
            id_key,
            bookings,
        },
        etag,
    ))
}
