//! Bookings (预约): the contract between the district centre, which takes the bookings, and a site's
//! queue host, which checks citizens in when they arrive.
//!
//! - The centre answers `GET {centre}/api/v1/bookings/today[?day=YYYY-MM-DD]` to a device's token
//!   (`Authorization: Bearer`) with the [`SiteBookings`] of the device's site and that day (default:
//!   the centre's local today), with a strong `ETag`; `If-None-Match` with it answers `304` while
//!   nothing changed. [`BookingClient`] is the queue host's side: poll every 20 to 30 s, and a
//!   booking made, cancelled or moved at the centre reaches the host within a poll.
//! - A citizen checks in with the booking code (typed, or scanned from the QR code the centre gave:
//!   [`parse_booking_code`] reads both) or with the resident ID card: the host computes
//!   [`id_mac`] of the card's number with the day's [`SiteBookings::id_key`] and looks for the entry
//!   whose `id_mac` matches ([`SiteBookings::by_id_number`]). The device never receives an ID number.
//! - The outcome goes back through the kiosk's outbox as [`OutboxPayload::BookingUpdate`]
//!   (`kind` `booking_update`): the code, `checked_in` or `late_walk_in`, the ticket number issued and
//!   the time. Key it `booking:CODE:STATE` so a repeat is one item.
//!
//! **The ID key's trade-off.** `id_key` is derived by the centre from its secret and the site's name
//! (`HMAC-SHA256(secret, "booking id key v1" ‖ 0 ‖ site)`), so it is the same every day for a site and
//! different for every site. Whoever holds a device of the site (its token) can fetch the key and test
//! candidate ID numbers against the site's `id_mac` values (ID numbers have little entropy): the key
//! protects the numbers from everyone else (another site, a copy of the list without its key, the
//! database without the centre's secret), not from a device of the site, which could read the card
//! itself anyway. The centre stores no ID number, only the MAC and a masked form.
//!
//! [`OutboxPayload::BookingUpdate`]: crate::OutboxPayload::BookingUpdate

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac as _};
use reqwest::{StatusCode, Url, header};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The path of the device list below the centre's base URL.
pub const BOOKINGS_PATH: &str = "api/v1/bookings/today";

/// What the booking's QR code says before the code (`BOOKING:B-7K3M-9QXA`): QR alphanumeric mode,
/// so the code stays small and a scanner that types it as keystrokes needs no Chinese input.
pub const QR_PREFIX: &str = "BOOKING:";

/// The characters of a booking code after `B-` (no `0`, `1`, `I`, `O`: never misread).
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// The longest ticket number a [`BookingUpdate`] may carry.
pub const MAX_TICKET_CHARS: usize = 16;

/// The day's bookings of one site, as the centre sends them to the site's devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteBookings {
    /// The site (as configured at the centre for the device).
    pub site: String,
    /// The local day (UTC+8) the list is for.
    pub day: NaiveDate,
    /// When the centre made this answer (its clock).
    pub generated: DateTime<Utc>,
    /// The site's key for [`id_mac`], 64 hex digits (see the module documentation).
    pub id_key: String,
    /// Every booking of the site that day, by slot start then code, in every state (a cancelled one
    /// is listed so that a host can say so when its code is scanned).
    pub bookings: Vec<BookingEntry>,
}

impl SiteBookings {
    /// [`id_mac`] of `id_number` under this list's key; none when the key is not hex.
    pub fn id_mac(&self, id_number: &str) -> Option<String> {
        let key = hex::decode(&self.id_key).ok()?;
        Some(id_mac(&key, id_number))
    }

    /// The entry with this code, typed or scanned (anything [`parse_booking_code`] reads).
    pub fn by_code(&self, scanned_or_typed: &str) -> Option<&BookingEntry> {
        let code = parse_booking_code(scanned_or_typed)?;
        self.bookings.iter().find(|b| b.code == code)
    }

    /// The entries booked with this ID number (read from the card), in list order.
    pub fn by_id_number(&self, id_number: &str) -> Vec<&BookingEntry> {
        let Some(mac) = self.id_mac(id_number) else {
            return Vec::new();
        };
        self.bookings
            .iter()
            .filter(|b| b.id_mac.as_deref() == Some(mac.as_str()))
            .collect()
    }
}

/// One booking in a [`SiteBookings`] list. Names and phone numbers are masked: the host shows them
/// to the citizen to confirm, it never needs them whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingEntry {
    /// The booking code, `B-XXXX-XXXX`.
    pub code: String,
    /// The queue service id (`legal_aid`, `notary`, …).
    pub service: String,
    /// The slot's start.
    pub start: DateTime<Utc>,
    /// The slot's end.
    pub end: DateTime<Utc>,
    /// The name, masked (`张*三`).
    pub masked_name: String,
    /// The phone number, masked (`138****5678`).
    pub masked_phone: String,
    /// [`id_mac`] of the ID number under the list's `id_key`, when the service needs the ID number.
    pub id_mac: Option<String>,
    /// Where it stands.
    pub state: BookingState,
}

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingState {
    /// Booked, not yet arrived.
    Booked,
    /// Arrived and checked in at the site in time.
    CheckedIn,
    /// Arrived after the slot and took a ticket as a late walk-in.
    LateWalkIn,
    /// Never arrived (recorded by the centre after the day).
    NoShow,
    /// Cancelled by the citizen or by staff.
    Cancelled,
}

impl BookingState {
    /// Every state.
    pub const ALL: [Self; 5] = [
        Self::Booked,
        Self::CheckedIn,
        Self::LateWalkIn,
        Self::NoShow,
        Self::Cancelled,
    ];

    /// The name as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::CheckedIn => "checked_in",
            Self::LateWalkIn => "late_walk_in",
            Self::NoShow => "no_show",
            Self::Cancelled => "cancelled",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// In Simplified Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Booked => "已预约",
            Self::CheckedIn => "已签到",
            Self::LateWalkIn => "迟到已取号",
            Self::NoShow => "未到",
            Self::Cancelled => "已取消",
        }
    }

    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            Self::Booked => "Booked",
            Self::CheckedIn => "Checked in",
            Self::LateWalkIn => "Late, took a ticket",
            Self::NoShow => "No-show",
            Self::Cancelled => "Cancelled",
        }
    }
}

/// How a citizen with a booking was checked in at the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckIn {
    /// In time: an appointment ticket.
    CheckedIn,
    /// After the slot: a walk-in ticket.
    LateWalkIn,
}

impl CheckIn {
    /// The booking's state after this check-in.
    pub fn state(self) -> BookingState {
        match self {
            Self::CheckedIn => BookingState::CheckedIn,
            Self::LateWalkIn => BookingState::LateWalkIn,
        }
    }
}

/// A check-in at the site, sent back to the centre through the outbox (`kind` `booking_update`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingUpdate {
    /// The booking code, `B-XXXX-XXXX` (canonical form).
    pub code: String,
    /// In time or late.
    pub state: CheckIn,
    /// The ticket number issued (`Y003`), 1 to [`MAX_TICKET_CHARS`] characters.
    pub ticket: String,
    /// When the citizen checked in (the device's clock).
    pub at: DateTime<Utc>,
}

impl BookingUpdate {
    /// What is wrong with it, if anything (the outbox's and the centre's rule).
    pub(crate) fn problem(&self) -> Option<String> {
        if !is_booking_code(&self.code) {
            return Some(format!(
                "{:?} is not a booking code B-XXXX-XXXX (canonical form)",
                self.code
            ));
        }
        let chars = self.ticket.chars().count();
        if chars == 0 || chars > MAX_TICKET_CHARS || self.ticket.chars().any(char::is_control) {
            return Some(format!(
                "the ticket must be 1 to {MAX_TICKET_CHARS} characters without control characters"
            ));
        }
        None
    }
}

/// `HMAC-SHA256(key, normalised ID number)` in lower-case hex: the ID number trimmed, spaces
/// removed, a final `x` upper-cased (as [`normalise_id_number`] writes it, without its checks).
pub fn id_mac(key: &[u8], id_number: &str) -> String {
    let normalised = plain_id_number(id_number);
    let mut mac = <Hmac<Sha256> as hmac::Mac>::new_from_slice(key)
        .expect("HMAC-SHA256 takes a key of any length");
    mac.update(normalised.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn plain_id_number(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Why an ID number is refused (the kiosk's rules: 18 characters, GB 11643 check digit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Not 18 characters.
    #[error("a resident ID number has 18 characters")]
    Length,
    /// Not 17 digits and a digit or `X`.
    #[error("a resident ID number is 17 digits and a final digit or X")]
    Format,
    /// The check digit does not match.
    #[error("the ID number's check digit is wrong: please check the number")]
    CheckDigit,
}

impl IdNumberError {
    /// The reason in Simplified Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Length => "身份证号码应为 18 位。",
            Self::Format => "身份证号码应为 17 位数字加 1 位数字或 X。",
            Self::CheckDigit => "身份证号码校验位不正确，请核对。",
        }
    }
}

/// The GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits; none when they are not
/// 17 ASCII digits. The same rule as the ID reader's (`id_reader::check_digit`).
pub fn id_check_digit(first17: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize])
}

/// The ID number as typed, checked and normalised: spaces dropped, `x` upper-cased, 18 characters,
/// 17 digits and the right check character.
pub fn normalise_id_number(typed: &str) -> Result<String, IdNumberError> {
    let plain = plain_id_number(typed);
    if plain.chars().count() != 18 {
        return Err(IdNumberError::Length);
    }
    if !plain.is_ascii() {
        return Err(IdNumberError::Format);
    }
    let (body, last) = plain.split_at(17);
    let check = id_check_digit(body).ok_or(IdNumberError::Format)?;
    if !(last.as_bytes()[0].is_ascii_digit() || last == "X") {
        return Err(IdNumberError::Format);
    }
    if last != check.to_string() {
        return Err(IdNumberError::CheckDigit);
    }
    Ok(plain)
}

/// A mainland mobile number as typed, normalised to its 11 digits (spaces, dashes and a leading
/// `+86`/`86` dropped); none when it is not `1[3-9]` and 9 more digits. Reminders go by SMS, so a
/// booking needs a mobile number.
pub fn normalise_phone(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits);
    let digits = if digits.len() == 13 {
        digits.strip_prefix("86")?
    } else {
        digits
    };
    let b = digits.as_bytes();
    (b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1]))
    .then(|| digits.to_owned())
}

/// A phone number masked: the first 3 and last 4 characters kept (`138****5678`); shorter than 8
/// characters: `****`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    if chars.len() < 8 {
        return "****".into();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// A name masked as the ID reader masks it: `张三` → `张*`, `张小三` → `张*三`, one character → `*`.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => chars
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 || i == n - 1 || *c == ' ' {
                    *c
                } else {
                    '*'
                }
            })
            .collect(),
    }
}

/// An ID number masked: the first 3 and last 4 characters kept (`990***********9992`).
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    if n < 8 {
        return "*".repeat(n);
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 3 || i >= n - 4 { *c } else { '*' })
        .collect()
}

/// Whether `code` is a booking code in canonical form: `B-` and two groups of four characters of
/// [`CODE_ALPHABET`].
pub fn is_booking_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 11
        && b[0] == b'B'
        && b[1] == b'-'
        && b[6] == b'-'
        && b.iter()
            .enumerate()
            .filter(|(i, _)| ![0, 1, 6].contains(i))
            .all(|(_, c)| CODE_ALPHABET.contains(c))
}

/// The text of a booking's QR code: [`QR_PREFIX`] and the code.
pub fn qr_text(code: &str) -> String {
    format!("{QR_PREFIX}{code}")
}

/// The booking code in canonical form (`B-7K3M-9QXA`) from what a citizen typed or a scanner read:
/// any case, with or without the dashes and the leading `B`, with spaces, or the QR code's text
/// (`BOOKING:B-7K3M-9QXA`, also followed by the scanner's line end, or after an AIM identifier such
/// as `]Q1`). None when it cannot be a code.
pub fn parse_booking_code(scanned_or_typed: &str) -> Option<String> {
    let upper = scanned_or_typed.trim().to_ascii_uppercase();
    // An AIM symbology identifier a scanner may put first (`]Q1`), when its reader kept it.
    let upper = match upper.as_bytes() {
        [b']', a, b, ..] if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() => &upper[3..],
        _ => upper.as_str(),
    };
    let rest = upper.strip_prefix(QR_PREFIX).unwrap_or(upper);
    let plain: String = rest
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .collect();
    let body = match plain.len() {
        9 => plain.strip_prefix('B')?,
        8 => plain.as_str(),
        _ => return None,
    };
    let code = format!("B-{}-{}", &body[..4], &body[4..]);
    is_booking_code(&code).then_some(code)
}

/// What a poll of the centre gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// `304`: the list fetched before is still the list.
    Unchanged,
    /// A new list (the first one, or a changed one).
    New(SiteBookings),
}

/// Why a poll gave no list.
#[derive(Debug, thiserror::Error)]
pub enum BookingFetchError {
    /// The centre does not accept this device's token (401): fix the token file or the centre's
    /// device list.
    #[error("the centre does not accept this device's token: {0}")]
    Unauthorized(String),
    /// The centre cannot be reached or did not answer in time: keep the last list and retry.
    #[error("the centre cannot be reached: {0}")]
    Unreachable(String),
    /// The centre answered with an error status.
    #[error("the centre answered {status}: {reason}")]
    Answer {
        /// The HTTP status.
        status: u16,
        /// The centre's reason.
        reason: String,
    },
    /// The centre answered 200 with something that is not a booking list.
    #[error("the centre's answer is not a booking list: {0}")]
    Malformed(String),
}

/// The queue host's client of the device list: conditional GETs with the last `ETag`.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use content::booking::{BookingClient, Fetched};
/// let base = reqwest::Url::parse("https://centre.example:8480/")?;
/// let mut client = BookingClient::new(reqwest::Client::new(), base, "device-token");
/// match client.fetch(None).await? {
///     Fetched::New(list) => println!("{} bookings today", list.bookings.len()),
///     Fetched::Unchanged => {}
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct BookingClient {
    client: reqwest::Client,
    url: Url,
    token: String,
    /// The day asked for and the `ETag` of the last list received for it.
    last: Option<(Option<NaiveDate>, String)>,
}

impl BookingClient {
    /// A client of the centre at `centre_base` (`https://centre:8480/`, as
    /// [`crate::receipt::centre_base`] gives it) sending `token` as the device's bearer token.
    pub fn new(client: reqwest::Client, centre_base: Url, token: impl Into<String>) -> Self {
        let url = centre_base
            .join(BOOKINGS_PATH)
            .unwrap_or_else(|_| centre_base.clone());
        Self {
            client,
            url,
            token: token.into(),
            last: None,
        }
    }

    /// The URL polled (without the day).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Forgets the last `ETag`: the next fetch is unconditional.
    pub fn forget(&mut self) {
        self.last = None;
    }

    /// Fetches the list of `day` (none: the centre's today). With the `ETag` of the last list of the
    /// same day, the centre answers [`Fetched::Unchanged`] while nothing changed.
    pub async fn fetch(&mut self, day: Option<NaiveDate>) -> Result<Fetched, BookingFetchError> {
        let mut url = self.url.clone();
        if let Some(day) = day {
            url.query_pairs_mut().append_pair("day", &day.to_string());
        }
        let mut request = self
            .client
            .get(url)
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(20));
        if let Some((last_day, etag)) = &self.last
            && *last_day == day
        {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        let response = request
            .send()
            .await
            .map_err(|e| BookingFetchError::Unreachable(crate::error::chain(&e)))?;
        let status = response.status();
        match status {
            StatusCode::NOT_MODIFIED => Ok(Fetched::Unchanged),
            StatusCode::OK => {
                let etag = response
                    .headers()
                    .get(header::ETAG)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body = response
                    .bytes()
                    .await
                    .map_err(|e| BookingFetchError::Unreachable(crate::error::chain(&e)))?;
                let list: SiteBookings = serde_json::from_slice(&body)
                    .map_err(|e| BookingFetchError::Malformed(e.to_string()))?;
                self.last = etag.map(|etag| (day, etag));
                Ok(Fetched::New(list))
            }
            other => {
                let text = response.text().await.unwrap_or_default();
                let reason = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
                    .unwrap_or_else(|| text.chars().take(200).collect());
                if other == StatusCode::UNAUTHORIZED {
                    Err(BookingFetchError::Unauthorized(reason))
                } else {
                    Err(BookingFetchError::Answer {
                        status: other.as_u16(),
                        reason,
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_typed_and_as_scanned() {
        for text in [
            "B-7K3M-9QXA",
            "b-7k3m-9qxa",
            " B 7K3M 9QXA ",
            "B7K3M9QXA",
            "7k3m9qxa",
            "7K3M-9QXA",
            "BOOKING:B-7K3M-9QXA",
            "booking:b-7k3m-9qxa\r\n",
            "]Q1BOOKING:B-7K3M-9QXA",
        ] {
            assert_eq!(
                parse_booking_code(text).as_deref(),
                Some("B-7K3M-9QXA"),
                "{text:?}"
            );
        }
        assert_eq!(
            parse_booking_code(&qr_text("B-2345-6789")).as_deref(),
            Some("B-2345-6789")
        );
        for bad in [
            "",
            "B-7K3M",
            "T-7K3M-9QXA",
            "B-7K3M-9QX0",
            "B-7K3M-9QXI",
            "B-7K3M-9QXAA",
            "预约",
        ] {
            assert_eq!(parse_booking_code(bad), None, "{bad:?}");
        }
        assert!(is_booking_code("B-7K3M-9QXA"));
        assert!(!is_booking_code("b-7k3m-9qxa"), "canonical form only");
    }

    #[test]
    fn id_numbers_follow_the_kiosk_rules() {
        // The ID reader's own test vectors (id-reader/src/card/id_number.rs).
        assert_eq!(
            normalise_id_number("990101199003079992").as_deref(),
            Ok("990101199003079992")
        );
        assert_eq!(
            normalise_id_number("99010119491231992x").as_deref(),
            Ok("99010119491231992X")
        );
        assert_eq!(
            normalise_id_number(" 990101 19900307 9992 ").as_deref(),
            Ok("990101199003079992")
        );
        assert_eq!(
            normalise_id_number("990101199003079993"),
            Err(IdNumberError::CheckDigit)
        );
        assert_eq!(
            normalise_id_number("9901011990030799"),
            Err(IdNumberError::Length)
        );
        assert_eq!(
            normalise_id_number("9901011990030799A2"),
            Err(IdNumberError::Format)
        );
        assert_eq!(
            normalise_id_number("９90101199003079992"),
            Err(IdNumberError::Format)
        );
        assert_eq!(id_check_digit("99000019920214999"), Some('8'));
        assert!(!IdNumberError::CheckDigit.zh().is_empty());
    }

    #[test]
    fn macs_are_keyed_and_normalised() {
        let key = [7u8; 32];
        let a = id_mac(&key, "99010119491231992X");
        assert_eq!(a, id_mac(&key, " 99010119491231992x "));
        assert_eq!(a.len(), 64);
        assert_ne!(
            a,
            id_mac(&[8u8; 32], "99010119491231992X"),
            "another site's key"
        );
        let list = SiteBookings {
            site: "s".into(),
            day: "2026-03-03".parse().unwrap(),
            generated: "2026-03-03T00:00:00Z".parse().unwrap(),
            id_key: hex::encode(key),
            bookings: vec![BookingEntry {
                code: "B-7K3M-9QXA".into(),
                service: "legal_aid".into(),
                start: "2026-03-03T01:00:00Z".parse().unwrap(),
                end: "2026-03-03T01:30:00Z".parse().unwrap(),
                masked_name: mask_name("张小三"),
                masked_phone: mask_phone("13812345678"),
                id_mac: Some(a.clone()),
                state: BookingState::Booked,
            }],
        };
        assert_eq!(list.by_id_number("99010119491231992x").len(), 1);
        assert!(list.by_id_number("990101199003079992").is_empty());
        assert_eq!(
            list.by_code("booking:b-7k3m-9qxa").unwrap().masked_name,
            "张*三"
        );
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(json["bookings"][0]["state"], "booked");
        assert_eq!(json["bookings"][0]["masked_phone"], "138****5678");
        let back: SiteBookings = serde_json::from_value(json).unwrap();
        assert_eq!(back, list);
    }

    #[test]
    fn phones_and_names_are_checked_and_masked() {
        assert_eq!(
            normalise_phone("138 1234 5678").as_deref(),
            Some("13812345678")
        );
        assert_eq!(
            normalise_phone("+86 138-1234-5678").as_deref(),
            Some("13812345678")
        );
        for bad in [
            "1381234567",
            "12812345678",
            "023-87654321",
            "1381234567a",
            "",
        ] {
            assert_eq!(normalise_phone(bad), None, "{bad:?}");
        }
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_id_number("990101199003079992"), "990***********9992");
    }

    #[test]
    fn updates_are_checked() {
        let update = BookingUpdate {
            code: "B-7K3M-9QXA".into(),
            state: CheckIn::LateWalkIn,
            ticket: "A012".into(),
            at: "2026-03-03T02:00:00Z".parse().unwrap(),
        };
        assert_eq!(update.problem(), None);
        assert_eq!(
            serde_json::to_value(&update).unwrap()["state"],
            "late_walk_in"
        );
        let lower = BookingUpdate {
            code: "b-7k3m-9qxa".into(),
            ..update.clone()
        };
        assert!(lower.problem().unwrap().contains("booking code"));
        let no_ticket = BookingUpdate {
            ticket: String::new(),
            ..update
        };
        assert!(no_ticket.problem().unwrap().contains("ticket"));
        assert_eq!(CheckIn::CheckedIn.state(), BookingState::CheckedIn);
    }
}
