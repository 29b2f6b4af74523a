//! One clip played into a [`FrameSink`]: `playbin` decodes (the decoder chosen by rank, see
//! [`crate::Decoding`]) and converts to RGBA for an `appsink`, whose callback hands each frame to the
//! sink. A thread of the player's own watches the bus and the pictures, and turns what happens into
//! [`PlayerEvent`]s: the first picture (with the decoder that made it), the end, an error, no first
//! picture in time, a picture that stopped. The bus alone is not trusted: an error can be lost inside
//! playbin, so the watchdog is what guarantees that a bad clip ends.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
        mpsc::{self, Receiver, Sender},
    },
    thread,
    time::{Duration, Instant},
};

use gst::prelude::*;

use crate::{FrameSink, MediaError, decoding::is_hardware_decoder, error::make, frame::with_frame};

/// Where the clip's sound goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audio {
    /// The system's default output (ALSA/PulseAudio, as GStreamer finds it).
    Speakers,
    /// Nowhere: muted clips, tests, machines without a sound card.
    Silent,
}

/// How a clip is played.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayOptions {
    /// Frames at their presentation times (a screen); `false` as fast as decoded (tests, throughput).
    pub realtime: bool,
    /// Where the sound goes.
    pub audio: Audio,
    /// Linear volume, 0.0 to 1.0.
    pub volume: f64,
    /// A clip with no picture by then has failed.
    pub first_frame_within: Duration,
    /// A clip whose picture stops for this long has failed.
    pub stall_after: Duration,
    /// Scale pictures down to fit this size (width, height) before the RGBA conversion, keeping the
    /// aspect ratio: cheaper than converting full size and scaling in the UI.
    pub fit: Option<(u32, u32)>,
}

impl Default for PlayOptions {
    fn default() -> Self {
        Self {
            realtime: true,
            audio: Audio::Speakers,
            volume: 1.0,
            first_frame_within: Duration::from_secs(5),
            stall_after: Duration::from_secs(5),
            fit: None,
        }
    }
}

/// What happened to the clip.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayerEvent {
    /// The first picture reached the sink.
    Started {
        /// The video decoder element that made it (e.g. `avdec_h264`, `v4l2h264dec`).
        decoder: Option<String>,
        /// Whether that decoder is a hardware one.
        hardware: bool,
        /// Time from [`ClipPlayer::start`] to that picture.
        first_frame_after: Duration,
    },
    /// The clip played to its end.
    Ended {
        /// Pictures handed to the sink.
        frames: u64,
    },
    /// The clip failed; no more pictures will come.
    Failed(MediaError),
}

/// Shared between the appsink callback, the watch thread and the player.
#[derive(Debug, Default)]
struct Progress {
    frames: AtomicU64,
    /// Milliseconds since start of the latest frame, plus one (0: none yet).
    last_frame_ms: AtomicU64,
    stop: AtomicBool,
    decoder: Mutex<Option<String>>,
}

/// A clip playing. Dropping it stops the pipeline.
pub struct ClipPlayer {
    pipeline: gst::Pipeline,
    events: Receiver<PlayerEvent>,
    progress: Arc<Progress>,
    path: PathBuf,
}

impl std::fmt::Debug for ClipPlayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClipPlayer")
            .field("path", &self.path)
            .field("frames", &self.frames())
            .finish_non_exhaustive()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl ClipPlayer {
    /// Starts playing `path` into `sink`. Errors here are the ones known at once (missing file,
    /// missing elements); everything later arrives as [`PlayerEvent::Failed`].
    pub fn start(
        path: &Path,
        sink: Arc<dyn FrameSink>,
        options: &PlayOptions,
    ) -> Result<Self, MediaError> {
        let unreadable = |reason: String| MediaError::Unreadable {
            path: path.to_owned(),
            reason,
        };
        std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
        let uri = gst::glib::filename_to_uri(path, None).map_err(|e| unreadable(e.to_string()))?;
        let pipeline = make("playbin")?
            .downcast::<gst::Pipeline>()
            .map_err(|_| MediaError::Init("playbin is not a pipeline".into()))?;
        pipeline.set_property("uri", uri.as_str());
        // Video, sound and software volume; no subtitle streams (the UI draws subtitles itself).
        pipeline.set_property_from_str("flags", "video+audio+soft-volume+deinterlace");
        pipeline.set_property("volume", options.volume.clamp(0.0, 1.0));

        let mut caps = gst_video::VideoCapsBuilder::new().format(gst_video::VideoFormat::Rgba);
        if let Some((w, h)) = options.fit {
            caps = caps
                .width_range(1..=i32::try_from(w).unwrap_or(i32::MAX))
                .height_range(1..=i32::try_from(h).unwrap_or(i32::MAX))
                .pixel_aspect_ratio(gst::Fraction::new(1, 1));
        }
        let appsink = gst_app::AppSink::builder()
            .caps(&caps.build())
            .max_buffers(1)
            .drop(true)
            .sync(options.realtime)
            .enable_last_sample(false)
            .build();
        let progress = Arc::new(Progress::default());
        let (tx, events) = mpsc::channel();
        let started_at = Instant::now();
        appsink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample({
                    let progress = Arc::clone(&progress);
                    let tx = tx.clone();
                    move |appsink| {
                        deliver(appsink, &*sink, &progress, &tx, started_at)?;
                        Ok(gst::FlowSuccess::Ok)
                    }
                })
                .build(),
        );
        pipeline.set_property("video-sink", &appsink);
        if options.audio == Audio::Silent {
            let quiet = make("fakesink")?;
            quiet.set_property("sync", options.realtime);
            pipeline.set_property("audio-sink", &quiet);
        }
        {
            let progress = Arc::clone(&progress);
            pipeline.connect_deep_element_added(move |_, _, element| {
                let Some(factory) = element.factory() else {
                    return;
                };
                let klass = factory.metadata(gst::ELEMENT_METADATA_KLASS).unwrap_or("");
                if klass.contains("Decoder")
                    && klass.contains("Video")
                    && let Ok(mut d) = progress.decoder.lock()
                {
                    *d = Some(factory.name().to_string());
                }
            });
        }
        let bus = pipeline
            .bus()
            .ok_or_else(|| MediaError::Init("playbin has no bus".into()))?;
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| MediaError::NotPlayable {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        let watch = Watch {
            bus,
            progress: Arc::clone(&progress),
            tx,
            path: path.to_owned(),
            started_at,
            first_frame_within: options.first_frame_within,
            stall_after: options.stall_after,
        };
        thread::Builder::new()
            .name("clip-watch".into())
            .spawn(move || watch.run())
            .map_err(|e| MediaError::Init(e.to_string()))?;
        Ok(Self {
            pipeline,
            events,
            progress,
            path: path.to_owned(),
        })
    }

    /// The clip being played.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next event, if one has happened.
    pub fn try_event(&self) -> Option<PlayerEvent> {
        self.events.try_recv().ok()
    }

    /// Waits up to `timeout` for the next event.
    pub fn wait_event(&self, timeout: Duration) -> Option<PlayerEvent> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Pictures handed to the sink so far.
    pub fn frames(&self) -> u64 {
        self.progress.frames.load(Ordering::Relaxed)
    }

    /// The playing position, if the pipeline knows it.
    pub fn position(&self) -> Option<Duration> {
        self.pipeline
            .query_position::<gst::ClockTime>()
            .map(|t| Duration::from_nanos(t.nseconds()))
    }

    /// Sets the linear volume (0.0 to 1.0): the configured level, ducked under a spoken call, or 0 in
    /// quiet hours.
    pub fn set_volume(&self, volume: f64) {
        self.pipeline.set_property("volume", volume.clamp(0.0, 1.0));
    }

    /// The current linear volume.
    pub fn volume(&self) -> f64 {
        self.pipeline.property::<f64>("volume")
    }
}

impl Drop for ClipPlayer {
    fn drop(&mut self) {
        self.progress.stop.store(true, Ordering::Relaxed);
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

/// The appsink callback: one frame to the sink.
fn deliver(
    appsink: &gst_app::AppSink,
    sink: &dyn FrameSink,
    progress: &Progress,
    tx: &Sender<PlayerEvent>,
    started_at: Instant,
) -> Result<(), gst::FlowError> {
    let sample = appsink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
    with_frame(&sample, |frame| sink.frame(frame))?;
    let elapsed = started_at.elapsed();
    progress
        .last_frame_ms
        .store(millis(elapsed) + 1, Ordering::Relaxed);
    if progress.frames.fetch_add(1, Ordering::Relaxed) == 0 {
        let decoder = progress.decoder.lock().ok().and_then(|d| d.clone());
        let hardware = decoder.as_deref().is_some_and(is_hardware_decoder);
        let _ = tx.send(PlayerEvent::Started {
            decoder,
            hardware,
            first_frame_after: elapsed,
        });
    }
    Ok(())
}

/// The player's watch thread: the bus, and the pictures' timing.
struct Watch {
    bus: gst::Bus,
    progress: Arc<Progress>,
    tx: Sender<PlayerEvent>,
    path: PathBuf,
    started_at: Instant,
    first_frame_within: Duration,
    stall_after: Duration,
}

impl Watch {
    fn run(self) {
        let failed = |e: MediaError| PlayerEvent::Failed(e);
        loop {
            if self.progress.stop.load(Ordering::Relaxed) {
                return;
            }
            if let Some(msg) = self.bus.timed_pop(gst::ClockTime::from_mseconds(50)) {
                match msg.view() {
                    gst::MessageView::Eos(_) => {
                        let frames = self.progress.frames.load(Ordering::Relaxed);
                        let event = if frames == 0 {
                            failed(MediaError::NotPlayable {
                                path: self.path.clone(),
                                reason: "it ended before its first picture".into(),
                            })
                        } else {
                            PlayerEvent::Ended { frames }
                        };
                        let _ = self.tx.send(event);
                        return;
                    }
                    gst::MessageView::Error(err) => {
                        let from = err.src().map(|s| s.name().to_string()).unwrap_or_default();
                        let _ = self.tx.send(failed(MediaError::Playback {
                            path: self.path.clone(),
                            reason: format!("{from}: {}", err.error()),
                        }));
                        return;
                    }
                    _ => {}
                }
            }
            let now = millis(self.started_at.elapsed());
            let last = self.progress.last_frame_ms.load(Ordering::Relaxed);
            if last == 0 && now > millis(self.first_frame_within) {
                let _ = self.tx.send(failed(MediaError::NoFirstFrame {
                    path: self.path.clone(),
                    after: self.first_frame_within,
                }));
                return;
            }
            if last > 0 && now.saturating_sub(last - 1) > millis(self.stall_after) {
                let _ = self.tx.send(failed(MediaError::Stalled {
                    path: self.path.clone(),
                    after: self.stall_after,
                }));
                return;
            }
        }
    }
}
