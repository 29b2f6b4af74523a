//! The append-only event log: operations append inside their transaction; readers replay it.

use rusqlite::params;

use super::{Ctx, QueueEngine};
use crate::{
    QueueError,
    events::{EventPayload, QueueEvent},
    sql,
    store::{self, day_str, from_ms, to_ms},
};

impl QueueEngine {
    /// Logged events after `after` (exclusive), oldest first, at most `limit`.
    pub fn events_after(&self, after: u64, limit: usize) -> Result<Vec<QueueEvent>, QueueError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(sql::EVENTS_AFTER)?;
        let rows = stmt.query_map(
            params![
                i64::try_from(after).unwrap_or(i64::MAX),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, at, day, payload) = row?;
            let payload: EventPayload = serde_json::from_str(&payload)
                .map_err(|e| QueueError::Corrupt(format!("event {seq}: {e}")))?;
            out.push(QueueEvent {
                seq: u64::try_from(seq).unwrap_or(0),
                at: from_ms(at),
                day: store::parse_day(&day)?,
                payload,
            });
        }
        Ok(out)
    }

    /// The sequence number of the last logged event (0 when the log is empty).
    pub fn last_event_seq(&self) -> Result<u64, QueueError> {
        let conn = self.lock();
        let seq: i64 = conn.query_row(sql::LAST_EVENT_SEQ, [], |r| r.get(0))?;
        Ok(u64::try_from(seq).unwrap_or(0))
    }
}

impl Ctx<'_> {
    /// Appends an event in this transaction; it is broadcast after the commit.
    pub(super) fn log(&mut self, payload: EventPayload) -> Result<(), QueueError> {
        let json = serde_json::to_string(&payload)
            .map_err(|e| QueueError::Corrupt(format!("event encoding: {e}")))?;
        self.tx.execute(
            sql::INSERT_EVENT,
            params![to_ms(self.now), day_str(self.day), payload.kind(), json],
        )?;
        let seq = u64::try_from(self.tx.last_insert_rowid()).unwrap_or(0);
        self.pending.push(QueueEvent {
            seq,
            at: self.now,
            day: self.day,
            payload,
        });
        Ok(())
    }
}
