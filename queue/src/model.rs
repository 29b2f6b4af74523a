//! Domain values: tickets, their life cycle, priorities and what the screens show.

use std::{fmt, str::FromStr};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::config::IdCardPolicy;

/// Database id of a ticket row. A transfer creates a new row that keeps the printed number.
pub type TicketId = i64;

/// Where a ticket is in its life.
///
/// `waiting → called → serving → done`, with `no_show` (not there after the call and recalls),
/// `held` (parked by a window, resumable), `transferred` (this visit ended and the same number
/// waits again in another service: a new row) and `cancelled` (by the citizen, a device, or the
/// daily reset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// In the queue.
    Waiting,
    /// Called to a window, not yet started.
    Called,
    /// Being served at a window.
    Serving,
    /// Parked by a window.
    Held,
    /// Served, with an outcome code.
    Done,
    /// Did not come after the call.
    NoShow,
    /// Sent to another service (continues in a new row).
    Transferred,
    /// Withdrawn.
    Cancelled,
}

impl TicketStatus {
    /// The text stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Serving => "serving",
            Self::Held => "held",
            Self::Done => "done",
            Self::NoShow => "no_show",
            Self::Transferred => "transferred",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the ticket still needs the citizen (waiting, called, serving or held).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            Self::Waiting | Self::Called | Self::Serving | Self::Held
        )
    }
}

impl FromStr for TicketStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "waiting" => Self::Waiting,
            "called" => Self::Called,
            "serving" => Self::Serving,
            "held" => Self::Held,
            "done" => Self::Done,
            "no_show" => Self::NoShow,
            "transferred" => Self::Transferred,
            "cancelled" => Self::Cancelled,
            other => return Err(format!("unknown ticket status {other:?}")),
        })
    }
}

/// Why a ticket has priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityKind {
    /// A normal ticket.
    #[default]
    None,
    /// Elderly (suggested from the ID card's birth date, confirmed on screen).
    Elderly,
    /// Disabled.
    Disabled,
    /// Granted by staff or for another reason (e.g. pregnancy).
    Manual,
}

impl PriorityKind {
    /// Whether this is a priority ticket.
    pub fn is_priority(self) -> bool {
        self != Self::None
    }

    /// The text stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Elderly => "elderly",
            Self::Disabled => "disabled",
            Self::Manual => "manual",
        }
    }

    /// `Elderly` when the person born on `birth` is at least `elderly_age` on `today`.
    pub fn suggest_from_birth_date(birth: NaiveDate, today: NaiveDate, elderly_age: u32) -> Self {
        let mut age = today.year() - birth.year();
        if (today.month(), today.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        if u32::try_from(age).is_ok_and(|a| a >= elderly_age) {
            Self::Elderly
        } else {
            Self::None
        }
    }
}

impl FromStr for PriorityKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "none" => Self::None,
            "elderly" => Self::Elderly,
            "disabled" => Self::Disabled,
            "manual" => Self::Manual,
            other => return Err(format!("unknown priority {other:?}")),
        })
    }
}

/// Where a transferred ticket joins the target queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueuePosition {
    /// Before everyone of its class.
    Front,
    /// After everyone of its class.
    Back,
}

/// A salted, one-way identity token (64 hex digits): the pre-hash a kiosk derives from the ID
/// card and sends to the queue host. Never the ID number itself.
///
/// ID numbers have little entropy, so whoever knows the salt can reverse a token by trying
/// numbers: the engine never stores nor compares a token as it is, only its HMAC under a random
/// key held in memory and replaced every day (see `queue/README.md`, "Privacy and scoping").
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdentityToken(String);

impl IdentityToken {
    /// Derives the token of an ID card number with the site's salt:
    /// `SHA-256("qianjiang-kiosk/identity/v1" | salt | normalised number)`.
    ///
    /// The number is normalised (trimmed, `x` upper-cased) and must be 15 or 18 characters.
    pub fn derive(salt: &str, id_number: &str) -> Result<Self, super::QueueError> {
        use sha2::{Digest, Sha256};
        let normalised: String = id_number.trim().to_ascii_uppercase();
        let valid = matches!(normalised.len(), 15 | 18)
            && normalised
                .bytes()
                .enumerate()
                .all(|(i, b)| b.is_ascii_digit() || (b == b'X' && i == normalised.len() - 1));
        if !valid {
            return Err(super::QueueError::invalid(
                "id_number",
                "an ID card number has 15 or 18 characters (digits, last may be X)",
            ));
        }
        let mut h = Sha256::new();
        h.update(b"qianjiang-kiosk/identity/v1\0");
        h.update(salt.as_bytes());
        h.update(b"\0");
        h.update(normalised.as_bytes());
        Ok(Self(hex::encode(h.finalize())))
    }

    /// The token's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdentityToken {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(s))
        } else {
            Err("an identity token is 64 lower-case hex digits".into())
        }
    }
}

impl From<IdentityToken> for String {
    fn from(t: IdentityToken) -> Self {
        t.0
    }
}

impl fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdentityToken({}…)", &self.0[..8.min(self.0.len())])
    }
}

/// One ticket (one visit of one service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Row id.
    pub id: TicketId,
    /// Business day it belongs to.
    pub day: NaiveDate,
    /// Printed number, e.g. `A012`.
    pub number: String,
    /// Service id (the current one, after transfers).
    pub service: String,
    /// Priority.
    pub priority: PriorityKind,
    /// Life-cycle state.
    pub status: TicketStatus,
    /// Window it is called to / served at / held by.
    pub window: Option<u32>,
    /// When the number was issued.
    pub issued_at: DateTime<Utc>,
    /// When it entered the current service's queue.
    pub enqueued_at: DateTime<Utc>,
    /// Last call.
    pub called_at: Option<DateTime<Utc>>,
    /// Start of service.
    pub started_at: Option<DateTime<Utc>>,
    /// End (done, no-show, transferred, cancelled).
    pub finished_at: Option<DateTime<Utc>>,
    /// Recalls after the first call.
    pub recalls: u32,
    /// Outcome code when done (or the reason of a cancellation).
    pub outcome: Option<String>,
    /// The unguessable capability of the phone status page (none once transferred away).
    pub capability: Option<String>,
    /// The row this one continues after a transfer.
    pub transferred_from: Option<TicketId>,
    /// Name of the device that issued it (`window-<n>` for a ticket issued at a counter).
    pub issued_by: String,
    /// The booking it was issued for (none for a walk-in ticket or a transferred row).
    pub appointment: Option<TicketAppointment>,
    /// Times staff put it back in the queue after a no-show (回队).
    pub returns: u32,
}

/// A booking as a citizen checks in with it: the booking code and the booked slot (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Booking {
    /// The booking code (4-32 characters of `A-Z a-z 0-9 - _`).
    pub code: String,
    /// Start of the booked slot.
    pub slot_start: DateTime<Utc>,
    /// End of the booked slot.
    pub slot_end: DateTime<Utc>,
}

/// When an appointment holder checked in, relative to the slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckIn {
    /// Before the slot started: the ticket waits until the slot starts (its wait estimate is
    /// the slot), then goes ahead of walk-ins.
    Early,
    /// After the slot started, within the grace period: goes ahead of walk-ins.
    OnTime,
    /// Later than the grace period after the slot started: an ordinary walk-in ticket.
    Late,
}

impl CheckIn {
    /// The text stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Early => "early",
            Self::OnTime => "on_time",
            Self::Late => "late",
        }
    }
}

impl FromStr for CheckIn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "early" => Self::Early,
            "on_time" => Self::OnTime,
            "late" => Self::Late,
            other => return Err(format!("unknown check-in {other:?}")),
        })
    }
}

/// The booking behind a ticket and how its holder checked in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketAppointment {
    /// The booking code.
    pub code: String,
    /// Start of the booked slot.
    pub slot_start: DateTime<Utc>,
    /// End of the booked slot.
    pub slot_end: DateTime<Utc>,
    /// When the holder checked in, relative to the slot.
    pub check_in: CheckIn,
    /// Whether the ticket is still called by the appointment rule (false once late, or after
    /// staff put it back in the queue: then it waits as a walk-in).
    pub precedence: bool,
}

impl TicketAppointment {
    /// Whether the appointment rule calls this ticket now: it has precedence and its slot
    /// started.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.precedence && self.slot_start <= now
    }

    /// Whether the ticket waits for its slot: it has precedence and the slot has not started.
    pub fn waits_for_slot(&self, now: DateTime<Utc>) -> bool {
        self.precedence && self.slot_start > now
    }
}

/// The answer to a check-in: the ticket as printed and what the screen should say about the
/// booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedIn {
    /// The ticket (the same one for every check-in with the booking code that day).
    #[serde(flatten)]
    pub ticket: IssuedTicket,
    /// The booking and how its holder checked in (`check_in: "late"`: a walk-in ticket).
    pub appointment: TicketAppointment,
    /// True when the booking had already been checked in: nothing new was issued.
    #[serde(default)]
    pub replayed: bool,
}

/// One booked slot of the day as the centre's booking service hands it to the queue host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookedSlot {
    /// The booking code.
    pub code: String,
    /// Service id.
    pub service: String,
    /// Start of the slot.
    pub slot_start: DateTime<Utc>,
    /// End of the slot.
    pub slot_end: DateTime<Utc>,
    /// The holder's masked name (`张*三`): never a full name.
    pub masked_name: String,
}

/// A booked slot with its check-in state, as the staff page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingState {
    /// The booked slot.
    #[serde(flatten)]
    pub slot: BookedSlot,
    /// The ticket of its check-in (following transfers), if the holder checked in.
    pub ticket: Option<BookingTicket>,
}

/// The ticket a booking was checked in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingTicket {
    /// Number.
    pub number: String,
    /// Its service now (after transfers).
    pub service: String,
    /// Status.
    pub status: TicketStatus,
    /// When the holder checked in, relative to the slot.
    pub check_in: CheckIn,
}

/// The staff member on duty at a window (`[[lan.staff]] name, staff_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffOnDuty {
    /// Name as shown to citizens (on the window's rating pad).
    pub name: String,
    /// Staff number (工号).
    pub staff_id: String,
}

/// The reasons a citizen may tick on a low rating (fixed ids, the same at the centre).
pub const RATING_REASONS: [&str; 6] = [
    "long_wait",
    "attitude",
    "unclear",
    "slow",
    "not_solved",
    "other",
];

/// Where a rating was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingSource {
    /// The rating pad (评价器) at the window.
    Pad,
    /// The phone status page behind the ticket's QR code.
    Phone,
    /// The touch kiosk.
    Kiosk,
}

impl RatingSource {
    /// The text stored in the database and sent to the centre.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pad => "pad",
            Self::Phone => "phone",
            Self::Kiosk => "kiosk",
        }
    }

    /// The source named by `s` (as [`Self::as_str`] writes it).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pad" => Some(Self::Pad),
            "phone" => Some(Self::Phone),
            "kiosk" => Some(Self::Kiosk),
            _ => None,
        }
    }
}

/// A ticket's rating as the queue host recorded it: what the outbox carries to the centre.
/// Nothing here identifies the citizen; the staff member's name is public (the name plate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRating {
    /// Ticket row.
    pub ticket_id: TicketId,
    /// Business day of the ticket.
    pub day: NaiveDate,
    /// Number (e.g. `C012`).
    pub number: String,
    /// Service id.
    pub service: String,
    /// Window that served it.
    pub window: u32,
    /// The staff member who completed it, when the window's login named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffOnDuty>,
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub score: u8,
    /// Ids of [`RATING_REASONS`] (only on a low rating, optional).
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Where it was given.
    pub source: RatingSource,
    /// When it was recorded.
    pub rated_at: DateTime<Utc>,
}

/// A wait estimate in whole minutes, `lo` ≈ median case, `hi` ≈ 90th percentile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "[u32; 2]", into = "[u32; 2]")]
pub struct EtaRange {
    /// Lower end (P50).
    pub lo: u32,
    /// Upper end (P90).
    pub hi: u32,
}

impl From<[u32; 2]> for EtaRange {
    fn from([lo, hi]: [u32; 2]) -> Self {
        Self {
            lo: lo.min(hi),
            hi: hi.max(lo),
        }
    }
}

impl From<EtaRange> for [u32; 2] {
    fn from(e: EtaRange) -> Self {
        [e.lo, e.hi]
    }
}

/// A freshly issued (or found, or replayed) ticket as the kiosk prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedTicket {
    /// Row id.
    pub id: TicketId,
    /// Printed number.
    pub number: String,
    /// Service id.
    pub service: String,
    /// Priority.
    pub priority: PriorityKind,
    /// Current status.
    pub status: TicketStatus,
    /// Tickets that will be called before this one.
    pub ahead: u32,
    /// Wait estimate.
    pub eta_minutes: EtaRange,
    /// Phone status page (absolute when the host knows its public address).
    pub status_url: String,
    /// Issue time.
    pub issued_at: DateTime<Utc>,
}

/// Whether a service issues tickets now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    /// Issuing.
    Open,
    /// Outside opening hours or without a window.
    Closed,
    /// Daily cap or number range reached.
    Full,
}

/// A service as the kiosk's menu shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// Service id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Ticket prefix.
    pub prefix: String,
    /// Tickets waiting.
    pub waiting: u32,
    /// Wait estimate for a new normal ticket.
    pub eta_minutes: EtaRange,
    /// Issuing or not.
    pub state: ServiceState,
    /// Why not (Chinese / English), when not open.
    pub reason: Option<String>,
    /// ID card policy.
    pub id_card: IdCardPolicy,
    /// Whether priority tickets are offered.
    pub priority_allowed: bool,
    /// Windows open for this service now.
    pub open_windows: u32,
}

/// A window as the hall display shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowStatus {
    /// Window number.
    pub id: u32,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Whether staff are logged in.
    pub open: bool,
    /// Number called or being served, if any.
    pub serving: Option<String>,
    /// Services, in order of preference.
    pub services: Vec<String>,
    /// The staff member on duty, when the window's login names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffOnDuty>,
}

/// The whole hall at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSnapshot {
    /// Current business day.
    pub day: NaiveDate,
    /// Services.
    pub services: Vec<ServiceStatus>,
    /// Windows.
    pub windows: Vec<WindowStatus>,
}

/// A ticket as a window's staff page lists it (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketBrief {
    /// Row id.
    pub id: TicketId,
    /// Number.
    pub number: String,
    /// Service id.
    pub service: String,
    /// Priority.
    pub priority: PriorityKind,
    /// Status.
    pub status: TicketStatus,
    /// Minutes since it joined this queue (or since the call, when called).
    pub waited_minutes: u32,
    /// Recalls so far.
    pub recalls: u32,
    /// Whether an ID card was read for it (the token itself is never shown).
    pub identified: bool,
    /// The booking it was issued for, if any (code and slot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment: Option<TicketAppointment>,
    /// Times staff put it back in the queue (回队).
    #[serde(default)]
    pub returns: u32,
}

/// What a window's staff page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowView {
    /// The window.
    pub window: WindowStatus,
    /// Its current ticket (called or serving).
    pub current: Option<TicketBrief>,
    /// Tickets it holds.
    pub held: Vec<TicketBrief>,
    /// Waiting tickets of its services, in call order per service.
    pub waiting: Vec<TicketBrief>,
    /// Recent no-shows still within the late-arrival tolerance.
    pub late_callable: Vec<TicketBrief>,
    /// Outcome codes allowed per service of this window (empty list: any code).
    pub outcomes: Vec<(String, Vec<String>)>,
}

/// What the phone status page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneStatus {
    /// Number.
    pub number: String,
    /// Service (Chinese name).
    pub service_name: String,
    /// Service (English name).
    pub service_name_en: String,
    /// Status.
    pub status: TicketStatus,
    /// Tickets before it (when waiting).
    pub ahead: u32,
    /// Wait estimate (when waiting).
    pub eta_minutes: EtaRange,
    /// Window it is called to.
    pub window: Option<u32>,
    /// That window's Chinese name.
    pub window_name: Option<String>,
    /// Issue time.
    pub issued_at: DateTime<Utc>,
    /// Whether the page may offer a rating: the ticket was completed today and is not rated yet.
    #[serde(default)]
    pub can_rate: bool,
    /// Whether the ticket was rated (on the pad or on this page).
    #[serde(default)]
    pub rated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elderly_suggestion_counts_birthdays() {
        let birth = NaiveDate::from_ymd_opt(1965, 6, 15).unwrap();
        let before = NaiveDate::from_ymd_opt(2025, 6, 14).unwrap();
        let on = NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
        assert_eq!(
            PriorityKind::suggest_from_birth_date(birth, before, 60),
            PriorityKind::None
        );
        assert_eq!(
            PriorityKind::suggest_from_birth_date(birth, on, 60),
            PriorityKind::Elderly
        );
        let future = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        assert_eq!(
            PriorityKind::suggest_from_birth_date(future, on, 60),
            PriorityKind::None
        );
    }

    #[test]
    fn identity_tokens_are_salted_and_validated() {
        let a = IdentityToken::derive("site-salt-1", "99010119800102992x").unwrap();
        let b = IdentityToken::derive("site-salt-1", " 99010119800102992X").unwrap();
        let c = IdentityToken::derive("site-salt-2", "99010119800102992X").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(!a.as_str().contains("990101"));
        assert!(IdentityToken::derive("s", "12345").is_err());
        assert!(IdentityToken::derive("s", "9901011980010299X1").is_err());
        assert!(IdentityToken::try_from("zz".to_owned()).is_err());
    }
}
