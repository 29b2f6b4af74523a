//! Paths of the LAN service, shared by the server (`kiosk/src/lan`), the
//! [`HttpQueueClient`](crate::HttpQueueClient) and the engine (the phone page URL of a ticket),
//! so none of them can disagree with another.
//!
//! The constants are axum route patterns: `{name}` marks a path parameter. The functions build
//! the concrete path of one resource from its pattern. Values go in as they are: ticket ids are
//! numbers, capabilities hex digits and device names `A-Z a-z 0-9 - _ .`, none of which needs
//! escaping.

use crate::model::TicketId;

/// A path of the staff and device API, under `/api/v1`.
macro_rules! api {
    ($path:literal) => {
        concat!("/api/v1", $path)
    };
}

/// `POST`: a window logs in with its PIN.
pub const LOGIN: &str = api!("/login");
/// `POST`: the window's session ends and the window closes.
pub const LOGOUT: &str = api!("/logout");
/// `POST`: a device issues a ticket.
pub const TICKETS: &str = api!("/tickets");
/// `POST`: a person's active ticket for a service, if any.
pub const ACTIVE_TICKET: &str = api!("/tickets/active");
/// `GET`: a ticket as printed, following transfers (pattern; path: [`ticket`]).
pub const TICKET: &str = api!("/tickets/{id}");
/// `POST`: a device withdraws a waiting ticket (pattern; path: [`ticket_cancel`]).
pub const TICKET_CANCEL: &str = api!("/tickets/{id}/cancel");
/// `POST`: a window's rating pad rates a ticket that window completed (pattern; path:
/// [`ticket_rating`]).
pub const TICKET_RATING: &str = api!("/tickets/{id}/rating");
/// `POST`: the citizen rates the completed ticket on the phone page (pattern; path:
/// [`phone_rating`]).
pub const PHONE_RATING: &str = api!("/t/{capability}/rating");
/// `PUT`: a device reports its printer alerts.
pub const DEVICE_ALERTS: &str = api!("/devices/alerts");
/// `PUT`: a device opens or closes its help request.
pub const DEVICE_HELP: &str = api!("/devices/help");
/// `POST`: staff close a device's help request (pattern; path: [`device_help_clear`]).
pub const DEVICE_HELP_CLEAR: &str = api!("/devices/{device}/help/clear");
/// `GET`: services, windows and device alerts.
pub const QUEUE: &str = api!("/queue");
/// `GET`: the day's booked slots with their check-in state (window staff).
pub const BOOKINGS: &str = api!("/bookings");
/// `GET`: the Server-Sent Events stream of the event log.
pub const EVENTS: &str = api!("/events");
/// `GET`: a window's staff view (pattern; path: [`window`]).
pub const WINDOW: &str = api!("/windows/{id}");
/// `POST`: one of the window [`action`]s (pattern; path: [`window_action`]).
pub const WINDOW_ACTION: &str = api!("/windows/{id}/{action}");
/// `GET`: what the phone page shows (pattern; path: [`phone_status`]).
pub const PHONE_STATUS: &str = api!("/t/{capability}");
/// `POST`: the citizen withdraws the ticket (pattern; path: [`phone_cancel`]).
pub const PHONE_CANCEL: &str = api!("/t/{capability}/cancel");
/// `GET`: the phone page behind a ticket's QR code (pattern; path: [`phone_page`]).
pub const PHONE_PAGE: &str = "/t/{capability}";
/// `GET`: the staff page.
pub const STAFF_PAGE: &str = "/staff";

/// The `{action}` of [`WINDOW_ACTION`].
pub mod action {
    /// Call the next ticket (the fairness rule); 204 when nobody waits.
    pub const CALL_NEXT: &str = "call-next";
    /// Call a ticket by number, out of order.
    pub const CALL: &str = "call";
    /// Call the current ticket again.
    pub const RECALL: &str = "recall";
    /// The called citizen did not come.
    pub const NO_SHOW: &str = "no-show";
    /// Start serving the called ticket.
    pub const START: &str = "start";
    /// End the visit with an outcome.
    pub const COMPLETE: &str = "complete";
    /// Send the ticket to another service.
    pub const TRANSFER: &str = "transfer";
    /// Park the ticket.
    pub const HOLD: &str = "hold";
    /// Bring back a parked ticket.
    pub const RESUME: &str = "resume";
    /// Ask the issuing kiosk to print a ticket again.
    pub const REPRINT: &str = "reprint";
    /// Issue a ticket for a person at the counter.
    pub const ISSUE: &str = "issue";
    /// Put a no-show back in the queue (回队).
    pub const RETURN: &str = "return";
}

/// The path of [`TICKET`].
pub fn ticket(id: TicketId) -> String {
    fill(TICKET, "id", &id.to_string())
}

/// The path of [`TICKET_CANCEL`].
pub fn ticket_cancel(id: TicketId) -> String {
    fill(TICKET_CANCEL, "id", &id.to_string())
}

/// The path of [`TICKET_RATING`].
pub fn ticket_rating(id: TicketId) -> String {
    fill(TICKET_RATING, "id", &id.to_string())
}

/// The path of [`PHONE_RATING`].
pub fn phone_rating(capability: &str) -> String {
    fill(PHONE_RATING, "capability", capability)
}

/// The path of [`DEVICE_HELP_CLEAR`].
pub fn device_help_clear(device: &str) -> String {
    fill(DEVICE_HELP_CLEAR, "device", device)
}

/// The path of [`WINDOW`].
pub fn window(id: u32) -> String {
    fill(WINDOW, "id", &id.to_string())
}

/// The path of [`WINDOW_ACTION`], `action` one of [`action`].
pub fn window_action(id: u32, action: &str) -> String {
    fill(
        &fill(WINDOW_ACTION, "id", &id.to_string()),
        "action",
        action,
    )
}

/// The path of [`PHONE_STATUS`].
pub fn phone_status(capability: &str) -> String {
    fill(PHONE_STATUS, "capability", capability)
}

/// The path of [`PHONE_CANCEL`].
pub fn phone_cancel(capability: &str) -> String {
    fill(PHONE_CANCEL, "capability", capability)
}

/// The path of [`PHONE_PAGE`].
pub fn phone_page(capability: &str) -> String {
    fill(PHONE_PAGE, "capability", capability)
}

/// A ticket's `status_url` (its QR code): `base` (e.g. `http://192.168.1.10:8080`, without a
/// trailing `/`; empty for a relative URL) followed by the [`phone_page`] path.
pub fn phone_page_url(base: &str, capability: &str) -> String {
    format!("{base}{}", phone_page(capability))
}

/// `pattern` with its `{name}` replaced by `value`.
fn fill(pattern: &str, name: &str, value: &str) -> String {
    pattern.replacen(&format!("{{{name}}}"), value, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fill_every_placeholder_of_their_pattern() {
        assert_eq!(QUEUE, "/api/v1/queue");
        assert_eq!(BOOKINGS, "/api/v1/bookings");
        assert_eq!(window_action(3, action::RETURN), "/api/v1/windows/3/return");
        assert_eq!(ticket(42), "/api/v1/tickets/42");
        assert_eq!(ticket_cancel(42), "/api/v1/tickets/42/cancel");
        assert_eq!(
            device_help_clear("kiosk-1"),
            "/api/v1/devices/kiosk-1/help/clear"
        );
        assert_eq!(window(3), "/api/v1/windows/3");
        assert_eq!(
            window_action(3, action::CALL_NEXT),
            "/api/v1/windows/3/call-next"
        );
        assert_eq!(phone_status("ab12"), "/api/v1/t/ab12");
        assert_eq!(phone_cancel("ab12"), "/api/v1/t/ab12/cancel");
        assert_eq!(phone_page("ab12"), "/t/ab12");
        assert_eq!(
            phone_page_url("http://192.168.1.10:8080", "ab12"),
            "http://192.168.1.10:8080/t/ab12"
        );
        assert_eq!(phone_page_url("", "ab12"), "/t/ab12");
    }
}
