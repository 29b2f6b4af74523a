//! The headless queue host (`kiosk serve`, the real binary) answers `/healthz` and `/metrics`, and its
//! restart counter survives process restarts in the data directory.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use serde_json::Value;

pub(crate) struct Host(pub(crate) Child);

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_host(data_dir: &Path) -> (Host, String) {
    let mut serve = Command::new(env!("CARGO_BIN_EXE_kiosk"));
    serve
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir);
    spawn(serve)
}

/// Starts `kiosk serve` as `serve` says and waits for the address it listens on.
pub(crate) fn spawn(mut serve: Command) -> (Host, String) {
    let mut child = serve
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
    (Host(child), url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_headless_host_answers_healthz_and_counts_its_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    for start in 0..2u64 {
        let (host, base) = spawn_host(dir.path());
        let resp = http.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(resp.status(), reqwest::StatusCode::OK);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["status"], "ok", "{body}");
        assert_eq!(body["snapshot"]["devices"]["restarts"], start);
        assert_eq!(body["snapshot"]["devices"]["queue_host"], true);
        let text = http
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            text.contains(&format!("kiosk_restarts_total {start}")),
            "{text}"
        );
        assert!(text.contains("kiosk_printer_configured 0"), "{text}");
        drop(host);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_serve_keeps_its_database_in_the_configured_data_directory() {
    // `kiosk serve --config FILE` reads the same configuration as the kiosk: `[storage] data_dir` is
    // honoured when no `--data-dir` is given.
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("configured-data");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\ndata_dir = {:?}\n\n[lan]\nallow_demo_credentials = true\n",
            data_dir.to_string_lossy()
        ),
    )
    .unwrap();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_kiosk"));
    serve
        .args(["--config"])
        .arg(&config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("KIOSK_DATA_DIR");
    let (host, _url) = spawn(serve);
    assert!(
        data_dir.join(kiosk::lan::DATABASE_FILE).is_file(),
        "the queue database is in [storage] data_dir"
    );
    drop(host);
}
