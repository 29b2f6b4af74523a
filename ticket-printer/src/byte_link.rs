//! The byte link every transport implements.
//!
//! It has a module of its own because both sides use it: [`crate::transport`] opens the links
//! (the virtual printer's among them) and [`crate::virtual_printer::link`] implements it for the
//! in-process virtual printer. Neither needs the other for it. It is public as
//! [`crate::transport::Transport`] and [`crate::Transport`].

use std::io;
use std::time::Duration;

/// A byte link to a printer.
pub trait Transport: Send {
    /// Writes all bytes and flushes them to the device.
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Reads what has arrived, waiting at most `timeout`; `Ok(0)` means nothing arrived.
    fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
    /// Whether the printer can answer (a plain file cannot).
    fn can_read(&self) -> bool {
        true
    }
}
