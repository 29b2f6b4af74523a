//! Routes and handlers of `/api/v1`.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::{ConnectInfo, DefaultBodyLimit, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::{get, post, put},
};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::{
    ApiError, LanState,
    auth::AuthError,
    extract::{ApiJson, ApiPath, Device, OptionalJson, StaffSession, bearer_of},
    pages,
};
use queue::{
    DeviceAlerts, EventAudience, IssueRequest, PriorityKind, QueueEngine, QueueError, Ticket,
    TicketAppointment, TicketId, TicketStatus,
    engine::CounterIssue,
    engine::validate_idempotency_key,
    event_stream_for,
    wire::{
        ActiveBody, AlertEntry, BookingsResponse, CompleteBody, CounterIssueBody, HelpBody,
        IssueBody, LoginBody, LoginResponse, NumberBody, QueueResponse, RatingBody, ResumeBody,
        ReturnBody, TransferBody,
        routes::{self, action},
    },
};

type S = Arc<LanState>;

pub(super) fn router(state: S) -> Router {
    Router::new()
        .route(routes::LOGIN, post(login))
        .route(routes::LOGOUT, post(logout))
        .route(routes::TICKETS, post(issue))
        .route(routes::ACTIVE_TICKET, post(find_active))
        .route(routes::TICKET, get(ticket))
        .route(routes::TICKET_CANCEL, post(cancel))
        .route(routes::TICKET_RATING, post(rate_at_window))
        .route(routes::DEVICE_ALERTS, put(set_alerts))
        .route(routes::DEVICE_HELP, put(set_help))
        .route(routes::DEVICE_HELP_CLEAR, post(clear_help))
        .route(routes::QUEUE, get(queue))
        .route(routes::BOOKINGS, get(bookings))
        .route(routes::EVENTS, get(events))
        .route(routes::WINDOW, get(window_view))
        .route(routes::WINDOW_ACTION, post(window_action))
        .route(routes::PHONE_STATUS, get(phone_status))
        .route(routes::PHONE_CANCEL, post(phone_cancel))
        .route(routes::PHONE_RATING, post(phone_rate))
        .merge(pages::routes())
        .fallback(|| async { ApiError::not_found("没有此接口 / no such endpoint") })
        .layer(DefaultBodyLimit::max(16 * 1024))
        .with_state(state)
}

/// Runs a blocking engine call off the async threads.
async fn blocking<T: Send + 'static>(
    state: &S,
    f: impl FnOnce(&QueueEngine) -> Result<T, QueueError> + Send + 'static,
) -> Result<T, ApiError> {
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || f(&state.engine))
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("task failed: {e}"),
            )
        })?
        .map_err(ApiError::from)
}

async fn login(
    State(state): State<S>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<LoginResponse>, ApiError> {
    let now = state.engine.now();
    let window = body.window;
    match state.auth.login(window, body.pin, addr.ip(), now).await {
        Ok(token) => {
            let staff = state.auth.session_staff(&token, now);
            blocking(&state, move |e| e.open_window_as(window, staff.as_ref())).await?;
            Ok(Json(LoginResponse {
                token,
                window,
                expires_in: state.auth.session_seconds(),
            }))
        }
        Err(e @ (AuthError::Locked(_) | AuthError::Busy)) => {
            let secs = match e {
                AuthError::Locked(secs) => secs,
                _ => 1,
            };
            Err(ApiError {
                retry_after: Some(secs),
                ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", e.to_string())
            })
        }
        Err(e) => Err(ApiError::unauthorized(e.to_string())),
    }
}

async fn logout(State(state): State<S>, session: StaffSession) -> Result<Json<Ok>, ApiError> {
    state.auth.logout(&session.token);
    blocking(&state, move |e| e.close_window(session.window)).await?;
    Ok(Json(Ok { ok: true }))
}

#[derive(Serialize)]
struct Ok {
    ok: bool,
}

async fn issue(
    State(state): State<S>,
    Device(device): Device,
    headers: HeaderMap,
    ApiJson(body): ApiJson<IssueBody>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let req = IssueRequest {
        service: body.service,
        priority: PriorityKind::from(body.priority),
        identity: body.identity_token,
        idempotency_key: key,
    };
    if let Some(booking) = body.appointment {
        // A check-in: the booking code is the retry key.
        let checked_in = blocking(&state, move |e| e.check_in(&req, &booking, &device)).await?;
        let replayed = checked_in.replayed;
        let mut resp = (StatusCode::CREATED, Json(checked_in)).into_response();
        if replayed {
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        return Ok(resp);
    }
    let issued = blocking(&state, move |e| e.issue(&req, &device)).await?;
    let mut resp = (StatusCode::CREATED, Json(issued.ticket)).into_response();
    if issued.replayed {
        resp.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(resp)
}

/// The `Idempotency-Key` header, when present and well-formed.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        Some(v) => {
            let k = v
                .to_str()
                .map_err(|_| ApiError::bad_request("Idempotency-Key must be ASCII"))?
                .to_owned();
            validate_idempotency_key(&k)?;
            Ok(Some(k))
        }
        None => Ok(None),
    }
}

/// Only tickets this device issued: another device cannot probe whether a person holds a ticket.
async fn find_active(
    State(state): State<S>,
    Device(device): Device,
    ApiJson(body): ApiJson<ActiveBody>,
) -> Result<Response, ApiError> {
    let found = blocking(&state, move |e| {
        e.find_active_for_device(&body.identity_token, &body.service, &device)
    })
    .await?;
    Ok(match found {
        Some(t) => Json(t).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// A ticket this device issued (another device's answers as not found).
async fn ticket(
    State(state): State<S>,
    Device(device): Device,
    ApiPath(id): ApiPath<TicketId>,
) -> Result<Response, ApiError> {
    let t = blocking(&state, move |e| e.ticket_for_device(id, &device)).await?;
    Ok(Json(t).into_response())
}

/// Cancels a ticket this device issued (another device's answers as not found).
async fn cancel(
    State(state): State<S>,
    Device(device): Device,
    ApiPath(id): ApiPath<TicketId>,
) -> Result<Json<Ok>, ApiError> {
    blocking(&state, move |e| e.cancel_for_device(id, &device)).await?;
    Ok(Json(Ok { ok: true }))
}

/// A window's rating pad rates a ticket its window completed today, once (the queue host is
/// the one place that enforces it: a second rating answers 409). Only a device bound to a window
/// (`[[lan.devices]] window`) may; another window's ticket answers as not found.
async fn rate_at_window(
    State(state): State<S>,
    Device(device): Device,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(body): ApiJson<RatingBody>,
) -> Result<Response, ApiError> {
    let window = state.auth.device_window(&device).ok_or_else(|| {
        ApiError::forbidden(
            "此设备不是窗口评价器 / this device is not bound to a window ([[lan.devices]] window)",
        )
    })?;
    let rating = blocking(&state, move |e| {
        e.rate_at_window(window, id, body.score, &body.reasons)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(rating)).into_response())
}

async fn set_alerts(
    State(state): State<S>,
    Device(device): Device,
    ApiJson(alerts): ApiJson<DeviceAlerts>,
) -> Result<Json<Ok>, ApiError> {
    blocking(&state, move |e| e.set_device_alerts(&device, alerts)).await?;
    Ok(Json(Ok { ok: true }))
}

async fn set_help(
    State(state): State<S>,
    Device(device): Device,
    ApiJson(body): ApiJson<HelpBody>,
) -> Result<Json<Ok>, ApiError> {
    blocking(&state, move |e| e.set_help_request(&device, body.requested)).await?;
    Ok(Json(Ok { ok: true }))
}

/// A staff member went to the kiosk: its help request leaves the staff pages.
async fn clear_help(
    State(state): State<S>,
    _session: StaffSession,
    ApiPath(device): ApiPath<String>,
) -> Result<Json<Ok>, ApiError> {
    blocking(&state, move |e| e.set_help_request(&device, false)).await?;
    Ok(Json(Ok { ok: true }))
}

async fn queue(State(state): State<S>) -> Result<Json<QueueResponse>, ApiError> {
    let snapshot = blocking(&state, QueueEngine::snapshot).await?;
    let alerts = state
        .engine
        .device_alerts()
        .into_iter()
        .filter(|(_, a)| a.any())
        .map(|(device, alerts)| AlertEntry {
            message: alerts.message(&device),
            device,
            alerts,
        })
        .collect();
    Ok(Json(QueueResponse {
        day: snapshot.day,
        services: snapshot.services,
        windows: snapshot.windows,
        alerts,
    }))
}

/// The day's booked slots with their check-in state (window staff only: masked names).
async fn bookings(
    State(state): State<S>,
    _session: StaffSession,
) -> Result<Json<BookingsResponse>, ApiError> {
    let (day, bookings) = blocking(&state, |e| Ok((e.current_day()?, e.bookings()?))).await?;
    Ok(Json(BookingsResponse { day, bookings }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    after: Option<u64>,
}

/// The event stream: a window session gets every event, a device token its own and the public
/// ones (a device bound to a window also that window's calls, starts and completions), no token
/// the public ones (what the hall shows). A token that is neither is refused.
async fn events(
    State(state): State<S>,
    headers: HeaderMap,
    query: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let header_id = match headers.get("last-event-id") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| ApiError::bad_request("Last-Event-ID must be an event id"))?,
        ),
        None => None,
    };
    let after = header_id.or(query.after);
    let audience = match bearer_of(&headers).filter(|t| !t.is_empty()) {
        None => EventAudience::Public,
        Some(token) => {
            if state.auth.session(token, state.engine.now()).is_some() {
                EventAudience::Staff
            } else if let Some(device) = state.auth.device(token) {
                match state.auth.device_window(device) {
                    Some(window) => EventAudience::WindowDevice {
                        name: device.to_owned(),
                        window,
                    },
                    None => EventAudience::Device(device.to_owned()),
                }
            } else {
                return Err(ApiError::unauthorized(
                    "令牌无效 / unknown session or device token",
                ));
            }
        }
    };
    let stream = event_stream_for(Arc::clone(&state.engine), audience, after).await?;
    let sse = stream.map(|item| match item {
        Ok(e) => Event::default()
            .id(e.seq.to_string())
            .event(e.payload.kind())
            .json_data(&e),
        Err(err) => Ok(Event::default().event("error").data(err.to_string())),
    });
    let mut resp = Sse::new(sse)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

async fn window_view(
    State(state): State<S>,
    session: StaffSession,
    ApiPath(id): ApiPath<u32>,
) -> Result<Response, ApiError> {
    authorize(&session, id)?;
    let view = blocking(&state, move |e| e.window_view(id)).await?;
    Ok(Json(view).into_response())
}

fn authorize(session: &StaffSession, window: u32) -> Result<(), ApiError> {
    if session.window == window {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "此登录属于窗口 {}，不能操作窗口 {window} / this session is for window {}, not window {window}",
            session.window, session.window
        )))
    }
}

/// A ticket as window actions return it: no capability, no identity.
#[derive(Serialize)]
struct TicketOut {
    id: TicketId,
    number: String,
    service: String,
    priority: PriorityKind,
    status: TicketStatus,
    window: Option<u32>,
    recalls: u32,
    outcome: Option<String>,
    returns: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    appointment: Option<TicketAppointment>,
}

impl From<Ticket> for TicketOut {
    fn from(t: Ticket) -> Self {
        Self {
            id: t.id,
            number: t.number,
            service: t.service,
            priority: t.priority,
            status: t.status,
            window: t.window,
            recalls: t.recalls,
            outcome: t.outcome,
            returns: t.returns,
            appointment: t.appointment,
        }
    }
}

async fn window_action(
    State(state): State<S>,
    session: StaffSession,
    ApiPath((id, name)): ApiPath<(u32, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    authorize(&session, id)?;
    fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("请求内容无效 / invalid request body: {e}")))
    }
    let empty = body.iter().all(u8::is_ascii_whitespace);
    let ticket = match name.as_str() {
        action::CALL_NEXT => {
            let called = blocking(&state, move |e| e.call_next(id)).await?;
            return Ok(match called {
                Some(t) => Json(TicketOut::from(t)).into_response(),
                None => StatusCode::NO_CONTENT.into_response(),
            });
        }
        action::CALL => {
            let b: NumberBody = parse(&body)?;
            blocking(&state, move |e| e.call_number(id, &b.number)).await?
        }
        action::RECALL => blocking(&state, move |e| e.recall(id)).await?,
        action::NO_SHOW => blocking(&state, move |e| e.no_show(id)).await?,
        action::START => blocking(&state, move |e| e.start(id)).await?,
        action::COMPLETE => {
            let b: CompleteBody = parse(&body)?;
            blocking(&state, move |e| e.complete(id, &b.outcome)).await?
        }
        action::TRANSFER => {
            let b: TransferBody = parse(&body)?;
            blocking(&state, move |e| e.transfer(id, &b.service, b.position)).await?
        }
        action::HOLD => blocking(&state, move |e| e.hold(id)).await?,
        action::RESUME => {
            let b: ResumeBody = if empty {
                ResumeBody::default()
            } else {
                parse(&body)?
            };
            blocking(&state, move |e| e.resume(id, b.number.as_deref())).await?
        }
        action::REPRINT => {
            let b: NumberBody = parse(&body)?;
            blocking(&state, move |e| e.request_reprint(id, &b.number)).await?
        }
        action::RETURN => {
            let b: ReturnBody = parse(&body)?;
            blocking(&state, move |e| e.return_to_queue(id, &b.number)).await?
        }
        action::ISSUE => {
            let b: CounterIssueBody = parse(&body)?;
            let req = CounterIssue {
                service: b.service,
                priority: PriorityKind::from(b.priority),
                id_number: b.id_number.map(zeroize::Zeroizing::new),
                idempotency_key: idempotency_key(&headers)?,
            };
            let issued = blocking(&state, move |e| e.issue_at_window(id, &req)).await?;
            let mut resp = (StatusCode::CREATED, Json(issued.ticket)).into_response();
            if issued.replayed {
                resp.headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            return Ok(resp);
        }
        other => {
            return Err(ApiError::not_found(format!(
                "没有此操作 / no window action {other:?}"
            )));
        }
    };
    Ok(Json(TicketOut::from(ticket)).into_response())
}

async fn phone_status(
    State(state): State<S>,
    ApiPath(cap): ApiPath<String>,
) -> Result<Response, ApiError> {
    let status = blocking(&state, move |e| e.phone_status(&cap)).await?;
    let mut resp = Json(status).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

async fn phone_cancel(
    State(state): State<S>,
    ApiPath(cap): ApiPath<String>,
    OptionalJson(_): OptionalJson<serde_json::Value>,
) -> Result<Json<Ok>, ApiError> {
    blocking(&state, move |e| e.cancel_by_capability(&cap)).await?;
    Ok(Json(Ok { ok: true }))
}

/// The citizen rates the completed ticket behind the phone page's link, once.
async fn phone_rate(
    State(state): State<S>,
    ApiPath(cap): ApiPath<String>,
    ApiJson(body): ApiJson<RatingBody>,
) -> Result<Response, ApiError> {
    blocking(&state, move |e| {
        e.rate_by_capability(&cap, body.score, &body.reasons)
    })
    .await?;
    let mut resp = (StatusCode::CREATED, Json(Ok { ok: true })).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
