//! Connecting the virtual printer: in-process (a [`Transport`] that feeds it directly) and
//! over any byte stream (a pseudo-terminal, a TCP socket).

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::{PrintedTicket, VirtualPrinter, VirtualState};
use crate::byte_link::Transport;
use crate::profile::Profile;

/// A virtual printer shared between the code that prints and the code that inspects it.
#[derive(Debug, Clone)]
pub struct SharedVirtualPrinter(Arc<Mutex<VirtualPrinter>>);

impl SharedVirtualPrinter {
    /// A new virtual printer of `profile`.
    pub fn new(profile: Profile) -> Self {
        Self(Arc::new(Mutex::new(VirtualPrinter::new(profile))))
    }

    /// Locks the printer (a poisoned lock is recovered: the printer's state stays valid).
    pub fn lock(&self) -> MutexGuard<'_, VirtualPrinter> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Changes the simulated condition (paper out, cover open …).
    pub fn set_state(&self, state: VirtualState) {
        self.lock().set_state(state);
    }

    /// Tickets cut since the last call.
    pub fn take_tickets(&self) -> Vec<PrintedTicket> {
        self.lock().take_tickets()
    }
}

/// An in-process link to a [`SharedVirtualPrinter`]: writes are interpreted at once and the
/// printer's replies are queued for reading.
#[derive(Debug)]
pub struct VirtualLink {
    printer: SharedVirtualPrinter,
    replies: Vec<u8>,
}

impl VirtualLink {
    /// A link to `printer`.
    pub fn new(printer: SharedVirtualPrinter) -> Self {
        Self {
            printer,
            replies: Vec::new(),
        }
    }
}

impl Transport for VirtualLink {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let replies = self.printer.lock().feed(bytes);
        self.replies.extend(replies);
        Ok(())
    }

    fn read_timeout(&mut self, buf: &mut [u8], _timeout: Duration) -> io::Result<usize> {
        // Replies are produced synchronously by `write_all`: there is nothing to wait for.
        let n = buf.len().min(self.replies.len());
        buf[..n].copy_from_slice(&self.replies[..n]);
        self.replies.drain(..n);
        Ok(n)
    }
}

/// Serves `printer` over a byte stream until `stop` is set or the stream fails or closes.
///
/// The stream must have a read timeout (a serial port's timeout, `TcpStream::set_read_timeout`)
/// so that `stop` is noticed. Every ticket (cut, or followed by a quiet period) is passed to
/// `on_ticket`.
pub fn serve<S: Read + Write>(
    stream: &mut S,
    printer: &SharedVirtualPrinter,
    stop: &AtomicBool,
    mut on_ticket: impl FnMut(PrintedTicket),
) -> io::Result<()> {
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        let n = match stream.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut
                        | io::ErrorKind::WouldBlock
                        | io::ErrorKind::Interrupted
                ) =>
            {
                // The host went quiet: paper printed without a cut is a finished ticket.
                let tickets = {
                    let mut p = printer.lock();
                    p.flush_page();
                    p.take_tickets()
                };
                tickets.into_iter().for_each(&mut on_ticket);
                continue;
            }
            Err(e) => return Err(e),
        };
        let (replies, tickets) = {
            let mut p = printer.lock();
            let replies = p.feed(&buf[..n]);
            (replies, p.take_tickets())
        };
        if !replies.is_empty() {
            stream.write_all(&replies)?;
            stream.flush()?;
        }
        for t in tickets {
            on_ticket(t);
        }
    }
    Ok(())
}
