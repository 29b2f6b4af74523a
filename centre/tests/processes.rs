//! Real `centre serve` processes over loopback HTTP:
//!
//! - two centres on one PostgreSQL database receive the same idempotency keys at the same instant:
//!   each key is stored once, one centre answers 201 and the other 200; two demo centres started
//!   together on one new database both come up and share the demo's device;
//! - a centre killed with SIGKILL in the middle of a burst, on SQLite and on PostgreSQL, loses nothing
//!   it answered 2xx and, after a restart and a re-send of every item, counts nothing twice.

#[macro_use]
mod support;

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use serde_json::{Value, json};
use support::{
    db::TestDb,
    item,
    process::{CentreProcess, DEVICE, TOKEN, write_config},
    wait_until,
};
use tokio::sync::Barrier;

on_both_engines!(a_centre_killed_mid_burst_loses_nothing_answered_and_counts_nothing_twice);

/// The `n`th item of a test: complaints and ratings alternate.
fn nth_item(prefix: &str, n: usize) -> Value {
    let key = format!("{prefix}-{n:05}");
    if n.is_multiple_of(2) {
        item(
            &key,
            DEVICE,
            "complaint",
            json!({"about": "notary", "text": format!("第{n}条意见"), "contact": "13812345678"}),
        )
    } else {
        item(
            &key,
            DEVICE,
            "rating",
            json!({"service": "legal_aid", "ticket": null, "score": 1 + n % 5, "comment": ""}),
        )
    }
}

/// POSTs an item; `None` when no answer came (the connection failed or was cut).
async fn post(client: &reqwest::Client, url: &str, item: &Value) -> Option<u16> {
    let response = client
        .post(url)
        .bearer_auth(TOKEN)
        .header("Idempotency-Key", item["key"].as_str().unwrap())
        .header("content-type", "application/json")
        .body(item.to_string())
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    // The answer counts only once it has arrived whole.
    response.bytes().await.ok()?;
    Some(status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_centres_on_one_postgres_store_each_key_once() {
    let Some(db) = TestDb::postgres("two_centres_on_one_postgres_store_each_key_once").await else {
        return;
    };
    let config = write_config(db.dir.path());
    let (data_a, data_b) = (db.dir.path().join("a"), db.dir.path().join("b"));
    // Started together: both migrate the new database at once (the advisory lock takes turns).
    let a = CentreProcess::spawn(&db, &config, &data_a);
    let b = CentreProcess::spawn(&db, &config, &data_b);
    let (a, b) = (a.listening(), b.listening());
    assert_ne!(a.base, b.base, "each on its own port");

    const KEYS: usize = 150;
    let barrier = Arc::new(Barrier::new(2 * KEYS));
    let mut tasks = Vec::new();
    for (which, centre) in [&a, &b].into_iter().enumerate() {
        let client = reqwest::Client::new();
        for n in 0..KEYS {
            let (barrier, client, url) = (Arc::clone(&barrier), client.clone(), centre.outbox());
            tasks.push(tokio::spawn(async move {
                let item = nth_item("same", n);
                barrier.wait().await;
                (n, which, post(&client, &url, &item).await)
            }));
        }
    }
    let mut answers: HashMap<usize, Vec<(usize, Option<u16>)>> = HashMap::new();
    for task in tasks {
        let (n, which, status) = task.await.unwrap();
        answers.entry(n).or_default().push((which, status));
    }
    let mut wins = [0, 0];
    for n in 0..KEYS {
        let mut statuses: Vec<Option<u16>> = answers[&n].iter().map(|(_, s)| *s).collect();
        statuses.sort();
        assert_eq!(
            statuses,
            vec![Some(200), Some(201)],
            "key {n}: one centre stores it, the other finds it: {:?}",
            answers[&n]
        );
        let winner = answers[&n].iter().find(|(_, s)| *s == Some(201)).unwrap().0;
        wins[winner] += 1;
    }
    eprintln!(
        "two centres: A stored {} keys, B stored {}",
        wins[0], wins[1]
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM items").await, KEYS as i64);
    assert_eq!(
        db.count("SELECT COUNT(DISTINCT key) FROM items").await,
        KEYS as i64
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM complaints").await
            + db.count("SELECT COUNT(*) FROM ratings").await,
        KEYS as i64,
        "one projection per item"
    );
    assert_eq!(
        db.count("SELECT MAX(version)::BIGINT FROM schema_version")
            .await,
        i64::from(centre::PostgresStore::schema_version())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_demo_centres_started_together_share_one_postgres() {
    let Some(db) = TestDb::postgres("two_demo_centres_started_together_share_one_postgres").await
    else {
        return;
    };
    let (data_a, data_b) = (db.dir.path().join("a"), db.dir.path().join("b"));
    // Both migrate the new database and install the demo's accounts at the same moment.
    let a = CentreProcess::spawn_with(&db, None, &data_a);
    let b = CentreProcess::spawn_with(&db, None, &data_b);
    let (a, b) = (a.listening(), b.listening());
    let demo = support::complaint("T-DEMO-0001", "两个演示进程", None);
    let client = reqwest::Client::new();
    let send = |url: String| {
        client
            .post(url)
            .bearer_auth(support::DEMO_TOKEN)
            .header("Idempotency-Key", "T-DEMO-0001")
            .body(demo.to_string())
            .send()
    };
    let first = send(a.outbox()).await.unwrap().status().as_u16();
    let second = send(b.outbox()).await.unwrap().status().as_u16();
    assert_eq!((first, second), (201, 200), "one demo device, one item");
    assert_eq!(db.count("SELECT COUNT(*) FROM devices").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM staff").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM items").await, 1);
}

async fn a_centre_killed_mid_burst_loses_nothing_answered_and_counts_nothing_twice(db: TestDb) {
    const ITEMS: usize = 600;
    const CLIENTS: usize = 8;
    /// Answers seen before the kill.
    const KILL_AFTER: usize = 120;
    let config = write_config(db.dir.path());
    let data = db.dir.path().join("data");
    let mut centre = CentreProcess::start(&db, &config, &data);

    let answered = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (answered, url) = (Arc::clone(&answered), centre.outbox());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut seen = Vec::new();
            for n in (c..ITEMS).step_by(CLIENTS) {
                let status = post(&client, &url, &nth_item("burst", n)).await;
                if status.is_some() {
                    answered.fetch_add(1, Ordering::SeqCst);
                }
                seen.push((n, status));
            }
            seen
        }));
    }
    wait_until("answers before the kill", Duration::from_secs(60), || {
        let answered = Arc::clone(&answered);
        async move { answered.load(Ordering::SeqCst) >= KILL_AFTER }
    })
    .await;
    centre.kill_9();
    let mut statuses: HashMap<usize, Option<u16>> = HashMap::new();
    for client in clients {
        statuses.extend(client.await.unwrap());
    }
    let confirmed: Vec<usize> = (0..ITEMS)
        .filter(|n| statuses[n].is_some_and(|s| (200..300).contains(&s)))
        .collect();
    for (n, status) in &statuses {
        assert!(
            status.is_none() || *status == Some(201),
            "item {n}: a new item answers 201 or nothing, got {status:?}"
        );
    }
    assert!(
        confirmed.len() >= KILL_AFTER,
        "{} confirmed",
        confirmed.len()
    );
    eprintln!(
        "killed mid-burst: {} of {ITEMS} items answered 201 before SIGKILL",
        confirmed.len()
    );

    // Restarted on the same data: everything answered is there; every item sent again is stored
    // once (200 for what was stored before, 201 for what never arrived).
    let centre = CentreProcess::start(&db, &config, &data);
    let stored_before = db.count("SELECT COUNT(*) FROM items").await;
    assert!(
        stored_before >= confirmed.len() as i64,
        "{stored_before} stored, {} answered 201",
        confirmed.len()
    );
    let client = reqwest::Client::new();
    let (mut again, mut new) = (0, 0);
    for n in 0..ITEMS {
        match post(&client, &centre.outbox(), &nth_item("burst", n)).await {
            Some(200) => again += 1,
            Some(201) => {
                assert!(
                    !confirmed.contains(&n),
                    "item {n} was answered 201 before the kill but is not stored"
                );
                new += 1;
            }
            other => panic!("item {n}: re-sent, answered {other:?}"),
        }
    }
    assert_eq!(
        again as i64, stored_before,
        "every stored item is found again"
    );
    assert_eq!(again + new, ITEMS);
    assert_eq!(db.count("SELECT COUNT(*) FROM items").await, ITEMS as i64);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM complaints").await,
        (ITEMS / 2) as i64
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM ratings").await,
        (ITEMS / 2) as i64
    );
}
