//! The service guides page (办事指南): the site's services, and one guide at a time with a QR code
//! to take it away on a phone.

use std::sync::{Arc, Mutex, PoisonError};

use slint::{ComponentHandle as _, Image, ModelRc, SharedString, VecModel};

use super::{GuideWindows, InfoOptions};
use crate::ui::{AppWindow, GuideDetail, GuideRow, GuidesAdapter, take_number::qr::qr_image};
use content::{Content, ServiceGuide, SiteTier, Text, fill_window};

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
    windows: GuideWindows,
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
                Some(guide) => open(&window, &Localised::new(guide, options.tier, &windows)),
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
pub(super) fn fill(
    window: &AppWindow,
    content: &Content,
    options: InfoOptions,
    windows: &GuideWindows,
) {
    let visible: Vec<Localised> = visible_guides(content, options)
        .into_iter()
        .map(|guide| Localised::new(guide, options.tier, windows))
        .collect();
    let rows: Vec<GuideRow> = visible
        .iter()
        .map(|local| GuideRow {
            id: local.guide.id.as_str().into(),
            name: local.guide.name.zh.as_str().into(),
            name_en: local.guide.name.en_or_zh().into(),
            window: local.window.zh.as_str().into(),
            window_en: local.window.en_or_zh().into(),
        })
        .collect();
    let state = window.global::<GuidesAdapter>();
    state.set_guides(ModelRc::new(VecModel::from(rows)));
    if state.get_showing() {
        let open_id = state.get_detail().id;
        match visible
            .iter()
            .find(|local| local.guide.id == open_id.as_str())
        {
            Some(local) => open(window, local),
            None => reset(window),
        }
    }
}

/// A guide as this site shows it: the steps worded for its tier, `{window}` filled from its queue
/// configuration, the window line from the queue (or, for older bundles, the guide's own).
#[derive(Debug, Clone)]
pub struct Localised<'a> {
    /// The guide as published.
    pub guide: &'a ServiceGuide,
    /// Where the service is handled here (empty: no window line).
    pub window: Text,
    hint: Option<Text>,
    tier: SiteTier,
    ticketed: bool,
}

impl<'a> Localised<'a> {
    /// The guide at a site of `tier` whose queue gives `windows`.
    pub fn new(guide: &'a ServiceGuide, tier: SiteTier, windows: &GuideWindows) -> Self {
        let hint = windows.get(&guide.id).cloned();
        let window = hint.clone().unwrap_or_else(|| guide.window.clone());
        Self {
            guide,
            window,
            hint,
            tier,
            ticketed: tier != SiteTier::Room && windows.issues_tickets_for(&guide.id),
        }
    }

    /// `items` with `{window}` filled in.
    pub fn filled(&self, items: &[Text]) -> Vec<Text> {
        items
            .iter()
            .map(|item| fill_window(item, self.hint.as_ref()))
            .collect()
    }

    /// The steps for this site's tier, filled in.
    pub fn steps(&self) -> Vec<Text> {
        self.filled(self.guide.steps_for(self.tier))
    }
}

fn open(window: &AppWindow, local: &Localised) {
    let state = window.global::<GuidesAdapter>();
    state.set_detail(detail(local));
    state.set_qr(qr_image(&qr_text(local)).unwrap_or_default());
    state.set_showing(true);
}

/// The guide as the page shows it.
pub fn detail(local: &Localised) -> GuideDetail {
    let guide = local.guide;
    let fill_one = |text: &Text| fill_window(text, local.hint.as_ref());
    let (points, points_en) = bullets(&local.filled(&guide.plain_points));
    let (conditions, conditions_en) = bullets(&local.filled(&guide.conditions));
    let (materials, materials_en) = numbered(&local.filled(&guide.materials));
    let (steps, steps_en) = numbered(&local.steps());
    let (time_limits, time_limits_en) = bullets(&local.filled(&guide.time_limits));
    let (fees, fees_en) = bullets(&local.filled(&guide.fees));
    let (remedies, remedies_en) = bullets(&local.filled(&guide.remedies));
    let (contacts, contacts_en) = bullets(&local.filled(&guide.contacts));
    let plain = fill_one(&guide.plain);
    let summary = fill_one(&guide.summary);
    let (signed_by, signed_on) = guide
        .sign_off
        .as_ref()
        .filter(|s| !s.by.trim().is_empty())
        .map_or((String::new(), String::new()), |s| {
            (s.by.clone(), s.on.to_string())
        });
    GuideDetail {
        id: guide.id.as_str().into(),
        name: guide.name.zh.as_str().into(),
        name_en: guide.name.en_or_zh().into(),
        window: local.window.zh.as_str().into(),
        window_en: local.window.en_or_zh().into(),
        plain: plain.zh.as_str().into(),
        plain_en: plain.en_or_zh().into(),
        points,
        points_en,
        summary: summary.zh.as_str().into(),
        summary_en: summary.en_or_zh().into(),
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
        drafted: guide.reviewed.to_string().into(),
        signed_by: signed_by.into(),
        signed_on: signed_on.into(),
        unverified: !guide.unverified.is_empty(),
        ticketed: local.ticketed,
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

/// The text a phone shows after scanning a guide's QR code: name, window, the plain summary,
/// materials, steps and contacts in Chinese, cut at a line to fit a readable code.
pub fn qr_text(local: &Localised) -> String {
    let guide = local.guide;
    let mut text = format!("【{}】", guide.name.zh);
    if !local.window.zh.is_empty() {
        text.push_str(&format!(" {}", local.window.zh));
    }
    let mut parts: Vec<String> = Vec::new();
    if !guide.plain.zh.is_empty() {
        parts.push(fill_window(&guide.plain, local.hint.as_ref()).zh);
    }
    parts.push("所需材料：".to_owned());
    parts.extend(
        local
            .filled(&guide.materials)
            .iter()
            .enumerate()
            .map(|(i, m)| format!("{}. {}", i + 1, m.zh)),
    );
    parts.push("联系电话：".to_owned());
    parts.extend(local.filled(&guide.contacts).into_iter().map(|c| c.zh));
    parts.push("办理流程：".to_owned());
    parts.extend(
        local
            .steps()
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
