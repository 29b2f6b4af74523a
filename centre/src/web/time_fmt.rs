//! Times as the district reads them: local time (UTC+8).

use chrono::{DateTime, Utc};

use crate::calendar::local_offset;

/// `2026-03-02 09:00` in local time.
pub fn local_minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&local_offset())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
