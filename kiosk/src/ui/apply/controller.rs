//! Binds the application [`Draft`] to the window: the page's callbacks, the ID card (read in full only
//! on the applicant and progress screens), the keyboard, the document camera (opened on the capture
//! screen only, its preview taken by a 15 Hz UI timer, each page processed on a helper thread), the
//! signature, sealing and queueing, the receipt, and the progress lookups. The session's end drops
//! the draft, the camera, the typed values and the receipt.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    sync::{Arc, mpsc},
    time::Duration,
};

use applications::{
    ApplicationKind, ApplicationState, ApplicationStatus, SelfCheckCarry, TrackingCode,
    deadline_after,
    form::{Field, FieldType},
};
use chrono::{FixedOffset, Utc};
use content::{
    Content,
    application_queue::{ApplicationQueue, PhonePage},
};
use docscan::{RgbaView, ScanSettings};
use media::{FrameSink, doc_camera::DocCamera};
use slint::{ComponentHandle as _, Image, ModelRc, SharedString, Timer, TimerMode, VecModel};
use tokio::runtime::Handle;

use super::flow::{ContentChoices, Draft};
use crate::{
    devices::{DocCameraSlot, PrinterService},
    frame_mailbox::FrameMailbox,
    ui::{
        AppWindow, ApplyAdapter, ApplyChoice, ApplyInput, ApplyPaper, ApplyProgressRow,
        ApplyReviewRow, ApplyStep, KeyboardMode, Nav, Page, Session, Shell,
        keyboard::{KeyboardController, set_keyboard_mode},
        take_number::{TakeNumberController, qr::qr_image},
    },
};

/// The services the application page uses.
#[derive(Debug, Clone)]
pub struct ApplyServices {
    /// The async runtime (lookups, printing, page processing).
    pub runtime: Handle,
    /// Where sealed applications wait for the centre; none: the kiosk cannot take applications
    /// (the page says so).
    pub queue: Option<ApplicationQueue>,
    /// The ticket printer, for the receipt.
    pub printer: Option<PrinterService>,
    /// The take-a-number controller, which owns the ID card reader.
    pub cards: Option<TakeNumberController>,
    /// The document camera.
    pub camera: DocCameraSlot,
    /// This kiosk's device id (named in the application).
    pub device: String,
    /// The phone page of an application's progress, to which the code is appended
    /// (`https://centre/status?code=`); none: no QR code.
    pub status_url: Option<String>,
}

/// China Standard Time, in which the kiosk prints its times and counts days.
fn china_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// A page taken: the JPEG sent, and a picture for the screen.
struct Shot {
    jpeg: Vec<u8>,
    picture: slint::SharedPixelBuffer<slint::Rgba8Pixel>,
}

/// What a helper thread sends back to the UI thread.
enum Done {
    Shot(Result<Shot, (String, String)>),
    Printed(bool),
    Progress(Result<Vec<ApplicationStatus>, (String, String)>),
    /// The phone upload was opened (its token and page), or not.
    UploadOpened(Option<(String, String)>),
    /// Pages uploaded by phone (none: the upload is closed).
    Uploaded(Option<Vec<PhonePage>>),
    /// A page uploaded by phone, straightened, or why it was refused.
    PhonePageReady(Result<(String, Vec<u8>), (String, String)>),
}

/// After sending: what the receipt screen shows.
#[derive(Debug, Clone)]
struct Sent {
    code: TrackingCode,
    kind: ApplicationKind,
    masked_name: String,
    /// What happens next, in Simplified Chinese and in English.
    next_steps: (String, String),
}

struct Inner {
    window: slint::Weak<AppWindow>,
    services: ApplyServices,
    content: Box<dyn Fn() -> Arc<Content>>,
    draft: RefCell<Option<Draft>>,
    step: Cell<ApplyStep>,
    carry: RefCell<Option<SelfCheckCarry>>,
    typed_name: RefCell<String>,
    typed_id: RefCell<String>,
    /// The answer being given on screen (digits, text, a choice), before it is checked.
    value: RefCell<String>,
    keyboard: RefCell<Option<KeyboardController>>,
    camera: RefCell<Option<Arc<DocCamera>>>,
    preview: Arc<FrameMailbox>,
    paper: RefCell<Option<String>>,
    shot: RefCell<Option<Shot>>,
    shots_taken: Cell<u32>,
    brightness: Cell<i32>,
    /// After a change from the review screen: back to the review once the questions are answered.
    revisiting: Cell<bool>,
    sent: RefCell<Option<Sent>>,
    track_code: RefCell<String>,
    done: (mpsc::Sender<Done>, mpsc::Receiver<Done>),
    ticks: Cell<u32>,
    /// The language last rendered in (a switch renders again).
    rendered_english: Cell<bool>,
    /// The phone upload of this session: its token and the phone page's address.
    upload: RefCell<Option<(String, String)>>,
    /// Whether the upload is being opened or fetched (one request at a time).
    upload_busy: Cell<bool>,
    /// The highest page number received from the phone upload (acknowledged with the next fetch).
    upload_seen: Cell<u32>,
    pump: Timer,
}

/// The application page, attached to the kiosk's window. Cheap to clone.
#[derive(Clone)]
pub struct ApplyController {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for ApplyController {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyController")
            .field("step", &self.inner.step.get())
            .finish_non_exhaustive()
    }
}

impl ApplyController {
    /// Attaches the page to `shell`'s window; the home screen and the legal-aid check offer it from
    /// now on. `content` gives the current content: the legal-aid matters and groups the questions
    /// list.
    pub fn attach(
        shell: &Shell,
        content: impl Fn() -> Arc<Content> + 'static,
        services: ApplyServices,
    ) -> Self {
        let inner = Rc::new(Inner {
            window: shell.window().as_weak(),
            services,
            content: Box::new(content),
            draft: RefCell::new(None),
            step: Cell::new(ApplyStep::Choose),
            carry: RefCell::new(None),
            typed_name: RefCell::default(),
            typed_id: RefCell::default(),
            value: RefCell::default(),
            keyboard: RefCell::new(None),
            camera: RefCell::new(None),
            preview: Arc::new(FrameMailbox::default()),
            paper: RefCell::new(None),
            shot: RefCell::new(None),
            shots_taken: Cell::new(0),
            brightness: Cell::new(0),
            revisiting: Cell::new(false),
            sent: RefCell::new(None),
            track_code: RefCell::default(),
            done: mpsc::channel(),
            ticks: Cell::new(0),
            rendered_english: Cell::new(false),
            upload: RefCell::new(None),
            upload_busy: Cell::new(false),
            upload_seen: Cell::new(0),
            pump: Timer::default(),
        });
        let this = Self { inner };
        let window = shell.window();
        window.global::<Session>().set_apply_offered(true);
        window.global::<Session>().on_apply({
            let this = this.clone();
            move |kind| this.open(&kind)
        });
        this.connect(window);
        if let Some(cards) = &this.inner.services.cards {
            let weak = Rc::downgrade(&this.inner);
            cards.listen_cards(Rc::new(move |card| {
                let Some(inner) = weak.upgrade() else {
                    return false;
                };
                Self { inner }.card(card)
            }));
        }
        shell.on_session_end({
            let this = this.clone();
            move || this.reset()
        });
        this.inner
            .pump
            .start(TimerMode::Repeated, Duration::from_millis(66), {
                let this = this.clone();
                move || this.pump()
            });
        this.render();
        this
    }

    fn connect(&self, window: &AppWindow) {
        let adapter = window.global::<ApplyAdapter>();
        let on = |f: fn(&Self)| {
            let this = self.clone();
            move || f(&this)
        };
        let with = |f: fn(&Self, &str)| {
            let this = self.clone();
            move |s: SharedString| f(&this, &s)
        };
        adapter.on_choose(with(Self::choose));
        adapter.on_open_track(on(Self::open_track));
        adapter.on_start(on(Self::start));
        adapter.on_edit(with(Self::edit));
        adapter.on_use_typed(on(Self::use_typed));
        adapter.on_pick(with(Self::pick));
        adapter.on_digit(with(Self::digit));
        adapter.on_erase(on(Self::erase));
        adapter.on_next(on(Self::next));
        adapter.on_skip(on(Self::skip));
        adapter.on_previous(on(Self::previous));
        adapter.on_take_paper(with(Self::take_paper));
        adapter.on_shoot(on(Self::shoot));
        adapter.on_keep(on(Self::keep));
        adapter.on_retake(on(Self::retake));
        adapter.on_brighter(on(|c| c.adjust_brightness(1)));
        adapter.on_darker(on(|c| c.adjust_brightness(-1)));
        adapter.on_camera_done(on(Self::camera_done));
        adapter.on_papers_done(on(Self::papers_done));
        adapter.on_sign_down({
            let this = self.clone();
            move |x, y| this.sign(true, x, y)
        });
        adapter.on_sign_move({
            let this = self.clone();
            move |x, y| this.sign(false, x, y)
        });
        adapter.on_sign_clear(on(Self::sign_clear));
        adapter.on_sign_done(on(Self::sign_done));
        adapter.on_change(with(Self::change));
        adapter.on_submit(on(Self::submit));
        adapter.on_print_receipt(on(Self::print_receipt));
        adapter.on_track(on(Self::track));
    }

    /// The step on screen.
    pub fn step(&self) -> ApplyStep {
        self.inner.step.get()
    }

    fn window(&self, f: impl FnOnce(&AppWindow)) {
        if let Some(window) = self.inner.window.upgrade() {
            f(&window);
        }
    }

    fn choices(&self) -> ContentChoices {
        (self.inner.content)()
            .legal_aid
            .as_ref()
            .map(ContentChoices::from_rules)
            .unwrap_or_default()
    }

    /// Whether the session is in English.
    fn english(&self) -> bool {
        self.inner
            .window
            .upgrade()
            .is_some_and(|w| w.global::<Session>().get_english())
    }

    /// Shows an error (or clears it with two empty strings), in the session's language.
    fn set_error(&self, zh: &str, en: &str) {
        let text = if self.english() { en } else { zh };
        self.window(|w| w.global::<ApplyAdapter>().set_error(text.into()));
    }

    fn go(&self, step: ApplyStep) {
        let leaving_camera =
            self.inner.step.get() == ApplyStep::Camera && step != ApplyStep::Camera;
        if leaving_camera {
            self.close_camera();
        }
        self.inner.step.set(step);
        if step == ApplyStep::Papers {
            self.open_upload();
        }
        if let Some(cards) = &self.inner.services.cards {
            cards.share_full_card(matches!(step, ApplyStep::Applicant | ApplyStep::Track));
        }
        self.set_error("", "");
        self.render();
    }

    /// Opens the page: `legal_aid` from the self-check's result (its answers carried over), another
    /// kind, or the choice (empty).
    pub fn open(&self, kind: &str) {
        *self.inner.carry.borrow_mut() = None;
        if kind == ApplicationKind::LegalAid.as_str() {
            let carry = self
                .inner
                .window
                .upgrade()
                .map(|w| crate::ui::info::legal_aid::self_check_carry(&w));
            *self.inner.carry.borrow_mut() = carry;
        }
        self.window(|w| w.global::<Nav>().invoke_go(Page::Apply));
        match ApplicationKind::parse(kind) {
            Some(_) => self.choose(kind),
            None => self.go(ApplyStep::Choose),
        }
    }

    /// Starts an application of `kind`.
    pub fn choose(&self, kind: &str) {
        let Some(kind) = ApplicationKind::parse(kind) else {
            return;
        };
        let carry = self.inner.carry.borrow().clone();
        *self.inner.draft.borrow_mut() = Some(Draft::new(kind, carry.as_ref()));
        *self.inner.sent.borrow_mut() = None;
        self.go(ApplyStep::Intro);
    }

    fn open_track(&self) {
        self.go(ApplyStep::Track);
    }

    fn start(&self) {
        let has_applicant = self
            .inner
            .draft
            .borrow()
            .as_ref()
            .is_some_and(|d| d.applicant().is_some());
        if has_applicant {
            self.to_questions();
        } else {
            self.go(ApplyStep::Applicant);
        }
    }

    /// A card was read: the applicant on the applicant screen, the applications of the holder on the
    /// progress screen. True when it was for this page.
    fn card(&self, card: &crate::ui::take_number::card::CardSummary) -> bool {
        let on_page = self
            .inner
            .window
            .upgrade()
            .is_some_and(|w| w.global::<Nav>().get_page() == Page::Apply);
        let Some(applicant) = card.applicant.clone().filter(|_| on_page) else {
            return false;
        };
        match self.inner.step.get() {
            ApplyStep::Applicant => {
                if let Some(draft) = self.inner.draft.borrow_mut().as_mut() {
                    draft.set_applicant(applicant);
                }
                self.set_error("", "");
                self.render();
                true
            }
            ApplyStep::Track => {
                self.lookup_holder(applicant.id_number.clone());
                true
            }
            _ => false,
        }
    }

    fn edit(&self, field: &str) {
        let Some(window) = self.inner.window.upgrade() else {
            return;
        };
        let (max, mode, letters, text) = match field {
            "name" => (
                20,
                KeyboardMode::Letters,
                true,
                self.inner.typed_name.borrow().clone(),
            ),
            "id" => (
                18,
                KeyboardMode::Digits,
                true,
                self.inner.typed_id.borrow().clone(),
            ),
            "code" => (
                11,
                KeyboardMode::Letters,
                true,
                self.inner.track_code.borrow().clone(),
            ),
            "answer" => {
                let max = self.question().map_or(500, |f| match f.field_type {
                    FieldType::Text { max_chars, .. } => max_chars,
                    _ => 100,
                });
                (
                    max,
                    KeyboardMode::Letters,
                    true,
                    self.inner.value.borrow().clone(),
                )
            }
            _ => return,
        };
        let controller = KeyboardController::attach(&window, max);
        set_keyboard_mode(&window, mode, letters);
        controller.set_text(&text);
        let name = field.to_owned();
        controller.on_done({
            let weak = Rc::downgrade(&self.inner);
            move |text| {
                let Some(inner) = weak.upgrade() else {
                    return;
                };
                let this = Self { inner };
                this.typed(&name, text);
            }
        });
        *self.inner.keyboard.borrow_mut() = Some(controller);
        window.global::<ApplyAdapter>().set_editing(field.into());
    }

    fn typed(&self, field: &str, text: &str) {
        let text = text.trim().to_owned();
        match field {
            "name" => *self.inner.typed_name.borrow_mut() = text,
            "id" => *self.inner.typed_id.borrow_mut() = text.to_ascii_uppercase(),
            "code" => *self.inner.track_code.borrow_mut() = text.to_ascii_uppercase(),
            _ => *self.inner.value.borrow_mut() = text,
        }
        self.inner.keyboard.borrow_mut().take();
        self.window(|w| w.global::<ApplyAdapter>().set_editing(SharedString::new()));
        self.render();
    }

    fn use_typed(&self) {
        let name = self.inner.typed_name.borrow().clone();
        let number = match content::booking::normalise_id_number(&self.inner.typed_id.borrow()) {
            Ok(number) => number,
            Err(err) => {
                self.set_error(
                    &format!("身份证号码有误：{}", err.zh()),
                    &format!("The ID number is wrong: {err}"),
                );
                return;
            }
        };
        if name.is_empty() || name.chars().count() > 20 {
            self.set_error("请输入申请人的姓名", "Type the applicant's name");
            return;
        }
        if let Some(draft) = self.inner.draft.borrow_mut().as_mut() {
            draft.set_applicant(applications::Applicant {
                name,
                sex: String::new(),
                ethnicity: String::new(),
                birth_date: String::new(),
                id_number: number,
                address: String::new(),
                from_card: false,
            });
        }
        self.inner.typed_name.borrow_mut().clear();
        self.inner.typed_id.borrow_mut().clear();
        self.set_error("", "");
        self.render();
    }

    fn question(&self) -> Option<&'static Field> {
        self.inner
            .draft
            .borrow()
            .as_ref()
            .and_then(|d| d.question())
            .map(|(f, ..)| f)
    }

    /// Shows the question on screen (its current answer ready to edit), or the papers when none is left.
    fn to_questions(&self) {
        let question = self
            .inner
            .draft
            .borrow()
            .as_ref()
            .and_then(|d| d.question());
        match question {
            Some((field, ..)) => {
                let current = self
                    .inner
                    .draft
                    .borrow()
                    .as_ref()
                    .and_then(|d| d.answers().get(field.id).map(str::to_owned))
                    .unwrap_or_default();
                *self.inner.value.borrow_mut() = current;
                self.go(ApplyStep::Question);
            }
            None if self.inner.revisiting.get() => {
                self.inner.revisiting.set(false);
                let missing = self
                    .inner
                    .draft
                    .borrow()
                    .as_ref()
                    .is_some_and(|d| !d.missing_papers().is_empty());
                self.go(if missing {
                    ApplyStep::Papers
                } else {
                    ApplyStep::Review
                });
            }
            None => self.go(ApplyStep::Papers),
        }
    }

    fn answer(&self, value: &str) {
        let result = match self.inner.draft.borrow_mut().as_mut() {
            Some(draft) => draft.answer(value),
            None => return,
        };
        match result {
            Ok(()) => {
                if self.inner.revisiting.get()
                    && let Some(draft) = self.inner.draft.borrow_mut().as_mut()
                {
                    draft.to_end();
                }
                self.to_questions();
            }
            Err(err) => {
                self.set_error(&err.zh(), &err.to_string());
                self.render();
            }
        }
    }

    fn pick(&self, id: &str) {
        self.answer(id);
    }

    fn digit(&self, digit: &str) {
        let Some(field) = self.question() else {
            return;
        };
        let mut value = self.inner.value.borrow_mut();
        match field.field_type {
            FieldType::Date => {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                if digit != "X" && digits.len() < 8 {
                    let digits = format!("{digits}{digit}");
                    *value = match digits.len() {
                        0..=4 => digits,
                        5..=6 => format!("{}-{}", &digits[..4], &digits[4..]),
                        _ => format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..]),
                    };
                }
            }
            FieldType::Phone if digit != "X" && value.len() < 12 => value.push_str(digit),
            FieldType::Number { .. } if digit != "X" && value.len() < 6 => value.push_str(digit),
            _ => {}
        }
        drop(value);
        self.render();
    }

    fn erase(&self) {
        let mut value = self.inner.value.borrow_mut();
        value.pop();
        if value.ends_with('-') {
            value.pop();
        }
        drop(value);
        self.render();
    }

    fn next(&self) {
        match self.inner.step.get() {
            ApplyStep::Applicant => {
                let ready = self
                    .inner
                    .draft
                    .borrow()
                    .as_ref()
                    .is_some_and(|d| d.applicant().is_some());
                if ready {
                    self.to_questions();
                } else {
                    self.set_error(
                        "请放上身份证，或输入姓名和身份证号码",
                        "Place the ID card, or type the name and ID number",
                    );
                }
            }
            ApplyStep::Question => {
                let value = self.inner.value.borrow().clone();
                self.answer(&value);
            }
            _ => {}
        }
    }

    fn skip(&self) {
        let result = self.inner.draft.borrow_mut().as_mut().map(Draft::skip);
        match result {
            Some(Ok(())) => self.to_questions(),
            Some(Err(err)) => self.set_error(&err.zh(), &err.to_string()),
            None => {}
        }
    }

    fn previous(&self) {
        match self.inner.step.get() {
            ApplyStep::Question => {
                let went_back = self
                    .inner
                    .draft
                    .borrow_mut()
                    .as_mut()
                    .is_some_and(Draft::back);
                if went_back {
                    self.to_questions();
                } else {
                    self.go(ApplyStep::Applicant);
                }
            }
            ApplyStep::Papers => {
                if let Some(draft) = self.inner.draft.borrow_mut().as_mut() {
                    draft.back();
                }
                self.to_questions();
            }
            ApplyStep::Signature => self.go(ApplyStep::Papers),
            ApplyStep::Review => self.go(ApplyStep::Signature),
            ApplyStep::Applicant => self.go(ApplyStep::Intro),
            _ => {}
        }
    }

    fn take_paper(&self, id: &str) {
        let label = self
            .inner
            .draft
            .borrow()
            .as_ref()
            .and_then(|d| d.documents().into_iter().find(|p| p.id == id))
            .map(|p| p.zh);
        let Some(label) = label else {
            return;
        };
        *self.inner.paper.borrow_mut() = Some(id.to_owned());
        self.inner.shot.borrow_mut().take();
        if let Some(sim) = self.inner.services.camera.simulator() {
            // A citizen never lays a sheet quite straight.
            let turn = [4.5, -6.0, 2.5, -3.5, 7.0][self.inner.shots_taken.get() as usize % 5];
            sim.show_paper(&label, turn);
        }
        self.inner.preview.clear();
        if self.inner.camera.borrow().is_none() {
            let sink: Arc<dyn FrameSink> = Arc::clone(&self.inner.preview) as Arc<dyn FrameSink>;
            match self.inner.services.camera.open(sink) {
                Ok(camera) => {
                    let level = f64::from(self.inner.brightness.get()) * 0.08;
                    camera.set_brightness(level);
                    *self.inner.camera.borrow_mut() = Some(Arc::new(camera));
                }
                Err(err) => {
                    tracing::warn!("document camera not opened: {err}");
                }
            }
        }
        self.go(ApplyStep::Camera);
    }

    fn close_camera(&self) {
        self.inner.camera.borrow_mut().take();
        self.inner.preview.clear();
        self.inner.shot.borrow_mut().take();
        if let Some(sim) = self.inner.services.camera.simulator() {
            sim.show(None);
        }
    }

    fn adjust_brightness(&self, delta: i32) {
        let level = (self.inner.brightness.get() + delta).clamp(-3, 3);
        self.inner.brightness.set(level);
        if let Some(camera) = self.inner.camera.borrow().as_ref() {
            camera.set_brightness(f64::from(level) * 0.08);
        }
        self.render();
    }

    fn shoot(&self) {
        let Some(camera) = self.inner.camera.borrow().clone() else {
            self.set_error(
                "高拍仪没有连接，请找工作人员",
                "The document camera is not connected: please ask staff",
            );
            return;
        };
        self.window(|w| w.global::<ApplyAdapter>().set_busy(true));
        let tx = self.inner.done.0.clone();
        self.inner.services.runtime.spawn_blocking(move || {
            let shot = take_page(&camera);
            let _ = tx.send(Done::Shot(shot));
        });
    }

    fn keep(&self) {
        let shot = self.inner.shot.borrow_mut().take();
        let paper = self.inner.paper.borrow().clone();
        if let (Some(shot), Some(paper)) = (shot, paper) {
            if let Some(draft) = self.inner.draft.borrow_mut().as_mut() {
                draft.add_page(&paper, shot.jpeg);
            }
            self.inner.shots_taken.set(self.inner.shots_taken.get() + 1);
            if let Some(sim) = self.inner.services.camera.simulator() {
                let turn = [-3.0, 5.0, -7.0, 2.0][self.inner.shots_taken.get() as usize % 4];
                let label = self.paper_label();
                sim.show_paper(&label, turn);
            }
        }
        self.render();
    }

    fn retake(&self) {
        self.inner.shot.borrow_mut().take();
        self.set_error("", "");
        self.render();
    }

    fn camera_done(&self) {
        self.go(ApplyStep::Papers);
    }

    fn papers_done(&self) {
        let missing = self
            .inner
            .draft
            .borrow()
            .as_ref()
            .map(Draft::missing_papers)
            .unwrap_or_default();
        if missing.is_empty() {
            self.go(ApplyStep::Signature);
        } else {
            let names: Vec<_> = missing.iter().map(|m| m.zh.as_str()).collect();
            let documents = self
                .inner
                .draft
                .borrow()
                .as_ref()
                .map(Draft::documents)
                .unwrap_or_default();
            let names_en: Vec<_> = missing
                .iter()
                .filter_map(|m| {
                    documents
                        .iter()
                        .find(|d| d.id == m.id)
                        .map(|d| d.en.clone())
                })
                .collect();
            self.set_error(
                &format!("还缺这些材料：{}", names.join("、")),
                &format!("Papers still missing: {}", names_en.join(", ")),
            );
        }
    }

    fn sign(&self, down: bool, x: f32, y: f32) {
        if let Some(draft) = self.inner.draft.borrow_mut().as_mut() {
            if down {
                draft.signature.start(x, y);
            } else {
                draft.signature.extend(x, y);
            }
        }
        self.render_signature();
    }

    fn sign_clear(&self) {
        if let Some(draft) = self.inner.draft.borrow_mut().as_mut() {
            draft.signature.clear();
        }
        self.render_signature();
    }

    fn sign_done(&self) {
        let blank = self
            .inner
            .draft
            .borrow()
            .as_ref()
            .is_none_or(|d| d.signature.is_blank());
        if blank {
            self.set_error("请在框内签名", "Please sign in the box");
        } else {
            self.go(ApplyStep::Review);
        }
    }

    fn change(&self, field: &str) {
        let found = self
            .inner
            .draft
            .borrow_mut()
            .as_mut()
            .is_some_and(|d| d.revisit(field));
        if found {
            self.inner.revisiting.set(true);
            self.to_questions();
        }
    }

    /// Seals the application and queues it for the centre; prints the receipt.
    fn submit(&self) {
        let Some(queue) = self.inner.services.queue.clone() else {
            self.set_error(
                "本机暂时不能受理申请，请到窗口办理",
                "This kiosk cannot take applications now: please go to a window",
            );
            return;
        };
        let now = Utc::now();
        let code = TrackingCode::from_random(rand::random());
        let made = match self.inner.draft.borrow().as_ref() {
            Some(draft) => draft.finish(code.clone(), now, &self.inner.services.device),
            None => return,
        };
        let application = match made {
            Ok(application) => application,
            Err(err) => {
                self.set_error(&err.zh(), &err.to_string());
                return;
            }
        };
        if let Err(err) = queue.submit(&application) {
            tracing::error!("application not queued: {err}");
            let (zh, en) = match err {
                content::application_queue::ApplicationQueueError::NoKey => (
                    "本机还没有连上中心，暂时不能提交；请稍后再试或到窗口办理",
                    "This kiosk has not reached the centre yet: please try later or go to a window",
                ),
                _ => (
                    "提交没有成功，请再试一次或到窗口办理",
                    "Sending failed: please try again or go to a window",
                ),
            };
            self.set_error(zh, en);
            return;
        }
        tracing::info!(
            "application {} ({}) sealed and queued",
            application.code,
            application.kind.as_str()
        );
        let today = now.with_timezone(&china_time()).date_naive();
        let next_steps = next_steps(application.kind, today);
        *self.inner.sent.borrow_mut() = Some(Sent {
            code: application.code.clone(),
            kind: application.kind,
            masked_name: application.applicant.masked_name(),
            next_steps,
        });
        drop(application);
        // The draft and everything in it goes now: what was sent exists only sealed.
        self.inner.draft.borrow_mut().take();
        self.close_upload();
        self.inner.carry.borrow_mut().take();
        self.go(ApplyStep::Sent);
        self.print_receipt();
    }

    fn print_receipt(&self) {
        let (Some(printer), Some(sent)) = (
            self.inner.services.printer.clone(),
            self.inner.sent.borrow().clone(),
        ) else {
            return;
        };
        let centre = self
            .inner
            .window
            .upgrade()
            .map(|w| w.global::<Session>().get_centre_name().to_string())
            .unwrap_or_default();
        let qr = self
            .status_link(&sent.code)
            .map(|url| (url, "扫码查看办理进度".to_owned()));
        let note = ticket_printer::Note {
            centre,
            title: format!("{}回执 Receipt", sent.kind.zh()),
            meta: vec![
                format!("查询编号 Code：{}", sent.code),
                format!("申请人：{}", sent.masked_name),
            ],
            text: sent.next_steps.0.clone(),
            qr,
            printed_at: Utc::now().with_timezone(&china_time()).naive_local(),
            footer: vec!["凭查询编号或身份证在任一自助终端查询进度；咨询请拨12348。".into()],
        };
        let printing = if self.english() {
            "Printing the receipt…"
        } else {
            "正在打印回执…"
        };
        self.window(|w| w.global::<ApplyAdapter>().set_print_status(printing.into()));
        let tx = self.inner.done.0.clone();
        self.inner.services.runtime.spawn(async move {
            let printed = matches!(
                printer.print_note(note).await,
                Ok(ticket_printer::PrintOutcome::Printed(_))
            );
            let _ = tx.send(Done::Printed(printed));
        });
    }

    fn status_link(&self, code: &TrackingCode) -> Option<String> {
        self.inner
            .services
            .status_url
            .as_ref()
            .map(|base| format!("{base}{code}"))
    }

    fn track(&self) {
        let typed = self.inner.track_code.borrow().clone();
        let Some(code) = TrackingCode::parse(&typed) else {
            let message = if self.english() {
                "Not a tracking code: check the code on your receipt (like S-7K3M-9QXA)"
            } else {
                "编号不对，请检查回执上的查询编号（如 S-7K3M-9QXA）"
            };
            self.window(|w| w.global::<ApplyAdapter>().set_track_message(message.into()));
            return;
        };
        let Some(queue) = self.inner.services.queue.clone() else {
            return;
        };
        self.window(|w| w.global::<ApplyAdapter>().set_tracking(true));
        let pending = queue.is_pending(&code);
        let tx = self.inner.done.0.clone();
        self.inner.services.runtime.spawn(async move {
            let result = match queue.status_of(&code).await {
                Ok(Some(status)) => Ok(vec![status]),
                Ok(None) if pending => Err((
                    "这份申请已保存在本机，联网后会自动发送到中心".to_owned(),
                    "This application is saved on this kiosk and goes to the centre once the network is back".to_owned(),
                )),
                Ok(None) => Ok(Vec::new()),
                Err(err) => {
                    tracing::warn!("application status not fetched: {err}");
                    Err(unreachable_message())
                }
            };
            let _ = tx.send(Done::Progress(result));
        });
    }

    fn lookup_holder(&self, id_number: String) {
        let Some(queue) = self.inner.services.queue.clone() else {
            return;
        };
        self.window(|w| w.global::<ApplyAdapter>().set_tracking(true));
        let tx = self.inner.done.0.clone();
        self.inner.services.runtime.spawn(async move {
            let result = queue.statuses_of_holder(&id_number).await.map_err(|err| {
                tracing::warn!("applications of a card holder not fetched: {err}");
                unreachable_message()
            });
            drop(id_number);
            let _ = tx.send(Done::Progress(result));
        });
    }

    /// Opens the phone upload for the papers of the draft, once per session, when a centre is there.
    fn open_upload(&self) {
        let Some(queue) = self
            .inner
            .services
            .queue
            .clone()
            .filter(ApplicationQueue::has_centre)
        else {
            return;
        };
        if self.inner.upload.borrow().is_some() || self.inner.upload_busy.get() {
            return;
        }
        let papers: Vec<applications::wire::UploadPaper> = match self.inner.draft.borrow().as_ref()
        {
            Some(draft) => draft
                .documents()
                .into_iter()
                .map(|d| applications::wire::UploadPaper {
                    id: d.id,
                    zh: d.zh,
                    en: d.en,
                })
                .collect(),
            None => return,
        };
        self.inner.upload_busy.set(true);
        let tx = self.inner.done.0.clone();
        self.inner.services.runtime.spawn(async move {
            let opened = match queue.open_upload(papers).await {
                Ok(session) => Some((session.token, session.url)),
                Err(err) => {
                    tracing::warn!("no phone upload: {err}");
                    None
                }
            };
            let _ = tx.send(Done::UploadOpened(opened));
        });
    }

    /// Asks the centre for pages uploaded by phone (the pump does this every two seconds while the
    /// papers or the camera are on screen).
    fn fetch_uploads(&self) {
        let Some(queue) = self.inner.services.queue.clone() else {
            return;
        };
        let Some((token, _)) = self.inner.upload.borrow().clone() else {
            return;
        };
        if self.inner.upload_busy.get() {
            return;
        }
        self.inner.upload_busy.set(true);
        let after = self.inner.upload_seen.get();
        let tx = self.inner.done.0.clone();
        self.inner.services.runtime.spawn(async move {
            let pages = match queue.take_uploads(&token, after).await {
                Ok(pages) => pages,
                Err(err) => {
                    tracing::warn!("phone upload not fetched: {err}");
                    Some(Vec::new())
                }
            };
            let _ = tx.send(Done::Uploaded(pages));
        });
    }

    /// Closes the phone upload: the centre forgets what it still holds.
    fn close_upload(&self) {
        self.inner.upload_seen.set(0);
        let Some((token, _)) = self.inner.upload.borrow_mut().take() else {
            return;
        };
        if let Some(queue) = self.inner.services.queue.clone() {
            self.inner.services.runtime.spawn(async move {
                if let Err(err) = queue.close_upload(&token).await {
                    tracing::warn!("phone upload not closed: {err}");
                }
            });
        }
    }

    /// Drops everything of the session: the draft, the camera, the typed values, the receipt.
    pub fn reset(&self) {
        self.close_camera();
        self.close_upload();
        self.inner.draft.borrow_mut().take();
        self.inner.carry.borrow_mut().take();
        self.inner.sent.borrow_mut().take();
        self.inner.typed_name.borrow_mut().clear();
        self.inner.typed_id.borrow_mut().clear();
        self.inner.value.borrow_mut().clear();
        self.inner.track_code.borrow_mut().clear();
        self.inner.keyboard.borrow_mut().take();
        self.inner.revisiting.set(false);
        self.inner.brightness.set(0);
        self.window(|w| {
            let adapter = w.global::<ApplyAdapter>();
            adapter.set_editing(SharedString::new());
            adapter.set_progress(ModelRc::default());
            adapter.set_track_message(SharedString::new());
            adapter.set_print_status(SharedString::new());
        });
        self.go(ApplyStep::Choose);
    }

    /// Applies what helper threads finished and the newest preview picture (a 15 Hz timer does this;
    /// tests call it directly).
    pub fn pump(&self) {
        if self.inner.camera.borrow().is_some() {
            let on_page = self
                .inner
                .window
                .upgrade()
                .is_some_and(|w| w.global::<Nav>().get_page() == Page::Apply);
            if !on_page {
                // Back or another page: the camera is released at once.
                self.close_camera();
            } else if let Some((buffer, _)) = self.inner.preview.take() {
                self.window(|w| {
                    let adapter = w.global::<ApplyAdapter>();
                    adapter.set_preview(Image::from_rgba8(buffer));
                    adapter.set_has_preview(true);
                });
            }
            let lost = self.inner.camera.borrow().as_ref().and_then(|c| c.lost());
            let shown = self
                .inner
                .window
                .upgrade()
                .is_some_and(|w| w.global::<ApplyAdapter>().get_camera_lost());
            if lost.is_some() != shown {
                if let Some(reason) = &lost {
                    tracing::warn!("document camera lost: {reason}");
                }
                self.render();
            }
        }
        while let Ok(done) = self.inner.done.1.try_recv() {
            match done {
                Done::Shot(result) => {
                    self.window(|w| w.global::<ApplyAdapter>().set_busy(false));
                    match result {
                        Ok(shot) => {
                            *self.inner.shot.borrow_mut() = Some(shot);
                            self.set_error("", "");
                        }
                        Err((zh, en)) => self.set_error(&zh, &en),
                    }
                    self.render();
                }
                Done::Printed(printed) => {
                    let text = match (printed, self.english()) {
                        (true, false) => "回执已打印，请取走",
                        (true, true) => "The receipt is printed: please take it",
                        (false, false) => "回执没有打印出来：请记下查询编号，或扫码保存",
                        (false, true) => {
                            "The receipt did not print: note the code, or scan it with your phone"
                        }
                    };
                    self.window(|w| w.global::<ApplyAdapter>().set_print_status(text.into()));
                }
                Done::Progress(result) => self.show_progress(result),
                Done::UploadOpened(opened) => {
                    self.inner.upload_busy.set(false);
                    *self.inner.upload.borrow_mut() = opened;
                    self.render();
                }
                Done::Uploaded(pages) => {
                    self.inner.upload_busy.set(false);
                    match pages {
                        None => {
                            // Expired or closed at the centre: no more QR code.
                            self.inner.upload.borrow_mut().take();
                            self.render();
                        }
                        Some(pages) => {
                            let seen = self.inner.upload_seen.get();
                            let new: Vec<PhonePage> =
                                pages.into_iter().filter(|p| p.number > seen).collect();
                            if let Some(last) = new.iter().map(|p| p.number).max() {
                                self.inner.upload_seen.set(last);
                            }
                            for page in new {
                                let tx = self.inner.done.0.clone();
                                self.inner.services.runtime.spawn_blocking(move || {
                                    let _ = tx.send(Done::PhonePageReady(straighten(&page)));
                                });
                            }
                        }
                    }
                }
                Done::PhonePageReady(result) => match result {
                    Ok((paper, jpeg)) => {
                        if let Some(draft) = self.inner.draft.borrow_mut().as_mut() {
                            draft.add_page(&paper, jpeg);
                        }
                        self.set_error("", "");
                        self.render();
                    }
                    Err((zh, en)) => self.set_error(
                        &format!("手机上传的一页没有收下：{zh}"),
                        &format!("A page uploaded by phone was not kept: {en}"),
                    ),
                },
            }
        }
        if self.english() != self.inner.rendered_english.get() {
            self.render();
        }
        let ticks = self.inner.ticks.get().wrapping_add(1);
        self.inner.ticks.set(ticks);
        if ticks.is_multiple_of(15) && self.inner.step.get() == ApplyStep::Sent {
            self.render_delivery();
        }
        if ticks.is_multiple_of(30)
            && matches!(self.inner.step.get(), ApplyStep::Papers | ApplyStep::Camera)
        {
            self.fetch_uploads();
        }
    }

    fn show_progress(&self, result: Result<Vec<ApplicationStatus>, (String, String)>) {
        let english = self.english();
        self.window(|w| {
            let adapter = w.global::<ApplyAdapter>();
            adapter.set_tracking(false);
            let (rows, message): (Vec<ApplyProgressRow>, SharedString) = match result {
                Ok(statuses) if statuses.is_empty() => (
                    Vec::new(),
                    if english {
                        "Nothing found: check the code; an application just sent may still be on its way".into()
                    } else {
                        "没有查到申请：请检查编号；刚提交的申请可能还在路上".into()
                    },
                ),
                Ok(statuses) => (
                    statuses.iter().map(|s| progress_row(s, english)).collect(),
                    SharedString::new(),
                ),
                Err((zh, en)) => (Vec::new(), if english { en.into() } else { zh.into() }),
            };
            adapter.set_track_message(message);
            adapter.set_progress(ModelRc::new(VecModel::from(rows)));
        });
    }

    fn render_delivery(&self) {
        let (Some(queue), Some(sent)) = (
            self.inner.services.queue.as_ref(),
            self.inner.sent.borrow().clone(),
        ) else {
            return;
        };
        let delivered = !queue.is_pending(&sent.code) && queue.rejection(&sent.code).is_none();
        self.window(|w| w.global::<ApplyAdapter>().set_delivered(delivered));
    }

    fn paper_label(&self) -> String {
        let paper = self.inner.paper.borrow().clone().unwrap_or_default();
        self.inner
            .draft
            .borrow()
            .as_ref()
            .and_then(|d| d.documents().into_iter().find(|p| p.id == paper))
            .map(|p| p.zh)
            .unwrap_or_default()
    }

    fn render_signature(&self) {
        let (path, signed) = self
            .inner
            .draft
            .borrow()
            .as_ref()
            .map(|d| {
                (
                    d.signature.path_commands(1000.0, 400.0),
                    !d.signature.is_blank(),
                )
            })
            .unwrap_or_default();
        self.window(|w| {
            let adapter = w.global::<ApplyAdapter>();
            adapter.set_sig_path(path.into());
            adapter.set_signed(signed);
        });
    }

    /// Puts the state on the page.
    pub fn render(&self) {
        let Some(window) = self.inner.window.upgrade() else {
            return;
        };
        let adapter = window.global::<ApplyAdapter>();
        let english = window.global::<Session>().get_english();
        self.inner.rendered_english.set(english);
        let pick =
            |zh: &str, en: &str| -> SharedString { if english { en.into() } else { zh.into() } };
        adapter.set_step(self.inner.step.get());
        adapter.set_card_reader(self.inner.services.cards.is_some());
        adapter.set_typed_name(self.inner.typed_name.borrow().as_str().into());
        adapter.set_typed_id(self.inner.typed_id.borrow().as_str().into());
        adapter.set_track_code(self.inner.track_code.borrow().as_str().into());
        adapter.set_brightness(self.inner.brightness.get());
        let choices = self.choices();
        let draft = self.inner.draft.borrow();
        match draft.as_ref() {
            Some(d) => {
                adapter.set_kind_title(pick(d.kind().zh(), d.kind().en()));
                adapter.set_applicant(
                    d.applicant()
                        .map(|a| format!("{}  {}", a.masked_name(), a.masked_id_number()))
                        .unwrap_or_default()
                        .into(),
                );
                adapter.set_carried(
                    i32::try_from(d.answers().iter().count()).unwrap_or(0)
                        * i32::from(self.inner.step.get() == ApplyStep::Intro),
                );
                if let Some((field, number, total)) = d.question() {
                    adapter.set_q_number(i32::try_from(number).unwrap_or(0));
                    adapter.set_q_total(i32::try_from(total).unwrap_or(0));
                    adapter.set_q_prompt(pick(field.zh, field.en));
                    adapter.set_q_help(pick(field.help_zh, field.help_en));
                    adapter.set_q_optional(!field.required);
                    let (input, unit) = match field.field_type {
                        FieldType::Text { .. } => (ApplyInput::Text, ""),
                        FieldType::Choice(_) | FieldType::YesNo => (ApplyInput::Choice, ""),
                        FieldType::Number { unit_zh, .. } => (ApplyInput::Number, unit_zh),
                        FieldType::Phone => (ApplyInput::Phone, ""),
                        FieldType::Date => (ApplyInput::Date, ""),
                        FieldType::Pledge => (ApplyInput::Pledge, ""),
                    };
                    adapter.set_q_input(input);
                    adapter.set_q_unit(unit.into());
                    let rows: Vec<ApplyChoice> = choices
                        .of(field)
                        .into_iter()
                        .map(|c| ApplyChoice {
                            label: pick(&c.zh, &c.en),
                            id: c.id.into(),
                        })
                        .collect();
                    adapter.set_q_choices(ModelRc::new(VecModel::from(rows)));
                    adapter.set_q_value(self.inner.value.borrow().as_str().into());
                }
                let papers: Vec<ApplyPaper> = d
                    .documents()
                    .into_iter()
                    .map(|p| ApplyPaper {
                        pages: i32::try_from(d.pages_of(&p.id).len()).unwrap_or(0),
                        label: pick(&p.zh, &p.en),
                        id: p.id.into(),
                        required: p.required,
                    })
                    .collect();
                adapter.set_papers_complete(d.missing_papers().is_empty());
                adapter.set_papers(ModelRc::new(VecModel::from(papers)));
                let paper = self.inner.paper.borrow().clone().unwrap_or_default();
                adapter.set_paper_pages(i32::try_from(d.pages_of(&paper).len()).unwrap_or(0));
                let review: Vec<ApplyReviewRow> = d
                    .review(&choices, english)
                    .into_iter()
                    .map(|r| ApplyReviewRow {
                        field: r.field.into(),
                        label: r.label.into(),
                        value: r.value.into(),
                    })
                    .collect();
                adapter.set_review(ModelRc::new(VecModel::from(review)));
                let pages: usize = d.documents().iter().map(|p| d.pages_of(&p.id).len()).sum();
                adapter.set_page_count(i32::try_from(pages).unwrap_or(0));
            }
            None => {
                adapter.set_kind_title(match self.inner.step.get() {
                    ApplyStep::Track => pick("查询申请进度", "Application progress"),
                    _ => SharedString::new(),
                });
                adapter.set_applicant(SharedString::new());
                adapter.set_papers(ModelRc::default());
                adapter.set_review(ModelRc::default());
            }
        }
        drop(draft);
        adapter.set_paper(self.paper_label().into());
        adapter.set_camera_lost(
            self.inner.step.get() == ApplyStep::Camera
                && self
                    .inner
                    .camera
                    .borrow()
                    .as_ref()
                    .is_none_or(|c| c.lost().is_some()),
        );
        match self.inner.shot.borrow().as_ref() {
            Some(shot) => {
                adapter.set_shot(Image::from_rgba8(shot.picture.clone()));
                adapter.set_has_shot(true);
            }
            None => adapter.set_has_shot(false),
        }
        if self.inner.step.get() != ApplyStep::Camera {
            adapter.set_has_preview(false);
        }
        if let Some(sent) = self.inner.sent.borrow().as_ref() {
            adapter.set_kind_title(pick(sent.kind.zh(), sent.kind.en()));
            adapter.set_code(sent.code.as_str().into());
            adapter.set_next_steps(pick(&sent.next_steps.0, &sent.next_steps.1));
            let qr = self.status_link(&sent.code).and_then(|url| qr_image(&url));
            adapter.set_has_qr(qr.is_some());
            adapter.set_qr(qr.unwrap_or_default());
            adapter.set_can_print(self.inner.services.printer.is_some());
        }
        let upload_url = self
            .inner
            .upload
            .borrow()
            .as_ref()
            .map(|(_, url)| url.clone())
            .unwrap_or_default();
        adapter.set_upload_url(upload_url.as_str().into());
        let upload_qr = (!upload_url.is_empty())
            .then(|| qr_image(&upload_url))
            .flatten();
        adapter.set_has_upload_qr(upload_qr.is_some());
        adapter.set_upload_qr(upload_qr.unwrap_or_default());
        self.render_signature();
        drop(adapter);
        self.render_delivery();
    }
}

/// Captures a still, finds and straightens the page, refuses a blank or black one.
fn take_page(camera: &DocCamera) -> Result<Shot, (String, String)> {
    let still = camera.capture(Duration::from_secs(3)).map_err(|err| {
        tracing::warn!("document camera: {err}");
        (
            "拍摄没有成功：高拍仪没有画面，请找工作人员".to_owned(),
            "Nothing was taken: the document camera gives no picture; please ask staff".to_owned(),
        )
    })?;
    let view = RgbaView::packed(still.width, still.height, &still.rgba);
    let page = docscan::scan(&view, &ScanSettings::default())
        .map_err(|err| (err.zh().to_owned(), err.to_string()))?;
    let picture = image::load_from_memory(&page.jpeg)
        .map_err(|err| {
            (
                format!("页面不能显示：{err}"),
                format!("The page cannot be shown: {err}"),
            )
        })?
        .thumbnail(900, 900)
        .to_rgba8();
    let buffer = slint::SharedPixelBuffer::clone_from_slice(
        picture.as_raw(),
        picture.width(),
        picture.height(),
    );
    Ok(Shot {
        jpeg: page.jpeg,
        picture: buffer,
    })
}

/// A page uploaded by phone, found, cropped and straightened like one from the document camera (a
/// photo already cropped is kept whole); a black or blank one is refused with the reason.
fn straighten(page: &PhonePage) -> Result<(String, Vec<u8>), (String, String)> {
    let picture = image::load_from_memory(&page.jpeg)
        .map_err(|err| {
            (
                "照片打不开".to_owned(),
                format!("the photo cannot be read: {err}"),
            )
        })?
        .to_rgba8();
    let view = RgbaView::packed(picture.width(), picture.height(), picture.as_raw());
    let scanned = docscan::scan(&view, &ScanSettings::default())
        .map_err(|err| (err.zh().to_owned(), err.to_string()))?;
    Ok((page.paper.clone(), scanned.jpeg))
}

/// What happens next, with the time limit of the first step, for the receipt and the screen.
fn next_steps(kind: ApplicationKind, today: chrono::NaiveDate) -> (String, String) {
    let (first, first_en) = match kind {
        ApplicationKind::LegalAid => (
            "法律援助机构审查您的申请；材料不齐的，会一次性告诉您需要补充什么。",
            "The legal-aid body reviews your application; if papers are missing, it tells you all of them at once.",
        ),
        ApplicationKind::Mediation => (
            "调解组织联系您，再约对方当事人，商定调解的时间和地点。",
            "The mediation committee calls you, then the other side, to agree a time and place.",
        ),
        ApplicationKind::Notary => (
            "公证处联系您确认办理时间；办理时请带上材料原件和身份证。",
            "The notary office calls you to confirm a time; bring the original papers and your ID card.",
        ),
    };
    match deadline_after(kind, ApplicationState::Received, today) {
        Some(d) => (
            format!(
                "{first}\n{}前：{}（{}）。",
                d.by.format("%Y年%m月%d日"),
                d.zh,
                d.basis_zh
            ),
            format!("{first_en}\nBy {}: {}.", d.by.format("%Y-%m-%d"), d.en),
        ),
        None => (first.to_owned(), first_en.to_owned()),
    }
}

/// The message when the centre cannot be reached.
fn unreachable_message() -> (String, String) {
    (
        "暂时连不上中心，请稍后再查".to_owned(),
        "The centre cannot be reached now: please try again later".to_owned(),
    )
}

/// A progress row of the screen.
fn progress_row(status: &ApplicationStatus, english: bool) -> ApplyProgressRow {
    let pick = |zh: &str, en: &str| -> SharedString { if english { en.into() } else { zh.into() } };
    let steps: Vec<String> = status
        .steps
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s.on.format("%m-%d"),
                if english { s.state.en() } else { s.state.zh() }
            )
        })
        .collect();
    ApplyProgressRow {
        code: status.code.as_str().into(),
        kind: pick(status.kind.zh(), status.kind.en()),
        state: pick(status.state.zh(), status.state.en()),
        steps: steps.join(" → ").into(),
        note: status.note.clone().unwrap_or_default().into(),
        deadline: status
            .deadline
            .as_ref()
            .map(|d| {
                if english {
                    format!("By {}: {}", d.by.format("%Y-%m-%d"), d.en)
                } else {
                    format!("{}前：{}", d.by.format("%Y年%m月%d日"), d.zh)
                }
            })
            .unwrap_or_default()
            .into(),
    }
}
