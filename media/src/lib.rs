//! The kiosk's media layer, on GStreamer (Debian's 1.22 packages).
//!
//! Everything that shows moving pictures goes through one seam, [`FrameSink`]: a GStreamer pipeline
//! decodes, converts to RGBA and hands each frame, with its presentation time, to a sink that knows
//! nothing of GStreamer. The hall screen's sink copies frames into a Slint image; a benchmark's sink
//! counts them; a test's sink checks them. Its sources: [`ClipPlayer`] (a file played by `playbin`),
//! the video call ([`call::CallMedia`], `webrtcbin`), and the document camera
//! ([`doc_camera::DocCamera`], `v4l2src` or a simulated source).
//!
//! ```text
//!  probe      ClipInfo from GStreamer's Discoverer: refuses a file with no playable video before it
//!             is ever shown (a truncated MP4 can hang playbin silently; Discoverer catches it)
//!  player     ClipPlayer: playbin → appsink (RGBA) → FrameSink; its own bus thread turns end, error,
//!             no first frame in time and a stalled picture into PlayerEvent; volume and mute
//!  decoding   Decoding::{Auto, Software}: the decoder is chosen at run time by rank (the Pi 4's
//!             v4l2h264dec where its device exists, avdec_h264 elsewhere); Software ranks the hardware
//!             decoders out; the name of the decoder used is reported
//!  frame      Frame (RGBA rows, stride, PTS) and the FrameSink trait
//!  call       CallMedia: a two-way video call on webrtcbin (VP8 + Opus), the other side's picture
//!             into a FrameSink, the own picture into another; SDP and ICE out through a callback
//!  doc_camera DocCamera: the document camera (高拍仪), v4l2src (MJPEG or raw) or a simulated
//!             StillSource → videobalance (brightness) → tee: a scaled RGBA preview into a FrameSink,
//!             and the latest full-size picture, copied out as a Still on capture (never one older
//!             than the request); unplugged, failed or silent → DocCameraEvent::Lost
//!  clipgen    encodes test and sample clips (videotestsrc → x264 → MP4, optional AAC tone)
//! ```
//!
//! Call [`init`] once before anything else (it is cheap after the first call).

pub mod call;
mod clipgen;
mod decoding;
pub mod doc_camera;
mod error;
mod frame;
mod player;
mod probe;

pub use clipgen::{ClipSpec, write_clip};
pub use decoding::{Decoding, apply_decoding, is_hardware_decoder};
pub use error::MediaError;
pub use frame::{Frame, FrameSink};
pub use player::{Audio, ClipPlayer, PlayOptions, PlayerEvent};
pub use probe::{ClipInfo, probe};

/// Initialises GStreamer (loads the plugin registry; 0.7 s the very first time on a machine, then
/// about 10 ms). Safe to call more than once.
pub fn init() -> Result<(), MediaError> {
    gst::init().map_err(|e| MediaError::Init(e.to_string()))
}

/// The GStreamer version the process runs with, e.g. `GStreamer 1.22.0`.
pub fn gstreamer_version() -> String {
    gst::version_string().to_string()
}
