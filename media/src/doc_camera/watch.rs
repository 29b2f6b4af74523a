//! The camera's watch thread: the bus (an element's error, the end of the stream) and the pictures'
//! timing (none since opening, or none for a while) turn into [`DocCameraEvent::Lost`], once.

use std::sync::{Arc, atomic::Ordering, mpsc::Sender};
use std::time::Duration;

use super::{DocCameraEvent, state::Shared};

/// The name of the application message that wakes the thread when the camera is dropped.
pub(super) const WAKE: &str = "doc-camera-stop";

pub(super) struct Watch {
    pub(super) bus: gst::Bus,
    pub(super) shared: Arc<Shared>,
    pub(super) events: Sender<DocCameraEvent>,
    pub(super) stall_after: Duration,
}

/// `element: message`, with the last line of the debug text when there is one (v4l2src puts the
/// system's error there, e.g. `No such device`).
pub(super) fn describe(err: &gst::message::Error) -> String {
    use gst::prelude::*;
    let from = err
        .src()
        .map_or_else(|| "?".to_owned(), |s| s.name().to_string());
    let mut text = format!("{from}: {}", err.error());
    if let Some(detail) = err
        .debug()
        .as_deref()
        .and_then(|d| d.lines().last())
        .map(str::trim)
        .filter(|d| !d.is_empty() && !d.contains("/Gst"))
    {
        text.push_str(&format!(" ({detail})"));
    }
    text
}

impl Watch {
    pub(super) fn run(self) {
        while !self.shared.stop.load(Ordering::Relaxed) {
            if let Some(message) = self.bus.timed_pop(gst::ClockTime::from_mseconds(100)) {
                match message.view() {
                    gst::MessageView::Error(err) => return self.lose(describe(err)),
                    gst::MessageView::Eos(_) => {
                        return self.lose("the camera's stream ended".into());
                    }
                    _ => {}
                }
            }
            let silent = match self.shared.since_last_frame() {
                Some(since) => since > self.stall_after,
                None => self.shared.since_open() > self.stall_after,
            };
            if silent && !self.shared.stop.load(Ordering::Relaxed) {
                return self.lose(format!(
                    "no picture from the camera for {} ms",
                    self.stall_after.as_millis()
                ));
            }
        }
    }

    fn lose(&self, reason: String) {
        if self.shared.lose(reason.clone()) {
            let _ = self.events.send(DocCameraEvent::Lost { reason });
        }
    }
}
