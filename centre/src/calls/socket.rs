//! What both call sockets share: sending a message as JSON text, the ping interval, and closing with
//! the closing handshake. The sockets themselves are the kiosk's (`crate::api`) and the console's
//! (`crate::web`).

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use serde::Serialize;
use videocall::wire::to_text;

/// How often a ping goes to an idle socket (so dead peers are found).
pub const PING_EVERY: Duration = Duration::from_secs(15);

/// Sends `message` as a JSON text frame; false when the socket is gone.
pub async fn send<T: Serialize>(socket: &mut WebSocket, message: &T) -> bool {
    socket.send(Message::text(to_text(message))).await.is_ok()
}

/// Closes `socket` with the closing handshake: the peer reads everything sent before the close
/// (dropping a socket with unread data resets the connection, and the peer may lose the last
/// message).
pub async fn close(mut socket: WebSocket) {
    if socket.send(Message::Close(None)).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}
