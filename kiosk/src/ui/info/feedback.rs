//! The 投诉建议与评价 page: complaints and suggestions about the site's services (or in general) with an
//! optional callback phone, and ratings of a visit by its ticket number. Forms are checked by
//! [`form`]; a valid submission is queued durably in the [`Outbox`] under a reference number that the
//! page shows (format in [`form`]). Without an outbox the page says the device cannot save now.
//!
//! Texts are typed on the on-screen keyboard: tapping a field gives the window's `KeyboardAdapter` to a
//! fresh [`KeyboardController`] for that field (digits only for the phone).

pub mod form;
pub mod status;
pub mod survey;

use std::{cell::RefCell, rc::Rc};

use slint::{ComponentHandle as _, Model as _, ModelRc, SharedString, VecModel};

use self::{
    form::{
        COMMENT_MAX_CHARS, ComplaintForm, FormError, GENERAL, RatingForm, ReferenceKind,
        TEXT_MAX_CHARS,
    },
    status::ReceiptLookup,
    survey::{SurveyAnswers, SurveyQuestion},
};
use super::{GuideWindows, InfoOptions, guides::visible_guides};
use crate::ui::{
    AppWindow, FeedbackAdapter, KeyboardAdapter, KeyboardMode,
    generated::{FeedbackChoice, SurveyOption},
    keyboard::{KeyboardController, set_keyboard_mode},
};
use content::{Content, Outbox, OutboxPayload};

/// Where the page finds the outbox; empty until [`super::InfoPages::set_outbox`] is called.
pub(super) type OutboxSlot = Rc<RefCell<Option<Outbox>>>;
/// Where the page finds the centre's receipt lookup; empty until
/// [`super::InfoPages::set_receipt_lookup`] is called.
pub(super) type LookupSlot = Rc<RefCell<Option<ReceiptLookup>>>;

/// Most characters of a callback phone (`0851-12345678`).
const PHONE_MAX_CHARS: usize = 13;
/// Most characters of a receipt code as typed (`T-7K3M-9QXA`, dashes optional).
const CODE_MAX_CHARS: usize = 11;
/// Most characters of a ticket number.
const TICKET_MAX_CHARS: usize = 8;
/// Attempts at a reference number not yet in the outbox.
const REFERENCE_ATTEMPTS: usize = 5;

/// Connects the page's callbacks.
pub(super) fn connect(window: &AppWindow, outbox: &OutboxSlot, lookup: &LookupSlot) {
    let page = window.global::<FeedbackAdapter>();
    let keyboard: Rc<RefCell<Option<KeyboardController>>> = Rc::default();
    page.on_edit({
        let weak = window.as_weak();
        move |field| {
            if let Some(window) = weak.upgrade() {
                *keyboard.borrow_mut() = edit(&window, &field);
            }
        }
    });
    page.on_submit_complaint({
        let weak = window.as_weak();
        let outbox = Rc::clone(outbox);
        move || {
            if let Some(window) = weak.upgrade() {
                submit_complaint(&window, outbox.borrow().as_ref());
            }
        }
    });
    page.on_submit_rating({
        let weak = window.as_weak();
        let outbox = Rc::clone(outbox);
        move || {
            if let Some(window) = weak.upgrade() {
                submit_rating(&window, outbox.borrow().as_ref());
            }
        }
    });
    page.on_toggle_survey({
        let weak = window.as_weak();
        move |question, index| {
            if let Some(window) = weak.upgrade() {
                toggle_survey(&window, question, index);
            }
        }
    });
    page.on_submit_survey({
        let weak = window.as_weak();
        let outbox = Rc::clone(outbox);
        move || {
            if let Some(window) = weak.upgrade() {
                submit_survey(&window, outbox.borrow().as_ref());
            }
        }
    });
    page.on_look_up({
        let weak = window.as_weak();
        let lookup = Rc::clone(lookup);
        move || {
            if let Some(window) = weak.upgrade() {
                status::look_up(&window, lookup.borrow().as_ref());
            }
        }
    });
    page.on_new_entry({
        let weak = window.as_weak();
        move || {
            if let Some(window) = weak.upgrade() {
                let tab = window.global::<FeedbackAdapter>().get_tab();
                reset(&window);
                window.global::<FeedbackAdapter>().set_tab(tab);
            }
        }
    });
}

/// Fills the subjects, services and windows from new content; a choice that is gone is cleared.
pub(super) fn fill(
    window: &AppWindow,
    content: &Content,
    options: InfoOptions,
    windows: &GuideWindows,
) {
    let page = window.global::<FeedbackAdapter>();
    let services: Vec<FeedbackChoice> = visible_guides(content, options)
        .into_iter()
        .map(|guide| FeedbackChoice {
            id: guide.id.as_str().into(),
            name: guide.name.zh.as_str().into(),
            name_en: guide.name.en_or_zh().into(),
        })
        .collect();
    let mut subjects = services.clone();
    subjects.push(FeedbackChoice {
        id: GENERAL.into(),
        name: "综合或其他".into(),
        name_en: "General or other".into(),
    });
    if !subjects.iter().any(|s| s.id == page.get_about()) {
        page.set_about(SharedString::new());
    }
    if !services.iter().any(|s| s.id == page.get_service()) {
        page.set_service(SharedString::new());
    }
    if page.get_survey_services().row_count() == 0 {
        show_survey(window, &SurveyAnswers::default());
    }
    // A rating may name the window that served the visit; 记不清 first, chosen until one is tapped.
    let counters: Vec<FeedbackChoice> = if windows.counters().is_empty() {
        Vec::new()
    } else {
        std::iter::once(FeedbackChoice {
            id: SharedString::new(),
            name: "记不清".into(),
            name_en: "Not sure".into(),
        })
        .chain(windows.counters().iter().map(|(id, name)| FeedbackChoice {
            id: id.to_string().into(),
            name: name.zh.as_str().into(),
            name_en: name.en_or_zh().into(),
        }))
        .collect()
    };
    if !counters.iter().any(|c| c.id == page.get_rated_window()) {
        page.set_rated_window(SharedString::new());
    }
    page.set_subjects(ModelRc::new(VecModel::from(subjects)));
    page.set_services(ModelRc::new(VecModel::from(services)));
    page.set_windows(ModelRc::new(VecModel::from(counters)));
    page.set_ready(true);
}

/// Forgets everything typed or chosen (session end), including the keyboard's text.
pub(super) fn reset(window: &AppWindow) {
    let page = window.global::<FeedbackAdapter>();
    page.set_tab(0);
    page.set_category(SharedString::new());
    page.set_about(SharedString::new());
    page.set_phone(SharedString::new());
    page.set_text(SharedString::new());
    page.set_ticket(SharedString::new());
    page.set_service(SharedString::new());
    page.set_rated_window(SharedString::new());
    page.set_comment(SharedString::new());
    page.set_editing(SharedString::new());
    page.set_error(SharedString::new());
    page.set_error_en(SharedString::new());
    page.set_reference(SharedString::new());
    page.set_code(SharedString::new());
    page.set_looking(false);
    page.set_found(false);
    page.set_score(0);
    show_survey(window, &SurveyAnswers::default());
    let keyboard = window.global::<KeyboardAdapter>();
    keyboard.set_text(SharedString::new());
    keyboard.set_pinyin(SharedString::new());
    keyboard.set_candidates(ModelRc::new(VecModel::<SharedString>::default()));
}

/// A field typed on the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Phone,
    Ticket,
    Text,
    Comment,
    Code,
}

impl Field {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "phone" => Some(Self::Phone),
            "ticket" => Some(Self::Ticket),
            "text" => Some(Self::Text),
            "comment" => Some(Self::Comment),
            "code" => Some(Self::Code),
            _ => None,
        }
    }

    /// Most characters, the keys shown first, and whether letters may be chosen.
    fn keyboard(self) -> (usize, KeyboardMode, bool) {
        match self {
            Self::Phone => (PHONE_MAX_CHARS, KeyboardMode::Digits, false),
            Self::Ticket => (TICKET_MAX_CHARS, KeyboardMode::Letters, true),
            Self::Text => (TEXT_MAX_CHARS, KeyboardMode::Letters, true),
            Self::Comment => (COMMENT_MAX_CHARS, KeyboardMode::Letters, true),
            Self::Code => (CODE_MAX_CHARS, KeyboardMode::Letters, true),
        }
    }

    fn get(self, page: &FeedbackAdapter<'_>) -> SharedString {
        match self {
            Self::Phone => page.get_phone(),
            Self::Ticket => page.get_ticket(),
            Self::Text => page.get_text(),
            Self::Comment => page.get_comment(),
            Self::Code => page.get_code(),
        }
    }

    /// Stores typed text (a ticket number and a receipt code in capitals).
    fn set(self, page: &FeedbackAdapter<'_>, text: &str) {
        match self {
            Self::Phone => page.set_phone(text.into()),
            Self::Ticket => page.set_ticket(text.to_ascii_uppercase().into()),
            Self::Text => page.set_text(text.into()),
            Self::Comment => page.set_comment(text.into()),
            Self::Code => {
                page.set_code(text.to_ascii_uppercase().into());
                page.set_found(false);
            }
        }
    }
}

/// Starts typing `field`: the keyboard gets the field's text and its keys, and every change is kept.
fn edit(window: &AppWindow, name: &str) -> Option<KeyboardController> {
    let Some(field) = Field::from_name(name) else {
        tracing::warn!("the feedback page has no field {name:?}");
        return None;
    };
    let (max_chars, mode, letters) = field.keyboard();
    let page = window.global::<FeedbackAdapter>();
    let controller = KeyboardController::attach(window, max_chars);
    set_keyboard_mode(window, mode, letters);
    controller.set_text(&field.get(&page));
    let name: SharedString = name.into();
    controller.on_change({
        let weak = window.as_weak();
        let name = name.clone();
        move |text| {
            if let Some(window) = weak.upgrade() {
                let page = window.global::<FeedbackAdapter>();
                if page.get_editing() == name {
                    field.set(&page, text);
                }
            }
        }
    });
    controller.on_done({
        let weak = window.as_weak();
        let name = name.clone();
        move |text| {
            if let Some(window) = weak.upgrade() {
                let page = window.global::<FeedbackAdapter>();
                if page.get_editing() == name {
                    field.set(&page, text);
                    page.set_editing(SharedString::new());
                }
            }
        }
    });
    page.set_error(SharedString::new());
    page.set_error_en(SharedString::new());
    page.set_editing(name);
    Some(controller)
}

fn show_error(window: &AppWindow, zh: &str, en: &str) {
    let page = window.global::<FeedbackAdapter>();
    page.set_error(zh.into());
    page.set_error_en(en.into());
}

fn show_form_error(window: &AppWindow, err: &FormError) {
    show_error(window, &err.zh(), &err.en());
}

fn no_outbox(window: &AppWindow) {
    show_error(
        window,
        "本机现在无法保存您的意见，请到服务窗口提出，谢谢。",
        "This device cannot save your feedback now; please tell a service window. Thank you.",
    );
}

fn submit_complaint(window: &AppWindow, outbox: Option<&Outbox>) {
    let Some(outbox) = outbox else {
        no_outbox(window);
        return;
    };
    let page = window.global::<FeedbackAdapter>();
    let form = ComplaintForm {
        category: page.get_category().into(),
        about: page.get_about().into(),
        phone: page.get_phone().into(),
        text: page.get_text().into(),
    };
    match form.validate() {
        Ok(complaint) => save(
            window,
            outbox,
            ReferenceKind::Complaint,
            &OutboxPayload::Complaint(complaint),
        ),
        Err(err) => show_form_error(window, &err),
    }
}

fn submit_rating(window: &AppWindow, outbox: Option<&Outbox>) {
    let Some(outbox) = outbox else {
        no_outbox(window);
        return;
    };
    let page = window.global::<FeedbackAdapter>();
    let form = RatingForm {
        ticket: page.get_ticket().into(),
        service: page.get_service().into(),
        score: page.get_score(),
        comment: page.get_comment().into(),
        // Set only from the window choices (numbers); empty when not given.
        window: page.get_rated_window().parse().ok(),
    };
    match form.validate() {
        Ok(rating) => save(
            window,
            outbox,
            ReferenceKind::Rating,
            &OutboxPayload::Rating(rating),
        ),
        Err(err) => show_form_error(window, &err),
    }
}

/// The survey's answers as the page shows them (the page's models are the only copy).
fn survey_answers(window: &AppWindow) -> SurveyAnswers {
    let page = window.global::<FeedbackAdapter>();
    let mut answers = SurveyAnswers::default();
    for (question, model) in SurveyQuestion::ALL.into_iter().zip([
        page.get_survey_services(),
        page.get_survey_matters(),
        page.get_survey_channels(),
    ]) {
        for (index, option) in model.iter().enumerate() {
            if option.chosen {
                answers.toggle(question, index);
            }
        }
    }
    answers
}

/// Shows the three questions' choices with `answers` chosen.
fn show_survey(window: &AppWindow, answers: &SurveyAnswers) {
    let page = window.global::<FeedbackAdapter>();
    let model = |question: SurveyQuestion| {
        let options: Vec<SurveyOption> = question
            .choices()
            .iter()
            .enumerate()
            .map(|(index, choice)| SurveyOption {
                name: choice.zh.into(),
                name_en: choice.en.into(),
                chosen: answers.is_chosen(question, index),
            })
            .collect();
        ModelRc::new(VecModel::from(options))
    };
    page.set_survey_services(model(SurveyQuestion::Services));
    page.set_survey_matters(model(SurveyQuestion::Matters));
    page.set_survey_channels(model(SurveyQuestion::Channels));
}

fn toggle_survey(window: &AppWindow, question: i32, index: i32) {
    let (Some(question), Ok(index)) =
        (SurveyQuestion::from_index(question), usize::try_from(index))
    else {
        return;
    };
    let mut answers = survey_answers(window);
    answers.toggle(question, index);
    show_survey(window, &answers);
    let page = window.global::<FeedbackAdapter>();
    page.set_error(SharedString::new());
    page.set_error_en(SharedString::new());
}

fn submit_survey(window: &AppWindow, outbox: Option<&Outbox>) {
    let Some(outbox) = outbox else {
        no_outbox(window);
        return;
    };
    let answers = survey_answers(window);
    if answers.is_empty() {
        show_error(
            window,
            "请至少选一项，再点“提交”。",
            "Please choose at least one answer, then tap Submit.",
        );
        return;
    }
    save(
        window,
        outbox,
        ReferenceKind::Survey,
        &OutboxPayload::NeedsSurvey(answers.to_survey()),
    );
}

/// Queues the payload under a new reference number and shows the number; on failure the form stays.
fn save(window: &AppWindow, outbox: &Outbox, kind: ReferenceKind, payload: &OutboxPayload) {
    let mut rng = rand::rng();
    for _ in 0..REFERENCE_ATTEMPTS {
        let reference = form::new_reference(kind, &mut rng);
        match outbox.submit_with_key(&reference, payload.clone()) {
            Ok(true) => {
                tracing::info!("{} saved in the outbox as {reference}", payload.kind());
                let tab = window.global::<FeedbackAdapter>().get_tab();
                reset(window);
                let page = window.global::<FeedbackAdapter>();
                page.set_tab(tab);
                page.set_reference(reference.into());
                return;
            }
            Ok(false) => continue,
            Err(err) => {
                tracing::error!("cannot save {} in the outbox: {err}", payload.kind());
                break;
            }
        }
    }
    show_error(
        window,
        "保存失败，请稍后再试或到服务窗口提出。",
        "Saving failed; please try again later or tell a service window.",
    );
}
