//! 预约签到 end to end on Slint's testing backend: the demo's bookings of the test's day (Monday
//! 2026-11-30, 10:00 in Chongqing) in the real queue engine, the code scanner's real serial driver on a
//! pseudo-terminal fed by its simulator, the ID card driver on the simulated SAM, the virtual printer,
//! and an outbox on a SQLite file.

use content::OutboxPayload;
use content::booking::CheckIn as CentreCheckIn;
use kiosk::{
    bookings::demo::{CANCELLED_CODE, EARLY_CODE, ON_TIME_CODE},
    ui::{
        CheckInAdapter, Page,
        check_in::{CheckInController, Failure, Flow, Step, Timing},
        take_number::card::SampleCard,
    },
};
use queue::{CheckIn, TicketStatus};
use slint::ComponentHandle as _;
use std::time::{Duration, Instant};

use super::take_number::support::{Kiosk, KioskSetup, WAIT};

fn kiosk() -> Kiosk {
    Kiosk::start(KioskSetup {
        check_in: true,
        ..KioskSetup::default()
    })
}

fn check_in(k: &Kiosk) -> &CheckInController {
    k.check_in.as_ref().unwrap()
}

fn open(k: &Kiosk) {
    let _ = k.exists("");
    k.shell.go(Page::CheckIn);
    let _ = k.exists("");
}

/// Waits until `done` holds, applying the answers of both controllers: cards reach check-in through
/// the take-a-number controller's reader task.
fn wait(k: &Kiosk, done: impl Fn(&Flow) -> bool) {
    let c = check_in(k);
    let deadline = Instant::now() + WAIT;
    loop {
        k.controller.pump();
        if c.wait_for(Duration::from_millis(20), &done) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out at {:?} ({:?})",
            c.step(),
            c.with_flow(|f| f.failure().cloned())
        );
    }
}

#[test]
fn a_scanned_qr_code_is_confirmed_and_checked_in_ahead_with_its_ticket_printed_and_reported() {
    let k = kiosk();
    open(&k);
    assert!(k.exists("扫预约二维码") && k.exists("放身份证") && k.exists("输入预约码"));
    // The real scanner driver reads what the simulator "scans" over the pty.
    k.tap("模拟扫码：准时");
    wait(&k, |f| f.step() == Step::Confirm);
    assert!(k.exists("请核对您的预约"));
    assert!(k.exists("法律援助"), "the service's name, not its id");
    assert!(k.exists("预约时段：11月30日 10:00–10:30"));
    assert!(k.exists("预约人：陈*英"), "masked name only");
    assert!(k.exists("您按时到达：签到后优先叫您的号。"));
    k.tap("确认签到");
    wait(&k, |f| {
        f.step() == Step::Ticket
            && !matches!(f.print(), kiosk::ui::take_number::PrintState::Printing)
    });
    assert!(k.exists("签到成功，请取走号码单"));
    let number = k
        .shell
        .window()
        .global::<CheckInAdapter>()
        .get_number()
        .to_string();
    let ticket = k
        .tickets()
        .into_iter()
        .find(|t| t.number == number)
        .unwrap();
    assert_eq!(ticket.status, TicketStatus::Waiting);
    let appointment = ticket.appointment.expect("an appointment ticket");
    assert_eq!(appointment.code, ON_TIME_CODE);
    assert_eq!(appointment.check_in, CheckIn::OnTime);
    let text = k.printed_text(&number);
    assert!(text.contains("法律援助（预约）"), "{text}");
    assert!(text.contains("陈*英"), "{text}");
    // The staff page's list shows the booking with its ticket.
    let booked = k.engine.bookings().unwrap();
    let row = booked.iter().find(|b| b.slot.code == ON_TIME_CODE).unwrap();
    assert_eq!(
        row.ticket.as_ref().map(|t| t.number.as_str()),
        Some(number.as_str())
    );
    // The centre hears of it through the outbox, once.
    let items = k.outbox.as_ref().unwrap().undelivered().unwrap();
    let updates: Vec<_> = items
        .iter()
        .filter_map(|i| match &i.message.payload {
            OutboxPayload::BookingUpdate(u) => Some(u.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(updates.len(), 1, "{items:?}");
    assert_eq!(updates[0].code, ON_TIME_CODE);
    assert_eq!(updates[0].state, CentreCheckIn::CheckedIn);
    assert_eq!(updates[0].ticket, number);
    // Checking in again gives the same number (printed again), never a second one.
    assert!(k.exists("完成（40秒）"), "home by itself after a while");
    k.tap("首页");
    assert_eq!(k.shell.page(), Page::Home);
    let before = k.tickets().len();
    // A booking QR scanned at the home screen opens check-in by itself.
    let _ = k.exists("");
    k.devices
        .scanner
        .simulator
        .as_ref()
        .unwrap()
        .scan(&content::booking::qr_text(ON_TIME_CODE))
        .unwrap();
    wait(&k, |f| f.step() == Step::Confirm);
    assert_eq!(k.shell.page(), Page::CheckIn);
    k.tap("确认签到");
    wait(&k, |f| f.step() == Step::Ticket);
    assert!(k.exists("您已签到过，这是您的号码"));
    assert_eq!(
        k.shell.window().global::<CheckInAdapter>().get_number(),
        number.as_str()
    );
    assert_eq!(k.tickets().len(), before);
}

#[test]
fn the_id_card_finds_the_later_booking_which_waits_for_its_slot() {
    let k = kiosk();
    open(&k);
    // The adult sample card booked notary at 12:00: early at 10:00.
    k.tap("模拟放卡：王*明");
    wait(&k, |f| f.step() == Step::Confirm);
    assert!(check_in(&k).with_flow(Flow::by_card));
    assert!(k.exists("找到您今天的预约，请核对"));
    assert!(k.exists("您来早了：签到后请在等候区休息，预约时段开始后优先叫您的号。"));
    assert_eq!(
        check_in(&k).with_flow(|f| f.chosen().map(|e| e.code.clone())),
        Some(EARLY_CODE.to_owned())
    );
    k.tap("确认签到");
    wait(&k, |f| f.step() == Step::Ticket);
    assert_eq!(
        check_in(&k).with_flow(|f| f.timing(chrono::Utc::now(), chrono::Duration::minutes(15))),
        Some(Timing::Early),
        "the queue's verdict"
    );
    // The take-a-number flow never saw the card: it still holds no card data.
    assert!(!k.controller.holds_card_data());
    assert_eq!(k.shell.page(), Page::CheckIn);
}

#[test]
fn bad_codes_cancelled_bookings_and_unknown_cards_each_say_what_is_wrong() {
    let k = kiosk();
    open(&k);
    let c = check_in(&k);
    c.enter_code("hello");
    assert_eq!(
        c.with_flow(|f| f.failure().cloned()),
        Some(Failure::NotACode("hello".into()))
    );
    assert!(k.exists("未能签到"));
    k.tap("重新签到");
    assert_eq!(c.step(), Step::Prompt);

    c.enter_code("B-2345-6789");
    assert_eq!(
        c.with_flow(|f| f.failure().cloned()),
        Some(Failure::NotFound("B-2345-6789".into()))
    );
    k.tap("重新签到");

    k.tap("模拟扫码：已取消");
    wait(&k, |f| f.step() == Step::Error);
    assert_eq!(
        c.with_flow(|f| f.failure().cloned()),
        Some(Failure::Cancelled(CANCELLED_CODE.into()))
    );
    k.tap("重新签到");

    // The notary booking needs the card: its code alone is not enough, and the page says so.
    c.enter_code(EARLY_CODE);
    wait(&k, |f| f.step() == Step::Confirm);
    k.tap("确认签到");
    wait(&k, |f| f.step() == Step::Error);
    assert_eq!(
        c.with_flow(|f| f.failure().cloned()),
        Some(Failure::CardNeeded)
    );
    assert!(k.exists("这项业务要核对身份：请把预约时填写的身份证放在读卡区签到。"));
    k.tap("重新签到");

    // A card of nobody in the list, read through the real reader path.
    let stranger = {
        let mut card = SampleCard::Citizen.card();
        card.id_number = "990101194912319997".into();
        card
    };
    k.sim_reader().place(&stranger);
    wait(&k, |f| f.step() == Step::Error);
    assert_eq!(
        c.with_flow(|f| f.failure().cloned()),
        Some(Failure::CardNoMatch)
    );
    assert_eq!(k.tickets().len(), 0, "nothing was issued");
}

#[test]
fn a_code_typed_on_the_keyboard_checks_in() {
    let k = kiosk();
    open(&k);
    k.tap("点这里输入预约码");
    assert!(k.exists("正在输入"));
    let c = check_in(&k);
    // What the keyboard's 签到 (done) delivers: the typed letters, dashes left out.
    c.enter_code("b7k3m9qxa");
    wait(&k, |f| f.step() == Step::Confirm);
    assert!(!k.exists("正在输入"), "the keyboard closed");
    k.tap("确认签到");
    wait(&k, |f| f.step() == Step::Ticket);
}
