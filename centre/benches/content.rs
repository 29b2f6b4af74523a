//! Many kiosks polling the centre's `/content/manifest.json` at once with `If-None-Match` (the kiosk's
//! unchanged poll, answered `304`), with the latency of each request; and, for comparison, full
//! manifest downloads (`200`).
//!
//! `cargo bench -p centre --bench content`. A bundle of 2,000 people with photos (a manifest of about
//! 0.2 MB) is published with the publisher's code; then each kiosk (its own client) polls in a loop:
//! over one keep-alive connection, over a new connection per poll (what a kiosk polling every 15
//! minutes does), over a new HTTPS connection per poll, and downloading the whole manifest. Prints a
//! Markdown table for `centre/README.md`. `-- --test` is a smoke run that checks every answer; its
//! figures are not measurements.

#[path = "../tests/content_support/mod.rs"]
mod content_support;

use std::{
    path::Path,
    time::{Duration, Instant},
};

use content_support::{ContentCentre, PUBLISHER_TOKEN, build_pack, dev_key, signed_at};
use reqwest::{StatusCode, header};

fn main() {
    let smoke = std::env::args().skip(1).any(|a| a == "--test");
    let (people, kiosks, polls) = if smoke {
        println!(
            "content: smoke run (--test), 20 people, 4 kiosks, 5 polls each; not a measurement"
        );
        (20, 4, 5)
    } else {
        (2_000, 64, 100)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(people, kiosks, polls));
}

struct Measured {
    label: String,
    requests: usize,
    kiosks: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

/// `kiosks` tasks, each with a client from `client`, each making `polls` requests for the manifest,
/// conditional when `etag` is given; every answer must be `expected`.
async fn poll(
    label: &str,
    url: &str,
    client: impl Fn() -> reqwest::Client,
    etag: Option<&str>,
    kiosks: usize,
    polls: usize,
    expected: StatusCode,
) -> Measured {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..kiosks {
        let client = client();
        let (url, etag) = (url.to_owned(), etag.map(str::to_owned));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(polls);
            for _ in 0..polls {
                let began = Instant::now();
                let mut request = client.get(&url);
                if let Some(etag) = &etag {
                    request = request.header(header::IF_NONE_MATCH, etag);
                }
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), expected);
                let body = response.bytes().await.unwrap();
                assert_eq!(body.is_empty(), expected == StatusCode::NOT_MODIFIED);
                latencies.push(began.elapsed());
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
        requests: kiosks * polls,
        kiosks,
        elapsed: start.elapsed(),
        latencies,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

fn self_signed(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let (crt, key) = (dir.join("centre.crt"), dir.join("centre.key"));
    std::fs::write(&crt, cert.cert.pem()).unwrap();
    std::fs::write(&key, cert.signing_key.serialize_pem()).unwrap();
    (crt, key)
}

async fn run(people: usize, kiosks: usize, polls: usize) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let src = dir.path().join("src");
    content_support::write_sources(&src, people, 600, 1);
    let created = signed_at();
    let pack = build_pack(
        &src,
        &dir.path().join("dist"),
        &dev_key(),
        created.timestamp() as u64 - 10,
        created,
    );
    let (crt, key) = self_signed(dir.path());
    let plain = ContentCentre::start(&dir.path().join("plain")).await;
    let tls = ContentCentre::start_with(
        &dir.path().join("tls"),
        64 << 20,
        Some(centre::tls::acceptor(&crt, &key).unwrap()),
        |app| app,
    )
    .await;
    for centre in [&plain, &tls] {
        let ca = centre.base.starts_with("https").then_some(crt.as_path());
        content::upload::upload(&centre.base, PUBLISHER_TOKEN, pack.clone(), ca)
            .await
            .unwrap();
    }
    let first = plain
        .client
        .get(plain.url("/content/manifest.json"))
        .send()
        .await
        .unwrap();
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
    let manifest_bytes = first.bytes().await.unwrap().len();

    let keep_alive = || reqwest::Client::new();
    let fresh = || {
        reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap()
    };
    let fresh_tls = || {
        reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .tls_certs_only(vec![
                reqwest::Certificate::from_pem(&std::fs::read(&crt).unwrap()).unwrap(),
            ])
            .build()
            .unwrap()
    };
    let manifest = plain.url("/content/manifest.json");
    let manifest_tls = tls.url("/content/manifest.json");
    let not_modified = StatusCode::NOT_MODIFIED;
    let results = vec![
        poll(
            "304, keep-alive",
            &manifest,
            keep_alive,
            Some(&etag),
            kiosks,
            polls,
            not_modified,
        )
        .await,
        poll(
            "304, a new connection per poll",
            &manifest,
            fresh,
            Some(&etag),
            kiosks,
            polls,
            not_modified,
        )
        .await,
        poll(
            "304, a new HTTPS connection per poll",
            &manifest_tls,
            fresh_tls,
            Some(&etag),
            kiosks,
            polls,
            not_modified,
        )
        .await,
        poll(
            "200, the whole manifest, keep-alive",
            &manifest,
            keep_alive,
            None,
            kiosks,
            polls / 4,
            StatusCode::OK,
        )
        .await,
    ];

    println!(
        "\nManifest: {manifest_bytes} bytes ({} files).\n",
        people + 2
    );
    println!("| run | requests | kiosks | requests/s | p50 | p99 | max |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for mut m in results {
        m.latencies.sort();
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
        println!(
            "| {} | {} | {} | {:.0} | {} | {} | {} |",
            m.label,
            m.requests,
            m.kiosks,
            m.requests as f64 / m.elapsed.as_secs_f64(),
            ms(percentile(&m.latencies, 0.50)),
            ms(percentile(&m.latencies, 0.99)),
            ms(*m.latencies.last().unwrap()),
        );
    }
}
