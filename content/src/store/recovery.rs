//! What the store reports to the centre (the heartbeat), and the technician's recovery: forgetting the
//! installed versions, the epoch and the time floor, so that the next bundle from the centre is accepted
//! whatever a bad bundle did to them ("Recovery" in `content/README.md`).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{ContentStore, State, write_state};
use crate::{error::SyncError, model::Content, outbox::Heartbeat};

/// What [`ContentStore::reset_to_default`] forgot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetReport {
    /// The version that was installed (none: nothing was).
    pub forgotten_version: Option<u64>,
    /// The previous good version that was kept (none: nothing was).
    pub forgotten_previous: Option<u64>,
    /// The highest version seen before the reset.
    pub highest_version: u64,
    /// The epoch before the reset.
    pub epoch: u64,
    /// The time floor before the reset.
    pub time_floor: Option<DateTime<Utc>>,
    /// The version on screen after the reset (the embedded default's, when the build has one).
    pub now_showing: Option<u64>,
}

impl ContentStore {
    /// A heartbeat of the content's state: version, staleness (judged as in [`ContentStore::status`]), the
    /// clock verdict (`plausible`, `behind`, `ahead`), the last sync error and `outbox_pending`.
    pub fn heartbeat(&self, outbox_pending: u64) -> Heartbeat {
        let status = self.status();
        let now = self.now();
        Heartbeat {
            content_version: status.version,
            content_stale: status.stale,
            clock: status.clock.as_str().to_owned(),
            last_sync_error: status.last_error,
            outbox_pending,
            content_age_secs: self
                .current()
                .info
                .as_ref()
                .map(|i| (now - i.created).num_seconds().max(0).unsigned_abs()),
            ..Heartbeat::default()
        }
    }

    /// The technician's recovery (`kiosk content reset`): forgets the installed and previous versions, the
    /// highest version seen, the epoch and the time floor, and shows the embedded default again. The next
    /// bundle from a sync source is then accepted whatever its version or epoch, as long as a trusted key
    /// signed it, it has not expired by the device clock and its signing time is within
    /// `max_signed_ahead_days` of it. The outbox is not touched. Check the device clock first.
    pub async fn reset_to_default(&self) -> Result<ResetReport, SyncError> {
        let _guard = self.inner.sync_lock.lock().await;
        let mut report = {
            let mut state = self.state();
            let report = ResetReport {
                forgotten_version: state.current.as_ref().map(|c| c.version),
                forgotten_previous: state.previous.as_ref().map(|p| p.version),
                highest_version: state.highest_version,
                epoch: state.epoch,
                time_floor: state.time_floor,
                now_showing: None,
            };
            for dropped in [state.current.take(), state.previous.take()]
                .into_iter()
                .flatten()
            {
                let _ = std::fs::remove_file(self.manifest_path(dropped.version));
            }
            *state = State::default();
            write_state(&self.inner.dir, &state)?;
            report
        };
        tracing::warn!(
            "content reset by the technician: forgot version {:?} (previous {:?}), highest version {}, epoch {}, \
             time floor {:?}; the next bundle from the centre is accepted whatever its version",
            report.forgotten_version,
            report.forgotten_previous,
            report.highest_version,
            report.epoch,
            report.time_floor
        );
        self.inner.content.send_replace(Arc::new(Content::empty()));
        self.install_bundled();
        self.collect_garbage();
        report.now_showing = self.current().info.as_ref().map(|i| i.version);
        Ok(report)
    }
}
