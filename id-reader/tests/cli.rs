//! The `id-reader` binary: `decode`, and `simulate` + `read` / `sam-id` as separate processes
//! talking over a pseudo-terminal.

mod emulation;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStderr, ChildStdin, Command, Output, Stdio};

use id_reader::sim::{SimCard, SimSam};
use id_reader::{CardSpec, Command as SamCommand};

const BIN: &str = env!("CARGO_BIN_EXE_id-reader");

fn cards(file: &str) -> String {
    format!("{}/cards/{file}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn stdout_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A captured 30 01 answer for a card file, produced by the simulated SAM.
fn captured_frame(file: &str) -> Vec<u8> {
    let spec = CardSpec::from_toml(&std::fs::read_to_string(cards(file)).unwrap()).unwrap();
    let mut sam = SimSam::new();
    sam.place(SimCard::from_spec(&spec).unwrap());
    sam.handle_bytes(&SamCommand::FindCard.encode());
    sam.handle_bytes(&SamCommand::SelectCard.encode());
    sam.handle_bytes(&SamCommand::ReadTextPhoto.encode())
        .remove(0)
        .frame
}

#[test]
fn decode_prints_json_text_and_masked_forms() {
    if emulation::skip_under_emulation(
        "decode_prints_json_text_and_masked_forms",
        "its own binary as a child process",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("read.bin");
    std::fs::write(&raw, captured_frame("resident.toml")).unwrap();
    let raw = raw.to_str().unwrap();

    let out = run(&["decode", raw, "--json"]);
    assert!(out.status.success());
    let json = stdout_json(&out);
    assert_eq!(json["card_type"], "resident");
    assert_eq!(json["name"], "张三");
    assert_eq!(json["sex"], "男");
    assert_eq!(json["nation"], "汉");
    assert_eq!(json["birth"], "1990-03-07");
    assert_eq!(json["id_number"], "990101199003079992");
    assert_eq!(json["id_number_valid"], true);
    assert_eq!(json["valid_to"], "2040-05-01");
    assert!(json.get("pass_number").is_none());

    let out = run(&["decode", raw, "--json", "--masked"]);
    let json = stdout_json(&out);
    assert_eq!(json["name"], "张*");
    assert_eq!(json["id_number"], "990***********9992");

    let out = run(&["decode", raw]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("姓名 Name: 张三"), "{text}");
    assert!(text.contains("校验位正确"), "{text}");

    // Hex text on stdin.
    let mut child = Command::new(BIN)
        .args(["decode", "-", "--hex", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let hex: String = captured_frame("foreign_permanent_2017.toml")
        .chunks(16)
        .map(|line| hex::encode_upper(line) + "\n")
        .collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(hex.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let json = stdout_json(&out);
    assert_eq!(json["card_type"], "foreign_permanent");
    assert_eq!(json["nationality"], "USA");
    assert_eq!(json["card_version"], "01");
}

#[test]
fn decode_rejects_bad_input_with_a_reason() {
    if emulation::skip_under_emulation(
        "decode_rejects_bad_input_with_a_reason",
        "its own binary as a child process",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut frame = captured_frame("resident.toml");
    *frame.last_mut().unwrap() ^= 1;
    let bad = dir.path().join("bad.bin");
    std::fs::write(&bad, &frame).unwrap();
    let out = run(&["decode", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("checksum"));

    let no_card = dir.path().join("nocard.hex");
    std::fs::write(&no_card, "AA AA AA 96 69 00 04 00 00 80 84").unwrap();
    let out = run(&["decode", no_card.to_str().unwrap(), "--hex"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("寻找证/卡失败"));
}

/// A `simulate` process, killed (by its own handle) when dropped.
struct Simulator {
    child: Child,
    stdin: ChildStdin,
    stderr: BufReader<ChildStderr>,
    path: String,
}

impl Simulator {
    fn start(card: &str) -> Self {
        let mut child = Command::new(BIN)
            .args(["simulate", "--card", &cards(card)])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut path = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut path)
            .unwrap();
        let path = path.trim().to_owned();
        assert!(path.starts_with("/dev/"), "simulate printed {path:?}");
        let stdin = child.stdin.take().unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut banner = String::new();
        stderr.read_line(&mut banner).unwrap();
        Self {
            child,
            stdin,
            stderr,
            path,
        }
    }

    /// Sends a console command and waits for the simulator's acknowledgement line.
    fn console(&mut self, command: &str, ack: &str) {
        writeln!(self.stdin, "{command}").unwrap();
        let mut line = String::new();
        while !line.contains(ack) {
            line.clear();
            assert!(
                self.stderr.read_line(&mut line).unwrap() > 0,
                "simulator exited"
            );
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn simulate_and_read_run_as_two_processes() {
    if emulation::skip_under_emulation(
        "simulate_and_read_run_as_two_processes",
        "its own binary as a child process",
    ) {
        return;
    }
    let mut sim = Simulator::start("hk_macao_taiwan.toml");

    let out = run(&[
        "read",
        "--port",
        &sim.path,
        "--json",
        "--timeout-ms",
        "5000",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = stdout_json(&out);
    assert_eq!(json["card_type"], "hk_macao_taiwan");
    assert_eq!(json["name"], "陈大文");
    assert_eq!(json["pass_number"], "H12345678");
    assert_eq!(json["id_number_valid"], true);

    let out = run(&["read", "--port", &sim.path, "--baud", "115200", "--masked"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("陈*文") && text.contains("990***********9998"),
        "{text}"
    );

    let out = run(&["sam-id", "--port", &sim.path]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("05.01-20240101-"));

    sim.console("remove", "card removed");
    let out = run(&["read", "--port", &sim.path, "--timeout-ms", "300"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());

    sim.console("place", "card placed");
    let out = run(&["read", "--port", &sim.path, "--json"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn read_from_a_silent_reader_exits_1_with_one_line() {
    if emulation::skip_under_emulation(
        "read_from_a_silent_reader_exits_1_with_one_line",
        "its own binary as a child process",
    ) {
        return;
    }
    // A pty nobody answers on.
    let (_master, slave) = serialport::TTYPort::pair().unwrap();
    let path = serialport::SerialPort::name(&slave).unwrap();
    let out = run(&["read", "--port", &path, "--timeout-ms", "300"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("did not answer"), "{stderr}");

    let out = run(&["read", "--port", "/nonexistent/tty", "--timeout-ms", "300"]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(&["read"]);
    assert_eq!(out.status.code(), Some(1), "usage errors are not 'no card'");
}
