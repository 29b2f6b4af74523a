//! The fixture shared by the engine's rule tests: a real SQLite file and a manual clock.

#![allow(dead_code, unreachable_pub)] // each test file uses its own share

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use queue::{
    Booking, CheckedIn, IssueRequest, ManualClock, PriorityKind, QueueConfig, QueueEngine,
};

/// Monday 2025-03-03 09:30 in Chongqing (UTC+8).
pub fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 1, 30, 0).unwrap()
}

/// Monday 2025-03-03 at a local (UTC+8) time.
pub fn local(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 0, 0, 0).unwrap()
        + Duration::minutes(i64::from((h - 8) * 60 + m))
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub clock: ManualClock,
    pub config: QueueConfig,
}

impl Fixture {
    pub fn new(config: QueueConfig) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            clock: ManualClock::new(monday_morning()),
            config,
        }
    }

    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("queue.sqlite3")
    }

    pub fn open(&self) -> QueueEngine {
        QueueEngine::open(
            &self.path(),
            self.config.clone(),
            Arc::new(self.clock.clone()),
            "http://host:8080",
        )
        .unwrap()
    }
}

pub fn normal(service: &str) -> IssueRequest {
    IssueRequest::new(service)
}

pub fn elderly(service: &str) -> IssueRequest {
    IssueRequest {
        priority: PriorityKind::Elderly,
        ..IssueRequest::new(service)
    }
}

pub fn issue(e: &QueueEngine, req: &IssueRequest) -> String {
    e.issue(req, "kiosk-1").unwrap().ticket.number
}

/// A booking `code` for the slot from local `h:m` lasting 30 minutes.
pub fn booking(code: &str, h: u32, m: u32) -> Booking {
    Booking {
        code: code.into(),
        slot_start: local(h, m),
        slot_end: local(h, m) + Duration::minutes(30),
    }
}

pub fn check_in(e: &QueueEngine, service: &str, b: &Booking) -> CheckedIn {
    e.check_in(&IssueRequest::new(service), b, "kiosk-1")
        .unwrap()
}

/// Calls the next ticket at `window` and completes it; its number.
pub fn serve_next(e: &QueueEngine, window: u32) -> Option<String> {
    let t = e.call_next(window).unwrap()?;
    e.complete(window, "answered").unwrap();
    Some(t.number)
}
