//! The 法律援助自测 page: placeholder until the page lands.

use std::sync::{Arc, Mutex};

use super::InfoOptions;
use crate::{content::Content, ui::AppWindow};

/// Connects the page's callbacks.
pub(super) fn connect(
    _window: &AppWindow,
    _content: &Arc<Mutex<Arc<Content>>>,
    _options: InfoOptions,
) {
}

/// Fills the page from new content.
pub(super) fn fill(_window: &AppWindow, _content: &Content, _options: InfoOptions) {}

/// Forgets what the citizen did on the page (session end).
pub(super) fn reset(_window: &AppWindow) {}
