//! The on-screen keyboard on Slint's testing backend: keys are found by their accessible labels and pressed
//! through their default action, as a screen reader or a tap would.

use std::{cell::RefCell, rc::Rc};

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use kiosk::ui::{
    KeyboardAdapter, KeyboardMode, KeyboardTestWindow, Nav,
    keyboard::{KeyboardController, set_keyboard_mode},
};
use slint::{ComponentHandle, Model};

fn window() -> (KeyboardTestWindow, KeyboardController) {
    i_slint_backend_testing::init_no_event_loop();
    let window = KeyboardTestWindow::new().expect("the keyboard window opens");
    let controller = KeyboardController::attach(&window, 200);
    window.show().unwrap();
    (window, controller)
}

fn buttons(window: &KeyboardTestWindow, label: &str) -> Vec<ElementHandle> {
    ElementHandle::find_by_accessible_label(window, label)
        .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
        .collect()
}

/// Presses the single key with this label.
fn press(window: &KeyboardTestWindow, label: &str) {
    let found = buttons(window, label);
    assert_eq!(
        found.len(),
        1,
        "one key labelled {label:?}, found {}",
        found.len()
    );
    found[0].invoke_accessible_default_action();
}

fn candidates(window: &KeyboardTestWindow) -> Vec<String> {
    window
        .global::<KeyboardAdapter>()
        .get_candidates()
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn typing_pinyin_shows_candidates_and_picking_one_appends_it() {
    let (window, controller) = window();
    let adapter = window.global::<KeyboardAdapter>();
    for key in ["f", "a", "l", "v"] {
        press(&window, key);
    }
    assert_eq!(adapter.get_pinyin(), "falv");
    assert!(
        candidates(&window).contains(&"法律".to_owned()),
        "{:?}",
        candidates(&window)
    );
    // The candidate is a key of its own on screen.
    press(&window, "法律");
    assert_eq!(adapter.get_text(), "法律");
    assert_eq!(adapter.get_pinyin(), "");
    assert!(candidates(&window).is_empty());
    assert_eq!(controller.text(), "法律");
    // Continue with a syllable and an initial: yuanz gives 援助 among the candidates.
    for key in ["y", "u", "a", "n", "z"] {
        press(&window, key);
    }
    assert!(
        candidates(&window).contains(&"援助".to_owned()),
        "{:?}",
        candidates(&window)
    );
    press(&window, "援助");
    assert_eq!(adapter.get_text(), "法律援助");
}

#[test]
fn candidate_pages_turn() {
    let (window, _controller) = window();
    press(&window, "z");
    let first = candidates(&window);
    assert_eq!(first.len(), kiosk::ui::keyboard::CANDIDATES_PER_PAGE);
    let previous = &buttons(&window, "上一页")[0];
    assert!(
        !previous.accessible_enabled().unwrap_or(true),
        "no page before the first"
    );
    press(&window, "下一页");
    let second = candidates(&window);
    assert_ne!(first, second);
    press(&window, "上一页");
    assert_eq!(candidates(&window), first);
}

#[test]
fn digits_mode_types_a_phone_number_and_backspace_works() {
    let (window, controller) = window();
    let adapter = window.global::<KeyboardAdapter>();
    let typed = Rc::new(RefCell::new(Vec::new()));
    controller.on_change({
        let typed = typed.clone();
        move |query| typed.borrow_mut().push(query.to_owned())
    });
    let done = Rc::new(RefCell::new(None));
    controller.on_done({
        let done = done.clone();
        move |text| *done.borrow_mut() = Some(text.to_owned())
    });
    press(&window, "数字");
    assert_eq!(adapter.get_mode(), KeyboardMode::Digits);
    assert!(buttons(&window, "q").is_empty(), "letters are hidden");
    for digit in "13800138000".chars() {
        press(&window, &digit.to_string());
    }
    press(&window, "9");
    assert_eq!(adapter.get_text(), "138001380009");
    press(&window, "退格");
    assert_eq!(adapter.get_text(), "13800138000");
    assert_eq!(
        typed.borrow().last().map(String::as_str),
        Some("13800138000")
    );
    press(&window, "完成");
    assert_eq!(done.borrow().as_deref(), Some("13800138000"));
    press(&window, "清空");
    assert_eq!(adapter.get_text(), "");
    press(&window, "拼音");
    assert_eq!(adapter.get_mode(), KeyboardMode::Letters);
}

#[test]
fn backspace_removes_pinyin_first_then_text() {
    let (window, _controller) = window();
    let adapter = window.global::<KeyboardAdapter>();
    for key in ["q", "i", "a", "n", "j", "i", "a", "n", "g"] {
        press(&window, key);
    }
    assert_eq!(candidates(&window)[0], "黔江");
    press(&window, "空格");
    assert_eq!(
        adapter.get_text(),
        "黔江",
        "space takes the first candidate"
    );
    press(&window, "q");
    press(&window, "退格");
    assert_eq!(adapter.get_pinyin(), "");
    assert_eq!(adapter.get_text(), "黔江");
    press(&window, "退格");
    assert_eq!(adapter.get_text(), "黔");
}

#[test]
fn digits_only_fields_hide_the_letters_key_and_every_press_is_activity() {
    let (window, _controller) = window();
    let presses = Rc::new(RefCell::new(0));
    window.global::<Nav>().on_activity({
        let presses = presses.clone();
        move || *presses.borrow_mut() += 1
    });
    set_keyboard_mode(&window, KeyboardMode::Digits, false);
    assert!(buttons(&window, "拼音").is_empty());
    press(&window, "1");
    press(&window, "退格");
    press(&window, "完成");
    assert_eq!(*presses.borrow(), 3);
}

#[test]
fn every_key_has_a_label() {
    let (window, _controller) = window();
    let keys = ElementQuery::from_root(&window)
        .match_accessible_role(AccessibleRole::Button)
        .find_all();
    // 26 letters and 6 other keys; no candidates yet.
    assert_eq!(keys.len(), 32);
    for key in &keys {
        let label = key.accessible_label().unwrap_or_default();
        assert!(!label.trim().is_empty(), "a key without a label");
    }
    for label in [
        "q",
        "a",
        "z",
        "m",
        "退格",
        "数字",
        "分隔符",
        "空格",
        "清空",
        "完成",
    ] {
        assert_eq!(buttons(&window, label).len(), 1, "{label}");
    }
}
