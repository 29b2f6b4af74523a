//! Serial transport: a [`serialport::TTYPort`] served by two blocking threads, seen by tokio as
//! one async byte stream.
//!
//! Why threads rather than tokio's `AsyncFd` over the raw fd: registering a foreign fd with
//! `AsyncFd` is an `unsafe` operation in current tokio (the safe constructor is deprecated as
//! unsound), and this workspace forbids `unsafe` code. A reader thread blocks in serialport's
//! `poll` + `read` (it wakes as soon as bytes arrive, so no latency is added) and forwards chunks
//! over a channel; a writer thread takes outgoing chunks from another channel. A device error
//! (e.g. an unplugged USB-serial adapter hanging up) ends the reader thread and reaches the async
//! side as an I/O error, after which the driver reopens the port. Dropping the stream stops both
//! threads within [`POLL_SLICE`].

use std::io::{self, Read, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use serialport::{SerialPort, TTYPort};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;

use crate::error::Error;

/// How long the reader thread blocks before checking whether the stream was dropped.
pub const POLL_SLICE: Duration = Duration::from_millis(50);

/// Write timeout of the writer thread.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// An open serial device (or pseudo-terminal end) usable as a tokio byte stream.
#[derive(Debug)]
pub struct SerialStream {
    name: Option<String>,
    rx: mpsc::Receiver<io::Result<Vec<u8>>>,
    pending: Vec<u8>,
    tx: std::sync::mpsc::Sender<Vec<u8>>,
    stop: Arc<AtomicBool>,
}

impl SerialStream {
    /// Opens `path` at `baud`, 8N1, no flow control.
    pub fn open(path: &str, baud: u32) -> Result<Self, Error> {
        let port = serialport::new(path, baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .timeout(POLL_SLICE)
            .open_native()?;
        Self::from_port(port)
    }

    /// Wraps a port that is already open (e.g. one end of [`TTYPort::pair`]).
    pub fn from_port(mut port: TTYPort) -> Result<Self, Error> {
        let name = port.name();
        port.set_timeout(POLL_SLICE)?;
        let mut writer = port.try_clone_native()?;
        writer.set_timeout(WRITE_TIMEOUT)?;
        let stop = Arc::new(AtomicBool::new(false));
        let (in_tx, rx) = mpsc::channel(64);
        let (tx, out_rx) = std::sync::mpsc::channel::<Vec<u8>>();

        let reader_stop = stop.clone();
        std::thread::Builder::new()
            .name("id-reader serial rx".into())
            .spawn(move || read_loop(port, in_tx, reader_stop))?;
        std::thread::Builder::new()
            .name("id-reader serial tx".into())
            .spawn(move || {
                while let Ok(chunk) = out_rx.recv() {
                    if writer.write_all(&chunk).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Self {
            name,
            rx,
            pending: Vec::new(),
            tx,
            stop,
        })
    }

    /// The device path, when known.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

fn read_loop(mut port: TTYPort, tx: mpsc::Sender<io::Result<Vec<u8>>>, stop: Arc<AtomicBool>) {
    let mut buf = [0u8; 1024];
    while !stop.load(Ordering::Relaxed) {
        match port.read(&mut buf) {
            Ok(0) => {
                let _ = tx.blocking_send(Err(io::ErrorKind::UnexpectedEof.into()));
                return;
            }
            Ok(n) => {
                if tx.blocking_send(Ok(buf[..n].to_vec())).is_err() {
                    return;
                }
            }
            Err(e)
                if e.kind() == io::ErrorKind::TimedOut
                    || e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        }
    }
}

impl Drop for SerialStream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl AsyncRead for SerialStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pending.is_empty() {
            match this.rx.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                // Reader thread gone without an error: end of stream.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                Poll::Ready(Some(Ok(bytes))) => this.pending = bytes,
            }
        }
        let n = this.pending.len().min(buf.remaining());
        buf.put_slice(&this.pending[..n]);
        this.pending.drain(..n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for SerialStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.tx.send(buf.to_vec()) {
            Ok(()) => Poll::Ready(Ok(buf.len())),
            Err(_) => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
