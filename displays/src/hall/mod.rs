//! The hall display's model, without a screen: what the host said ([`Follower`]), what the hall shows
//! ([`HallModel`], a pure function of the host's messages and the time), its configuration and its
//! publicity from the content bundle: slides, notices and videos in turn ([`VideoEntry`]; the kiosk plays
//! the clips). The kiosk draws it in a Slint window.

mod config;
mod follow;
mod model;
mod programme;
pub mod publicity;

pub use config::{DisplaysConfig, HallConfig, SlideConfig, VideoConfig, VideoDecoding};
pub use follow::{FollowError, Follower, HostMsg};
pub use model::{
    CallView, HallModel, HallView, ServiceView, SlideView, VideoView, clock_text, short_clock_text,
};
pub use programme::VideoEntry;
