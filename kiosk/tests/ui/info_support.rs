//! What the information pages' tests share: the kiosk window on Slint's testing backend, and finding
//! and tapping its elements by their accessible labels, as a screen reader or a finger would.

// Each test file uses the part it needs.
#![allow(dead_code)]

use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use kiosk::{
    config::Language,
    ui::{Session, Shell, ShellOptions},
};
use slint::ComponentHandle as _;

thread_local! {
    static SLINT_READY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The kiosk window for a site called `centre_name`, shown, in Chinese, with a 60 s idle timeout.
/// One testing platform per test thread, however many windows a test opens.
pub(crate) fn shell(centre_name: &str) -> Shell {
    if !SLINT_READY.replace(true) {
        i_slint_backend_testing::init_no_event_loop();
    }
    let shell = Shell::new(ShellOptions {
        centre_name: centre_name.to_owned(),
        centre_name_en: "Qianjiang District Public Legal Service Centre".to_owned(),
        idle_timeout: Duration::from_secs(60),
        language: Language::Zh,
        elderly_mode: false,
        live_clock: false,
    })
    .expect("the main window opens");
    shell.window().show().unwrap();
    shell
}

/// A window under test, read and touched through its accessible labels.
pub(crate) trait Screen {
    /// The window.
    fn shell(&self) -> &Shell;

    /// The buttons labelled `label` that are on screen (parts scrolled away are not found).
    fn buttons(&self, label: &str) -> Vec<ElementHandle> {
        ElementHandle::find_by_accessible_label(self.shell().window(), label)
            .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
            .collect()
    }

    /// Taps the one button labelled `label`.
    fn tap(&self, label: &str) {
        let found = self.buttons(label);
        assert_eq!(found.len(), 1, "exactly one button labelled {label:?}");
        found[0].invoke_accessible_default_action();
    }

    /// Whether anything labelled `label` is on screen.
    fn exists(&self, label: &str) -> bool {
        ElementHandle::find_by_accessible_label(self.shell().window(), label)
            .next()
            .is_some()
    }

    /// Whether the session is in English.
    fn english(&self) -> bool {
        self.shell().window().global::<Session>().get_english()
    }

    /// The label of the page-down button in the session's language.
    fn next_label(&self) -> &'static str {
        if self.english() {
            "Next page"
        } else {
            "下一页"
        }
    }

    /// The label of the page-up button in the session's language.
    fn previous_label(&self) -> &'static str {
        if self.english() {
            "Previous page"
        } else {
            "上一页"
        }
    }

    /// Pages up to the top, then down until `label` is on screen; false when it never is.
    /// Pages down (or up) at most this many times: the longest guide, in elderly mode.
    fn scroll_to(&self, label: &str) -> bool {
        for _ in 0..PAGES_AT_MOST {
            let previous = self.buttons(self.previous_label());
            match previous.first() {
                Some(button)
                    if previous.len() == 1 && button.accessible_enabled() == Some(true) =>
                {
                    button.invoke_accessible_default_action();
                }
                _ => break,
            }
        }
        for _ in 0..PAGES_AT_MOST {
            if self.exists(label) {
                return true;
            }
            let next = self.buttons(self.next_label());
            if next.len() != 1 || next[0].accessible_enabled() != Some(true) {
                return false;
            }
            next[0].invoke_accessible_default_action();
        }
        false
    }
}

/// The most pages a scrolled page is stepped through looking for a label.
pub(crate) const PAGES_AT_MOST: usize = 60;
