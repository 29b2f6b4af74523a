//! The HTTP API: the outbox endpoint for devices, and the staff's login and lists.
//!
//! | route | who | answer |
//! |---|---|---|
//! | `POST /api/v1/outbox` | a device (`Authorization: Bearer <device token>`) | 201 stored, 200 stored before, 400/401/403/409/413 with a reason, 503 storage failed (the kiosk retries) |
//! | `POST /api/v1/login` | staff | `{"token":"…"}` or 401 |
//! | `GET /api/v1/devices`, `/api/v1/complaints`, `/api/v1/ratings` | staff (`Authorization: Bearer <session token>`) | JSON lists or 401 |
//! | `GET /api/v1/reports/{tickets,complaints,ratings,surveys}?from&to[&site][&format=csv]` | staff, or a read-only API token | JSON (tickets also CSV), 400 naming a bad parameter, 401 |
//! | `GET /staff/reports` | staff | the reports page (HTML) |
//!
//! Every error is `{"error":"reason"}`.

mod error;
mod outbox;
mod reports;
mod staff;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};
use clock::WallClock;
use tokio::sync::Semaphore;

pub use error::ApiError;
pub use reports::{ApiToken, ReportCaller};

pub(crate) use staff::check_password;

use crate::{
    ingest::MAX_BODY_BYTES,
    store::Store,
    web::{WebSettings, WebState},
};

/// Settings of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiSettings {
    /// A device is online when its last heartbeat arrived at most this long ago.
    pub online_window: Duration,
    /// How long a staff session lasts.
    pub session_ttl: Duration,
    /// Password checks (argon2, about 20 ms of CPU and 19 MiB each) running at once; more wait.
    pub password_checks: usize,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            online_window: Duration::from_secs(1800),
            session_ttl: Duration::from_secs(12 * 3600),
            password_checks: 2,
        }
    }
}

/// What the handlers share. Clone freely.
#[derive(Clone)]
pub struct AppState {
    store: Arc<dyn Store>,
    clock: Arc<dyn WallClock>,
    settings: ApiSettings,
    password_checks: Arc<Semaphore>,
    web: Arc<WebState>,
    /// Read-only tokens of the reports API (`[[api_tokens]]`).
    api_tokens: Arc<[ApiToken]>,
}

impl AppState {
    /// The state over `store`, reading time from `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn WallClock>, settings: ApiSettings) -> Self {
        Self {
            store,
            clock,
            password_checks: Arc::new(Semaphore::new(settings.password_checks.max(1))),
            settings,
            web: Arc::new(WebState::default()),
            api_tokens: Arc::from(Vec::new()),
        }
    }

    /// The same state with the web app's `settings`.
    pub fn with_web(mut self, settings: WebSettings) -> Self {
        self.web = WebState::new(settings);
        self
    }

    /// The web app's state.
    pub fn web(&self) -> &Arc<WebState> {
        &self.web
    }

    /// The current time by the injected clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// How long a staff session lasts.
    pub fn session_ttl(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.session_ttl).unwrap_or(chrono::Duration::hours(12))
    }

    /// The API's settings.
    pub fn settings(&self) -> &ApiSettings {
        &self.settings
    }

    /// The same state with these read-only API tokens of the reports (`[[api_tokens]]`).
    #[must_use]
    pub fn with_api_tokens(mut self, tokens: Vec<ApiToken>) -> Self {
        self.api_tokens = Arc::from(tokens);
        self
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The routes of the API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/outbox", post(outbox::receive))
        .route("/api/v1/login", post(staff::login))
        .route("/api/v1/devices", get(staff::devices))
        .route("/api/v1/complaints", get(staff::complaints))
        .route("/api/v1/ratings", get(staff::ratings))
        .route("/api/v1/reports/tickets", get(reports::tickets))
        .route("/api/v1/reports/complaints", get(reports::complaints))
        .route("/api/v1/reports/ratings", get(reports::ratings))
        .route("/api/v1/reports/surveys", get(reports::surveys))
        .merge(crate::web::routes())
        .merge(reports::page_routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
