//! Load run of the queue host on loopback: 20 windows calling while kiosks issue tickets.
//!
//! `cargo bench -p kiosk --bench queue_load`. Real LAN service, real HTTP, a SQLite file with
//! durable commits (WAL, `synchronous=FULL`). Two phases with a fixed number of tickets:
//!
//! - paced: 10 tickets/s issued, 20 windows call-next / start / complete as fast as they can;
//! - burst: 4 kiosks issue without pause while the 20 windows serve.
//!
//! Prints throughput, p50/p99 latency per operation and the error count (must be zero).

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use kiosk::lan::{LanConfig, LanService, StaffEntry, demo_config, hash_pin};

use queue::{QueueConfig, QueueEngine, SystemClock, WindowConfig};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const WINDOWS: u32 = 20;
const PACED_TICKETS: usize = 300;
const PACED_RATE: f64 = 10.0;
const BURST_TICKETS: usize = 1500;
const BURST_KIOSKS: usize = 4;

#[derive(Default)]
struct Stats {
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    errors: Vec<String>,
}

impl Stats {
    fn record(&mut self, op: &'static str, took: Duration) {
        self.latencies.entry(op).or_default().push(took);
    }
}

fn pct(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn start() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut queue, _) = demo_config();
    queue.windows = (1..=WINDOWS)
        .map(|id| WindowConfig {
            id,
            name_zh: format!("{id}号窗口"),
            name_en: format!("Window {id}"),
            services: vec!["reception".into(), "consultation".into()],
        })
        .collect();
    let pin_hash = hash_pin("482915").expect("hash");
    let lan = LanConfig {
        staff: (1..=WINDOWS)
            .map(|window| StaffEntry {
                window,
                pin_hash: pin_hash.clone(),
                addresses: Vec::new(),
                name: None,
                staff_id: None,
            })
            .collect(),
        max_login_failures: 1000,
        ..demo_config().1
    };
    let engine = Arc::new(
        QueueEngine::open(
            &dir.path().join("queue.sqlite3"),
            QueueConfig { ..queue },
            Arc::new(SystemClock),
            "",
        )
        .expect("queue database"),
    );
    let service = LanService::new(engine, lan).expect("LAN service");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(service.serve(listener, std::future::pending()));
    (base, dir)
}

async fn timed(
    stats: &Mutex<Stats>,
    op: &'static str,
    req: reqwest::RequestBuilder,
) -> Option<(StatusCode, Value)> {
    let t0 = Instant::now();
    let result = req.send().await;
    let resp = match result {
        Ok(r) => r,
        Err(e) => {
            stats.lock().unwrap().errors.push(format!("{op}: {e}"));
            return None;
        }
    };
    let status = resp.status();
    let body = if status == StatusCode::NO_CONTENT {
        Value::Null
    } else {
        resp.json::<Value>().await.unwrap_or(Value::Null)
    };
    let took = t0.elapsed();
    let mut s = stats.lock().unwrap();
    s.record(op, took);
    if !status.is_success() {
        s.errors.push(format!("{op}: {status} {body}"));
        return None;
    }
    Some((status, body))
}

async fn window_worker(
    http: Client,
    base: String,
    token: String,
    window: u32,
    served: Arc<AtomicUsize>,
    target: usize,
    stats: Arc<Mutex<Stats>>,
) {
    let url = |a: &str| format!("{base}/api/v1/windows/{window}/{a}");
    while served.load(Ordering::SeqCst) < target {
        let Some((status, _)) = timed(
            &stats,
            "call-next",
            http.post(url("call-next")).bearer_auth(&token),
        )
        .await
        else {
            return;
        };
        if status == StatusCode::NO_CONTENT {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        if timed(&stats, "start", http.post(url("start")).bearer_auth(&token))
            .await
            .is_none()
        {
            return;
        }
        if timed(
            &stats,
            "complete",
            http.post(url("complete"))
                .bearer_auth(&token)
                .json(&json!({"outcome": "answered"})),
        )
        .await
        .is_none()
        {
            return;
        }
        served.fetch_add(1, Ordering::SeqCst);
    }
}

async fn phase(name: &str, base: &str, tickets: usize, paced: bool) -> bool {
    let http = Client::new();
    let stats = Arc::new(Mutex::new(Stats::default()));
    let mut tokens = Vec::new();
    for w in 1..=WINDOWS {
        let r: Value = http
            .post(format!("{base}/api/v1/login"))
            .json(&json!({"window": w, "pin": "482915"}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("login body");
        tokens.push(r["token"].as_str().expect("token").to_owned());
    }
    let served = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        tasks.push(tokio::spawn(window_worker(
            http.clone(),
            base.to_owned(),
            token,
            u32::try_from(i + 1).expect("window"),
            Arc::clone(&served),
            tickets,
            Arc::clone(&stats),
        )));
    }
    let kiosks = if paced { 1 } else { BURST_KIOSKS };
    let mut issuers = Vec::new();
    for k in 0..kiosks {
        let (http, base, stats) = (http.clone(), base.to_owned(), Arc::clone(&stats));
        let count = tickets / kiosks + usize::from(k < tickets % kiosks);
        issuers.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / PACED_RATE));
            for i in 0..count {
                if paced {
                    tick.tick().await;
                }
                let service = if i % 2 == 0 {
                    "reception"
                } else {
                    "consultation"
                };
                timed(
                    &stats,
                    "issue",
                    http.post(format!("{base}/api/v1/tickets"))
                        .bearer_auth("demo-device-token")
                        .json(&json!({"service": service, "priority": i % 7 == 0})),
                )
                .await;
            }
        }));
    }
    for t in issuers {
        t.await.expect("issuer");
    }
    for t in tasks {
        t.await.expect("window");
    }
    let elapsed = started.elapsed();
    let mut s = stats.lock().unwrap();
    let mut all: Vec<Duration> = s.latencies.values().flatten().copied().collect();
    all.sort();
    println!(
        "\n## {name}: {tickets} tickets, {WINDOWS} windows, {}\n",
        if paced {
            "10 tickets/s"
        } else {
            "4 kiosks unthrottled"
        }
    );
    println!("| operation | count | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    for (op, lat) in s.latencies.iter_mut() {
        lat.sort();
        println!(
            "| {op} | {} | {} | {} |",
            lat.len(),
            ms(pct(lat, 0.5)),
            ms(pct(lat, 0.99))
        );
    }
    println!(
        "| **all** | {} | {} | {} |",
        all.len(),
        ms(pct(&all, 0.5)),
        ms(pct(&all, 0.99))
    );
    println!(
        "\nwall time {:.1} s, throughput {:.0} requests/s, tickets served {}, errors {}",
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64(),
        served.load(Ordering::SeqCst),
        s.errors.len()
    );
    for e in s.errors.iter().take(5) {
        println!("error: {e}");
    }
    s.errors.is_empty() && served.load(Ordering::SeqCst) >= tickets
}

/// `cargo bench -- --test`, as CI runs it: a smoke run of a few iterations that executes the
/// bench's checks (a failure exits non-zero); its figures are not measurements.
fn smoke_run() -> bool {
    std::env::args().skip(1).any(|a| a == "--test")
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (paced_tickets, burst_tickets) = if smoke_run() {
        println!("queue_load: smoke run (--test), 10 + 40 tickets; not a measurement");
        (10, 40)
    } else {
        (PACED_TICKETS, BURST_TICKETS)
    };
    let ok = rt.block_on(async {
        let (base, _dir) = start().await;
        let paced = phase("paced", &base, paced_tickets, true).await;
        let burst = phase("burst", &base, burst_tickets, false).await;
        paced && burst
    });
    if !ok {
        eprintln!("queue_load: errors occurred");
        std::process::exit(1);
    }
}
