//! The kiosk's call socket, `GET /api/v1/calls/ws` (`Authorization: Bearer <device token>`): the first
//! message must be `dial`; then a loop between the socket and the call's channel in the
//! [`crate::calls::CallHub`]. A malformed message is answered with `refused` and its reason.

use std::time::Duration;

use axum::{
    extract::{
        State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use videocall::wire::{CentreToKiosk, KioskMessage, MAX_MESSAGE_BYTES};

use crate::{
    calls::socket::{PING_EVERY, close, send},
    state::AppState,
};

/// How long a kiosk has to send `dial` after connecting.
const DIAL_WITHIN: Duration = Duration::from_secs(10);

/// `GET /api/v1/calls/ws`: a kiosk's call.
pub(super) async fn kiosk_socket(
    State(state): State<AppState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let device = match super::outbox::authenticate(&state, &headers).await {
        Ok(device) => device,
        Err(err) => return err.into_response(),
    };
    upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| kiosk_loop(state, device.id, device.site, socket))
}

async fn kiosk_loop(state: AppState, device: String, site: String, mut socket: WebSocket) {
    let hub = state.calls().clone();
    state.start_call_ticker();
    // The first message must be `dial`.
    let dial = tokio::time::timeout(DIAL_WITHIN, socket.recv()).await;
    let (topic, caller) = match dial {
        Ok(Some(Ok(Message::Text(text)))) => match KioskMessage::parse(&text) {
            Ok(KioskMessage::Dial { topic, caller }) => (topic, caller),
            Ok(_) => {
                let reason = "the first message must be dial".to_owned();
                send(&mut socket, &CentreToKiosk::Refused { reason }).await;
                return;
            }
            Err(err) => {
                send(
                    &mut socket,
                    &CentreToKiosk::Refused {
                        reason: err.to_string(),
                    },
                )
                .await;
                return;
            }
        },
        _ => return,
    };
    let (call, mut rx) = hub.dial(&device, &site, &topic, caller);
    let mut ping = tokio::time::interval(PING_EVERY);
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => match KioskMessage::parse(&text) {
                    Ok(message) => hub.from_kiosk(&call, message),
                    Err(err) => {
                        tracing::debug!("call {call}: refused from the kiosk: {err}");
                        if !send(&mut socket, &CentreToKiosk::Refused { reason: err.to_string() }).await {
                            break;
                        }
                    }
                },
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            outgoing = rx.recv() => match outgoing {
                Some(message) => {
                    let last = matches!(message, CentreToKiosk::Unanswered | CentreToKiosk::Advice { .. });
                    if !send(&mut socket, &message).await || last {
                        break;
                    }
                }
                None => break,
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    hub.kiosk_gone(&call);
    close(socket).await;
}

/// `GET /api/v1/calls/policy`: what a kiosk's consent screen says (recording, answer time, lawyers
/// online), for a device.
pub(super) async fn policy(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match super::outbox::authenticate(&state, &headers).await {
        Ok(_) => axum::Json(state.calls().policy()).into_response(),
        Err(err) => err.into_response(),
    }
}
