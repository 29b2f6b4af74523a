//! The take-a-number flow (取号): service tiles with waiting counts and wait ranges, the ID card
//! prompt, the offer of priority service for seniors, issuing, printing and the ticket screen,
//! with every failure path (printer, reader, queue host, idle timeout) handled so that nobody is
//! left without a number.
//!
//! - [`flow`]: the state machine, pure and testable without a window;
//! - [`controller`]: binds it to the `TakeNumberAdapter` Slint global, the queue, the printer and the
//!   reader;
//! - [`printing`]: the paper ticket, print outcomes and the printer alerts staff see;
//! - [`card`]: what is kept of an ID card (masked name, age, salted token) and the sample cards
//!   of simulated mode;
//! - [`directory`]: window hints and opening times from the `[queue]` table;
//! - [`qr`]: the QR code of the phone status page as an image;
//! - [`screens`]: drives the flow through each of its screens, for screenshots.
//!
//! See `kiosk/TAKE_NUMBER.md`.

pub mod card;
pub mod controller;
pub mod directory;
pub mod flow;
pub mod options;
pub mod printing;
pub mod qr;
pub mod screens;

pub use card::CardCheck;
pub use controller::{CardListener, TakeNumberController, TakeNumberDeps};
pub use flow::{Flow, FlowError, ReaderState, Step};
pub use options::TakeNumberOptions;
pub use printing::{PrintReport, PrintState};
