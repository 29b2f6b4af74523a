//! The reader task: keeps a reader open, polls find → select → read, and reports events.
//!
//! One task per reader. It (re)opens the transport with a caller-supplied function, checks the SAM
//! (`11 FF`), then polls. A card lying on the pad is reported once; its removal after
//! [`DriverConfig::removal_polls`] empty polls in a row. A failed read is reported once per
//! placement, with the SAM's reason. A transport error, or [`DriverConfig::lost_after`]
//! unanswered exchanges in a row, reports the reader lost; the task then reopens it with
//! exponential backoff and reports it recovered once the SAM answers again.
//!
//! Some SAMs answer `80` to a find while an already read card is still on the pad; with those the
//! card is reported removed after it was read, and read again if it is lifted and put back.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::card::{IdentityCard, IdentityToken};
use crate::client::{SamClient, Timeouts};
use crate::command::Command;
use crate::error::Error;
use crate::serial::SerialStream;
use crate::sim::SimReader;
use crate::status::Status;

/// Settings of the reader task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverConfig {
    /// Answer time limits per command.
    pub timeouts: Timeouts,
    /// Pause between two polls.
    pub poll_interval: Duration,
    /// Empty polls in a row after which a read card counts as removed.
    pub removal_polls: u32,
    /// Unanswered or garbled exchanges in a row after which the reader counts as lost.
    pub lost_after: u32,
    /// First pause before reopening a lost reader.
    pub backoff_initial: Duration,
    /// Longest pause between reopening attempts.
    pub backoff_max: Duration,
    /// Ask for fingerprints (`30 10`); off by default (data minimisation).
    pub with_fingerprint: bool,
}

impl Default for DriverConfig {
    fn default() -> Self {
        Self {
            timeouts: Timeouts::default(),
            poll_interval: Duration::from_millis(300),
            removal_polls: 2,
            lost_after: 3,
            backoff_initial: Duration::from_millis(250),
            backoff_max: Duration::from_secs(5),
            with_fingerprint: false,
        }
    }
}

/// Why a card on the pad could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadFailure {
    /// The SAM refused a step (e.g. select `81`, read `41` or `32`).
    Sam {
        /// The step that failed.
        command: Command,
        /// The SAM's reason.
        status: Status,
    },
    /// The card answered, but its data could not be understood.
    Malformed(String),
}

impl fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sam { command, status } => write!(f, "{command}: {status}"),
            Self::Malformed(why) => write!(f, "证件数据无法解析 (card data malformed): {why}"),
        }
    }
}

/// What the reader task reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderEvent {
    /// A card was placed and read (reported once per placement).
    CardRead(Box<IdentityCard>),
    /// The card that was read has been taken away.
    CardRemoved,
    /// A card is on the pad but could not be read (reported once per placement and reason).
    ReadFailed(ReadFailure),
    /// The reader stopped answering or its device disappeared; the task keeps trying to reopen it.
    ReaderLost {
        /// One-line reason.
        reason: String,
    },
    /// The reader answers again after having been lost.
    ReaderRecovered,
}

/// The reader task's state, for health reports: updated on every poll and every reopening attempt, so
/// a watcher also sees that the task is alive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReaderHealth {
    /// The reader is open and its SAM answered `11 FF` with success.
    pub sam_ok: bool,
    /// Poll cycles and reopening attempts so far.
    pub cycles: u64,
    /// Cards read so far.
    pub cards_read: u64,
}

/// A running reader task and its event stream. Dropping it stops the task.
#[derive(Debug)]
pub struct Reader {
    events: mpsc::Receiver<ReaderEvent>,
    health: watch::Receiver<ReaderHealth>,
    task: JoinHandle<()>,
}

impl Reader {
    /// Starts a reader task that opens its transport with `connect` (called again after every
    /// loss). Needs a tokio runtime.
    pub fn spawn<C, Fut, T>(connect: C, config: DriverConfig) -> Self
    where
        C: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
        T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (tx, events) = mpsc::channel(32);
        let (health_tx, health) = watch::channel(ReaderHealth::default());
        let task = tokio::spawn(run(connect, config, tx, health_tx));
        Self {
            events,
            health,
            task,
        }
    }

    /// Starts a reader task on a serial device (reopened at `path` after an unplug).
    pub fn spawn_serial(path: impl Into<String>, baud: u32, config: DriverConfig) -> Self {
        let path = path.into();
        Self::spawn(
            move || {
                let path = path.clone();
                async move { SerialStream::open(&path, baud) }
            },
            config,
        )
    }

    /// Starts a reader task on an in-process simulated reader.
    pub fn spawn_simulated(sim: &SimReader, config: DriverConfig) -> Self {
        let sim = sim.clone();
        Self::spawn(
            move || {
                let stream = sim.duplex();
                async move { Ok(stream) }
            },
            config,
        )
    }

    /// The task's state (SAM answering, cycles, cards read); it changes on every poll.
    pub fn health(&self) -> watch::Receiver<ReaderHealth> {
        self.health.clone()
    }

    /// Waits for the next event (`None` once the task has ended).
    pub async fn next_event(&mut self) -> Option<ReaderEvent> {
        self.events.recv().await
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The receiver is gone: stop the task.
struct Stopped;

struct Events {
    tx: mpsc::Sender<ReaderEvent>,
    health: watch::Sender<ReaderHealth>,
}

impl Events {
    fn cycle(&self, sam_ok: bool) {
        self.health.send_modify(|h| {
            h.sam_ok = sam_ok;
            h.cycles = h.cycles.wrapping_add(1);
        });
    }

    fn card_read(&self) {
        self.health
            .send_modify(|h| h.cards_read = h.cards_read.wrapping_add(1));
    }

    async fn emit(&self, event: ReaderEvent) -> Result<(), Stopped> {
        self.tx.send(event).await.map_err(|_| Stopped)
    }
}

async fn run<C, Fut, T>(
    mut connect: C,
    config: DriverConfig,
    tx: mpsc::Sender<ReaderEvent>,
    health: watch::Sender<ReaderHealth>,
) where
    C: FnMut() -> Fut + Send,
    Fut: Future<Output = Result<T, Error>> + Send,
    T: AsyncRead + AsyncWrite + Unpin + Send,
{
    let events = Events { tx, health };
    let _ = supervise(&mut connect, &config, &events).await;
}

async fn supervise<C, Fut, T>(
    connect: &mut C,
    config: &DriverConfig,
    events: &Events,
) -> Result<(), Stopped>
where
    C: FnMut() -> Fut + Send,
    Fut: Future<Output = Result<T, Error>> + Send,
    T: AsyncRead + AsyncWrite + Unpin + Send,
{
    let mut lost = false;
    let mut backoff = config.backoff_initial;
    loop {
        let reason = match open(connect, config).await {
            Ok(mut client) => {
                backoff = config.backoff_initial;
                if lost {
                    lost = false;
                    tracing::info!("ID reader recovered");
                    events.emit(ReaderEvent::ReaderRecovered).await?;
                }
                poll(&mut client, config, events).await?
            }
            Err(e) => e.to_string(),
        };
        events.cycle(false);
        if !lost {
            lost = true;
            tracing::warn!(%reason, "ID reader lost");
            events.emit(ReaderEvent::ReaderLost { reason }).await?;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(config.backoff_max);
    }
}

async fn open<C, Fut, T>(connect: &mut C, config: &DriverConfig) -> Result<SamClient<T>, Error>
where
    C: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    T: AsyncRead + AsyncWrite + Unpin,
{
    let mut client = SamClient::new(connect().await?, config.timeouts);
    match client.status().await? {
        Status::Success => Ok(client),
        status => Err(Error::Sam {
            command: Command::Status,
            status,
        }),
    }
}

enum Cycle {
    NoCard,
    Card(Box<IdentityCard>),
    Failed(ReadFailure),
}

async fn cycle<T: AsyncRead + AsyncWrite + Unpin>(
    client: &mut SamClient<T>,
    with_fingerprint: bool,
) -> Result<Cycle, Error> {
    let result = async {
        if !client.find_card().await? {
            return Ok(None);
        }
        client.select_card().await?;
        client.read_card(with_fingerprint).await.map(Some)
    }
    .await;
    match result {
        Ok(None) => Ok(Cycle::NoCard),
        Ok(Some(card)) => Ok(Cycle::Card(Box::new(card))),
        Err(Error::Sam { command, status }) => {
            Ok(Cycle::Failed(ReadFailure::Sam { command, status }))
        }
        Err(Error::Card(e)) => Ok(Cycle::Failed(ReadFailure::Malformed(e.to_string()))),
        Err(e) => Err(e),
    }
}

/// Polls until the reader is lost; returns the reason.
async fn poll<T: AsyncRead + AsyncWrite + Unpin>(
    client: &mut SamClient<T>,
    config: &DriverConfig,
    events: &Events,
) -> Result<String, Stopped> {
    // Only a salted hash of the card on the pad is kept between polls.
    let mut present: Option<IdentityToken> = None;
    let mut last_failure: Option<ReadFailure> = None;
    let mut empty_polls = 0u32;
    let mut errors = 0u32;
    let reason = loop {
        let result = cycle(client, config.with_fingerprint).await;
        events.cycle(result.is_ok());
        match result {
            Ok(Cycle::NoCard) => {
                errors = 0;
                empty_polls = empty_polls.saturating_add(1);
                last_failure = None;
                if present.is_some() && empty_polls >= config.removal_polls {
                    present = None;
                    events.emit(ReaderEvent::CardRemoved).await?;
                }
            }
            Ok(Cycle::Card(card)) => {
                errors = 0;
                empty_polls = 0;
                last_failure = None;
                let token = card.identity_token(b"id-reader driver: same card on the pad");
                if present != Some(token) {
                    if present.is_some() {
                        events.emit(ReaderEvent::CardRemoved).await?;
                    }
                    present = Some(token);
                    events.card_read();
                    events.emit(ReaderEvent::CardRead(card)).await?;
                }
            }
            Ok(Cycle::Failed(failure)) => {
                errors = 0;
                empty_polls = 0;
                if present.is_none() && last_failure.as_ref() != Some(&failure) {
                    tracing::info!(%failure, "ID card read failed");
                    last_failure = Some(failure.clone());
                    events.emit(ReaderEvent::ReadFailed(failure)).await?;
                }
            }
            Err(e) if e.is_transport() => break e.to_string(),
            Err(e) => {
                errors += 1;
                tracing::debug!(error = %e, errors, "ID reader exchange failed");
                if errors >= config.lost_after {
                    break e.to_string();
                }
            }
        }
        tokio::time::sleep(config.poll_interval).await;
    };
    if present.is_some() {
        events.emit(ReaderEvent::CardRemoved).await?;
    }
    Ok(reason)
}
