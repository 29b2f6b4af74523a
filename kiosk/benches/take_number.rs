//! Take-a-number latency: from the confirming tap to the printer's confirmation of the ticket.
//!
//! `cargo bench -p kiosk --bench take_number`. The real flow controller on Slint's testing
//! backend: each round taps a service that issues at once (the confirming tap, through the
//! page's callback), the controller issues the ticket (one durable SQLite transaction: WAL,
//! `synchronous=FULL`), builds it, encodes it to ESC/POS and writes it to a network printer on
//! loopback (the virtual printer served over TCP), which confirms with its status after the
//! last byte. The clock stops when the controller publishes the print outcome, so the figure
//! includes the hand-over of the last byte and one status round trip after it.
//!
//! Two queues: on this device (the kiosk is the queue host) and over HTTP on loopback (a second
//! kiosk, with the idempotency key). Prints p50/p99/max per queue.

use std::{
    net::TcpListener,
    sync::{Arc, atomic::AtomicBool},
    time::{Duration, Instant},
};

use kiosk::{
    config::{DevicesConfig, IdReaderConfig, Language, PrinterConfig},
    devices::Devices,
    lan::{DeviceEntry, LanConfig, LanService, device_token_sha256},
    ui::{
        Shell, ShellOptions, TakeNumberAdapter,
        take_number::{Step, TakeNumberController, TakeNumberDeps, TakeNumberOptions},
    },
};

use queue::{
    HttpQueueClient, LocalQueueClient, QueueClient, QueueConfig, QueueEngine, SystemClock,
};
use slint::ComponentHandle;
use ticket_printer::{SharedVirtualPrinter, profile, virtual_printer::link::serve};

const ROUNDS: usize = 300;
const WARM_UP: usize = 20;
const TOKEN: &str = "bench-kiosk-token";

/// The virtual printer behind TCP on loopback (a network printer on port 9100, for the kiosk).
fn tcp_printer() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let printer =
        SharedVirtualPrinter::new(profile::by_name("generic-80-zh").expect("profile").clone());
    std::thread::spawn(move || {
        let stop = AtomicBool::new(false);
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            stream
                .set_read_timeout(Some(Duration::from_millis(50)))
                .expect("timeout");
            let _ = serve(&mut stream, &printer, &stop, |_| {});
        }
    });
    address
}

fn pct(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn run(name: &str, remote: bool, shell: &Shell, runtime: &tokio::runtime::Runtime) -> String {
    let _guard = runtime.enter();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = QueueConfig::demo();
    config.identity_salt = Some("bench-salt-0001".into());
    for s in &mut config.services {
        if s.id == "reception" {
            s.id_card = queue::IdCardPolicy::Off;
            s.number_end = 9999;
        }
    }
    let engine = Arc::new(
        QueueEngine::open(
            &dir.path().join("queue.sqlite3"),
            config.clone(),
            Arc::new(SystemClock),
            "http://192.168.1.10:8080",
        )
        .expect("queue"),
    );
    let queue: Arc<dyn QueueClient> = if remote {
        let lan = LanConfig {
            devices: vec![DeviceEntry {
                name: "kiosk-2".into(),
                token_sha256: device_token_sha256(TOKEN),
                window: None,
            }],
            ..LanConfig::default()
        };
        let service = LanService::new(Arc::clone(&engine), lan).expect("lan");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        runtime.spawn(service.serve(listener, std::future::pending()));
        Arc::new(HttpQueueClient::new(&url, TOKEN, Some("bench-salt-0001".into())).expect("client"))
    } else {
        Arc::new(LocalQueueClient::new(Arc::clone(&engine), "kiosk-1"))
    };
    let devices_config = DevicesConfig {
        printer: PrinterConfig::Tcp {
            address: tcp_printer(),
            profile: "generic-80-zh".into(),
        },
        id_reader: IdReaderConfig::None,
        scanner: code_scanner::ScannerConfig::None {},
    };
    let devices = Devices::start(&devices_config, &dir.path().join("sim")).expect("devices");
    let controller = TakeNumberController::attach(
        shell,
        TakeNumberOptions {
            centre_name: "黔江区公共法律服务中心".into(),
            device_name: if remote { "kiosk-2" } else { "kiosk-1" }.into(),
            elderly_age: 60,
            ticket_screen: Duration::from_secs(20),
            utc_offset: config.utc_offset.0,
            queue: config,
            clock: Arc::new(SystemClock),
        },
        TakeNumberDeps {
            queue,
            printer: devices.printer.clone(),
            reader: None,
            simulator: None,
            runtime: runtime.handle().clone(),
        },
    );
    let tn = shell.window().global::<TakeNumberAdapter>();
    tn.invoke_open();
    assert!(
        controller.wait_for(Duration::from_secs(30), |f| !f.services().is_empty()),
        "services"
    );
    let mut reports = controller.print_reports();
    let (warm_up, rounds) = counts();
    let mut times = Vec::with_capacity(rounds);
    for round in 0..warm_up + rounds {
        let start = Instant::now();
        tn.invoke_choose_service("reception".into());
        let report = runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(30), reports.recv()).await })
            .expect("a print outcome in time")
            .expect("a print report");
        let took = start.elapsed();
        assert!(report.state.is_printed(), "round {round}: {report:?}");
        if round >= warm_up {
            times.push(took);
        }
        assert!(
            controller.wait_for(Duration::from_secs(30), |f| f.step() == Step::Ticket),
            "ticket screen"
        );
        shell.end_session();
    }
    let issued = engine
        .tickets_of_day(engine.current_day().expect("day"))
        .expect("tickets")
        .len();
    assert_eq!(issued, warm_up + rounds, "one ticket per tap");
    times.sort();
    format!(
        "| {name} | {} | {} | {} | {} |",
        times.len(),
        ms(pct(&times, 0.50)),
        ms(pct(&times, 0.99)),
        ms(*times.last().expect("rounds"))
    )
}

/// `cargo bench -- --test`, as CI runs it: a smoke run of a few iterations that executes the
/// bench's checks (a failure exits non-zero); its figures are not measurements.
fn smoke_run() -> bool {
    std::env::args().skip(1).any(|a| a == "--test")
}

/// Warm-up rounds and measured rounds: [`WARM_UP`] and [`ROUNDS`], or 1 and 3 in a smoke run.
fn counts() -> (usize, usize) {
    if smoke_run() {
        (1, 3)
    } else {
        (WARM_UP, ROUNDS)
    }
}

fn main() {
    if smoke_run() {
        let (warm_up, rounds) = counts();
        println!(
            "take_number: smoke run (--test), {rounds} rounds after {warm_up}; not a measurement"
        );
    }
    i_slint_backend_testing::init_no_event_loop();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let shell = Shell::new(ShellOptions {
        centre_name: "黔江区公共法律服务中心".into(),
        centre_name_en: "Qianjiang District Public Legal Service Centre".into(),
        idle_timeout: Duration::from_secs(60),
        language: Language::Zh,
        elderly_mode: false,
        live_clock: false,
    })
    .expect("window");
    let local = run(
        "queue on this kiosk (SQLite, durable commit)",
        false,
        &shell,
        &runtime,
    );
    let remote = run("queue host over HTTP on loopback", true, &shell, &runtime);
    let (warm_up, rounds) = counts();
    println!(
        "tap → ticket confirmed by the printer, {rounds} rounds after {warm_up} warm-up rounds\n"
    );
    println!("| queue | rounds | p50 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    println!("{local}");
    println!("{remote}");
}
