//! The tickets report over a year of a district's data: `GET /api/v1/reports/tickets` over loopback
//! HTTP for a month and for a year, JSON and CSV, with the latency of each request.
//!
//! `cargo bench -p centre --bench reports`. 300 devices at 150 sites, 8 services, a report per
//! device, service and day for 365 days (876,000 rows with the wait histogram, service times and
//! hours), written straight into the SQLite file in one transaction before the centre starts.
//! Prints a Markdown table for `centre/README.md`. `-- --test` is a smoke run over a few rows that
//! checks the answers; its figures are not measurements.

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use centre::{
    Accounts, ApiSettings, AppState, CentreConfig, SqliteStore, Store, auth, install_accounts,
};
use chrono::NaiveDate;
use rusqlite::params;
use tokio::sync::oneshot;

const SERVICES: [&str; 8] = [
    "reception",
    "consultation",
    "legal_aid",
    "notary",
    "approval",
    "mediation",
    "complaints",
    "lawyer_appraisal",
];
const API_TOKEN: &str = "bench-report-token";

struct Size {
    devices: usize,
    days: u32,
    month_runs: usize,
    year_runs: usize,
}

fn main() {
    let smoke = std::env::args().skip(1).any(|a| a == "--test");
    let size = if smoke {
        println!(
            "reports: smoke run (--test), 4 devices × 8 services × 40 days; not a measurement"
        );
        Size {
            devices: 4,
            days: 40,
            month_runs: 2,
            year_runs: 2,
        }
    } else {
        Size {
            devices: 300,
            days: 365,
            month_runs: 30,
            year_runs: 8,
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(&size));
}

fn device_id(device: usize) -> String {
    format!("kiosk-{device:03}")
}

fn site(device: usize) -> String {
    format!("第{:03}号公共法律服务工作站", device / 2)
}

fn config(devices: usize) -> CentreConfig {
    let mut text = format!(
        "[[api_tokens]]\nname = \"bench\"\ntoken_sha256 = \"{}\"\n",
        auth::token_sha256(API_TOKEN)
    );
    for d in 0..devices {
        text.push_str(&format!(
            "[[devices]]\nid = \"{}\"\nsite = \"{}\"\ntoken_sha256 = \"{}\"\n",
            device_id(d),
            site(d),
            auth::token_sha256(&format!("bench-device-{d}"))
        ));
    }
    CentreConfig::parse(Path::new("bench.toml"), &text).unwrap()
}

/// A day's figures of one device and service, varied by `seed`: (issued, served, no_show, wait
/// histogram JSON, service count, service total, hours JSON).
fn figures(seed: u64) -> (u32, u32, u32, String, u32, u64, String) {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |below: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % below) as u32
    };
    let issued = 5 + next(60);
    let no_show = next(u64::from(issued / 6 + 1));
    let served = issued - no_show - next(3).min(issued - no_show);
    let mut waits = vec![0u32; 1 + next(90) as usize];
    for _ in 0..served + no_show {
        let minute = next(waits.len() as u64) as usize;
        waits[minute] += 1;
    }
    while waits.last() == Some(&0) {
        waits.pop();
    }
    let mut hours = [0u32; 24];
    for _ in 0..issued {
        hours[8 + next(9) as usize] += 1;
    }
    let total = u64::from(served) * u64::from(300 + next(900));
    (
        issued,
        served,
        no_show,
        serde_json::to_string(&waits).unwrap(),
        served,
        total,
        serde_json::to_string(&hours).unwrap(),
    )
}

/// Writes the rows straight into the file: one item per device (what the rows point at) and a
/// report per device, service and day.
fn fill(path: &Path, size: &Size, first: NaiveDate) -> usize {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA synchronous=OFF;").unwrap();
    let tx = conn.transaction().unwrap();
    let variants: Vec<_> = (0..512).map(figures).collect();
    let mut rows = 0;
    {
        let mut item = tx
            .prepare(
                "INSERT INTO items (device, key, kind, created_ms, received_ms, body) \
                 VALUES (?1, 'bench', 'ticket_stats', 0, 0, '{}') RETURNING id",
            )
            .unwrap();
        let mut stats = tx
            .prepare(
                "INSERT INTO ticket_stats (device, day, service, item_id, issued, served, no_show, \
                 mean_wait_secs, created_ms, wait_minutes, service_count, service_total_secs, \
                 issued_by_hour) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 600, 0, ?8, ?9, ?10, ?11)",
            )
            .unwrap();
        for d in 0..size.devices {
            let id = device_id(d);
            let item_id: i64 = item.query_row([&id], |r| r.get(0)).unwrap();
            for day in 0..size.days {
                let date = (first + chrono::Duration::days(i64::from(day))).to_string();
                for (s, service) in SERVICES.iter().enumerate() {
                    let seed = (d * 7919 + day as usize * 31 + s) % variants.len();
                    let (issued, served, no_show, waits, count, total, hours) = &variants[seed];
                    stats
                        .execute(params![
                            id,
                            date,
                            service,
                            item_id,
                            issued,
                            served,
                            no_show,
                            waits,
                            count,
                            i64::try_from(*total).unwrap(),
                            hours
                        ])
                        .unwrap();
                    rows += 1;
                }
            }
        }
    }
    tx.commit().unwrap();
    rows
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

async fn run(size: &Size) {
    let dir = tempfile::tempdir_in(std::env::var_os("CARGO_TARGET_DIR").unwrap_or(".".into()))
        .unwrap_or_else(|_| tempfile::tempdir().unwrap());
    let path = dir.path().join("centre.sqlite3");
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let config = config(size.devices);
    {
        let store = SqliteStore::open(&path).unwrap();
        install_accounts(&store, &Accounts::Configured(config.clone()))
            .await
            .unwrap();
    }
    let started = Instant::now();
    let rows = fill(&path, size, first);
    println!(
        "{rows} rows written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(
        store,
        Arc::new(clock::SystemWallClock),
        ApiSettings::default(),
    )
    .with_api_tokens(config.api_tokens());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(centre::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let last = first + chrono::Duration::days(i64::from(size.days) - 1);
    let month_end = first + chrono::Duration::days(30.min(i64::from(size.days) - 1));
    let sites = size.devices.div_ceil(2);

    println!();
    println!("| query | rows in the answer | answer size | runs | p50 | p99 |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, to, format, runs) in [
        ("a month, JSON", month_end, "", size.month_runs),
        ("a month, CSV", month_end, "&format=csv", size.month_runs),
        ("a year, JSON", last, "", size.year_runs),
        ("a year, CSV", last, "&format=csv", size.year_runs),
    ] {
        let url = format!("{base}/api/v1/reports/tickets?from={first}&to={to}{format}");
        let days = usize::try_from((to - first).num_days() + 1).unwrap();
        let expected_rows = days * sites * SERVICES.len();
        let mut times = Vec::with_capacity(runs);
        let mut bytes = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let response = client
                .get(&url)
                .bearer_auth(API_TOKEN)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{url}");
            let body = response.bytes().await.unwrap();
            times.push(start.elapsed());
            bytes = body.len();
            let answered = if format.is_empty() {
                let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
                value["rows"].as_array().unwrap().len()
            } else {
                body.iter().filter(|&&b| b == b'\n').count() - 1
            };
            assert_eq!(answered, expected_rows, "{name}");
        }
        times.sort();
        println!(
            "| {name} | {expected_rows} | {:.1} MB | {runs} | {} | {} |",
            bytes as f64 / 1e6,
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
        );
    }
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
