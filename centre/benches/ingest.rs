//! Outbox items stored per second over loopback HTTP, with the latency of each request: into SQLite
//! (WAL, `synchronous=FULL`) and, when `CENTRE_TEST_DATABASE_URL` names a server, into PostgreSQL
//! (`synchronous_commit=on`, a fresh database on that server). Every 201 is on disk.
//!
//! `cargo bench -p centre --bench ingest`. 300 devices (a district) send a mix of heartbeats,
//! ratings, complaints and ticket statistics, each over its client's keep-alive connection; then the
//! same items are sent again (200, nothing stored). Prints a Markdown table for `centre/README.md`.
//! `-- --test` is a smoke run on each engine that checks every answer and the stored counts; its
//! figures are not measurements. Without `CENTRE_TEST_DATABASE_URL` the PostgreSQL run is skipped
//! (under CI, where `.ci/run` starts a server, that fails).

#[path = "../tests/support/mod.rs"]
mod support;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use centre::{Accounts, ApiSettings, CentreConfig, auth};
use serde_json::{Value, json};
use support::{TestCentre, db::TestDb, item};

const DEVICES: usize = 300;

fn main() {
    let smoke = std::env::args().skip(1).any(|a| a == "--test");
    let items = if smoke {
        println!("ingest: smoke run (--test), 240 items; not a measurement");
        240
    } else {
        6_000
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sqlite = TestDb::sqlite_in(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")));
        let mut rows = run(&sqlite, "SQLite", items).await;
        drop(sqlite);
        if let Some(postgres) = TestDb::postgres("the ingest benchmark").await {
            rows.extend(run(&postgres, "PostgreSQL", items).await);
        }
        println!("| engine | run | items | clients | items/s | p50 | p99 | max |");
        println!("|---|---|---:|---:|---:|---:|---:|---:|");
        for row in rows {
            println!("{row}");
        }
    });
}

fn token(device: usize) -> String {
    format!("bench-device-token-{device:04}")
}

fn device_id(device: usize) -> String {
    format!("kiosk-{device:03}")
}

/// The `n`th item: 60 % heartbeats, 20 % ratings, 15 % complaints, 5 % ticket statistics.
fn nth_item(run: &str, n: usize) -> (usize, Value) {
    let device = n % DEVICES;
    let id = device_id(device);
    let key = format!("{run}-{n:06}");
    let value = match n % 20 {
        0..12 => item(
            &key,
            &id,
            "heartbeat",
            json!({"content_version": 1772442000, "content_stale": false, "clock": "plausible",
                   "last_sync_error": null, "outbox_pending": 0,
                   "devices": {"printer": {"checked_at": "2026-03-02T08:59:00Z", "online": true,
                   "paper": "ok", "cover_open": false, "error": false},
                   "id_reader": {"configured": true, "sam_ok": true, "read_since_start": true},
                   "uptime_secs": 3600, "restarts": 0}, "problems": []}),
        ),
        12..16 => item(
            &key,
            &id,
            "rating",
            json!({"service": "legal_aid", "ticket": "C012", "score": 1 + n % 5, "comment": "办事效率高"}),
        ),
        16..19 => item(
            &key,
            &id,
            "complaint",
            json!({"about": "notary", "text": "窗口等候时间太长，希望增加一个窗口。", "contact": "13812345678"}),
        ),
        _ => item(
            &key,
            &id,
            "ticket_stats",
            json!({"day": "2026-03-02", "service": format!("s{n}"), "issued": 40, "served": 37,
                   "no_show": 3, "mean_wait_secs": 600}),
        ),
    };
    (device, value)
}

struct Measured {
    label: String,
    items: usize,
    clients: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

/// Sends items `0..count` of `run` from `clients` concurrent clients; every answer must be `expect`.
async fn send(
    centre: &Arc<TestCentre>,
    label: &str,
    run: &str,
    count: usize,
    clients: usize,
    expect: u16,
) -> Measured {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let centre = Arc::clone(centre);
        let run = run.to_owned();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::new();
            for n in (client..count).step_by(clients) {
                let (device, value) = nth_item(&run, n);
                let began = Instant::now();
                let response = http
                    .post(centre.url("/api/v1/outbox"))
                    .bearer_auth(token(device))
                    .header("Idempotency-Key", value["key"].as_str().unwrap())
                    .header("content-type", "application/json")
                    .body(value.to_string())
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let _ = response.bytes().await.unwrap();
                latencies.push(began.elapsed());
                assert_eq!(status, expect, "item {n}");
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    Measured {
        label: label.into(),
        items: count,
        clients,
        elapsed: start.elapsed(),
        latencies,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

/// One engine's runs; returns their table rows. SQLite is on the target directory's disk (not a
/// tmpfs): durability costs what it costs.
async fn run(db: &TestDb, engine: &str, items: usize) -> Vec<String> {
    let mut text = String::new();
    for device in 0..DEVICES {
        text.push_str(&format!(
            "[[devices]]\nid = \"{}\"\nsite = \"site-{}\"\ntoken_sha256 = \"{}\"\n",
            device_id(device),
            device / 10,
            auth::token_sha256(&token(device)),
        ));
    }
    let config = CentreConfig::parse(std::path::Path::new("bench.toml"), &text).unwrap();
    let centre = Arc::new(
        TestCentre::start(
            db,
            &Accounts::Configured(config),
            Arc::new(clock::SystemWallClock),
            ApiSettings::default(),
        )
        .await,
    );
    let results = vec![
        send(&centre, "new items, 1 client", "a", items / 3, 1, 201).await,
        send(&centre, "new items, 8 clients", "b", items, 8, 201).await,
        send(&centre, "repeats (200), 8 clients", "b", items, 8, 200).await,
    ];
    let counts = centre.store.counts().await.unwrap();
    let stored = items / 3 + items;
    assert_eq!(counts.items as usize, stored, "every new item stored once");
    let beating: std::collections::HashSet<usize> = (0..items / 3)
        .chain(0..items)
        .filter(|n| n % 20 < 12)
        .map(|n| n % DEVICES)
        .collect();
    assert_eq!(
        counts.heartbeats as usize,
        beating.len(),
        "one latest heartbeat per device"
    );
    let complaints = (0..items / 3)
        .chain(0..items)
        .filter(|n| (16..19).contains(&(n % 20)))
        .count();
    assert_eq!(counts.complaints as usize, complaints);

    println!(
        "{engine}: stored {} items ({} complaints, {} ratings, {} devices' heartbeats, {} ticket \
         statistics rows).",
        counts.items, counts.complaints, counts.ratings, counts.heartbeats, counts.ticket_stats
    );
    results
        .into_iter()
        .map(|mut m| {
            m.latencies.sort();
            let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
            format!(
                "| {engine} | {} | {} | {} | {:.0} | {} | {} | {} |",
                m.label,
                m.items,
                m.clients,
                m.items as f64 / m.elapsed.as_secs_f64(),
                ms(percentile(&m.latencies, 0.50)),
                ms(percentile(&m.latencies, 0.99)),
                ms(*m.latencies.last().unwrap()),
            )
        })
        .collect()
}
