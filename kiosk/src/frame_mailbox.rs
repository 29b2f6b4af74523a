//! A one-slot mailbox of pictures between a GStreamer thread and the UI thread: the newest frame
//! waits, copied once into a [`slint::SharedPixelBuffer`]; a frame the UI did not take in time is
//! replaced (and counted), so a slow screen drops frames instead of queueing them. Used by the
//! publicity video player and by the video call (the lawyer's picture and the own one).

use std::{
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use media::{Frame, FrameSink};
use slint::{Rgba8Pixel, SharedPixelBuffer};

/// See the module's documentation.
#[derive(Default)]
pub struct FrameMailbox {
    slot: Mutex<Option<(SharedPixelBuffer<Rgba8Pixel>, Option<Duration>)>>,
    replaced: AtomicU64,
}

impl std::fmt::Debug for FrameMailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameMailbox")
            .field("replaced", &self.replaced())
            .finish_non_exhaustive()
    }
}

impl FrameMailbox {
    /// The newest frame with its time, if one came since the last call.
    pub fn take(&self) -> Option<(SharedPixelBuffer<Rgba8Pixel>, Option<Duration>)> {
        self.slot.lock().ok()?.take()
    }

    /// Frames replaced before the UI took them (dropped on screen).
    pub fn replaced(&self) -> u64 {
        self.replaced.load(Ordering::Relaxed)
    }

    /// Empties the slot (a new clip or call starts).
    pub fn clear(&self) {
        if let Ok(mut slot) = self.slot.lock() {
            *slot = None;
        }
    }
}

impl FrameSink for FrameMailbox {
    fn frame(&self, frame: &Frame<'_>) {
        let mut buffer = SharedPixelBuffer::<Rgba8Pixel>::new(frame.width, frame.height);
        let row = frame.width as usize * 4;
        for (dst, src) in buffer
            .make_mut_bytes()
            .chunks_exact_mut(row)
            .zip(frame.rows())
        {
            dst.copy_from_slice(src);
        }
        let Ok(mut slot) = self.slot.lock() else {
            return;
        };
        if slot.replace((buffer, frame.pts)).is_some() {
            self.replaced.fetch_add(1, Ordering::Relaxed);
        }
    }
}
