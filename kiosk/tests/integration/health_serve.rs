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

struct Host(Child);

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_host(data_dir: &Path) -> (Host, String) {
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
