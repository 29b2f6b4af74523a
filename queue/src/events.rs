//! Queue events: the log that feeds the hall display, LED panel, staff and phone pages (over
//! SSE) and the kiosk UI.
//!
//! Events carry numbers, services and windows only: no identity tokens, no capabilities. Some
//! still say more than the hall may know (a ticket's priority, an outcome such as `rejected`,
//! device names), so every reader gets the events of its [`EventAudience`] only:
//! [`EventAudience::project`] decides, event by event.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{
    alerts::DeviceAlerts,
    model::{PriorityKind, QueuePosition, StaffOnDuty, TicketId},
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
    ///
    /// The public projection withholds `ticket_id` ([`WITHHELD_TICKET_ID`]), `service` (empty)
    /// and `out_of_order` (`false`); withheld fields are left out of the JSON.
    Called {
        /// Ticket row ([`WITHHELD_TICKET_ID`] when withheld).
        #[serde(default, skip_serializing_if = "is_withheld")]
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service (empty when withheld).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        service: String,
        /// Window.
        window: u32,
        /// Whether it was picked out of order (in the JSON only when true).
        #[serde(default, skip_serializing_if = "is_false")]
        out_of_order: bool,
    },
    /// A called ticket was called again.
    ///
    /// The public projection withholds `ticket_id` and `service`, as for [`Self::Called`].
    Recalled {
        /// Ticket row ([`WITHHELD_TICKET_ID`] when withheld).
        #[serde(default, skip_serializing_if = "is_withheld")]
        ticket_id: TicketId,
        /// Number.
        number: String,
        /// Service (empty when withheld).
        #[serde(default, skip_serializing_if = "String::is_empty")]
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
        /// The staff member on duty at the window, when its login names one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staff: Option<StaffOnDuty>,
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
        /// The staff member who served (on duty at the window), when its login names one: what
        /// a rating of this visit names.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staff: Option<StaffOnDuty>,
    },
    /// Staff put a no-show ticket back in the queue (回队), as a walk-in of its class.
    Returned {
        /// Ticket row.
        ticket_id: TicketId,
        /// Number (unchanged).
        number: String,
        /// Service.
        service: String,
        /// Window that put it back.
        window: u32,
        /// Returns so far.
        returns: u32,
    },
    /// The queue host received the day's booked slots (replacing the earlier list).
    BookingsReplaced {
        /// Booked slots of the day now.
        count: u32,
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
    /// Staff logged in at a window (again when another staff member logs in there).
    WindowOpened {
        /// Window.
        window: u32,
        /// The staff member on duty, when the window's login names one (public, like the name
        /// plate on the counter).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staff: Option<StaffOnDuty>,
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
            Self::Returned { .. } => "returned",
            Self::BookingsReplaced { .. } => "bookings_replaced",
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

/// The `ticket_id` of an event whose ticket is withheld from its reader (ticket rows start at 1).
pub const WITHHELD_TICKET_ID: TicketId = 0;

fn is_withheld(id: &TicketId) -> bool {
    *id == WITHHELD_TICKET_ID
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Who reads the event stream, and so which events (and which of their fields) it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventAudience {
    /// Anyone on the LAN without credentials: the hall display, the LED panel, phone pages.
    /// Only what the hall shows: numbers called and recalled to windows (without ticket id,
    /// service or out-of-order flag), windows opening and closing, and the daily reset. No
    /// priority, no outcome, no device name.
    Public,
    /// A device authenticated by its token (named here): the public events, plus the tickets
    /// it issued, the reprint requests addressed to it and its own alerts, in full.
    Device(String),
    /// A device bound to a window (`[[lan.devices]] window`, the window's rating pad): what
    /// [`Self::Device`] gets, plus that window's calls (with ticket id and service), starts and
    /// completions (with outcome and staff member), no-shows, holds and transfers. Nothing that
    /// identifies the citizen is in these events; another window's are public only.
    WindowDevice {
        /// The device name.
        name: String,
        /// Its window.
        window: u32,
    },
    /// Window staff (a logged-in session) and the queue host itself: every event, in full.
    Staff,
}

impl EventAudience {
    /// `event` as this audience may see it, or `None` when it is not for this audience.
    pub fn project(&self, event: &QueueEvent) -> Option<QueueEvent> {
        let payload = match self {
            Self::Staff => Some(event.payload.clone()),
            Self::Public => public(&event.payload),
            Self::Device(name) => {
                if addressed_to(&event.payload, name) {
                    Some(event.payload.clone())
                } else {
                    public(&event.payload)
                }
            }
            Self::WindowDevice { name, window } => {
                if addressed_to(&event.payload, name) || at_window(&event.payload, *window) {
                    Some(event.payload.clone())
                } else {
                    public(&event.payload)
                }
            }
        }?;
        Some(QueueEvent {
            payload,
            ..event.clone()
        })
    }
}

/// The public form of an event (see [`EventAudience::Public`]). Every variant is listed, so a
/// new one must be classified here.
fn public(payload: &EventPayload) -> Option<EventPayload> {
    match payload {
        EventPayload::DayReset { .. }
        | EventPayload::WindowOpened { .. }
        | EventPayload::WindowClosed { .. } => Some(payload.clone()),
        EventPayload::Called { number, window, .. } => Some(EventPayload::Called {
            ticket_id: WITHHELD_TICKET_ID,
            number: number.clone(),
            service: String::new(),
            window: *window,
            out_of_order: false,
        }),
        EventPayload::Recalled {
            number,
            window,
            recalls,
            ..
        } => Some(EventPayload::Recalled {
            ticket_id: WITHHELD_TICKET_ID,
            number: number.clone(),
            service: String::new(),
            window: *window,
            recalls: *recalls,
        }),
        EventPayload::Issued { .. }
        | EventPayload::NoShow { .. }
        | EventPayload::Started { .. }
        | EventPayload::Completed { .. }
        | EventPayload::Returned { .. }
        | EventPayload::BookingsReplaced { .. }
        | EventPayload::Transferred { .. }
        | EventPayload::Held { .. }
        | EventPayload::Resumed { .. }
        | EventPayload::Cancelled { .. }
        | EventPayload::ReprintRequested { .. }
        | EventPayload::DeviceAlert { .. } => None,
    }
}

/// Whether an event concerns device `name` itself: a ticket it issued, a reprint it should
/// print, its own alerts.
fn addressed_to(payload: &EventPayload, name: &str) -> bool {
    match payload {
        EventPayload::Issued { device, .. }
        | EventPayload::ReprintRequested { device, .. }
        | EventPayload::DeviceAlert { device, .. } => device == name,
        _ => false,
    }
}

/// Whether an event is a call, start or completion at `window` (what its rating pad follows), or
/// the end of a served ticket without completion (no-show, hold, transfer: the pad stops showing
/// it).
fn at_window(payload: &EventPayload, window: u32) -> bool {
    match payload {
        EventPayload::Called { window: w, .. }
        | EventPayload::Recalled { window: w, .. }
        | EventPayload::Started { window: w, .. }
        | EventPayload::Completed { window: w, .. }
        | EventPayload::NoShow { window: w, .. }
        | EventPayload::Held { window: w, .. }
        | EventPayload::Transferred { window: w, .. } => *w == window,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::{PriorityKind, StaffOnDuty};

    fn event(payload: EventPayload) -> QueueEvent {
        QueueEvent {
            seq: 7,
            at: Utc.with_ymd_and_hms(2025, 3, 3, 1, 30, 0).unwrap(),
            day: NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(),
            payload,
        }
    }

    fn called() -> QueueEvent {
        event(EventPayload::Called {
            ticket_id: 12,
            number: "C003".into(),
            service: "legal_aid".into(),
            window: 3,
            out_of_order: true,
        })
    }

    #[test]
    fn the_public_form_of_a_call_is_number_and_window_and_still_parses() {
        let public = EventAudience::Public.project(&called()).unwrap();
        let json = serde_json::to_value(&public).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "seq": 7, "at": "2025-03-03T01:30:00Z", "day": "2025-03-03",
                "type": "called", "number": "C003", "window": 3,
            })
        );
        let parsed: QueueEvent = serde_json::from_value(json).unwrap();
        assert_eq!(parsed, public);
        // Staff get it all, and the full form round-trips too.
        let staff = EventAudience::Staff.project(&called()).unwrap();
        assert_eq!(staff, called());
        let json = serde_json::to_string(&staff).unwrap();
        assert!(json.contains("\"ticket_id\":12") && json.contains("\"out_of_order\":true"));
        assert_eq!(serde_json::from_str::<QueueEvent>(&json).unwrap(), called());
    }

    #[test]
    fn devices_get_what_is_addressed_to_them_and_the_public_rest() {
        let issued = event(EventPayload::Issued {
            ticket_id: 1,
            number: "C001".into(),
            service: "legal_aid".into(),
            priority: PriorityKind::Disabled,
            device: "kiosk-2".into(),
        });
        let reprint = event(EventPayload::ReprintRequested {
            ticket_id: 1,
            number: "C001".into(),
            service: "legal_aid".into(),
            device: "kiosk-2".into(),
            window: 3,
        });
        let outcome = event(EventPayload::Completed {
            ticket_id: 1,
            number: "C001".into(),
            service: "legal_aid".into(),
            window: 3,
            outcome: "rejected".into(),
            staff: None,
        });
        let mine = EventAudience::Device("kiosk-2".into());
        let other = EventAudience::Device("kiosk-1".into());
        for e in [&issued, &reprint] {
            assert_eq!(mine.project(e).as_ref(), Some(e));
            assert_eq!(other.project(e), None);
            assert_eq!(EventAudience::Public.project(e), None);
        }
        assert_eq!(mine.project(&outcome), None);
        assert_eq!(EventAudience::Public.project(&outcome), None);
        assert_eq!(
            EventAudience::Staff.project(&outcome),
            Some(outcome.clone())
        );
        assert_eq!(
            other.project(&called()),
            EventAudience::Public.project(&called())
        );
    }

    #[test]
    fn a_window_device_gets_its_windows_calls_starts_and_completions_in_full() {
        let staff = Some(StaffOnDuty {
            name: "李明".into(),
            staff_id: "QJ-017".into(),
        });
        let started = |window| {
            event(EventPayload::Started {
                ticket_id: 4,
                number: "C004".into(),
                service: "legal_aid".into(),
                window,
                staff: staff.clone(),
            })
        };
        let completed = |window| {
            event(EventPayload::Completed {
                ticket_id: 4,
                number: "C004".into(),
                service: "legal_aid".into(),
                window,
                outcome: "accepted".into(),
                staff: staff.clone(),
            })
        };
        let no_show = event(EventPayload::NoShow {
            ticket_id: 4,
            number: "C004".into(),
            service: "legal_aid".into(),
            window: 3,
        });
        let issued = event(EventPayload::Issued {
            ticket_id: 5,
            number: "C005".into(),
            service: "legal_aid".into(),
            priority: PriorityKind::None,
            device: "pad-3".into(),
        });
        let pad3 = EventAudience::WindowDevice {
            name: "pad-3".into(),
            window: 3,
        };
        let pad1 = EventAudience::WindowDevice {
            name: "pad-1".into(),
            window: 1,
        };
        for e in [started(3), completed(3), called()] {
            assert_eq!(pad3.project(&e).as_ref(), Some(&e), "{e:?}");
        }
        // Window 1's pad: the public form of the call, nothing of the start or completion.
        assert_eq!(pad1.project(&started(3)), None);
        assert_eq!(pad1.project(&completed(3)), None);
        assert_eq!(
            pad1.project(&called()),
            EventAudience::Public.project(&called())
        );
        assert_eq!(pad1.project(&started(1)).as_ref(), Some(&started(1)));
        // The end of a visit without completion too (the pad stops showing the ticket), but not
        // at another window's pad.
        assert_eq!(pad3.project(&no_show).as_ref(), Some(&no_show));
        assert_eq!(pad1.project(&no_show), None);
        let reprint = event(EventPayload::ReprintRequested {
            ticket_id: 4,
            number: "C004".into(),
            service: "legal_aid".into(),
            device: "kiosk-1".into(),
            window: 3,
        });
        assert_eq!(pad3.project(&reprint), None);
        // What is addressed to the device by name still reaches it.
        assert_eq!(pad3.project(&issued).as_ref(), Some(&issued));
        assert_eq!(pad1.project(&issued), None);
        // And the full completion names the staff member and the outcome, never a person.
        let json = serde_json::to_string(&pad3.project(&completed(3)).unwrap()).unwrap();
        assert!(json.contains("\"outcome\":\"accepted\"") && json.contains("QJ-017"));
        assert!(!json.contains("identity"));
    }
}
