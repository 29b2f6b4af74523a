//! The sample booking list of a laptop run without a centre: three bookings of today, so that the
//! check-in page can be tried with the sample cards, the simulated scanner and the keyboard.
//!
//! | code | service | slot | who | how to check in |
//! |---|---|---|---|---|
//! | `B-7K3M-9QXA` | 法律援助 | the current half hour | 陈*英 (the elderly sample card) | card, scan or type: on time |
//! | `B-4PQR-8TXN` | 公证 | two hours later | 王*明 (the adult sample card) | card, scan or type: early |
//! | `B-9WZH-3CDE` | 人民调解 | the current half hour | 李*华 | cancelled: the page says so |
//!
//! The names, numbers and codes are fictitious (the sample cards' province code is 99).

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Timelike as _, Utc};
use content::booking::{BookingEntry, BookingState, SiteBookings, id_mac};

/// The demo list's key for [`id_mac`] (fixed and public: sample data only).
pub const DEMO_ID_KEY: &str = "64656d6f2d6b696f736b2d626f6f6b696e672d6b65792d6e6f742d7365637265";

/// The code that is on time now.
pub const ON_TIME_CODE: &str = "B-7K3M-9QXA";
/// The code whose slot is later today.
pub const EARLY_CODE: &str = "B-4PQR-8TXN";
/// The cancelled code.
pub const CANCELLED_CODE: &str = "B-9WZH-3CDE";

/// The ID numbers of the two sample cards the demo bookings were made with.
#[derive(Debug, Clone, Copy)]
pub struct SampleNumbers<'a> {
    /// The elderly sample card's number (the on-time booking).
    pub elderly: &'a str,
    /// The adult sample card's number (the later booking).
    pub citizen: &'a str,
}

/// The sample list for the local day of `now` (`offset`: the site's time zone).
pub fn demo_bookings(
    now: DateTime<Utc>,
    offset: FixedOffset,
    cards: SampleNumbers<'_>,
) -> SiteBookings {
    let key = hex::decode(DEMO_ID_KEY).unwrap_or_default();
    let local = now.with_timezone(&offset);
    let day = local.date_naive();
    // The half hour that holds `now`, and a slot two hours later, both inside the day.
    let half = NaiveTime::from_hms_opt(local.hour(), if local.minute() >= 30 { 30 } else { 0 }, 0)
        .unwrap_or(NaiveTime::MIN);
    let start_now = day
        .and_time(half)
        .and_local_timezone(offset)
        .single()
        .map_or(now, |t| t.with_timezone(&Utc));
    let last_slot = day
        .and_time(NaiveTime::from_hms_opt(23, 30, 0).unwrap_or(NaiveTime::MIN))
        .and_local_timezone(offset)
        .single()
        .map_or(now, |t| t.with_timezone(&Utc));
    let start_later = (start_now + Duration::hours(2)).min(last_slot);
    let slot = Duration::minutes(30);
    let card_mac = |number: &str| Some(id_mac(&key, number));
    SiteBookings {
        site: "demo".into(),
        day,
        generated: now,
        id_key: DEMO_ID_KEY.to_owned(),
        bookings: vec![
            BookingEntry {
                code: ON_TIME_CODE.into(),
                service: "legal_aid".into(),
                start: start_now,
                end: start_now + slot,
                masked_name: "陈*英".into(),
                masked_phone: "138****0001".into(),
                id_mac: card_mac(cards.elderly),
                state: BookingState::Booked,
            },
            BookingEntry {
                code: CANCELLED_CODE.into(),
                service: "mediation".into(),
                start: start_now,
                end: start_now + slot,
                masked_name: "李*华".into(),
                masked_phone: "139****0002".into(),
                id_mac: None,
                state: BookingState::Cancelled,
            },
            BookingEntry {
                code: EARLY_CODE.into(),
                service: "notary".into(),
                start: start_later,
                end: start_later + slot,
                masked_name: "王*明".into(),
                masked_phone: "137****0003".into(),
                id_mac: card_mac(cards.citizen),
                state: BookingState::Booked,
            },
        ],
    }
}
