//! Serving the API on a TCP listener.

use std::future::Future;

use axum::{Router, serve::ListenerExt as _};
use tokio::net::TcpListener;

use crate::{
    api::{AppState, router},
    error::StartError,
};

/// Every route: the API ([`router`]) and the staff web app with the public receipt lookup
/// ([`crate::web::routes`]).
pub fn app(state: AppState) -> Router {
    router(state.clone()).merge(crate::web::routes().with_state(state))
}

/// Serves the API on `listener` until `shutdown` completes (in-flight requests are finished first).
/// Accepted sockets get `TCP_NODELAY`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let addr = listener
        .local_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY: {err}");
        }
    });
    // The client's address is known to handlers (the receipt lookup's rate limit).
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(|source| StartError::Listen { addr, source })
}
