//! `POST /api/v1/outbox`: a device delivers one outbox item.
//!
//! Checked in this order: the device's credentials (401), the body's size (413), the item (400), the
//! body's device against the token's (403); then it is stored: 201 new, 200 stored before (the same
//! answer), 409 when the key was stored before with a different item. The kiosk's outbox treats 2xx
//! and 409 as delivered and other 4xx (not 408/429) as refused; 503 (storage) is retried.

use axum::{
    Json,
    body::Body,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{ApiError, AppState};
use crate::{
    auth::{bearer_token, token_sha256},
    ingest::{self, MAX_BODY_BYTES},
    store::{DeviceRecord, NewItem, Stored},
};

/// The `Idempotency-Key` header.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

pub(super) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let device = authenticate(&state, &headers).await?;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {MAX_BODY_BYTES} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())?;
    let key = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(value) => Some(value.to_str().map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ingest::Malformed::BadKey.to_string(),
            )
        })?),
    };
    let item = ingest::parse(key, &bytes)
        .map_err(|err| ApiError::new(StatusCode::BAD_REQUEST, err.to_string()))?;
    if item.message.device != device.id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "the item names device {:?} but the credentials are those of {:?}",
                item.message.device, device.id
            ),
        ));
    }
    let kind = item.message.payload.kind();
    let stored = state
        .store
        .store_item(NewItem {
            message: item.message,
            body: item.body,
            received: state.clock.now(),
        })
        .await?;
    Ok(match stored {
        Stored::New(receipt) => {
            if kind == "heartbeat" {
                state.web().heartbeat_arrived();
            }
            tracing::debug!("stored {kind} {} from {}", receipt.key, receipt.device);
            (StatusCode::CREATED, Json(receipt)).into_response()
        }
        Stored::Again(receipt) => (StatusCode::OK, Json(receipt)).into_response(),
        Stored::Conflict(receipt) => ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "the key {:?} was stored at {} with a different item; nothing was changed",
                receipt.key, receipt.received
            ),
        )
        .into_response(),
    })
}

/// The device whose token the request carries (`Authorization: Bearer <token>`).
pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<DeviceRecord, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .ok_or_else(|| {
            ApiError::unauthorized("a device token is required (Authorization: Bearer …)")
        })?;
    state
        .store
        .device_by_token(token_sha256(token))
        .await?
        .ok_or_else(|| ApiError::unauthorized("unknown device token"))
}
