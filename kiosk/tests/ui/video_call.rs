//! 视频连线律师 on the kiosk with its real devices simulated: the ID card placed on the consent screen
//! goes to the call (the lawyer sees the masked name), not to take-a-number; the citizen can take it
//! back; the session's end forgets it. Without a centre the call falls back at once.

use std::time::Duration;

use kiosk::ui::{
    Page, Session, VideoCallAdapter,
    take_number::card::SampleCard,
    video_call::{CallServices, CallSetup, VideoCallController, flow::Step},
};
use slint::ComponentHandle as _;

use super::take_number::support::{Kiosk, KioskSetup, WAIT};

fn attach(k: &Kiosk) -> VideoCallController {
    VideoCallController::attach(
        &k.shell,
        CallSetup::new(&kiosk::config::CallsConfig::default(), None, None),
        CallServices {
            runtime: k.runtime(),
            outbox: None,
            printer: None,
            cards: Some(k.controller.clone()),
        },
    )
}

/// Pumps the take-a-number controller (which reads the cards) until `done` holds.
fn wait(k: &Kiosk, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    while !done() {
        k.controller.pump();
        assert!(std::time::Instant::now() < deadline, "timed out");
        let _ = k.controller.wait_for(Duration::from_millis(20), |_| false);
    }
}

#[test]
fn a_card_placed_on_the_consent_screen_gives_the_lawyer_the_masked_name_only() {
    let k = Kiosk::start(KioskSetup::default());
    let call = attach(&k);
    let window = k.shell.window();
    window
        .global::<Session>()
        .invoke_call_lawyer("婚姻家庭".into());
    assert_eq!(k.shell.page(), Page::VideoCall);
    let adapter = window.global::<VideoCallAdapter>();
    assert!(adapter.get_asks_card());
    assert_eq!(adapter.get_caller(), "");
    assert!(!k.exists("不显示姓名"));

    k.sim_reader().place(&SampleCard::Citizen.card());
    wait(&k, || !adapter.get_caller().is_empty());
    let caller = adapter.get_caller().to_string();
    assert!(caller.contains('*'), "masked: {caller}");
    assert_eq!(
        k.shell.page(),
        Page::VideoCall,
        "take-a-number did not take the card"
    );
    assert!(k.exists("不显示姓名"));

    // No centre: 12348 and a call-back at once; the session's end forgets the name.
    adapter.invoke_start();
    assert!(call.wait_for(WAIT, |s| matches!(s, Step::Fallback { .. })));
    k.shell.end_session();
    assert_eq!(adapter.get_caller(), "");
    assert_eq!(call.step(), Step::Consent);
}

#[test]
fn the_citizen_can_take_the_name_back_before_calling() {
    let k = Kiosk::start(KioskSetup::default());
    let _call = attach(&k);
    let window = k.shell.window();
    window.global::<Session>().invoke_call_lawyer("".into());
    let adapter = window.global::<VideoCallAdapter>();
    k.sim_reader().place(&SampleCard::Citizen.card());
    wait(&k, || !adapter.get_caller().is_empty());
    k.tap("不显示姓名");
    assert_eq!(adapter.get_caller(), "");
    assert!(!k.exists("不显示姓名"));
}
