//! The LED panel in the waiting area: scenes rendered into a framebuffer, pushed to a sink.
//!
//! Rendering is a pure function of the scene and the time, so it is tested with ASCII snapshots; the sink is
//! the only part that touches hardware (or, in simulated mode, PNG files).

pub mod cli;
mod frame;
mod scene;
mod sink;

pub use frame::MonoFrame;
pub use scene::{Scene, render};
pub use sink::{LedSink, PngSink, SinkError};
