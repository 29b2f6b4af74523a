//! The staff web app: server-rendered HTML pages (no JavaScript framework, no external resources: the
//! centre's network may be offline), one embedded style sheet, Chinese first and English second.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /staff` | staff | to the fleet |
//! | `GET/POST /staff/login`, `POST /staff/logout` | anyone / staff | the session cookie |
//! | `GET /staff/fleet` | staff | devices by township and site |
//! | `GET /staff/style.css` | anyone | the style sheet |
//!
//! Building blocks for pages: [`layout`] (the shell), [`esc`] (escaping), [`StaffUser`] (the
//! logged-in user, roles, site scope, CSRF), [`WebError`] (error pages).

mod fleet;
mod html;
mod layout;
mod login;
mod session;

use std::sync::Arc;

use axum::{
    Router,
    http::{HeaderValue, header},
    middleware,
    response::Response,
    routing::{get, post},
};

pub use html::{esc, table, url_value};
pub use layout::{Nav, layout};
pub use session::{StaffUser, WebError, csrf_token, role_label};

use crate::{alert_rules::AlertRules, api::AppState, calendar::WorkingDays};

/// Settings of the web app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSettings {
    /// Working days a complaint has for its reply.
    pub deadline_working_days: u32,
    /// Which days are working days.
    pub working_days: WorkingDays,
    /// The alert rules.
    pub alert_rules: AlertRules,
    /// Mark the session cookie `Secure` (set when the centre is served over TLS).
    pub secure_cookies: bool,
    /// Receipt lookups allowed per client IP address and minute.
    pub receipt_lookups_per_minute: u32,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            deadline_working_days: 15,
            working_days: WorkingDays::default(),
            alert_rules: AlertRules::default(),
            secure_cookies: false,
            receipt_lookups_per_minute: 10,
        }
    }
}

/// The web app's shared state: its settings and its mutable parts.
#[derive(Debug, Default)]
pub struct WebState {
    /// The settings.
    pub settings: WebSettings,
}

impl WebState {
    /// The state with `settings`.
    pub fn new(settings: WebSettings) -> Arc<Self> {
        Arc::new(Self { settings })
    }
}

/// The web app's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff", get(login::home))
        .route("/staff/", get(login::home))
        .route("/staff/login", get(login::form).post(login::submit))
        .route("/staff/logout", post(login::logout))
        .route("/staff/style.css", get(login::style))
        .route("/staff/fleet", get(fleet::page))
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
