//! A version-1 database file (as the first release wrote it) is upgraded to the current version (8) in
//! place: its items stay, complaints keep their status, and the new tables and columns are there
//! (the applications' tables of version 8 among them, empty).

use centre::{SqliteStore, Store, store::CaseFilter};
use rusqlite::Connection;

/// The tables of version 1 that version 2 changes, with one device, one complaint and one rating.
const V1: &str = "
CREATE TABLE devices (id TEXT PRIMARY KEY, site TEXT NOT NULL, token_sha256 TEXT UNIQUE);
CREATE TABLE staff (user TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
    demo INTEGER NOT NULL DEFAULT 0);
CREATE TABLE items (id INTEGER PRIMARY KEY, device TEXT NOT NULL REFERENCES devices(id),
    key TEXT NOT NULL, kind TEXT NOT NULL, created_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL,
    body TEXT NOT NULL, UNIQUE (device, key));
CREATE TABLE complaints (item_id INTEGER PRIMARY KEY REFERENCES items(id), device TEXT NOT NULL,
    key TEXT NOT NULL, about TEXT NOT NULL, text TEXT NOT NULL, contact TEXT, status TEXT NOT NULL,
    created_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL);
CREATE TABLE ratings (item_id INTEGER PRIMARY KEY REFERENCES items(id), device TEXT NOT NULL,
    key TEXT NOT NULL, service TEXT NOT NULL, ticket TEXT, score INTEGER NOT NULL,
    comment TEXT NOT NULL, created_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL);
INSERT INTO devices VALUES ('k1', '向阳镇', NULL);
INSERT INTO items VALUES (1, 'k1', 'T-ABCD-EFGH', 'complaint', 0, 1000, '{}');
INSERT INTO complaints VALUES (1, 'k1', 'T-ABCD-EFGH', 'general', '【投诉】太慢', NULL, 'received', 0, 1000);
INSERT INTO items VALUES (2, 'k1', 'P-ABCD-EFGH', 'rating', 0, 1000, '{}');
INSERT INTO ratings VALUES (2, 'k1', 'P-ABCD-EFGH', 'notary', 'N001', 1, '', 0, 1000);
PRAGMA user_version = 1;
";

#[tokio::test]
async fn a_version_1_file_is_upgraded_and_keeps_its_items() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    Connection::open(&path).unwrap().execute_batch(V1).unwrap();

    let store = SqliteStore::open(&path).unwrap();
    let cases = store
        .complaint_cases(CaseFilter {
            limit: 10,
            ..CaseFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].record.key, "T-ABCD-EFGH");
    assert_eq!(cases[0].assignee, None);
    let visits = store.rated_visits(None, 10).await.unwrap();
    assert_eq!((visits.len(), visits[0].return_call.is_none()), (1, true));
    let rating = &visits[0].record.rating;
    assert_eq!(
        (
            rating.staff_id.as_deref(),
            rating.reasons.len(),
            rating.source.as_deref()
        ),
        (None, 0, None),
        "a first-release rating names no one"
    );
    assert!(store.audit(10).await.unwrap().is_empty());
    assert!(store.alerts(true, 10).await.unwrap().is_empty());
    assert!(
        store
            .applications(centre::store::ApplicationFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap()
            .is_empty(),
        "version 8's applications table is there"
    );
    drop(store);

    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version, 8,
        "the web app's step, the reports', the ratings' windows, the bookings', the ratings' staff, the call-backs, the applications"
    );
    // Opening again does not run the step twice (it would fail on the existing columns).
    drop(conn);
    let again = SqliteStore::open(&path).unwrap();
    assert_eq!(again.devices().await.unwrap()[0].township, None);
}
