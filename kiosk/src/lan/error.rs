//! JSON errors of the LAN API: `{"error": "…", "code": "…"}` with the right status.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use queue::{ErrorKind, QueueError, wire::ErrorBody};

/// An API error: status, message, code and optional `Retry-After` seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Message.
    pub message: String,
    /// Machine-readable code.
    pub code: &'static str,
    /// Seconds to wait before retrying (rate limiting).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            code,
            retry_after: None,
        }
    }

    /// 400 for malformed input.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 401: no or wrong credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403: valid credentials that do not cover this resource.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

impl From<QueueError> for ApiError {
    fn from(e: QueueError) -> Self {
        let status = match (&e, e.kind()) {
            (QueueError::Invalid { .. } | QueueError::IdentityRequired(_), _) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            (_, ErrorKind::BadRequest) => StatusCode::BAD_REQUEST,
            (_, ErrorKind::NotFound) => StatusCode::NOT_FOUND,
            (_, ErrorKind::Conflict) => StatusCode::CONFLICT,
            (_, ErrorKind::Internal) => {
                tracing::error!("queue operation failed: {e}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        Self::new(status, e.code(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            Json(ErrorBody {
                error: self.message,
                code: Some(self.code.to_owned()),
            }),
        )
            .into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}
