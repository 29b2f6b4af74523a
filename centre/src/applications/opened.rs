//! Stored applications opened for the staff pages.
//!
//! The database holds each application sealed as received; its page, its thumbnails and its
//! signature are read from the envelope opened in memory. One page shows many thumbnails, each its own
//! request, so the opened application is kept for [`KEEP_SECS`] seconds (by the injected clock) for
//! the next requests, at most [`MAX_KEPT`] of them; an older or evicted one is dropped, and with it its
//! pages' bytes are wiped (`applications::Page` zeroizes on drop). Openings take turns: a burst of
//! thumbnail requests for a new application opens its envelope once, and memory stays bounded to a
//! few applications however many requests arrive.

use std::sync::Arc;

use ::applications::{Application, TrackingCode};
use chrono::{DateTime, Duration, Utc};

use super::ApplicationKeys;
use crate::{error::StoreError, store::Store};

/// How long an opened application is kept for the next request, in seconds.
pub const KEEP_SECS: i64 = 120;
/// Opened applications kept at most.
pub const MAX_KEPT: usize = 4;

/// Why a stored application cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// This centre was started without an application key.
    #[error("this centre has no application key")]
    NoKey,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored envelope does not open with this centre's key (the key file was replaced?) or
    /// does not unpack.
    #[error("the stored envelope of {code} cannot be opened: {reason}")]
    Unreadable {
        /// The tracking code.
        code: String,
        /// Why.
        reason: String,
    },
}

struct Kept {
    code: TrackingCode,
    opened: DateTime<Utc>,
    application: Arc<Application>,
}

/// The applications opened lately (see the module documentation).
#[derive(Default)]
pub struct OpenedApplications {
    kept: tokio::sync::Mutex<Vec<Kept>>,
}

impl std::fmt::Debug for OpenedApplications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedApplications").finish_non_exhaustive()
    }
}

impl OpenedApplications {
    /// The application `code` opened: kept from a request less than [`KEEP_SECS`] ago, or read
    /// from `store` and opened with `keys` now. None when the store has no such application.
    pub async fn get(
        &self,
        store: &dyn Store,
        keys: Option<&Arc<ApplicationKeys>>,
        code: &TrackingCode,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<Application>>, OpenError> {
        let keys = Arc::clone(keys.ok_or(OpenError::NoKey)?);
        let mut kept = self.kept.lock().await;
        kept.retain(|k| now >= k.opened && now - k.opened < Duration::seconds(KEEP_SECS));
        if let Some(k) = kept.iter().find(|k| k.code == *code) {
            return Ok(Some(Arc::clone(&k.application)));
        }
        let Some(envelope) = store.application_envelope(code.to_string()).await? else {
            return Ok(None);
        };
        let context = code.as_str().as_bytes().to_vec();
        let unreadable = |reason: String| OpenError::Unreadable {
            code: code.to_string(),
            reason,
        };
        // Opening tens of megabytes is CPU work: off the async threads.
        let application = tokio::task::spawn_blocking(move || {
            let plain = keys
                .open(&context, &envelope)
                .map_err(|err| err.to_string())?;
            Application::unpack(&plain).map_err(|err| err.to_string())
        })
        .await
        .map_err(|err| OpenError::Store(StoreError::Task(err.to_string())))?
        .map_err(unreadable)?;
        let application = Arc::new(application);
        if kept.len() >= MAX_KEPT {
            kept.remove(0);
        }
        kept.push(Kept {
            code: code.clone(),
            opened: now,
            application: Arc::clone(&application),
        });
        Ok(Some(application))
    }
}
