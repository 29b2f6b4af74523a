//! Queue events: the append-only log that feeds the hall display, LED panel, staff and phone
//! pages (over SSE) and the kiosk UI.
//!
//! Events carry numbers, services and windows only: no identity tokens, no capabilities.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{
    alerts::DeviceAlerts,
    model::{PriorityKind, QueuePosition, TicketId},
};

/// One logged event; `seq` is its position in the log and its SSE id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEvent {
    /// Position in the log (strictly increasing, never reused).
    pub seq: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Business day.
    pub day: NaiveDate,
    /// What happened.
    #[serde(flatten)]
    pub payload: EventPayload,
}

/// What happened, tagged by `"type"` (the SSE event name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventPayload {
    /// A new business day began; numbering restarts.
    DayReset {
        /// The previous day, if any.
        from: Option<NaiveDate>,
        /// Tickets of earlier days that were still active and are now cancelled.
        cancelled: u32,
    },
    /// A ticket was issued.
    Issued {
        /// Ticket row.
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service.
        service: String,
        /// Priority.
        priority: PriorityKind,
        /// Issuing device.
        device: String,
    },
    /// A ticket was called to a window.
    Called {
        /// Ticket row.
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service.
        service: String,
        /// Window.
        window: u32,
        /// Whether it was picked out of order.
        out_of_order: bool,
    },
    /// A called ticket was called again.
    Recalled {
        /// Ticket row.
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service.
        service: String,
        /// Window.
        window: u32,
        /// Recalls so far.
        recalls: u32,
    },
    /// The citizen did not come.
    NoShow {
        /// Ticket row.
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service.
        service: String,
        /// Window.
        window: u32,
    },
    /// Service started.
    Started {
        /// Ticket row.
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service.
        service: String,
        /// Window.
        window: u32,
    },
    /// Service ended with an outcome code.
    Completed {
        /// Ticket row.
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service.
        service: String,
        /// Window.
        window: u32,
        /// Outcome code.
        outcome: String,
    },
    /// The ticket moved to another service.
    Transferred {
        /// The row that ended.
        ticket_id: TicketId,
        /// The row that now waits.
        new_ticket_id: TicketId,
        /// Number (unchanged).
        number: String,
        /// Service left.
        from_service: String,
        /// Service joined.
        to_service: String,
        /// Front or back of the queue.
        position: QueuePosition,
        /// Window that transferred it.
        window: u32,
    },
    /// A window parked its ticket.
    Held {
        /// Ticket row.
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service.
        service: String,
        /// Window.
        window: u32,
    },
    /// A parked ticket came back to its window.
    Resumed {
        /// Ticket row.
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service.
        service: String,
        /// Window.
        window: u32,
    },
    /// A ticket was withdrawn.
    Cancelled {
        /// Ticket row.
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service.
        service: String,
        /// `citizen`, `device` or `staff`.
        by: String,
    },
    /// Staff logged in at a window.
    WindowOpened {
        /// Window.
        window: u32,
    },
    /// Staff logged out of a window.
    WindowClosed {
        /// Window.
        window: u32,
    },
    /// Staff asked the issuing kiosk to print a ticket again.
    ReprintRequested {
        /// Ticket row.
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service.
        service: String,
        /// The device that issued it (the one that should print).
        device: String,
        /// Window that asked.
        window: u32,
    },
    /// A device's alerts changed (printer paper, cover, …).
    DeviceAlert {
        /// Device name.
        device: String,
        /// Its alerts now.
        alerts: DeviceAlerts,
    },
}

impl EventPayload {
    /// The event's type name (as in the JSON `type` field and the SSE `event:` line).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::DayReset { .. } => "day_reset",
            Self::Issued { .. } => "issued",
            Self::Called { .. } => "called",
            Self::Recalled { .. } => "recalled",
            Self::NoShow { .. } => "no_show",
            Self::Started { .. } => "started",
            Self::Completed { .. } => "completed",
            Self::Transferred { .. } => "transferred",
            Self::Held { .. } => "held",
            Self::Resumed { .. } => "resumed",
            Self::Cancelled { .. } => "cancelled",
            Self::WindowOpened { .. } => "window_opened",
            Self::WindowClosed { .. } => "window_closed",
            Self::ReprintRequested { .. } => "reprint_requested",
            Self::DeviceAlert { .. } => "device_alert",
        }
    }
}
