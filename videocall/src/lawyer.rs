//! A lawyer's console without a browser: logs in to the centre's staff app, opens the console's
//! WebSocket, goes available, accepts the first call offered, answers the kiosk's offer with real
//! media (`webrtcbin`, test sources) and hangs up or writes the advice when told. The tests and the
//! benchmark use it where a browser would only add start-up time; the real console is the centre's
//! page in a browser.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use futures_util::{SinkExt as _, StreamExt as _};
use media::{
    Frame, FrameSink,
    call::{CallEvent, CallMedia, CallRole, CallSettings, CallSignal, SdpKind},
};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest as _};

use crate::wire::{Candidate, CentreToLawyer, LawyerMessage, to_text};

/// What the lawyer is told to do during a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LawyerOrder {
    /// Hang up.
    HangUp,
    /// Write this advice for the last call.
    Advice(String),
}

/// Counts the kiosk's pictures the lawyer decoded.
struct Count(Arc<AtomicU64>);

impl FrameSink for Count {
    fn frame(&self, _: &Frame<'_>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Why the lawyer could not start.
#[derive(Debug, thiserror::Error)]
pub enum LawyerError {
    /// The login failed.
    #[error("login: {0}")]
    Login(String),
    /// The console socket could not be opened.
    #[error("console socket: {0}")]
    Socket(String),
}

/// Logs in to the centre at `base` (`http://host:port`) as `user` and answers calls until the socket
/// closes. Pictures of the kiosk decoded are counted in `frames`.
pub async fn run(
    base: &str,
    user: &str,
    password: &str,
    settings: CallSettings,
    mut orders: mpsc::UnboundedReceiver<LawyerOrder>,
    frames: Arc<AtomicU64>,
) -> Result<(), LawyerError> {
    let cookie = login(base, user, password).await?;
    let mut request = (base.replacen("http://", "ws://", 1) + "/staff/calls/ws")
        .into_client_request()
        .map_err(|e| LawyerError::Socket(e.to_string()))?;
    let header = |v: &str| {
        v.parse()
            .map_err(|_| LawyerError::Socket(format!("{v:?} is not a header value")))
    };
    request.headers_mut().insert("cookie", header(&cookie)?);
    request.headers_mut().insert("origin", header(base)?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| LawyerError::Socket(e.to_string()))?;
    let text = |m: &LawyerMessage| Message::text(to_text(m));
    let _ = socket
        .send(text(&LawyerMessage::Available { on: true }))
        .await;
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let mut media: Option<CallMedia> = None;
    let mut call: Option<String> = None;
    let mut in_call = false;
    loop {
        tokio::select! {
            message = socket.next() => {
                let message = match message {
                    Some(Ok(Message::Text(message))) => message,
                    Some(Ok(_)) => continue,
                    _ => return Ok(()),
                };
                let Ok(message) = serde_json::from_str::<CentreToLawyer>(&message) else {
                    continue;
                };
                match message {
                    CentreToLawyer::Board { calls, in_call: None, .. } if !in_call => {
                        if let Some(offered) = calls.first() {
                            let accept = LawyerMessage::Accept { call: offered.call.clone() };
                            let _ = socket.send(text(&accept)).await;
                        }
                    }
                    CentreToLawyer::Connected { call: id, .. } => {
                        in_call = true;
                        call = Some(id);
                        let tx = events_tx.clone();
                        let events: media::call::CallEvents = Arc::new(move |e| {
                            let _ = tx.send(e);
                        });
                        let answerer = CallSettings { role: CallRole::Answerer, ..settings.clone() };
                        media = CallMedia::start(&answerer, Arc::new(Count(Arc::clone(&frames))), None, events)
                            .map_err(|e| tracing::warn!("lawyer: {e}"))
                            .ok();
                    }
                    CentreToLawyer::Offer { sdp } => {
                        if let Some(m) = &media
                            && let Err(err) = m.apply_description(SdpKind::Offer, &sdp)
                        {
                            tracing::warn!("lawyer: {err}");
                        }
                    }
                    CentreToLawyer::Ice(Candidate { candidate, mline }) => {
                        if let Some(m) = &media {
                            m.add_candidate(mline, &candidate);
                        }
                    }
                    CentreToLawyer::Ended { .. } => {
                        media = None;
                        in_call = false;
                    }
                    _ => {}
                }
            }
            Some(event) = events.recv() => {
                let message = match event {
                    CallEvent::Signal(CallSignal::Description { sdp, .. }) => LawyerMessage::Answer { sdp },
                    CallEvent::Signal(CallSignal::Candidate { mline, candidate }) => {
                        LawyerMessage::Ice(Candidate { candidate, mline })
                    }
                    _ => continue,
                };
                let _ = socket.send(text(&message)).await;
            }
            order = orders.recv() => match order {
                Some(LawyerOrder::HangUp) => {
                    let _ = socket.send(text(&LawyerMessage::Hangup)).await;
                }
                Some(LawyerOrder::Advice(advice)) => {
                    if let Some(call) = call.clone() {
                        let _ = socket.send(text(&LawyerMessage::Advice { call, text: advice })).await;
                    }
                }
                None => return Ok(()),
            },
        }
    }
}

/// The session cookie (`centre_session=…`) of a staff login.
async fn login(base: &str, user: &str, password: &str) -> Result<String, LawyerError> {
    let body = format!(
        "user={}&password={}",
        form_value(user),
        form_value(password)
    );
    let (host, path) = split_url(base)?;
    let mut stream = tokio::net::TcpStream::connect(&host)
        .await
        .map_err(|e| LawyerError::Login(e.to_string()))?;
    let request = format!(
        "POST {path}staff/login HTTP/1.1\r\nHost: {host}\r\nOrigin: {base}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| LawyerError::Login(e.to_string()))?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .map_err(|e| LawyerError::Login(e.to_string()))?;
    let answer = String::from_utf8_lossy(&answer);
    answer
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie").then(|| {
                value
                    .trim()
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
        })
        .filter(|c| c.starts_with("centre_session=") && c.len() > "centre_session=".len())
        .ok_or_else(|| {
            LawyerError::Login("the centre set no session cookie (wrong password?)".into())
        })
}

/// `http://host:port/prefix` → (`host:port`, `/prefix/`).
fn split_url(base: &str) -> Result<(String, String), LawyerError> {
    let rest = base
        .strip_prefix("http://")
        .ok_or_else(|| LawyerError::Login(format!("{base}: only http:// is supported here")))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = format!("/{}", path.trim_end_matches('/'));
    let path = if path == "/" {
        path
    } else {
        format!("{path}/")
    };
    Ok((host.to_owned(), path))
}

fn form_value(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_forms_are_split_and_encoded() {
        assert_eq!(
            split_url("http://127.0.0.1:8480").unwrap(),
            ("127.0.0.1:8480".into(), "/".into())
        );
        assert_eq!(
            split_url("http://c:1/centre/").unwrap(),
            ("c:1".into(), "/centre/".into())
        );
        assert!(split_url("https://c").is_err());
        assert_eq!(form_value("a b&c"), "a%20b%26c");
    }
}
