use chrono::{Duration, TimeZone as _, Utc};
use content::booking::{BookingEntry, BookingState};
use queue::{
    CheckIn, CheckedIn, EtaRange, IdentityToken, IssuedTicket, PriorityKind, QueueError,
    TicketAppointment, TicketStatus,
};

use super::{Effect, Failure, Flow, Step, Timing};
use crate::{bookings::Lookup, ui::take_number::PrintState};

fn entry(code: &str, hour: u32) -> BookingEntry {
    let start = Utc.with_ymd_and_hms(2026, 12, 7, hour, 0, 0).unwrap();
    BookingEntry {
        code: code.into(),
        service: "legal_aid".into(),
        start,
        end: start + Duration::minutes(30),
        masked_name: "陈*英".into(),
        masked_phone: "138****0001".into(),
        id_mac: None,
        state: BookingState::Booked,
    }
}

fn token() -> IdentityToken {
    IdentityToken::derive("test-salt", "990101194912319997").unwrap()
}

fn checked_in(entry: &BookingEntry, check_in: CheckIn) -> CheckedIn {
    CheckedIn {
        ticket: IssuedTicket {
            id: 4,
            number: "B004".into(),
            service: entry.service.clone(),
            priority: PriorityKind::None,
            status: TicketStatus::Waiting,
            ahead: 0,
            eta_minutes: EtaRange { lo: 0, hi: 5 },
            status_url: String::new(),
            issued_at: entry.start,
        },
        appointment: TicketAppointment {
            code: entry.code.clone(),
            slot_start: entry.start,
            slot_end: entry.end,
            check_in,
            precedence: check_in != CheckIn::Late,
        },
        replayed: false,
    }
}

#[test]
fn a_found_code_is_confirmed_checked_in_printed_and_sends_the_citizen_home() {
    let mut flow = Flow::new();
    let booking = entry("B-7K3M-9QXA", 2);
    assert!(
        flow.code_looked_up("b7k3m9qxa", Lookup::Found(vec![booking.clone()]))
            .is_empty()
    );
    assert_eq!(flow.step(), Step::Confirm);
    assert!(!flow.by_card());
    let grace = Duration::minutes(15);
    let at = |m: i64| booking.start + Duration::minutes(m);
    assert_eq!(flow.timing(at(-40), grace), Some(Timing::Early));
    assert_eq!(flow.timing(at(15), grace), Some(Timing::OnTime));
    assert_eq!(flow.timing(at(16), grace), Some(Timing::Late));
    let effects = flow.confirm();
    let Some(Effect::CheckIn {
        entry,
        identity,
        generation,
    }) = effects.first().cloned()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(entry, booking);
    assert_eq!(identity, None, "a typed code carries no identity");
    assert_eq!(flow.step(), Step::Issuing);
    // Confirming twice issues nothing more.
    assert!(flow.confirm().is_empty());
    let effects = flow.checked_in_answer(generation, Ok(checked_in(&booking, CheckIn::Early)));
    assert_eq!(effects, vec![Effect::StartHomeCountdown]);
    assert_eq!(flow.step(), Step::Ticket);
    // The queue's verdict wins over the kiosk's clock.
    assert_eq!(flow.timing(at(100), grace), Some(Timing::Early));
    flow.printed(generation, PrintState::PaperOut);
    assert_eq!(flow.print(), PrintState::PaperOut);
    assert_eq!(flow.end_session(), vec![Effect::StopHomeCountdown]);
    assert_eq!(flow.step(), Step::Prompt);
    assert!(flow.chosen().is_none() && flow.checked_in().is_none());
}

#[test]
fn every_bad_input_has_its_own_failure() {
    let cases = [
        (Lookup::NotACode, Failure::NotACode("hello".into())),
        (Lookup::NotFound, Failure::NotFound("hello".into())),
        (Lookup::NoList, Failure::NoList),
        (
            Lookup::Cancelled(entry("B-9WZH-3CDE", 2)),
            Failure::Cancelled("B-9WZH-3CDE".into()),
        ),
        (
            Lookup::NoShow(entry("B-9WZH-3CDE", 2)),
            Failure::NoShow("B-9WZH-3CDE".into()),
        ),
    ];
    for (lookup, failure) in cases {
        let mut flow = Flow::new();
        flow.code_looked_up(" hello ", lookup);
        assert_eq!(flow.step(), Step::Error);
        assert_eq!(flow.failure(), Some(&failure));
        flow.back();
        assert_eq!(flow.step(), Step::Prompt);
        assert_eq!(flow.failure(), None);
    }
    let mut flow = Flow::new();
    flow.card_looked_up(Lookup::NotFound, token());
    assert_eq!(flow.failure(), Some(&Failure::CardNoMatch));
    assert!(flow.by_card());
}

#[test]
fn a_card_with_two_bookings_chooses_one_and_a_refusal_is_told_in_both_languages() {
    let mut flow = Flow::new();
    let (a, b) = (entry("B-7K3M-9QXA", 2), entry("B-4PQR-8TXN", 4));
    flow.card_looked_up(Lookup::Found(vec![a, b.clone()]), token());
    assert_eq!(flow.step(), Step::Choose);
    assert_eq!(flow.choices().len(), 2);
    flow.choose(7);
    assert_eq!(flow.step(), Step::Choose, "no such row: nothing happens");
    flow.choose(1);
    assert_eq!(flow.chosen(), Some(&b));
    let Some(Effect::CheckIn {
        generation,
        identity,
        ..
    }) = flow.confirm().first().cloned()
    else {
        panic!()
    };
    assert_eq!(
        identity,
        Some(token()),
        "the card's token goes with its check-in"
    );
    // An old answer is ignored; the current one's refusal is shown.
    assert!(
        flow.checked_in_answer(generation - 1, Err(QueueError::Remote("x".into())))
            .is_empty()
    );
    assert_eq!(flow.step(), Step::Issuing);
    flow.checked_in_answer(
        generation,
        Err(QueueError::Conflict(
            "预约日期为 2026-12-08，不是今天 / the booking is for 2026-12-08, not today".into(),
        )),
    );
    assert_eq!(
        flow.failure(),
        Some(&Failure::Refused {
            zh: "预约日期为 2026-12-08，不是今天".into(),
            en: "the booking is for 2026-12-08, not today".into(),
        })
    );
    let mut flow = Flow::new();
    flow.code_looked_up("B-7K3M-9QXA", Lookup::Found(vec![entry("B-7K3M-9QXA", 2)]));
    let Some(Effect::CheckIn { generation, .. }) = flow.confirm().first().cloned() else {
        panic!()
    };
    flow.checked_in_answer(
        generation,
        Err(QueueError::Remote("connection refused".into())),
    );
    assert_eq!(flow.failure(), Some(&Failure::Unreachable));
    let mut flow = Flow::new();
    flow.code_looked_up("B-7K3M-9QXA", Lookup::Found(vec![entry("B-7K3M-9QXA", 2)]));
    let Some(Effect::CheckIn { generation, .. }) = flow.confirm().first().cloned() else {
        panic!()
    };
    flow.checked_in_answer(
        generation,
        Err(QueueError::IdentityRequired("notary".into())),
    );
    assert_eq!(flow.failure(), Some(&Failure::CardNeeded));
}
