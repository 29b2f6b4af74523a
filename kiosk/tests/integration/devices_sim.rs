//! The device seams in simulated mode: the kiosk's printer service drives the real ESC/POS encoder into the
//! virtual printer, the ID reader driver talks the real SAM protocol to the simulated reader, and the LED
//! panel renders to a PNG.

use std::time::Duration;

use displays::led::Scene;
use id_reader::{CardSpec, ReaderEvent};
use kiosk::{
    config::DevicesConfig,
    devices::{Devices, PrinterHealth},
};
use ticket_printer::{NotPrinted, PrintOutcome, Ticket, VirtualState};

fn ticket(number: &str) -> Ticket {
    Ticket {
        centre: "黔江区公共法律服务中心".into(),
        address: None,
        number: number.into(),
        service: "法律援助".into(),
        service_en: None,
        window: Some("3号窗口".into()),
        window_en: Some("Window 3".into()),
        ahead: 2,
        wait_minutes: Some((10, 25)),
        issued_at: chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap(),
        name: None,
        qr: Some("http://192.0.2.1:8080/t/abc".into()),
        footer: Ticket::default_footer(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_devices_run_the_real_protocols() {
    let dir = tempfile::tempdir().unwrap();
    let mut devices = Devices::start(&DevicesConfig::default(), dir.path()).unwrap();

    // Printer: a ticket goes through ESC/POS into the virtual printer and is saved as PNG and text.
    let outcome = devices.printer.print(ticket("C007")).await.unwrap();
    assert!(outcome.is_printed(), "{outcome:?}");
    assert_eq!(
        *devices.printer.health().borrow(),
        PrinterHealth::Ready {
            paper_near_end: false
        }
    );
    let text =
        std::fs::read_to_string(dir.path().join("printer/20261129-093000-C007.txt")).unwrap();
    assert!(text.contains("C007"), "{text}");
    assert!(text.contains("法律援助"), "{text}");
    assert!(dir.path().join("printer/20261129-093000-C007.png").exists());

    // Paper out: the ticket is reported as not printed, with the reason, and health says so.
    let sim = devices.printer.simulator().unwrap().clone();
    sim.set_state(VirtualState {
        paper_out: true,
        ..VirtualState::default()
    });
    let outcome = devices.printer.print(ticket("C008")).await.unwrap();
    assert!(
        matches!(outcome, PrintOutcome::NotPrinted(NotPrinted::PaperOut)),
        "{outcome:?}"
    );
    assert!(
        matches!(&*devices.printer.health().borrow(), PrinterHealth::NotReady(reason) if reason.contains("缺纸"))
    );

    // ID reader: a card placed on the simulated reader comes back through the SAM protocol, once.
    let card = CardSpec::from_toml(include_str!("../../../id-reader/cards/resident.toml"))
        .unwrap()
        .to_card()
        .unwrap();
    devices.id_reader.simulator.as_ref().unwrap().place(&card);
    let reader = devices.id_reader.reader.as_mut().unwrap();
    let event = tokio::time::timeout(Duration::from_secs(10), reader.next_event())
        .await
        .unwrap()
        .unwrap();
    let ReaderEvent::CardRead(read) = event else {
        panic!("expected a card, got {event:?}")
    };
    assert_eq!(read.masked_name(), "张*");
    assert_eq!(read.masked_id_number(), "990***********9992");
    devices.id_reader.simulator.as_ref().unwrap().remove();
    let event = tokio::time::timeout(Duration::from_secs(10), reader.next_event())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event, ReaderEvent::CardRemoved);

    // LED panel: the call scene lands in the simulated panel's PNG.
    devices
        .led_panel
        .show(
            &Scene::Call {
                ticket: "C007".into(),
                window: 3,
            },
            Duration::ZERO,
        )
        .unwrap();
    assert!(devices.led_panel.frame().lit() > 100);
    let png = std::fs::read(dir.path().join("led/panel.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}
