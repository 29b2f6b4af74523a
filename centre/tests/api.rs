//! The HTTP API on a loopback port over a real database, each test on SQLite and on PostgreSQL
//! (`sqlite::NAME`, `postgres::NAME`): idempotent ingest, every refusal with its reason and nothing
//! stored, device and staff authentication, the lists, masking, and a reopen of the database.

#[macro_use]
mod support;

use std::sync::Arc;

use centre::{Accounts, ApiSettings, CentreConfig, StartError, auth, install_accounts, open_store};
use chrono::{Duration, TimeZone as _, Utc};
use clock::ManualWallClock;
use serde_json::{Value, json};
use support::{DEMO_DEVICE, DEMO_TOKEN, TestCentre, complaint, db::TestDb, item, rating};

on_both_engines!(
    the_same_key_is_stored_once,
    malformed_items_are_refused_with_a_reason_and_nothing_is_stored,
    devices_need_their_own_token,
    two_devices_may_use_the_same_key,
    staff_log_in_and_read_devices_complaints_and_ratings,
    a_reopened_database_keeps_everything,
    the_demo_is_refused_once_real_accounts_exist,
);

async fn the_same_key_is_stored_once(db: TestDb) {
    let centre = TestCentre::demo(&db).await;
    let first = complaint("T-ABCD-EFGH", "窗口等候时间太长", Some("13812345678"));

    let (status, receipt) = centre.post_item(&first).await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["key"], "T-ABCD-EFGH");
    assert_eq!(receipt["device"], DEMO_DEVICE);
    let (status, again) = centre.post_item(&first).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, receipt, "the same answer");

    let counts = centre.store.counts().await.unwrap();
    assert_eq!((counts.items, counts.complaints), (1, 1));
    assert_eq!(db.count("SELECT COUNT(*) FROM items").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM complaints").await, 1);

    // The same key with a different item: refused, nothing changed (409: the kiosk stops retrying).
    let changed = complaint("T-ABCD-EFGH", "另一件事", None);
    let (status, body) = centre.post_item(&changed).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"].as_str().unwrap().contains("different item"));
    // Another device may use the same key (`stats:DAY:SERVICE` is the same on every kiosk): keys are
    // unique per device. Checked in `two_devices_may_use_the_same_key`.

    if let Some(db_path) = db.sqlite_path() {
        use std::os::unix::fs::PermissionsExt as _;
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{}{suffix}", db_path.display());
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{path}");
        }
        let conn = rusqlite::Connection::open(&db_path).unwrap();
        let journal: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
    }
}

async fn malformed_items_are_refused_with_a_reason_and_nothing_is_stored(db: TestDb) {
    let centre = TestCentre::demo(&db).await;
    let good = complaint("T-AAAA-BBBB", "太慢", None);
    let with = |path: &str, value: Value| {
        let mut item = good.clone();
        let mut target = &mut item;
        let parts: Vec<&str> = path.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            target = &mut target[*part];
        }
        target[parts[parts.len() - 1]] = value;
        item
    };
    let cases: Vec<(&str, Option<&str>, String, &str)> = vec![
        (
            "wrong type",
            Some("T-AAAA-BBBB"),
            with("data.text", json!(5)).to_string(),
            "data.text: invalid type",
        ),
        (
            "unknown kind",
            Some("T-AAAA-BBBB"),
            with("kind", json!("gossip")).to_string(),
            "unknown kind \"gossip\"",
        ),
        (
            "bad date",
            Some("T-AAAA-BBBB"),
            with("created", json!("2026-02-30T09:00:00Z")).to_string(),
            "created:",
        ),
        (
            "bad day",
            Some("T-AAAA-BBBB"),
            item(
                "T-AAAA-BBBB",
                DEMO_DEVICE,
                "ticket_stats",
                json!({"day":"yesterday","service":"notary","issued":1,"served":1,"no_show":0,"mean_wait_secs":1}),
            )
            .to_string(),
            "data.day",
        ),
        (
            "score out of range",
            Some("P-AAAA-BBBB"),
            rating("P-AAAA-BBBB", 0).to_string(),
            "rating: the score must be 1 to 5",
        ),
        (
            "empty text",
            Some("T-AAAA-BBBB"),
            with("data.text", json!(" ")).to_string(),
            "complaint: the text is empty",
        ),
        (
            "no key header",
            None,
            good.to_string(),
            "the Idempotency-Key header is missing",
        ),
        (
            "key header differs",
            Some("T-ZZZZ-ZZZZ"),
            good.to_string(),
            "does not match the body's key",
        ),
        (
            "NUL in a text",
            Some("T-AAAA-BBBB"),
            with("data.text", json!("太慢\u{0}了")).to_string(),
            "data.text: contains the character U+0000",
        ),
        (
            "NUL in the device",
            Some("T-AAAA-BBBB"),
            with("device", json!("demo-kiosk\u{0}")).to_string(),
            "device: contains the character U+0000",
        ),
        (
            "not JSON",
            Some("T-AAAA-BBBB"),
            "{\"key\":".into(),
            "not an outbox item",
        ),
    ];
    for (case, key, body, expected) in cases {
        let (status, answer) = centre.post_raw(Some(DEMO_TOKEN), key, body).await;
        assert_eq!(status, 400, "{case}: {answer}");
        let reason = answer["error"].as_str().unwrap();
        assert!(reason.contains(expected), "{case}: {reason}");
    }
    // A huge body: refused before it is read whole.
    let huge = with("data.text", json!("长".repeat(30_000))).to_string();
    assert!(huge.len() > centre::ingest::MAX_BODY_BYTES);
    let (status, answer) = centre
        .post_raw(Some(DEMO_TOKEN), Some("T-AAAA-BBBB"), huge)
        .await;
    assert_eq!(status, 413, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("65536"));

    assert_eq!(centre.store.counts().await.unwrap().items, 0);
    assert_eq!(db.count("SELECT COUNT(*) FROM items").await, 0);
    // The good item still goes in.
    assert_eq!(centre.post_item(&good).await.0, 201);
}

async fn devices_need_their_own_token(db: TestDb) {
    let centre = TestCentre::demo(&db).await;
    let good = complaint("T-AAAA-CCCC", "太慢", None);
    let key = Some("T-AAAA-CCCC");

    let (status, answer) = centre.post_raw(None, key, good.to_string()).await;
    assert_eq!(status, 401, "{answer}");
    let (status, answer) = centre
        .post_raw(Some("not-a-token"), key, good.to_string())
        .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("unknown device token"))
    );
    // A staff session token is not a device token.
    let session = centre.login("admin", "admin-demo").await.unwrap();
    assert_eq!(
        centre
            .post_raw(Some(&session), key, good.to_string())
            .await
            .0,
        401
    );
    // The body must name the token's device.
    let other = item(
        "T-AAAA-CCCC",
        "someone-else",
        "complaint",
        json!({"about":"notary","text":"太慢","contact":null}),
    );
    let (status, answer) = centre
        .post_raw(Some(DEMO_TOKEN), key, other.to_string())
        .await;
    assert_eq!(status, 403, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("someone-else"));

    // Credentials in the URL (`http://device:token@host/…`, sent as Basic) are not a device token.
    let basic = centre
        .client
        .post(centre.url("/api/v1/outbox"))
        .basic_auth(DEMO_DEVICE, Some(DEMO_TOKEN))
        .header("Idempotency-Key", "T-AAAA-CCCC")
        .body(good.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status().as_u16(), 401);
    assert_eq!(
        centre.store.counts().await.unwrap().items,
        0,
        "nothing refused was stored"
    );
    // The device's own token, as a bearer token, is what stores it.
    let (status, _) = centre
        .post_raw(Some(DEMO_TOKEN), key, good.to_string())
        .await;
    assert_eq!(status, 201);
    assert_eq!(centre.store.counts().await.unwrap().items, 1);
}

async fn two_devices_may_use_the_same_key(db: TestDb) {
    let token_b = "second-device-token-0123456789";
    let config = CentreConfig::parse(
        std::path::Path::new("centre.toml"),
        &format!(
            "[[devices]]\nid = \"kiosk-a\"\nsite = \"A\"\ntoken_sha256 = \"{}\"\n\
             [[devices]]\nid = \"kiosk-b\"\nsite = \"B\"\ntoken_sha256 = \"{}\"\n",
            auth::token_sha256("first-device-token-0123456789"),
            auth::token_sha256(token_b),
        ),
    )
    .unwrap();
    let centre = TestCentre::start(
        &db,
        &Accounts::Configured(config),
        Arc::new(clock::SystemWallClock),
        ApiSettings::default(),
    )
    .await;
    let stats = |device: &str, issued: u32| {
        item(
            "stats:2026-03-02:legal_aid",
            device,
            "ticket_stats",
            json!({"day":"2026-03-02","service":"legal_aid","issued":issued,"served":issued,"no_show":0,"mean_wait_secs":300}),
        )
    };
    let key = Some("stats:2026-03-02:legal_aid");
    let a = centre
        .post_raw(
            Some("first-device-token-0123456789"),
            key,
            stats("kiosk-a", 40).to_string(),
        )
        .await;
    let b = centre
        .post_raw(Some(token_b), key, stats("kiosk-b", 12).to_string())
        .await;
    assert_eq!((a.0, b.0), (201, 201), "{a:?} {b:?}");
    // The demo token was not installed.
    assert_eq!(centre.post_item(&rating("P-1", 5)).await.0, 401);
    let day = "2026-03-02".parse().unwrap();
    let rows = centre.store.ticket_stats(day, day).await.unwrap();
    let issued: Vec<(String, u32)> = rows.into_iter().map(|r| (r.device, r.issued)).collect();
    assert_eq!(
        issued,
        vec![("kiosk-a".to_owned(), 40), ("kiosk-b".to_owned(), 12)]
    );
}

async fn staff_log_in_and_read_devices_complaints_and_ratings(db: TestDb) {
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let clock = ManualWallClock::new(start);
    let settings = ApiSettings {
        online_window: std::time::Duration::from_secs(600),
        ..ApiSettings::default()
    };
    let centre = TestCentre::start(&db, &Accounts::Demo, Arc::new(clock.clone()), settings).await;

    for path in ["/api/v1/devices", "/api/v1/complaints", "/api/v1/ratings"] {
        assert_eq!(centre.get(path, None).await.0, 401, "{path}");
        assert_eq!(centre.get(path, Some("forged")).await.0, 401, "{path}");
        assert_eq!(centre.get(path, Some(DEMO_TOKEN)).await.0, 401, "{path}");
    }
    let (status, answer) = centre.login("admin", "wrong").await.unwrap_err();
    assert_eq!(status, 401, "{answer}");
    assert_eq!(
        centre.login("nobody", "admin-demo").await.unwrap_err().0,
        401
    );
    let token = centre.login("admin", "admin-demo").await.unwrap();
    assert_eq!(token.len(), 64);
    // Kept hashed: the token itself is nowhere in the database.
    assert_eq!(
        db.count(&format!(
            "SELECT COUNT(*) FROM sessions WHERE token_sha256 = '{token}'"
        ))
        .await,
        0
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM sessions").await, 1);

    // Before any heartbeat: listed, offline, nothing known.
    let (status, devices) = centre.get("/api/v1/devices", Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(devices[0]["device"], DEMO_DEVICE);
    assert_eq!(devices[0]["online"], false);
    assert_eq!(devices[0]["last_seen"], Value::Null);

    centre
        .post_item(&complaint(
            "T-AAAA-0001",
            "希望延长周六服务时间",
            Some("13812345678"),
        ))
        .await;
    clock.advance(Duration::seconds(1));
    centre
        .post_item(&complaint("T-AAAA-0002", "没有留电话", None))
        .await;
    centre.post_item(&rating("P-AAAA-0001", 2)).await;
    let heartbeat = json!({
        "content_version": 1772442000,
        "content_stale": true,
        "clock": "plausible",
        "last_sync_error": null,
        "outbox_pending": 4,
        "devices": {
            "printer": {"checked_at": "2026-03-02T08:59:00Z", "online": true, "paper": "near_end", "cover_open": false, "error": false},
            "id_reader": {"configured": true, "sam_ok": false, "read_since_start": false}
        },
        "problems": ["printer paper near end"]
    });
    let (status, _) = centre
        .post_item(&item("hb-1", DEMO_DEVICE, "heartbeat", heartbeat))
        .await;
    assert_eq!(status, 201);
    // An older heartbeat delivered late proves the device is alive but does not replace the newer facts.
    let mut old = item(
        "hb-0",
        DEMO_DEVICE,
        "heartbeat",
        json!({"content_version": 1, "content_stale": false, "clock": "plausible", "last_sync_error": null, "outbox_pending": 9}),
    );
    old["created"] = json!("2026-03-02T08:00:00Z");
    assert_eq!(centre.post_item(&old).await.0, 201);

    let (_, devices) = centre.get("/api/v1/devices", Some(&token)).await;
    let device = &devices[0];
    assert_eq!(device["site"], auth::DEMO_SITE);
    assert_eq!(device["online"], true);
    assert_eq!(device["last_seen"], "2026-03-02T09:00:01Z");
    assert_eq!(device["content_version"], 1772442000);
    assert_eq!(device["content_stale"], true);
    assert_eq!(device["outbox_pending"], 4);
    assert_eq!(device["printer"]["paper"], "near_end");
    assert_eq!(device["reader"]["sam_ok"], false);
    assert_eq!(device["alerts"], json!([]));

    let (status, complaints) = centre.get("/api/v1/complaints", Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(complaints.as_array().unwrap().len(), 2);
    assert_eq!(complaints[0]["key"], "T-AAAA-0002", "newest first");
    assert_eq!(complaints[1]["contact"], "138****5678", "masked");
    assert_eq!(complaints[1]["text"], "希望延长周六服务时间");
    assert_eq!(complaints[1]["status"], "received");
    assert_eq!(complaints[1]["site"], auth::DEMO_SITE);
    assert!(!complaints.to_string().contains("13812345678"));
    let (_, one) = centre.get("/api/v1/complaints?limit=1", Some(&token)).await;
    assert_eq!(one.as_array().unwrap().len(), 1);

    let (_, ratings) = centre.get("/api/v1/ratings", Some(&token)).await;
    assert_eq!(ratings[0]["score"], 2);
    assert_eq!(ratings[0]["ticket"], "C012");
    assert_eq!(ratings[0]["service"], "legal_aid");

    // Past the online window: offline. Past the session's 12 hours: logged out.
    clock.advance(Duration::seconds(601));
    let (_, devices) = centre.get("/api/v1/devices", Some(&token)).await;
    assert_eq!(devices[0]["online"], false);
    clock.advance(Duration::hours(12));
    assert_eq!(centre.get("/api/v1/devices", Some(&token)).await.0, 401);
}

async fn a_reopened_database_keeps_everything(db: TestDb) {
    let centre = TestCentre::demo(&db).await;
    let first = complaint("T-KEEP-0001", "保存测试", Some("13900001111"));
    assert_eq!(centre.post_item(&first).await.0, 201);
    assert_eq!(centre.post_item(&rating("P-KEEP-0001", 5)).await.0, 201);
    let hb = item(
        "hb-keep",
        DEMO_DEVICE,
        "heartbeat",
        json!({"content_version": 7, "content_stale": false, "clock": "plausible", "last_sync_error": null, "outbox_pending": 0}),
    );
    assert_eq!(centre.post_item(&hb).await.0, 201);
    let token = centre.login("admin", "admin-demo").await.unwrap();
    centre.stop().await;

    let centre = TestCentre::demo(&db).await;
    assert_eq!(
        centre.post_item(&first).await.0,
        200,
        "still known after the reopen"
    );
    let (status, complaints) = centre.get("/api/v1/complaints", Some(&token)).await;
    assert_eq!(status, 200, "the session survives too");
    assert_eq!(complaints[0]["key"], "T-KEEP-0001");
    let (_, ratings) = centre.get("/api/v1/ratings", Some(&token)).await;
    assert_eq!(ratings.as_array().unwrap().len(), 1);
    let (_, devices) = centre.get("/api/v1/devices", Some(&token)).await;
    assert_eq!(devices[0]["content_version"], 7);
    let counts = centre.store.counts().await.unwrap();
    assert_eq!(
        (
            counts.items,
            counts.complaints,
            counts.ratings,
            counts.heartbeats
        ),
        (3, 1, 1, 1)
    );
}

async fn the_demo_is_refused_once_real_accounts_exist(db: TestDb) {
    let store = db.open().await;
    install_accounts(store.as_ref(), &Accounts::Demo)
        .await
        .unwrap();
    let hash = auth::hash_password("a long enough password").unwrap();
    let config = CentreConfig::parse(
        std::path::Path::new("centre.toml"),
        &format!(
            "[[devices]]\nid = \"kiosk-a\"\nsite = \"A\"\ntoken_sha256 = \"{}\"\n\
             [[staff]]\nuser = \"wang\"\npassword_hash = \"{hash}\"\nrole = \"supervisor\"\n",
            auth::token_sha256("real-token-0123456789"),
        ),
    )
    .unwrap();
    install_accounts(store.as_ref(), &Accounts::Configured(config))
        .await
        .unwrap();
    // The configuration replaced the demo's accounts: its token and its admin are gone.
    assert!(
        store
            .device_by_token(auth::token_sha256(DEMO_TOKEN))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.staff("admin".into()).await.unwrap().is_none());
    match install_accounts(store.as_ref(), &Accounts::Demo).await {
        Err(StartError::DemoRefused(users)) => assert_eq!(users, "wang"),
        other => panic!("the demo must be refused, got {other:?}"),
    }
}

#[tokio::test]
async fn database_urls() {
    let dir = tempfile::tempdir().unwrap();
    // A server that does not answer: the error names it, never the password.
    let err = open_store(
        Some("postgres://centre:secret@127.0.0.1:1/centre_db"),
        dir.path(),
    )
    .await
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("host 127.0.0.1 port 1 database centre_db user centre"),
        "{err}"
    );
    assert!(!err.contains("secret"), "no password in the message: {err}");
    let err = open_store(Some("postgresql://centre:secret@db/c?port=x"), dir.path())
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("postgresql://centre:***@db/c"), "{err}");
    assert!(!err.contains("secret"), "no password in the message: {err}");
    let err = open_store(Some("mysql://root:secret@x"), dir.path())
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("expected sqlite:PATH or postgres://"), "{err}");
    assert!(!err.contains("secret"), "no password in the message: {err}");
    let path = dir.path().join("other.sqlite3");
    open_store(Some(&format!("sqlite:{}", path.display())), dir.path())
        .await
        .unwrap();
    assert!(path.exists());
}
