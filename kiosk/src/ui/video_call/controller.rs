//! Binds the call [`Flow`] to the window: the page's callbacks, the call client's updates, the
//! lawyer's and the own picture (copied once into a one-slot [`FrameMailbox`] each, taken by a 30 Hz
//! UI timer), the running time, and the session: while a call is active the kiosk counts as touched,
//! and leaving the page (back, home, the session's end) drops the call, which releases the camera.

use std::{
    cell::RefCell,
    rc::Rc,
    sync::{Arc, mpsc},
    time::{Duration, Instant},
};

use content::{
    Outbox, OutboxPayload,
    video_call::{CallOutcome, CallbackRequest, VideoCallRecord, mask_phone},
};
use media::call::{CallAudioOut, CallSettings, CallSource};
use slint::{ComponentHandle as _, Image, SharedString, Timer, TimerMode};
use tokio::runtime::Handle;
use videocall::{CallFigures, CallHandle, CallRequest, CallUpdate, EndedBy, wire::CallPolicy};

use super::flow::{CallDraft, Effect, FallbackReason, Flow, Step, valid_phone};
use crate::{
    config::{CallSourceKind, CallsConfig},
    devices::PrinterService,
    frame_mailbox::FrameMailbox,
    ui::{
        AppWindow, CallFallback, CallStep, Nav, Page, Session, Shell, VideoCallAdapter,
        take_number::{TakeNumberController, qr::qr_image},
    },
};

/// The services a call uses besides the network: the async runtime, the outbox (each call's record,
/// each call-back request) and the ticket printer (the advice).
#[derive(Debug, Clone)]
pub struct CallServices {
    /// The async runtime the call client runs on.
    pub runtime: Handle,
    /// Where records and call-back requests are queued; none: only logged.
    pub outbox: Option<Outbox>,
    /// The ticket printer; none: the advice is offered as a QR code only.
    pub printer: Option<PrinterService>,
    /// The take-a-number controller, which owns the ID card reader: a card placed on the consent
    /// screen gives the lawyer the citizen's masked name. None: no card is asked for.
    pub cards: Option<TakeNumberController>,
}

/// Where calls go, and with what: made once from the configuration.
#[derive(Debug, Clone)]
pub struct CallSetup {
    /// The centre's call socket (`ws(s)://…/api/v1/calls/ws`); none: no centre is configured, every
    /// call falls back at once.
    pub url: Option<String>,
    /// The centre's call policy (`http(s)://…/api/v1/calls/policy`), asked when the page opens.
    pub policy_url: Option<String>,
    /// The device token.
    pub token: Option<String>,
    /// The centre's pinned certificate (PEM).
    pub ca_pem: Option<Vec<u8>>,
    /// The media.
    pub media: CallSettings,
    /// How long the end screen waits for the advice.
    pub advice_wait: Duration,
}

impl CallSetup {
    /// The setup from `[calls]` and the centre's address (`[content] centre_url`).
    pub fn new(config: &CallsConfig, centre_url: Option<&str>, token: Option<String>) -> Self {
        let policy_url =
            centre_url.map(|base| format!("{}/api/v1/calls/policy", base.trim_end_matches('/')));
        let url = centre_url.map(|base| {
            let base = base.trim_end_matches('/');
            let ws = if let Some(rest) = base.strip_prefix("https://") {
                format!("wss://{rest}")
            } else if let Some(rest) = base.strip_prefix("http://") {
                format!("ws://{rest}")
            } else {
                base.to_owned()
            };
            format!("{ws}/api/v1/calls/ws")
        });
        let source = match config.source {
            CallSourceKind::Test => CallSource::Test,
            CallSourceKind::Devices => CallSource::Devices {
                camera: config.camera.clone(),
                microphone: config.microphone.clone(),
            },
        };
        Self {
            url,
            policy_url,
            token,
            ca_pem: None,
            media: CallSettings {
                source,
                audio_out: if config.speaker {
                    CallAudioOut::Speaker
                } else {
                    CallAudioOut::Discard
                },
                ..CallSettings::default()
            },
            advice_wait: Duration::from_secs(u64::from(config.advice_wait_minutes) * 60),
        }
    }
}

/// China Standard Time, in which the kiosk prints its times.
fn china_time() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap()
}

struct Inner {
    window: slint::Weak<AppWindow>,
    flow: RefCell<Flow>,
    call: RefCell<Option<CallHandle>>,
    remote: Arc<FrameMailbox>,
    local: Arc<FrameMailbox>,
    phone: RefCell<String>,
    answered_at: RefCell<Option<Instant>>,
    lawyer_hung_up: RefCell<bool>,
    /// The masked name of a card placed on the consent screen (this session only).
    caller: RefCell<Option<String>>,
    dialled_at: RefCell<Option<Instant>>,
    /// The call's figures as last seen (the handle is gone when the record is made).
    figures: RefCell<CallFigures>,
    services: CallServices,
    setup: CallSetup,
    printed: (mpsc::Sender<bool>, mpsc::Receiver<bool>),
    /// The centre's policy as last heard (none: not yet, or the centre is unreachable).
    policy: RefCell<Option<CallPolicy>>,
    policies: (mpsc::Sender<CallPolicy>, mpsc::Receiver<CallPolicy>),
    pump: Timer,
}

/// The video call page, attached to the kiosk's window. Cheap to clone.
#[derive(Clone)]
pub struct VideoCallController {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for VideoCallController {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoCallController")
            .field("step", &self.step())
            .finish_non_exhaustive()
    }
}

impl VideoCallController {
    /// Attaches the call to `shell`'s window: the home screen, guides and the legal-aid check offer
    /// 视频连线律师 from now on. Each call's record and each call-back request go to `outbox`.
    pub fn attach(shell: &Shell, setup: CallSetup, services: CallServices) -> Self {
        let inner = Rc::new(Inner {
            window: shell.window().as_weak(),
            flow: RefCell::new(Flow::default()),
            call: RefCell::new(None),
            remote: Arc::new(FrameMailbox::default()),
            local: Arc::new(FrameMailbox::default()),
            phone: RefCell::new(String::new()),
            answered_at: RefCell::new(None),
            lawyer_hung_up: RefCell::new(false),
            caller: RefCell::new(None),
            dialled_at: RefCell::new(None),
            figures: RefCell::new(CallFigures::default()),
            services,
            setup,
            printed: mpsc::channel(),
            policy: RefCell::new(None),
            policies: mpsc::channel(),
            pump: Timer::default(),
        });
        let this = Self { inner };
        let window = shell.window();
        window.global::<Session>().set_video_call_offered(true);
        window.global::<Session>().on_call_lawyer({
            let this = this.clone();
            move |topic| this.open(&topic)
        });
        let adapter = window.global::<VideoCallAdapter>();
        adapter.on_start({
            let this = this.clone();
            move || this.act(Flow::start)
        });
        adapter.on_hang_up({
            let this = this.clone();
            move || this.act(Flow::hang_up)
        });
        adapter.on_digit({
            let this = this.clone();
            move |digit| {
                let mut phone = this.inner.phone.borrow_mut();
                if phone.len() < 12 {
                    phone.push_str(&digit);
                }
                drop(phone);
                this.render();
            }
        });
        adapter.on_erase({
            let this = this.clone();
            move || {
                this.inner.phone.borrow_mut().pop();
                this.render();
            }
        });
        adapter.on_request_callback({
            let this = this.clone();
            move || {
                let phone = this.inner.phone.borrow().clone();
                this.act(|flow| flow.request_callback(&phone));
            }
        });
        adapter.on_print_advice({
            let this = this.clone();
            move || this.act(Flow::print_advice)
        });
        adapter.on_rate({
            let this = this.clone();
            move |score| this.act(|flow| flow.rate(u8::try_from(score).unwrap_or(0)))
        });
        adapter.on_forget_card({
            let this = this.clone();
            move || {
                this.inner.caller.borrow_mut().take();
                this.render();
            }
        });
        if let Some(cards) = &this.inner.services.cards {
            let weak = Rc::downgrade(&this.inner);
            cards.listen_cards(Rc::new(move |card| {
                let Some(inner) = weak.upgrade() else {
                    return false;
                };
                let this = Self { inner };
                let on_consent = this
                    .inner
                    .window
                    .upgrade()
                    .is_some_and(|w| w.global::<Nav>().get_page() == Page::VideoCall)
                    && matches!(this.inner.flow.borrow().step(), Step::Consent);
                if on_consent {
                    *this.inner.caller.borrow_mut() = Some(card.masked_name.clone());
                    this.render();
                }
                on_consent
            }));
        }
        shell.on_session_end({
            let this = this.clone();
            move || {
                this.leave();
                this.inner.caller.borrow_mut().take();
                this.render();
            }
        });
        this.inner
            .pump
            .start(TimerMode::Repeated, Duration::from_millis(33), {
                let this = this.clone();
                move || this.pump()
            });
        this.render();
        this
    }

    /// What is on screen.
    pub fn step(&self) -> Step {
        self.inner.flow.borrow().step().clone()
    }

    /// Opens the page about `topic`; asks the centre for its policy (recording, lawyers online).
    pub fn open(&self, topic: &str) {
        let effects = self.inner.flow.borrow_mut().open(topic);
        self.run(effects);
        self.fetch_policy();
        self.inner.phone.borrow_mut().clear();
        self.window(|w| w.global::<Nav>().invoke_go(Page::VideoCall));
        self.render();
    }

    /// Drops the call (the citizen left): back to the consent screen.
    pub fn leave(&self) {
        let effects = self.inner.flow.borrow_mut().leave();
        self.run(effects);
        self.inner.phone.borrow_mut().clear();
        self.render();
    }

    /// Applies every update and picture that has arrived (the timer does this 30 times a second;
    /// tests call it directly).
    pub fn pump(&self) {
        let active = !matches!(
            self.inner.flow.borrow().step(),
            Step::Consent | Step::Fallback { .. }
        ) && self.inner.call.borrow().is_some();
        if active {
            let on_page = self
                .inner
                .window
                .upgrade()
                .is_some_and(|w| w.global::<Nav>().get_page() == Page::VideoCall);
            if !on_page {
                // Back or another page: the call does not go on behind the citizen's back.
                self.leave();
                return;
            }
        }
        let updates: Vec<CallUpdate> = {
            let mut call = self.inner.call.borrow_mut();
            let mut updates = Vec::new();
            if let Some(handle) = call.as_mut() {
                while let Some(update) = handle.try_next() {
                    updates.push(update);
                }
                *self.inner.figures.borrow_mut() = handle.figures();
            }
            updates
        };
        let changed = !updates.is_empty();
        for update in updates {
            self.on_update(update);
        }
        let mut heard = false;
        while let Ok(policy) = self.inner.policies.1.try_recv() {
            *self.inner.policy.borrow_mut() = Some(policy);
            heard = true;
        }
        if heard {
            self.render();
        }
        while let Ok(printed) = self.inner.printed.1.try_recv() {
            self.window(|w| {
                w.global::<VideoCallAdapter>()
                    .set_print_status(SharedString::from(if printed {
                        "已打印，请取走建议单。"
                    } else {
                        "打印机暂时不能打印，请用手机扫码保存建议。"
                    }));
            });
        }
        let remote = self.inner.remote.take();
        let local = self.inner.local.take();
        self.window(|w| {
            let adapter = w.global::<VideoCallAdapter>();
            if let Some((pixels, _)) = remote {
                adapter.set_remote(Image::from_rgba8(pixels));
                adapter.set_has_remote(true);
            }
            if let Some((pixels, _)) = local {
                adapter.set_local(Image::from_rgba8(pixels));
                adapter.set_has_local(true);
            }
            if active {
                // A call in progress counts as a touch: the session does not time out under it.
                w.global::<Nav>().invoke_activity();
            }
        });
        if changed || active {
            self.render();
        }
    }

    /// Waits (pumping) until `done` holds or `timeout` passes; for tests and screenshots, where no
    /// event loop runs.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&Step) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            self.pump();
            if done(&self.step()) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn on_update(&self, update: CallUpdate) {
        match &update {
            CallUpdate::Answered { recorded, .. } => {
                // The centre's word at the answer wins over what the consent screen was told.
                if let Some(policy) = self.inner.policy.borrow_mut().as_mut() {
                    policy.recorded = *recorded;
                }
                *self.inner.answered_at.borrow_mut() = Some(Instant::now());
                *self.inner.lawyer_hung_up.borrow_mut() = false;
            }
            CallUpdate::Ended { by, .. } => {
                *self.inner.lawyer_hung_up.borrow_mut() = *by == EndedBy::Lawyer;
                self.clear_pictures();
            }
            CallUpdate::Failed { reason } | CallUpdate::Unreachable { reason } => {
                tracing::warn!("video call: {reason}");
                self.clear_pictures();
            }
            CallUpdate::Closed => {
                self.inner.call.borrow_mut().take();
                self.clear_pictures();
            }
            _ => {}
        }
        let effects = self.inner.flow.borrow_mut().update(update);
        self.run(effects);
    }

    fn clear_pictures(&self) {
        self.inner.remote.clear();
        self.inner.local.clear();
        self.window(|w| {
            let adapter = w.global::<VideoCallAdapter>();
            adapter.set_has_remote(false);
            adapter.set_has_local(false);
        });
    }

    fn act(&self, f: impl FnOnce(&mut Flow) -> Vec<Effect>) {
        let effects = f(&mut self.inner.flow.borrow_mut());
        self.run(effects);
        self.render();
    }

    fn run(&self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Dial(topic) => self.dial(topic),
                Effect::HangUp => {
                    if let Some(call) = self.inner.call.borrow().as_ref() {
                        call.hang_up();
                    }
                }
                Effect::Leave => {
                    if let Some(call) = self.inner.call.borrow_mut().take() {
                        *self.inner.figures.borrow_mut() = call.figures();
                        call.leave();
                    }
                    self.clear_pictures();
                }
                Effect::RequestCallback(phone) => self.request_callback(phone),
                Effect::Record(draft) => self.record(&draft),
                Effect::PrintAdvice => self.print_advice(),
            }
        }
    }

    /// Asks the centre what the consent screen must say; the answer comes back to the pump.
    fn fetch_policy(&self) {
        let Some(url) = self.inner.setup.policy_url.clone() else {
            return;
        };
        let (token, ca_pem) = (
            self.inner.setup.token.clone(),
            self.inner.setup.ca_pem.clone(),
        );
        let tx = self.inner.policies.0.clone();
        self.inner.services.runtime.spawn(async move {
            let mut builder = reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(3))
                .timeout(Duration::from_secs(5));
            if let Some(pem) = ca_pem {
                match reqwest::Certificate::from_pem_bundle(&pem) {
                    Ok(certs) => builder = builder.tls_certs_only(certs),
                    Err(err) => {
                        tracing::warn!("video call: the centre's certificate: {err}");
                        return;
                    }
                }
            }
            let Ok(client) = builder.build() else {
                return;
            };
            let mut request = client.get(&url);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            match request.send().await {
                Ok(answer) if answer.status().is_success() => {
                    match answer.json::<CallPolicy>().await {
                        Ok(policy) => {
                            let _ = tx.send(policy);
                        }
                        Err(err) => tracing::warn!("video call: the centre's policy: {err}"),
                    }
                }
                Ok(answer) => {
                    tracing::warn!("video call: the centre's policy: {}", answer.status())
                }
                Err(err) => tracing::info!("video call: the centre's policy: {err}"),
            }
        });
    }

    /// Prints the advice on the ticket printer; the outcome comes back to the pump.
    fn print_advice(&self) {
        let Some(printer) = self.inner.services.printer.clone() else {
            return;
        };
        let (text, url, lawyer) = match self.inner.flow.borrow().step() {
            Step::Ended {
                advice: Some((text, url)),
                ..
            } => (
                text.clone(),
                url.clone(),
                self.inner
                    .flow
                    .borrow()
                    .lawyer()
                    .unwrap_or("律师")
                    .to_owned(),
            ),
            _ => return,
        };
        let centre = self
            .inner
            .window
            .upgrade()
            .map(|w| w.global::<Session>().get_centre_name().to_string())
            .unwrap_or_default();
        let note = ticket_printer::Note {
            centre,
            title: "律师建议摘要 Lawyer's advice".into(),
            meta: vec![format!(
                "律师 Lawyer：{lawyer} · 事项 About：{}",
                self.inner.flow.borrow().topic()
            )],
            text,
            qr: url.map(|u| (u, "扫码在手机上保存 Scan to keep".to_owned())),
            printed_at: chrono::Utc::now()
                .with_timezone(&china_time())
                .naive_local(),
            footer: vec!["公共法律服务热线 12348 / Hotline 12348".into()],
        };
        self.window(|w| {
            w.global::<VideoCallAdapter>()
                .set_print_status(SharedString::from("正在打印… Printing…"));
        });
        let tx = self.inner.printed.0.clone();
        self.inner.services.runtime.spawn(async move {
            let printed = matches!(
                printer.print_note(note).await,
                Ok(ticket_printer::PrintOutcome::Printed(_))
            );
            let _ = tx.send(printed);
        });
    }

    /// Queues the call-back request: kept on this device until the centre takes it.
    fn request_callback(&self, phone: String) {
        let reason = match self.inner.flow.borrow().fallback_reason() {
            Some(FallbackReason::Unreachable) => CallOutcome::Unreachable,
            Some(FallbackReason::Failed) => CallOutcome::Failed,
            _ => CallOutcome::Unanswered,
        };
        let request = CallbackRequest {
            phone,
            topic: self.inner.flow.borrow().topic().to_owned(),
            reason,
        };
        tracing::info!(
            "video call: call-back requested for {}",
            mask_phone(&request.phone)
        );
        match &self.inner.services.outbox {
            Some(outbox) => {
                if let Err(err) = outbox.submit(OutboxPayload::CallbackRequest(request)) {
                    tracing::error!("video call: the call-back request was not queued: {err}");
                }
            }
            None => tracing::warn!("video call: no outbox: the call-back request is only logged"),
        }
    }

    /// Queues the call's record.
    fn record(&self, draft: &CallDraft) {
        let figures = *self.inner.figures.borrow();
        let dialled = self.inner.dialled_at.borrow_mut().take();
        let answered = *self.inner.answered_at.borrow();
        let waited = match (dialled, answered) {
            (Some(d), Some(a)) => a.saturating_duration_since(d),
            (Some(d), None) => d.elapsed(),
            _ => Duration::ZERO,
        };
        let secs = |d: Duration| u32::try_from(d.as_secs()).unwrap_or(u32::MAX);
        let record = VideoCallRecord {
            topic: draft.topic.clone(),
            outcome: draft.outcome.unwrap_or(CallOutcome::Abandoned),
            lawyer: draft.lawyer.clone(),
            waited_secs: secs(waited),
            talk_secs: secs(draft.talk),
            ended_by: draft.ended_by.map(|by| {
                match by {
                    EndedBy::Citizen => "citizen",
                    EndedBy::Lawyer => "lawyer",
                    EndedBy::Centre => "centre",
                }
                .to_owned()
            }),
            audio_only: draft.audio_only,
            advice: draft.advice,
            rating: draft.rating,
            first_picture_ms: figures
                .first_remote_frame_after
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            remote_frames: figures.remote_frames,
        };
        *self.inner.figures.borrow_mut() = CallFigures::default();
        *self.inner.answered_at.borrow_mut() = None;
        tracing::info!(
            "video call about {:?}: {} after {} s waiting, {} s talking",
            record.topic,
            record.outcome.as_str(),
            record.waited_secs,
            record.talk_secs
        );
        if let Some(outbox) = &self.inner.services.outbox
            && let Err(err) = outbox.submit(OutboxPayload::VideoCall(record))
        {
            tracing::error!("video call: the record was not queued: {err}");
        }
    }

    fn dial(&self, topic: String) {
        *self.inner.dialled_at.borrow_mut() = Some(Instant::now());
        *self.inner.answered_at.borrow_mut() = None;
        let setup = &self.inner.setup;
        let Some(url) = setup.url.clone() else {
            let effects = self
                .inner
                .flow
                .borrow_mut()
                .update(CallUpdate::Unreachable {
                    reason: "no centre is configured ([content] centre_url)".into(),
                });
            self.run(effects);
            return;
        };
        let mut request = CallRequest::new(url, topic);
        request.token = setup.token.clone();
        request.ca_pem = setup.ca_pem.clone();
        request.media = setup.media.clone();
        request.advice_wait = setup.advice_wait;
        request.caller = self.inner.caller.borrow().clone();
        let _guard = self.inner.services.runtime.enter();
        let handle = videocall::start(
            request,
            self.inner.remote.clone(),
            Some(self.inner.local.clone()),
        );
        *self.inner.call.borrow_mut() = Some(handle);
    }

    fn window(&self, f: impl FnOnce(&AppWindow)) {
        if let Some(window) = self.inner.window.upgrade() {
            f(&window);
        }
    }

    /// Shows the flow's state on the page.
    fn render(&self) {
        let flow = self.inner.flow.borrow();
        let phone = self.inner.phone.borrow().clone();
        let talk = self
            .inner
            .answered_at
            .borrow()
            .map_or(Duration::ZERO, |t| t.elapsed());
        let lawyer_hung_up = *self.inner.lawyer_hung_up.borrow();
        let policy = *self.inner.policy.borrow();
        let can_print = self.inner.services.printer.is_some();
        let caller = self.inner.caller.borrow().clone().unwrap_or_default();
        let asks_card = self.inner.services.cards.is_some();
        self.window(|w| {
            let a = w.global::<VideoCallAdapter>();
            a.set_topic(flow.topic().into());
            a.set_recorded(policy.is_some_and(|p| p.recorded));
            a.set_policy_known(policy.is_some());
            if let (Some(p), Step::Consent) = (policy, flow.step()) {
                a.set_lawyers_online(i32::try_from(p.lawyers_online).unwrap_or(i32::MAX));
            }
            a.set_can_print(can_print);
            a.set_caller(caller.as_str().into());
            a.set_asks_card(asks_card);
            a.set_phone(phone.as_str().into());
            a.set_phone_valid(valid_phone(&phone));
            a.set_talk_time(
                format!("{:02}:{:02}", talk.as_secs() / 60, talk.as_secs() % 60).into(),
            );
            a.set_lawyer_hung_up(lawyer_hung_up);
            a.set_rating(i32::from(flow.rating().unwrap_or(0)));
            match flow.step() {
                Step::Consent => a.set_step(CallStep::Consent),
                Step::Connecting => a.set_step(CallStep::Connecting),
                Step::Waiting {
                    ahead,
                    lawyers_online,
                    estimate_secs,
                } => {
                    a.set_step(CallStep::Waiting);
                    a.set_ahead(i32::try_from(*ahead).unwrap_or(i32::MAX));
                    a.set_lawyers_online(i32::try_from(*lawyers_online).unwrap_or(i32::MAX));
                    a.set_wait_minutes(
                        estimate_secs.map_or(-1, |s| i32::try_from(s / 60).unwrap_or(i32::MAX)),
                    );
                }
                Step::InCall {
                    lawyer,
                    connected,
                    audio_only,
                    ..
                } => {
                    a.set_step(CallStep::InCall);
                    a.set_lawyer(lawyer.as_str().into());
                    a.set_connected(*connected);
                    a.set_audio_only(*audio_only);
                }
                Step::Fallback {
                    reason,
                    callback_sent,
                } => {
                    a.set_step(CallStep::Fallback);
                    a.set_fallback(match reason {
                        FallbackReason::Unanswered => CallFallback::Unanswered,
                        FallbackReason::Unreachable => CallFallback::Unreachable,
                        FallbackReason::Failed => CallFallback::Failed,
                    });
                    a.set_callback_sent(*callback_sent);
                }
                Step::Ended {
                    advice,
                    waiting_for_advice,
                    ..
                } => {
                    a.set_step(CallStep::Ended);
                    a.set_advice_waiting(*waiting_for_advice);
                    let (text, url) = advice.clone().unwrap_or_default();
                    a.set_advice(text.into());
                    match url.as_deref().and_then(qr_image) {
                        Some(qr) => {
                            a.set_advice_qr(qr);
                            a.set_has_qr(true);
                        }
                        None => a.set_has_qr(false),
                    }
                }
            }
            if matches!(flow.step(), Step::Consent) {
                a.set_print_status(SharedString::new());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_centre_url_becomes_its_call_socket() {
        let config = CallsConfig::default();
        let setup = CallSetup::new(&config, Some("https://centre.example/"), None);
        assert_eq!(
            setup.url.as_deref(),
            Some("wss://centre.example/api/v1/calls/ws")
        );
        let setup = CallSetup::new(&config, Some("http://10.0.0.5:8480"), None);
        assert_eq!(
            setup.url.as_deref(),
            Some("ws://10.0.0.5:8480/api/v1/calls/ws")
        );
        assert_eq!(CallSetup::new(&config, None, None).url, None);
        assert_eq!(setup.media.source, CallSource::Test);
    }
}
