//! Drives check-in through its screens on simulated hardware, for `kiosk screenshot --flow`: the
//! demo's bookings of a fixed day (Monday 2026-11-30, 09:30 in Chongqing) in a queue on a scratch
//! SQLite file, the virtual printer, the simulated reader and the simulated code scanner.

use std::{path::Path, sync::Arc, time::Duration};

use slint::ComponentHandle as _;

use super::{CheckInController, CheckInDeps, Flow, Step};
use crate::{
    bookings::{
        BookingBook,
        demo::{self, SampleNumbers, demo_bookings},
        poll::booked_slots,
    },
    config::DevicesConfig,
    devices::Devices,
    ui::{
        CheckInAdapter, Page, Shell,
        take_number::{
            PrintState, TakeNumberController, TakeNumberDeps, TakeNumberOptions, card::SampleCard,
            screens::Capture,
        },
    },
};
use queue::{Clock as _, LocalQueueClient, ManualClock, QueueConfig, QueueEngine};

const WAIT: Duration = Duration::from_secs(30);

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Walks through the check-in screens on `shell` (queue and devices in `dir`), calling `capture` with
/// each screen's name (an empty name draws without keeping the picture).
pub fn drive_check_in(
    shell: &Shell,
    centre_name: &str,
    dir: &Path,
    capture: &mut Capture<'_>,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(err)?;
    let guard = runtime.enter();
    let mut config = QueueConfig::demo();
    config.identity_salt = Some("screenshot-site-salt".into());
    let clock = Arc::new(ManualClock::new(
        "2026-11-30T01:30:00Z".parse().map_err(err)?,
    ));
    std::fs::create_dir_all(dir).map_err(err)?;
    let engine = Arc::new(
        QueueEngine::open(
            &dir.join("queue.sqlite3"),
            config.clone(),
            clock.clone(),
            "http://192.168.1.10:8080",
        )
        .map_err(err)?,
    );
    let (elderly, citizen) = (SampleCard::Elderly.card(), SampleCard::Citizen.card());
    let list = demo_bookings(
        clock.now(),
        config.utc_offset.0,
        SampleNumbers {
            elderly: &elderly.id_number,
            citizen: &citizen.id_number,
        },
    );
    engine
        .replace_bookings(&booked_slots(&list, engine.config()))
        .map_err(err)?;
    let mut devices = Devices::start(&DevicesConfig::default(), &dir.join("sim")).map_err(err)?;
    let options = TakeNumberOptions {
        centre_name: centre_name.to_owned(),
        device_name: "kiosk-1".into(),
        elderly_age: config.elderly_age,
        ticket_screen: Duration::from_secs(20),
        utc_offset: config.utc_offset.0,
        queue: config,
        clock,
    };
    let queue = Arc::new(LocalQueueClient::new(engine, "kiosk-1"));
    let take_number = TakeNumberController::attach(
        shell,
        options.clone(),
        TakeNumberDeps {
            queue: queue.clone(),
            printer: devices.printer.clone(),
            reader: devices.id_reader.reader.take(),
            simulator: devices.id_reader.simulator.clone(),
            runtime: runtime.handle().clone(),
        },
    );
    let controller = CheckInController::attach(
        shell,
        options,
        CheckInDeps {
            queue,
            printer: devices.printer.clone(),
            book: BookingBook::in_memory(Some(list)),
            scanner: devices.scanner.scanner.take(),
            scanner_sim: devices.scanner.simulator.clone(),
            take_number: Some(take_number),
            outbox: None,
            runtime: runtime.handle().clone(),
        },
    );
    drop(guard);
    let wait = |what: &str, done: &dyn Fn(&Flow) -> bool| {
        if controller.wait_for(WAIT, done) {
            Ok(())
        } else {
            Err(format!(
                "check-in did not reach {what} (at {:?})",
                controller.step()
            ))
        }
    };
    shell.end_session();
    capture("")?;
    capture("check-in-0-home")?;
    shell.go(Page::CheckIn);
    capture("")?;
    capture("check-in-1-prompt")?;

    controller.enter_code(&content::booking::qr_text(demo::ON_TIME_CODE));
    wait("the booking to confirm", &|f| f.step() == Step::Confirm)?;
    capture("check-in-2-confirm")?;

    shell.window().global::<CheckInAdapter>().invoke_confirm();
    wait("the printed ticket", &|f| {
        f.step() == Step::Ticket && f.print() != PrintState::Printing
    })?;
    capture("check-in-3-ticket")?;

    shell.end_session();
    capture("")?;
    shell.go(Page::CheckIn);
    capture("")?;
    controller.enter_code("B-2345-6789");
    wait("the unknown code", &|f| f.step() == Step::Error)?;
    capture("check-in-4-not-found")?;
    shell.end_session();
    capture("")?;
    drop(devices);
    Ok(())
}
