//! Errors of the content module. Each names what was wrong: the file, line and field of a source, the
//! object and its expected hash, the key id, the versions.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

/// Configuration, key and publishing errors.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// A `[content]` key has a bad value.
    #[error("configuration key `{key}`: {reason}")]
    Config {
        /// The key, e.g. `content.trusted_keys`.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A key file cannot be used.
    #[error("key file {}: {reason}", path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A source file of a bundle is wrong.
    #[error("{}{}{}: {reason}", file.display(), line.map(|l| format!(", line {l}")).unwrap_or_default(), field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
    Source {
        /// The source file.
        file: PathBuf,
        /// Line number (1-based), when known.
        line: Option<usize>,
        /// Field or column, when known.
        field: Option<String>,
        /// What is wrong.
        reason: String,
    },
    /// A release build was asked for while the sources have open items (each names file and line).
    #[error("not releasable: {} open item(s):\n{}", .0.len(), .0.iter().map(|i| format!("  {i}")).collect::<Vec<_>>().join("\n"))]
    NotReleasable(Vec<crate::open_item::OpenItem>),
    /// A bundle failed verification.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl ContentError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn source(
        file: &Path,
        line: Option<usize>,
        field: Option<&str>,
        reason: impl Into<String>,
    ) -> Self {
        Self::Source {
            file: file.to_owned(),
            line,
            field: field.map(str::to_owned),
            reason: reason.into(),
        }
    }
}

/// Why a bundle was refused. The last good content stays on screen whatever the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Something is larger than the configured limit.
    #[error("oversize: {what} is {size} bytes (or items), the limit is {limit}")]
    Oversize {
        /// What is too large.
        what: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// `manifest.json` is not a manifest at all (an HTML error page, a captive portal, garbage).
    #[error("not a manifest: {reason}")]
    NotAManifest {
        /// What was received instead.
        reason: String,
    },
    /// A trusted key's signature does not verify.
    #[error("bad signature by key {key_id}")]
    BadSignature {
        /// The key id.
        key_id: String,
    },
    /// No signature by a trusted key.
    #[error("no signature by a trusted key (signed by: {})", if offered.is_empty() { "nobody".to_owned() } else { offered.join(", ") })]
    UnknownKey {
        /// Key ids of the signatures present.
        offered: Vec<String>,
    },
    /// The manifest or a collection does not follow the format.
    #[error("malformed bundle: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// A file name is not a SHA-256 digest (e.g. an attempt at path traversal).
    #[error("invalid file name `{name}`: names must be 64 lowercase hex digits")]
    InvalidName {
        /// The name, shortened.
        name: String,
    },
    /// The bundle is older than what the device has (or the same version with different content).
    #[error("rollback refused: offered version {offered}, installed or seen version {installed}")]
    Rollback {
        /// Highest version installed so far.
        installed: u64,
        /// The version offered.
        offered: u64,
    },
    /// The bundle is past its expiry: an expired bundle is never applied.
    #[error(
        "expired: the bundle expired at {expires}, the device's time is {now} (the later of its clock and \
         the newest signing time seen); if the device clock is wrong, set it"
    )]
    Expired {
        /// The bundle's expiry.
        expires: DateTime<Utc>,
        /// The time used (see the clock policy).
        now: DateTime<Utc>,
    },
    /// The version is above the signing time in seconds (e.g. 2^64−1), which would block every later bundle.
    #[error(
        "version {version} is above its signing time {created} in seconds since 1970 ({}): versions are \
         bounded by their signing time",
        created.timestamp()
    )]
    VersionAboveSigningTime {
        /// The version offered.
        version: u64,
        /// The bundle's signing time.
        created: DateTime<Utc>,
    },
    /// The bundle claims a signing time too far after the device's time.
    #[error(
        "signed at {created}, after {horizon}, the latest signing time this device accepts now (its time \
         plus content.max_signed_ahead_days); if the device clock is behind, set it"
    )]
    SignedTooFarAhead {
        /// The bundle's signing time.
        created: DateTime<Utc>,
        /// The latest signing time accepted.
        horizon: DateTime<Utc>,
    },
    /// The bundle's epoch is below the device's (a bundle from before a reset).
    #[error("epoch rollback refused: offered epoch {offered}, this device is at epoch {installed}")]
    EpochRollback {
        /// The device's epoch.
        installed: u64,
        /// The epoch offered.
        offered: u64,
    },
    /// The bundle's epoch is too far above the device's.
    #[error(
        "epoch {offered} is more than {max_step} above this device's epoch {installed}: refused so that epochs \
         cannot be used up"
    )]
    EpochJump {
        /// The device's epoch.
        installed: u64,
        /// The epoch offered.
        offered: u64,
        /// The largest step accepted.
        max_step: u64,
    },
    /// A bundle directory (USB stick) holds something other than a regular file where a file belongs, or
    /// reaches it through a symbolic link.
    #[error(
        "{file} is {found}: a bundle directory may hold only regular files in plain directories, never \
         links, pipes or devices"
    )]
    NotARegularFile {
        /// The file, as found in the bundle directory.
        file: String,
        /// What is there instead: a symbolic link, a named pipe (FIFO), a device…
        found: String,
    },
    /// A file does not have the hash (or size) the manifest gives.
    #[error("hash mismatch for file {object}: {reason}")]
    HashMismatch {
        /// The expected SHA-256.
        object: String,
        /// What was found.
        reason: String,
    },
    /// A collection's records are wrong.
    #[error("collection `{collection}`: {reason}")]
    Collection {
        /// The collection.
        collection: String,
        /// What is wrong.
        reason: String,
    },
}

/// Why a sync did not apply a bundle.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The configuration does not allow syncing (e.g. a source without a centre key); nothing was fetched.
    #[error("configuration key `{key}`: {reason}")]
    NotConfigured {
        /// The key to set, e.g. `content.trusted_keys`.
        key: String,
        /// What is wrong (Chinese, then English).
        reason: String,
    },
    /// The bundle was refused.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The transfer failed (network down, connection cut): retried at the next sync, resuming.
    #[error("{url}: {reason}")]
    Transfer {
        /// The URL or path.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The server answered with an error status.
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The device could not read or write its store.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl SyncError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Outbox errors.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The outbox database failed.
    #[error("outbox database {}: {source}", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// The database file could not be created or restricted to mode 0600.
    #[error("outbox database {}: {source}", path.display())]
    File {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A payload is not acceptable (e.g. a rating outside 1 to 5).
    #[error("invalid {kind}: {reason}")]
    Invalid {
        /// The payload kind.
        kind: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// An error and its causes on one line (a TLS failure, such as a certificate
/// that is not the pinned one, is only in the sources of reqwest's error).
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
