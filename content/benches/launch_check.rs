//! The launch check over the bundled sources: how long `kiosk content check SRC --release` takes to
//! list every open item, and a development build of the same sources for comparison.
//!
//! `cargo bench -p content --bench launch_check`. Prints a Markdown table for the README.

use std::{path::Path, time::Instant};

use content::{BuildOptions, SecretKey, open_items};

fn main() {
    let smoke = std::env::args().skip(1).any(|a| a == "--test");
    let runs = if smoke { 3 } else { 50 };
    if smoke {
        println!("launch_check: smoke run (--test); not a measurement");
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/content-src");

    let mut check = Vec::with_capacity(runs);
    let mut items = 0;
    for _ in 0..runs {
        let started = Instant::now();
        items = open_items(&src).expect("the sources read").len();
        check.push(started.elapsed().as_secs_f64() * 1e3);
    }
    assert!(items > 0, "today's sources have open items");

    let key = SecretKey::generate();
    let mut build = Vec::with_capacity(runs);
    for _ in 0..runs.min(10) {
        let out = tempfile::tempdir().unwrap();
        let started = Instant::now();
        content::build(&src, &key, out.path(), &BuildOptions::default())
            .expect("a development build");
        build.push(started.elapsed().as_secs_f64() * 1e3);
    }

    println!("| step | figure |");
    println!("|---|---|");
    println!(
        "| launch check of the bundled sources ({items} open items) | p50 {:.1} ms, p99 {:.1} ms |",
        percentile(&mut check, 0.50),
        percentile(&mut check, 0.99)
    );
    println!(
        "| development build of the same sources | p50 {:.1} ms |",
        percentile(&mut build, 0.50)
    );
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let index = ((values.len() as f64 - 1.0) * p).round() as usize;
    values[index.min(values.len() - 1)]
}
