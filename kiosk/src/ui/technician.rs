//! The technician page (维护): reached only by a long press on the home screen's top right corner and
//! the technician PIN; device status, recent logs, and the technician's tests (printer test page, test
//! card, LED test pattern, content sync now, window count).
//!
//! - [`pin_lock`]: the PIN check with its wrong-try counter and lockout (time passed in);
//! - [`log_ring`]: the last log lines in memory, fed by a `tracing` layer;
//! - [`status`]: the status lines, gathered from the device services, queue, content and outbox;
//! - [`actions`]: what the buttons do, each with a result line in Chinese and English;
//! - [`window_count`]: the window count override and why it applies at the next start;
//! - [`cli`]: `kiosk technician hash-pin`;
//! - [`controller`]: binds it all to the `TechnicianAdapter` Slint global.
//!
//! The page is never reachable from a citizen's tap: the shell refuses `Nav.go(Page.technician)`
//! until the PIN unlocks it, and every session end (home, back, idle timeout) locks it again.

pub mod actions;
pub mod controller;
pub mod log_ring;
pub mod pin_lock;
pub mod status;
pub mod window_count;

pub use controller::{TechnicianController, TechnicianDeps, TechnicianOptions};
pub use log_ring::{LogRing, LogRingLayer};
pub use pin_lock::{PinLock, PinLockState, PinVerdict};
pub use status::{StatusLine, StatusSources};
