//! JSON bodies of the LAN API, shared by the service and the HTTP client, and its paths
//! ([`routes`]).

pub mod routes;

use serde::{Deserialize, Serialize};

use super::{
    alerts::DeviceAlerts,
    model::{
        Booking, BookingState, IdentityToken, PriorityKind, QueuePosition, ServiceStatus,
        WindowStatus,
    },
};

/// `POST /api/v1/tickets`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// Service id.
    pub service: String,
    /// `false`/`true` (true = manual priority) or a kind: `"elderly"`, `"disabled"`, `"manual"`.
    #[serde(default)]
    pub priority: PriorityField,
    /// Salted identity token (64 hex digits), when the ID card was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_token: Option<IdentityToken>,
    /// The booking of an appointment check-in: the answer is then a
    /// [`CheckedIn`](crate::model::CheckedIn) (the ticket with an `appointment` object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment: Option<Booking>,
}

/// `POST /api/v1/windows/{id}/issue`: a ticket for a person at the counter.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterIssueBody {
    /// Service id.
    pub service: String,
    /// As in [`IssueBody::priority`].
    #[serde(default)]
    pub priority: PriorityField,
    /// The ID card number typed by staff, when given: turned into the identity token on the
    /// host and dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
}

impl std::fmt::Debug for CounterIssueBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CounterIssueBody")
            .field("service", &self.service)
            .field("priority", &self.priority)
            .field("id_number", &self.id_number.as_ref().map(|_| "…"))
            .finish()
    }
}

/// `POST /api/v1/windows/{id}/return`: put a no-show back in the queue (回队).
pub type ReturnBody = NumberBody;

/// Answer of `GET /api/v1/bookings`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookingsResponse {
    /// Business day.
    pub day: chrono::NaiveDate,
    /// The day's booked slots by start, with their check-in state.
    pub bookings: Vec<BookingState>,
}

/// The `priority` field: a boolean or a priority kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PriorityField {
    /// `true` means a manual priority.
    Flag(bool),
    /// A priority kind.
    Kind(PriorityKind),
}

impl Default for PriorityField {
    fn default() -> Self {
        Self::Flag(false)
    }
}

impl From<PriorityField> for PriorityKind {
    fn from(p: PriorityField) -> Self {
        match p {
            PriorityField::Flag(false) => Self::None,
            PriorityField::Flag(true) => Self::Manual,
            PriorityField::Kind(k) => k,
        }
    }
}

/// `POST /api/v1/tickets/active`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveBody {
    /// Service id.
    pub service: String,
    /// Salted identity token.
    pub identity_token: IdentityToken,
}

/// `POST /api/v1/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// Window number.
    pub window: u32,
    /// The window's PIN.
    pub pin: String,
}

/// Answer of `POST /api/v1/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Bearer token of the window session.
    pub token: String,
    /// The window.
    pub window: u32,
    /// Seconds until the session expires.
    pub expires_in: u64,
}

/// `POST /api/v1/windows/{id}/call` and `/reprint`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberBody {
    /// Ticket number, e.g. `A012`.
    pub number: String,
}

/// `POST /api/v1/windows/{id}/resume` (the body is optional).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResumeBody {
    /// Held ticket to resume; the last held when absent.
    #[serde(default)]
    pub number: Option<String>,
}

/// `POST /api/v1/windows/{id}/complete`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteBody {
    /// Outcome code.
    pub outcome: String,
}

/// `POST /api/v1/windows/{id}/transfer`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// Target service id.
    pub service: String,
    /// `"front"` or `"back"`.
    pub position: QueuePosition,
}

/// `POST /api/v1/tickets/{id}/rating` (a window's rating pad) and `POST /api/v1/t/{capability}/rating`
/// (the phone page): one rating of a completed ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub score: u8,
    /// Reason ids of [`RATING_REASONS`](crate::model::RATING_REASONS), optional.
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// `PUT /api/v1/devices/help`: open or close this device's help request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelpBody {
    /// `true`: a visitor pressed the help button; `false`: the request is closed.
    pub requested: bool,
}

/// One device's alerts with the banner text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlertEntry {
    /// Device name.
    pub device: String,
    /// Its alerts.
    pub alerts: DeviceAlerts,
    /// Banner text (Chinese / English), when something needs attention.
    pub message: Option<String>,
}

/// Answer of `GET /api/v1/queue`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueueResponse {
    /// Business day.
    pub day: chrono::NaiveDate,
    /// Services.
    pub services: Vec<ServiceStatus>,
    /// Windows.
    pub windows: Vec<WindowStatus>,
    /// Device alerts that need attention.
    pub alerts: Vec<AlertEntry>,
}

/// Every error body: `{"error": "…", "code": "…"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong (Chinese / English where a person reads it).
    pub error: String,
    /// Machine-readable code.
    #[serde(default)]
    pub code: Option<String>,
}
