//! A real `centre serve` process on its own loopback port, for the tests that run several processes
//! or kill one with SIGKILL.

use std::{
    io::{BufRead as _, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use super::db::TestDb;

/// The device every process test sends as, and its token.
pub const DEVICE: &str = "kiosk-proc";
pub const TOKEN: &str = "process-test-device-token-0123456789";

/// How long a process may take to start listening (a first PostgreSQL migration included).
const START_DEADLINE: Duration = Duration::from_secs(60);

/// Writes a configuration with [`DEVICE`] and its token (not the demo) into `dir`.
pub fn write_config(dir: &Path) -> PathBuf {
    let path = dir.join("centre.toml");
    std::fs::write(
        &path,
        format!(
            "[[devices]]\nid = \"{DEVICE}\"\nsite = \"进程测试站\"\ntoken_sha256 = \"{}\"\n",
            centre::auth::token_sha256(TOKEN)
        ),
    )
    .unwrap();
    path
}

/// A running `centre serve --config … --database … --listen 127.0.0.1:0`.
pub struct CentreProcess {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// `http://127.0.0.1:PORT`, read from its log once it listens.
    pub base: String,
}

impl CentreProcess {
    /// Spawns a centre on `db` with the configuration `config` (none: the demo) and its own data
    /// directory `data`; does not wait (see [`CentreProcess::listening`]).
    pub fn spawn_with(db: &TestDb, config: Option<&Path>, data: &Path) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_centre"));
        command.arg("serve");
        if let Some(config) = config {
            command.arg("--config").arg(config);
        }
        let mut child = command
            .arg("--data-dir")
            .arg(data)
            .arg("--database")
            .arg(db.database_arg())
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
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
        Self {
            child,
            lines,
            base: String::new(),
        }
    }

    /// Spawns a centre with the configuration `config`; see [`CentreProcess::spawn_with`].
    pub fn spawn(db: &TestDb, config: &Path, data: &Path) -> Self {
        Self::spawn_with(db, Some(config), data)
    }

    /// Waits (at most a minute) until the process logs the address it listens on.
    pub fn listening(mut self) -> Self {
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + START_DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(start) = line.find("listening on http://") {
                        let rest = &line[start + "listening on ".len()..];
                        self.base = rest.split([',', ' ']).next().unwrap().to_owned();
                        return self;
                    }
                    seen.push(line);
                }
                Err(err) => {
                    let status = self.child.try_wait();
                    panic!(
                        "the centre did not listen ({err}; exit: {status:?}); it said: {seen:#?}"
                    )
                }
            }
        }
    }

    /// Starts a centre and waits until it listens.
    pub fn start(db: &TestDb, config: &Path, data: &Path) -> Self {
        Self::spawn(db, config, data).listening()
    }

    /// The outbox URL.
    pub fn outbox(&self) -> String {
        format!("{}/api/v1/outbox", self.base)
    }

    /// SIGKILL (`Child::kill`), then reaps it: it is gone when this returns.
    pub fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for CentreProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
