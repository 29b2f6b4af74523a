//! 在本机申请: applications for legal aid, mediation and a notary appointment, made at the kiosk.
//!
//! `flow` is the pure draft of one application (questions one per screen, the applicant, the pages per
//! paper, the signature, the review rows, the finished [`applications::Application`]); `signature` turns
//! the strokes drawn on the touch screen into the path the page draws and the PNG that is sent.

pub mod flow;
pub mod signature;
