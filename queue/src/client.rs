//! The one interface the kiosk UI uses to reach the queue, on the host or over the LAN.

use std::{collections::VecDeque, future::Future, pin::Pin, sync::Arc};

use futures_util::{Stream, StreamExt as _, future, stream};
use tokio::sync::broadcast::{self, error::RecvError};

use super::{
    QueueError,
    alerts::DeviceAlerts,
    engine::{IssueRequest, QueueEngine},
    events::{EventAudience, QueueEvent},
    model::{
        Booking, CheckedIn, IdentityToken, IssuedTicket, RatingSource, ServiceStatus, TicketId,
        TicketRating,
    },
};

/// A boxed, sendable future (keeps [`QueueClient`] usable as `Arc<dyn QueueClient>`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A stream of queue events in log order, without gaps.
pub type EventStream = Pin<Box<dyn Stream<Item = Result<QueueEvent, QueueError>> + Send>>;

/// The queue as the kiosk UI sees it.
///
/// [`LocalQueueClient`] runs on the queue host; [`HttpQueueClient`](super::HttpQueueClient)
/// talks to the host over the LAN. Both return the same values, so the UI does not care.
pub trait QueueClient: Send + Sync {
    /// Services with waiting counts, wait ranges and open/closed/full state and reason.
    fn services(&self) -> BoxFuture<'_, Result<Vec<ServiceStatus>, QueueError>>;

    /// Issues a ticket. Remote clients retry with an idempotency key, so a retried request
    /// that did reach the host returns the same ticket instead of a second one.
    fn issue(&self, request: IssueRequest) -> BoxFuture<'_, Result<IssuedTicket, QueueError>>;

    /// Checks in an appointment (see [`QueueEngine::check_in`]): the ticket of the booking,
    /// the same one however often it is asked for that day; `appointment.check_in` says
    /// whether the holder was early, on time or late (a walk-in ticket).
    fn check_in(
        &self,
        request: IssueRequest,
        booking: Booking,
    ) -> BoxFuture<'_, Result<CheckedIn, QueueError>>;

    /// The person's active ticket for a service today, if this device issued it.
    fn find_active(
        &self,
        identity: IdentityToken,
        service: String,
    ) -> BoxFuture<'_, Result<Option<IssuedTicket>, QueueError>>;

    /// A ticket this device issued, by id, as printed (used to reprint after a
    /// `reprint_requested` event); another device's ticket is not found.
    fn ticket(&self, id: TicketId) -> BoxFuture<'_, Result<IssuedTicket, QueueError>>;

    /// Withdraws a waiting ticket this device issued.
    fn cancel(&self, id: TicketId) -> BoxFuture<'_, Result<(), QueueError>>;

    /// Events for this device after `after` (a `seq` already seen), or from now on when
    /// `None`: the public events and those addressed to this device
    /// ([`EventAudience::Device`]), replayed from the current business day only and at most
    /// [`MAX_REPLAY`](crate::engine::MAX_REPLAY) back. The stream reconnects and replays by
    /// itself; it ends only when the queue shuts down.
    fn subscribe(&self, after: Option<u64>) -> BoxFuture<'_, Result<EventStream, QueueError>>;

    /// Reports this device's alerts (printer paper, cover) to the staff pages.
    fn set_device_alerts(&self, alerts: DeviceAlerts) -> BoxFuture<'_, Result<(), QueueError>>;

    /// Opens (`true`) or closes a help request of this device (its help button), shown on the staff pages.
    fn request_help(&self, requested: bool) -> BoxFuture<'_, Result<(), QueueError>>;

    /// Rates a ticket completed today, once (see [`QueueEngine::rate_ticket`]): on the host as
    /// the kiosk, over the LAN as this device's window (its `[[lan.devices]] window`). A second
    /// rating of the ticket is a [`QueueError::Conflict`] (remote: `Refused` with status 409).
    fn rate(
        &self,
        ticket: TicketId,
        score: u8,
        reasons: Vec<String>,
    ) -> BoxFuture<'_, Result<TicketRating, QueueError>>;

    /// Derives the salted identity token of an ID card number (the number stays here).
    fn identity_token(&self, id_number: &str) -> Result<IdentityToken, QueueError>;
}

/// The queue on this device.
#[derive(Debug, Clone)]
pub struct LocalQueueClient {
    engine: Arc<QueueEngine>,
    device: String,
}

impl LocalQueueClient {
    /// A client for `engine`, issuing as `device` (the name reprint requests are addressed to).
    pub fn new(engine: Arc<QueueEngine>, device: impl Into<String>) -> Self {
        Self {
            engine,
            device: device.into(),
        }
    }

    /// The engine behind this client.
    pub fn engine(&self) -> &Arc<QueueEngine> {
        &self.engine
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&QueueEngine) -> Result<T, QueueError> + Send + 'static,
    ) -> Result<T, QueueError> {
        let engine = Arc::clone(&self.engine);
        tokio::task::spawn_blocking(move || f(&engine))
            .await
            .map_err(|e| QueueError::Remote(format!("queue task failed: {e}")))?
    }
}

impl QueueClient for LocalQueueClient {
    fn services(&self) -> BoxFuture<'_, Result<Vec<ServiceStatus>, QueueError>> {
        Box::pin(self.blocking(QueueEngine::services))
    }

    fn issue(&self, request: IssueRequest) -> BoxFuture<'_, Result<IssuedTicket, QueueError>> {
        let device = self.device.clone();
        Box::pin(self.blocking(move |e| e.issue(&request, &device).map(|i| i.ticket)))
    }

    fn check_in(
        &self,
        request: IssueRequest,
        booking: Booking,
    ) -> BoxFuture<'_, Result<CheckedIn, QueueError>> {
        let device = self.device.clone();
        Box::pin(self.blocking(move |e| e.check_in(&request, &booking, &device)))
    }

    fn find_active(
        &self,
        identity: IdentityToken,
        service: String,
    ) -> BoxFuture<'_, Result<Option<IssuedTicket>, QueueError>> {
        let device = self.device.clone();
        Box::pin(self.blocking(move |e| e.find_active_for_device(&identity, &service, &device)))
    }

    fn ticket(&self, id: TicketId) -> BoxFuture<'_, Result<IssuedTicket, QueueError>> {
        let device = self.device.clone();
        Box::pin(self.blocking(move |e| e.ticket_for_device(id, &device)))
    }

    fn cancel(&self, id: TicketId) -> BoxFuture<'_, Result<(), QueueError>> {
        let device = self.device.clone();
        Box::pin(self.blocking(move |e| e.cancel_for_device(id, &device)))
    }

    fn subscribe(&self, after: Option<u64>) -> BoxFuture<'_, Result<EventStream, QueueError>> {
        let engine = Arc::clone(&self.engine);
        let audience = EventAudience::Device(self.device.clone());
        Box::pin(async move { event_stream_for(engine, audience, after).await })
    }

    fn set_device_alerts(&self, alerts: DeviceAlerts) -> BoxFuture<'_, Result<(), QueueError>> {
        let device = self.device.clone();
        Box::pin(self.blocking(move |e| e.set_device_alerts(&device, alerts).map(|_| ())))
    }

    fn request_help(&self, requested: bool) -> BoxFuture<'_, Result<(), QueueError>> {
        let device = self.device.clone();
        Box::pin(self.blocking(move |e| e.set_help_request(&device, requested).map(|_| ())))
    }

    fn rate(
        &self,
        ticket: TicketId,
        score: u8,
        reasons: Vec<String>,
    ) -> BoxFuture<'_, Result<TicketRating, QueueError>> {
        Box::pin(
            self.blocking(move |e| e.rate_ticket(ticket, score, &reasons, RatingSource::Kiosk)),
        )
    }

    fn identity_token(&self, id_number: &str) -> Result<IdentityToken, QueueError> {
        self.engine.identity_token(id_number)
    }
}

struct StreamState {
    engine: Arc<QueueEngine>,
    rx: broadcast::Receiver<QueueEvent>,
    last: u64,
    backlog: VecDeque<QueueEvent>,
    catch_up: bool,
}

const REPLAY_BATCH: usize = 500;

async fn read_log(engine: &Arc<QueueEngine>, after: u64) -> Result<Vec<QueueEvent>, QueueError> {
    let engine = Arc::clone(engine);
    tokio::task::spawn_blocking(move || engine.events_after(after, REPLAY_BATCH))
        .await
        .map_err(|e| QueueError::Remote(format!("queue task failed: {e}")))?
}

/// Every event of `engine` after `after`, as staff see them.
#[deprecated(note = "unscoped: use event_stream_for with the reader's EventAudience")]
pub async fn event_stream(
    engine: Arc<QueueEngine>,
    after: Option<u64>,
) -> Result<EventStream, QueueError> {
    event_stream_for(engine, EventAudience::Staff, after).await
}

/// The events of `engine` that `audience` may see ([`EventAudience::project`]), after `after`
/// (from the log), then live ones, without gaps or repeats: when the live channel lags or
/// skips, the missing events are read back from the log.
///
/// The replay starts at [`QueueEngine::replay_start`]: never before the current business day,
/// at most [`MAX_REPLAY`](crate::engine::MAX_REPLAY) events back; `None` (or an id from the
/// future, e.g. from before the database was replaced) means "from now on".
pub async fn event_stream_for(
    engine: Arc<QueueEngine>,
    audience: EventAudience,
    after: Option<u64>,
) -> Result<EventStream, QueueError> {
    let rx = engine.subscribe();
    let last = {
        let e = Arc::clone(&engine);
        tokio::task::spawn_blocking(move || e.replay_start(after))
            .await
            .map_err(|e| QueueError::Remote(format!("queue task failed: {e}")))??
    };
    let state = StreamState {
        engine,
        rx,
        last,
        backlog: VecDeque::new(),
        catch_up: true,
    };
    let s = stream::unfold(state, |mut st| async move {
        loop {
            if let Some(e) = st.backlog.pop_front() {
                if e.seq <= st.last {
                    continue;
                }
                st.last = e.seq;
                return Some((Ok(e), st));
            }
            if st.catch_up {
                match read_log(&st.engine, st.last).await {
                    Ok(batch) => {
                        st.catch_up = batch.len() == REPLAY_BATCH;
                        if !batch.is_empty() {
                            st.backlog.extend(batch);
                            continue;
                        }
                    }
                    Err(err) => return Some((Err(err), st)),
                }
            }
            match st.rx.recv().await {
                Ok(e) if e.seq <= st.last => {}
                Ok(e) if e.seq == st.last + 1 => {
                    st.last = e.seq;
                    return Some((Ok(e), st));
                }
                // A gap or a lag: the log has what we missed.
                Ok(_) | Err(RecvError::Lagged(_)) => st.catch_up = true,
                Err(RecvError::Closed) => return None,
            }
        }
    });
    let projected = s.filter_map(move |item| {
        future::ready(match item {
            Ok(event) => audience.project(&event).map(Ok),
            Err(err) => Some(Err(err)),
        })
    });
    Ok(Box::pin(projected))
}
