//! The command-line interface, run as a process.

mod emulation;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::Duration;

use ticket_printer::virtual_printer::link::serve;
use ticket_printer::{
    Bitmap, Endpoint, PrintOutcome, Printer, SharedVirtualPrinter, Ticket, profile,
};

const BIN: &str = env!("CARGO_BIN_EXE_ticket-printer");

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("run ticket-printer")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn demo_render_and_text() {
    if emulation::skip_under_emulation("demo_render_and_text", "its own binary as a child process")
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("t.bin");
    let png = dir.path().join("t.png");
    let out = run(&["demo", "--width", "58", "--out", s(&bin)]);
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(&bin).unwrap();
    assert_eq!(&bytes[..4], &[0x1B, 0x40, 0x1C, 0x26]);

    let out = run(&["render", s(&bin), "--png", s(&png), "--width", "58"]);
    assert!(out.status.success(), "{out:?}");
    let image = Bitmap::from_png(&std::fs::read(&png).unwrap()).unwrap();
    assert_eq!(image.width(), 384);
    assert!(image.count_black() > 5000);

    let out = run(&["text", s(&bin)]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"A012"), "{text}");
    assert!(
        lines.iter().any(|l| l.contains("前面还有 5 人等候")),
        "{text}"
    );
}

#[test]
fn text_of_a_foreign_stream_skips_unknown_commands() {
    if emulation::skip_under_emulation(
        "text_of_a_foreign_stream_skips_unknown_commands",
        "its own binary as a child process",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("pos.bin");
    // A POS system's stream: unknown ESC commands, a drawer kick, escpos's 4-byte DLE EOT.
    let mut bytes = vec![
        0x1B, 0x40, 0x1B, 0x99, 0x1B, 0x70, 0x00, 0x19, 0xFA, 0x10, 0x04, 0x01, 0x00,
    ];
    bytes.extend(b"TOTAL 12.50\n");
    bytes.extend([0xC7, 0xEB, 0xB5, 0xBD, 0x0A]);
    std::fs::write(&bin, &bytes).unwrap();
    let out = run(&["text", s(&bin)]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "TOTAL 12.50\n请到\n"
    );
}

#[test]
fn bad_input_gets_a_clear_error() {
    if emulation::skip_under_emulation(
        "bad_input_gets_a_clear_error",
        "its own binary as a child process",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("x.png");
    let out = run(&["render", "/nonexistent/in.bin", "--png", s(&png)]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/in.bin"));
    let bin = dir.path().join("x.bin");
    let out = run(&["demo", "--width", "76", "--out", s(&bin)]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("58 or 80"));
    let out = run(&["status"]);
    assert!(!out.status.success());
}

#[test]
fn test_page_to_a_file() {
    if emulation::skip_under_emulation("test_page_to_a_file", "its own binary as a child process") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.bin");
    let out = run(&["test-page", "--file", s(&file)]);
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(&file).unwrap();
    let t = &ticket_printer::virtual_printer::render(&bytes, &profile::GENERIC_80_ZH)[0];
    assert!(
        t.lines.iter().any(|l| l.contains("打印机测试页")),
        "{:?}",
        t.lines
    );
}

#[test]
fn status_and_test_page_over_tcp() {
    if emulation::skip_under_emulation(
        "status_and_test_page_over_tcp",
        "its own binary as a child process",
    ) {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let shared = SharedVirtualPrinter::new(profile::GENERIC_80_ZH);
    shared.set_state(ticket_printer::VirtualState {
        paper_out: true,
        ..Default::default()
    });
    let server = std::thread::spawn({
        let shared = shared.clone();
        move || {
            for _ in 0..2 {
                let (mut stream, _) = listener.accept().unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_millis(50)))
                    .unwrap();
                let _ = serve(&mut stream, &shared, &AtomicBool::new(false), |_| {});
            }
        }
    });
    let out = run(&["status", "--tcp", &addr]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("paper: Out"), "{text}");
    let out = run(&["test-page", "--tcp", &addr]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("缺纸"));
    server.join().unwrap();
}

#[test]
fn simulate_on_a_pty_saves_tickets() {
    if emulation::skip_under_emulation(
        "simulate_on_a_pty_saves_tickets",
        "its own binary as a child process",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["simulate", "--out-dir", s(dir.path())])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let wait = Duration::from_secs(10);
    let path = rx.recv_timeout(wait).expect("pty path");
    assert!(path.starts_with("/dev/pts/"), "{path}");

    let mut printer = Printer::new(
        Endpoint::Serial {
            path: path.into(),
            baud: 9600,
        },
        profile::GENERIC_80_ZH,
    )
    .with_reply_timeout(Duration::from_secs(2));
    let outcome = printer.print(&Ticket::sample());
    assert!(outcome.is_printed(), "{outcome:?}");
    let saved = rx.recv_timeout(wait).expect("saved line");
    assert!(saved.starts_with("saved "), "{saved}");
    let png = std::fs::read(saved.trim_start_matches("saved ")).unwrap();
    assert_eq!(Bitmap::from_png(&png).unwrap().width(), 576);

    // Paper out, set on standard input.
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "paper-out").unwrap();
    let state = rx.recv_timeout(wait).expect("state line");
    assert!(state.contains("paper_out: true"), "{state}");
    assert!(matches!(
        printer.print(&Ticket::sample()),
        PrintOutcome::NotPrinted(ticket_printer::NotPrinted::PaperOut)
    ));
    child.kill().unwrap();
    child.wait().unwrap();
}
