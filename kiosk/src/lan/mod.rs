//! LAN service: the staff API, staff page, phone status page and event stream.
//!
//! [`LanService`] wraps a [`QueueEngine`] in the HTTP interface of `queue/README.md`; `kiosk
//! serve` (`cli::serve`) runs it headless. Window staff log in with a PIN (argon2, rate
//! limited), kiosks issue tickets with a device token, and everything that changes goes out as
//! Server-Sent Events with replay from the append-only log.

mod api;
pub mod auth;

mod demo;
mod error;
mod extract;
mod pages;

use std::{net::SocketAddr, sync::Arc};

use axum::Router;
use tokio::net::TcpListener;

use queue::QueueEngine;

pub use crate::config::{DeviceEntry, LanConfig, StaffEntry};
pub use auth::{AuthError, DEMO_DEVICE_TOKEN, DEMO_PINS, device_token_sha256, hash_pin};
pub use demo::{DATABASE_FILE, demo_config};
pub use error::ApiError;

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
}

impl LanService {
    /// Builds the service; fails when `[lan]` is unusable (bad PIN hash, bad token digest,
    /// a staff entry for a window the queue does not have).
    pub fn new(engine: Arc<QueueEngine>, config: LanConfig) -> Result<Self, AuthError> {
        let auth = auth::Auth::new(&config)?;
        if let Some(w) = auth
            .windows()
            .into_iter()
            .find(|w| engine.config().window(*w).is_none())
        {
            return Err(AuthError::Config(format!(
                "[[lan.staff]] window {w} is not a window of [queue]"
            )));
        }
        Ok(Self {
            state: Arc::new(LanState { engine, auth }),
            extra: None,
        })
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

    /// Serves on `listener` until `shutdown` completes.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(
            listener,
            self.router()
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}
