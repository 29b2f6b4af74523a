//! The running kiosk's sync task: one sync per interval plus jitter, heartbeats into the outbox.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use rand::Rng as _;
use tokio::{sync::Notify, task::JoinHandle};

use super::{
    clock::ClockVerdict,
    outbox::{Heartbeat, Outbox, OutboxPayload},
    store::ContentStore,
};

/// The background sync task. Dropping it does not stop it; call [`SyncTask::stop`].
#[derive(Debug)]
pub struct SyncTask {
    wake: Arc<Notify>,
    handle: JoinHandle<()>,
}

impl SyncTask {
    /// Runs a sync now instead of at the end of the current interval (e.g. a USB stick was inserted).
    pub fn trigger(&self) {
        self.wake.notify_one();
    }

    /// Stops the task.
    pub fn stop(&self) {
        self.handle.abort();
    }
}

impl ContentStore {
    /// Starts the background sync on `runtime`: syncs at once, then every `interval_secs` plus up to
    /// `jitter_secs`; puts a heartbeat in `outbox` every `heartbeat_secs`. Failures are logged and the last
    /// good content stays.
    pub fn spawn_sync(&self, runtime: &tokio::runtime::Handle, outbox: Option<Outbox>) -> SyncTask {
        let wake = Arc::new(Notify::new());
        let store = self.clone();
        let task_wake = Arc::clone(&wake);
        let handle = runtime.spawn(async move {
            let config = store.config().clone();
            let mut last_heartbeat: Option<Instant> = None;
            loop {
                for attempt in store.sync_once().await {
                    match attempt.result {
                        Ok(report) => tracing::info!(
                            "content sync from {}: {:?}",
                            attempt.origin,
                            report.outcome
                        ),
                        Err(err) => tracing::warn!("content sync from {}: {err}", attempt.origin),
                    }
                }
                if let Some(outbox) = &outbox
                    && config.heartbeat_secs > 0
                    && last_heartbeat
                        .is_none_or(|t| t.elapsed() >= Duration::from_secs(config.heartbeat_secs))
                {
                    last_heartbeat = Some(Instant::now());
                    let status = store.status();
                    let heartbeat = Heartbeat {
                        content_version: status.version,
                        content_stale: status.stale,
                        clock: match status.clock {
                            ClockVerdict::Plausible => "plausible",
                            ClockVerdict::Behind => "behind",
                            ClockVerdict::Ahead => "ahead",
                        }
                        .to_owned(),
                        last_sync_error: status.last_error,
                        outbox_pending: outbox.pending_count().unwrap_or(0),
                        ..Heartbeat::default()
                    };
                    if let Err(err) = outbox.submit(OutboxPayload::Heartbeat(heartbeat)) {
                        tracing::error!("heartbeat not queued: {err}");
                    }
                }
                let jitter = if config.jitter_secs == 0 {
                    0
                } else {
                    rand::rng().random_range(0..=config.jitter_secs)
                };
                let wait = Duration::from_secs(config.interval_secs + jitter);
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = task_wake.notified() => {}
                }
            }
        });
        SyncTask { wake, handle }
    }
}
