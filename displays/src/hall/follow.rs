//! Following the queue host over the LAN: its event stream (SSE, replayed from the last id after a
//! reconnect) and its snapshot (`GET /api/v1/queue`) for waiting counts and window names.
//!
//! The follower runs on its own thread with a small async runtime and hands everything to the display
//! through a channel, so the UI thread never waits on the network. It never gives up: when the host is
//! away it says so ([`HostMsg::Connected`]`(false)`) and keeps trying, backing off up to five seconds.

use std::{
    sync::mpsc::{Receiver, Sender},
    thread::JoinHandle,
    time::Duration,
};

use futures_util::StreamExt;
use tokio::sync::oneshot;

use queue::{HttpQueueClient, QueueClient, QueueError, QueueEvent, wire::QueueResponse};

/// What the follower learns about the queue host.
#[derive(Debug, Clone)]
pub enum HostMsg {
    /// Whether the host answers.
    Connected(bool),
    /// Waiting counts, windows and the business day.
    Snapshot(QueueResponse),
    /// An event, in log order.
    Event(QueueEvent),
}

/// How often the snapshot is refreshed when nothing happens.
const REFRESH: Duration = Duration::from_secs(5);
/// Delay after an event before the snapshot is refreshed (several events in a burst share one refresh).
const SETTLE: Duration = Duration::from_millis(150);
/// Time allowed for a snapshot request.
const SNAPSHOT_TIMEOUT: Duration = Duration::from_secs(4);

/// Why following the queue host could not start.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    /// The host's address is not usable.
    #[error("queue host: {0}")]
    Host(#[from] QueueError),
    /// `[displays] queue_host_ca_file` cannot be read.
    #[error("[displays] queue_host_ca_file {path}: {source}")]
    CaFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// The follower's thread or runtime could not start.
    #[error("cannot start the queue follower: {0}")]
    Start(#[from] std::io::Error),
}

/// A running follower; dropping it stops it.
#[derive(Debug)]
pub struct Follower {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Follower {
    /// Follows `[displays] queue_host`, trusting `queue_host_ca_file` when set.
    pub fn spawn_configured(
        config: &super::DisplaysConfig,
    ) -> Result<(Self, Receiver<HostMsg>), FollowError> {
        let trusted = match &config.queue_host_ca_file {
            Some(path) => Some(std::fs::read(path).map_err(|source| FollowError::CaFile {
                path: path.clone(),
                source,
            })?),
            None => None,
        };
        Self::spawn(&config.queue_host, trusted.as_deref())
    }

    /// Follows the host at `base_url`, sending what it learns to the returned channel. With
    /// `trusted_pem`, an `https://` host must present one of those certificates (or one they issued).
    pub fn spawn(
        base_url: &str,
        trusted_pem: Option<&[u8]>,
    ) -> Result<(Self, Receiver<HostMsg>), FollowError> {
        let mut client = HttpQueueClient::new(base_url, "", None)?;
        if let Some(pem) = trusted_pem {
            client = client.with_trusted_pem(pem)?;
        }
        let base = base_url.trim_end_matches('/').to_owned();
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("queue-follower".into())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::select! {
                        () = follow(client, base, tx) => {}
                        _ = stopped => {}
                    }
                });
            })?;
        Ok((
            Self {
                stop: Some(stop),
                thread: Some(thread),
            },
            rx,
        ))
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn snapshot(client: &HttpQueueClient) -> Option<QueueResponse> {
    tokio::time::timeout(SNAPSHOT_TIMEOUT, client.snapshot())
        .await
        .ok()?
        .ok()
}

/// Follows the host until the receiver is dropped.
async fn follow(client: HttpQueueClient, base: String, tx: Sender<HostMsg>) {
    let mut last_seq: Option<u64> = None;
    let mut connected: Option<bool> = None;
    let mut failures = 0u32;
    let mut report = |up: bool, tx: &Sender<HostMsg>| -> bool {
        if connected != Some(up) {
            connected = Some(up);
            return tx.send(HostMsg::Connected(up)).is_ok();
        }
        true
    };
    loop {
        let mut stream = match client.subscribe(last_seq).await {
            Ok(stream) => stream,
            Err(err) => {
                tracing::debug!("queue host {base}: {err}");
                if !report(false, &tx) {
                    return;
                }
                failures += 1;
                tokio::time::sleep(Duration::from_millis(250 * (1 << failures.min(4)))).await;
                continue;
            }
        };
        failures = 0;
        // Subscribed first, then the snapshot: nothing that happens in between is missed.
        let mut refresh_at = tokio::time::Instant::now();
        loop {
            tokio::select! {
                event = stream.next() => match event {
                    Some(Ok(event)) => {
                        last_seq = Some(event.seq);
                        if tx.send(HostMsg::Event(event)).is_err() {
                            return;
                        }
                        refresh_at = refresh_at.min(tokio::time::Instant::now() + SETTLE);
                    }
                    // The stream keeps reconnecting by itself; an error means it has failed for a while.
                    Some(Err(_)) => {
                        if !report(false, &tx) {
                            return;
                        }
                    }
                    None => break,
                },
                () = tokio::time::sleep_until(refresh_at) => {
                    match snapshot(&client).await {
                        Some(snap) => {
                            if !report(true, &tx) || tx.send(HostMsg::Snapshot(snap)).is_err() {
                                return;
                            }
                        }
                        None => {
                            if !report(false, &tx) {
                                return;
                            }
                        }
                    }
                    refresh_at = tokio::time::Instant::now() + REFRESH;
                }
            }
        }
    }
}
