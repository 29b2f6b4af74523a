//! Tickets issued by window staff for a person at the counter (without the kiosk), with or
//! without an ID number.

use zeroize::Zeroizing;

use super::{IssueRequest, Issued, QueueEngine};
use crate::{QueueError, model::PriorityKind};

/// A ticket a window issues for a person at the counter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CounterIssue {
    /// Service id (any service of the site, not only the window's).
    pub service: String,
    /// Priority (must be allowed by the service unless `None`).
    pub priority: PriorityKind,
    /// The person's ID card number as typed by staff, when given: turned into the queue's
    /// identity token at once (the same rules as a card read at the kiosk), never stored.
    pub id_number: Option<Zeroizing<String>>,
    /// Retry key: a repeated request with the same key returns the same ticket.
    pub idempotency_key: Option<String>,
}

/// The device name recorded for tickets a window issues (`window-3`), in events and reprints.
pub fn counter_device(window: u32) -> String {
    format!("window-{window}")
}

impl QueueEngine {
    /// Issues a ticket at window `window` for a person at the counter. The ID number, when
    /// given, becomes the identity token (one active ticket per person and service, as at the
    /// kiosk) and is dropped; the ticket's issuing device is [`counter_device`].
    pub fn issue_at_window(&self, window: u32, req: &CounterIssue) -> Result<Issued, QueueError> {
        self.check_window(window)?;
        let identity = req
            .id_number
            .as_deref()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .map(|n| self.identity_token(n))
            .transpose()?;
        let request = IssueRequest {
            service: req.service.clone(),
            priority: req.priority,
            identity,
            idempotency_key: req.idempotency_key.clone(),
        };
        self.issue(&request, &counter_device(window))
    }
}
