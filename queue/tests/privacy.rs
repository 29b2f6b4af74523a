//! Privacy and scoping of the queue engine: each test performs an attack of the security review
//! against a real SQLite file with an injected clock, and checks that it fails.

use std::{path::PathBuf, sync::Arc};

use chrono::{DateTime, TimeZone, Utc};
use futures_util::StreamExt;
use queue::{
    DeviceAlerts, EventAudience, EventStream, HttpQueueClient, IdentityToken, IssueRequest,
    IssuedTicket, LocalQueueClient, ManualClock, PrinterAlert, PriorityKind, QueueClient,
    QueueConfig, QueueEngine, QueueError, QueueEvent, TicketStatus, engine::MAX_REPLAY,
    event_stream_for,
};

/// Monday 2025-03-03 09:30 in Chongqing (UTC+8).
fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 1, 30, 0).unwrap()
}

const SALT: &str = "site-salt-from-a-kiosk-config";
const ID_A: &str = "990101198001019991";
const ID_B: &str = "99010119650615994X";
const ID_C: &str = "99010119991231999X";

struct Fixture {
    dir: tempfile::TempDir,
    clock: ManualClock,
    config: QueueConfig,
}

impl Fixture {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            clock: ManualClock::new(monday_morning()),
            config: QueueConfig {
                identity_salt: Some(SALT.into()),
                ..QueueConfig::default()
            },
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("queue.sqlite3")
    }

    fn open(&self) -> QueueEngine {
        QueueEngine::open(
            &self.db(),
            self.config.clone(),
            Arc::new(self.clock.clone()),
            "http://host:8080",
        )
        .unwrap()
    }
}

/// The wire token of an ID number, as any kiosk of the site derives it.
fn token(id_number: &str) -> IdentityToken {
    IdentityToken::derive(SALT, id_number).unwrap()
}

fn with_id(service: &str, identity: &IdentityToken) -> IssueRequest {
    IssueRequest {
        identity: Some(identity.clone()),
        ..IssueRequest::new(service)
    }
}

fn capability(t: &IssuedTicket) -> String {
    t.status_url.rsplit('/').next().unwrap().to_owned()
}

// ---- Finding 6: a device reads, cancels and probes only the tickets it issued ----------------

#[test]
fn another_device_can_neither_read_nor_cancel_nor_probe_a_ticket() {
    let f = Fixture::new();
    let e = f.open();
    let me = token(ID_A);
    let mine = e
        .issue(&with_id("legal_aid", &me), "kiosk-1")
        .unwrap()
        .ticket;

    // kiosk-2 (any holder of a device token) asks for kiosk-1's ticket, phone link included.
    let stolen = e.ticket_for_device(mine.id, "kiosk-2").unwrap_err();
    let missing = e.ticket_for_device(mine.id + 1000, "kiosk-2").unwrap_err();
    assert!(
        matches!(stolen, QueueError::TicketNotFound(_)),
        "{stolen:?}"
    );
    assert_eq!(
        (stolen.code(), stolen.kind()),
        (missing.code(), missing.kind()),
        "another device's ticket answers like a missing one"
    );
    assert_eq!(
        stolen.to_string().replace(&mine.id.to_string(), "ID"),
        missing
            .to_string()
            .replace(&(mine.id + 1000).to_string(), "ID")
    );

    // It probes whether this person holds a ticket.
    assert!(
        e.find_active_for_device(&me, "legal_aid", "kiosk-2")
            .unwrap()
            .is_none()
    );
    // Issuing still refuses a second ticket, without naming the first one.
    match e.issue(&with_id("legal_aid", &me), "kiosk-2") {
        Err(err @ QueueError::AlreadyActiveElsewhere { .. }) => {
            assert_eq!(err.code(), "already_active");
            assert!(!err.to_string().contains(&mine.number), "{err}");
        }
        other => panic!("expected AlreadyActiveElsewhere, got {other:?}"),
    }

    // It cancels the ticket.
    assert!(matches!(
        e.cancel_for_device(mine.id, "kiosk-2"),
        Err(QueueError::TicketNotFound(_))
    ));

    // The issuing device still sees and controls its ticket.
    let seen = e.ticket_for_device(mine.id, "kiosk-1").unwrap();
    assert_eq!(
        (seen.status, seen.status_url.as_str()),
        (TicketStatus::Waiting, mine.status_url.as_str())
    );
    assert_eq!(
        e.find_active_for_device(&me, "legal_aid", "kiosk-1")
            .unwrap()
            .map(|t| t.id),
        Some(mine.id)
    );
    match e.issue(&with_id("legal_aid", &me), "kiosk-1") {
        Err(QueueError::AlreadyActive { number, ticket_id }) => {
            assert_eq!((number, ticket_id), (mine.number.clone(), mine.id));
        }
        other => panic!("expected AlreadyActive, got {other:?}"),
    }
    e.cancel_for_device(mine.id, "kiosk-1").unwrap();
    assert_eq!(
        e.ticket_for_device(mine.id, "kiosk-1").unwrap().status,
        TicketStatus::Cancelled
    );
}

#[test]
fn a_transferred_ticket_stays_with_its_issuing_device() {
    let f = Fixture::new();
    let e = f.open();
    let t = e
        .issue(&IssueRequest::new("reception"), "kiosk-1")
        .unwrap()
        .ticket;
    e.call_next(1).unwrap().unwrap();
    let moved = e
        .transfer(1, "consultation", queue::QueuePosition::Back)
        .unwrap();
    assert_eq!(e.ticket_for_device(t.id, "kiosk-1").unwrap().id, moved.id);
    assert!(matches!(
        e.ticket_for_device(t.id, "kiosk-2"),
        Err(QueueError::TicketNotFound(_))
    ));
    assert!(matches!(
        e.ticket_for_device(moved.id, "kiosk-2"),
        Err(QueueError::TicketNotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_client_is_scoped_to_its_own_device() {
    let f = Fixture::new();
    let engine = Arc::new(f.open());
    let host = LocalQueueClient::new(Arc::clone(&engine), "kiosk-1");
    let other = LocalQueueClient::new(Arc::clone(&engine), "kiosk-2");
    let me = host.identity_token(ID_B).unwrap();
    let t = host.issue(with_id("notary", &me)).await.unwrap();

    assert!(matches!(
        other.ticket(t.id).await,
        Err(QueueError::TicketNotFound(_))
    ));
    assert_eq!(
        other
            .find_active(me.clone(), "notary".into())
            .await
            .unwrap(),
        None
    );
    assert!(matches!(
        other.cancel(t.id).await,
        Err(QueueError::TicketNotFound(_))
    ));
    assert_eq!(host.ticket(t.id).await.unwrap().number, t.number);
    assert_eq!(
        host.find_active(me, "notary".into())
            .await
            .unwrap()
            .map(|t| t.id),
        Some(t.id)
    );
    host.cancel(t.id).await.unwrap();
    assert_eq!(
        host.ticket(t.id).await.unwrap().status,
        TicketStatus::Cancelled
    );
}

// ---- Finding 12: stored identity values cannot be reversed with the salt -------------------

/// Reads the database file as an attacker with a copy of it would (the engine may be running).
fn read_db(f: &Fixture) -> rusqlite::Connection {
    rusqlite::Connection::open(f.db()).unwrap()
}

fn stored_identities(f: &Fixture) -> Vec<String> {
    let conn = read_db(f);
    let mut stmt = conn
        .prepare("SELECT identity_token FROM tickets WHERE identity_token IS NOT NULL ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Candidate ID numbers an attacker tries: the real ones among a few thousand others.
fn dictionary() -> Vec<String> {
    let mut out: Vec<String> = [ID_A, ID_B].iter().map(|s| (*s).to_owned()).collect();
    for day in 1..=28 {
        for serial in 100..200 {
            out.push(format!("9901011980{:02}{day:02}{serial}4", day % 12 + 1));
        }
    }
    out
}

#[test]
fn stored_identity_values_do_not_match_any_salted_guess() {
    let f = Fixture::new();
    let e = f.open();
    e.issue(&with_id("legal_aid", &token(ID_A)), "kiosk-1")
        .unwrap();
    e.issue(&with_id("notary", &token(ID_B)), "kiosk-2")
        .unwrap();
    // Duplicates are still found within the running day.
    assert!(matches!(
        e.issue(&with_id("legal_aid", &token(ID_A)), "kiosk-1"),
        Err(QueueError::AlreadyActive { .. })
    ));

    // The attacker has the file and the salt (a kiosk's configuration).
    let stored = stored_identities(&f);
    assert_eq!(stored.len(), 2);
    let guesses: std::collections::HashSet<String> = dictionary()
        .iter()
        .map(|id| IdentityToken::derive(SALT, id).unwrap().as_str().to_owned())
        .collect();
    for value in &stored {
        assert!(
            !guesses.contains(value),
            "a stored identity value is the salted hash of a guessed ID number"
        );
    }
    // Nothing in the database helps: no salt, no key.
    let conn = read_db(&f);
    let keys: Vec<String> = conn
        .prepare("SELECT key FROM meta ORDER BY key")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(keys, ["current_day"]);
}

#[test]
fn without_a_configured_salt_nothing_secret_is_written_to_the_database() {
    let mut f = Fixture::new();
    f.config.identity_salt = None;
    let e = f.open();
    let me = e.identity_token(ID_A).unwrap();
    e.issue(&with_id("legal_aid", &me), "kiosk-1").unwrap();
    let conn = read_db(&f);
    let meta: Vec<(String, String)> = conn
        .prepare("SELECT key, value FROM meta ORDER BY key")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(meta.len(), 1, "{meta:?}");
    assert_eq!(meta[0].0, "current_day");
    assert_ne!(stored_identities(&f), [me.as_str()]);
}

#[test]
fn the_day_key_rotates_at_the_daily_reset_and_lives_only_in_memory() {
    let f = Fixture::new();
    let e = f.open();
    let me = token(ID_A);
    e.issue(&with_id("legal_aid", &me), "kiosk-1").unwrap();
    let monday = stored_identities(&f);

    // Next day, same engine: the reset draws a new key.
    f.clock.advance(chrono::Duration::days(1));
    e.issue(&with_id("legal_aid", &me), "kiosk-1").unwrap();
    let tuesday = stored_identities(&f);
    assert_eq!(tuesday.len(), 1, "Monday's value was erased at the reset");
    assert_ne!(monday, tuesday);

    // A restart mid-day draws a new key too: nothing of it was written anywhere, so the
    // earlier value no longer matches and the same person may take a second ticket (accepted,
    // see queue/README.md).
    drop(e);
    let e = f.open();
    e.issue(&with_id("legal_aid", &me), "kiosk-1").unwrap();
    let after_restart = stored_identities(&f);
    assert_eq!(after_restart.len(), 2);
    assert_ne!(after_restart[0], after_restart[1]);
    // Within the running engine duplicates are found again.
    assert!(matches!(
        e.issue(&with_id("legal_aid", &me), "kiosk-1"),
        Err(QueueError::AlreadyActive { .. })
    ));
}

// ---- Finding 13: erased values leave no copy in the database files ------------------------

/// The database, its WAL and its shared-memory index, as raw bytes (those that exist).
fn raw_files(f: &Fixture) -> Vec<(String, Vec<u8>)> {
    ["queue.sqlite3", "queue.sqlite3-wal", "queue.sqlite3-shm"]
        .iter()
        .filter_map(|name| {
            let bytes = std::fs::read(f.dir.path().join(name)).ok()?;
            Some(((*name).to_owned(), bytes))
        })
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A secret as text and as the raw bytes its hex digits stand for.
fn forms(label: &str, hex_text: &str) -> Vec<(String, Vec<u8>)> {
    vec![
        (format!("{label} (hex)"), hex_text.as_bytes().to_vec()),
        (format!("{label} (bytes)"), hex::decode(hex_text).unwrap()),
    ]
}

#[test]
fn cancelled_completed_and_reset_tickets_leave_no_identity_or_link_in_the_files() {
    let f = Fixture::new();
    let e = f.open();
    let people = [
        ("legal_aid", token(ID_A)),
        ("notary", token(ID_B)),
        ("approval", token(ID_C)),
    ];
    let tickets: Vec<IssuedTicket> = people
        .iter()
        .map(|(service, t)| e.issue(&with_id(service, t), "kiosk-1").unwrap().ticket)
        .collect();
    let stored = stored_identities(&f);
    assert_eq!(stored.len(), 3);

    // The first withdraws, the second is served, the third is still waiting at midnight.
    e.cancel_for_device(tickets[0].id, "kiosk-1").unwrap();
    assert_eq!(e.call_next(4).unwrap().unwrap().id, tickets[1].id);
    e.complete(4, "accepted").unwrap();
    f.clock.advance(chrono::Duration::days(1));
    e.tick().unwrap();
    // Life goes on today: a new ticket of another person.
    let today = token("990101200001019991");
    e.issue(&with_id("legal_aid", &today), "kiosk-1").unwrap();

    let mut secrets = Vec::new();
    for (i, ((_, pre_hash), stored)) in people.iter().zip(&stored).enumerate() {
        secrets.extend(forms(&format!("pre-hash {i}"), pre_hash.as_str()));
        secrets.extend(forms(&format!("stored value {i}"), stored));
        secrets.extend(forms(&format!("phone link {i}"), &capability(&tickets[i])));
    }
    let files = raw_files(&f);
    assert!(files.iter().any(|(name, _)| name == "queue.sqlite3"));
    let survivors: Vec<String> = files
        .iter()
        .flat_map(|(name, bytes)| {
            secrets
                .iter()
                .filter(|(_, secret)| contains(bytes, secret))
                .map(move |(label, _)| format!("{label} in {name}"))
        })
        .collect();
    assert!(
        survivors.is_empty(),
        "erased values survive: {survivors:#?}"
    );
}

// ---- Finding 14: the event stream shows each reader only its share, for today only -------

/// A day at the centre that the log records in detail: priorities, an outcome, a transfer,
/// a reprint, device alerts. Ends by closing window 6 (an event every audience sees); returns
/// that event's sequence number.
fn a_busy_morning(e: &QueueEngine) -> u64 {
    let elderly = IssueRequest {
        priority: PriorityKind::Elderly,
        ..with_id("legal_aid", &token(ID_A))
    };
    let disabled = IssueRequest {
        priority: PriorityKind::Disabled,
        ..IssueRequest::new("consultation")
    };
    e.issue(&elderly, "kiosk-1").unwrap();
    let other = e.issue(&disabled, "kiosk-2").unwrap().ticket;
    e.call_next(3).unwrap().unwrap();
    e.recall(3).unwrap();
    e.start(3).unwrap();
    e.complete(3, "rejected").unwrap();
    e.call_next(2).unwrap().unwrap();
    e.transfer(2, "mediation", queue::QueuePosition::Front)
        .unwrap();
    e.request_reprint(6, &other.number).unwrap();
    e.set_device_alerts(
        "kiosk-2",
        DeviceAlerts {
            printer: PrinterAlert::PaperOut,
            ..DeviceAlerts::default()
        },
    )
    .unwrap();
    e.open_window(6).unwrap();
    e.close_window(6).unwrap();
    e.last_event_seq().unwrap()
}

async fn next(stream: &mut EventStream) -> QueueEvent {
    tokio::time::timeout(std::time::Duration::from_secs(10), stream.next())
        .await
        .expect("an event arrives")
        .expect("the stream goes on")
        .expect("no error")
}

/// The events of `audience` replayed from the start of the log, up to event `last`.
async fn replay(engine: &Arc<QueueEngine>, audience: EventAudience, last: u64) -> Vec<QueueEvent> {
    let mut stream = event_stream_for(Arc::clone(engine), audience, Some(0))
        .await
        .unwrap();
    let mut out = Vec::new();
    loop {
        let event = next(&mut stream).await;
        let seq = event.seq;
        out.push(event);
        if seq >= last {
            return out;
        }
    }
}

fn kinds(events: &[QueueEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.payload.kind()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_stream_shows_calls_and_windows_only() {
    let f = Fixture::new();
    let engine = Arc::new(f.open());
    let last = a_busy_morning(&engine);

    let public = replay(&engine, EventAudience::Public, last).await;
    assert_eq!(
        kinds(&public),
        [
            "day_reset",
            "window_opened",
            "called",
            "recalled",
            "window_opened",
            "called",
            "window_opened",
            "window_closed"
        ]
    );
    for event in &public {
        // What the LAN service sends (`json_data`), and what the hall follower parses back.
        let json = serde_json::to_value(event).unwrap();
        let fields: Vec<&String> = json.as_object().unwrap().keys().collect();
        for private in [
            "priority",
            "outcome",
            "device",
            "alerts",
            "ticket_id",
            "service",
            "by",
            "out_of_order",
        ] {
            assert!(
                !fields.iter().any(|k| *k == private),
                "the public {} event carries {private}: {json}",
                event.payload.kind()
            );
        }
        assert_eq!(&serde_json::from_value::<QueueEvent>(json).unwrap(), event);
    }
    let called: Vec<(String, u32)> = public
        .iter()
        .filter_map(|e| match &e.payload {
            queue::EventPayload::Called { number, window, .. } => Some((number.clone(), *window)),
            _ => None,
        })
        .collect();
    assert_eq!(called, [("C001".to_owned(), 3), ("B001".to_owned(), 2)]);

    // A device also gets what concerns it, nothing of another device, and no outcome.
    let kiosk_2 = replay(&engine, EventAudience::Device("kiosk-2".into()), last).await;
    let own: Vec<&'static str> = kinds(&kiosk_2)
        .into_iter()
        .filter(|k| !kinds(&public).contains(k))
        .collect();
    assert_eq!(own, ["issued", "reprint_requested", "device_alert"]);
    let kiosk_1 = replay(&engine, EventAudience::Device("kiosk-1".into()), last).await;
    assert_eq!(kinds(&kiosk_1).len(), public.len() + 1, "its own issued");
    for (name, events) in [("kiosk-1", &kiosk_1), ("kiosk-2", &kiosk_2)] {
        for e in events {
            assert_ne!(e.payload.kind(), "completed");
            if let queue::EventPayload::Issued { device, .. }
            | queue::EventPayload::ReprintRequested { device, .. }
            | queue::EventPayload::DeviceAlert { device, .. } = &e.payload
            {
                assert_eq!(device, name, "{name} got another device's event");
            }
        }
    }

    // Staff see everything, the outcome included.
    let staff = replay(&engine, EventAudience::Staff, last).await;
    assert!(staff.iter().any(|e| matches!(
        &e.payload,
        queue::EventPayload::Completed { outcome, .. } if outcome == "rejected"
    )));
    assert_eq!(staff.len() as u64, last);
}

/// A stand-in for the LAN service's `GET /api/v1/events` (which lives in the kiosk): serves
/// `audience`'s stream of `engine` as Server-Sent Events to one client, the way the service
/// does (`id`, `event`, JSON `data`), and hands over the request's head.
async fn serve_events_once(
    engine: Arc<QueueEngine>,
    audience: EventAudience,
) -> (String, tokio::sync::oneshot::Receiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (head_tx, head_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            if socket.read(&mut byte).await.unwrap() == 0 {
                return;
            }
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).unwrap();
        let after = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("last-event-id:")
                    .map(str::to_owned)
            })
            .and_then(|v| v.trim().parse::<u64>().ok());
        let _ = head_tx.send(head);
        let mut events = event_stream_for(engine, audience, after).await.unwrap();
        socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n")
            .await
            .unwrap();
        while let Some(Ok(e)) = events.next().await {
            let json = serde_json::to_string(&e).unwrap();
            let frame = format!(
                "id: {}\nevent: {}\ndata: {json}\n\n",
                e.seq,
                e.payload.kind()
            );
            if socket.write_all(frame.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    (base, head_rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_client_reads_the_public_stream_as_the_hall_needs_it() {
    let f = Fixture::new();
    let engine = Arc::new(f.open());
    let last = a_busy_morning(&engine);
    let expected = replay(&engine, EventAudience::Public, last).await;

    let (base, head) = serve_events_once(Arc::clone(&engine), EventAudience::Public).await;
    // The hall follower's client: no device token.
    let client = HttpQueueClient::new(&base, "", None).unwrap();
    let mut stream = client.subscribe(Some(0)).await.unwrap();
    let head = head.await.unwrap().to_ascii_lowercase();
    assert!(head.starts_with("get /api/v1/events "), "{head}");
    assert!(head.contains("last-event-id: 0"), "{head}");
    let mut received = Vec::new();
    while received.len() < expected.len() {
        received.push(next(&mut stream).await);
    }
    assert_eq!(received, expected);
    assert!(received.iter().any(|e| matches!(
        &e.payload,
        queue::EventPayload::Called { number, window: 3, ticket_id: queue::events::WITHHELD_TICKET_ID, .. }
            if number == "C001"
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_reset_deletes_earlier_days_events_and_replay_starts_today() {
    let f = Fixture::new();
    let engine = Arc::new(f.open());
    let monday_last = a_busy_morning(&engine);

    f.clock.advance(chrono::Duration::days(1));
    engine.tick().unwrap();
    let today = engine.current_day().unwrap();
    let conn = read_db(&f);
    let (earlier, kept): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM events WHERE day < ?1),
                    (SELECT COUNT(*) FROM events)",
            [today.format("%Y-%m-%d").to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((earlier, kept), (0, 1), "only today's day_reset is left");
    drop(conn);
    // Not even in the free pages or the WAL: Monday's outcome event is gone from the files.
    for (name, bytes) in raw_files(&f) {
        assert!(
            !contains(&bytes, br#"{"type":"completed""#),
            "an earlier day's event survives in {name}"
        );
    }

    // A reader that last saw Monday's first event resumes with Tuesday's reset.
    let tuesday_first = monday_last + 1;
    assert_eq!(engine.replay_start(Some(1)).unwrap(), monday_last);
    let mut stream = event_stream_for(Arc::clone(&engine), EventAudience::Staff, Some(1))
        .await
        .unwrap();
    let first = next(&mut stream).await;
    assert_eq!((first.seq, first.day), (tuesday_first, today));
    assert_eq!(first.payload.kind(), "day_reset");

    // Numbering is not affected: Tuesday starts again at 001, after a restart too.
    assert_eq!(
        engine
            .issue(&IssueRequest::new("reception"), "kiosk-1")
            .unwrap()
            .ticket
            .number,
        "A001"
    );
    drop(stream);
    let Ok(engine) = Arc::try_unwrap(engine) else {
        panic!("the engine is still shared")
    };
    drop(engine);
    let engine = f.open();
    assert_eq!(
        engine
            .issue(&IssueRequest::new("reception"), "kiosk-1")
            .unwrap()
            .ticket
            .number,
        "A002"
    );
    assert!(
        engine.last_event_seq().unwrap() > tuesday_first,
        "sequence numbers never go back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_is_replayed_at_most_max_replay_events() {
    let f = Fixture::new();
    let engine = Arc::new(f.open());
    for _ in 0..(MAX_REPLAY / 2 + 30) {
        engine.open_window(1).unwrap();
        engine.close_window(1).unwrap();
    }
    let newest = engine.last_event_seq().unwrap();
    assert!(newest > MAX_REPLAY + 50);
    assert_eq!(engine.replay_start(Some(0)).unwrap(), newest - MAX_REPLAY);
    assert_eq!(engine.replay_start(Some(newest - 5)).unwrap(), newest - 5);
    assert_eq!(engine.replay_start(None).unwrap(), newest);
    assert_eq!(engine.replay_start(Some(newest + 99)).unwrap(), newest);

    let mut stream = event_stream_for(Arc::clone(&engine), EventAudience::Public, Some(0))
        .await
        .unwrap();
    let first = next(&mut stream).await;
    assert_eq!(first.seq, newest - MAX_REPLAY + 1);
    let mut last = first.seq;
    while last < newest {
        let e = next(&mut stream).await;
        assert_eq!(e.seq, last + 1, "no gap, no repeat");
        last = e.seq;
    }
}

// ---- Finding 11: phone links expire ------------------------------------------------------

fn stored_capability(f: &Fixture, id: i64) -> Option<String> {
    read_db(f)
        .query_row("SELECT capability FROM tickets WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn a_phone_link_dies_after_the_grace_period_and_at_the_daily_reset() {
    let f = Fixture::new();
    let e = f.open();
    let issue = |service: &str| {
        e.issue(&IssueRequest::new(service), "kiosk-1")
            .unwrap()
            .ticket
    };
    let served = issue("reception");
    let withdrawn = issue("reception");
    let waiting = issue("consultation");
    let grace = chrono::Duration::minutes(i64::from(queue::engine::PHONE_LINK_GRACE_MINUTES));

    assert_eq!(e.call_next(1).unwrap().unwrap().id, served.id);
    e.complete(1, "answered").unwrap();
    e.cancel_by_capability(&capability(&withdrawn)).unwrap();

    // Within the grace period the citizen still reads the outcome.
    f.clock.advance(grace - chrono::Duration::minutes(1));
    e.tick().unwrap();
    assert_eq!(
        e.phone_status(&capability(&served)).unwrap().status,
        TicketStatus::Done
    );
    assert_eq!(
        e.phone_status(&capability(&withdrawn)).unwrap().status,
        TicketStatus::Cancelled
    );

    // Then the link is dead: read, cancel, as if it had never existed; and it leaves the database.
    f.clock.advance(chrono::Duration::minutes(1));
    for ended in [&served, &withdrawn] {
        assert!(matches!(
            e.phone_status(&capability(ended)),
            Err(QueueError::TicketNotFound(_))
        ));
        assert!(matches!(
            e.cancel_by_capability(&capability(ended)),
            Err(QueueError::TicketNotFound(_))
        ));
    }
    e.tick().unwrap();
    assert_eq!(stored_capability(&f, served.id), None);
    assert_eq!(stored_capability(&f, withdrawn.id), None);

    // A ticket still waiting keeps its link all day, and loses it at the reset.
    assert_eq!(
        e.phone_status(&capability(&waiting)).unwrap().status,
        TicketStatus::Waiting
    );
    assert!(stored_capability(&f, waiting.id).is_some());
    f.clock.advance(chrono::Duration::days(1));
    e.tick().unwrap();
    assert!(matches!(
        e.phone_status(&capability(&waiting)),
        Err(QueueError::TicketNotFound(_))
    ));
    assert_eq!(stored_capability(&f, waiting.id), None);
}

// ---- Finding 15: the database is readable by its owner only ----------------------------------

#[test]
fn the_database_files_are_readable_by_their_owner_only() {
    // Before: `kiosk serve` outside systemd (umask 022) created a world-readable queue.sqlite3.
    use std::os::unix::fs::PermissionsExt as _;
    let f = Fixture::new();
    // A file left world-readable by an older version is restricted too.
    std::fs::write(f.db(), b"").unwrap();
    std::fs::set_permissions(f.db(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let engine = f.open();
    engine
        .issue(&with_id("legal_aid", &token(ID_A)), "kiosk-1")
        .unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", f.db().display()));
        if let Ok(meta) = std::fs::metadata(&path) {
            assert_eq!(
                meta.permissions().mode() & 0o777,
                0o600,
                "{}",
                path.display()
            );
        }
    }
}
