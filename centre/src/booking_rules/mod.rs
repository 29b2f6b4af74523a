//! What bookings are made against: each site's bookable services with their calendars and the rules
//! ([`settings`]), and the keys of the MACs and tokens ([`keys`]). Plain data read from the
//! configuration, held by [`crate::AppState`]; the operations on bookings are in [`crate::booking`].

pub mod keys;
pub mod settings;

pub use keys::BookingKeys;
pub use settings::{BookingSettings, BookingsEntry, Closed, ServiceCalendar, SiteCalendar, Slot};
