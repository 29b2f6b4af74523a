//! `GET /healthz`, `GET /metrics` and, with a simulated board, `POST /board/sim/{presence,help}`.

use std::net::SocketAddr;

use axum::{
    Json, Router,
    extract::{ConnectInfo, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

use super::{HealthSnapshot, HealthSources, metrics};
use crate::board::SimBoardControls;

/// The `/healthz` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthzBody {
    /// `ok` or `unhealthy`.
    pub status: String,
    /// Why not healthy (empty when healthy).
    pub problems: Vec<String>,
    /// Every fact.
    pub snapshot: HealthSnapshot,
}

#[derive(Clone)]
struct HealthState {
    sources: HealthSources,
    sim: Option<SimBoardControls>,
}

/// The health routes over `sources`; the board simulation routes when `sim` is given (accepted from
/// loopback clients only). Serve with client addresses (`into_make_service_with_connect_info`).
pub fn routes(sources: HealthSources, sim: Option<SimBoardControls>) -> Router {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text));
    let router = if sim.is_some() {
        router
            .route("/board/sim/presence", post(sim_presence))
            .route("/board/sim/help", post(sim_help))
    } else {
        router
    };
    router.with_state(HealthState { sources, sim })
}

async fn snapshot(state: &HealthState) -> Result<HealthSnapshot, Response> {
    let sources = state.sources.clone();
    tokio::task::spawn_blocking(move || sources.snapshot())
        .await
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response())
}

async fn healthz(State(state): State<HealthState>) -> Response {
    let snapshot = match snapshot(&state).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let problems = snapshot.problems();
    let code = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = HealthzBody {
        status: if problems.is_empty() {
            "ok"
        } else {
            "unhealthy"
        }
        .to_owned(),
        problems,
        snapshot,
    };
    (code, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

async fn metrics_text(State(state): State<HealthState>) -> Response {
    match snapshot(&state).await {
        Ok(s) => {
            let mut text = metrics::render(&s);
            if let Some(security) = state.sources.security() {
                text.push_str(&security.render());
            }
            (
                [
                    (header::CONTENT_TYPE, metrics::CONTENT_TYPE),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                text,
            )
                .into_response()
        }
        Err(r) => r,
    }
}

/// `POST /board/sim/presence` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresenceBody {
    present: bool,
}

/// Refuses a client that is not on this device.
fn refuse_remote(addr: SocketAddr) -> Option<Response> {
    (!addr.ip().is_loopback()).then(|| {
        (
            StatusCode::FORBIDDEN,
            "the simulated board is driven from the device itself only",
        )
            .into_response()
    })
}

async fn sim_presence(
    State(state): State<HealthState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(body): Json<PresenceBody>,
) -> Response {
    if let Some(refused) = refuse_remote(addr) {
        return refused;
    }
    if let Some(sim) = &state.sim {
        sim.set_presence(body.present);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn sim_help(
    State(state): State<HealthState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
) -> Response {
    if let Some(refused) = refuse_remote(addr) {
        return refused;
    }
    if let Some(sim) = &state.sim {
        sim.press_help();
    }
    StatusCode::NO_CONTENT.into_response()
}
