//! The service guides page (办事指南): the site's services, and one guide at a time with a QR code
//! to take it away on a phone.

use std::sync::{Arc, Mutex, PoisonError};

use slint::{ComponentHandle as _, Image, ModelRc, SharedString, VecModel};

use super::InfoOptions;
use crate::ui::{AppWindow, GuideDetail, GuideRow, GuidesAdapter, take_number::qr::qr_image};
use content::{Content, ServiceGuide, Text};

/// Most bytes put into a guide's QR code; longer texts are cut at a line.
const QR_MAX_BYTES: usize = 1200;

/// The guides this site shows: those whose tiers include the site's (an empty list means all).
pub fn visible_guides(content: &Content, options: InfoOptions) -> Vec<&ServiceGuide> {
    content
        .services
        .iter()
        .filter(|guide| guide.tiers.is_empty() || guide.tiers.contains(&options.tier))
        .collect()
}

/// Connects the page's callbacks.
pub(super) fn connect(
    window: &AppWindow,
    content: &Arc<Mutex<Arc<Content>>>,
    options: InfoOptions,
) {
    let guides = window.global::<GuidesAdapter>();
    guides.on_open_guide({
        let weak = window.as_weak();
        let content = Arc::clone(content);
        move |id| {
            let Some(window) = weak.upgrade() else {
                return;
            };
            let content = Arc::clone(&content.lock().unwrap_or_else(PoisonError::into_inner));
            match visible_guides(&content, options)
                .into_iter()
                .find(|guide| guide.id == id.as_str())
            {
                Some(guide) => open(&window, guide),
                None => tracing::warn!("no guide for service {id}"),
            }
        }
    });
    guides.on_close_guide({
        let weak = window.as_weak();
        move || {
            if let Some(window) = weak.upgrade() {
                reset(&window);
            }
        }
    });
}

/// Back to the list (session end, or the citizen asked for it).
pub(super) fn reset(window: &AppWindow) {
    let guides = window.global::<GuidesAdapter>();
    guides.set_showing(false);
    guides.set_detail(GuideDetail::default());
    guides.set_qr(Image::default());
}

/// Fills the list from `content`; an open guide that is gone closes, one that remains is refreshed.
pub(super) fn fill(window: &AppWindow, content: &Content, options: InfoOptions) {
    let visible = visible_guides(content, options);
    let rows: Vec<GuideRow> = visible
        .iter()
        .map(|guide| GuideRow {
            id: guide.id.as_str().into(),
            name: guide.name.zh.as_str().into(),
            name_en: guide.name.en_or_zh().into(),
            window: guide.window.zh.as_str().into(),
            window_en: guide.window.en_or_zh().into(),
        })
        .collect();
    let state = window.global::<GuidesAdapter>();
    state.set_guides(ModelRc::new(VecModel::from(rows)));
    if state.get_showing() {
        let open_id = state.get_detail().id;
        match visible.iter().find(|guide| guide.id == open_id.as_str()) {
            Some(guide) => open(window, guide),
            None => reset(window),
        }
    }
}

fn open(window: &AppWindow, guide: &ServiceGuide) {
    let state = window.global::<GuidesAdapter>();
    state.set_detail(detail(guide));
    state.set_qr(qr_image(&qr_text(guide)).unwrap_or_default());
    state.set_showing(true);
}

/// The guide as the page shows it.
pub fn detail(guide: &ServiceGuide) -> GuideDetail {
    let (conditions, conditions_en) = bullets(&guide.conditions);
    let (materials, materials_en) = numbered(&guide.materials);
    let (steps, steps_en) = numbered(&guide.steps);
    let (time_limits, time_limits_en) = bullets(&guide.time_limits);
    let (fees, fees_en) = bullets(&guide.fees);
    let (remedies, remedies_en) = bullets(&guide.remedies);
    let (contacts, contacts_en) = bullets(&guide.contacts);
    GuideDetail {
        id: guide.id.as_str().into(),
        name: guide.name.zh.as_str().into(),
        name_en: guide.name.en_or_zh().into(),
        window: guide.window.zh.as_str().into(),
        window_en: guide.window.en_or_zh().into(),
        summary: guide.summary.zh.as_str().into(),
        summary_en: guide.summary.en_or_zh().into(),
        conditions,
        conditions_en,
        materials,
        materials_en,
        steps,
        steps_en,
        time_limits,
        time_limits_en,
        fees,
        fees_en,
        remedies,
        remedies_en,
        contacts,
        contacts_en,
        basis: guide.basis.join("\n").into(),
        reviewed: guide.reviewed.to_string().into(),
        unverified: !guide.unverified.is_empty(),
    }
}

fn lines(items: &[Text], mark: impl Fn(usize) -> String) -> (SharedString, SharedString) {
    let join = |pick: &dyn Fn(&Text) -> &str| {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| format!("{}{}", mark(i), pick(item)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    (
        join(&|t: &Text| t.zh.as_str()).into(),
        join(&|t: &Text| t.en_or_zh()).into(),
    )
}

fn bullets(items: &[Text]) -> (SharedString, SharedString) {
    lines(items, |_| "• ".to_owned())
}

fn numbered(items: &[Text]) -> (SharedString, SharedString) {
    lines(items, |i| format!("{}. ", i + 1))
}

/// The text a phone shows after scanning a guide's QR code: name, window, materials, steps and
/// contacts in Chinese, cut at a line to fit a readable code.
pub fn qr_text(guide: &ServiceGuide) -> String {
    let mut text = format!("【{}】", guide.name.zh);
    if !guide.window.zh.is_empty() {
        text.push_str(&format!(" {}", guide.window.zh));
    }
    let mut parts: Vec<String> = Vec::new();
    parts.push("所需材料：".to_owned());
    parts.extend(
        guide
            .materials
            .iter()
            .enumerate()
            .map(|(i, m)| format!("{}. {}", i + 1, m.zh)),
    );
    parts.push("联系电话：".to_owned());
    parts.extend(guide.contacts.iter().map(|c| c.zh.clone()));
    parts.push("办理流程：".to_owned());
    parts.extend(
        guide
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {}", i + 1, s.zh)),
    );
    for part in parts {
        if text.len() + part.len() + 1 > QR_MAX_BYTES {
            text.push_str("\n……详见窗口");
            break;
        }
        text.push('\n');
        text.push_str(&part);
    }
    text
}
