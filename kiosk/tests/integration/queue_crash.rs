//! Kill the queue host mid-issue many times: no duplicate, no gap, no lost ticket, and one
//! number per booking code.
//!
//! Runs the real `kiosk serve` binary against one data directory, issues tickets from several
//! concurrent clients while one more checks appointments in (each booking twice, and the last
//! round's bookings again after the restart), SIGKILLs the process after a random number of
//! acknowledged tickets (with requests still in flight), restarts it, and finally checks the
//! database.
//!
//! The kill points come from a seeded generator. The seed is printed on stderr (shown when the test
//! fails); `QUEUE_CRASH_SEED=<seed> cargo test -p kiosk --test integration queue_crash::` replays the same kill
//! points.

use std::{
    collections::{BTreeMap, HashMap},
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, mpsc},
    time::Duration,
};

use kiosk::lan::demo_config;
use queue::{QueueEngine, SystemClock, TicketStatus};
use rand::{Rng, SeedableRng, TryRngCore, rngs::StdRng};
use serde_json::{Value, json};

const ROUNDS: usize = 60;
const CLIENTS: usize = 4;
/// The most acknowledged tickets a round waits for before the kill (at least 1).
const MOST_ACKS_BEFORE_KILL: usize = 8;

// The demo service's numbers end at A999. A round issues at most its kill point, plus one ticket
// per client still in flight, plus the acknowledgements that arrive while the host is being killed
// (a few): the rounds must never run out of numbers.
const _: () = assert!(ROUNDS * (MOST_ACKS_BEFORE_KILL + 2 * CLIENTS) < 999);
/// Bookings checked in per round at most (the mediation numbers end at F999 too).
const CHECK_INS_PER_ROUND: usize = 6;
const _: () = assert!(ROUNDS * CHECK_INS_PER_ROUND < 999);

/// The seed of the kill points: `QUEUE_CRASH_SEED` (decimal), or a new one from the OS.
fn seed() -> u64 {
    match std::env::var("QUEUE_CRASH_SEED") {
        Ok(s) => s
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("QUEUE_CRASH_SEED={s:?} is not a decimal u64: {e}")),
        Err(_) => rand::rngs::OsRng
            .try_next_u64()
            .expect("the OS gives a random seed"),
    }
}

fn spawn_host(data_dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the kiosk binary starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                let _ = tx.send(url.to_owned());
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the host reports its address");
    (child, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_host_mid_issue_never_duplicates_skips_or_loses_a_ticket() {
    let seed = seed();
    // On stderr, so that the harness shows it with a failure.
    eprintln!("queue_crash: seed {seed}; replay with QUEUE_CRASH_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    // id -> number of every acknowledged ticket
    let acked: Arc<Mutex<HashMap<i64, String>>> = Arc::default();
    // booking code -> (id, number) of every acknowledged check-in
    let checked_in: Arc<Mutex<BTreeMap<String, (i64, String)>>> = Arc::default();
    let http = reqwest::Client::new();
    // Every round waits for `kill_after` acknowledgements of new tickets before the kill.
    let mut acknowledged_at_least = 0;
    for _round in 0..ROUNDS {
        let (mut child, base) = spawn_host(dir.path());
        let kill_after = rng.random_range(1..=MOST_ACKS_BEFORE_KILL);
        let (ack_tx, mut ack_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS {
            let (http, base, acked, ack_tx) = (
                http.clone(),
                base.clone(),
                Arc::clone(&acked),
                ack_tx.clone(),
            );
            tasks.push(tokio::spawn(async move {
                loop {
                    let resp = http
                        .post(format!("{base}/api/v1/tickets"))
                        .bearer_auth("demo-device-token")
                        .json(&json!({"service": "reception", "priority": false}))
                        .send()
                        .await;
                    let Ok(resp) = resp else { return };
                    if resp.status() != reqwest::StatusCode::CREATED {
                        return;
                    }
                    let Ok(t) = resp.json::<Value>().await else {
                        return;
                    };
                    let id = t["id"].as_i64().unwrap();
                    let number = t["number"].as_str().unwrap().to_owned();
                    acked.lock().unwrap().insert(id, number);
                    if ack_tx.send(()).is_err() {
                        return;
                    }
                }
            }));
        }
        // The bookings acknowledged before the last kill check in again after the restart: the
        // same ticket, no second number.
        let before: Vec<(String, (i64, String))> = checked_in
            .lock()
            .unwrap()
            .iter()
            .map(|(c, t)| (c.clone(), t.clone()))
            .collect();
        for (code, (id, number)) in before.iter().rev().take(2) {
            let t = check_in(&http, &base, code)
                .await
                .expect("the host answers");
            assert_eq!((t.0, &t.1), (*id, number), "booking {code} after a restart");
        }
        {
            let (http, base, checked_in) = (http.clone(), base.clone(), Arc::clone(&checked_in));
            let round = _round;
            tasks.push(tokio::spawn(async move {
                for k in 0..CHECK_INS_PER_ROUND {
                    let code = format!("CRASH-{round:02}-{k:03}");
                    // Twice: the second answer must be the first ticket.
                    let Some(first) = check_in(&http, &base, &code).await else {
                        return;
                    };
                    checked_in
                        .lock()
                        .unwrap()
                        .insert(code.clone(), first.clone());
                    let Some(again) = check_in(&http, &base, &code).await else {
                        return;
                    };
                    assert_eq!(again, first, "booking {code} checked in twice");
                }
            }));
        }
        drop(ack_tx);
        for _ in 0..kill_after {
            tokio::time::timeout(Duration::from_secs(60), ack_rx.recv())
                .await
                .expect("tickets are acknowledged")
                .expect("clients are running");
        }
        // SIGKILL while the other clients' requests are in flight.
        child.kill().unwrap();
        child.wait().unwrap();
        for t in tasks {
            t.await.unwrap();
        }
        acknowledged_at_least += kill_after;
        assert!(acked.lock().unwrap().len() >= acknowledged_at_least);
    }

    let (queue, _) = demo_config();
    let engine = QueueEngine::open(
        &dir.path().join("queue.sqlite3"),
        queue,
        Arc::new(SystemClock),
        "",
    )
    .unwrap();
    let today = engine.current_day().unwrap();
    // The run may cross midnight: check every day it touched.
    let mut by_day: BTreeMap<chrono::NaiveDate, Vec<queue::Ticket>> = BTreeMap::new();
    let mut day = today;
    for _ in 0..2 {
        let tickets = engine.tickets_of_day(day).unwrap();
        if !tickets.is_empty() {
            by_day.insert(day, tickets);
        }
        day = day.pred_opt().unwrap();
    }
    let acked = acked.lock().unwrap();
    let checked_in = checked_in.lock().unwrap();
    let mut found = 0;
    let mut found_check_ins = 0;
    for (day, tickets) in &by_day {
        for (service, prefix) in [("reception", 'A'), ("mediation", 'F')] {
            let numbers: Vec<&str> = tickets
                .iter()
                .filter(|t| t.service == service)
                .map(|t| t.number.as_str())
                .collect();
            let expected: Vec<String> = (1..=numbers.len())
                .map(|n| format!("{prefix}{n:03}"))
                .collect();
            assert_eq!(
                numbers, expected,
                "{day}: {service} numbers 1..n, no duplicate, no gap"
            );
        }
        let mut codes = std::collections::HashSet::new();
        for t in tickets.iter().filter(|t| t.service == "mediation") {
            let code = &t.appointment.as_ref().expect("a check-in's booking").code;
            assert!(
                codes.insert(code.clone()),
                "{day}: booking {code} has two tickets"
            );
            if let Some((id, number)) = checked_in.get(code) {
                assert_eq!((id, number), (&t.id, &t.number), "booking {code}");
                found_check_ins += 1;
            }
        }
        for t in tickets.iter().filter(|t| t.service == "reception") {
            if let Some(number) = acked.get(&t.id) {
                assert_eq!(number, &t.number);
                assert!(matches!(
                    t.status,
                    TicketStatus::Waiting | TicketStatus::Cancelled
                ));
                found += 1;
            }
        }
    }
    assert_eq!(
        found,
        acked.len(),
        "every acknowledged ticket is in the database"
    );
    assert_eq!(
        found_check_ins,
        checked_in.len(),
        "every acknowledged check-in is in the database"
    );
    assert!(!checked_in.is_empty(), "check-ins were acknowledged");
}

/// Checks booking `code` in for mediation with a slot starting now: `(id, number)`, or `None`
/// when the host did not answer with a ticket (killed).
async fn check_in(http: &reqwest::Client, base: &str, code: &str) -> Option<(i64, String)> {
    let now = chrono::Utc::now();
    let resp = http
        .post(format!("{base}/api/v1/tickets"))
        .bearer_auth("demo-device-token")
        .json(&json!({
            "service": "mediation",
            "appointment": {
                "code": code,
                "slot_start": now,
                "slot_end": now + chrono::Duration::minutes(30),
            },
        }))
        .send()
        .await
        .ok()?;
    if resp.status() != reqwest::StatusCode::CREATED {
        return None;
    }
    let t = resp.json::<Value>().await.ok()?;
    Some((t["id"].as_i64()?, t["number"].as_str()?.to_owned()))
}
