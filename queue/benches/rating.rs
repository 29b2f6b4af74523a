//! Benchmark: recording a citizen's rating of a completed ticket (the pad's or the phone page's
//! `rate_ticket`) on a durable SQLite file (WAL, `synchronous=FULL`): the checks (completed today,
//! not rated yet), the insert and the event. Only the `rate_ticket` calls are timed; issuing, calling
//! and completing the tickets are not.

use std::{
    hint::black_box,
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use queue::{IssueRequest, ManualClock, QueueConfig, QueueEngine, RatingSource};

/// Window 2 of the default configuration serves consultation first.
const WINDOW: u32 = 2;
const SERVICE: &str = "consultation";

fn timed_ratings(iters: u64) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    // Monday 2025-03-03 09:30 in Chongqing.
    let now = Utc.with_ymd_and_hms(2025, 3, 3, 1, 30, 0).unwrap();
    let config = QueueConfig::default();
    let outcome = config
        .service(SERVICE)
        .and_then(|s| s.outcomes.first().cloned())
        .unwrap_or_else(|| "answered".to_owned());
    let engine = QueueEngine::open(
        &dir.path().join("queue.sqlite3"),
        config,
        Arc::new(ManualClock::new(now)),
        "",
    )
    .unwrap();
    engine.open_window(WINDOW).unwrap();
    let mut total = Duration::ZERO;
    let reasons = vec!["long_wait".to_owned()];
    for i in 0..iters {
        let issued = engine
            .issue(&IssueRequest::new(SERVICE), "bench-kiosk")
            .unwrap();
        engine.call_next(WINDOW).unwrap().unwrap();
        engine.start(WINDOW).unwrap();
        engine.complete(WINDOW, &outcome).unwrap();
        let score = u8::try_from(i % 5).unwrap() + 1;
        let started = Instant::now();
        black_box(
            engine
                .rate_ticket(issued.ticket.id, score, &reasons, RatingSource::Pad)
                .unwrap(),
        );
        total += started.elapsed();
    }
    total
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("rating");
    group.sample_size(20);
    group.bench_function("rate_ticket", |b| b.iter_custom(timed_ratings));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
