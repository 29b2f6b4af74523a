//! Running the simulated SAM on a byte stream: in-process or on a pseudo-terminal.

use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use serialport::{SerialPort, TTYPort};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{Fault, SimCard, SimSam};
use crate::card::IdentityCard;
use crate::error::Error;
use crate::serial::SerialStream;

/// A simulated reader shared between the code that serves it and the code that plays with it
/// (placing cards, injecting faults). Cheap to clone; all clones are the same reader.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use id_reader::{SamClient, Timeouts, sim::SimReader};
/// let sim = SimReader::new();
/// let mut client = SamClient::new(sim.duplex(), Timeouts::default());
/// assert_eq!(client.find_card().await.unwrap(), false);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SimReader {
    sam: Arc<Mutex<SimSam>>,
    commands: Arc<watch::Sender<u64>>,
}

impl Default for SimReader {
    fn default() -> Self {
        Self {
            sam: Arc::default(),
            commands: Arc::new(watch::Sender::new(0)),
        }
    }
}

impl SimReader {
    /// A reader with no card and no fault.
    pub fn new() -> Self {
        Self::default()
    }

    fn sam(&self) -> MutexGuard<'_, SimSam> {
        // A poisoned lock only means a panic elsewhere; the SAM state is still consistent.
        self.sam
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Places a card.
    pub fn place(&self, card: &IdentityCard) {
        self.sam().place(SimCard::new(card));
    }

    /// Places a prepared simulated card (appended address, fingerprints, raw text).
    pub fn place_sim_card(&self, card: SimCard) {
        self.sam().place(card);
    }

    /// Removes the card.
    pub fn remove(&self) {
        self.sam().remove();
    }

    /// `true` while a card lies on the reader.
    pub fn has_card(&self) -> bool {
        self.sam().has_card()
    }

    /// Commits `fault` once (see [`SimSam::inject`]).
    pub fn inject(&self, fault: Fault) {
        self.sam().inject(fault);
    }

    /// Commits `fault` on every answer until `None` (see [`SimSam::set_fault`]).
    pub fn set_fault(&self, fault: Option<Fault>) {
        self.sam().set_fault(fault);
    }

    /// Number of command frames received so far.
    pub fn commands_received(&self) -> u64 {
        self.sam().commands_received()
    }

    /// Waits until at least `count` command frames have been received and answered (so tests
    /// can wait for the host to have polled without sleeping).
    pub async fn wait_for_commands(&self, count: u64) {
        let mut rx = self.commands.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = rx.wait_for(|n| *n >= count).await;
    }

    /// Serves the SAM side on `io` until the peer closes it. Needs a tokio runtime.
    pub fn serve<T>(&self, io: T) -> JoinHandle<io::Result<()>>
    where
        T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        tokio::spawn(run(self.sam.clone(), self.commands.clone(), io))
    }

    /// An in-process connection: the returned stream is the host's end of a
    /// [`tokio::io::duplex`] pipe whose other end this reader serves. Needs a tokio runtime.
    pub fn duplex(&self) -> DuplexStream {
        let (host, device) = tokio::io::duplex(8192);
        drop(self.serve(device));
        host
    }

    /// Serves this reader on a new pseudo-terminal; the host opens [`SimPty::path`] like a
    /// serial device. Needs a tokio runtime.
    pub fn open_pty(&self) -> Result<SimPty, Error> {
        let (master, slave) = TTYPort::pair()?;
        let path = slave
            .name()
            .ok_or_else(|| Error::Io(io::Error::new(io::ErrorKind::NotFound, "pty has no path")))?;
        let stream = SerialStream::from_port(master)?;
        let task = self.serve(stream);
        Ok(SimPty {
            path,
            task,
            _slave: slave,
        })
    }
}

/// A simulated reader served on a pseudo-terminal. Dropping it stops the simulation.
#[derive(Debug)]
pub struct SimPty {
    path: String,
    task: JoinHandle<io::Result<()>>,
    // Held open so the master never sees a hang-up while no host has the device open.
    _slave: TTYPort,
}

impl SimPty {
    /// The device path to open (e.g. `/dev/pts/3`).
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl Drop for SimPty {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run<T>(
    sam: Arc<Mutex<SimSam>>,
    commands: Arc<watch::Sender<u64>>,
    mut io: T,
) -> io::Result<()>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf = [0u8; 512];
    loop {
        let n = io.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        let (replies, count) = {
            let mut sam = sam
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let replies = sam.handle_bytes(&buf[..n]);
            (replies, sam.commands_received())
        };
        for reply in replies {
            if !reply.delay.is_zero() {
                tokio::time::sleep(reply.delay).await;
            }
            match reply.chunk {
                Some(size) => {
                    for chunk in reply.frame.chunks(size) {
                        io.write_all(chunk).await?;
                        io.flush().await?;
                        tokio::task::yield_now().await;
                    }
                }
                None => io.write_all(&reply.frame).await?,
            }
            io.flush().await?;
        }
        commands.send_replace(count);
    }
}
