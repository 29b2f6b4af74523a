#![doc = include_str!("../README.md")]
#![deny(clippy::disallowed_methods)]

pub mod bitmap;
mod byte_link;
pub mod commands;
pub mod disasm;
pub mod encode;
pub mod error;
pub mod font;
pub mod note;
pub mod printer;
pub mod profile;
pub mod qr;
pub mod status;
pub mod text;
pub mod ticket;
pub mod transport;
pub mod virtual_printer;

pub use bitmap::Bitmap;
pub use encode::{encode_test_page, encode_ticket};
pub use error::{EncodeError, Error, TransportError};
pub use note::{Note, encode_note};
pub use printer::{NotPrinted, PrintOutcome, Printed, Printer};
pub use profile::{PaperWidth, Profile};
pub use status::{Paper, PrinterStatus};
pub use ticket::{Layout, MaskedName, Part, Ticket};
pub use transport::{Endpoint, Transport};
pub use virtual_printer::link::SharedVirtualPrinter;
pub use virtual_printer::{PrintedTicket, VirtualPrinter, VirtualState};
