//! The kiosk's side of a call: one task that dials the centre over a WebSocket, waits in the queue,
//! runs the media ([`media::call::CallMedia`]) once a lawyer answers, relays SDP and ICE, judges the
//! link, and stays for the lawyer's advice after the call. The UI talks to it through a
//! [`CallHandle`]: commands in, [`CallUpdate`]s out.
//!
//! Nothing is left hanging: every way out of the task (hang-up, the lawyer's hang-up, the centre
//! gone, the media failed, the handle dropped) drops the media, which releases camera and microphone.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use futures_util::{SinkExt as _, StreamExt as _};
use media::{
    FrameSink,
    call::{CallEvent, CallMedia, CallRole, CallSettings, CallSignal, IceState, SdpKind},
};
use tokio::{
    sync::mpsc::{self, UnboundedReceiver, UnboundedSender},
    time::Instant,
};
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest as _};

use crate::{
    quality::{LinkJudge, LinkSample, WeakLink},
    wire::{Candidate, CentreToKiosk, EndedBy, KioskMessage, to_text},
};

/// How a call is made.
#[derive(Debug, Clone)]
pub struct CallRequest {
    /// The centre's call socket: `ws(s)://centre/api/v1/calls/ws`.
    pub url: String,
    /// The device's token for the centre (`Authorization: Bearer …`).
    pub token: Option<String>,
    /// PEM certificates trusted for a `wss://` centre (pinned); none: the system's roots.
    pub ca_pem: Option<Vec<u8>>,
    /// What the call is about.
    pub topic: String,
    /// The citizen's masked name, when the ID card was placed.
    pub caller: Option<String>,
    /// The media: sources, sizes, sound. Its ICE servers are replaced by the centre's.
    pub media: CallSettings,
    /// Giving up on reaching the centre after this long.
    pub connect_timeout: Duration,
    /// Giving up on the centre, while waiting, this long after the time it said it gives up.
    pub answer_grace: Duration,
    /// How long to stay for the advice after the call.
    pub advice_wait: Duration,
    /// The centre is taken for gone when it says nothing (not even a pong) for this long.
    pub silence_limit: Duration,
    /// When the call drops to audio only.
    pub weak_link: WeakLink,
    /// How often the link is sampled.
    pub stats_every: Duration,
}

impl CallRequest {
    /// A request to `url` about `topic` with the defaults: a 5 s connection timeout, 10 s of grace,
    /// 10 minutes for the advice, 20 s of silence, samples every 2 s.
    pub fn new(url: impl Into<String>, topic: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            token: None,
            ca_pem: None,
            topic: topic.into(),
            caller: None,
            media: CallSettings::default(),
            connect_timeout: Duration::from_secs(5),
            answer_grace: Duration::from_secs(10),
            advice_wait: Duration::from_secs(600),
            silence_limit: Duration::from_secs(20),
            weak_link: WeakLink::default(),
            stats_every: Duration::from_secs(2),
        }
    }
}

/// What the call is doing, for the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallUpdate {
    /// Reaching the centre.
    Connecting,
    /// In the queue.
    Waiting {
        /// Calls ahead.
        ahead: u32,
        /// Lawyers online.
        lawyers_online: u32,
        /// The expected wait; none: nobody can say.
        estimate_secs: Option<u32>,
        /// The centre gives up after this long.
        give_up_after_secs: u32,
    },
    /// A lawyer answered; the media is starting.
    Answered {
        /// The lawyer's name for citizens.
        lawyer: String,
        /// Whether the centre records the call.
        recorded: bool,
    },
    /// The media connected.
    Connected,
    /// The lawyer's first picture.
    RemoteVideo {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// The link is weak: the kiosk's picture stopped (`ours`), or the lawyer's did.
    AudioOnly {
        /// The kiosk stopped sending its picture.
        ours: bool,
    },
    /// The call ended.
    Ended {
        /// Who ended it.
        by: EndedBy,
        /// Time talked.
        talk: Duration,
    },
    /// Nobody answered in time.
    Unanswered,
    /// The centre could not be reached, or was lost before a lawyer answered.
    Unreachable {
        /// Why.
        reason: String,
    },
    /// The media failed (camera, network): the call could not go on.
    Failed {
        /// Why.
        reason: String,
    },
    /// The lawyer's advice.
    Advice {
        /// The summary.
        text: String,
        /// A page with it, for a QR code.
        url: Option<String>,
    },
    /// The call's task ended: nothing more comes.
    Closed,
}

/// Figures of the call so far (for health, the log and the benchmark).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallFigures {
    /// Pictures of the lawyer decoded.
    pub remote_frames: u64,
    /// Buffers of the lawyer's sound decoded.
    pub remote_audio_buffers: u64,
    /// Own pictures captured.
    pub local_frames: u64,
    /// From the dial to the lawyer's first picture.
    pub first_remote_frame_after: Option<Duration>,
    /// The last statistics sampled.
    pub stats: Option<media::call::CallStats>,
}

enum Command {
    HangUp,
    Leave,
}

/// The UI's end of a call.
#[derive(Debug)]
pub struct CallHandle {
    commands: UnboundedSender<Command>,
    updates: UnboundedReceiver<CallUpdate>,
    figures: Arc<Mutex<CallFigures>>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::HangUp => "HangUp",
            Self::Leave => "Leave",
        })
    }
}

impl CallHandle {
    /// Hangs up (or stops waiting); the task stays for the lawyer's advice.
    pub fn hang_up(&self) {
        let _ = self.commands.send(Command::HangUp);
    }

    /// Hangs up if needed and ends the task at once (the citizen left).
    pub fn leave(&self) {
        let _ = self.commands.send(Command::Leave);
    }

    /// The next update; none once the task has ended and every update was taken.
    pub async fn next(&mut self) -> Option<CallUpdate> {
        self.updates.recv().await
    }

    /// The next update if one is ready.
    pub fn try_next(&mut self) -> Option<CallUpdate> {
        self.updates.try_recv().ok()
    }

    /// The figures so far.
    pub fn figures(&self) -> CallFigures {
        self.figures.lock().map(|f| *f).unwrap_or_default()
    }
}

impl Drop for CallHandle {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Leave);
    }
}

/// Starts a call on the current tokio runtime. The lawyer's picture goes to `remote`, the own
/// picture to `local`.
pub fn start(
    request: CallRequest,
    remote: Arc<dyn FrameSink>,
    local: Option<Arc<dyn FrameSink>>,
) -> CallHandle {
    let (commands, commands_rx) = mpsc::unbounded_channel();
    let (updates_tx, updates) = mpsc::unbounded_channel();
    let figures = Arc::new(Mutex::new(CallFigures::default()));
    let task = Task {
        request,
        remote: CountingSink::new(remote),
        local,
        updates: updates_tx,
        figures: Arc::clone(&figures),
        dialled: Instant::now(),
    };
    tokio::spawn(task.run(commands_rx));
    CallHandle {
        commands,
        updates,
        figures,
    }
}

/// Wraps the remote sink to time the first picture.
struct CountingSink {
    inner: Arc<dyn FrameSink>,
    frames: AtomicU64,
}

impl CountingSink {
    fn new(inner: Arc<dyn FrameSink>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            frames: AtomicU64::new(0),
        })
    }
}

impl FrameSink for CountingSink {
    fn frame(&self, frame: &media::Frame<'_>) {
        self.frames.fetch_add(1, Ordering::Relaxed);
        self.inner.frame(frame);
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Why the connection to the centre could not be made.
fn connect_error(err: &tungstenite::Error) -> String {
    match err {
        tungstenite::Error::Http(response) => {
            format!("the centre refused the call socket ({})", response.status())
        }
        other => other.to_string(),
    }
}

async fn connect(request: &CallRequest) -> Result<Socket, String> {
    let mut http = request
        .url
        .as_str()
        .into_client_request()
        .map_err(|e| format!("{}: {e}", request.url))?;
    if let Some(token) = &request.token {
        let value = format!("Bearer {token}")
            .parse()
            .map_err(|_| "the device token is not a valid header value".to_owned())?;
        http.headers_mut().insert("authorization", value);
    }
    let connector = match &request.ca_pem {
        Some(pem) => Some(tokio_tungstenite::Connector::Rustls(Arc::new(pinned_tls(
            pem,
        )?))),
        None => None,
    };
    let (socket, _) = tokio_tungstenite::connect_async_tls_with_config(http, None, true, connector)
        .await
        .map_err(|e| connect_error(&e))?;
    Ok(socket)
}

/// A TLS client trusting only the certificates in `pem`.
fn pinned_tls(pem: &[u8]) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::{CertificateDer, pem::PemObject as _};
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("the centre's certificate file: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("the centre's certificate: {e}"))?;
    }
    if roots.is_empty() {
        return Err("the centre's certificate file holds no certificate".into());
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())
    .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

/// Where the call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Queued; the centre's give-up time plus grace.
    Waiting,
    /// A lawyer answered; the media runs.
    InCall,
    /// Ended; waiting for the advice.
    After,
}

struct Task {
    request: CallRequest,
    remote: Arc<CountingSink>,
    local: Option<Arc<dyn FrameSink>>,
    updates: UnboundedSender<CallUpdate>,
    figures: Arc<Mutex<CallFigures>>,
    dialled: Instant,
}

/// What one turn of the loop decided.
enum Step {
    Go,
    Stop,
}

struct Running {
    socket: Socket,
    phase: Phase,
    deadline: Instant,
    media: Option<Arc<CallMedia>>,
    media_events: UnboundedSender<CallEvent>,
    judge: LinkJudge,
    answered_at: Option<Instant>,
    last_heard: Instant,
}

impl Task {
    fn update(&self, update: CallUpdate) {
        let _ = self.updates.send(update);
    }

    async fn run(self, mut commands: UnboundedReceiver<Command>) {
        self.update(CallUpdate::Connecting);
        let socket = match tokio::time::timeout(
            self.request.connect_timeout,
            connect(&self.request),
        )
        .await
        {
            Ok(Ok(socket)) => socket,
            Ok(Err(reason)) => {
                self.update(CallUpdate::Unreachable { reason });
                self.update(CallUpdate::Closed);
                return;
            }
            Err(_) => {
                self.update(CallUpdate::Unreachable {
                    reason: format!(
                        "no answer from the centre within {} s",
                        self.request.connect_timeout.as_secs()
                    ),
                });
                self.update(CallUpdate::Closed);
                return;
            }
        };
        let (media_tx, mut media_rx) = mpsc::unbounded_channel();
        let mut run = Running {
            socket,
            phase: Phase::Waiting,
            deadline: Instant::now() + self.request.connect_timeout + self.request.answer_grace,
            media: None,
            media_events: media_tx,
            judge: LinkJudge::new(self.request.weak_link),
            answered_at: None,
            last_heard: Instant::now(),
        };
        let dial = KioskMessage::Dial {
            topic: self.request.topic.clone(),
            caller: self.request.caller.clone(),
        };
        if self.send(&mut run, &dial).await.is_err() {
            self.lost(&mut run, "the centre closed the call socket".into());
            self.update(CallUpdate::Closed);
            return;
        }
        let mut stats = tokio::time::interval(self.request.stats_every);
        stats.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut keepalive = tokio::time::interval(self.request.silence_limit / 4);
        loop {
            let step = tokio::select! {
                message = run.socket.next() => self.on_socket(&mut run, message).await,
                Some(event) = media_rx.recv() => self.on_media(&mut run, event).await,
                command = commands.recv() => self.on_command(&mut run, command).await,
                () = tokio::time::sleep_until(run.deadline) => self.on_deadline(&mut run).await,
                _ = stats.tick(), if run.media.is_some() => self.on_stats(&mut run).await,
                _ = keepalive.tick() => self.on_keepalive(&mut run).await,
            };
            if matches!(step, Step::Stop) {
                break;
            }
        }
        run.media = None;
        let _ = run.socket.close(None).await;
        self.update(CallUpdate::Closed);
    }

    async fn send(&self, run: &mut Running, message: &KioskMessage) -> Result<(), ()> {
        run.socket
            .send(Message::text(to_text(message)))
            .await
            .map_err(|err| tracing::debug!("call socket: {err}"))
    }

    fn talk(&self, run: &Running) -> Duration {
        run.answered_at.map_or(Duration::ZERO, |t| t.elapsed())
    }

    /// Ends the media and reports the end; the task goes on waiting for the advice.
    fn end(&self, run: &mut Running, by: EndedBy) {
        self.record_media(run);
        run.media = None;
        self.update(CallUpdate::Ended {
            by,
            talk: self.talk(run),
        });
        run.phase = Phase::After;
        run.deadline = Instant::now() + self.request.advice_wait;
    }

    /// The centre is gone.
    fn lost(&self, run: &mut Running, reason: String) {
        match run.phase {
            Phase::Waiting => self.update(CallUpdate::Unreachable { reason }),
            Phase::InCall => {
                self.end(run, EndedBy::Centre);
            }
            Phase::After => {}
        }
    }

    fn record_media(&self, run: &Running) {
        let Some(media) = &run.media else {
            return;
        };
        if let Ok(mut figures) = self.figures.lock() {
            figures.remote_frames = media.remote_frames();
            figures.remote_audio_buffers = media.remote_audio_buffers();
            figures.local_frames = media.local_frames();
        }
    }

    async fn on_socket(
        &self,
        run: &mut Running,
        message: Option<Result<Message, tungstenite::Error>>,
    ) -> Step {
        run.last_heard = Instant::now();
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_)) | Err(_)) | None => {
                self.lost(run, "the connection to the centre was lost".into());
                return Step::Stop;
            }
            Some(Ok(_)) => return Step::Go,
        };
        let message = match CentreToKiosk::parse(&text) {
            Ok(message) => message,
            Err(err) => {
                tracing::warn!("call: a message from the centre was ignored: {err}");
                return Step::Go;
            }
        };
        match message {
            CentreToKiosk::Waiting {
                ahead,
                lawyers_online,
                estimate_secs,
                give_up_after_secs,
                ..
            } if run.phase == Phase::Waiting => {
                run.deadline = self.dialled
                    + Duration::from_secs(u64::from(give_up_after_secs))
                    + self.request.answer_grace;
                self.update(CallUpdate::Waiting {
                    ahead,
                    lawyers_online,
                    estimate_secs,
                    give_up_after_secs,
                });
            }
            CentreToKiosk::Answered {
                lawyer,
                ice_servers,
                recorded,
            } if run.phase == Phase::Waiting => {
                self.update(CallUpdate::Answered { lawyer, recorded });
                let mut settings = self.request.media.clone();
                settings.role = CallRole::Offerer;
                settings.stun_server = ice_servers.gst_stun();
                settings.turn_servers = ice_servers.gst_turn();
                let events = run.media_events.clone();
                let events: media::call::CallEvents = Arc::new(move |event| {
                    let _ = events.send(event);
                });
                let remote: Arc<dyn FrameSink> = self.remote.clone();
                match CallMedia::start(&settings, remote, self.local.clone(), events) {
                    Ok(media) => {
                        run.media = Some(Arc::new(media));
                        run.phase = Phase::InCall;
                        run.answered_at = Some(Instant::now());
                        run.deadline = Instant::now() + Duration::from_secs(24 * 3600);
                    }
                    Err(err) => {
                        let _ = self.send(run, &KioskMessage::Hangup).await;
                        self.update(CallUpdate::Failed {
                            reason: err.to_string(),
                        });
                        run.phase = Phase::After;
                        run.deadline = Instant::now() + self.request.advice_wait;
                    }
                }
            }
            CentreToKiosk::Answer { sdp } if run.phase == Phase::InCall => {
                if let Some(media) = &run.media
                    && let Err(err) = media.apply_description(SdpKind::Answer, &sdp)
                {
                    return self.media_failed(run, err.to_string()).await;
                }
            }
            CentreToKiosk::Ice(Candidate { candidate, mline }) if run.phase == Phase::InCall => {
                if let Some(media) = &run.media {
                    media.add_candidate(mline, &candidate);
                }
            }
            CentreToKiosk::Media { video } if run.phase == Phase::InCall => {
                if !video {
                    self.update(CallUpdate::AudioOnly { ours: false });
                }
            }
            CentreToKiosk::Unanswered if run.phase == Phase::Waiting => {
                self.update(CallUpdate::Unanswered);
                return Step::Stop;
            }
            CentreToKiosk::Ended { by } if run.phase == Phase::InCall => self.end(run, by),
            CentreToKiosk::Ended { .. } if run.phase == Phase::Waiting => {
                self.update(CallUpdate::Unreachable {
                    reason: "the centre ended the call before it was answered".into(),
                });
                return Step::Stop;
            }
            CentreToKiosk::Advice { text, url } => {
                self.update(CallUpdate::Advice { text, url });
                if run.phase == Phase::After {
                    return Step::Stop;
                }
            }
            CentreToKiosk::Refused { reason } => {
                tracing::warn!("call: the centre refused a message: {reason}");
            }
            other => tracing::debug!("call: ignored out of order: {other:?}"),
        }
        Step::Go
    }

    async fn media_failed(&self, run: &mut Running, reason: String) -> Step {
        tracing::warn!("call: media failed: {reason}");
        let _ = self.send(run, &KioskMessage::Hangup).await;
        self.record_media(run);
        run.media = None;
        self.update(CallUpdate::Failed { reason });
        run.phase = Phase::After;
        run.deadline = Instant::now() + self.request.advice_wait;
        Step::Go
    }

    async fn on_media(&self, run: &mut Running, event: CallEvent) -> Step {
        if run.phase != Phase::InCall {
            return Step::Go;
        }
        match event {
            CallEvent::Signal(CallSignal::Description { sdp, .. }) => {
                let _ = self.send(run, &KioskMessage::Offer { sdp }).await;
            }
            CallEvent::Signal(CallSignal::Candidate { mline, candidate }) => {
                let _ = self
                    .send(run, &KioskMessage::Ice(Candidate { candidate, mline }))
                    .await;
            }
            CallEvent::Connection(IceState::Connected) => self.update(CallUpdate::Connected),
            CallEvent::Connection(IceState::Failed) => {
                return self
                    .media_failed(run, "no network path to the lawyer (ICE failed)".into())
                    .await;
            }
            CallEvent::Connection(_) => {}
            CallEvent::RemoteVideo { width, height } => {
                if let Ok(mut figures) = self.figures.lock() {
                    figures.first_remote_frame_after = Some(self.dialled.elapsed());
                }
                self.update(CallUpdate::RemoteVideo { width, height });
            }
            CallEvent::Failed(reason) => return self.media_failed(run, reason).await,
        }
        Step::Go
    }

    async fn on_command(&self, run: &mut Running, command: Option<Command>) -> Step {
        let leave = !matches!(command, Some(Command::HangUp));
        match run.phase {
            Phase::Waiting => {
                let _ = self.send(run, &KioskMessage::Hangup).await;
                self.update(CallUpdate::Ended {
                    by: EndedBy::Citizen,
                    talk: Duration::ZERO,
                });
                return Step::Stop;
            }
            Phase::InCall => {
                let _ = self.send(run, &KioskMessage::Hangup).await;
                self.end(run, EndedBy::Citizen);
            }
            Phase::After => {}
        }
        if leave { Step::Stop } else { Step::Go }
    }

    async fn on_deadline(&self, run: &mut Running) -> Step {
        match run.phase {
            Phase::Waiting => {
                // The centre said nothing in time: give up here.
                let _ = self.send(run, &KioskMessage::Hangup).await;
                self.update(CallUpdate::Unanswered);
                Step::Stop
            }
            Phase::InCall => Step::Go,
            Phase::After => Step::Stop,
        }
    }

    async fn on_stats(&self, run: &mut Running) -> Step {
        let Some(media) = run.media.clone() else {
            return Step::Go;
        };
        let stats = tokio::task::spawn_blocking({
            let media = Arc::clone(&media);
            move || media.stats(Duration::from_secs(1))
        })
        .await
        .ok()
        .flatten();
        self.record_media(run);
        let Some(stats) = stats else {
            return Step::Go;
        };
        if let Ok(mut figures) = self.figures.lock() {
            figures.stats = Some(stats);
        }
        let weak = run.judge.sample(LinkSample {
            fraction_lost: stats.fraction_lost_outbound,
            round_trip_secs: stats.round_trip_secs,
        });
        if weak && run.media.is_some() {
            media.set_sending_video(false);
            let _ = self.send(run, &KioskMessage::Media { video: false }).await;
            self.update(CallUpdate::AudioOnly { ours: true });
        }
        Step::Go
    }

    async fn on_keepalive(&self, run: &mut Running) -> Step {
        if run.last_heard.elapsed() > self.request.silence_limit {
            self.lost(run, "the centre stopped answering".into());
            return Step::Stop;
        }
        if run
            .socket
            .send(Message::Ping(Vec::new().into()))
            .await
            .is_err()
        {
            self.lost(run, "the connection to the centre was lost".into());
            return Step::Stop;
        }
        Step::Go
    }
}
