//! What the public lookups share (a complaint's receipt code `T-…`, an application's tracking code
//! `S-…`): the caller's address for the per-address limit, why a lookup has no answer, and the 429
//! answer with `Retry-After`.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::ConnectInfo,
    http::{Extensions, HeaderValue, StatusCode, header},
    response::{IntoResponse as _, Response},
};
use serde::Serialize;

use crate::error::StoreError;

/// Why a lookup has no status.
pub(super) enum LookupError {
    /// Not a code of this kind.
    Malformed,
    /// No such code.
    Unknown,
    /// Too many lookups from this address: retry after this many seconds.
    Limited(u64),
    /// The store failed.
    Store(StoreError),
}

/// The caller's address, when the server recorded it.
pub(super) fn client_ip(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// `body` as a 429 answer with `Retry-After: retry_after`.
pub(super) fn too_many(retry_after: u64, body: Response) -> Response {
    let mut response = body;
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The JSON answer of a lookup (`GET /api/v1/receipts/{code}`, `GET /api/v1/applications/{code}/status`):
/// the status, or `{"error": …}` with 400 (`malformed`), 404 (`unknown`), 429 with `Retry-After`, or
/// 503.
pub(super) fn json_answer<T: Serialize>(
    result: Result<T, LookupError>,
    malformed: &str,
    unknown: &str,
) -> Response {
    let error = |status: StatusCode, reason: &str| {
        (status, axum::Json(serde_json::json!({ "error": reason }))).into_response()
    };
    match result {
        Ok(status) => axum::Json(status).into_response(),
        Err(LookupError::Malformed) => error(StatusCode::BAD_REQUEST, malformed),
        Err(LookupError::Unknown) => error(StatusCode::NOT_FOUND, unknown),
        Err(LookupError::Limited(secs)) => too_many(
            secs,
            error(
                StatusCode::TOO_MANY_REQUESTS,
                "too many lookups from this address, try again later",
            ),
        ),
        Err(LookupError::Store(err)) => {
            tracing::error!("storage: {err}");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage unavailable, try again later",
            )
        }
    }
}
