//! The `code-scanner-sim` binary as a separate process, read by the real drivers.

mod emulation;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use code_scanner::{
    DeviceState, DriverOptions, KeyboardConfig, Scanner, ScannerEvent, SerialConfig, Symbology,
    Terminator,
};

const BIN: &str = env!("CARGO_BIN_EXE_code-scanner-sim");
const WAIT: Duration = Duration::from_secs(10);

/// Starts the simulator; returns it, its stdin and the device path it printed.
fn start(args: &[&str]) -> (Child, ChildStdin, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let mut path = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut path)
        .unwrap();
    (child, stdin, path.trim_end().to_owned())
}

fn options() -> DriverOptions {
    DriverOptions {
        poll_slice: Duration::from_millis(20),
        backoff_initial: Duration::from_millis(10),
        backoff_max: Duration::from_millis(100),
    }
}

fn clock() -> Arc<dyn clock::MonotonicClock> {
    Arc::new(clock::SystemMonotonic::new())
}

async fn next(scanner: &mut Scanner) -> ScannerEvent {
    tokio::time::timeout(WAIT, scanner.next_event())
        .await
        .expect("no scanner event in time")
        .expect("driver stopped")
}

/// Types `lines` into the simulator and expects each back from the driver.
async fn scans_lines(
    mut scanner: Scanner,
    mut stdin: ChildStdin,
    mut child: Child,
    aim: bool,
    lines: &[&str],
) {
    assert_eq!(
        next(&mut scanner).await,
        ScannerEvent::State(DeviceState::Connected)
    );
    for line in lines {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        match next(&mut scanner).await {
            ScannerEvent::Scan(scan) => {
                assert_eq!(scan.text, *line);
                assert_eq!(scan.symbology, aim.then_some(Symbology::Qr));
            }
            other => panic!("expected a scan, got {other:?}"),
        }
    }
    writeln!(stdin, "quit").unwrap();
    assert!(child.wait().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serial_simulator_scans_stdin_lines_into_its_pty() {
    if emulation::skip_under_emulation(
        "serial_simulator_scans_stdin_lines_into_its_pty",
        "a real tty and its own binary as a child process",
    ) {
        return;
    }
    let (child, stdin, path) = start(&["serial", "--terminator", "crlf", "--aim", "--gbk"]);
    assert!(path.starts_with("/dev/"), "{path}");
    let mut config = SerialConfig::new(&path);
    config.terminator = Terminator::CrLf;
    config.aim_id = true;
    let scanner = Scanner::spawn_serial(&config, options(), clock()).unwrap();
    // GBK on the wire, read back by the default `auto` encoding.
    let lines = [
        "https://qj.example/b?n=YY-0042",
        "黔江区公共法律服务中心 预约 0042",
    ];
    scans_lines(scanner, stdin, child, true, &lines).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_simulator_types_stdin_lines_into_its_fifo() {
    if emulation::skip_under_emulation(
        "keyboard_simulator_types_stdin_lines_into_its_fifo",
        "its own binary as a child process",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("scanner-event-kbd");
    let (child, stdin, path) = start(&["keyboard", "--path", fifo.to_str().unwrap()]);
    assert_eq!(path, fifo.to_str().unwrap());
    let scanner = Scanner::spawn_keyboard(&KeyboardConfig::new(&fifo), options(), clock()).unwrap();
    let lines = ["https://qj.example/b?n=YY-0042", "Room 3: {A|B} ~ \"ok\"?"];
    scans_lines(scanner, stdin, child, false, &lines).await;
    assert!(!fifo.exists(), "the FIFO is removed on exit");
}

#[test]
fn a_bad_link_is_reported_with_its_reason() {
    if emulation::skip_under_emulation(
        "a_bad_link_is_reported_with_its_reason",
        "a real tty and its own binary as a child process",
    ) {
        return;
    }
    let out = Command::new(BIN)
        .args(["serial", "--link", "/nonexistent-dir/scanner"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("linking /nonexistent-dir/scanner"),
        "{stderr}"
    );
}
