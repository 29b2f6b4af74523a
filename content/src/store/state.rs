//! `DATA_DIR/content/state.json`: what the device installed and has seen, written atomically.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{admit::Seen, error::SyncError, fetch::Validators, manifest::Envelope};

pub(super) use crate::fetch::EMBEDDED_ORIGIN;

/// One installed version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Installed {
    pub(super) version: u64,
    pub(super) envelope_sha256: String,
    pub(super) origin: String,
}

impl Installed {
    /// Whether this is the embedded default (verified with the development key, and only as that).
    pub(super) fn is_embedded(&self) -> bool {
        self.origin == EMBEDDED_ORIGIN
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct State {
    pub(super) current: Option<Installed>,
    pub(super) previous: Option<Installed>,
    /// The highest version applied in the current epoch.
    pub(super) highest_version: u64,
    /// The trust epoch (raised by a reset bundle).
    #[serde(default)]
    pub(super) epoch: u64,
    /// The newest signing time applied.
    pub(super) time_floor: Option<DateTime<Utc>>,
    /// Validators of the configured URL, valid for the installed manifest only.
    pub(super) http_url: Option<String>,
    pub(super) http: Option<Validators>,
    pub(super) last_error: Option<String>,
    pub(super) last_success: Option<DateTime<Utc>>,
}

impl State {
    /// What the admission rules need.
    pub(super) fn seen(&self) -> Seen {
        Seen {
            highest_version: self.highest_version,
            epoch: self.epoch,
            time_floor: self.time_floor,
        }
    }
}

pub(super) fn read_state(dir: &Path) -> State {
    let path = dir.join("state.json");
    match std::fs::read(&path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => State::default(),
        Err(err) => {
            tracing::error!(
                "{}: {err}; starting from the manifests on disk",
                path.display()
            );
            rebuild_state(dir)
        }
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|err| {
            tracing::error!(
                "{}: {err}; starting from the manifests on disk",
                path.display()
            );
            rebuild_state(dir)
        }),
    }
}

/// A state that keeps rollback protection when `state.json` is lost: the highest epoch of the manifests on
/// disk and, in it, their highest version and newest signing time (they were verified when written).
fn rebuild_state(dir: &Path) -> State {
    let manifests: Vec<crate::Manifest> = std::fs::read_dir(dir.join("manifests"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let raw = std::fs::read(entry.path()).ok()?;
            let envelope: Envelope = serde_json::from_slice(&raw).ok()?;
            serde_json::from_str(&envelope.signed).ok()
        })
        .collect();
    let Some(epoch) = manifests.iter().map(|m| m.epoch).max() else {
        return State::default();
    };
    let in_epoch = || manifests.iter().filter(|m| m.epoch == epoch);
    State {
        highest_version: in_epoch().map(|m| m.version).max().unwrap_or(0),
        epoch,
        time_floor: in_epoch().map(|m| m.created).max(),
        ..State::default()
    }
}

pub(super) fn write_state(dir: &Path, state: &State) -> Result<(), SyncError> {
    let bytes = serde_json::to_vec_pretty(state).expect("state serialises");
    write_atomic(&dir.join("state.json"), &bytes)
}

/// Writes a file so that readers see the old or the new bytes, never a mix: temporary file, fsync, rename,
/// fsync of the directory.
pub(super) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SyncError> {
    use std::io::Write as _;
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|err| SyncError::io(&tmp, err))?;
    file.write_all(bytes)
        .map_err(|err| SyncError::io(&tmp, err))?;
    file.sync_all().map_err(|err| SyncError::io(&tmp, err))?;
    std::fs::rename(&tmp, path).map_err(|err| SyncError::io(path, err))?;
    if let Some(parent) = path.parent()
        && let Ok(dir) = std::fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}
