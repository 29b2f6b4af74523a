//! Reports of issue #17: per day, site and service the tickets issued, served and not answered,
//! waiting time P50/P90 and mean service time, tickets by hour of day; complaints by day, site and
//! category; ratings by site and service; needs-survey answers; video calls by day and site.
//!
//! - [`query`]: the query string every report takes (dates, site, format), refused with the
//!   parameter named;
//! - [`tickets`]: the devices' statistics combined into rows (how, and why exactly so);
//! - [`summary`]: complaints, ratings and surveys shaped into rows;
//! - [`calls`]: the kiosks' video call records counted by day and site;
//! - [`csv_file`]: the CSV answer (with a BOM, for Excel);
//! - [`svg`]: the charts, inline SVG;
//! - [`page`]: the staff page's body, `/staff/reports`.
//!
//! The routes are in `crate::api` (`/api/v1/reports/…` and `/staff/reports`).

pub mod calls;
pub mod csv_file;
pub mod page;
pub mod query;
pub mod summary;
pub mod svg;
pub mod tickets;

pub use query::{Format, QueryError, ReportQuery};
pub use tickets::{TicketReportRow, combine};
