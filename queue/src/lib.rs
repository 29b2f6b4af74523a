//! Queue engine: numbering, calling, persistence, and the client interface of the kiosk UI.
//!
//! - [`config`]: the `[queue]` table (services, windows, rules of the day), with defaults for
//!   the district centre;
//! - [`engine`]: [`QueueEngine`], every operation one SQLite transaction on a durable WAL
//!   database ([`store`]), an event log of the current business day ([`events`], read by each
//!   [`EventAudience`] through [`event_stream_for`]); one file per group of
//!   operations (`issue`, `tickets`, `status`, `windows`, `call`, `serve`, `day`, `devices`,
//!   `event_log`);
//! - `sql` (private): every SQL statement of the engine as a named constant;
//! - [`fairness`], [`eta`]: the priority fairness rule and the P50–P90 wait estimate, pure;
//! - [`model`]: domain values: tickets, their life cycle, priorities and what the screens show;
//! - [`wire`]: the JSON bodies of the LAN API and, in [`wire::routes`], its paths, shared by
//!   the LAN service, the HTTP client and the engine (the phone page URL of a ticket);
//! - [`client`]: the [`QueueClient`] trait with [`LocalQueueClient`] (on the queue host) and
//!   [`HttpQueueClient`] (a kiosk that uses the host over the LAN, [`http_client`]);
//! - [`stats`]: a business day's anonymous ticket statistics per service (what the kiosk sends to
//!   the district centre), pure over the day's ticket rows;
//! - [`alerts`]: device alerts (ticket printer paper and cover) shown to staff.
//!
//! Time comes from an injected [`Clock`]; see `queue/README.md` for the rules.

pub mod alerts;
pub mod client;
pub mod clock;
pub mod config;
pub mod engine;
mod error;
pub mod eta;
pub mod events;
pub mod fairness;
pub mod http_client;
pub mod model;
mod sql;
pub mod stats;
pub mod store;
pub mod wire;

pub use self::clock::{Clock, ManualClock, SystemClock};
pub use alerts::{DeviceAlerts, PrinterAlert};
#[allow(deprecated)] // kept for the kiosk until it picks an audience
pub use client::event_stream;
pub use client::{BoxFuture, EventStream, LocalQueueClient, QueueClient, event_stream_for};
pub use config::{
    AppointmentConfig, FairnessConfig, IdCardPolicy, QueueConfig, ServiceConfig, WindowConfig,
};
pub use engine::{IssueRequest, Issued, QueueEngine};
pub use error::{ErrorKind, QueueError};
pub use events::{EventAudience, EventPayload, QueueEvent};
pub use http_client::HttpQueueClient;
pub use model::{
    BookedSlot, Booking, BookingState, BookingTicket, CheckIn, CheckedIn, EtaRange, IdentityToken,
    IssuedTicket, PhoneStatus, PriorityKind, QueuePosition, QueueSnapshot, RATING_REASONS,
    RatingSource, ServiceState, ServiceStatus, StaffOnDuty, Ticket, TicketAppointment, TicketBrief,
    TicketId, TicketRating, TicketStatus, WindowStatus, WindowView,
};
