//! A city's fleet: 10,000 devices heartbeating once a minute while staff use the web app, and how fast
//! the web app answers meanwhile (the goal: ≤ 100 ms).
//!
//! `cargo bench -p centre --bench fleet`. The centre runs as `centre serve` does (the API, the web
//! app and the alert task) over SQLite (WAL, `synchronous=FULL`) and, when
//! `CENTRE_TEST_DATABASE_URL` names a server, over PostgreSQL. Every device first sends one heartbeat
//! (untimed, so the fleet is full); then for one minute the devices heartbeat again, paced evenly (10,000
//! a minute ≈ 167/s, every tenth one with the paper running low so alerts are raised and closed), while
//! a member of staff, logged in with the session cookie, loads the pages in turn. Prints a Markdown
//! table for `centre/README.md`: per page its p50, p99 and max, and the heartbeats' own latency.
//! `-- --test` is a smoke run (200 devices, a few seconds) that checks every answer; its figures are
//! not measurements.

#[path = "../tests/support/mod.rs"]
mod support;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use centre::{Accounts, ApiSettings, AppState, CentreConfig, auth, install_accounts};
use serde_json::json;
use support::{db::TestDb, item};
use tokio::sync::oneshot;

/// The pages a member of staff loads in turn while the fleet heartbeats.
const PAGES: [&str; 6] = [
    "/staff/fleet",
    "/staff/fleet?township=%E4%B9%A1%E9%95%8707",
    "/staff/alerts",
    "/staff/complaints",
    "/staff/summary",
    "/staff/ratings",
];

struct Load {
    devices: usize,
    window: Duration,
}

fn main() {
    let smoke = std::env::args().skip(1).any(|a| a == "--test");
    let load = if smoke {
        println!("fleet: smoke run (--test), 200 devices; not a measurement");
        Load {
            devices: 200,
            window: Duration::from_secs(2),
        }
    } else {
        Load {
            devices: 10_000,
            window: Duration::from_secs(60),
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sqlite = TestDb::sqlite_in(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")));
        let mut rows = run(&sqlite, "SQLite", &load).await;
        drop(sqlite);
        if let Some(postgres) = TestDb::postgres("the fleet benchmark").await {
            rows.extend(run(&postgres, "PostgreSQL", &load).await);
        }
        println!("| engine | devices | request | count | p50 | p99 | max |");
        println!("|---|---:|---|---:|---:|---:|---:|");
        for row in rows {
            println!("{row}");
        }
    });
}

fn token(device: usize) -> String {
    format!("fleet-device-token-{device:05}")
}

fn device_id(device: usize) -> String {
    format!("kiosk-{device:05}")
}

/// The configuration: `devices` kiosks over 30 townships of 10 sites each, and one administrator.
fn config(devices: usize) -> CentreConfig {
    let mut text = String::new();
    for device in 0..devices {
        let site = device % 300;
        text.push_str(&format!(
            "[[devices]]\nid = \"{}\"\nsite = \"站点{site:03}\"\ntownship = \"乡镇{:02}\"\n\
             token_sha256 = \"{}\"\n",
            device_id(device),
            site / 10,
            auth::token_sha256(&token(device)),
        ));
    }
    text.push_str(&format!(
        "[[staff]]\nuser = \"admin\"\npassword_hash = \"{}\"\nrole = \"administrator\"\n",
        auth::hash_password("fleet-bench-password").unwrap()
    ));
    CentreConfig::parse(std::path::Path::new("fleet.toml"), &text).unwrap()
}

fn heartbeat(round: &str, device: usize, low: bool) -> serde_json::Value {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut value = item(
        &format!("{round}-{device:05}"),
        &device_id(device),
        "heartbeat",
        json!({"content_version": 1772442000, "content_stale": false, "clock": "plausible",
               "last_sync_error": null, "outbox_pending": 0,
               "devices": {"printer": {"checked_at": now, "online": true,
               "paper": if low { "near_end" } else { "ok" }, "cover_open": false, "error": false},
               "id_reader": {"configured": true, "sam_ok": true, "read_since_start": true},
               "uptime_secs": 3600, "restarts": 0}, "problems": []}),
    );
    value["created"] = json!(now);
    value
}

/// Sends one heartbeat; the answer must be 201.
async fn send(http: &reqwest::Client, base: &str, device: usize, value: &serde_json::Value) {
    let response = http
        .post(format!("{base}/api/v1/outbox"))
        .bearer_auth(token(device))
        .header("Idempotency-Key", value["key"].as_str().unwrap())
        .header("content-type", "application/json")
        .body(value.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    assert_eq!(status, 201, "heartbeat of device {device}: {body}");
}

async fn run(db: &TestDb, engine: &str, load: &Load) -> Vec<String> {
    let store = db.open().await;
    install_accounts(store.as_ref(), &Accounts::Configured(config(load.devices)))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(
        Arc::clone(&store),
        Arc::new(clock::SystemWallClock),
        ApiSettings::default(),
    );
    let alerts = tokio::spawn(centre::web::run_alerts(state.clone()));
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(centre::serve(listener, state, async {
        let _ = stopped.await;
    }));

    // Every device reports once, as fast as 8 clients can send (untimed).
    let senders = 8;
    let fill: Vec<_> = (0..senders)
        .map(|client| {
            let base = base.clone();
            let devices = load.devices;
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for device in (client..devices).step_by(senders) {
                    send(&http, &base, device, &heartbeat("fill", device, false)).await;
                }
            })
        })
        .collect();
    for task in fill {
        task.await.unwrap();
    }

    // Staff log in (the session cookie, as a browser).
    let staff = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = staff
        .post(format!("{base}/staff/login"))
        .header("origin", &base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user=admin&password=fleet-bench-password")
        .send()
        .await
        .unwrap();
    let cookie = login
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    // One minute of heartbeats, paced evenly over the senders, while staff load the pages.
    let start = tokio::time::Instant::now();
    let per_heartbeat = load.window.div_f64(load.devices as f64);
    let beats: Vec<_> = (0..senders)
        .map(|client| {
            let base = base.clone();
            let devices = load.devices;
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut latencies = Vec::new();
                for device in (client..devices).step_by(senders) {
                    let due = start + per_heartbeat.mul_f64(device as f64);
                    tokio::time::sleep_until(due).await;
                    let value = heartbeat("minute", device, device % 10 == 0);
                    let began = Instant::now();
                    send(&http, &base, device, &value).await;
                    latencies.push(began.elapsed());
                }
                latencies
            })
        })
        .collect();
    let pages = {
        let base = base.clone();
        let window = load.window;
        tokio::spawn(async move {
            let mut latencies: Vec<Vec<Duration>> = vec![Vec::new(); PAGES.len()];
            let mut turn = 0;
            while start.elapsed() < window {
                let page = turn % PAGES.len();
                let began = Instant::now();
                let response = staff
                    .get(format!("{base}{}", PAGES[page]))
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let body = response.bytes().await.unwrap();
                let elapsed = began.elapsed();
                assert_eq!(status, 200, "{}: {body:?}", PAGES[page]);
                latencies[page].push(elapsed);
                turn += 1;
                // A person reads a page before the next: about four pages a second.
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            latencies
        })
    };
    let mut heartbeats = Vec::new();
    for task in beats {
        heartbeats.extend(task.await.unwrap());
    }
    let pages = pages.await.unwrap();
    let (fleet_page_bytes, open_alerts) = {
        let fleet = reqwest::Client::new()
            .get(format!("{base}/api/v1/devices"))
            .send()
            .await
            .unwrap();
        (
            fleet.status().as_u16(),
            store.alerts(false, 100_000).await.unwrap().len(),
        )
    };
    assert_eq!(fleet_page_bytes, 401, "the device list needs a login");
    assert_eq!(
        store.counts().await.unwrap().heartbeats as usize,
        load.devices,
        "every device has its newest heartbeat"
    );
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    alerts.abort();

    let mut rows = vec![row(
        engine,
        load.devices,
        "heartbeat (POST /api/v1/outbox)",
        heartbeats,
    )];
    for (page, latencies) in PAGES.iter().zip(pages) {
        rows.push(row(engine, load.devices, page, latencies));
    }
    println!(
        "fleet {engine}: {} devices, {open_alerts} open alerts (paper low on every tenth)",
        load.devices
    );
    rows
}

fn row(engine: &str, devices: usize, request: &str, mut latencies: Vec<Duration>) -> String {
    latencies.sort();
    let at = |q: f64| {
        let index = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[index]
    };
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    format!(
        "| {engine} | {devices} | `{request}` | {} | {} | {} | {} |",
        latencies.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*latencies.last().unwrap()),
    )
}
