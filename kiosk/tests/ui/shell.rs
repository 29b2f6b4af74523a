//! The app shell on Slint's testing backend: navigation to every tile and back, the idle timeout, language
//! and elderly mode. Each test runs on its own thread with its own headless backend (`init_no_event_loop`).

use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, mock_elapsed_time};
use kiosk::{
    config::Language,
    ui::{Nav, Page, Session, Shell, ShellOptions, Theme},
};
use slint::{ComponentHandle, platform::PointerEventButton};

fn shell() -> Shell {
    i_slint_backend_testing::init_no_event_loop();
    let shell = Shell::new(ShellOptions {
        centre_name: "黔江区公共法律服务中心（测试）".to_owned(),
        centre_name_en: "Qianjiang test centre".to_owned(),
        idle_timeout: Duration::from_secs(60),
        language: Language::Zh,
        elderly_mode: false,
        live_clock: false,
    })
    .expect("the main window opens");
    shell.window().show().unwrap();
    shell
}

/// The single button with this accessible label.
fn find(shell: &Shell, label: &str) -> ElementHandle {
    let found: Vec<_> = ElementHandle::find_by_accessible_label(shell.window(), label)
        .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one button labelled {label:?}, found {}",
        found.len()
    );
    found.into_iter().next().unwrap()
}

fn exists(shell: &Shell, label: &str) -> bool {
    ElementHandle::find_by_accessible_label(shell.window(), label)
        .next()
        .is_some()
}

const TILES: [(&str, Page); 6] = [
    ("取号", Page::TakeNumber),
    ("办事指南", Page::Guides),
    ("律师与机构", Page::Directory),
    ("法律援助自查", Page::LegalAid),
    ("普法宣传", Page::Publicity),
    ("投诉建议与评价", Page::Complaints),
];

#[test]
fn home_shows_the_centre_name_from_config_and_every_tile() {
    let shell = shell();
    assert_eq!(shell.page(), Page::Home);
    assert!(exists(&shell, "黔江区公共法律服务中心（测试）"));
    assert!(exists(&shell, "法律服务热线 12348"));
    for (label, _) in TILES {
        find(&shell, label);
    }
}

#[test]
fn every_tile_opens_its_page_and_back_returns_home() {
    let shell = shell();
    for (label, page) in TILES {
        find(&shell, label).invoke_accessible_default_action();
        assert_eq!(shell.page(), page, "tile {label}");
        // The page shows its title in the header, and the home tiles are gone.
        assert!(exists(&shell, label), "page {label} shows its title");
        assert!(!exists(&shell, "法律服务热线 12348"));
        assert!(shell.window().global::<Nav>().get_can_go_back());
        find(&shell, "返回").invoke_accessible_default_action();
        assert_eq!(shell.page(), Page::Home, "back from {label}");
    }
}

#[test]
fn a_real_pointer_tap_on_a_tile_navigates_and_home_button_returns() {
    let shell = shell();
    find(&shell, "办事指南").mock_single_click(PointerEventButton::Left);
    assert_eq!(shell.page(), Page::Guides);
    find(&shell, "首页").mock_single_click(PointerEventButton::Left);
    assert_eq!(shell.page(), Page::Home);
}

#[test]
fn idle_timeout_returns_home_and_resets_the_session() {
    let shell = shell();
    let ended = std::rc::Rc::new(std::cell::Cell::new(0));
    shell.on_session_end({
        let ended = ended.clone();
        move || ended.set(ended.get() + 1)
    });
    find(&shell, "长者模式").invoke_accessible_default_action();
    assert!(shell.window().global::<Theme>().get_elderly());
    find(&shell, "普法宣传").invoke_accessible_default_action();
    assert_eq!(shell.page(), Page::Publicity);

    mock_elapsed_time(Duration::from_secs(59));
    assert_eq!(shell.page(), Page::Publicity, "not yet idle after 59 s");
    // A touch anywhere restarts the countdown (this page has no content of its own yet).
    shell.window().global::<Nav>().invoke_activity();
    mock_elapsed_time(Duration::from_secs(59));
    assert_eq!(
        shell.page(),
        Page::Publicity,
        "a touch restarted the timeout"
    );
    assert_eq!(ended.get(), 0);

    mock_elapsed_time(Duration::from_secs(2));
    assert_eq!(shell.page(), Page::Home, "idle for 61 s returns home");
    assert_eq!(ended.get(), 1, "the session's data was dropped");
    assert!(
        !shell.window().global::<Theme>().get_elderly(),
        "elderly mode reset to the default"
    );
    assert!(!shell.window().global::<Nav>().get_can_go_back());
}

#[test]
fn language_switch_changes_the_text_and_a_new_session_starts_in_chinese() {
    let shell = shell();
    assert!(exists(&shell, "取号"));
    find(&shell, "English").invoke_accessible_default_action();
    assert!(shell.window().global::<Session>().get_english());
    assert!(exists(&shell, "Take a number"), "tiles are in English");
    assert!(!exists(&shell, "取号"));
    assert!(exists(&shell, "Legal service hotline 12348"));
    assert!(
        exists(&shell, "Qianjiang test centre"),
        "the centre's English name"
    );

    find(&shell, "Service guides").invoke_accessible_default_action();
    find(&shell, "Back");
    find(&shell, "Home").invoke_accessible_default_action();
    assert!(
        !shell.window().global::<Session>().get_english(),
        "home ends the session: back to Chinese"
    );
    assert!(exists(&shell, "取号"));
}

#[test]
fn elderly_mode_enlarges_type() {
    let shell = shell();
    let theme = shell.window().global::<Theme>();
    let normal = theme.get_font_body();
    find(&shell, "长者模式").invoke_accessible_default_action();
    assert!(theme.get_elderly());
    assert!(
        theme.get_font_body() > normal * 1.2,
        "elderly type is larger"
    );
    find(&shell, "标准模式").invoke_accessible_default_action();
    assert!(!theme.get_elderly());
}
