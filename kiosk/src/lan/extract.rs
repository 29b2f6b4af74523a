//! Request extractors that answer malformed input with JSON errors.

use std::sync::Arc;

use axum::{
    extract::{FromRequest, FromRequestParts, Path, Request, rejection::JsonRejection},
    http::{header, request::Parts},
};
use serde::de::DeserializeOwned;

use super::{ApiError, LanState};

/// A JSON body; a malformed one is a 400 with a JSON error naming the problem.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(e) => Err(json_rejection(&e)),
        }
    }
}

fn json_rejection(e: &JsonRejection) -> ApiError {
    let msg = match e {
        JsonRejection::MissingJsonContentType(_) => {
            "请求需为 JSON / expected Content-Type: application/json".to_owned()
        }
        other => format!("请求内容无效 / invalid request body: {}", other.body_text()),
    };
    ApiError::bad_request(msg)
}

/// An optional JSON body: an empty body gives the default.
#[derive(Debug)]
pub(crate) struct OptionalJson<T>(pub(crate) T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        serde_json::from_slice(&bytes)
            .map(Self)
            .map_err(|e| ApiError::bad_request(format!("请求内容无效 / invalid request body: {e}")))
    }
}

/// A path parameter; a malformed one is a 400 with a JSON error.
#[derive(Debug)]
pub(crate) struct ApiPath<T>(pub(crate) T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Self(v))
            .map_err(|e| {
                ApiError::bad_request(format!("路径无效 / invalid path: {}", e.body_text()))
            })
    }
}

pub(crate) fn bearer(parts: &Parts) -> Option<&str> {
    bearer_of(&parts.headers)
}

/// The bearer token of `Authorization`, trimmed (possibly empty).
pub(crate) fn bearer_of(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// A request authenticated with a device token: the device's name.
#[derive(Debug)]
pub(crate) struct Device(pub(crate) String);

impl FromRequestParts<Arc<LanState>> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<LanState>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(|| {
            ApiError::unauthorized("需要设备令牌 / a device bearer token is required")
        })?;
        state
            .auth
            .device(token)
            .map(|name| Self(name.to_owned()))
            .ok_or_else(|| ApiError::unauthorized("设备令牌无效 / unknown device token"))
    }
}

/// A request authenticated with a window session: the window it is for.
#[derive(Debug)]
pub(crate) struct StaffSession {
    /// The session's window.
    pub(crate) window: u32,
    /// The bearer token (for logout).
    pub(crate) token: String,
}

impl FromRequestParts<Arc<LanState>> for StaffSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<LanState>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)
            .ok_or_else(|| ApiError::unauthorized("请先登录 / log in first"))?
            .to_owned();
        let window = state
            .auth
            .session(&token, state.engine.now())
            .ok_or_else(|| {
                ApiError::unauthorized("登录已失效，请重新登录 / session expired, log in again")
            })?;
        Ok(Self { window, token })
    }
}
