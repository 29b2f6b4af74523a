//! The printer handle against the virtual printer: in-process, over a real pseudo-terminal
//! pair and over loopback TCP (including a printer that goes away and comes back).

mod emulation;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use serialport::SerialPort as _;
use ticket_printer::profile::{self, Profile};
use ticket_printer::virtual_printer::link::serve;
use ticket_printer::{
    Endpoint, NotPrinted, Paper, PrintOutcome, PrintedTicket, Printer, SharedVirtualPrinter,
    Ticket, VirtualState,
};

const WAIT: Duration = Duration::from_secs(10);

/// A virtual printer served on the master side of a pty pair; the printer handle opens the
/// slave by its path, as it would open /dev/ttyUSB0.
struct PtyPrinter {
    shared: SharedVirtualPrinter,
    path: String,
    tickets: mpsc::Receiver<PrintedTicket>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _slave: serialport::TTYPort,
}

impl PtyPrinter {
    fn start(profile: Profile) -> Self {
        let (mut master, slave) = serialport::TTYPort::pair().expect("pty pair");
        master.set_timeout(Duration::from_millis(50)).unwrap();
        let path = slave.name().expect("slave name");
        let shared = SharedVirtualPrinter::new(profile);
        let (tx, tickets) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (shared, stop) = (shared.clone(), stop.clone());
            std::thread::spawn(move || {
                let _ = serve(&mut master, &shared, &stop, |t| {
                    let _ = tx.send(t);
                });
            })
        };
        Self {
            shared,
            path,
            tickets,
            stop,
            thread: Some(thread),
            _slave: slave,
        }
    }

    fn printer(&self) -> Printer {
        let endpoint = Endpoint::Serial {
            path: self.path.clone().into(),
            baud: 115_200,
        };
        Printer::new(endpoint, self.shared.lock().profile().clone())
            .with_reply_timeout(Duration::from_secs(2))
    }
}

impl Drop for PtyPrinter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn prints_over_a_pty_and_confirms() {
    if emulation::skip_under_emulation("prints_over_a_pty_and_confirms", "a real tty") {
        return;
    }
    let sim = PtyPrinter::start(profile::GENERIC_80_ZH);
    let mut printer = sim.printer();
    let status = printer.status().unwrap();
    assert!(status.ready());
    let outcome = printer.print(&Ticket::sample());
    let PrintOutcome::Printed(printed) = outcome else {
        panic!("not printed: {outcome:?}")
    };
    assert_eq!(printed.status.unwrap().paper, Paper::Ok);
    let ticket = sim.tickets.recv_timeout(WAIT).expect("ticket arrives");
    assert!(
        ticket.lines.iter().any(|l| l == "A012"),
        "{:?}",
        ticket.lines
    );
    assert_eq!(ticket.cut, Some(true));
}

#[test]
fn paper_out_over_a_pty_is_not_printed() {
    if emulation::skip_under_emulation("paper_out_over_a_pty_is_not_printed", "a real tty") {
        return;
    }
    let sim = PtyPrinter::start(profile::GENERIC_80_ZH);
    sim.shared.set_state(VirtualState {
        paper_out: true,
        ..VirtualState::default()
    });
    let mut printer = sim.printer();
    let outcome = printer.print(&Ticket::sample());
    assert!(
        matches!(outcome, PrintOutcome::NotPrinted(NotPrinted::PaperOut)),
        "{outcome:?}"
    );
    // Paper back in: the same handle prints.
    sim.shared.set_state(VirtualState::default());
    assert!(printer.print(&Ticket::sample()).is_printed());
    let ticket = sim.tickets.recv_timeout(WAIT).expect("ticket arrives");
    assert!(ticket.lines.iter().any(|l| l == "A012"));
}

#[test]
fn cover_open_over_a_pty_is_not_printed() {
    if emulation::skip_under_emulation("cover_open_over_a_pty_is_not_printed", "a real tty") {
        return;
    }
    let sim = PtyPrinter::start(profile::GENERIC_58);
    sim.shared.set_state(VirtualState {
        cover_open: true,
        ..VirtualState::default()
    });
    let mut printer = sim.printer();
    let outcome = printer.print(&Ticket::sample());
    let PrintOutcome::NotPrinted(reason) = outcome else {
        panic!("printed with the cover open")
    };
    assert!(matches!(reason, NotPrinted::CoverOpen));
    assert!(reason.to_string().starts_with("打印机盖未关"), "{reason}");
    let status = printer.status().unwrap();
    assert!(status.cover_open && !status.online);
}

#[test]
fn stale_asb_replies_are_flushed_over_a_pty() {
    if emulation::skip_under_emulation("stale_asb_replies_are_flushed_over_a_pty", "a real tty") {
        return;
    }
    let sim = PtyPrinter::start(profile::GENERIC_80_ZH);
    // A printer left with ASB on sends frames on its own; the handle turns ASB off at open
    // and skips whatever is queued, so the reply it reads answers its own query.
    sim.shared.lock().feed(&[0x1D, 0x61, 0xFF]);
    sim.shared.set_state(VirtualState {
        near_end: true,
        ..VirtualState::default()
    });
    let mut printer = sim.printer();
    let status = printer.status().unwrap();
    assert_eq!(status.paper, Paper::NearEnd);
    assert!(status.ready());
}

#[test]
fn in_process_virtual_printer() {
    let shared = SharedVirtualPrinter::new(profile::GENERIC_80_ZH);
    let mut printer = Printer::new(Endpoint::Virtual(shared.clone()), profile::GENERIC_80_ZH);
    shared.set_state(VirtualState {
        near_end: true,
        ..VirtualState::default()
    });
    let PrintOutcome::Printed(printed) = printer.print(&Ticket::sample()) else {
        panic!("not printed")
    };
    assert!(printed.paper_near_end());
    let tickets = shared.take_tickets();
    assert_eq!(tickets.len(), 1);
    assert!(tickets[0].text().contains("A012"));
    assert!(tickets[0].png().starts_with(b"\x89PNG"));
    shared.set_state(VirtualState {
        cutter_error: true,
        ..VirtualState::default()
    });
    let outcome = printer.print(&Ticket::sample());
    assert!(
        matches!(outcome, PrintOutcome::NotPrinted(NotPrinted::PrinterError(e)) if e.autocutter),
        "{outcome:?}"
    );
}

#[test]
fn file_transport_prints_without_status() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.bin");
    let mut printer = Printer::new(Endpoint::File(path.clone()), profile::GENERIC_58);
    let PrintOutcome::Printed(printed) = printer.print(&Ticket::sample()) else {
        panic!("not printed")
    };
    assert!(printed.status.is_none());
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..2], &[0x1B, 0x40]);
    assert!(printer.status().is_err(), "a file cannot report status");
}

#[test]
fn unreachable_printer_is_reported() {
    let mut printer = Printer::new(
        Endpoint::Serial {
            path: "/nonexistent/ttyUSB9".into(),
            baud: 9600,
        },
        profile::GENERIC_58,
    );
    let outcome = printer.print(&Ticket::sample());
    let PrintOutcome::NotPrinted(NotPrinted::Unreachable(e)) = outcome else {
        panic!("{outcome:?}")
    };
    assert!(e.to_string().contains("/nonexistent/ttyUSB9"), "{e}");
}

/// Serves one TCP connection with a virtual printer, then returns.
fn serve_one(
    listener: TcpListener,
    shared: SharedVirtualPrinter,
    tx: mpsc::Sender<PrintedTicket>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let stop = AtomicBool::new(false);
        let _ = serve(&mut stream, &shared, &stop, |t| {
            let _ = tx.send(t);
        });
    })
}

#[test]
fn tcp_printer_that_goes_away_and_comes_back_is_reopened() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    // First power cycle: the printer serves until it is switched off.
    let first = std::thread::spawn({
        let (stop, tx) = (stop.clone(), tx.clone());
        move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_millis(50)))
                .unwrap();
            let shared = SharedVirtualPrinter::new(profile::GENERIC_80_ZH);
            let _ = serve(&mut stream, &shared, &stop, |t| {
                let _ = tx.send(t);
            });
            // Dropping the stream and the listener: the printer is off.
        }
    });
    let mut printer = Printer::new(Endpoint::Tcp(addr.to_string()), profile::GENERIC_80_ZH)
        .with_reply_timeout(Duration::from_secs(2));
    assert!(printer.print(&Ticket::sample()).is_printed());
    rx.recv_timeout(WAIT).expect("first ticket");
    stop.store(true, Ordering::Relaxed);
    first.join().unwrap();

    // Switched off: not printed, with the reason.
    let outcome = printer.print(&Ticket::sample());
    assert!(
        matches!(
            outcome,
            PrintOutcome::NotPrinted(NotPrinted::Unreachable(_))
        ),
        "{outcome:?}"
    );

    // Back on at the same address: the same handle reopens the connection.
    let listener = TcpListener::bind(addr).expect("rebind the printer's address");
    let server = serve_one(
        listener,
        SharedVirtualPrinter::new(profile::GENERIC_80_ZH),
        tx,
    );
    let outcome = printer.print(&Ticket::sample());
    assert!(outcome.is_printed(), "{outcome:?}");
    let t = rx.recv_timeout(WAIT).expect("second ticket");
    assert!(t.lines.iter().any(|l| l == "A012"));
    drop(printer);
    server.join().unwrap();
}
