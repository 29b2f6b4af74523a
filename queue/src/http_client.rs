//! The queue over the LAN: a [`QueueClient`] for kiosks that are not the queue host.

use std::{collections::VecDeque, time::Duration};

use futures_util::stream;
use rand::RngCore;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

use super::{
    QueueError,
    alerts::DeviceAlerts,
    client::{BoxFuture, EventStream, QueueClient},
    engine::IssueRequest,
    events::QueueEvent,
    model::{
        Booking, CheckedIn, IdentityToken, IssuedTicket, ServiceStatus, TicketId, TicketRating,
    },
    wire::{
        ActiveBody, ErrorBody, HelpBody, IssueBody, PriorityField, QueueResponse, RatingBody,
        routes,
    },
};

/// Attempts of an issue request before giving up (the same idempotency key every time).
const ISSUE_ATTEMPTS: u32 = 4;
/// Time allowed for one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`QueueClient`] that talks to the queue host's LAN API with a device token.
#[derive(Debug, Clone)]
pub struct HttpQueueClient {
    base: String,
    device_token: String,
    identity_salt: Option<String>,
    http: reqwest::Client,
}

impl HttpQueueClient {
    /// A client for the host at `base_url` (e.g. `http://192.168.1.10:8080`).
    ///
    /// `identity_salt` must be the site's `[queue] identity_salt` (the same as the host's) for
    /// [`QueueClient::identity_token`] to work.
    pub fn new(
        base_url: &str,
        device_token: impl Into<String>,
        identity_salt: Option<String>,
    ) -> Result<Self, QueueError> {
        let base = base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(QueueError::invalid(
                "base_url",
                format!("{base_url:?} must start with http:// or https://"),
            ));
        }
        let http = Self::builder()
            .build()
            .map_err(|e| QueueError::Remote(format!("HTTP client: {e}")))?;
        Ok(Self {
            base,
            device_token: device_token.into(),
            identity_salt,
            http,
        })
    }

    fn builder() -> reqwest::ClientBuilder {
        reqwest::Client::builder().connect_timeout(Duration::from_secs(3))
    }

    /// Trusts only the certificates in `pem` for `https://` (the queue host's own certificate, or the
    /// CA that issued it): the host is pinned, the system's roots are not consulted.
    pub fn with_trusted_pem(mut self, pem: &[u8]) -> Result<Self, QueueError> {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| QueueError::invalid("ca_file", format!("not PEM certificates: {e}")))?;
        if certs.is_empty() {
            return Err(QueueError::invalid(
                "ca_file",
                "holds no CERTIFICATE block".to_owned(),
            ));
        }
        self.http = Self::builder()
            .tls_certs_only(certs)
            .build()
            .map_err(|e| QueueError::Remote(format!("HTTP client: {e}")))?;
        Ok(self)
    }

    /// The whole queue as the host shows it: services with their waiting counts and the windows
    /// (what the hall display follows).
    pub async fn snapshot(&self) -> Result<QueueResponse, QueueError> {
        self.send_json(self.request(Method::GET, routes::QUEUE))
            .await
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.device_token)
    }

    async fn send_json<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T, QueueError> {
        let resp = req
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(|e| QueueError::Remote(e.to_string()))?;
        decode(resp).await
    }

    /// Sends an issue (or, with `appointment`, a check-in), retrying with the same idempotency
    /// key; `T` is the answer's type.
    async fn issue_with_retries<T: DeserializeOwned>(
        &self,
        request: IssueRequest,
        appointment: Option<Booking>,
    ) -> Result<T, QueueError> {
        let key = request.idempotency_key.clone().unwrap_or_else(|| {
            let mut b = [0u8; 16];
            rand::rng().fill_bytes(&mut b);
            hex::encode(b)
        });
        let body = IssueBody {
            service: request.service,
            priority: PriorityField::Kind(request.priority),
            identity_token: request.identity,
            appointment,
        };
        let mut last_error = QueueError::Remote("no attempt made".into());
        for attempt in 0..ISSUE_ATTEMPTS {
            if attempt > 0 {
                // Back off: 200 ms, 400 ms, 800 ms.
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            }
            let sent = self
                .request(Method::POST, routes::TICKETS)
                .header("Idempotency-Key", &key)
                .json(&body)
                .timeout(REQUEST_TIMEOUT)
                .send()
                .await;
            match sent {
                Ok(resp) if resp.status().is_server_error() => {
                    last_error = decode::<T>(resp)
                        .await
                        .err()
                        .unwrap_or_else(|| QueueError::Remote("server error".into()));
                }
                Ok(resp) => match decode(resp).await {
                    // The body was lost on the way: the retry returns the same ticket.
                    Err(QueueError::Remote(msg)) => last_error = QueueError::Remote(msg),
                    other => return other,
                },
                Err(e) => last_error = QueueError::Remote(e.to_string()),
            }
        }
        Err(last_error)
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, QueueError> {
    let status = resp.status();
    if status.is_success() {
        return resp
            .json::<T>()
            .await
            .map_err(|e| QueueError::Remote(format!("reading the answer: {e}")));
    }
    let text = resp.text().await.unwrap_or_default();
    let body: Option<ErrorBody> = serde_json::from_str(&text).ok();
    Err(QueueError::Refused {
        status: status.as_u16(),
        message: body
            .as_ref()
            .map_or_else(|| text.chars().take(200).collect(), |b| b.error.clone()),
        code: body.and_then(|b| b.code),
    })
}

impl QueueClient for HttpQueueClient {
    fn services(&self) -> BoxFuture<'_, Result<Vec<ServiceStatus>, QueueError>> {
        Box::pin(async move { Ok(self.snapshot().await?.services) })
    }

    fn issue(&self, request: IssueRequest) -> BoxFuture<'_, Result<IssuedTicket, QueueError>> {
        Box::pin(self.issue_with_retries(request, None))
    }

    fn check_in(
        &self,
        request: IssueRequest,
        booking: Booking,
    ) -> BoxFuture<'_, Result<CheckedIn, QueueError>> {
        Box::pin(self.issue_with_retries(request, Some(booking)))
    }

    fn find_active(
        &self,
        identity: IdentityToken,
        service: String,
    ) -> BoxFuture<'_, Result<Option<IssuedTicket>, QueueError>> {
        Box::pin(async move {
            let req = self
                .request(Method::POST, routes::ACTIVE_TICKET)
                .json(&ActiveBody {
                    service,
                    identity_token: identity,
                })
                .timeout(REQUEST_TIMEOUT);
            let resp = req
                .send()
                .await
                .map_err(|e| QueueError::Remote(e.to_string()))?;
            if resp.status() == StatusCode::NO_CONTENT {
                return Ok(None);
            }
            decode(resp).await.map(Some)
        })
    }

    fn ticket(&self, id: TicketId) -> BoxFuture<'_, Result<IssuedTicket, QueueError>> {
        Box::pin(async move {
            self.send_json(self.request(Method::GET, &routes::ticket(id)))
                .await
        })
    }

    fn cancel(&self, id: TicketId) -> BoxFuture<'_, Result<(), QueueError>> {
        Box::pin(async move {
            let _: serde_json::Value = self
                .send_json(self.request(Method::POST, &routes::ticket_cancel(id)))
                .await?;
            Ok(())
        })
    }

    fn subscribe(&self, after: Option<u64>) -> BoxFuture<'_, Result<EventStream, QueueError>> {
        let client = self.clone();
        Box::pin(async move {
            let resp = client.open_events(after).await?;
            let state = SseState {
                client,
                resp: Some(resp),
                last: after,
                parser: SseParser::default(),
                ready: VecDeque::new(),
                failures: 0,
            };
            let s = stream::unfold(state, |mut st| async move {
                loop {
                    if let Some(e) = st.ready.pop_front() {
                        if st.last.is_some_and(|l| e.seq <= l) {
                            continue;
                        }
                        st.last = Some(e.seq);
                        return Some((Ok(e), st));
                    }
                    let Some(resp) = st.resp.as_mut() else {
                        // Reconnect with Last-Event-ID, backing off up to 5 s.
                        let wait = Duration::from_millis(250 * (1 << st.failures.min(4)));
                        tokio::time::sleep(wait).await;
                        match st.client.open_events(st.last).await {
                            Ok(r) => {
                                st.resp = Some(r);
                                st.parser = SseParser::default();
                            }
                            Err(e) => {
                                st.failures += 1;
                                if st.failures % 20 == 0 {
                                    return Some((Err(e), st));
                                }
                            }
                        }
                        continue;
                    };
                    match resp.chunk().await {
                        Ok(Some(bytes)) => {
                            st.failures = 0;
                            for data in st.parser.feed(&bytes) {
                                match serde_json::from_str::<QueueEvent>(&data) {
                                    Ok(e) => st.ready.push_back(e),
                                    Err(_) => continue, // an event type this client does not know
                                }
                            }
                        }
                        Ok(None) | Err(_) => {
                            st.resp = None;
                            st.failures += 1;
                        }
                    }
                }
            });
            Ok(Box::pin(s) as EventStream)
        })
    }

    fn set_device_alerts(&self, alerts: DeviceAlerts) -> BoxFuture<'_, Result<(), QueueError>> {
        Box::pin(async move {
            let _: serde_json::Value = self
                .send_json(
                    self.request(Method::PUT, routes::DEVICE_ALERTS)
                        .json(&alerts),
                )
                .await?;
            Ok(())
        })
    }

    fn request_help(&self, requested: bool) -> BoxFuture<'_, Result<(), QueueError>> {
        Box::pin(async move {
            let _: serde_json::Value = self
                .send_json(
                    self.request(Method::PUT, routes::DEVICE_HELP)
                        .json(&HelpBody { requested }),
                )
                .await?;
            Ok(())
        })
    }

    fn rate(
        &self,
        ticket: TicketId,
        score: u8,
        reasons: Vec<String>,
    ) -> BoxFuture<'_, Result<TicketRating, QueueError>> {
        Box::pin(async move {
            self.send_json(
                self.request(Method::POST, &routes::ticket_rating(ticket))
                    .json(&RatingBody { score, reasons }),
            )
            .await
        })
    }

    fn identity_token(&self, id_number: &str) -> Result<IdentityToken, QueueError> {
        let salt = self
            .identity_salt
            .as_deref()
            .ok_or(QueueError::IdentitySaltMissing)?;
        IdentityToken::derive(salt, id_number)
    }
}

impl HttpQueueClient {
    async fn open_events(&self, after: Option<u64>) -> Result<Response, QueueError> {
        let mut req = self
            .request(Method::GET, routes::EVENTS)
            .header("Accept", "text/event-stream");
        if let Some(seq) = after {
            req = req.header("Last-Event-ID", seq.to_string());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| QueueError::Remote(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(decode::<serde_json::Value>(resp)
                .await
                .err()
                .unwrap_or_else(|| QueueError::Remote("event stream refused".into())));
        }
        Ok(resp)
    }
}

struct SseState {
    client: HttpQueueClient,
    resp: Option<Response>,
    last: Option<u64>,
    parser: SseParser,
    ready: VecDeque<QueueEvent>,
    failures: u32,
}

/// A minimal Server-Sent Events parser: yields the `data` of each complete event.
#[derive(Debug, Default)]
pub struct SseParser {
    buf: Vec<u8>,
}

impl SseParser {
    /// Feeds bytes; returns the data fields of the events they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buf.extend(bytes.iter().filter(|b| **b != b'\r'));
        let mut out = Vec::new();
        while let Some(end) = self.buf.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = self.buf.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&block);
            let data: Vec<&str> = text
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            if !data.is_empty() {
                out.push(data.join("\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_parser_handles_split_chunks_comments_and_crlf() {
        let mut p = SseParser::default();
        assert!(
            p.feed(b": keep-alive\n\nid: 1\nevent: x\ndata: {\"a\"")
                .is_empty()
        );
        let out = p.feed(b":1}\r\n\r\nid: 2\ndata: b\n\n");
        assert_eq!(out, ["{\"a\":1}", "b"]);
    }

    #[test]
    fn base_url_must_be_http() {
        assert!(HttpQueueClient::new("ftp://x", "t", None).is_err());
        assert!(HttpQueueClient::new("http://127.0.0.1:1/", "t", None).is_ok());
    }
}
