//! 在本机申请: applications for legal aid, mediation and a notary appointment, made at the kiosk.
//!
//! `controller` binds it to the window (`ApplyAdapter`), the card reader, the document camera, the
//! queue and the printer; `flow` is the pure draft of one application (questions one per screen, the applicant, the pages per
//! paper, the signature, the review rows, the finished [`applications::Application`]); `signature` turns
//! the strokes drawn on the touch screen into the path the page draws and the PNG that is sent.

pub mod controller;
pub mod flow;
pub mod signature;

pub use controller::{ApplyController, ApplyServices};
