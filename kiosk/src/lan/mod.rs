//! LAN service: the staff API, staff page, phone status page and event stream.
//!
//! [`LanService`] wraps a [`QueueEngine`] in the HTTP interface of `queue/README.md`; `kiosk
//! serve` (`cli::serve`) runs it headless. Window staff log in with a PIN (argon2, failure budgets,
//! a bounded hashing pool: [`auth`]), kiosks issue tickets with a device token, and everything that
//! changes goes out as Server-Sent Events with replay from the append-only log. Every listener of a
//! device goes through [`server`]: connection limits, header timeouts, optional TLS, the host check
//! and security headers. `SECURITY.md` says what each of these defends against.

mod api;
pub mod auth;

mod demo;
mod error;
mod extract;
mod pages;
pub mod server;

use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use queue::QueueEngine;

pub use crate::config::{DeviceEntry, LanConfig, StaffEntry};
pub use auth::{
    AuthError, DEMO_DEVICE_TOKEN, DEMO_PINS, demo_pad_token, device_token_sha256, hash_pin,
};
pub use server::{ServeOptions, tls::TlsError};

use crate::health::SecurityCounters;
pub use demo::{DATABASE_FILE, demo_config};
pub use error::ApiError;

/// Why the LAN service cannot start.
#[derive(Debug, thiserror::Error)]
pub enum LanSetupError {
    /// PINs, tokens or windows are unusable.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The certificate or key of `[lan.tls]` is unusable.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// How a device serves `[lan] listen`: limits, TLS and allowed hosts from `config`, reporting to
/// `counters`. Used by the queue host and by devices that serve only `/healthz` and `/metrics`.
pub fn serve_options(
    config: &LanConfig,
    counters: Arc<SecurityCounters>,
) -> Result<ServeOptions, TlsError> {
    let tls = match &config.tls {
        Some(tls) => Some(server::tls::acceptor(&tls.cert_file, &tls.key_file)?),
        None => None,
    };
    let hosts = server::HostPolicy::new(
        config.allowed_hosts.iter().cloned().chain(
            config
                .public_url
                .as_deref()
                .and_then(server::headers::url_host),
        ),
    );
    Ok(ServeOptions {
        limits: config.limits,
        tls,
        hosts,
        counters,
    })
}

/// Shared state of the handlers.
#[derive(Debug)]
pub struct LanState {
    engine: Arc<QueueEngine>,
    auth: auth::Auth,
}

/// The LAN service around a queue engine.
#[derive(Debug, Clone)]
pub struct LanService {
    state: Arc<LanState>,
    extra: Option<Router>,
    options: ServeOptions,
}

impl LanService {
    /// Builds the service; fails when `[lan]` is unusable (bad PIN hash, bad token digest,
    /// a staff entry for a window the queue does not have, an unusable certificate).
    pub fn new(engine: Arc<QueueEngine>, config: LanConfig) -> Result<Self, LanSetupError> {
        Self::with_counters(engine, config, Arc::default())
    }

    /// [`LanService::new`] reporting refusals to `counters` (shared with the health routes'
    /// `/metrics`, see `HealthSources::with_security`).
    pub fn with_counters(
        engine: Arc<QueueEngine>,
        config: LanConfig,
        counters: Arc<SecurityCounters>,
    ) -> Result<Self, LanSetupError> {
        let options = serve_options(&config, Arc::clone(&counters))?;
        let auth = auth::Auth::new(&config, counters)?;
        if let Some(w) = auth
            .windows()
            .into_iter()
            .find(|w| engine.config().window(*w).is_none())
        {
            return Err(AuthError::Config(format!(
                "[[lan.staff]] window {w} is not a window of [queue]"
            ))
            .into());
        }
        if let Some(w) = auth
            .device_windows()
            .into_iter()
            .find(|w| engine.config().window(*w).is_none())
        {
            return Err(AuthError::Config(format!(
                "[[lan.devices]] window {w} is not a window of [queue]"
            ))
            .into());
        }
        Ok(Self {
            state: Arc::new(LanState { engine, auth }),
            extra: None,
            options,
        })
    }

    /// The counters of refused logins and connections (give them to the health routes).
    pub fn counters(&self) -> Arc<SecurityCounters> {
        Arc::clone(&self.options.counters)
    }

    /// PIN checks (argon2 evaluations) run so far.
    pub fn pin_checks(&self) -> usize {
        self.state.auth.pin_checks()
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        self.options.scheme()
    }

    /// The queue engine.
    pub fn engine(&self) -> &Arc<QueueEngine> {
        &self.state.engine
    }

    /// Whether the demo PINs or device token are configured.
    pub fn uses_demo_credentials(&self) -> bool {
        self.state.auth.uses_demo_credentials()
    }

    /// Serves `routes` beside the API (the device's `/healthz` and `/metrics`); they must not
    /// have a fallback of their own.
    pub fn with_routes(mut self, routes: Router) -> Self {
        self.extra = Some(routes);
        self
    }

    /// The axum router (serve it with client addresses, see [`LanService::serve`]).
    pub fn router(&self) -> Router {
        let router = api::router(Arc::clone(&self.state));
        match &self.extra {
            Some(extra) => router.merge(extra.clone()),
            None => router,
        }
    }

    /// Serves on `listener` until `shutdown` completes, through the hardened [`server`].
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let router = self.router();
        server::serve(listener, router, self.options, shutdown).await
    }
}
