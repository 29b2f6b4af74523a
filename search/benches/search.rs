//! Search and IME benchmark: latency per keystroke over a generated directory of 10,000 lawyers, index build
//! time, and the memory of the loaded directory and of the IME word list, counted by a global allocator
//! that tallies live bytes.
//!
//! `cargo bench -p search --bench search` (figures in `search/README.md`).

// The counting allocator must implement `GlobalAlloc`, an unsafe trait; it only forwards to `System`.
#![allow(unsafe_code)]

use std::{
    alloc::{GlobalAlloc, Layout, System},
    hint::black_box,
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

use search::{FieldKind, Ime, SearchIndex, sample};

/// Forwards to the system allocator and keeps the number of live bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the counter is only
// arithmetic on the sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const LAWYERS: usize = 10_000;
const LIMIT: usize = 20;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn report(what: &str, mut samples: Vec<(Duration, String)>) {
    samples.sort_unstable();
    let slowest: Vec<String> = samples
        .iter()
        .rev()
        .take(5)
        .map(|(d, q)| format!("{q:?} {}", micros(*d)))
        .collect();
    let samples: Vec<Duration> = samples.into_iter().map(|(d, _)| d).collect();
    println!(
        "{what}: {} keystrokes, p50 {}, p99 {}, max {}",
        samples.len(),
        micros(percentile(&samples, 0.5)),
        micros(percentile(&samples, 0.99)),
        micros(*samples.last().unwrap())
    );
    println!("  slowest: {}", slowest.join(", "));
}

/// What citizens type, letter by letter: names in full pinyin, initials and characters, firm words,
/// practice areas and townships in pinyin.
fn typed_queries(records: &[search::Record]) -> Vec<String> {
    let mut queries = Vec::new();
    for record in records.iter().step_by(records.len() / 100) {
        let name = &record.fields[0].1;
        let reading = SearchIndex::reading_of(FieldKind::Name, name);
        queries.push(reading.replace(' ', ""));
        queries.push(reading.split(' ').map(|s| &s[..1]).collect());
        queries.push(name.clone());
    }
    for extra in [
        "wuling",
        "zhengyang",
        "hunyinjiating",
        "laodongzhengyi",
        "gongshang",
        "zhuoshui",
        "chengxi",
        "ls",
        "lvshishiwusuo",
        "婚姻",
        "律师",
        "15001200000004242",
    ] {
        queries.push(extra.to_owned());
    }
    queries
}

/// `cargo bench -- --test`, as CI runs it: a smoke run of a few iterations that executes the
/// bench's checks (a failure exits non-zero); its figures are not measurements.
fn smoke_run() -> bool {
    std::env::args().skip(1).any(|a| a == "--test")
}

fn main() {
    // A smoke run: 200 lawyers (the queries take every hundredth), one build, one round of queries.
    let (lawyers, builds, rounds) = if smoke_run() {
        println!("search: smoke run (--test), 200 lawyers; not a measurement");
        (200, 1, 1)
    } else {
        (LAWYERS, 5, 3)
    };
    // Build time, best of five (the first run also warms the allocator).
    let records = sample::lawyers(lawyers, 2026);
    let mut build = Vec::new();
    for _ in 0..builds {
        let start = Instant::now();
        let index = SearchIndex::build(&records);
        build.push(start.elapsed());
        black_box(&index);
    }
    build.sort_unstable();
    println!(
        "index build over {lawyers} lawyers: median {:.1} ms, best {:.1} ms",
        build[builds / 2].as_secs_f64() * 1e3,
        build[0].as_secs_f64() * 1e3
    );

    // Memory: the records themselves, then the index over them.
    drop(records);
    let before = live();
    let records = sample::lawyers(lawyers, 2026);
    let after_records = live();
    let index = SearchIndex::build(&records);
    let after_index = live();
    println!(
        "memory: records {:.2} MB, index {:.2} MB, directory total {:.2} MB",
        (after_records - before) as f64 / 1e6,
        (after_index - after_records) as f64 / 1e6,
        (after_index - before) as f64 / 1e6
    );

    // Search latency per keystroke: every prefix of every typed query.
    let queries = typed_queries(&records);
    let mut samples = Vec::new();
    for _round in 0..rounds {
        for query in &queries {
            let chars: Vec<char> = query.chars().collect();
            for end in 1..=chars.len() {
                let prefix: String = chars[..end].iter().collect();
                let start = Instant::now();
                let hits = index.search(&prefix, LIMIT);
                samples.push((start.elapsed(), prefix));
                black_box(hits);
            }
        }
    }
    report(
        &format!("search per keystroke ({lawyers} lawyers, top 20)"),
        samples,
    );

    // The IME: load time and memory of the bundled word list, then candidates per keystroke.
    let before = live();
    let start = Instant::now();
    let ime = Ime::builtin();
    let load = start.elapsed();
    println!(
        "IME word list: loaded in {:.1} ms, {:.2} MB",
        load.as_secs_f64() * 1e3,
        (live() - before) as f64 / 1e6
    );
    let mut samples = Vec::new();
    for _round in 0..rounds {
        for text in [
            "falvyuanzhu",
            "qianjiang",
            "zs",
            "zhangsan",
            "laodongzhongcai",
            "wodeshenfenzheng",
            "flyz",
            "shanyangfei",
            "xianzaijijidian",
            "gongshangrending",
            "bzd",
            "woyaotousu",
        ] {
            for end in 1..=text.len() {
                let start = Instant::now();
                let candidates = ime.candidates(&text[..end], 60);
                samples.push((start.elapsed(), text[..end].to_owned()));
                black_box(candidates);
            }
        }
    }
    report("IME candidates per keystroke (top 60)", samples);
}
