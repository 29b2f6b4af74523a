//! What the store keeps of the video calls: the call-backs citizens asked for (a table, so a lawyer
//! can mark one done) and the kiosks' records of their calls (read from the stored items).

use chrono::{DateTime, Utc};
use content::{
    OutboxMessage, OutboxPayload,
    video_call::{CallOutcome, VideoCallRecord},
};

use crate::error::StoreError;

/// A call-back a citizen asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRecord {
    /// Its id (the stored item's).
    pub id: i64,
    /// The kiosk.
    pub device: String,
    /// Its site.
    pub site: String,
    /// The number to call.
    pub phone: String,
    /// What it is about.
    pub topic: String,
    /// Why the call did not happen.
    pub reason: CallOutcome,
    /// When the centre received the request.
    pub received: DateTime<Utc>,
    /// When it was done, and by whom.
    pub done: Option<(DateTime<Utc>, String)>,
}

/// A kiosk's record of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoCallRow {
    /// The kiosk.
    pub device: String,
    /// Its site.
    pub site: String,
    /// When the kiosk made the record (the call's end).
    pub created: DateTime<Utc>,
    /// The record.
    pub record: VideoCallRecord,
}

/// SQL of the call-backs table (SQLite schema version 7, PostgreSQL migration 7).
pub(crate) const CALLBACKS_TABLE: &str = "
CREATE TABLE IF NOT EXISTS callbacks (
    item_id BIGINT PRIMARY KEY REFERENCES items(id),
    device TEXT NOT NULL,
    phone TEXT NOT NULL,
    topic TEXT NOT NULL,
    reason TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    done_ms BIGINT,
    done_by TEXT
);
CREATE INDEX IF NOT EXISTS callbacks_open ON callbacks(done_ms, received_ms);
";

/// The reason as stored.
pub(crate) fn reason_of(name: &str) -> CallOutcome {
    match name {
        "unreachable" => CallOutcome::Unreachable,
        "failed" => CallOutcome::Failed,
        _ => CallOutcome::Unanswered,
    }
}

/// A `video_call` item's body as a row.
pub(crate) fn video_call_row(site: String, body: &str) -> Result<VideoCallRow, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        what: "video call",
        reason,
    };
    let message: OutboxMessage = serde_json::from_str(body).map_err(|e| corrupt(e.to_string()))?;
    match message.payload {
        OutboxPayload::VideoCall(record) => Ok(VideoCallRow {
            device: message.device,
            site,
            created: message.created,
            record,
        }),
        other => Err(corrupt(format!(
            "an item of kind video_call holds a {}",
            other.kind()
        ))),
    }
}
