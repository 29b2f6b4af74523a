//! The reader driver and client against the simulated SAM, across real pseudo-terminals and
//! in-process pipes.

mod emulation;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use id_reader::sim::{SimCard, SimPty, SimReader};
use id_reader::{
    BaudRate, CardSpec, Command, DriverConfig, Error, Fault, IdentityCard, ReadFailure, Reader,
    ReaderEvent, SamClient, SerialStream, Status, Timeouts,
};

/// Upper bound for any single wait; generous so a loaded CI machine does not fail the tests.
const WAIT: Duration = Duration::from_secs(10);

fn spec(file: &str) -> CardSpec {
    let path = format!("{}/cards/{file}", env!("CARGO_MANIFEST_DIR"));
    CardSpec::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn card(file: &str) -> IdentityCard {
    spec(file).to_card().unwrap()
}

fn fast_config() -> DriverConfig {
    DriverConfig {
        timeouts: Timeouts {
            control: Duration::from_millis(300),
            find_select: Duration::from_millis(300),
            read: Duration::from_millis(1000),
            read_fingerprint: Duration::from_millis(1000),
            appended_address: Duration::from_millis(500),
        },
        poll_interval: Duration::from_millis(10),
        removal_polls: 2,
        lost_after: 2,
        backoff_initial: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        with_fingerprint: false,
    }
}

async fn next(reader: &mut Reader) -> ReaderEvent {
    tokio::time::timeout(WAIT, reader.next_event())
        .await
        .expect("no reader event in time")
        .expect("reader task ended")
}

/// Waits until the host has sent `n` more commands (i.e. polled again) — an event, not a sleep.
async fn polls(sim: &SimReader, n: u64) {
    let target = sim.commands_received() + n;
    tokio::time::timeout(WAIT, sim.wait_for_commands(target))
        .await
        .expect("host stopped polling");
}

fn name_of(event: &ReaderEvent) -> String {
    match event {
        ReaderEvent::CardRead(card) => card.name.clone(),
        other => panic!("expected a card read, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_speaks_every_command_over_a_pty() {
    if emulation::skip_under_emulation("client_speaks_every_command_over_a_pty", "a real tty") {
        return;
    }
    let sim = SimReader::new();
    let pty = sim.open_pty().unwrap();
    let stream = SerialStream::open(pty.path(), 115_200).unwrap();
    let mut client = SamClient::new(stream, fast_config().timeouts);

    client.reset().await.unwrap();
    assert_eq!(client.status().await.unwrap(), Status::Success);
    assert_eq!(
        client.sam_id().await.unwrap().to_string(),
        "05.01-20240101-0000500114-0000000001"
    );
    assert!(!client.find_card().await.unwrap());
    assert!(client.find_select_read(false).await.unwrap().is_none());

    sim.place_sim_card(
        SimCard::from_spec(&spec("resident.toml"))
            .unwrap()
            .with_fingerprint(vec![0xF1; 1024]),
    );
    let read = client.find_select_read(false).await.unwrap().unwrap();
    assert_eq!(read.name, "张三");
    assert_eq!(read.photo.as_wlt().len(), 1024);
    assert!(read.fingerprint.is_none());

    assert!(client.find_card().await.unwrap());
    client.select_card().await.unwrap();
    let blocks = client.read_blocks(true).await.unwrap();
    assert_eq!((blocks.text.len(), blocks.photo.len()), (256, 1024));
    assert_eq!(blocks.fingerprint.as_ref().map(Vec::len), Some(1024));

    assert_eq!(
        client.read_appended_address().await.unwrap().as_deref(),
        Some("重庆市黔江区城东街道样例巷2号")
    );
    sim.place(&card("resident_long_term.toml"));
    assert_eq!(client.read_appended_address().await.unwrap(), None);
    client.set_baud(BaudRate::B115200).await.unwrap();

    // A read without find + select is refused by the SAM with its reason.
    match client.read_card(false).await {
        Err(Error::Sam { command, status }) => {
            assert_eq!(
                (command, status),
                (Command::ReadTextPhoto, Status::ReadFailed)
            );
        }
        other => panic!("expected SAM status 41, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_survives_split_slow_and_corrupt_answers_over_a_pty() {
    if emulation::skip_under_emulation(
        "client_survives_split_slow_and_corrupt_answers_over_a_pty",
        "a real tty",
    ) {
        return;
    }
    let sim = SimReader::new();
    let pty = sim.open_pty().unwrap();
    let mut client = SamClient::new(
        SerialStream::open(pty.path(), 115_200).unwrap(),
        fast_config().timeouts,
    );
    sim.place(&card("hk_macao_taiwan.toml"));

    sim.set_fault(Some(Fault::SplitChunks(3)));
    let c = client.find_select_read(false).await.unwrap().unwrap();
    assert_eq!(c.pass_number.as_deref(), Some("H12345678"));

    sim.set_fault(Some(Fault::Slow(Duration::from_millis(50))));
    assert!(client.find_select_read(false).await.unwrap().is_some());

    sim.set_fault(None);
    sim.inject(Fault::BadChecksum);
    assert!(matches!(client.find_card().await, Err(Error::Protocol(_))));
    assert!(client.find_card().await.unwrap());

    sim.inject(Fault::NoAnswer);
    match client.status().await {
        Err(Error::Timeout { command, .. }) => assert_eq!(command, Command::Status),
        other => panic!("expected a timeout, got {other:?}"),
    }
    // An answer that arrives after its command timed out is not taken for the next one.
    sim.inject(Fault::Slow(Duration::from_millis(400)));
    assert!(matches!(
        client.find_card().await,
        Err(Error::Timeout { .. })
    ));
    assert_eq!(client.status().await.unwrap(), Status::Success);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn driver_reports_a_card_once_then_its_removal_over_a_pty() {
    if emulation::skip_under_emulation(
        "driver_reports_a_card_once_then_its_removal_over_a_pty",
        "a real tty",
    ) {
        return;
    }
    let sim = SimReader::new();
    let pty = sim.open_pty().unwrap();
    let mut reader = Reader::spawn_serial(pty.path(), 115_200, fast_config());

    polls(&sim, 3).await;
    sim.place(&card("resident.toml"));
    let event = next(&mut reader).await;
    assert_eq!(name_of(&event), "张三");

    // The card stays on the pad for several more full find → select → read cycles.
    polls(&sim, 9).await;
    sim.remove();
    assert_eq!(next(&mut reader).await, ReaderEvent::CardRemoved);

    sim.place(&card("foreign_permanent_2023.toml"));
    let event = next(&mut reader).await;
    assert_eq!(name_of(&event), "安娜");
    // Swapping cards without an empty poll in between reports a removal, then the new card.
    sim.place(&card("resident_long_term.toml"));
    assert_eq!(next(&mut reader).await, ReaderEvent::CardRemoved);
    assert_eq!(name_of(&next(&mut reader).await), "李四");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn driver_reports_read_failures_with_the_sam_reason() {
    let sim = SimReader::new();
    let mut reader = Reader::spawn_simulated(&sim, fast_config());
    let faults = [
        (Command::ReadTextPhoto, Status::ReadFailed),
        (Command::ReadTextPhoto, Status::SamAuthenticatesCardFailed),
        (Command::SelectCard, Status::SelectFailed),
    ];
    // The first fault is in place before the card, so no poll can read the card without one (a slow
    // machine, or qemu-user, would otherwise read it first).
    sim.set_fault(Some(Fault::Status {
        command: faults[0].0,
        status: faults[0].1,
    }));
    sim.place(&card("resident.toml"));

    for (command, status) in faults {
        sim.set_fault(Some(Fault::Status { command, status }));
        let event = next(&mut reader).await;
        assert_eq!(
            event,
            ReaderEvent::ReadFailed(ReadFailure::Sam { command, status })
        );
        assert!(event_text(&event).contains(status.zh()));
        // Reported once, not on every poll.
        polls(&sim, 6).await;
    }
    // Find answering 80 means "no card": no event at all until the fault is cleared.
    sim.set_fault(Some(Fault::Status {
        command: Command::FindCard,
        status: Status::FindFailed,
    }));
    polls(&sim, 6).await;
    sim.set_fault(None);
    assert_eq!(name_of(&next(&mut reader).await), "张三");
}

fn event_text(event: &ReaderEvent) -> String {
    match event {
        ReaderEvent::ReadFailed(f) => f.to_string(),
        other => format!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn driver_reports_malformed_cards() {
    let sim = SimReader::new();
    let mut reader = Reader::spawn_simulated(&sim, fast_config());
    let mut text = card("resident.toml").to_text_block();
    text[32..36].copy_from_slice(&[b'7', 0, b'7', 0]); // nation code 77 does not exist
    sim.place_sim_card(SimCard::from_text_block(text));
    match next(&mut reader).await {
        ReaderEvent::ReadFailed(ReadFailure::Malformed(why)) => {
            assert!(why.contains("nation"), "{why}")
        }
        other => panic!("expected a malformed-card failure, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn driver_reports_a_silent_reader_lost_and_recovered() {
    if emulation::skip_under_emulation(
        "driver_reports_a_silent_reader_lost_and_recovered",
        "a real tty",
    ) {
        return;
    }
    let sim = SimReader::new();
    let pty = sim.open_pty().unwrap();
    let mut reader = Reader::spawn_serial(pty.path(), 115_200, fast_config());
    sim.place(&card("resident.toml"));
    assert_eq!(name_of(&next(&mut reader).await), "张三");

    sim.set_fault(Some(Fault::NoAnswer));
    // The card can no longer be seen: it is reported gone, then the reader lost.
    assert_eq!(next(&mut reader).await, ReaderEvent::CardRemoved);
    match next(&mut reader).await {
        ReaderEvent::ReaderLost { reason } => {
            assert!(reason.contains("did not answer"), "{reason}")
        }
        other => panic!("expected reader lost, got {other:?}"),
    }
    sim.set_fault(None);
    assert_eq!(next(&mut reader).await, ReaderEvent::ReaderRecovered);
    assert_eq!(name_of(&next(&mut reader).await), "张三");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn driver_reopens_an_unplugged_device_with_backoff() {
    if emulation::skip_under_emulation(
        "driver_reopens_an_unplugged_device_with_backoff",
        "a real tty",
    ) {
        return;
    }
    // The "device" is a pty that disappears and comes back under a new path, as a USB-serial
    // adapter does when it is unplugged and plugged in again.
    let sim = SimReader::new();
    let current: Arc<Mutex<Option<SimPty>>> = Arc::new(Mutex::new(Some(sim.open_pty().unwrap())));
    let path =
        |c: &Arc<Mutex<Option<SimPty>>>| c.lock().unwrap().as_ref().map(|p| p.path().to_owned());
    let connector = current.clone();
    let attempts = Arc::new(Mutex::new(0u32));
    let counted = attempts.clone();
    let mut reader = Reader::spawn(
        move || {
            *counted.lock().unwrap() += 1;
            let path = path(&connector);
            async move {
                match path {
                    Some(p) => SerialStream::open(&p, 115_200),
                    None => Err(Error::Io(std::io::ErrorKind::NotFound.into())),
                }
            }
        },
        fast_config(),
    );
    sim.place(&card("resident.toml"));
    assert_eq!(name_of(&next(&mut reader).await), "张三");

    // Unplug: both ends of the pty close.
    drop(current.lock().unwrap().take());
    assert_eq!(next(&mut reader).await, ReaderEvent::CardRemoved);
    assert!(matches!(
        next(&mut reader).await,
        ReaderEvent::ReaderLost { .. }
    ));
    let before = *attempts.lock().unwrap();

    // Plug back in.
    *current.lock().unwrap() = Some(sim.open_pty().unwrap());
    assert_eq!(next(&mut reader).await, ReaderEvent::ReaderRecovered);
    assert_eq!(name_of(&next(&mut reader).await), "张三");
    assert!(
        *attempts.lock().unwrap() > before,
        "the device was reopened"
    );
}

#[tokio::test]
async fn in_process_simulator_needs_no_pty() {
    let sim = SimReader::new();
    let mut reader = Reader::spawn_simulated(&sim, fast_config());
    sim.place(&card("foreign_permanent_2017.toml"));
    match next(&mut reader).await {
        ReaderEvent::CardRead(card) => {
            assert_eq!(card.name_en.as_deref(), Some("SAMPLE, JOHN EXAMPLE"));
            assert_eq!(card.masked_name(), "约*");
        }
        other => panic!("expected a card, got {other:?}"),
    }
    sim.remove();
    assert_eq!(next(&mut reader).await, ReaderEvent::CardRemoved);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn driver_health_counts_cycles_and_cards_read() {
    let sim = SimReader::new();
    let mut reader = Reader::spawn_simulated(&sim, fast_config());
    let mut health = reader.health();
    tokio::time::timeout(WAIT, health.wait_for(|h| h.sam_ok && h.cycles >= 2))
        .await
        .expect("the driver never polled")
        .unwrap();
    assert_eq!(health.borrow().cards_read, 0);
    sim.place(&card("resident.toml"));
    let _ = next(&mut reader).await;
    assert_eq!(reader.health().borrow().cards_read, 1);
}
