//! Serving the API on a TCP listener, over plain HTTP or HTTPS ([`crate::tls`]).

use std::{future::Future, net::SocketAddr, time::Duration};

use axum::{Router, extract::ConnectInfo, http::Request, serve::ListenerExt as _};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::conn::auto,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::watch};
use tower::ServiceExt as _;

use crate::{
    api::{AppState, content::ContentService, router},
    error::StartError,
};

/// How long a connection may take for its TLS handshake, and for each request's headers (this also
/// closes idle keep-alive connections).
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// Every route: the API ([`router`]) and the staff web app with the public receipt lookup
/// ([`crate::web::routes`]).
pub fn app(state: AppState) -> Router {
    router(state.clone()).merge(crate::web::routes().with_state(state))
}

/// Every route of [`app`] and the content routes ([`crate::api::content::router`]): `/content/` and
/// the publishers' uploads.
pub fn app_with_content(state: AppState, content: ContentService) -> Router {
    app(state).merge(crate::api::content::router(content))
}

/// Serves the API on `listener` until `shutdown` completes (in-flight requests are finished first).
/// Accepted sockets get `TCP_NODELAY`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    serve_app(listener, app(state), None, shutdown).await
}

/// Serves `app` on `listener`, over HTTPS when `tls` is given, until `shutdown` completes (in-flight
/// requests are finished first). Accepted sockets get `TCP_NODELAY`; handlers know the client's
/// address (`ConnectInfo<SocketAddr>`, used by the receipt lookup's rate limit).
pub async fn serve_app(
    listener: TcpListener,
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let addr = listener
        .local_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    let Some(tls) = tls else {
        let listener = listener.tap_io(|tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::debug!("TCP_NODELAY: {err}");
            }
        });
        return axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| StartError::Listen { addr, source });
    };
    // HTTPS: an accept loop of our own (axum::serve has no TLS), as the kiosk's LAN service has.
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
        };
        let (stream, remote) = match accepted {
            Ok(pair) => pair,
            Err(err) => {
                // EMFILE and friends: wait for a connection to end instead of spinning on the error.
                tracing::warn!("accept on {addr} failed: {err}");
                if tasks.join_next().await.is_none() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                continue;
            }
        };
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY: {err}");
        }
        let (app, tls, stop) = (app.clone(), tls.clone(), stop_rx.clone());
        tasks.spawn(async move {
            match tokio::time::timeout(HEADER_TIMEOUT, tls.accept(stream)).await {
                Ok(Ok(stream)) => {
                    serve_connection(TokioIo::new(stream), remote, app, stop).await;
                }
                Ok(Err(err)) => tracing::debug!("TLS handshake with {remote} failed: {err}"),
                Err(_) => tracing::debug!("TLS handshake with {remote} timed out"),
            }
        });
    }
    let _ = stop_tx.send(true);
    drop(listener);
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Serves one connection (HTTP/1.1 or HTTP/2) until it ends, or gracefully once `stop` turns true.
async fn serve_connection<I>(
    io: I,
    remote: SocketAddr,
    app: Router,
    mut stop: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = TowerToHyperService::new(app.map_request(move |request: Request<Incoming>| {
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(ConnectInfo(remote));
        request
    }));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let conn = builder.serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    let stopped = async move {
        loop {
            if *stop.borrow_and_update() {
                return;
            }
            if stop.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(err) = result {
                tracing::debug!("connection ended: {err}");
            }
        }
        () = stopped => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
