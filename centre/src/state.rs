//! What the handlers of the API and the web app share: [`AppState`] (store, clock, settings, the
//! password check) with the web app's settings and state ([`WebSettings`], [`WebState`]).

use std::{sync::Arc, time::Duration};

use clock::WallClock;
use tokio::sync::{Notify, Semaphore};

use crate::{
    alert_rules::AlertRules,
    auth::{DEMO_PASSWORD_HASH, verify_password},
    calendar::WorkingDays,
    error::StoreError,
    login_budget::LoginBudget,
    rate_limit::RateLimiter,
    store::{StaffAccount, Store},
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
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn WallClock>,
    pub(crate) settings: ApiSettings,
    password_checks: Arc<Semaphore>,
    login_budget: Arc<std::sync::Mutex<LoginBudget>>,
    web: Arc<WebState>,
    /// Read-only tokens of the reports API (`[[api_tokens]]`).
    pub(crate) api_tokens: Arc<[crate::auth::ApiToken]>,
    /// The booking calendars, rules and keys.
    bookings: Arc<crate::booking_rules::BookingSettings>,
    /// The live video calls.
    calls: crate::calls::CallHub,
    /// Where citizens' phones reach this centre (`public_url`, else `[calls] public_url`): the
    /// base of the advice's and the phone upload's links.
    public_url: Option<Arc<str>>,
    /// Whether the calls' one-second tick runs.
    call_ticker: Arc<std::sync::atomic::AtomicBool>,
    /// The key applications are sealed to; none: applications are refused (503).
    application_keys: Option<Arc<crate::applications::ApplicationKeys>>,
    /// Applications opened lately for the staff pages.
    opened_applications: Arc<crate::applications::OpenedApplications>,
    /// Envelopes read and checked at once ([`crate::applications::intake::MAX_CHECKS_AT_ONCE`]).
    intake_permits: Arc<Semaphore>,
    /// The phone uploads' sessions, in memory only.
    uploads: crate::uploads::UploadSessions,
}

impl AppState {
    /// The state over `store`, reading time from `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn WallClock>, settings: ApiSettings) -> Self {
        Self {
            store,
            password_checks: Arc::new(Semaphore::new(settings.password_checks.max(1))),
            login_budget: Arc::default(),
            settings,
            web: Arc::new(WebState::default()),
            api_tokens: Arc::from(Vec::new()),
            bookings: Arc::new(crate::booking_rules::BookingSettings::none()),
            calls: crate::calls::CallHub::new(crate::calls::Roster::default(), Arc::clone(&clock)),
            public_url: None,
            call_ticker: Arc::default(),
            application_keys: None,
            opened_applications: Arc::default(),
            intake_permits: Arc::new(Semaphore::new(
                crate::applications::intake::MAX_CHECKS_AT_ONCE,
            )),
            uploads: crate::uploads::UploadSessions::default(),
            clock,
        }
    }

    /// The same state taking applications sealed to `keys`.
    #[must_use]
    pub fn with_applications(mut self, keys: crate::applications::ApplicationKeys) -> Self {
        self.application_keys = Some(Arc::new(keys));
        self
    }

    /// A turn to read and check an envelope: at most
    /// [`crate::applications::intake::MAX_CHECKS_AT_ONCE`] at once, so a fleet delivering together
    /// after an outage cannot hold more than a few envelopes (up to 48 MiB each, opened and unpacked
    /// in memory) at a time; the others wait with their bodies unread.
    pub(crate) async fn intake_turn(
        &self,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, StoreError> {
        Arc::clone(&self.intake_permits)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Task("shutting down".into()))
    }

    /// The key applications are sealed to, when this centre takes applications.
    pub fn application_keys(&self) -> Option<&Arc<crate::applications::ApplicationKeys>> {
        self.application_keys.as_ref()
    }

    /// The stored application `code` opened in memory (kept a short while for the next request of
    /// the same staff page, [`crate::applications::opened`]); none when there is no such
    /// application.
    pub async fn opened_application(
        &self,
        code: &::applications::TrackingCode,
    ) -> Result<Option<Arc<::applications::Application>>, crate::applications::OpenError> {
        self.opened_applications
            .get(
                self.store.as_ref(),
                self.application_keys.as_ref(),
                code,
                self.clock.now(),
            )
            .await
    }

    /// The same state with the video calls routed by `roster`; `public_url`, when given, is
    /// [`Self::with_public_url`]'s (the older `[calls] public_url`).
    #[must_use]
    pub fn with_calls(mut self, roster: crate::calls::Roster, public_url: Option<String>) -> Self {
        self.calls = crate::calls::CallHub::new(roster, Arc::clone(&self.clock));
        if public_url.is_some() {
            self = self.with_public_url(public_url);
        }
        self
    }

    /// The same state with phones reaching this centre at `public_url` (`https://centre.example`,
    /// a trailing `/` dropped): the start of the advice's and the phone upload's links; none: the
    /// address each request used ([`Self::public_base`]).
    #[must_use]
    pub fn with_public_url(mut self, public_url: Option<String>) -> Self {
        self.public_url = public_url.map(|url| Arc::from(url.trim_end_matches('/')));
        self
    }

    /// The phone uploads' sessions.
    pub fn uploads(&self) -> &crate::uploads::UploadSessions {
        &self.uploads
    }

    /// The same state with these bounds of the phone uploads (tests use small ones).
    #[must_use]
    pub fn with_upload_limits(mut self, limits: crate::uploads::UploadLimits) -> Self {
        self.uploads = crate::uploads::UploadSessions::new(limits);
        self
    }

    /// The live video calls.
    pub fn calls(&self) -> &crate::calls::CallHub {
        &self.calls
    }

    /// `public_url` (else `[calls] public_url`), when configured.
    pub fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    /// Where citizens' phones reach this centre's pages: [`Self::public_url`], else the scheme this
    /// server runs (`https` when its cookies are `Secure`, as with `[tls]`) and the request's `Host`
    /// (`localhost` when it is missing or not a plain host name).
    pub fn public_base(&self, headers: &axum::http::HeaderMap) -> String {
        if let Some(url) = self.public_url() {
            return url.to_owned();
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .unwrap_or("localhost");
        let scheme = if self.web().settings.secure_cookies {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{host}")
    }

    /// Starts the calls' one-second tick (expiring unanswered calls, refreshing screens) once, on
    /// the current runtime; it stops when the hub is dropped.
    pub fn start_call_ticker(&self) {
        if self
            .call_ticker
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        let hub = self.calls.downgrade();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                match hub.upgrade() {
                    Some(hub) => hub.tick(),
                    None => return,
                }
            }
        });
    }

    /// The same state with these booking calendars and keys.
    #[must_use]
    pub fn with_bookings(mut self, bookings: crate::booking_rules::BookingSettings) -> Self {
        self.bookings = Arc::new(bookings);
        self
    }

    /// The booking calendars, rules and keys.
    pub fn bookings(&self) -> &crate::booking_rules::BookingSettings {
        &self.bookings
    }

    /// The same state with these read-only API tokens of the reports (`[[api_tokens]]`).
    #[must_use]
    pub fn with_api_tokens(mut self, tokens: Vec<crate::auth::ApiToken>) -> Self {
        self.api_tokens = Arc::from(tokens);
        self
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

impl AppState {
    /// Checks a login: the account whose password is `password`, a refusal, or a lock when the
    /// account has taken too many wrong passwords lately ([`crate::login_budget`]; the password is then
    /// not checked at all). An unknown user costs the same hashing as a wrong password, so timing does
    /// not tell them apart; at most `password_checks` run at once.
    pub async fn try_login(&self, user: &str, password: String) -> Result<LoginCheck, StoreError> {
        let now = self.clock.now();
        if let Some(until) = self.budget().locked_until(user, now) {
            return Ok(LoginCheck::Locked { until });
        }
        let account = self.store.staff(user.to_owned()).await?;
        let phc = account
            .as_ref()
            .map_or(DEMO_PASSWORD_HASH.to_owned(), |a| a.password_hash.clone());
        let permit = self
            .password_checks
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Task("shutting down".into()))?;
        let matches = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            verify_password(&password, &phc)
        })
        .await
        .map_err(|err| StoreError::Task(format!("password check failed: {err}")))?;
        Ok(match account.filter(|_| matches) {
            Some(account) => {
                self.budget().succeeded(user);
                LoginCheck::Accepted(account)
            }
            None => {
                self.budget().failed(user, now);
                LoginCheck::Refused
            }
        })
    }

    fn budget(&self) -> std::sync::MutexGuard<'_, LoginBudget> {
        self.login_budget
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

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
    /// Booking actions (book, cancel, move, code lookups) allowed per client IP address and minute
    /// on the public booking pages.
    pub booking_actions_per_minute: u32,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            deadline_working_days: 15,
            working_days: WorkingDays::default(),
            alert_rules: AlertRules::default(),
            secure_cookies: false,
            receipt_lookups_per_minute: 10,
            booking_actions_per_minute: 20,
        }
    }
}

/// The web app's shared state: its settings and its mutable parts.
#[derive(Debug, Default)]
pub struct WebState {
    /// The settings.
    pub settings: WebSettings,
    /// Receipt lookups per client address.
    pub(crate) limiter: RateLimiter,
    /// Booking actions per client address.
    pub(crate) booking_limiter: RateLimiter,
    /// Woken when a heartbeat arrives: the alert task evaluates the rules.
    pub(crate) heartbeats: Notify,
}

impl WebState {
    /// The state with `settings`.
    pub fn new(settings: WebSettings) -> Arc<Self> {
        Arc::new(Self {
            settings,
            ..Self::default()
        })
    }

    /// Tells the alert task (`web::run_alerts`) that a heartbeat arrived.
    pub fn heartbeat_arrived(&self) {
        self.heartbeats.notify_one();
    }
}

/// The outcome of [`AppState::try_login`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginCheck {
    /// The password is right.
    Accepted(StaffAccount),
    /// Wrong user or password.
    Refused,
    /// Too many wrong passwords for this account lately: not checked; try again at `until`.
    Locked {
        /// When the account may try again.
        until: chrono::DateTime<chrono::Utc>,
    },
}

impl LoginCheck {
    /// Seconds until a locked account may try again (at least 1).
    pub fn retry_after_secs(
        until: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> i64 {
        (until - now).num_seconds().max(1)
    }
}
