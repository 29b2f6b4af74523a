//! The calls of the last days, kept in memory for the console's list and the centre's figures
//! (bounded: the newest [`MAX_CALLS`]). Each kiosk also sends its own record of every call through
//! its outbox, which is what the reports count; this log is the centre's live view.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Utc};
use videocall::wire::EndedBy;

/// Calls remembered.
pub const MAX_CALLS: usize = 2000;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// A lawyer answered.
    Answered,
    /// Nobody answered in time.
    Unanswered,
    /// The citizen gave up (or the kiosk went away) while waiting.
    Abandoned,
}

impl CallOutcome {
    /// The stable name (`answered`, `unanswered`, `abandoned`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::Unanswered => "unanswered",
            Self::Abandoned => "abandoned",
        }
    }
}

/// One call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCall {
    /// The call's id.
    pub call: String,
    /// The device.
    pub device: String,
    /// Its site.
    pub site: String,
    /// The topic.
    pub topic: String,
    /// The lawyer's login, when answered.
    pub lawyer: Option<String>,
    /// When dialled.
    pub dialled: DateTime<Utc>,
    /// Seconds waited.
    pub waited_secs: u32,
    /// Seconds talked.
    pub talk_secs: u32,
    /// How it ended.
    pub outcome: CallOutcome,
    /// Who hung up.
    pub ended_by: Option<EndedBy>,
}

/// A logged call with what was learnt later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// The call.
    pub call: LoggedCall,
    /// The browser's decoded pictures of the kiosk (its last report).
    pub lawyer_frames_decoded: u64,
    /// The browser's received packets of the kiosk.
    pub lawyer_packets_received: u64,
    /// Whether the lawyer wrote the advice.
    pub advice: bool,
}

/// See the module's documentation. Clone freely.
#[derive(Debug, Clone, Default)]
pub struct CallLog {
    entries: Arc<Mutex<VecDeque<LogEntry>>>,
    /// Figures reported during calls, before the call is logged.
    live: Arc<Mutex<Vec<(String, u64, u64)>>>,
}

impl CallLog {
    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Logs an ended call.
    pub fn add(&self, call: LoggedCall) {
        let (frames, packets) = {
            let mut live = Self::lock(&self.live);
            let found = live
                .iter()
                .position(|(id, _, _)| *id == call.call)
                .map(|i| live.remove(i));
            found.map_or((0, 0), |(_, f, p)| (f, p))
        };
        let mut entries = Self::lock(&self.entries);
        entries.push_back(LogEntry {
            call,
            lawyer_frames_decoded: frames,
            lawyer_packets_received: packets,
            advice: false,
        });
        while entries.len() > MAX_CALLS {
            entries.pop_front();
        }
    }

    /// The browser's figures of a call in progress.
    pub fn lawyer_figures(&self, call: &str, frames_decoded: u64, packets_received: u64) {
        let mut live = Self::lock(&self.live);
        match live.iter_mut().find(|(id, _, _)| id == call) {
            Some(entry) => {
                entry.1 = entry.1.max(frames_decoded);
                entry.2 = entry.2.max(packets_received);
            }
            None => {
                if live.len() < 1000 {
                    live.push((call.to_owned(), frames_decoded, packets_received));
                }
            }
        }
    }

    /// Notes that a call's advice was written.
    pub fn advice_written(&self, call: &str) {
        if let Some(entry) = Self::lock(&self.entries)
            .iter_mut()
            .rev()
            .find(|e| e.call.call == call)
        {
            entry.advice = true;
        }
    }

    /// The newest `limit` calls, newest first.
    pub fn recent(&self, limit: usize) -> Vec<LogEntry> {
        Self::lock(&self.entries)
            .iter()
            .rev()
            .take(limit)
            .cloned()
            .collect()
    }

    /// The entry of `call`.
    pub fn get(&self, call: &str) -> Option<LogEntry> {
        Self::lock(&self.entries)
            .iter()
            .rev()
            .find(|e| e.call.call == call)
            .cloned()
    }
}
