//! Finding 15 (outbox part): complaints, ratings and heartbeats piled up forever when no `outbox_url` was
//! set or the centre was unreachable, refused items were never purged, deleted complaints (telephone
//! numbers) stayed readable in the database file, and the file was world-readable. Real SQLite files,
//! an injected clock, a loopback endpoint.

#[path = "support/mod.rs"]
mod content_support;

use std::{os::unix::fs::PermissionsExt as _, path::Path};

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use content::{
    Complaint, ContentConfig, ItemState, Outbox, OutboxPayload, OutboxRetention, Rating,
    TicketStats, WallClock as _,
};
use content_support::{TestClock, TestServer};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
}

fn config(url: Option<String>, retention: OutboxRetention) -> ContentConfig {
    ContentConfig {
        outbox_url: url,
        outbox_retention: retention,
        ..ContentConfig::default()
    }
}

fn complaint(text: &str, phone: Option<&str>) -> OutboxPayload {
    OutboxPayload::Complaint(Complaint {
        about: "general".into(),
        text: text.into(),
        contact: phone.map(str::to_owned),
    })
}

fn heartbeat() -> OutboxPayload {
    OutboxPayload::Heartbeat(content::Heartbeat {
        clock: "plausible".into(),
        ..content::Heartbeat::default()
    })
}

fn kinds(outbox: &Outbox) -> Vec<String> {
    outbox
        .undelivered()
        .unwrap()
        .into_iter()
        .map(|i| i.message.payload.kind().to_owned())
        .collect()
}

#[test]
fn heartbeats_without_an_outbox_url_are_bounded_by_count_and_age() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new(t0());
    let retention = OutboxRetention {
        heartbeat_max_items: 10,
        heartbeat_max_age_days: 2,
        ..OutboxRetention::default()
    };
    let outbox =
        Outbox::open_with_clock(dir.path(), &config(None, retention), "k1", clock.clone()).unwrap();
    let mut keys = Vec::new();
    for i in 0..30 {
        clock.set(t0() + Duration::minutes(10 * i));
        keys.push(outbox.submit(heartbeat()).unwrap());
    }
    let kept: Vec<String> = outbox
        .undelivered()
        .unwrap()
        .into_iter()
        .map(|i| i.key)
        .collect();
    assert_eq!(kept, keys[20..], "the newest ten heartbeats are kept");
    let status = outbox.status().unwrap();
    assert_eq!(
        (status.pending, status.dropped.get("heartbeat").copied()),
        (10, Some(20))
    );

    // Three days later a rating arrives: the heartbeats are too old to matter and go; the rating stays.
    clock.set(t0() + Duration::days(3));
    let rating = outbox
        .submit(OutboxPayload::Rating(Rating {
            service: "notary".into(),
            ticket: None,
            score: 5,
            comment: String::new(),
            window: None,
            ..Default::default()
        }))
        .unwrap();
    assert_eq!(kinds(&outbox), ["rating"]);
    assert!(outbox.item(&rating).unwrap().is_some());
    // The delivery round runs retention too, with no endpoint configured; the counts survive a reopen.
    drop(outbox);
    let outbox =
        Outbox::open_with_clock(dir.path(), &config(None, retention), "k1", clock.clone()).unwrap();
    assert_eq!(outbox.status().unwrap().dropped.get("heartbeat"), Some(&30));
    assert_eq!(outbox.status().unwrap().dropped_total(), 30);
}

#[tokio::test]
async fn undelivered_items_beyond_the_bounds_go_heartbeats_first_then_the_oldest() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new(t0());
    let retention = OutboxRetention {
        max_items: 5,
        max_age_days: 30,
        ..OutboxRetention::default()
    };
    // The centre is unreachable: an endpoint on a port nothing listens on.
    let unreachable = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/outbox", listener.local_addr().unwrap())
    };
    let outbox = Outbox::open_with_clock(
        dir.path(),
        &config(Some(unreachable), retention),
        "k1",
        clock.clone(),
    )
    .unwrap();
    let mut complaints = Vec::new();
    outbox.submit(heartbeat()).unwrap();
    for i in 0..3 {
        clock.set(t0() + Duration::hours(i));
        complaints.push(
            outbox
                .submit(complaint(&format!("意见 {i}"), None))
                .unwrap(),
        );
    }
    outbox.submit(heartbeat()).unwrap();
    let stats = outbox
        .submit(OutboxPayload::TicketStats(TicketStats {
            day: t0().date_naive(),
            service: "notary".into(),
            issued: 3,
            served: 3,
            no_show: 0,
            mean_wait_secs: 60,
            ..TicketStats::default()
        }))
        .unwrap();
    assert_eq!(outbox.status().unwrap().pending, 5);
    // The sixth item pushed the first heartbeat out; two more push out the other, then the oldest complaint.
    complaints.push(outbox.submit(complaint("意见 3", None)).unwrap());
    complaints.push(outbox.submit(complaint("意见 4", None)).unwrap());
    assert_eq!(
        kinds(&outbox),
        [
            "complaint",
            "complaint",
            "ticket_stats",
            "complaint",
            "complaint"
        ]
    );
    let status = outbox.status().unwrap();
    assert_eq!(status.dropped.get("heartbeat"), Some(&2));
    assert_eq!(status.dropped.get("complaint"), Some(&1), "then the oldest");
    assert!(outbox.item(&complaints[0]).unwrap().is_none());
    assert!(outbox.item(&stats).unwrap().is_some());

    // A failed delivery round keeps the rest; a month later they are too old and go.
    let report = outbox.send_due(clock.now()).await.unwrap();
    assert_eq!(report.retry, 5);
    clock.set(t0() + Duration::days(31));
    outbox.send_due(clock.now()).await.unwrap();
    assert!(outbox.undelivered().unwrap().is_empty());
    let status = outbox.status().unwrap();
    assert_eq!(
        (
            status.dropped.get("complaint"),
            status.dropped.get("ticket_stats"),
            status.dropped_total()
        ),
        (Some(&5), Some(&1), 8)
    );
}

fn file_contains(path: &Path, needle: &[u8]) -> bool {
    std::fs::read(path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
}

fn database_files(dir: &Path) -> [std::path::PathBuf; 3] {
    ["outbox.sqlite3", "outbox.sqlite3-wal", "outbox.sqlite3-shm"].map(|n| dir.join(n))
}

#[tokio::test]
async fn delivered_and_refused_items_are_purged_and_leave_no_trace_in_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let clock = TestClock::new(t0());
    let retention = OutboxRetention::default(); // delivered: 7 days, refused: 30 days
    let outbox = Outbox::open_with_clock(
        dir.path(),
        &config(Some(server.outbox_url()), retention),
        "k1",
        clock.clone(),
    )
    .unwrap();
    let delivered_phone = "13912345678";
    let refused_phone = "13887654321";
    let a = outbox
        .submit(complaint("复印机坏了", Some(delivered_phone)))
        .unwrap();
    assert_eq!(outbox.send_due(clock.now()).await.unwrap().sent, 1);
    server.hooks().outbox_reject = true;
    let b = outbox
        .submit(complaint("窗口人员态度", Some(refused_phone)))
        .unwrap();
    assert_eq!(outbox.send_due(clock.now()).await.unwrap().rejected, 1);
    assert!(
        database_files(dir.path())
            .iter()
            .any(|f| file_contains(f, delivered_phone.as_bytes())),
        "the test looks for bytes that are really written"
    );

    clock.set(t0() + Duration::days(8));
    outbox.send_due(clock.now()).await.unwrap();
    assert!(outbox.item(&a).unwrap().is_none(), "delivered: purged");
    assert_eq!(
        outbox.item(&b).unwrap().unwrap().state,
        ItemState::Rejected,
        "refused: kept for the technician"
    );
    clock.set(t0() + Duration::days(31));
    outbox.send_due(clock.now()).await.unwrap();
    assert!(outbox.item(&b).unwrap().is_none(), "refused: purged");
    let status = outbox.status().unwrap();
    assert_eq!(
        (
            status.pending,
            status.sent,
            status.rejected,
            status.dropped_total()
        ),
        (0, 0, 0, 0),
        "purges of answered items are not drops"
    );
    for file in database_files(dir.path()) {
        for phone in [delivered_phone, refused_phone] {
            assert!(
                !file_contains(&file, phone.as_bytes()),
                "{phone} is still readable in {}",
                file.display()
            );
        }
    }
}

#[test]
fn the_outbox_database_is_readable_by_its_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new(t0());
    let cfg = config(None, OutboxRetention::default());
    {
        let outbox = Outbox::open_with_clock(dir.path(), &cfg, "k1", clock.clone()).unwrap();
        outbox
            .submit(complaint("意见", Some("13900000000")))
            .unwrap();
        for file in database_files(dir.path()) {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
    }
    // A database left world-readable by an older version is restricted when it is opened.
    let db = dir.path().join("outbox.sqlite3");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _outbox = Outbox::open_with_clock(dir.path(), &cfg, "k1", clock).unwrap();
    assert_eq!(
        std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

/// A database written before retention existed (no `kind` and `created_ms` columns, refused items
/// without an answer time) keeps its items and comes under the limits.
#[test]
fn an_outbox_from_before_retention_is_migrated_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE outbox (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 key TEXT NOT NULL UNIQUE,
                 message TEXT NOT NULL,
                 state TEXT NOT NULL DEFAULT 'pending',
                 attempts INTEGER NOT NULL DEFAULT 0,
                 next_attempt_ms INTEGER NOT NULL,
                 last_error TEXT,
                 sent_ms INTEGER
             );",
        )
        .unwrap();
        let old = |key: &str, created: DateTime<Utc>, payload: OutboxPayload, state: &str| {
            let message = content::OutboxMessage {
                key: key.into(),
                device: "k1".into(),
                created,
                payload,
            };
            conn.execute(
                "INSERT INTO outbox (key, message, state, next_attempt_ms) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![
                    key,
                    serde_json::to_string(&message).unwrap(),
                    state,
                    created.timestamp_millis()
                ],
            )
            .unwrap();
        };
        old("hb-old", t0() - Duration::days(10), heartbeat(), "pending");
        old(
            "c-recent",
            t0() - Duration::days(1),
            complaint("旧版本的意见", None),
            "pending",
        );
        old(
            "c-refused",
            t0() - Duration::days(40),
            complaint("被拒绝", None),
            "rejected",
        );
    }
    let clock = TestClock::new(t0());
    let outbox = Outbox::open_with_clock(
        dir.path(),
        &config(None, OutboxRetention::default()),
        "k1",
        clock,
    )
    .unwrap();
    let kept: Vec<String> = outbox
        .undelivered()
        .unwrap()
        .into_iter()
        .map(|i| i.key)
        .collect();
    assert_eq!(kept, ["c-recent"]);
    assert_eq!(outbox.status().unwrap().dropped.get("heartbeat"), Some(&1));
}
