//! The running kiosk's sync task: one sync per interval plus jitter, at once when a USB stick with a
//! bundle appears at `usb_path`, and heartbeats into the outbox.

use std::time::{Duration, Instant};

use rand::Rng as _;
use tokio::task::JoinHandle;

use super::{
    outbox::{Outbox, OutboxPayload},
    safe_read::exists_unfollowed,
    store::ContentStore,
};

/// The background sync task. Dropping it does not stop it; call [`SyncTask::stop`].
#[derive(Debug)]
pub struct SyncTask {
    handle: JoinHandle<()>,
}

impl SyncTask {
    /// Stops the task.
    pub fn stop(&self) {
        self.handle.abort();
    }
}

/// How often the USB path is looked at for a newly inserted stick.
pub(crate) const USB_POLL: Duration = Duration::from_secs(2);

/// Resolves when a bundle appears at `usb_path` (its `manifest.json` goes from absent to present): a stick was
/// inserted and mounted. Never resolves without a USB path. A stick left in place does not trigger again
/// until it has been removed.
async fn usb_inserted(usb_path: Option<&std::path::Path>, present_before: &mut bool) {
    let Some(path) = usb_path else {
        return std::future::pending().await;
    };
    let manifest = path.join("manifest.json");
    let mut every = tokio::time::interval(USB_POLL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        // Present in any form: a link or a pipe is refused by the sync with an error naming it.
        let present = exists_unfollowed(&manifest);
        let inserted = present && !*present_before;
        *present_before = present;
        if inserted {
            return;
        }
    }
}

impl ContentStore {
    /// Starts the background sync on `runtime`: syncs at once, then every `interval_secs` plus up to
    /// `jitter_secs`, and at once when a stick with a bundle is inserted at `usb_path` (looked at every
    /// [`USB_POLL`]); puts a heartbeat in `outbox` every `heartbeat_secs`. Failures are logged and the last
    /// good content stays.
    pub fn spawn_sync(&self, runtime: &tokio::runtime::Handle, outbox: Option<Outbox>) -> SyncTask {
        let store = self.clone();
        let handle = runtime.spawn(async move {
            let config = store.config().clone();
            let mut last_heartbeat: Option<Instant> = None;
            // A stick already present at start is synced by the first round below.
            let mut usb_present = match &config.usb_path {
                Some(path) => exists_unfollowed(&path.join("manifest.json")),
                None => false,
            };
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
                    let heartbeat = store.heartbeat(outbox.pending_count().unwrap_or(0));
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
                    () = usb_inserted(config.usb_path.as_deref(), &mut usb_present) => {
                        tracing::info!("a USB stick with a content bundle was inserted: syncing from it");
                    }
                }
            }
        });
        SyncTask { handle }
    }
}
