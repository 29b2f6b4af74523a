//! 视频连线律师: the video call to a duty lawyer from this kiosk. [`flow`] is the screens' pure state
//! machine; [`controller`] binds it to the window, to the call client (`videocall`) and to the
//! pictures; the page is `kiosk/ui/pages/video_call/`.

pub mod controller;
pub mod flow;

pub use controller::{CallServices, CallSetup, VideoCallController};
