//! What can go wrong with a clip, a call or the document camera, named so that a technician knows
//! which file or device and why.

use std::{path::PathBuf, time::Duration};

/// A media failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// GStreamer could not start (its libraries or plugins are missing).
    #[error("GStreamer could not start: {0}")]
    Init(String),
    /// An element the pipeline needs is not installed (its Debian package is named).
    #[error("the GStreamer element `{element}` is missing (install {package})")]
    MissingElement {
        /// Element factory name.
        element: String,
        /// The Debian package that brings it.
        package: &'static str,
    },
    /// The file does not exist or cannot be read.
    #[error("{path}: cannot be read: {reason}")]
    Unreadable {
        /// The clip.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The file is not a clip GStreamer can play (unknown type, truncated, no decoder).
    #[error("{path}: not a playable clip: {reason}")]
    NotPlayable {
        /// The clip.
        path: PathBuf,
        /// What GStreamer said.
        reason: String,
    },
    /// The clip has no video stream.
    #[error("{path}: has no video stream")]
    NoVideo {
        /// The clip.
        path: PathBuf,
    },
    /// The pipeline reported an error while playing.
    #[error("{path}: playback failed: {reason}")]
    Playback {
        /// The clip.
        path: PathBuf,
        /// The element and message.
        reason: String,
    },
    /// No picture came within the time allowed after starting.
    #[error("{path}: no picture within {} ms of starting", .after.as_millis())]
    NoFirstFrame {
        /// The clip.
        path: PathBuf,
        /// The time allowed.
        after: Duration,
    },
    /// The picture stopped changing while the clip played.
    #[error("{path}: the picture stopped for {} ms", .after.as_millis())]
    Stalled {
        /// The clip.
        path: PathBuf,
        /// How long no frame came.
        after: Duration,
    },
    /// A call's media could not be set up or failed.
    #[error("video call: {0}")]
    Call(String),
    /// The document camera could not be opened (no such device, not a camera, the pipeline refused
    /// to start).
    #[error("document camera {device}: cannot be opened: {reason}")]
    CameraUnavailable {
        /// The device node, or `simulated document camera`.
        device: String,
        /// What GStreamer said, e.g. `camera: Cannot identify device '/dev/video0'.`
        reason: String,
    },
    /// The document camera was lost (unplugged, failed, silent): no still can be taken.
    #[error("the document camera was lost: {reason}")]
    CameraLost {
        /// What happened.
        reason: String,
    },
    /// No picture newer than the capture request came from the document camera in time.
    #[error("the document camera gave no new picture within {} ms", .after.as_millis())]
    CaptureTimeout {
        /// The time allowed.
        after: Duration,
    },
    /// A clip could not be written (clip generation).
    #[error("{path}: could not be encoded: {reason}")]
    Encode {
        /// The file being written.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl MediaError {
    /// A short, stable label for counters and reports (`not_playable`, `no_first_frame` …).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Init(_) => "init",
            Self::MissingElement { .. } => "missing_element",
            Self::Unreadable { .. } => "unreadable",
            Self::NotPlayable { .. } => "not_playable",
            Self::NoVideo { .. } => "no_video",
            Self::Playback { .. } => "playback",
            Self::NoFirstFrame { .. } => "no_first_frame",
            Self::Stalled { .. } => "stalled",
            Self::Encode { .. } => "encode",
            Self::Call(_) => "call",
            Self::CameraUnavailable { .. } => "camera_unavailable",
            Self::CameraLost { .. } => "camera_lost",
            Self::CaptureTimeout { .. } => "capture_timeout",
        }
    }
}

/// Makes element `name`, or says which package is missing.
pub(crate) fn make(name: &str) -> Result<gst::Element, MediaError> {
    gst::ElementFactory::make(name)
        .build()
        .map_err(|_| MediaError::MissingElement {
            element: name.to_owned(),
            package: package_of(name),
        })
}

/// The Debian package of the elements this crate uses.
pub(crate) fn package_of(element: &str) -> &'static str {
    match element {
        "x264enc" => "gstreamer1.0-plugins-ugly",
        "avdec_h264" | "avenc_aac" => "gstreamer1.0-libav",
        "mp4mux" | "qtdemux" | "v4l2src" | "jpegdec" => "gstreamer1.0-plugins-good",
        "h264parse" | "webrtcbin" => "gstreamer1.0-plugins-bad",
        "nicesrc" | "nicesink" => "gstreamer1.0-nice",
        "vp8enc" | "vp8dec" | "rtpvp8pay" | "autoaudiosink" => "gstreamer1.0-plugins-good",
        _ => "gstreamer1.0-plugins-base",
    }
}
