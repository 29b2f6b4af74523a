//! The `centre` binary: the demo starts with its warning and takes items; a configured start replaces
//! the demo's accounts; the demo is then refused; a PostgreSQL server that cannot be reached is named
//! (host, port, database, user) without its password.

use std::{
    io::{BufRead as _, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

const BIN: &str = env!("CARGO_BIN_EXE_centre");

/// A running `centre serve`, its stderr lines arriving on a channel.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(args)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// Waits (at most 30 s) for a line containing `needle`; returns every line read up to it.
    fn wait_for(&self, needle: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    let found = line.contains(needle);
                    seen.push(line);
                    if found {
                        return seen;
                    }
                }
                Err(err) => panic!("no line with {needle:?} ({err}); read: {seen:#?}"),
            }
        }
    }

    /// The address from the "listening on http://ADDR" line.
    fn address(&self) -> (String, Vec<String>) {
        let lines = self.wait_for("listening on http://");
        let last = lines.last().unwrap();
        let start = last.find("http://").unwrap() + "http://".len();
        let addr = last[start..].split([',', ' ']).next().unwrap().to_owned();
        (addr, lines)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn post_complaint(addr: &str, token: &str) -> u16 {
    let body = r#"{"key":"T-CLI0-0001","device":"demo-kiosk","created":"2026-03-02T09:00:00Z","kind":"complaint","data":{"about":"general","text":"测试","contact":null}}"#;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("http://{addr}/api/v1/outbox"))
            .bearer_auth(token)
            .header("Idempotency-Key", "T-CLI0-0001")
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

fn exits_with(args: &[&str], data_dir: &Path) -> String {
    let output = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(!output.status.success(), "{args:?} must fail");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn demo_then_config_then_the_demo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();

    let demo = Running::start(&["serve", "--data-dir", data_arg, "--listen", "127.0.0.1:0"]);
    let (addr, lines) = demo.address();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("DEMO MODE") && l.contains("admin-demo")),
        "{lines:#?}"
    );
    assert_eq!(post_complaint(&addr, "demo-device-token"), 201);
    drop(demo);

    let config = dir.path().join("centre.toml");
    let hash = centre::auth::hash_password("a long enough password").unwrap();
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\n[[devices]]\nid = \"demo-kiosk\"\nsite = \"A\"\n\
             token_sha256 = \"{}\"\n[[staff]]\nuser = \"wang\"\npassword_hash = \"{hash}\"\n\
             role = \"administrator\"\n",
            centre::auth::token_sha256("a-real-device-token"),
        ),
    )
    .unwrap();
    let configured = Running::start(&[
        "serve",
        "--config",
        config.to_str().unwrap(),
        "--data-dir",
        data_arg,
    ]);
    let (addr, lines) = configured.address();
    assert!(!lines.iter().any(|l| l.contains("DEMO MODE")), "{lines:#?}");
    assert_eq!(
        post_complaint(&addr, "demo-device-token"),
        401,
        "demo token gone"
    );
    assert_eq!(
        post_complaint(&addr, "a-real-device-token"),
        200,
        "stored under the demo before"
    );
    drop(configured);

    let err = exits_with(&["serve", "--listen", "127.0.0.1:0"], &data);
    assert!(
        err.contains("the demo (no --config) is refused") && err.contains("wang"),
        "{err}"
    );
}

#[test]
fn an_unreachable_postgres_is_named_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let err = exits_with(
        &[
            "serve",
            "--database",
            "postgres://centre:secret@127.0.0.1:1/centre",
        ],
        dir.path(),
    );
    assert!(
        err.contains("PostgreSQL host 127.0.0.1 port 1 database centre user centre"),
        "{err}"
    );
    assert!(!err.contains("secret"), "{err}");
}
