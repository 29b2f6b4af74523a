//! The staff web app: server-rendered HTML pages (no JavaScript framework, no external resources: the
//! centre's network may be offline), one embedded style sheet, Chinese first and English second.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /staff` | staff | to the fleet |
//! | `GET/POST /staff/login`, `POST /staff/logout` | anyone / staff | the session cookie |
//! | `GET /staff/fleet` | staff | devices by township and site |
//! | `GET /staff/alerts`, `POST /staff/alerts/{id}/{ack,close}` | staff | alerts |
//! | `GET /staff/summary[?format=text]` | staff | the technician's daily summary |
//! | `GET /staff/complaints[?status=&site=]`, `GET /staff/complaints/{key}` | staff | the inbox and a case |
//! | `POST /staff/complaints/{key}/{assign,reply,close,contact}` | staff | a case's steps; the full number |
//! | `GET /staff/applications[?state=&site=]`, `GET /staff/applications/{code}` | staff | applications made at the kiosk: the inbox, one application opened (audited) |
//! | `GET /staff/applications/{code}/pages/{n}`, `…/signature`, `POST …/decide` | staff | its pages and signature; a decision (audited) |
//! | `GET /staff/ratings`, `POST /staff/ratings/return-call` | staff | ratings and return calls |
//! | `GET /staff/audit` | administrators | the audit log |
//! | `GET /staff/calls`, `/staff/calls.js`, `/staff/calls/ws` | lawyers, supervisors, administrators | the video call console and its WebSocket |
//! | `POST /staff/calls/callbacks/{id}/{reveal,done}` | lawyers, supervisors, administrators | a call-back's full number (audited); marking it done (audited) |
//! | `GET /advice/{token}` | anyone with the link | a lawyer's advice summary (the QR printed after a call) |
//! | `GET /upload/{token}`, `GET /upload.js` | anyone with the link (the kiosk's QR code) | the phone upload page: the papers, a file input and an upload button each; 404 expired ([`upload_page`]) |
//! | `POST /upload/{token}/{paper}` | anyone with the link; body a JPEG or PNG photo (at most 12 MiB) | 201 `{"paper","count"}`; 400 not a photo or no such paper, 404 expired, 413, 429, 503 |
//! | `GET /staff/bookings[?site=&day=&service=]`, `POST /staff/bookings`, `POST /staff/bookings/{code}/cancel` | staff | a day's bookings; booking for a citizen; cancelling (audited) |
//! | `GET/POST /book…` | anyone (POSTs rate-limited) | the citizen's booking pages ([`book`]) |
//! | `GET /api/v1/receipts/{code}`, `GET /status[?code=]` | anyone (rate-limited) | a complaint's status by receipt code; the page also an application's by tracking code |
//! | `GET /api/v1/applications/{code}/status` | anyone (rate-limited with the receipts) | an application's status (no personal data) |
//! | `GET /staff/style.css` | anyone | the style sheet |
//!
//! A manager sees only their own site: every list is filtered and another site's item answers 404.
//!
//! Building blocks for pages: [`layout`] (the shell), [`esc`] (escaping), [`StaffUser`] (the
//! logged-in user, roles, site scope, CSRF), [`WebError`] (error pages).

mod alerts;
mod application_status;
mod applications;
mod audit_page;
mod book;
mod bookings;
mod calls;
mod case_rules;
mod complaints;
mod fleet;
mod layout;
mod login;
mod public_lookup;
mod ratings;
mod receipts;
mod session;
mod time_fmt;
mod upload_page;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderValue, header},
    middleware,
    response::Response,
    routing::{get, post},
};

use crate::html;
pub use crate::html::{esc, table, url_value};
pub use alerts::{evaluate_now, run_alerts};
pub use case_rules::{CaseKind, text_without_mark};
pub use layout::{Nav, layout};
pub use ratings::{LOW_SCORE, RATING_REASON_LABELS};
pub use receipts::{ReceiptStatus, parse_code};
pub use session::{StaffUser, WebError, csrf_token, role_label};
pub use time_fmt::local_minute;

use crate::state::AppState;
pub use crate::state::{WebSettings, WebState};

/// The largest form accepted.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The web app's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff", get(login::home))
        .route("/staff/", get(login::home))
        .route("/staff/login", get(login::form).post(login::submit))
        .route("/staff/logout", post(login::logout))
        .route("/staff/style.css", get(login::style))
        .route("/staff/fleet", get(fleet::page))
        .route("/staff/alerts", get(alerts::page))
        .route("/staff/alerts/{id}/{action}", post(alerts::act))
        .route("/staff/summary", get(alerts::summary))
        .route("/staff/complaints", get(complaints::list))
        .route("/staff/complaints/{key}", get(complaints::detail))
        .route("/staff/complaints/{key}/{action}", post(complaints::act))
        .route("/staff/applications", get(applications::list))
        .route("/staff/applications/{code}", get(applications::detail))
        .route(
            "/staff/applications/{code}/pages/{n}",
            get(applications::page_image),
        )
        .route(
            "/staff/applications/{code}/signature",
            get(applications::signature),
        )
        .route(
            "/staff/applications/{code}/decide",
            post(applications::decide),
        )
        .route("/staff/ratings", get(ratings::page))
        .route("/staff/ratings/return-call", post(ratings::return_call))
        .route("/staff/audit", get(audit_page::page))
        .route("/staff/calls", get(calls::page))
        .route("/staff/calls.js", get(calls::script))
        .route("/staff/calls/ws", get(calls::console_socket))
        .route(
            "/staff/calls/callbacks/{id}/{action}",
            post(calls::callback_action),
        )
        .route("/advice/{token}", get(calls::advice))
        .route("/upload/{token}", get(upload_page::page))
        .route("/upload.js", get(upload_page::script))
        .route(
            "/staff/bookings",
            get(bookings::page).post(bookings::create),
        )
        .route("/staff/bookings/{code}/cancel", post(bookings::cancel))
        .route("/book", get(book::steps).post(book::submit))
        .route("/book/code", get(book::by_code))
        .route("/book/b/{token}", get(book::manage))
        .route("/book/b/{token}/cancel", post(book::cancel))
        .route(
            "/book/b/{token}/move",
            get(book::move_form).post(book::move_submit),
        )
        .route("/status", get(receipts::page))
        .route("/api/v1/receipts/{code}", get(receipts::api))
        .route(
            "/api/v1/applications/{code}/status",
            get(application_status::api),
        )
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        // Added after the layer above: this route alone takes bodies up to 12 MiB (and reads its body
        // with that bound itself).
        .route(
            "/upload/{token}/{paper}",
            post(upload_page::photo).layer(DefaultBodyLimit::max(crate::uploads::MAX_PHOTO_BYTES)),
        )
        .layer(middleware::map_response(page_headers))
}

/// Headers of every page: no framing, only this origin's resources, no caching of personal data,
/// no referrer leaving the centre.
pub(crate) async fn page_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
