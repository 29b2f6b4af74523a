//! The hardened HTTP server of every device's `[lan] listen`: the staff API and pages on the queue
//! host, `/healthz` and `/metrics` everywhere.
//!
//! `axum::serve` has no connection limit and no header timeout: 1,100 half-open requests exhausted
//! the 1,024 file descriptors and `/healthz` stopped answering. This accept loop
//! - bounds connections in all and per address ([`ConnectionLimits`]), closing extra ones at once;
//! - gives each connection `header_timeout` to send its request headers, which also closes idle
//!   keep-alive connections (hyper restarts the timer whenever it waits for a new request), and the
//!   same to finish a TLS handshake;
//! - serves HTTPS when `[lan.tls]` is set ([`tls`]);
//! - refuses requests naming a foreign `Host` and adds the pages' security headers ([`headers`]);
//! - survives `accept` errors such as EMFILE (waits for a connection to close instead of spinning).

mod connections;
pub mod headers;
pub mod tls;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{Router, extract::ConnectInfo, http::Request};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::conn::auto,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::watch};
use tower::ServiceExt as _;

pub use connections::{ConnectionLimits, Slot};
pub use headers::HostPolicy;

use crate::{config::LanLimits, health::SecurityCounters};

/// How a listener serves: limits, TLS, allowed hosts and the counters it reports to.
#[derive(Clone)]
pub struct ServeOptions {
    /// Connection limits and the header timeout.
    pub limits: LanLimits,
    /// HTTPS when set.
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// Which `Host` headers are answered.
    pub hosts: HostPolicy,
    /// Where refusals are counted.
    pub counters: Arc<SecurityCounters>,
}

impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions")
            .field("limits", &self.limits)
            .field("tls", &self.tls.is_some())
            .field("hosts", &self.hosts)
            .finish_non_exhaustive()
    }
}

impl ServeOptions {
    /// Plain HTTP with the default limits, any IP or `localhost` host, fresh counters.
    pub fn plain() -> Self {
        Self {
            limits: LanLimits::default(),
            tls: None,
            hosts: HostPolicy::default(),
            counters: Arc::default(),
        }
    }

    /// The URL scheme these options serve.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }
}

/// Serves `router` on `listener` until `shutdown` completes; then stops accepting and waits for the
/// open connections to finish (at most `header_timeout` for idle ones).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = headers::secure(router, options.hosts.clone(), Arc::clone(&options.counters));
    let limits = ConnectionLimits::new(
        options.limits.max_connections,
        options.limits.max_connections_per_source,
    );
    let header_timeout = Duration::from_millis(options.limits.header_timeout_ms.max(1));
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
                // EMFILE and friends: the descriptors come back as connections close. Wait for one
                // to end (or a moment, when none is ours) instead of spinning on the error.
                tracing::warn!("LAN accept failed: {err}");
                if tasks.join_next().await.is_none() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                continue;
            }
        };
        let Some(slot) = limits.admit(remote.ip()) else {
            options.counters.connection_refused();
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let tls = options.tls.clone();
        let counters = Arc::clone(&options.counters);
        let stop = stop_rx.clone();
        tasks.spawn(async move {
            counters.connection_opened();
            serve_connection(stream, remote, router, tls, header_timeout, &counters, stop).await;
            counters.connection_closed();
            drop(slot);
        });
    }
    let _ = stop_tx.send(true);
    drop(listener);
    while tasks.join_next().await.is_some() {}
    Ok(())
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    remote: SocketAddr,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    header_timeout: Duration,
    counters: &SecurityCounters,
    stop: watch::Receiver<bool>,
) {
    let service = TowerToHyperService::new(router.map_request(move |req: Request<Incoming>| {
        let mut req = req.map(axum::body::Body::new);
        req.extensions_mut().insert(ConnectInfo(remote));
        req
    }));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let builder = builder.http1_only();
    match tls {
        None => run(&builder, TokioIo::new(stream), service, counters, stop).await,
        Some(acceptor) => {
            match tokio::time::timeout(header_timeout, acceptor.accept(stream)).await {
                Ok(Ok(tls_stream)) => {
                    run(&builder, TokioIo::new(tls_stream), service, counters, stop).await;
                }
                Ok(Err(err)) => tracing::debug!("TLS handshake with {remote} failed: {err}"),
                Err(_) => counters.connection_timed_out(),
            }
        }
    }
}

async fn run<I, S>(
    builder: &auto::Builder<TokioExecutor>,
    io: I,
    service: S,
    counters: &SecurityCounters,
    mut stop: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::Service<Request<Incoming>, Response = axum::response::Response>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let conn = builder.serve_connection_with_upgrades(io, service);
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
                if err.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_timeout) {
                    counters.connection_timed_out();
                }
                tracing::debug!("LAN connection ended: {err}");
            }
        }
        () = stopped => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
