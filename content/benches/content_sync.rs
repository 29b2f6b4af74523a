//! Content sync of a large directory: 10,000 lawyers with photos, served over loopback HTTP.
//!
//! `cargo bench -p kiosk --bench content_sync`. Measures the first sync (into an empty store), an unchanged
//! poll (requests and bytes), and a 1 % change (100 photos and the records that name them: bytes
//! downloaded). Prints a Markdown table for `content/README.md`.

#[path = "../tests/support/mod.rs"]
mod content_support;

use std::{sync::Arc, time::Instant};

use chrono::Utc;
use content::{ContentConfig, ContentStore, SecretKey, SyncReport, SystemWallClock};
use content_support::{TestServer, build, write_sources};

const LAWYERS: usize = 10_000;
const PHOTO_BYTES: usize = 6_000;

fn main() {
    let lawyers = if smoke_run() {
        println!("content_sync: smoke run (--test), 200 lawyers; not a measurement");
        200
    } else {
        LAWYERS
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(lawyers));
}

/// `cargo bench -- --test`, as CI runs it: a smoke run of a few iterations that executes the
/// bench's checks (a failure exits non-zero); its figures are not measurements.
fn smoke_run() -> bool {
    std::env::args().skip(1).any(|a| a == "--test")
}

async fn run(lawyers: usize) {
    let tmp = tempfile::tempdir().unwrap();
    let key = SecretKey::generate();
    let src = tmp.path().join("src");
    let started = Instant::now();
    write_sources(&src, lawyers, PHOTO_BYTES, |_| 1);
    let v1 = tmp.path().join("v1");
    build(&src, &v1, &key, 1, Utc::now(), 30);
    let build_time = started.elapsed();

    let server = TestServer::start(&v1).await;
    let config = ContentConfig {
        trusted_keys: vec![key.public().to_string()],
        ..ContentConfig::default()
    };
    let store = ContentStore::open_with(
        &tmp.path().join("data"),
        &config,
        Arc::new(SystemWallClock),
        None,
    )
    .unwrap();

    let (first, first_time) = timed(store.sync_url(&server.bundle_url())).await;
    assert_eq!(store.current().lawyers.len(), lawyers);
    let (unchanged, unchanged_time) = timed(store.sync_url(&server.bundle_url())).await;

    // 1 %: every hundredth person gets a new photo.
    write_sources(
        &src,
        lawyers,
        PHOTO_BYTES,
        |i| if i % 100 == 0 { 2 } else { 1 },
    );
    let v2 = tmp.path().join("v2");
    build(&src, &v2, &key, 2, Utc::now(), 30);
    server.serve(&v2);
    let (changed, changed_time) = timed(store.sync_url(&server.bundle_url())).await;
    let manifest_bytes = std::fs::metadata(v2.join("manifest.json")).unwrap().len();

    println!(
        "content_sync: {lawyers} lawyers, {PHOTO_BYTES}-byte photos, bundle built in {build_time:.1?}"
    );
    println!("| case | requests | bytes received | files | time |");
    println!("|---|---:|---:|---:|---:|");
    let one_percent = format!("1 % changed ({} photos)", lawyers / 100);
    for (name, report, time) in [
        ("first sync", &first, first_time),
        ("unchanged poll", &unchanged, unchanged_time),
        (one_percent.as_str(), &changed, changed_time),
    ] {
        println!(
            "| {name} | {} | {} | {} | {time:.2?} |",
            report.requests, report.bytes, report.files
        );
    }
    println!("(manifest.json of the changed bundle: {manifest_bytes} bytes)");
}

async fn timed(
    sync: impl Future<Output = Result<SyncReport, content::SyncError>>,
) -> (SyncReport, std::time::Duration) {
    let started = Instant::now();
    let report = sync.await.unwrap();
    (report, started.elapsed())
}
