//! The lawyers' advice summaries, reachable by an unguessable token (`/advice/{token}`, the QR code
//! printed for the citizen). Kept in memory for [`KEEP_DAYS`] days, at most [`MAX_NOTES`].

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Utc};

/// Days a summary stays reachable.
pub const KEEP_DAYS: i64 = 30;
/// Summaries kept.
pub const MAX_NOTES: usize = 10_000;

/// One summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceNote {
    /// The call.
    pub call: String,
    /// The site.
    pub site: String,
    /// The topic.
    pub topic: String,
    /// The lawyer's public name.
    pub lawyer: String,
    /// The summary.
    pub text: String,
    /// When it was written.
    pub written: DateTime<Utc>,
}

/// See the module's documentation. Clone freely.
#[derive(Debug, Clone, Default)]
pub struct AdviceBook {
    notes: Arc<Mutex<VecDeque<(String, AdviceNote)>>>,
}

impl AdviceBook {
    /// Keeps `note`; its token (128 random bits, hex).
    pub fn add(&self, note: AdviceNote) -> String {
        let token = crate::auth::new_token()[..32].to_owned();
        let mut notes = self
            .notes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        notes.retain(|(_, n)| n.call != note.call);
        notes.push_back((token.clone(), note));
        while notes.len() > MAX_NOTES {
            notes.pop_front();
        }
        token
    }

    /// The note of `token`, unless older than [`KEEP_DAYS`] at `now`.
    pub fn get(&self, token: &str, now: DateTime<Utc>) -> Option<AdviceNote> {
        self.notes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .find(|(t, _)| t == token)
            .map(|(_, n)| n.clone())
            .filter(|n| now - n.written < chrono::Duration::days(KEEP_DAYS))
    }
}
