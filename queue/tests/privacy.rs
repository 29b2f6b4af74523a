//! Privacy and scoping of the queue engine: each test performs an attack of the security review
//! against a real SQLite file with an injected clock, and checks that it fails.

use std::{path::PathBuf, sync::Arc};

use chrono::{DateTime, TimeZone, Utc};
use queue::{
    IdentityToken, IssueRequest, IssuedTicket, LocalQueueClient, ManualClock, QueueClient,
    QueueConfig, QueueEngine, QueueError, TicketStatus,
};

/// Monday 2025-03-03 09:30 in Chongqing (UTC+8).
fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 1, 30, 0).unwrap()
}

const SALT: &str = "site-salt-from-a-kiosk-config";
const ID_A: &str = "500114198001011234";
const ID_B: &str = "50011419650615104X";
const ID_C: &str = "500114199912315678";

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
            out.push(format!("5001141980{:02}{day:02}{serial}4", day % 12 + 1));
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
    let today = token("500114200001011230");
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
