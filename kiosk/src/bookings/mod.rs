//! Today's bookings (预约) at this site, as the kiosk checks citizens in.
//!
//! - [`BookingBook`]: the last list the centre sent (`content::SiteBookings`), kept in memory and in a
//!   file of the data directory, so a kiosk that restarts while the centre is unreachable still
//!   checks in today's bookings; lookups by typed or scanned code and by ID card ([`Lookup`]).
//! - [`poll`]: the task that asks the centre every [`POLL_EVERY`] (a conditional GET: nothing is
//!   sent while nothing changed) and, on the queue host, hands the day's booked slots to the queue
//!   engine (the staff page's 今日预约 and the appointment order).
//! - [`demo`]: the sample list of a laptop run without a centre.

pub mod demo;
pub mod poll;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
};

use chrono::NaiveDate;
use content::booking::{BookingEntry, BookingState, SiteBookings, parse_booking_code};
use tokio::sync::watch;

pub use poll::{POLL_EVERY, spawn_poll};

/// The file of the data directory that keeps the last list.
pub const BOOKINGS_FILE: &str = "bookings-today.json";

/// Why the list could not be kept.
#[derive(Debug, thiserror::Error)]
pub enum BookingBookError {
    /// The file could not be written.
    #[error("cannot keep the booking list in {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// What a code or a card found in today's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The kiosk has no list for today (never fetched, or only an older day's): check in at a window.
    NoList,
    /// The typed or scanned text is not a booking code (`B-XXXX-XXXX`).
    NotACode,
    /// No booking of today has this code (or, for a card, this ID number).
    NotFound,
    /// The booking was cancelled.
    Cancelled(BookingEntry),
    /// The booking was recorded as a no-show (a moved day, or a centre that closed it).
    NoShow(BookingEntry),
    /// Bookings to check in (several when one card holds several bookings today), in slot order.
    Found(Vec<BookingEntry>),
}

/// Today's bookings of the site: the last list received, shared by the poll task and the check-in
/// page. Cheap to clone.
#[derive(Debug, Clone)]
pub struct BookingBook {
    list: Arc<RwLock<Option<SiteBookings>>>,
    file: Option<PathBuf>,
    changed: watch::Sender<u64>,
}

impl BookingBook {
    /// A book without a file (tests, screenshots, the demo list).
    pub fn in_memory(list: Option<SiteBookings>) -> Self {
        Self {
            list: Arc::new(RwLock::new(list)),
            file: None,
            changed: watch::channel(0).0,
        }
    }

    /// A book kept in `file`, starting with the list saved there (none when it is missing or
    /// unreadable: logged, and the next poll replaces it).
    pub fn open(file: &Path) -> Self {
        let list = match std::fs::read(file) {
            Ok(bytes) => match serde_json::from_slice::<SiteBookings>(&bytes) {
                Ok(list) => Some(list),
                Err(err) => {
                    tracing::warn!("ignoring the saved booking list {}: {err}", file.display());
                    None
                }
            },
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => {
                tracing::warn!(
                    "cannot read the saved booking list {}: {err}",
                    file.display()
                );
                None
            }
        };
        Self {
            file: Some(file.to_owned()),
            ..Self::in_memory(list)
        }
    }

    /// The list held, if any.
    pub fn current(&self) -> Option<SiteBookings> {
        self.list
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// A receiver that changes each time a new list is kept.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Keeps `list` (in memory at once; in the file, written whole and renamed into place, so a
    /// power cut leaves the old list or the new one).
    pub fn replace(&self, list: SiteBookings) -> Result<(), BookingBookError> {
        let result = match &self.file {
            Some(path) => write_atomically(path, &list),
            None => Ok(()),
        };
        *self
            .list
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(list);
        self.changed.send_modify(|n| *n += 1);
        result
    }

    /// The booking with this typed or scanned code, today (`today`: the site's local day).
    pub fn by_code(&self, typed: &str, today: NaiveDate) -> Lookup {
        let Some(code) = parse_booking_code(typed) else {
            return Lookup::NotACode;
        };
        self.with_today(today, |list| {
            match list.bookings.iter().find(|b| b.code == code) {
                None => Lookup::NotFound,
                Some(entry) => classify(vec![entry.clone()]),
            }
        })
    }

    /// The bookings made with this ID number (read from the card), today. The number is only hashed
    /// with the site's key here; it is neither kept nor logged.
    pub fn by_id_number(&self, id_number: &str, today: NaiveDate) -> Lookup {
        self.with_today(today, |list| {
            let found: Vec<BookingEntry> =
                list.by_id_number(id_number).into_iter().cloned().collect();
            if found.is_empty() {
                Lookup::NotFound
            } else {
                classify(found)
            }
        })
    }

    fn with_today(&self, today: NaiveDate, f: impl FnOnce(&SiteBookings) -> Lookup) -> Lookup {
        let list = self
            .list
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match list.as_ref() {
            Some(list) if list.day == today => f(list),
            _ => Lookup::NoList,
        }
    }
}

/// Bookings still to honour come first; a card whose only bookings were cancelled says so.
fn classify(entries: Vec<BookingEntry>) -> Lookup {
    let open: Vec<BookingEntry> = entries
        .iter()
        .filter(|e| {
            matches!(
                e.state,
                BookingState::Booked | BookingState::CheckedIn | BookingState::LateWalkIn
            )
        })
        .cloned()
        .collect();
    if !open.is_empty() {
        return Lookup::Found(open);
    }
    match entries.into_iter().next() {
        Some(entry) if entry.state == BookingState::Cancelled => Lookup::Cancelled(entry),
        Some(entry) => Lookup::NoShow(entry),
        None => Lookup::NotFound,
    }
}

fn write_atomically(path: &Path, list: &SiteBookings) -> Result<(), BookingBookError> {
    let io = |source| BookingBookError::Io {
        path: path.to_owned(),
        source,
    };
    let bytes = serde_json::to_vec(list).map_err(|e| io(std::io::Error::other(e)))?;
    let tmp = path.with_extension("json.tmp");
    {
        use std::io::Write as _;
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests;
