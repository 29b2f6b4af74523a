//! The record of content publications (`content_publications`: who published which bundle, when).
//!
//! Kept out of the [`crate::Store`] trait on purpose: publications are rare, written by this module
//! alone, and the table lives in the same SQLite file as the store (`centre.sqlite3`) through a
//! connection of its own. Its schema is a separate migration step: `CREATE TABLE IF NOT EXISTS` run when
//! the log is opened, independent of the store's `PRAGMA user_version`, so the store's schema versions
//! are not touched. With a PostgreSQL store the log is kept in `content-publications.sqlite3` in the
//! data directory, beside the published bundles it describes.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError},
};

use chrono::{DateTime, Utc};
use content::private_file::{create_private, restrict};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::{error::StoreError, store::SQLITE_FILE};

/// The migration step that adds the table (idempotent).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS content_publications (
    id INTEGER PRIMARY KEY,
    publisher TEXT NOT NULL,
    version INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    title TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    files INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    published_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS content_publications_by_time ON content_publications (published_ms);
";

/// The file of the log when the store is not SQLite.
const OWN_FILE: &str = "content-publications.sqlite3";

/// One publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publication {
    /// The publisher's name (`[[publishers]] name`).
    pub publisher: String,
    /// The bundle's version.
    pub version: u64,
    /// Its epoch.
    pub epoch: u64,
    /// Its title.
    pub title: String,
    /// SHA-256 of its `manifest.json`.
    pub manifest_sha256: String,
    /// Files in the bundle.
    pub files: u64,
    /// Their total size.
    pub bytes: u64,
    /// When the centre published it (its clock).
    pub published: DateTime<Utc>,
}

/// The publication log. Clone freely.
#[derive(Clone)]
pub struct PublicationLog {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for PublicationLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicationLog")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl PublicationLog {
    /// The file for a database URL as `centre serve --database` takes it: the SQLite file of the store
    /// (none: `centre.sqlite3` in `data_dir`), else a file of its own in `data_dir`.
    pub fn path_for(database: Option<&str>, data_dir: &Path) -> PathBuf {
        match database.map(|url| url.strip_prefix("sqlite:")) {
            None => data_dir.join(SQLITE_FILE),
            Some(Some(path)) if !path.is_empty() => {
                PathBuf::from(path.strip_prefix("//").unwrap_or(path))
            }
            Some(_) => data_dir.join(OWN_FILE),
        }
    }

    /// Opens the log in the SQLite file at `path` (created with mode 0600 when missing) and adds the
    /// table when it is not there.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let sqlite = |source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        };
        create_private(path).map_err(|source| StoreError::File {
            path: path.to_owned(),
            source,
        })?;
        let conn = Connection::open(path).map_err(sqlite)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sqlite)?;
        conn.execute_batch(&format!(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; BEGIN; {SCHEMA} COMMIT;"
        ))
        .map_err(sqlite)?;
        for suffix in ["-wal", "-shm"] {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            restrict(Path::new(&side)).map_err(|source| StoreError::File {
                path: path.to_owned(),
                source,
            })?;
        }
        Ok(Self {
            path: path.to_owned(),
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn sqlite(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Records a publication (durable when it returns). Blocking.
    pub fn record(&self, publication: &Publication) -> Result<(), StoreError> {
        let int = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        self.conn()
            .execute(
                "INSERT INTO content_publications
                 (publisher, version, epoch, title, manifest_sha256, files, bytes, published_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    publication.publisher,
                    int(publication.version),
                    int(publication.epoch),
                    publication.title,
                    publication.manifest_sha256,
                    int(publication.files),
                    int(publication.bytes),
                    publication.published.timestamp_millis(),
                ],
            )
            .map_err(|err| self.sqlite(err))?;
        Ok(())
    }

    /// The newest `limit` publications, newest first. Blocking.
    pub fn recent(&self, limit: usize) -> Result<Vec<Publication>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare(
                "SELECT publisher, version, epoch, title, manifest_sha256, files, bytes, published_ms
                 FROM content_publications ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|err| self.sqlite(err))?;
        let uint = |value: i64| u64::try_from(value).unwrap_or_default();
        let rows = statement
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
                Ok(Publication {
                    publisher: row.get(0)?,
                    version: uint(row.get(1)?),
                    epoch: uint(row.get(2)?),
                    title: row.get(3)?,
                    manifest_sha256: row.get(4)?,
                    files: uint(row.get(5)?),
                    bytes: uint(row.get(6)?),
                    published: DateTime::from_timestamp_millis(row.get(7)?).unwrap_or_default(),
                })
            })
            .map_err(|err| self.sqlite(err))?;
        rows.collect::<Result<_, _>>()
            .map_err(|err| self.sqlite(err))
    }
}
