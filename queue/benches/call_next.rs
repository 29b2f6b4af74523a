//! Benchmark: `call next` on a durable SQLite file (WAL, `synchronous=FULL`) with appointments
//! and walk-ins waiting in the service: 20 due appointments, 4 early ones (not callable yet), 14
//! normal and 6 elderly walk-ins; and with walk-ins only, for comparison. Only the `call_next`
//! calls are timed; the completions and the set-up of each queue are not.

use std::{
    hint::black_box,
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use queue::{Booking, IssueRequest, ManualClock, PriorityKind, QueueConfig, QueueEngine};

/// Window 2 of the default configuration serves consultation first.
const WINDOW: u32 = 2;
const SERVICE: &str = "consultation";

/// A fresh engine with `appointments` due check-ins, 4 early ones and `walk_ins` walk-ins (one
/// in four elderly) waiting; how many `call_next` will find.
fn queue_of(dir: &tempfile::TempDir, appointments: usize, walk_ins: usize) -> (QueueEngine, usize) {
    let path = dir.path().join("queue.sqlite3");
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(dir.path().join("queue.sqlite3-wal"));
    let _ = std::fs::remove_file(dir.path().join("queue.sqlite3-shm"));
    // Monday 2025-03-03 09:30 in Chongqing.
    let now = Utc.with_ymd_and_hms(2025, 3, 3, 1, 30, 0).unwrap();
    let engine = QueueEngine::open(
        &path,
        QueueConfig::default(),
        Arc::new(ManualClock::new(now)),
        "",
    )
    .unwrap();
    for i in 0..walk_ins {
        let req = IssueRequest {
            priority: if i % 4 == 3 {
                PriorityKind::Elderly
            } else {
                PriorityKind::None
            },
            ..IssueRequest::new(SERVICE)
        };
        engine.issue(&req, "kiosk-1").unwrap();
    }
    let slot = |i: usize, minutes: i64| Booking {
        code: format!("BENCH-{i:04}"),
        slot_start: now + chrono::Duration::minutes(minutes),
        slot_end: now + chrono::Duration::minutes(minutes + 30),
    };
    for i in 0..appointments {
        engine
            .check_in(&IssueRequest::new(SERVICE), &slot(i, -5), "kiosk-1")
            .unwrap();
    }
    let early = if appointments > 0 { 4 } else { 0 };
    for i in 0..early {
        engine
            .check_in(&IssueRequest::new(SERVICE), &slot(1000 + i, 60), "kiosk-1")
            .unwrap();
    }
    (engine, appointments + walk_ins)
}

/// Times `iters` calls of `call_next`, refilling the queue whenever it runs dry.
fn timed_calls(iters: u64, appointments: usize, walk_ins: usize) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let mut total = Duration::ZERO;
    let mut left = 0;
    let mut engine = None;
    for _ in 0..iters {
        if left == 0 {
            let (e, n) = queue_of(&dir, appointments, walk_ins);
            engine = Some(e);
            left = n;
        }
        let e = engine.as_ref().unwrap();
        let start = Instant::now();
        let called = black_box(e.call_next(WINDOW).unwrap());
        total += start.elapsed();
        assert!(called.is_some());
        e.complete(WINDOW, "answered").unwrap();
        left -= 1;
    }
    total
}

fn call_next(c: &mut Criterion) {
    let mut group = c.benchmark_group("call_next");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("20_appointments_20_walk_ins", |b| {
        b.iter_custom(|iters| timed_calls(iters, 20, 20));
    });
    group.bench_function("40_walk_ins", |b| {
        b.iter_custom(|iters| timed_calls(iters, 0, 40));
    });
    group.finish();
}

criterion_group!(benches, call_next);
criterion_main!(benches);
