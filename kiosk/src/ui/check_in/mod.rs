//! 预约签到: a citizen who booked at the centre (phone page, hotline, window) checks in at the kiosk
//! with the ID card, the booking QR code (the code scanner) or the code typed on the on-screen keyboard,
//! confirms the booking shown, and gets a ticket that the queue calls at the slot (see
//! `queue::fairness::appointment_turn`).
//!
//! - [`flow`]: the state machine, pure and testable without a window;
//! - [`controller`]: binds it to the `CheckInAdapter` global, the scanner, the card reader (shared with
//!   take-a-number, which routes cards here while this page is open), the queue, the printer and the
//!   outbox (`booking_update` for the centre);
//! - [`screens`]: drives it through each of its screens, for screenshots.

pub mod controller;
pub mod flow;
pub mod screens;

pub use controller::{CheckInController, CheckInDeps};
pub use flow::{Failure, Flow, Step, Timing};
