//! Applications made at the kiosk, the devices' routes:
//!
//! | route | who | answer |
//! |---|---|---|
//! | `GET /api/v1/applications/key` | anyone (the key is public; kiosks fetch it over their pinned TLS) | `{"public_key":"<64 hex>"}` |
//! | `POST /api/v1/applications/{code}` | a device (`Authorization: Bearer <device token>`), body the sealed envelope (`application/octet-stream`, at most 48 MiB) | 201 stored, 200 stored before with the same envelope, 409 the code is stored with another envelope, 400 unreadable (the reason names the part), 401, 403 another device's application, 413, 503 |
//! | `POST /api/v1/applications/lookup` | a device, body `seal(centre key, b"lookup", ID number)` | the holder's applications' statuses, newest first (`[applications::ApplicationStatus]`) |
//!
//! The public status by tracking code, `GET /api/v1/applications/{code}/status`, is served with the
//! receipt lookup by `crate::web` (the same rate limit).
//!
//! The paths and the lookup's context are those of `applications::wire`, which the kiosk's
//! `content::application_queue` uses (a test below checks that they agree).
//!
//! An envelope is checked in this order: the device's token (401), a turn among the envelopes being
//! checked (at most `MAX_CHECKS_AT_ONCE`; the others wait with their bodies unread), the body's size
//! (413), the code
//! in the path (400), the envelope opened, unpacked and checked (`crate::applications::intake`: 400
//! naming the part, 403 for another device's application), then stored as received: 201 new, 200 the
//! same envelope again (its SHA-256), 409 another envelope under a stored code. The kiosk deletes its
//! copy on 200, 201 and 409 and keeps it, marked refused, on 400 and 413; it retries 401, 403 and
//! 5xx.

use std::sync::Arc;

use ::applications::{TrackingCode, wire};
use axum::{
    Json,
    body::{Body, Bytes},
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest as _, Sha256};

use super::{ApiError, AppState, outbox::authenticate};
use crate::{
    applications::{MAX_ENVELOPE_BYTES, check_envelope},
    store::{ApplicationInsert, NewApplication},
};

/// The largest lookup body (a sealed ID number).
const MAX_LOOKUP_BYTES: usize = 4096;
/// Applications one lookup answers at most.
const LOOKUP_LIMIT: u32 = 50;
/// The longest ID number a lookup takes, in characters.
const MAX_ID_CHARS: usize = 32;

fn no_key() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "this centre takes no applications: it was started without an application key",
    )
}

/// The body, at most `max` bytes (413 beyond).
async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {max} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, max)
        .await
        .map_err(|_| too_large())
}

/// `GET /api/v1/applications/key`.
pub(super) async fn key(State(state): State<AppState>) -> Result<Response, ApiError> {
    let keys = state.application_keys().ok_or_else(no_key)?;
    Ok(Json(wire::KeyAnswer {
        public_key: keys.public_key().to_hex(),
    })
    .into_response())
}

/// `POST /api/v1/applications/{code}`.
pub(super) async fn receive(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let device = authenticate(&state, &headers).await?;
    let keys = Arc::clone(state.application_keys().ok_or_else(no_key)?);
    // Held until the envelope is checked and stored: memory stays bounded however many kiosks
    // deliver at once.
    let _turn = state.intake_turn().await?;
    let envelope = read_body(&headers, body, MAX_ENVELOPE_BYTES).await?;
    let code = TrackingCode::try_from(code)
        .map_err(|reason| ApiError::new(StatusCode::BAD_REQUEST, format!("code: {reason}")))?;
    let received = state.now();
    let (checked_code, device_id, site) = (code.clone(), device.id.clone(), device.site.clone());
    // Opening and checking tens of megabytes is CPU work: off the async threads. The application
    // opened in memory is dropped (and its pages wiped) here; the envelope is what is stored.
    let checked = tokio::task::spawn_blocking(move || {
        let envelope = Vec::from(envelope);
        let application = check_envelope(&keys, &checked_code, &device_id, &envelope)?;
        Ok::<_, crate::applications::IntakeError>(NewApplication {
            code: checked_code,
            kind: application.kind,
            device: device_id,
            site,
            masked_name: application.applicant.masked_name(),
            holder_mac: keys.holder_mac(&application.applicant.id_number),
            page_count: u32::try_from(application.pages.len()).unwrap_or(u32::MAX),
            received,
            envelope_sha256: hex::encode(Sha256::digest(&envelope)),
            envelope,
        })
    })
    .await
    .map_err(|err| ApiError::from(crate::error::StoreError::Task(err.to_string())))?;
    let new = match checked {
        Ok(new) => new,
        Err(err) => {
            tracing::warn!("application {code} from {} refused: {err}", device.id);
            let status = if err.is_forbidden() {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::BAD_REQUEST
            };
            return Err(ApiError::new(status, err.to_string()));
        }
    };
    let (kind, pages, bytes) = (new.kind, new.page_count, new.envelope.len());
    Ok(match state.store().insert_application(new).await? {
        ApplicationInsert::New(receipt) => {
            tracing::info!(
                "application {code} ({}) from {}: {pages} pages, {bytes} bytes sealed",
                kind.as_str(),
                device.id
            );
            (StatusCode::CREATED, Json(receipt)).into_response()
        }
        ApplicationInsert::Again(receipt) => (StatusCode::OK, Json(receipt)).into_response(),
        ApplicationInsert::Conflict(receipt) => ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "the code {} was stored at {} with a different envelope; nothing was changed",
                receipt.code, receipt.received
            ),
        )
        .into_response(),
    })
}

/// `POST /api/v1/applications/lookup`: the statuses of the applications of the ID number sealed
/// in the body (no personal data in the answer).
pub(super) async fn lookup(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let device = authenticate(&state, &headers).await?;
    let keys = state.application_keys().ok_or_else(no_key)?;
    let sealed = read_body(&headers, body, MAX_LOOKUP_BYTES).await?;
    let bad = |reason: String| ApiError::new(StatusCode::BAD_REQUEST, reason);
    let plain = keys.open(wire::LOOKUP_CONTEXT, &sealed).map_err(|err| {
        bad(format!(
            "the lookup cannot be opened with this centre's key: {err}"
        ))
    })?;
    let id_number = std::str::from_utf8(&plain)
        .map_err(|_| bad("the ID number is not UTF-8".into()))?
        .trim();
    if id_number.is_empty() || id_number.chars().count() > MAX_ID_CHARS {
        return Err(bad(format!(
            "the ID number must be 1 to {MAX_ID_CHARS} characters"
        )));
    }
    let records = state
        .store()
        .applications_by_holder(keys.holder_mac(id_number), LOOKUP_LIMIT)
        .await?;
    tracing::debug!(
        "application lookup from {}: {} found",
        device.id,
        records.len()
    );
    let statuses: Vec<_> = records.iter().map(|r| r.status()).collect();
    Ok(Json(statuses).into_response())
}

#[cfg(test)]
mod tests {
    use ::applications::{TrackingCode, wire};

    #[test]
    fn the_routes_are_the_kiosks() {
        let code = TrackingCode::from_random([1, 2, 3, 4, 5]);
        assert_eq!(format!("/{}", wire::KEY_PATH), "/api/v1/applications/key");
        assert_eq!(
            format!("/{}", wire::LOOKUP_PATH),
            "/api/v1/applications/lookup"
        );
        assert_eq!(
            format!("/{}", wire::submit_path(&code)),
            format!("/api/v1/applications/{code}")
        );
        assert_eq!(
            format!("/{}", wire::status_path(&code)),
            format!("/api/v1/applications/{code}/status")
        );
        assert_eq!(wire::LOOKUP_CONTEXT, b"lookup");
    }
}
