//! A fresh database for one test: an SQLite file in a temporary directory, or a new PostgreSQL
//! database (`CREATE DATABASE` with a unique name on the server `CENTRE_TEST_DATABASE_URL` names,
//! dropped when the test ends).
//!
//! Without `CENTRE_TEST_DATABASE_URL` the PostgreSQL tests print a `SKIPPED` line and pass, except
//! under CI (`CI` set), where they fail: `.ci/run` starts a throwaway server
//! (`scripts/test-postgres.sh`), so a missing variable there is a broken run.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
};

use centre::{Store, open_store};
use tempfile::TempDir;
use tokio_postgres::NoTls;

/// The variable naming the PostgreSQL server the tests may use.
pub const DATABASE_URL_VAR: &str = "CENTRE_TEST_DATABASE_URL";

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A database of its own for one test, removed at the end.
pub struct TestDb {
    pub engine: Engine,
    /// The data directory (the SQLite file is in it; a centre process's data directory goes in it).
    pub dir: TempDir,
    /// `postgres://…` of this test's database; none for SQLite.
    pub url: Option<String>,
    /// The database's name and the URL of the server's maintenance database, to drop it.
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// An SQLite database in a new temporary directory.
    pub fn sqlite() -> Self {
        Self::sqlite_in(&std::env::temp_dir())
    }

    /// An SQLite database in a new temporary directory under `parent` (a benchmark measures its disk).
    pub fn sqlite_in(parent: &Path) -> Self {
        Self {
            engine: Engine::Sqlite,
            dir: tempfile::tempdir_in(parent).unwrap(),
            url: None,
            postgres: None,
        }
    }

    /// A new, empty PostgreSQL database, or none (after a `SKIPPED` line) when no server is
    /// configured outside CI. `test` names the caller in that line.
    pub async fn postgres(test: &str) -> Option<Self> {
        let server = postgres_server(test)?;
        static SEQUENCE: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "centre_test_{}_{}_{}",
            std::process::id(),
            SEQUENCE.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let client = connect(&server).await;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|err| panic!("CREATE DATABASE {name} on {server}: {err}"));
        Some(Self {
            engine: Engine::Postgres,
            dir: tempfile::tempdir().unwrap(),
            url: Some(with_database(&server, &name)),
            postgres: Some((name, server)),
        })
    }

    /// A database of `engine` (none: PostgreSQL skipped, see [`TestDb::postgres`]).
    pub async fn of(engine: Engine, test: &str) -> Option<Self> {
        match engine {
            Engine::Sqlite => Some(Self::sqlite()),
            Engine::Postgres => Self::postgres(test).await,
        }
    }

    /// The SQLite file, for SQLite.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        (self.engine == Engine::Sqlite).then(|| self.dir.path().join(centre::store::SQLITE_FILE))
    }

    /// What `centre serve --database` takes for this database.
    pub fn database_arg(&self) -> String {
        match &self.url {
            Some(url) => url.clone(),
            None => format!("sqlite:{}", self.sqlite_path().unwrap().display()),
        }
    }

    /// Opens the store the way `centre serve` does.
    pub async fn open(&self) -> Arc<dyn Store> {
        open_store(self.url.as_deref(), self.dir.path())
            .await
            .unwrap()
    }

    /// The one integer `sql` selects, read with the engine's own client (not through the store).
    pub async fn count(&self, sql: &str) -> i64 {
        match &self.url {
            Some(url) => connect(url).await.query_one(sql, &[]).await.unwrap().get(0),
            None => {
                let conn = rusqlite::Connection::open(self.sqlite_path().unwrap()).unwrap();
                conn.query_row(sql, [], |r| r.get(0)).unwrap()
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((name, server)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime: a thread of its own with its own runtime.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    connect(&server)
                        .await
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) && !std::thread::panicking() {
            eprintln!("test database not dropped: {dropped:?}");
        }
    }
}

/// The server's URL, or none after a `SKIPPED` line; under CI its absence fails the test.
fn postgres_server(test: &str) -> Option<String> {
    match std::env::var(DATABASE_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{test}: {DATABASE_URL_VAR} is not set under CI; `.ci/run` starts PostgreSQL \
                 (scripts/test-postgres.sh) and sets it"
            );
            eprintln!(
                "SKIPPED {test} on PostgreSQL: {DATABASE_URL_VAR} is not set (run `bash \
                 scripts/test-postgres.sh run -- cargo test -p centre`)"
            );
            None
        }
    }
}

/// A plain client connection (its connection task spawned on the current runtime).
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|err| panic!("connecting to {url}: {err}"));
    tokio::spawn(connection);
    client
}

/// `url` naming the database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a postgres:// URL");
    let path_start = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(path_start);
    let query = tail.split_once('?').map(|(_, q)| q);
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

/// Runs each named `async fn(TestDb)` as two tests, `sqlite::NAME` and `postgres::NAME`.
#[allow(unused_macros)]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(crate::support::db::TestDb::sqlite()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(db) =
                        crate::support::db::TestDb::postgres(stringify!($name)).await
                    {
                        super::$name(db).await;
                    }
                }
            )*
        }
    };
}
