//! The event log: operations append inside their transaction; readers replay it. It holds the
//! current business day only (the daily reset deletes earlier days), and a reader that
//! reconnects is replayed at most [`MAX_REPLAY`] events.

use rusqlite::params;

use super::{Ctx, QueueEngine};
use crate::{
    QueueError,
    events::{EventPayload, QueueEvent},
    sql,
    store::{self, day_str, from_ms, to_ms},
};

/// The most events a reader that (re)connects is replayed from the log.
pub const MAX_REPLAY: u64 = 1000;

impl QueueEngine {
    /// Logged events after `after` (exclusive), oldest first, at most `limit`: every event in
    /// full, as staff see them (readers of other audiences get them through
    /// [`event_stream_for`](crate::client::event_stream_for)).
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

    /// Where a reader that asks to resume after `after` starts (it is sent the events after
    /// the returned position): never before the current business day's first event, at most
    /// [`MAX_REPLAY`] events back, and from now on for `None` or a position not reached yet.
    /// Applies the daily reset first if it is due, so yesterday is never replayed.
    pub fn replay_start(&self, after: Option<u64>) -> Result<u64, QueueError> {
        self.run(|c| {
            let newest: i64 = c.tx.query_row(sql::LAST_EVENT_SEQ, [], |r| r.get(0))?;
            let newest = u64::try_from(newest).unwrap_or(0);
            let first_today: Option<i64> =
                c.tx.query_row(sql::FIRST_EVENT_SEQ_SINCE, [day_str(c.day)], |r| r.get(0))?;
            let today_floor = first_today
                .and_then(|s| u64::try_from(s).ok())
                .map_or(newest, |s| s.saturating_sub(1));
            let floor = today_floor.max(newest.saturating_sub(MAX_REPLAY));
            Ok(after.map_or(newest, |a| a.min(newest)).max(floor))
        })
    }

    /// The sequence number of the last logged event (0 when none was ever logged).
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
