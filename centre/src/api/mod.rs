//! The HTTP API: the outbox endpoint for devices, and the staff's login and lists.
//!
//! | route | who | answer |
//! |---|---|---|
//! | `GET /api/v1/calls/policy` | a device | the consent screen's facts: recording, answer time, lawyers online |
//! | `GET /api/v1/calls/ws` | a device (`Authorization: Bearer <device token>`) | the video call's WebSocket ([`calls`]) |
//! | `POST /api/v1/outbox` | a device (`Authorization: Bearer <device token>`) | 201 stored, 200 stored before, 400/401/403/409/413 with a reason, 503 storage failed (the kiosk retries) |
//! | `POST /api/v1/login` | staff | `{"token":"…"}` or 401 |
//! | `GET /api/v1/devices`, `/api/v1/complaints`, `/api/v1/ratings` | staff (`Authorization: Bearer <session token>`) | JSON lists or 401 |
//! | `GET /api/v1/reports/{tickets,complaints,ratings,surveys}?from&to[&site][&format=csv]` | staff, or a read-only API token | JSON (tickets also CSV), 400 naming a bad parameter, 401 |
//! | `GET /staff/reports` | staff | the reports page (HTML) |
//! | `GET /api/v1/bookings/today[?day=YYYY-MM-DD]` | a device | its site's bookings of the day (`content::SiteBookings`), `ETag`/`304` |
//! | `GET /api/v1/applications/key` | anyone | the public key applications are sealed to |
//! | `POST /api/v1/applications/{code}` | a device | a sealed application: 201, 200 again, 409, 400/401/403/413, 503 |
//! | `POST /api/v1/applications/lookup` | a device | the statuses of the applications of a sealed ID number |
//! | `POST /api/v1/uploads` | a device | a phone upload opened: 201 `{token, url, expires_in_secs}`, 400 naming the field ([`uploads`]) |
//! | `GET /api/v1/uploads/{token}`, `DELETE …` | the device that opened it | the pages uploaded since the last call, handed over once; 204 closed; 404 unknown, expired or another device's |
//! | `GET /upload/{token}`, `POST /upload/{token}/{paper}` | a phone (the token is the credential) | see `crate::web` |
//! | `GET /api/v1/receipts/{code}` and the staff web app | see `crate::web` (both served by [`crate::server::app`]) | |
//! | `GET /content/…`, `POST /api/v1/content` | kiosks; publishers | the published bundle; an upload ([`content`], merged by [`crate::server::app`]) |
//!
//! Every error is `{"error":"reason"}`.

mod applications;
mod bookings;
mod calls;
pub mod content;
mod error;
mod outbox;
mod reports;
mod staff;
mod uploads;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};

pub use crate::auth::ApiToken;
pub use error::ApiError;
pub use reports::ReportCaller;

use crate::ingest::MAX_BODY_BYTES;
pub use crate::state::{ApiSettings, AppState};

/// The routes of the API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/outbox", post(outbox::receive))
        .route("/api/v1/bookings/today", get(bookings::today))
        .route("/api/v1/calls/ws", get(calls::kiosk_socket))
        .route("/api/v1/calls/policy", get(calls::policy))
        .route("/api/v1/login", post(staff::login))
        .route("/api/v1/devices", get(staff::devices))
        .route("/api/v1/complaints", get(staff::complaints))
        .route("/api/v1/ratings", get(staff::ratings))
        .route("/api/v1/reports/tickets", get(reports::tickets))
        .route("/api/v1/reports/complaints", get(reports::complaints))
        .route("/api/v1/reports/ratings", get(reports::ratings))
        .route("/api/v1/reports/surveys", get(reports::surveys))
        .route("/api/v1/reports/calls", get(reports::calls))
        .route("/api/v1/applications/key", get(applications::key))
        .route("/api/v1/applications/lookup", post(applications::lookup))
        .route("/api/v1/uploads", post(uploads::open))
        .route(
            "/api/v1/uploads/{token}",
            get(uploads::take).delete(uploads::close),
        )
        .merge(reports::page_routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Added after the layer above: this route alone takes bodies up to 48 MiB (and reads its
        // body with that bound itself).
        .route(
            "/api/v1/applications/{code}",
            post(applications::receive).layer(DefaultBodyLimit::max(
                crate::applications::MAX_ENVELOPE_BYTES,
            )),
        )
        .with_state(state)
}
