//! The staff's routes: `POST /api/v1/login`, and with its session token `GET /api/v1/devices`,
//! `GET /api/v1/complaints` and `GET /api/v1/ratings`. Contact telephone numbers are masked.

use axum::{
    Json,
    body::Bytes,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse as _, Response},
};
use chrono::{DateTime, Utc};
use health_facts::{IdReaderFacts, PrinterFacts};
use serde::{Deserialize, Serialize};

use super::{ApiError, AppState};
use crate::{
    auth::{bearer_token, new_token, token_sha256},
    mask::mask_phone,
    state::LoginCheck,
    store::{AuditEntry, ComplaintStatus, Session},
};

/// The default and largest `limit` of a list.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    user: String,
    password: String,
}

#[derive(Serialize)]
pub(super) struct LoginAnswer {
    token: String,
    expires: DateTime<Utc>,
}

pub(super) async fn login(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let login: Login = serde_json::from_slice(&body).map_err(|err| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("expected {{\"user\":…,\"password\":…}}: {err}"),
        )
    })?;
    let account = match state.try_login(&login.user, login.password).await? {
        LoginCheck::Accepted(account) => Some(account),
        LoginCheck::Refused => None,
        LoginCheck::Locked { until } => {
            tracing::warn!(
                "staff login for {:?} refused: too many wrong passwords",
                login.user
            );
            let secs = LoginCheck::retry_after_secs(until, state.clock.now());
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many wrong passwords for this account: try again in {secs} s"),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
            return Ok(response);
        }
    };
    let Some(account) = account else {
        tracing::warn!("failed staff login for {:?}", login.user);
        state
            .store
            .record_audit(AuditEntry::new(
                state.clock.now(),
                login.user.chars().take(64).collect::<String>(),
                "login_failed",
                "",
                "api",
            ))
            .await?;
        return Err(ApiError::unauthorized("wrong user or password"));
    };
    let token = new_token();
    let now = state.clock.now();
    let expires = now
        + chrono::Duration::from_std(state.settings.session_ttl)
            .unwrap_or(chrono::Duration::hours(12));
    state
        .store
        .create_session(token_sha256(&token), account.user.clone(), now, expires)
        .await?;
    state
        .store
        .record_audit(AuditEntry::new(now, &account.user, "login", "", "api"))
        .await?;
    tracing::info!("staff login: {}", account.user);
    Ok(Json(LoginAnswer { token, expires }).into_response())
}

/// The session the request's bearer token names.
pub(super) async fn session(state: &AppState, headers: &HeaderMap) -> Result<Session, ApiError> {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
    else {
        return Err(ApiError::unauthorized(
            "log in first (POST /api/v1/login), then send Authorization: Bearer <token>",
        ));
    };
    state
        .store
        .session(token_sha256(token), state.clock.now())
        .await?
        .ok_or_else(|| ApiError::unauthorized("the session is unknown or has expired"))
        .and_then(|session| {
            if session.role == crate::auth::Role::Lawyer {
                Err(ApiError::forbidden(
                    "a lawyer's account opens the call console only",
                ))
            } else {
                Ok(session)
            }
        })
}

/// Whether the session may see items of `site` (a manager only their own).
fn visible(session: &Session, site: &str) -> bool {
    session.site.as_deref().is_none_or(|own| own == site)
}

#[derive(Serialize)]
pub(super) struct DeviceView {
    device: String,
    site: String,
    online: bool,
    last_seen: Option<DateTime<Utc>>,
    content_version: Option<u64>,
    content_stale: Option<bool>,
    software_version: Option<String>,
    printer: Option<PrinterFacts>,
    reader: Option<IdReaderFacts>,
    outbox_pending: Option<u64>,
    alerts: Vec<String>,
}

pub(super) async fn devices(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<DeviceView>>, ApiError> {
    let session = session(&state, &headers).await?;
    let now = state.clock.now();
    let window =
        chrono::Duration::from_std(state.settings.online_window).unwrap_or(chrono::Duration::MAX);
    let devices = state.store.devices().await?;
    let mut alerts: std::collections::HashMap<String, Vec<String>> = Default::default();
    for alert in state.store.alerts(false, u32::MAX).await? {
        alerts.entry(alert.device).or_default().push(alert.rule);
    }
    Ok(Json(
        devices
            .into_iter()
            .filter(|d| visible(&session, &d.site))
            .map(|d| {
                let heartbeat = d.heartbeat.as_ref();
                let facts = heartbeat.and_then(|h| h.devices.as_ref());
                DeviceView {
                    online: d.last_seen.is_some_and(|seen| now - seen <= window),
                    last_seen: d.last_seen,
                    content_version: heartbeat.and_then(|h| h.content_version),
                    content_stale: heartbeat.map(|h| h.content_stale),
                    software_version: heartbeat.and_then(|h| h.software_version.clone()),
                    printer: facts.and_then(|f| f.printer.clone()),
                    reader: facts.map(|f| f.id_reader.clone()),
                    outbox_pending: heartbeat.map(|h| h.outbox_pending),
                    alerts: alerts.remove(&d.id).unwrap_or_default(),
                    device: d.id,
                    site: d.site,
                }
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    limit: Option<u32>,
}

impl ListQuery {
    fn limit(&self) -> u32 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }
}

#[derive(Serialize)]
pub(super) struct ComplaintView {
    key: String,
    device: String,
    site: String,
    about: String,
    text: String,
    contact: Option<String>,
    status: ComplaintStatus,
    created: DateTime<Utc>,
    received: DateTime<Utc>,
}

pub(super) async fn complaints(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<ComplaintView>>, ApiError> {
    let session = session(&state, &headers).await?;
    let records = state.store.complaints(query.limit()).await?;
    Ok(Json(
        records
            .into_iter()
            .filter(|r| visible(&session, &r.site))
            .map(|r| ComplaintView {
                key: r.key,
                device: r.device,
                site: r.site,
                about: r.complaint.about,
                text: r.complaint.text,
                contact: r.complaint.contact.as_deref().map(mask_phone),
                status: r.status,
                created: r.created,
                received: r.received,
            })
            .collect(),
    ))
}

#[derive(Serialize)]
pub(super) struct RatingView {
    key: String,
    device: String,
    site: String,
    service: String,
    ticket: Option<String>,
    score: u8,
    comment: String,
    /// The window that served the visit; null when the rating names none.
    window: Option<u32>,
    /// The staff number (工号) of who served; null when the rating names none.
    staff_id: Option<String>,
    /// The name of who served; null when the rating names none.
    staff_name: Option<String>,
    /// The reason ids ticked (`long_wait` …), in the order given; empty for none.
    reasons: Vec<String>,
    /// Where it was given: `pad`, `phone` or `kiosk`; null when the rating does not say.
    source: Option<String>,
    created: DateTime<Utc>,
    received: DateTime<Utc>,
}

pub(super) async fn ratings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<RatingView>>, ApiError> {
    let session = session(&state, &headers).await?;
    let records = state.store.ratings(query.limit()).await?;
    Ok(Json(
        records
            .into_iter()
            .filter(|r| visible(&session, &r.site))
            .map(|r| RatingView {
                key: r.key,
                device: r.device,
                site: r.site,
                service: r.rating.service,
                ticket: r.rating.ticket,
                score: r.rating.score,
                comment: r.rating.comment,
                window: r.rating.window,
                staff_id: r.rating.staff_id,
                staff_name: r.rating.staff_name,
                reasons: r.rating.reasons,
                source: r.rating.source,
                created: r.created,
                received: r.received,
            })
            .collect(),
    ))
}
