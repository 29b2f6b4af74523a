//! Benchmarks: decoding one booking code in serial mode (UTF-8 and GBK, whole and byte by byte)
//! and in keyboard mode (its `input_event` records), and a scan from the simulator through the
//! real driver over a pseudo-terminal and over a FIFO. Compare with the time the scanner takes to
//! send it: 69 bytes (`]Q1`, 64 characters, CR LF) × 10 bits at 9600 baud ≈ 72 ms; in keyboard
//! mode 68 keys (`]Q1`, 64 characters, Enter), a press and a release report each, one report per
//! 1 ms USB frame ≈ 136 ms.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use code_scanner::sim::encode::keyboard_scan;
use code_scanner::{
    AimId, DriverOptions, Framing, KeyboardConfig, KeyboardDecoder, KeyboardSim, RecordLayout,
    Scanner, ScannerEvent, SerialConfig, SerialOutput, SerialSim, SimEncoding, Symbology,
    Terminator,
};
use criterion::{Criterion, criterion_group, criterion_main};

/// A booking code as the centre's QR codes carry it: 64 characters.
const BOOKING: &str = "https://qj.example/yy/b?n=YY-20261207-0042&w=3&t=9f2c81d0a7e4b6c";

fn aim_framing() -> Framing {
    Framing {
        aim_id: true,
        ..Framing::default()
    }
}

fn decode(c: &mut Criterion) {
    assert_eq!(BOOKING.len(), 64);
    let qr = Some(AimId::usual(Symbology::Qr));
    let output = SerialOutput {
        framing: aim_framing(),
        terminator: Terminator::CrLf,
        encoding: SimEncoding::Utf8,
    };
    let bytes = output.encode(BOOKING, Symbology::Qr).unwrap();
    let mut serial = SerialConfig::new("bench");
    serial.aim_id = true;
    serial.terminator = Terminator::CrLf;
    c.bench_function(
        "serial: decode a 64-character booking code (]Q1, CR LF)",
        |b| {
            let mut d = serial.decoder();
            b.iter(|| black_box(d.feed(black_box(&bytes), Duration::ZERO).remove(0).unwrap()))
        },
    );
    c.bench_function("serial: the same, fed byte by byte", |b| {
        let mut d = serial.decoder();
        b.iter(|| {
            let mut out = Vec::new();
            for byte in &bytes {
                out.extend(d.feed(black_box(std::slice::from_ref(byte)), Duration::ZERO));
            }
            black_box(out)
        })
    });
    let chinese = "重庆市黔江区公共法律服务中心预约号零零四二请到三号窗口办理";
    let gbk = SerialOutput {
        encoding: SimEncoding::Gbk,
        ..output.clone()
    }
    .encode(chinese, Symbology::Qr)
    .unwrap();
    c.bench_function("serial: decode 29 Chinese characters in GBK", |b| {
        let mut d = serial.decoder();
        b.iter(|| black_box(d.feed(black_box(&gbk), Duration::ZERO).remove(0).unwrap()))
    });

    let records = keyboard_scan(
        BOOKING,
        &aim_framing(),
        qr,
        RecordLayout::Bits64,
        Duration::ZERO,
        Duration::from_millis(1),
    )
    .unwrap();
    c.bench_function(
        &format!(
            "keyboard: decode the booking code from {} bytes of input_event records",
            records.len()
        ),
        |b| {
            let mut d = KeyboardDecoder::new(aim_framing(), RecordLayout::Bits64);
            b.iter(|| {
                black_box(
                    d.feed(black_box(&records), Duration::ZERO)
                        .remove(0)
                        .unwrap(),
                )
            })
        },
    );
}

fn options() -> DriverOptions {
    DriverOptions {
        poll_slice: Duration::from_millis(50),
        ..DriverOptions::default()
    }
}

fn wait_scan(scanner: &mut Scanner) -> String {
    loop {
        match scanner.blocking_next_event() {
            Some(ScannerEvent::Scan(scan)) => return scan.text,
            Some(ScannerEvent::State(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn end_to_end(c: &mut Criterion) {
    let clock: Arc<dyn clock::MonotonicClock> = Arc::new(clock::SystemMonotonic::new());
    let sim = SerialSim::open(SerialOutput::default()).unwrap();
    let mut scanner =
        Scanner::spawn_serial(&SerialConfig::new(sim.path()), options(), clock.clone()).unwrap();
    c.bench_function("serial: simulator → pty → driver → event", |b| {
        b.iter(|| {
            sim.scan(BOOKING).unwrap();
            black_box(wait_scan(&mut scanner))
        })
    });
    drop(scanner);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("event-kbd");
    let config = KeyboardConfig::new(&path);
    let sim = KeyboardSim::create(&path, &config).unwrap();
    let mut scanner = Scanner::spawn_keyboard(&config, options(), clock).unwrap();
    c.bench_function(
        "keyboard: simulator → FIFO → evdev reader → event",
        |b| {
            b.iter(|| {
                sim.scan(BOOKING).unwrap();
                black_box(wait_scan(&mut scanner))
            })
        },
    );
}

criterion_group!(benches, decode, end_to_end);
criterion_main!(benches);
