//! The simulated camera: a [`StillSource`] asked for a picture at a steady rate by a thread of the
//! camera's own, each picture pushed into the pipeline's `appsrc` without being copied.
//!
//! Each picture is stamped with the pipeline's running time taken just *before* the source is asked
//! for it, as a real camera stamps the start of its exposure: a capture asked at time T waits for a
//! picture stamped T or later, which the source made after the capture was asked for.
//!
//! A source that returns `None` has been unplugged: an error is posted on the pipeline's bus (the
//! camera is then lost, as a real one pulled out of its USB port) and the thread ends. A picture
//! whose size changes is sent with new caps and the pipeline renegotiates (the preview keeps its
//! size, the stills take the new one); a picture whose bytes do not match its size loses the camera
//! with a message that says so. When the pipeline falls behind (two pictures already wait in
//! `appsrc`), a tick is skipped and counted as dropped: the source is not asked for a picture that
//! would only wait.

use std::{
    sync::{
        Arc,
        atomic::Ordering,
        mpsc::{Receiver, RecvTimeoutError},
    },
    time::{Duration, Instant},
};

use gst::prelude::*;

use super::{Still, state::Shared};

/// Pictures at most waiting in `appsrc`: a pipeline slower than the source makes the feeder skip a
/// tick (counted as dropped) rather than queue more.
pub(super) const QUEUED: u64 = 2;

/// Gives the simulated document camera its pictures: the kiosk's simulated desk, a test, a benchmark.
pub trait StillSource: Send + Sync + 'static {
    /// The picture the camera sees now, tightly packed RGBA ([`Still::is_well_formed`]); `None`: the
    /// camera was unplugged (it is then lost, and not asked again). Called on the camera's own thread
    /// at its frame rate; it should return within a frame's time (a slower source lowers the rate).
    fn frame(&self) -> Option<Still>;
}

/// The thread that asks the source for pictures and pushes them.
pub(super) struct Feeder {
    pub(super) appsrc: gst_app::AppSrc,
    pub(super) frames: Arc<dyn StillSource>,
    pub(super) fps: u32,
    pub(super) shared: Arc<Shared>,
    /// Disconnected (its sender dropped) when the camera is dropped.
    pub(super) stop: Receiver<()>,
}

impl Feeder {
    pub(super) fn run(self) {
        let period = Duration::from_secs(1) / self.fps.max(1);
        let mut next = Instant::now();
        let mut size = None;
        loop {
            let wait = next.saturating_duration_since(Instant::now());
            match self.stop.recv_timeout(wait) {
                Err(RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
            }
            // A late source is not made up for with a burst of pictures.
            next = (next + period).max(Instant::now());
            if self.appsrc.current_level_buffers() >= QUEUED {
                self.shared.source_skipped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            // Stamped before the picture is asked for: see the module's documentation.
            let pts = self.appsrc.current_running_time();
            let Some(still) = self.frames.frame() else {
                self.lose("the simulated camera gave no picture (unplugged)");
                return;
            };
            if !still.is_well_formed() {
                self.lose(&format!(
                    "the simulated camera gave a {}×{} picture of {} bytes (expected {})",
                    still.width,
                    still.height,
                    still.rgba.len(),
                    Still::expected_len(still.width, still.height)
                        .map_or_else(|| "fewer".to_owned(), |n| n.to_string()),
                ));
                return;
            }
            if size != Some((still.width, still.height)) {
                let (Ok(width), Ok(height)) =
                    (i32::try_from(still.width), i32::try_from(still.height))
                else {
                    self.lose("the simulated camera gave a picture too large to describe");
                    return;
                };
                let caps = gst_video::VideoCapsBuilder::new()
                    .format(gst_video::VideoFormat::Rgba)
                    .width(width)
                    .height(height)
                    .framerate(gst::Fraction::new(
                        i32::try_from(self.fps).unwrap_or(i32::MAX),
                        1,
                    ))
                    .pixel_aspect_ratio(gst::Fraction::new(1, 1))
                    .build();
                // appsrc queues the new caps with the buffers: they apply from the next one on.
                self.appsrc.set_caps(Some(&caps));
                size = Some((still.width, still.height));
            }
            let mut buffer = gst::Buffer::from_mut_slice(still.rgba);
            if let Some(buffer) = buffer.get_mut() {
                buffer.set_pts(pts);
                buffer.set_duration(gst::ClockTime::try_from(period).ok());
            }
            if self.appsrc.push_buffer(buffer).is_err() {
                return; // flushing: the pipeline is stopping
            }
        }
    }

    /// Posts the loss of the camera on the bus, as `v4l2src` does for an unplugged camera.
    fn lose(&self, reason: &str) {
        let message = gst::message::Error::builder(gst::ResourceError::NotFound, reason)
            .src(&self.appsrc)
            .build();
        let _ = self.appsrc.post_message(message);
    }
}
