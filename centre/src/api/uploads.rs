//! Phone uploads, the devices' routes (`crate::uploads`; the phone's page and its photo route are in
//! `crate::web`):
//!
//! | route | who | answer |
//! |---|---|---|
//! | `POST /api/v1/uploads` | a device (`Authorization: Bearer <device token>`), body `applications::wire::UploadRequest` | 201 `UploadSession` (`token`, the phone page's `url`, `expires_in_secs`); 400 naming the field; 401 |
//! | `GET /api/v1/uploads/{token}` | the device that opened it | 200 `UploadedPages`: the pages uploaded since the last call, forgotten as they are handed over; 404 unknown, expired, closed or another device's; 401 |
//! | `DELETE /api/v1/uploads/{token}` | the device that opened it | 204 closed, every page forgotten; 404 as above; 401 |
//!
//! The paths and types are `applications::wire`'s, which the kiosk's `content::application_queue`
//! uses. Another device's session answers 404 like an unknown one: a token is not confirmed to a
//! device that did not open it. The kiosk stops polling on 404.

use ::applications::wire::{UploadRequest, UploadSession, UploadedPage, UploadedPages};
use axum::{
    Json,
    body::Body,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use base64::Engine as _;

use super::{ApiError, AppState, outbox::authenticate};
use crate::uploads::{HeldPage, is_token};

/// The largest request to open a session (20 papers with their names take a few kilobytes).
const MAX_REQUEST_BYTES: usize = 64 * 1024;

fn gone() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no open upload session of this device has this token (unknown, expired or closed)",
    )
}

/// `POST /api/v1/uploads`.
pub(super) async fn open(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let device = authenticate(&state, &headers).await?;
    let body = axum::body::to_bytes(body, MAX_REQUEST_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is larger than {MAX_REQUEST_BYTES} bytes"),
            )
        })?;
    let request: UploadRequest = serde_json::from_slice(&body).map_err(|err| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("not an upload request: {err}"),
        )
    })?;
    let uploads = state.uploads();
    let opened = uploads
        .open(&device.id, request.papers, state.now())
        .map_err(|err| ApiError::new(StatusCode::BAD_REQUEST, err.to_string()))?;
    uploads.start_sweeper(std::sync::Arc::clone(&state.clock));
    tracing::debug!("phone upload opened by {}", device.id);
    let url = format!("{}/upload/{}", state.public_base(&headers), opened.token);
    Ok((
        StatusCode::CREATED,
        Json(UploadSession {
            token: opened.token,
            url,
            expires_in_secs: uploads.limits().session_secs,
        }),
    )
        .into_response())
}

/// The acknowledgement of `GET /api/v1/uploads/{token}?after=N`: the pages up to `N` reached the
/// kiosk.
#[derive(serde::Deserialize)]
pub(super) struct TakeQuery {
    #[serde(default)]
    after: u32,
}

/// `GET /api/v1/uploads/{token}?after=N`.
pub(super) async fn take(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<TakeQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let device = authenticate(&state, &headers).await?;
    if !is_token(&token) {
        return Err(gone());
    }
    let held = state
        .uploads()
        .take(&token, &device.id, query.after, state.now())
        .map_err(|_| gone())?;
    if !held.is_empty() {
        tracing::debug!(
            "phone upload: {} page(s) handed to {}",
            held.len(),
            device.id
        );
    }
    let base64 = base64::engine::general_purpose::STANDARD;
    let pages = held
        .into_iter()
        .map(
            |HeldPage {
                 number,
                 paper,
                 jpeg,
             }| UploadedPage {
                number,
                jpeg_base64: base64.encode(jpeg.as_slice()),
                paper,
            },
        )
        .collect();
    Ok(Json(UploadedPages { pages }).into_response())
}

/// `DELETE /api/v1/uploads/{token}`.
pub(super) async fn close(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let device = authenticate(&state, &headers).await?;
    if is_token(&token) && state.uploads().close(&token, &device.id, state.now()) {
        tracing::debug!("phone upload closed by {}", device.id);
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(gone())
    }
}

#[cfg(test)]
mod tests {
    use ::applications::wire;

    #[test]
    fn the_routes_are_the_kiosks() {
        assert_eq!(format!("/{}", wire::UPLOADS_PATH), "/api/v1/uploads");
        assert_eq!(
            format!("/{}", wire::upload_path("0123456789abcdef0123456789abcdef")),
            "/api/v1/uploads/0123456789abcdef0123456789abcdef"
        );
    }
}
