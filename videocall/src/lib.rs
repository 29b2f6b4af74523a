//! The video call to a duty lawyer (视频连线律师).
//!
//! ```text
//!  wire      the signalling messages of kiosk, centre and lawyer's console (JSON over WebSockets),
//!            bounded and checked; IceServers (STUN, TURN) as the centre hands them out
//!  quality   LinkJudge: when a weak link drops the call to audio only (pure, sampled statistics)
//!  client    (feature `client`) the kiosk's call task: dial, wait, media on webrtcbin, hang-up,
//!            advice; a CallHandle for the UI
//!  lawyer    (feature `client`) a console without a browser: answers calls with real media, for
//!            tests and the benchmark
//! ```
//!
//! The centre uses [`wire`] only (no GStreamer, no client): `default-features = false`.

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod lawyer;
pub mod quality;
pub mod wire;

#[cfg(feature = "client")]
pub use client::{CallFigures, CallHandle, CallRequest, CallUpdate, start};
pub use quality::{LinkJudge, LinkSample, WeakLink};
pub use wire::{CentreToKiosk, CentreToLawyer, EndedBy, IceServers, KioskMessage, LawyerMessage};
