//! A two-way video call's media on GStreamer's `webrtcbin`: own picture (camera or test source) and
//! sound sent as VP8 and Opus, the other side's picture decoded into a [`FrameSink`] and its sound
//! played (or counted), the own picture into a second sink for the small self view.
//!
//! The signalling is not here: [`CallMedia`] hands its SDP and ICE candidates to a callback as
//! [`CallSignal`]s and takes the other side's through [`CallMedia::apply_description`] and
//! [`CallMedia::add_candidate`]; whoever carries them (a WebSocket through the centre, or a test
//! wiring two calls together) is the caller's business.
//!
//! ```text
//!  camera ─ convert, scale ─ tee ─ valve ─ vp8enc ─ rtpvp8pay ──┐
//!                             └─ RGBA ─ appsink → own picture   ├─ webrtcbin ─ ICE/DTLS/SRTP ─ network
//!  microphone ─ convert ─ opusenc ─ rtpopuspay ─────────────────┘     │
//!            the other side's streams: decodebin ─┬─ RGBA ─ appsink → FrameSink (remote picture)
//!                                                 └─ audio sink (speaker, or counted and dropped)
//! ```
//!
//! Dropping a [`CallMedia`] (or [`CallMedia::stop`]) takes the pipeline to `Null`: the camera and the
//! microphone are released at once.

mod settings;
mod stats;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
        mpsc,
    },
    thread,
    time::Duration,
};

use gst::prelude::*;

pub use settings::{CallAudioOut, CallRole, CallSettings, CallSource};
pub use stats::CallStats;

use crate::{FrameSink, MediaError, error::make, frame::with_frame};

/// The kind of a session description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdpKind {
    /// An offer.
    Offer,
    /// An answer to an offer.
    Answer,
}

/// Something the other side must receive, through the signalling channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallSignal {
    /// Our session description.
    Description {
        /// Offer or answer.
        kind: SdpKind,
        /// The SDP text.
        sdp: String,
    },
    /// One of our ICE candidates.
    Candidate {
        /// The media line it belongs to.
        mline: u32,
        /// The `candidate:…` line.
        candidate: String,
    },
}

/// The state of the connection to the other side (ICE), as the W3C names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceState {
    /// Not started.
    New,
    /// Trying candidate pairs.
    Checking,
    /// A path works.
    Connected,
    /// Checks are finished; a path works.
    Completed,
    /// No path works.
    Failed,
    /// The path was lost (it may come back).
    Disconnected,
    /// Closed.
    Closed,
}

/// What happens in a call's media, reported to the callback given to [`CallMedia::start`]. Called on
/// GStreamer's threads: hand it over, do not block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    /// Send this to the other side.
    Signal(CallSignal),
    /// The connection's state changed.
    Connection(IceState),
    /// The first picture of the other side arrived.
    RemoteVideo {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The media failed (an element's error, a refused description): the call cannot go on.
    Failed(String),
}

/// Where the call's events go.
pub type CallEvents = Arc<dyn Fn(CallEvent) + Send + Sync>;

#[derive(Default)]
struct Counters {
    remote_frames: AtomicU64,
    remote_audio_buffers: AtomicU64,
    local_frames: AtomicU64,
    stop: AtomicBool,
}

/// One call's media. See the module's documentation.
pub struct CallMedia {
    pipeline: gst::Pipeline,
    webrtc: gst::Element,
    valve: gst::Element,
    counters: Arc<Counters>,
    events: CallEvents,
    sending_video: AtomicBool,
}

impl std::fmt::Debug for CallMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallMedia")
            .field("remote_frames", &self.remote_frames())
            .field("local_frames", &self.local_frames())
            .finish_non_exhaustive()
    }
}

fn missing(element: &str) -> MediaError {
    MediaError::MissingElement {
        element: element.to_owned(),
        package: crate::error::package_of(element),
    }
}

impl CallMedia {
    /// Builds and starts the call's pipeline. The other side's picture goes to `remote`, the own
    /// picture to `local`; everything else that happens goes to `events` (an offerer's first
    /// [`CallSignal`] follows at once). Errors here are the ones known at once: a missing element or
    /// device.
    pub fn start(
        settings: &CallSettings,
        remote: Arc<dyn FrameSink>,
        local: Option<Arc<dyn FrameSink>>,
        events: CallEvents,
    ) -> Result<Self, MediaError> {
        for element in [
            "webrtcbin",
            "nicesrc",
            "vp8enc",
            "vp8dec",
            "opusenc",
            "rtpvp8pay",
            "rtpopuspay",
        ] {
            if gst::ElementFactory::find(element).is_none() {
                return Err(missing(element));
            }
        }
        let description = settings.launch_description();
        let pipeline = gst::parse::launch(&description)
            .map_err(|e| MediaError::Call(format!("the call's pipeline: {e}")))?
            .downcast::<gst::Pipeline>()
            .map_err(|_| MediaError::Call("the call's pipeline is not a pipeline".into()))?;
        let by_name = |name: &str| {
            pipeline
                .by_name(name)
                .ok_or_else(|| MediaError::Call(format!("the call's pipeline has no `{name}`")))
        };
        let webrtc = by_name("w")?;
        let valve = by_name("video_valve")?;
        let selfview = by_name("selfview")?
            .downcast::<gst_app::AppSink>()
            .map_err(|_| MediaError::Call("`selfview` is not an appsink".into()))?;
        for turn in &settings.turn_servers {
            let added: bool = webrtc.emit_by_name("add-turn-server", &[turn]);
            if !added {
                return Err(MediaError::Call(format!(
                    "the TURN server `{}` was refused (expected turn(s)://user:password@host:port)",
                    redact_credentials(turn)
                )));
            }
        }
        let counters = Arc::new(Counters::default());
        selfview.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample({
                    let counters = Arc::clone(&counters);
                    move |sink| {
                        let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        if let Some(local) = &local {
                            with_frame(&sample, |frame| local.frame(frame))?;
                        }
                        counters.local_frames.fetch_add(1, Ordering::Relaxed);
                        Ok(gst::FlowSuccess::Ok)
                    }
                })
                .build(),
        );
        let media = Self {
            pipeline,
            webrtc,
            valve,
            counters,
            events,
            sending_video: AtomicBool::new(true),
        };
        media.connect_signals(settings, remote)?;
        media.watch_bus()?;
        media.pipeline.set_state(gst::State::Playing).map_err(|e| {
            MediaError::Call(format!(
                "the call could not start: {e} (camera or microphone busy or missing?)"
            ))
        })?;
        Ok(media)
    }

    fn connect_signals(
        &self,
        settings: &CallSettings,
        remote: Arc<dyn FrameSink>,
    ) -> Result<(), MediaError> {
        let webrtc = &self.webrtc;
        if settings.role == CallRole::Offerer {
            let events = Arc::clone(&self.events);
            let weak = webrtc.downgrade();
            webrtc.connect("on-negotiation-needed", false, move |_| {
                if let Some(webrtc) = weak.upgrade() {
                    create_description(&webrtc, SdpKind::Offer, &events);
                }
                None
            });
        }
        {
            let events = Arc::clone(&self.events);
            webrtc.connect("on-ice-candidate", false, move |values| {
                let mline = values.get(1).and_then(|v| v.get::<u32>().ok());
                let candidate = values.get(2).and_then(|v| v.get::<String>().ok());
                if let (Some(mline), Some(candidate)) = (mline, candidate) {
                    events(CallEvent::Signal(CallSignal::Candidate {
                        mline,
                        candidate,
                    }));
                }
                None
            });
        }
        {
            let events = Arc::clone(&self.events);
            webrtc.connect_notify(Some("ice-connection-state"), move |webrtc, _| {
                let state =
                    webrtc.property::<gst_webrtc::WebRTCICEConnectionState>("ice-connection-state");
                events(CallEvent::Connection(ice_state(state)));
            });
        }
        let pipeline = self.pipeline.downgrade();
        let counters = Arc::clone(&self.counters);
        let events = Arc::clone(&self.events);
        let audio_out = settings.audio_out.clone();
        webrtc.connect_pad_added(move |_, pad| {
            if pad.direction() != gst::PadDirection::Src {
                return;
            }
            let Some(pipeline) = pipeline.upgrade() else {
                return;
            };
            if let Err(err) = receive(&pipeline, pad, &remote, &counters, &events, &audio_out) {
                events(CallEvent::Failed(err.to_string()));
            }
        });
        Ok(())
    }

    /// A thread that reports the pipeline's errors until the call stops.
    fn watch_bus(&self) -> Result<(), MediaError> {
        let bus = self
            .pipeline
            .bus()
            .ok_or_else(|| MediaError::Call("the call's pipeline has no bus".into()))?;
        let counters = Arc::clone(&self.counters);
        let events = Arc::clone(&self.events);
        thread::Builder::new()
            .name("call-bus".into())
            .spawn(move || {
                while !counters.stop.load(Ordering::Relaxed) {
                    let Some(message) = bus.timed_pop_filtered(
                        gst::ClockTime::from_mseconds(200),
                        &[gst::MessageType::Error],
                    ) else {
                        continue;
                    };
                    if let gst::MessageView::Error(err) = message.view() {
                        let source = err
                            .src()
                            .map_or_else(|| "?".to_owned(), |s| s.name().to_string());
                        events(CallEvent::Failed(format!("{source}: {}", err.error())));
                        return;
                    }
                }
            })
            .map_err(|e| MediaError::Call(e.to_string()))?;
        Ok(())
    }

    /// Applies the other side's session description: an answer to our offer, or (an answerer) an
    /// offer, which is answered through the events.
    pub fn apply_description(&self, kind: SdpKind, sdp: &str) -> Result<(), MediaError> {
        let message = gst_sdp::SDPMessage::parse_buffer(sdp.as_bytes())
            .ok()
            .filter(|m| m.version() == Some("0") && m.medias_len() > 0)
            .ok_or_else(|| {
                MediaError::Call("the other side's SDP cannot be parsed or has no media".into())
            })?;
        let description = gst_webrtc::WebRTCSessionDescription::new(
            match kind {
                SdpKind::Offer => gst_webrtc::WebRTCSDPType::Offer,
                SdpKind::Answer => gst_webrtc::WebRTCSDPType::Answer,
            },
            message,
        );
        let weak = self.webrtc.downgrade();
        let events = Arc::clone(&self.events);
        let promise = gst::Promise::with_change_func(move |reply| {
            if let Ok(Some(reply)) = reply
                && let Ok(error) = reply.get::<gst::glib::Error>("error")
            {
                events(CallEvent::Failed(format!(
                    "the other side's description was refused: {error}"
                )));
                return;
            }
            if kind == SdpKind::Offer
                && let Some(webrtc) = weak.upgrade()
            {
                create_description(&webrtc, SdpKind::Answer, &events);
            }
        });
        self.webrtc
            .emit_by_name::<()>("set-remote-description", &[&description, &promise]);
        Ok(())
    }

    /// Adds one of the other side's ICE candidates.
    pub fn add_candidate(&self, mline: u32, candidate: &str) {
        if candidate.is_empty() {
            return; // end of candidates
        }
        self.webrtc
            .emit_by_name::<()>("add-ice-candidate", &[&mline, &candidate]);
    }

    /// Stops (`false`) or resumes sending the own picture: audio only on a weak link.
    pub fn set_sending_video(&self, on: bool) {
        self.sending_video.store(on, Ordering::Relaxed);
        self.valve.set_property("drop", !on);
    }

    /// Whether the own picture is being sent.
    pub fn sending_video(&self) -> bool {
        self.sending_video.load(Ordering::Relaxed)
    }

    /// The call's figures now, or none when `webrtcbin` does not answer within `timeout`.
    pub fn stats(&self, timeout: Duration) -> Option<CallStats> {
        let (tx, rx) = mpsc::sync_channel(1);
        let promise = gst::Promise::with_change_func(move |reply| {
            let stats = match reply {
                Ok(Some(reply)) => Some(CallStats::from_reply(reply)),
                _ => None,
            };
            let _ = tx.try_send(stats);
        });
        self.webrtc
            .emit_by_name::<()>("get-stats", &[&None::<gst::Pad>, &promise]);
        rx.recv_timeout(timeout).ok().flatten()
    }

    /// Pictures of the other side decoded so far.
    pub fn remote_frames(&self) -> u64 {
        self.counters.remote_frames.load(Ordering::Relaxed)
    }

    /// Buffers of the other side's sound decoded so far.
    pub fn remote_audio_buffers(&self) -> u64 {
        self.counters.remote_audio_buffers.load(Ordering::Relaxed)
    }

    /// Own pictures captured so far.
    pub fn local_frames(&self) -> u64 {
        self.counters.local_frames.load(Ordering::Relaxed)
    }

    /// Ends the call's media: the pipeline goes to `Null`, the camera and microphone are released.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for CallMedia {
    fn drop(&mut self) {
        self.counters.stop.store(true, Ordering::Relaxed);
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

fn ice_state(state: gst_webrtc::WebRTCICEConnectionState) -> IceState {
    use gst_webrtc::WebRTCICEConnectionState as S;
    match state {
        S::Checking => IceState::Checking,
        S::Connected => IceState::Connected,
        S::Completed => IceState::Completed,
        S::Failed => IceState::Failed,
        S::Disconnected => IceState::Disconnected,
        S::Closed => IceState::Closed,
        _ => IceState::New,
    }
}

/// `turn://user:password@host` without the password, for messages.
fn redact_credentials(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Creates our offer or answer, sets it as the local description and hands it to `events`.
fn create_description(webrtc: &gst::Element, kind: SdpKind, events: &CallEvents) {
    let weak = webrtc.downgrade();
    let events = Arc::clone(events);
    let promise = gst::Promise::with_change_func(move |reply| {
        let Some(webrtc) = weak.upgrade() else {
            return;
        };
        let field = match kind {
            SdpKind::Offer => "offer",
            SdpKind::Answer => "answer",
        };
        let description = match reply {
            Ok(Some(reply)) => reply
                .value(field)
                .ok()
                .and_then(|v| v.get::<gst_webrtc::WebRTCSessionDescription>().ok()),
            _ => None,
        };
        let Some(description) = description else {
            events(CallEvent::Failed(format!("webrtcbin made no {field}")));
            return;
        };
        webrtc.emit_by_name::<()>(
            "set-local-description",
            &[&description, &None::<gst::Promise>],
        );
        match description.sdp().as_text() {
            Ok(sdp) => events(CallEvent::Signal(CallSignal::Description { kind, sdp })),
            Err(err) => events(CallEvent::Failed(format!("our {field} as text: {err}"))),
        }
    });
    let action = match kind {
        SdpKind::Offer => "create-offer",
        SdpKind::Answer => "create-answer",
    };
    webrtc.emit_by_name::<()>(action, &[&None::<gst::Structure>, &promise]);
}

/// One of the other side's streams arrived: decode it into the remote picture sink or the speaker.
fn receive(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    remote: &Arc<dyn FrameSink>,
    counters: &Arc<Counters>,
    events: &CallEvents,
    audio_out: &CallAudioOut,
) -> Result<(), MediaError> {
    let decodebin = make("decodebin")?;
    let pipeline_weak = pipeline.downgrade();
    let remote = Arc::clone(remote);
    let counters = Arc::clone(counters);
    let events = Arc::clone(events);
    let audio_out = audio_out.clone();
    decodebin.connect_pad_added(move |_, pad| {
        let Some(pipeline) = pipeline_weak.upgrade() else {
            return;
        };
        let caps = pad.current_caps().or_else(|| Some(pad.query_caps(None)));
        let name = caps
            .as_ref()
            .and_then(|c| c.structure(0))
            .map(|s| s.name().to_string())
            .unwrap_or_default();
        let linked = if name.starts_with("video/") {
            play_video(&pipeline, pad, &remote, &counters, &events)
        } else if name.starts_with("audio/") {
            play_audio(&pipeline, pad, &counters, &audio_out)
        } else {
            Ok(())
        };
        if let Err(err) = linked {
            events(CallEvent::Failed(err.to_string()));
        }
    });
    pipeline
        .add(&decodebin)
        .map_err(|e| MediaError::Call(e.to_string()))?;
    decodebin
        .sync_state_with_parent()
        .map_err(|e| MediaError::Call(e.to_string()))?;
    let sink = decodebin
        .static_pad("sink")
        .ok_or_else(|| MediaError::Call("decodebin has no sink pad".into()))?;
    pad.link(&sink)
        .map_err(|e| MediaError::Call(format!("the other side's stream: {e:?}")))?;
    Ok(())
}

/// Adds `elements` to `pipeline`, links them in order after `pad` and starts them.
fn add_chain(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    elements: &[gst::Element],
) -> Result<(), MediaError> {
    let failed = |e: &dyn std::fmt::Display| MediaError::Call(e.to_string());
    pipeline.add_many(elements).map_err(|e| failed(&e))?;
    gst::Element::link_many(elements).map_err(|e| failed(&e))?;
    for element in elements {
        element.sync_state_with_parent().map_err(|e| failed(&e))?;
    }
    let first = elements[0]
        .static_pad("sink")
        .ok_or_else(|| MediaError::Call("an element without a sink pad".into()))?;
    pad.link(&first).map_err(|e| failed(&format!("{e:?}")))?;
    Ok(())
}

fn play_video(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    remote: &Arc<dyn FrameSink>,
    counters: &Arc<Counters>,
    events: &CallEvents,
) -> Result<(), MediaError> {
    let queue = make("queue")?;
    let convert = make("videoconvert")?;
    let sink = gst_app::AppSink::builder()
        .caps(
            &gst_video::VideoCapsBuilder::new()
                .format(gst_video::VideoFormat::Rgba)
                .build(),
        )
        .max_buffers(1)
        .drop(true)
        .sync(false)
        .enable_last_sample(false)
        .build();
    let remote = Arc::clone(remote);
    let counters = Arc::clone(counters);
    let events = Arc::clone(events);
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let mut size = (0, 0);
                with_frame(&sample, |frame| {
                    size = (frame.width, frame.height);
                    remote.frame(frame);
                })?;
                if counters.remote_frames.fetch_add(1, Ordering::Relaxed) == 0 {
                    events(CallEvent::RemoteVideo {
                        width: size.0,
                        height: size.1,
                    });
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    add_chain(pipeline, pad, &[queue, convert, sink.upcast()])
}

fn play_audio(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    counters: &Arc<Counters>,
    audio_out: &CallAudioOut,
) -> Result<(), MediaError> {
    let queue = make("queue")?;
    let convert = make("audioconvert")?;
    let resample = make("audioresample")?;
    let sink = match audio_out {
        CallAudioOut::Speaker => make("autoaudiosink")?,
        CallAudioOut::Discard => {
            let sink = make("fakesink")?;
            sink.set_property("sync", false);
            sink
        }
    };
    let counters = Arc::clone(counters);
    if let Some(sink_pad) = resample.static_pad("src") {
        sink_pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            counters
                .remote_audio_buffers
                .fetch_add(1, Ordering::Relaxed);
            gst::PadProbeReturn::Ok
        });
    }
    add_chain(pipeline, pad, &[queue, convert, resample, sink])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_passwords_are_not_repeated_in_messages() {
        assert_eq!(
            redact_credentials("turn://kiosk:s3cret@turn.example:3478"),
            "turn://…@turn.example:3478"
        );
        assert_eq!(redact_credentials("stun://x:3478"), "stun://x:3478");
    }
}
