//! The bookings' records (schema version 5 on SQLite, migration 5 on PostgreSQL).
//!
//! Tables: `bookings` (one row per booking: code, the manage link's token hash, site, service, day,
//! slot, name, phone and its MAC, the ID number's MAC and masked form, state, check-in), `booking_slots`
//! (bookings taken per site, service and slot start: the seat counter, changed by a conditional
//! upsert so the last seat goes to exactly one booking, also across processes) and
//! `booking_reminders` (each reminder claimed once per booking and kind).

use chrono::{DateTime, NaiveDate, Utc};
use content::BookingState;

use super::AuditEntry;

/// A booking to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBooking {
    /// The code, `B-XXXX-XXXX`.
    pub code: String,
    /// Hex SHA-256 of the manage link's token.
    pub manage_sha256: String,
    /// The site.
    pub site: String,
    /// The service id.
    pub service: String,
    /// The local day.
    pub day: NaiveDate,
    /// The slot's start.
    pub start: DateTime<Utc>,
    /// The slot's end.
    pub end: DateTime<Utc>,
    /// The citizen's name.
    pub name: String,
    /// The mobile number (normalised), for reminders.
    pub phone: String,
    /// The phone's MAC (no-show counting).
    pub phone_mac: String,
    /// The ID number's MAC under the site's key, when the service needs it.
    pub id_mac: Option<String>,
    /// The ID number masked, when given.
    pub id_masked: Option<String>,
    /// When it was made.
    pub created: DateTime<Utc>,
    /// `citizen` (the phone pages) or the staff account that booked.
    pub created_by: String,
    /// Seats of the slot.
    pub capacity: u32,
    /// The citizen's no-shows counted when booking (shown as the notice).
    pub no_shows_before: u32,
    /// The audit entry of a staff booking, written in the same transaction.
    pub audit: Option<AuditEntry>,
}

/// A stored booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRecord {
    /// Row id.
    pub id: i64,
    /// The code.
    pub code: String,
    /// The site.
    pub site: String,
    /// The service id.
    pub service: String,
    /// The local day.
    pub day: NaiveDate,
    /// The slot's start.
    pub start: DateTime<Utc>,
    /// The slot's end.
    pub end: DateTime<Utc>,
    /// The name (mask it before showing it to anyone but the citizen).
    pub name: String,
    /// The mobile number (mask it likewise).
    pub phone: String,
    /// The phone's MAC.
    pub phone_mac: String,
    /// The ID number's MAC under the site's key.
    pub id_mac: Option<String>,
    /// The ID number masked.
    pub id_masked: Option<String>,
    /// Where it stands.
    pub state: BookingState,
    /// When it was made.
    pub created: DateTime<Utc>,
    /// Who made it (`citizen` or a staff account).
    pub created_by: String,
    /// When it last changed.
    pub changed: DateTime<Utc>,
    /// The ticket issued at check-in.
    pub ticket: Option<String>,
    /// When the citizen checked in (the device's clock).
    pub checked_in: Option<DateTime<Utc>>,
    /// No-shows of this phone counted when booking.
    pub no_shows_before: u32,
}

/// How to find a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingKey {
    /// By its code (canonical form).
    Code(String),
    /// By the hex SHA-256 of its manage token.
    Manage(String),
}

/// What a booking write did.
// One per request, moved once: the record's size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingWrite {
    /// Done: the booking as it now is.
    Done(BookingRecord),
    /// The slot has no seat left: nothing changed.
    SlotFull,
    /// The same person (phone or ID number) already holds this slot: nothing changed.
    Duplicate,
    /// The code is taken (draw another): nothing changed.
    CodeTaken,
    /// No such booking.
    NotFound,
    /// The booking is not in the `booked` state.
    NotActive(BookingState),
}

/// A move to another slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingMove {
    /// The local day.
    pub day: NaiveDate,
    /// The slot's start.
    pub start: DateTime<Utc>,
    /// The slot's end.
    pub end: DateTime<Utc>,
    /// Seats of the new slot.
    pub capacity: u32,
}

/// Which bookings to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingFilter {
    /// Only this site's; none: every site.
    pub site: Option<String>,
    /// First local day.
    pub from: NaiveDate,
    /// Last local day (included).
    pub to: NaiveDate,
    /// At most this many, by start then code.
    pub limit: u32,
}

/// Seats taken in one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotTaken {
    /// The service id.
    pub service: String,
    /// The slot's start.
    pub start: DateTime<Utc>,
    /// Bookings holding it.
    pub taken: u32,
}

/// A booked (not cancelled) booking whose slot is near, with the reminders already claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderCandidate {
    /// The booking.
    pub booking: BookingRecord,
    /// The kinds claimed before (`day_before`, `soon`).
    pub claimed: Vec<String>,
}

/// The state name as stored.
pub(crate) fn state_of(name: &str) -> Result<BookingState, crate::error::StoreError> {
    BookingState::parse(name).ok_or_else(|| crate::error::StoreError::Corrupt {
        what: "booking state",
        reason: format!("unknown state {name:?}"),
    })
}

/// The columns every booking query reads, in [`BookingRecord`]'s order (SQLite spelling; the same
/// on PostgreSQL).
pub(crate) const BOOKING_COLUMNS: &str = "id, code, site, service, day, start_ms, end_ms, name, \
     phone, phone_mac, id_mac, id_masked, state, created_ms, created_by, changed_ms, ticket, \
     checked_in_ms, no_shows_before";

/// The UTC milliseconds of local midnight (UTC+8) starting `day`.
pub(crate) fn day_start_ms(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(crate::calendar::local_offset())
        .single()
        .map_or(0, |t| t.timestamp_millis())
}
