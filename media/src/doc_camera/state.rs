//! What the pipeline's threads, the watch thread and [`super::DocCamera`] share: the latest
//! full-size picture (for captures to wait on), whether the camera is lost, and the counters.

use std::{
    sync::{
        Condvar, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use crate::MediaError;

/// The latest full-size picture.
struct Latest {
    sample: gst::Sample,
    /// Its running time (the start of its exposure, for a camera that says).
    pts: Option<gst::ClockTime>,
    /// When it reached the still branch's sink.
    arrived: Instant,
}

#[derive(Default)]
struct Slot {
    latest: Option<Latest>,
    lost: Option<String>,
}

/// When a capture was asked for: the pipeline's running time and the wall clock.
#[derive(Debug, Clone, Copy)]
pub(super) struct Asked {
    pub(super) running_time: Option<gst::ClockTime>,
    pub(super) at: Instant,
}

impl Latest {
    /// Whether the picture was taken after `asked`: by its timestamp when both are known, else by
    /// when it arrived.
    fn is_after(&self, asked: Asked) -> bool {
        match (self.pts, asked.running_time) {
            (Some(pts), Some(asked)) => pts >= asked,
            _ => self.arrived >= asked.at,
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Shared state of one camera.
pub(super) struct Shared {
    slot: Mutex<Slot>,
    changed: Condvar,
    opened_at: Instant,
    /// Pictures the camera gave (counted where they enter `videobalance`).
    pub(super) camera_frames: AtomicU64,
    /// Pictures handed to the preview sink.
    pub(super) previewed: AtomicU64,
    /// Pictures the preview branch's queue dropped.
    pub(super) preview_dropped: AtomicU64,
    /// Ticks of the simulated source skipped because the pipeline was behind.
    pub(super) source_skipped: AtomicU64,
    /// Milliseconds from opening to the latest picture from the camera, plus one (0: none yet).
    last_frame_ms: AtomicU64,
    /// Milliseconds the latest capture took, plus one (0: none yet).
    last_capture_ms: AtomicU64,
    /// Set when the camera is dropped: the watch thread ends.
    pub(super) stop: AtomicBool,
}

impl Shared {
    pub(super) fn new() -> Self {
        Self {
            slot: Mutex::default(),
            changed: Condvar::new(),
            opened_at: Instant::now(),
            camera_frames: AtomicU64::new(0),
            previewed: AtomicU64::new(0),
            preview_dropped: AtomicU64::new(0),
            source_skipped: AtomicU64::new(0),
            last_frame_ms: AtomicU64::new(0),
            last_capture_ms: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        }
    }

    fn slot(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Time since the camera was opened.
    pub(super) fn since_open(&self) -> Duration {
        self.opened_at.elapsed()
    }

    /// A picture entered the pipeline.
    pub(super) fn camera_frame(&self) {
        self.camera_frames.fetch_add(1, Ordering::Relaxed);
        self.last_frame_ms
            .store(millis(self.since_open()) + 1, Ordering::Relaxed);
    }

    /// How long since the latest picture from the camera; none before the first one.
    pub(super) fn since_last_frame(&self) -> Option<Duration> {
        let last = self.last_frame_ms.load(Ordering::Relaxed).checked_sub(1)?;
        Some(
            self.since_open()
                .saturating_sub(Duration::from_millis(last)),
        )
    }

    /// A full-size picture arrived: it replaces the previous one and wakes the captures waiting.
    pub(super) fn store(&self, sample: gst::Sample) {
        let pts = sample.buffer().and_then(|b| b.pts());
        self.slot().latest = Some(Latest {
            sample,
            pts,
            arrived: Instant::now(),
        });
        self.changed.notify_all();
    }

    /// The camera is lost for `reason` (kept: the first reason wins). Wakes the captures waiting.
    /// Returns whether it was the first loss.
    pub(super) fn lose(&self, reason: String) -> bool {
        let first = {
            let mut slot = self.slot();
            let first = slot.lost.is_none();
            if first {
                slot.lost = Some(reason);
                slot.latest = None;
            }
            first
        };
        self.changed.notify_all();
        first
    }

    /// Why the camera was lost, if it was.
    pub(super) fn lost(&self) -> Option<String> {
        self.slot().lost.clone()
    }

    /// Waits up to `timeout` for a picture taken after `asked`.
    pub(super) fn wait_newer(
        &self,
        asked: Asked,
        timeout: Duration,
    ) -> Result<gst::Sample, MediaError> {
        let mut slot = self.slot();
        loop {
            if let Some(reason) = &slot.lost {
                return Err(MediaError::CameraLost {
                    reason: reason.clone(),
                });
            }
            if let Some(latest) = slot.latest.as_ref().filter(|l| l.is_after(asked)) {
                return Ok(latest.sample.clone());
            }
            let left = timeout.saturating_sub(asked.at.elapsed());
            if left.is_zero() {
                return Err(MediaError::CaptureTimeout { after: timeout });
            }
            slot = self
                .changed
                .wait_timeout(slot, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// A capture took `took`.
    pub(super) fn captured(&self, took: Duration) {
        self.last_capture_ms
            .store(millis(took).saturating_add(1), Ordering::Relaxed);
    }

    /// How long the latest capture took, in milliseconds.
    pub(super) fn last_capture_ms(&self) -> Option<u64> {
        self.last_capture_ms.load(Ordering::Relaxed).checked_sub(1)
    }
}
