//! What the public lookups share (a complaint's receipt code `T-…`, an application's tracking code
//! `S-…`): the caller's address for the per-address limit, why a lookup has no answer, and the 429
//! answer with `Retry-After`.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::ConnectInfo,
    http::{Extensions, HeaderValue, StatusCode, header},
    response::Response,
};

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
