//! The document camera (高拍仪): a UVC camera looking down at the desk. The citizen places a paper
//! under it and sees a live preview on the touch screen; on 拍照 the kiosk takes a full-size still
//! (cropped and deskewed elsewhere, by `docscan`).
//!
//! One pipeline does both: the camera's pictures go through `videobalance` (the brightness, so the
//! preview and the stills show the same) to a `tee`; one branch scales them to the preview's size in
//! RGBA for a [`FrameSink`], the other keeps the latest full-size RGBA picture, from which
//! [`DocCamera::capture`] copies a [`Still`]. See `pipeline.rs` for the elements.
//!
//! ```text
//!  settings   DocCameraSettings, DocCameraSource::{Device (v4l2src, MJPEG or raw), Simulated}
//!  source     StillSource (the simulated camera's pictures) and the thread that pushes them
//!  pipeline   the elements: source ─ videobalance ─ tee ─ preview appsink / still appsink
//!  state      the latest full-size picture, the loss of the camera, the counters
//!  watch      the bus and the pictures' timing → DocCameraEvent::Lost
//!  still      Still: an owned, tightly packed RGBA picture
//!  devices    list_devices(): the video sources GStreamer's device monitor sees
//! ```
//!
//! - **A capture is never stale.** [`DocCamera::capture`] returns a picture taken after it was
//!   called (by the pictures' running time: a camera stamps the start of the exposure, the simulated
//!   source the moment it is asked), so a retake after the paper moved shows the paper where it is
//!   now. It waits at most its timeout ([`MediaError::CaptureTimeout`]).
//! - **A lost camera is said once, and captures then fail at once.** An element's error (camera
//!   unplugged, busy, format refused), the end of the stream, or no picture for
//!   [`DocCameraSettings::stall_after`] give one [`DocCameraEvent::Lost`]; every capture after it is
//!   [`MediaError::CameraLost`] with the same reason. A missing device is
//!   [`MediaError::CameraUnavailable`] from [`DocCamera::open`], naming the device.
//! - **A change of picture size is followed.** The simulated source sends new caps and the pipeline
//!   renegotiates: the preview keeps its size, the stills take the new one. (A V4L2 camera is held to
//!   the size asked for by its caps filter.)
//! - **Dropping the camera releases it.** The source thread is stopped and joined (the
//!   [`StillSource`] is not asked again once the drop returns), the pipeline goes to `Null` (the device
//!   is closed) and the watch thread is joined.

mod devices;
mod pipeline;
mod settings;
mod source;
mod state;
mod still;
mod watch;

use std::{
    sync::{
        Arc, Mutex, PoisonError,
        atomic::Ordering,
        mpsc::{self, Receiver, Sender},
    },
    thread::{self, JoinHandle},
    time::{Duration, Instant},
};

use gst::prelude::*;

pub use devices::CameraDevice;
pub use settings::{DocCameraSettings, DocCameraSource};
pub use source::StillSource;
pub use still::Still;

use crate::{FrameSink, MediaError, frame::with_frame};
use state::{Asked, Shared};

/// What happened to the document camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocCameraEvent {
    /// The first picture reached the preview.
    Started {
        /// Time from [`DocCamera::open`] to that picture.
        first_frame_after: Duration,
    },
    /// The camera is gone (unplugged, failed, silent): no more pictures will come, captures fail.
    Lost {
        /// What happened, e.g. `camera: Could not read from resource. (No such device)`.
        reason: String,
    },
}

/// The document camera's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocCameraFigures {
    /// Pictures the camera gave.
    pub frames_from_camera: u64,
    /// Pictures handed to the preview sink (counted as they are handed over).
    pub frames_previewed: u64,
    /// Pictures dropped on their way to the preview because it was still busy with the one before
    /// (and, for the simulated source, ticks skipped because the pipeline was behind).
    pub frames_dropped: u64,
    /// How long the latest successful [`DocCamera::capture`] took, in milliseconds.
    pub last_capture_ms: Option<u64>,
}

/// The simulated source's thread.
struct FeederThread {
    /// Dropped to stop the thread.
    stop: Sender<()>,
    thread: JoinHandle<()>,
}

/// The document camera, open and previewing. Dropping it stops the pipeline and releases the
/// device (not from inside the preview sink: that runs on the pipeline's own thread). It is `Send` and
/// `Sync`: [`DocCamera::capture`] blocks, so call it off the UI thread. See the module's
/// documentation.
pub struct DocCamera {
    pipeline: gst::Pipeline,
    balance: gst::Element,
    appsrc: Option<gst_app::AppSrc>,
    shared: Arc<Shared>,
    /// In a mutex so that the camera is `Sync`: one thread may wait in `capture` while another sets
    /// the brightness.
    events: Mutex<Receiver<DocCameraEvent>>,
    feeder: Option<FeederThread>,
    watch: Option<JoinHandle<()>>,
    label: String,
}

impl std::fmt::Debug for DocCamera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocCamera")
            .field("source", &self.label)
            .field("figures", &self.figures())
            .finish_non_exhaustive()
    }
}

fn spawn_failed(e: &std::io::Error) -> MediaError {
    MediaError::Init(format!("the document camera's thread: {e}"))
}

impl DocCamera {
    /// Opens the camera and starts the preview into `preview`. Errors here are the ones known at
    /// once: a missing element, a device that cannot be opened (not there, not a camera). Everything
    /// later (the camera unplugged, busy, silent) arrives as [`DocCameraEvent::Lost`].
    pub fn open(
        settings: &DocCameraSettings,
        preview: Arc<dyn FrameSink>,
    ) -> Result<Self, MediaError> {
        crate::init()?;
        let parts = pipeline::build(settings)?;
        let label = settings.source.label();
        let shared = Arc::new(Shared::new());
        let (tx, events) = mpsc::channel();
        connect(&parts, &shared, preview, tx.clone())?;
        let bus = parts
            .pipeline
            .bus()
            .ok_or_else(|| MediaError::Init("the document camera's pipeline has no bus".into()))?;
        if let Err(e) = parts.pipeline.set_state(gst::State::Playing) {
            // The element that refused posted why (`timed_pop_filtered` with a zero timeout
            // returns nothing in gstreamer-rs 0.25: the queued messages are read one by one).
            let reason = std::iter::from_fn(|| bus.pop())
                .find_map(|message| match message.view() {
                    gst::MessageView::Error(err) => Some(watch::describe(err)),
                    _ => None,
                })
                .unwrap_or_else(|| format!("the pipeline would not start ({e})"));
            let _ = parts.pipeline.set_state(gst::State::Null);
            return Err(MediaError::CameraUnavailable {
                device: label,
                reason,
            });
        }
        let mut camera = Self {
            pipeline: parts.pipeline,
            balance: parts.balance,
            appsrc: parts.appsrc,
            shared: Arc::clone(&shared),
            events: Mutex::new(events),
            feeder: None,
            watch: None,
            label,
        };
        // From here on, an error drops `camera`, which stops whatever was started.
        let watch = watch::Watch {
            bus,
            shared,
            events: tx,
            stall_after: settings.stall_after,
        };
        camera.watch = Some(
            thread::Builder::new()
                .name("doc-camera-watch".into())
                .spawn(move || watch.run())
                .map_err(|e| spawn_failed(&e))?,
        );
        if let (DocCameraSource::Simulated { frames, fps }, Some(appsrc)) =
            (&settings.source, &camera.appsrc)
        {
            let (stop, stopped) = mpsc::channel();
            let feeder = source::Feeder {
                appsrc: appsrc.clone(),
                frames: Arc::clone(frames),
                fps: settings::fps(*fps),
                shared: Arc::clone(&camera.shared),
                stop: stopped,
            };
            let thread = thread::Builder::new()
                .name("doc-camera-source".into())
                .spawn(move || feeder.run())
                .map_err(|e| spawn_failed(&e))?;
            camera.feeder = Some(FeederThread { stop, thread });
        }
        Ok(camera)
    }

    /// The cameras the system offers now (GStreamer's device monitor, `Video/Source`). None is an
    /// empty list.
    pub fn list_devices() -> Result<Vec<CameraDevice>, MediaError> {
        devices::list()
    }

    /// The next event, if one has happened.
    pub fn try_event(&self) -> Option<DocCameraEvent> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .try_recv()
            .ok()
    }

    /// Waits up to `timeout` for the next event.
    pub fn wait_event(&self, timeout: Duration) -> Option<DocCameraEvent> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv_timeout(timeout)
            .ok()
    }

    /// Takes a full-size still: the first picture taken after this call, copied out, within
    /// `timeout`. Fails with [`MediaError::CameraLost`] once the camera is lost (at once, or while
    /// waiting) and [`MediaError::CaptureTimeout`] when no new picture came in time.
    pub fn capture(&self, timeout: Duration) -> Result<Still, MediaError> {
        let asked = Asked {
            running_time: self.pipeline.current_running_time(),
            at: Instant::now(),
        };
        let sample = self.shared.wait_newer(asked, timeout)?;
        let mut still = None;
        with_frame(&sample, |frame| still = Some(Still::from_frame(frame))).map_err(|e| {
            MediaError::CameraLost {
                reason: format!("a full-size picture could not be read as RGBA ({e:?})"),
            }
        })?;
        let still = still.ok_or_else(|| MediaError::CameraLost {
            reason: "a full-size picture could not be read as RGBA".into(),
        })?;
        self.shared.captured(asked.at.elapsed());
        Ok(still)
    }

    /// Sets the brightness, -0.5 (darker) to 0.5 (lighter), 0 unchanged; the preview and the stills
    /// show it from the next picture on. Out-of-range values are clamped, a NaN is ignored. Returns
    /// the brightness now applied.
    pub fn set_brightness(&self, brightness: f64) -> f64 {
        if brightness.is_nan() {
            return self.brightness();
        }
        let brightness = brightness.clamp(-0.5, 0.5);
        self.balance.set_property("brightness", brightness);
        brightness
    }

    /// The brightness applied, -0.5 to 0.5.
    pub fn brightness(&self) -> f64 {
        self.balance.property::<f64>("brightness")
    }

    /// Why the camera was lost, if it was.
    pub fn lost(&self) -> Option<String> {
        self.shared.lost()
    }

    /// The counters now.
    pub fn figures(&self) -> DocCameraFigures {
        let shared = &self.shared;
        DocCameraFigures {
            frames_from_camera: self.shared.camera_frames.load(Ordering::Relaxed),
            frames_previewed: self.shared.previewed.load(Ordering::Relaxed),
            frames_dropped: shared.preview_dropped.load(Ordering::Relaxed)
                + shared.source_skipped.load(Ordering::Relaxed),
            last_capture_ms: self.shared.last_capture_ms(),
        }
    }
}

impl Drop for DocCamera {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(bus) = self.pipeline.bus() {
            let wake = gst::message::Application::new(gst::Structure::new_empty(watch::WAKE));
            let _ = bus.post(wake);
        }
        if let Some(feeder) = self.feeder.take() {
            drop(feeder.stop);
            let _ = feeder.thread.join();
        }
        let _ = self.pipeline.set_state(gst::State::Null);
        if let Some(watch) = self.watch.take() {
            let _ = watch.join();
        }
    }
}

/// Connects the pipeline's counters and sinks to `shared` and `preview`.
fn connect(
    parts: &pipeline::Parts,
    shared: &Arc<Shared>,
    preview: Arc<dyn FrameSink>,
    events: Sender<DocCameraEvent>,
) -> Result<(), MediaError> {
    let balance_in = parts
        .balance
        .static_pad("sink")
        .ok_or_else(|| MediaError::Init("videobalance has no sink pad".into()))?;
    {
        let shared = Arc::clone(shared);
        balance_in.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            shared.camera_frame();
            gst::PadProbeReturn::Ok
        });
    }
    {
        let shared = Arc::clone(shared);
        // A leaky queue emits `overrun` once for each picture it is about to drop.
        parts.preview_queue.connect("overrun", false, move |_| {
            shared.preview_dropped.fetch_add(1, Ordering::Relaxed);
            None
        });
    }
    {
        let shared = Arc::clone(shared);
        parts.preview.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    let mut first = false;
                    with_frame(&sample, |frame| {
                        first = shared.previewed.fetch_add(1, Ordering::Relaxed) == 0;
                        preview.frame(frame);
                    })?;
                    if first {
                        let _ = events.send(DocCameraEvent::Started {
                            first_frame_after: shared.since_open(),
                        });
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
    }
    {
        let shared = Arc::clone(shared);
        parts.still.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    shared.store(sample);
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
    }
    Ok(())
}
