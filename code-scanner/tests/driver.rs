//! The drivers against the simulator through the real device files: the serial driver over
//! pseudo-terminal pairs, the evdev reader over FIFOs, and both across unplug and replug.

mod emulation;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use code_scanner::{
    DeviceState, DriverOptions, KeyboardConfig, KeyboardSim, ScanError, Scanner, ScannerEvent,
    SerialConfig, SerialOutput, SerialSim, SimEncoding, Symbology, Terminator,
};

/// Upper bound for any single wait; generous so a loaded CI machine does not fail the tests.
const WAIT: Duration = Duration::from_secs(10);

fn clock() -> Arc<dyn clock::MonotonicClock> {
    Arc::new(clock::SystemMonotonic::new())
}

fn fast() -> DriverOptions {
    DriverOptions {
        poll_slice: Duration::from_millis(20),
        backoff_initial: Duration::from_millis(10),
        backoff_max: Duration::from_millis(100),
    }
}

async fn next(scanner: &mut Scanner) -> ScannerEvent {
    tokio::time::timeout(WAIT, scanner.next_event())
        .await
        .expect("no scanner event in time")
        .expect("driver stopped")
}

/// Waits for the state `want`; every event before it must be a state change too.
async fn until_state(scanner: &mut Scanner, want: &DeviceState) {
    loop {
        match next(scanner).await {
            ScannerEvent::State(state) if state == *want => return,
            ScannerEvent::State(_) => {}
            other => panic!("expected state {want}, got {other:?}"),
        }
    }
}

async fn scanned(scanner: &mut Scanner) -> (String, Option<Symbology>) {
    match next(scanner).await {
        ScannerEvent::Scan(scan) => (scan.text, scan.symbology),
        other => panic!("expected a scan, got {other:?}"),
    }
}

async fn rejected(scanner: &mut Scanner) -> ScanError {
    match next(scanner).await {
        ScannerEvent::Rejected(e) => e,
        other => panic!("expected a rejected scan, got {other:?}"),
    }
}

fn skip(test: &str) -> bool {
    emulation::skip_under_emulation(test, "a real tty")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serial_driver_reads_framed_scans_over_a_pty() {
    if skip("serial_driver_reads_framed_scans_over_a_pty") {
        return;
    }
    let mut config = SerialConfig::new("");
    config.terminator = Terminator::CrLf;
    config.prefix = "\u{2}".into();
    config.suffix = "\u{3}".into();
    config.aim_id = true;
    config.max_len = 64;
    let sim = SerialSim::open(SerialOutput::for_config(&config)).unwrap();
    config.path = sim.path().into();
    let mut scanner = Scanner::spawn_serial(&config, fast(), clock()).unwrap();
    until_state(&mut scanner, &DeviceState::Connected).await;
    assert!(scanner.state().is_connected());

    sim.scan("https://qj.example/b?n=YY-20261207-0042").unwrap();
    assert_eq!(
        scanned(&mut scanner).await,
        (
            "https://qj.example/b?n=YY-20261207-0042".to_string(),
            Some(Symbology::Qr)
        )
    );
    sim.scan_as("预约号 0042", Symbology::DataMatrix).unwrap();
    assert_eq!(
        scanned(&mut scanner).await,
        ("预约号 0042".to_string(), Some(Symbology::DataMatrix))
    );
    // Noise, an overlong scan, then a good one: each bad scan is reported, none is lost.
    sim.write_raw(b"\x02]Q1\xff\xfe\x03\r\n").unwrap();
    assert!(matches!(
        rejected(&mut scanner).await,
        ScanError::NotText { length: 2, .. }
    ));
    sim.scan(&"9".repeat(100)).unwrap();
    assert_eq!(
        rejected(&mut scanner).await,
        ScanError::TooLong {
            length: 105, // STX, ]Q1, 100 digits, ETX
            max: 64
        }
    );
    sim.scan("after").unwrap();
    assert_eq!(scanned(&mut scanner).await.0, "after");

    let health = scanner.health().borrow().clone();
    assert_eq!((health.scans, health.rejected), (3, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serial_driver_reads_gbk_and_ends_scans_by_idle_gap() {
    if skip("serial_driver_reads_gbk_and_ends_scans_by_idle_gap") {
        return;
    }
    let mut config = SerialConfig::new("");
    config.terminator = Terminator::None;
    config.idle_gap_ms = 30;
    let mut output = SerialOutput::for_config(&config);
    output.encoding = SimEncoding::Gbk;
    let sim = SerialSim::open(output).unwrap();
    config.path = sim.path().into();
    let mut scanner = Scanner::spawn_serial(&config, fast(), clock()).unwrap();
    until_state(&mut scanner, &DeviceState::Connected).await;

    sim.scan("重庆市黔江区公共法律服务中心").unwrap();
    assert_eq!(
        scanned(&mut scanner).await,
        ("重庆市黔江区公共法律服务中心".to_string(), None)
    );
    sim.scan("YY-0043").unwrap();
    assert_eq!(scanned(&mut scanner).await.0, "YY-0043");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serial_driver_reconnects_when_the_port_disappears_and_returns() {
    if skip("serial_driver_reconnects_when_the_port_disappears_and_returns") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A udev-style name that points at whichever pseudo-terminal is "plugged in".
    let link = dir.path().join("kiosk-scanner");
    let config = SerialConfig::new(&link);
    let mut scanner = Scanner::spawn_serial(&config, fast(), clock()).unwrap();
    until_state(&mut scanner, &DeviceState::NotFound).await;
    assert_eq!(scanner.state(), DeviceState::NotFound);

    for round in 0..2 {
        let sim = SerialSim::open_linked(SerialOutput::default(), &link).unwrap();
        until_state(&mut scanner, &DeviceState::Connected).await;
        sim.scan(&format!("plugged in {round}")).unwrap();
        assert_eq!(scanned(&mut scanner).await.0, format!("plugged in {round}"));
        drop(sim); // unplugged: the line hangs up and the link goes
        until_state(&mut scanner, &DeviceState::NotFound).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serial_driver_reports_a_device_it_cannot_open() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_tty = dir.path().join("not-a-tty");
    std::fs::write(&not_a_tty, b"").unwrap();
    let mut scanner =
        Scanner::spawn_serial(&SerialConfig::new(&not_a_tty), fast(), clock()).unwrap();
    match next(&mut scanner).await {
        ScannerEvent::State(DeviceState::Error { reason }) => {
            assert!(reason.starts_with("opening "), "{reason}");
            assert!(reason.contains("not-a-tty"), "{reason}");
        }
        other => panic!("expected an error state, got {other:?}"),
    }
}

fn keyboard_sim(path: &Path, config: &KeyboardConfig) -> KeyboardSim {
    KeyboardSim::create(path, config).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evdev_reader_types_scans_from_the_simulator_over_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usb-Newland_HR22-event-kbd");
    let mut config = KeyboardConfig::new(&path);
    config.aim_id = true;
    let sim = keyboard_sim(&path, &config);
    let mut scanner = Scanner::spawn_keyboard(&config, fast(), clock()).unwrap();
    until_state(&mut scanner, &DeviceState::Connected).await;

    let text = "https://qj.example/b?n=YY-0042&t=A~B|C:\"D\"{E}<F>_+!@#$%^*()";
    sim.scan(text).unwrap();
    assert_eq!(
        scanned(&mut scanner).await,
        (text.to_string(), Some(Symbology::Qr))
    );

    // F1 in the middle of a scan: named, the scan dropped up to its Enter; the next is read.
    let mut raw = Vec::new();
    for (code, value) in [
        (30, 1),
        (30, 0),
        (59, 1),
        (59, 0),
        (2, 1),
        (2, 0),
        (28, 1),
        (28, 0),
    ] {
        code_scanner::InputEvent::key(Duration::ZERO, code, value)
            .write(code_scanner::RecordLayout::native(), &mut raw);
    }
    // Delivered in two writes that split a record.
    sim.write_raw(&raw[..30]).unwrap();
    sim.write_raw(&raw[30..]).unwrap();
    assert_eq!(
        rejected(&mut scanner).await,
        ScanError::UnknownKey { code: 59 }
    );
    sim.scan_as("0123456789", Symbology::Code128).unwrap();
    assert_eq!(
        scanned(&mut scanner).await,
        ("0123456789".to_string(), Some(Symbology::Code128))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evdev_reader_reconnects_when_the_device_disappears_and_returns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scanner-event-kbd");
    let config = KeyboardConfig::new(&path);
    let mut scanner = Scanner::spawn_keyboard(&config, fast(), clock()).unwrap();
    until_state(&mut scanner, &DeviceState::NotFound).await;

    for round in 0..2 {
        let sim = keyboard_sim(&path, &config);
        until_state(&mut scanner, &DeviceState::Connected).await;
        sim.scan(&format!("Round {round}")).unwrap();
        assert_eq!(scanned(&mut scanner).await.0, format!("Round {round}"));
        drop(sim); // unplugged: the device node goes
        until_state(&mut scanner, &DeviceState::NotFound).await;
        assert!(!path.exists());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evdev_reader_reports_a_path_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    // A directory opens but cannot be read.
    let mut scanner =
        Scanner::spawn_keyboard(&KeyboardConfig::new(dir.path()), fast(), clock()).unwrap();
    loop {
        match next(&mut scanner).await {
            ScannerEvent::State(DeviceState::Error { reason }) => {
                assert!(reason.starts_with("reading "), "{reason}");
                break;
            }
            ScannerEvent::State(DeviceState::Connected) => {}
            other => panic!("expected an error state, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_scanner_stops_its_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("event-kbd");
    let config = KeyboardConfig::new(&path);
    let sim = keyboard_sim(&path, &config);
    let mut scanner = Scanner::spawn_keyboard(&config, fast(), clock()).unwrap();
    until_state(&mut scanner, &DeviceState::Connected).await;
    let health = scanner.health();
    drop(scanner); // joins the thread
    // The thread has gone: its end of the health channel is closed.
    assert!(health.has_changed().is_err());
    drop(sim);
}
