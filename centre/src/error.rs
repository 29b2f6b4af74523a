//! The errors of the library: storage, configuration, hashing and start-up.

use std::path::PathBuf;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// PostgreSQL failed: connecting, a query, or a transaction.
    #[error("PostgreSQL {target}: {source}")]
    Postgres {
        /// Which server and database (`host … port … database … user …`; never a password).
        target: String,
        /// What the client or the server said.
        #[source]
        source: tokio_postgres::Error,
    },
    /// No PostgreSQL connection could be had from the pool.
    #[error("PostgreSQL {target}: no connection: {reason}")]
    Pool {
        /// Which server and database (never a password).
        target: String,
        /// Why (timed out, closed, or the connection failed).
        reason: String,
    },
    /// Creating the database file or setting its mode failed.
    #[error("database file {path}: {source}")]
    File {
        /// The database file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Something stored cannot be read back.
    #[error("stored {what} cannot be read: {reason}")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// The database URL is not one this version can use.
    #[error("database URL `{url}`: {reason}")]
    Url {
        /// The URL as given, its password (if any) replaced by `***`.
        url: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The blocking task that ran the query panicked or was cancelled.
    #[error("the storage task failed: {0}")]
    Task(String),
}

/// A configuration file that cannot be used. Every error names the key and the reason.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A key is wrong.
    #[error("{path}: `{key}`: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The key, e.g. `devices[1].token_sha256`.
        key: String,
        /// Why.
        reason: String,
    },
}

/// A password could not be hashed, or is not acceptable for a real account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The password is too short or is a demo password.
    #[error("weak password: {0}")]
    WeakPassword(String),
    /// Argon2 failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Why the service did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The configuration cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The demo was asked for, but the database holds real staff accounts.
    #[error(
        "the demo (no --config) is refused: this database holds real staff accounts ({0}); start with --config"
    )]
    DemoRefused(String),
    /// The listening socket could not be opened or served.
    #[error("listening on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}
