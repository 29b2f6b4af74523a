//! The district centre's server: it receives what kiosks send through their outbox (complaints, ratings,
//! anonymous ticket statistics, needs surveys, heartbeats), stores every item once and durably, and shows
//! it to logged-in staff through a JSON API.
//!
//! - [`ingest`]: what a well-formed outbox item is (the body is [`content::OutboxMessage`], so the centre
//!   reads exactly what the kiosk writes) and why one is refused.
//! - [`store`]: the [`Store`] trait and its implementations, [`SqliteStore`] (the default) and
//!   [`PostgresStore`].
//! - [`api`]: the HTTP routes (`POST /api/v1/outbox`, `POST /api/v1/login`, `GET /api/v1/devices`,
//!   `GET /api/v1/complaints`, `GET /api/v1/ratings`).
//! - [`report`]: the reports (tickets, complaints, ratings, needs surveys): combining, CSV, SVG
//!   charts, the staff page; routes `GET /api/v1/reports/…` and `/staff/reports`.
//! - [`auth`]: device tokens, staff passwords, sessions, the demo credentials.
//! - [`config`]: the TOML configuration file; [`accounts`]: the devices and staff installed from it (or
//!   the demo's).
//! - [`state`]: what the handlers share ([`AppState`], the web app's settings and state).
//! - [`server`]: binding and serving ([`app`]: every route).
//! - [`web`]: the staff web app (server-rendered pages) and the public receipt lookup.
//! - [`alert_rules`]: the fleet's alert rules; [`calendar`]: working days, deadlines, opening hours.
//! - [`calls`]: the video call to a duty lawyer: the roster, the routing, the live calls and their
//!   WebSockets, the advice summaries; the console page is in [`web`].
//! - [`booking`]: bookings (预约): calendars, rules, the device list, reminders and no-shows; the
//!   phone pages and the staff page are in [`web`], the device route in [`api`].
//! - [`applications`]: applications made at the kiosk (法律援助, 人民调解, 公证预约): the key they are
//!   sealed to, the checks on arrival, opening a stored one for staff; the routes are in [`api`]
//!   (intake, key, lookup) and [`web`] (the inbox, the case, the public status).
//! - [`uploads`]: phone uploads for an application being made at the kiosk (the papers' photos sent
//!   from the citizen's phone by QR code, held in memory only until the kiosk takes them); the
//!   device routes are in [`api`], the phone's page in [`web`].
//!
//! Times are read from one injected [`clock::WallClock`].

pub mod accounts;
pub mod alert_rules;
pub mod api;
pub mod applications;
pub mod auth;
pub mod booking;
pub mod booking_rules;
pub mod calendar;
pub mod calls;
pub mod config;
pub mod error;
pub mod html;
pub mod ingest;
pub mod login_budget;
pub mod mask;
pub mod publications;
pub mod published;
mod rate_limit;
pub mod report;
pub mod server;
pub mod state;
pub mod store;
pub mod tls;
pub mod uploads;
pub mod web;

pub use accounts::{Accounts, install_accounts};
pub use api::{ApiSettings, ApiToken, AppState, router};
pub use config::{ApiTokenEntry, CentreConfig, DeviceEntry, StaffEntry};
pub use error::{AuthError, ConfigError, StartError, StoreError};
pub use server::{app, app_with_content, serve, serve_app};
pub use store::{PostgresStore, SqliteStore, Store, open_store};
