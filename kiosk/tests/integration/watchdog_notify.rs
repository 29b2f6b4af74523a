//! The watchdog over a real unix datagram socket standing in for systemd's `NOTIFY_SOCKET`: keepalives
//! flow while every source beats and stop when one (the UI loop) is blocked. Time is a manual clock.

use std::{os::unix::net::UnixDatagram, sync::Arc, time::Duration};

use kiosk::watchdog::{Liveness, ManualClock, Notifier, Tick, Watchdog};

struct Manager {
    socket: UnixDatagram,
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl Manager {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify.sock");
        let socket = UnixDatagram::bind(&path).unwrap();
        socket.set_nonblocking(true).unwrap();
        Self {
            socket,
            _dir: dir,
            path,
        }
    }

    /// Every datagram received so far.
    fn received(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = [0u8; 512];
        while let Ok(n) = self.socket.recv(&mut buf) {
            out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        out
    }
}

#[test]
fn keepalives_flow_while_sources_beat_and_stop_when_the_ui_loop_blocks() {
    let manager = Manager::new();
    let clock = Arc::new(ManualClock::new());
    let liveness = Liveness::new(clock.clone());
    let ui = liveness.register("ui", Duration::from_secs(5));
    let printer = liveness.register("printer", Duration::from_secs(30));
    let watchdog = Watchdog::new(
        liveness,
        Some(Notifier::to_path(&manager.path).unwrap()),
        Some(Duration::from_secs(2)),
    );

    assert_eq!(
        watchdog.tick(),
        Tick::NotReady,
        "no keepalive before the first frame"
    );
    assert!(manager.received().is_empty());
    watchdog.ready();
    watchdog.ready();
    assert_eq!(manager.received(), ["READY=1\n"], "READY is sent once");

    for _ in 0..5 {
        clock.advance(Duration::from_secs(2));
        ui.beat();
        printer.beat();
        assert_eq!(watchdog.tick(), Tick::Sent);
    }
    assert_eq!(manager.received(), vec!["WATCHDOG=1\n"; 5]);

    // The UI loop blocks: the printer still beats, but after 5 s without the UI the keepalives stop.
    let mut withheld = 0;
    for _ in 0..6 {
        clock.advance(Duration::from_secs(2));
        printer.beat();
        match watchdog.tick() {
            Tick::Sent => {}
            Tick::Withheld(stale) => {
                withheld += 1;
                assert_eq!(stale.len(), 1);
                assert_eq!(stale[0].name, "ui");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        withheld, 4,
        "keepalives stop once the UI is past its 5 s deadline"
    );
    assert_eq!(
        manager.received().len(),
        2,
        "only the keepalives within the deadline"
    );

    // The UI loop comes back: keepalives resume.
    ui.beat();
    assert_eq!(watchdog.tick(), Tick::Sent);
    assert_eq!(manager.received(), ["WATCHDOG=1\n"]);
}

#[test]
fn a_stalled_device_loop_stops_keepalives_too() {
    let manager = Manager::new();
    let clock = Arc::new(ManualClock::new());
    let liveness = Liveness::new(clock.clone());
    let ui = liveness.register("ui", Duration::from_secs(5));
    let _reader = liveness.register("id_reader", Duration::from_secs(10));
    let watchdog = Watchdog::new(
        liveness,
        Some(Notifier::to_path(&manager.path).unwrap()),
        Some(Duration::from_secs(2)),
    );
    watchdog.ready();
    clock.advance(Duration::from_secs(11));
    ui.beat();
    match watchdog.tick() {
        Tick::Withheld(stale) => assert_eq!(stale[0].name, "id_reader"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(manager.received(), ["READY=1\n"]);
}

#[test]
fn without_a_watchdog_nothing_is_sent() {
    let clock = Arc::new(ManualClock::new());
    let watchdog = Watchdog::new(Liveness::new(clock), None, None);
    watchdog.ready();
    assert_eq!(watchdog.tick(), Tick::Off);
    assert_eq!(watchdog.interval(), None);
}
