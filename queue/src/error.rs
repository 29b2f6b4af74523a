//! Errors of the queue engine and of its clients.

use thiserror::Error;

/// Everything that can go wrong in a queue operation.
///
/// Variants that a citizen or a member of staff can cause carry the offending value, so the
/// message names what was wrong; the LAN service maps each variant to an HTTP status code
/// ([`QueueError::kind`]).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum QueueError {
    /// The configuration is inconsistent.
    #[error("invalid queue configuration: {0}")]
    Config(String),
    /// A request field is malformed (named in the message).
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field that was wrong.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// No service with this id is configured.
    #[error("unknown service {0:?}")]
    UnknownService(String),
    /// No window with this number is configured.
    #[error("unknown window {0}")]
    UnknownWindow(u32),
    /// No ticket matches.
    #[error("no ticket {0}")]
    TicketNotFound(String),
    /// The service does not issue tickets right now (closed or full); the reason is bilingual.
    #[error("service {service:?} is not issuing tickets: {reason}")]
    ServiceUnavailable {
        /// The service id.
        service: String,
        /// Why, in Chinese and English.
        reason: String,
    },
    /// The person already holds an active ticket for this service.
    #[error("an active ticket {number} already exists for this person and service")]
    AlreadyActive {
        /// The number of the existing ticket.
        number: String,
        /// Its id.
        ticket_id: i64,
    },
    /// The person already holds an active ticket for this service, issued by another device.
    ///
    /// Its number and id are not disclosed to the asking device: only the issuing device may
    /// read a ticket (see `QueueEngine::ticket_for_device`).
    #[error(
        "此业务您已在其他取号机取号，请使用该号票 / an active ticket for service {service:?} already exists for this person, issued by another ticket machine"
    )]
    AlreadyActiveElsewhere {
        /// The service id.
        service: String,
    },
    /// The service requires an ID card and no identity token was given.
    #[error("service {0:?} requires an ID card")]
    IdentityRequired(String),
    /// The operation does not fit the ticket's or window's current state.
    #[error("{0}")]
    Conflict(String),
    /// The recall limit is reached and the configuration keeps the ticket.
    #[error("ticket {number} was already recalled {recalls} times")]
    RecallLimit {
        /// The ticket number.
        number: String,
        /// Recalls so far.
        recalls: u32,
    },
    /// The ticket was already put back in the queue as often as `max_returns` allows.
    #[error(
        "{number} 已回队 {returns} 次，不能再回队 / ticket {number} was already put back in the queue {returns} times (the limit)"
    )]
    ReturnLimit {
        /// The ticket number.
        number: String,
        /// Returns so far.
        returns: u32,
    },
    /// The identity salt is not configured on this device.
    #[error("no identity salt is configured: set [queue] identity_salt")]
    IdentitySaltMissing,
    /// The database failed.
    #[error("queue database: {0}")]
    Database(#[from] rusqlite::Error),
    /// Stored data could not be decoded (a bug or a damaged file).
    #[error("queue data: {0}")]
    Corrupt(String),
    /// A remote queue host could not be reached or answered unexpectedly.
    #[error("queue host: {0}")]
    Remote(String),
    /// The remote queue host refused the request with an HTTP status and message.
    #[error("queue host refused ({status}): {message}")]
    Refused {
        /// HTTP status code.
        status: u16,
        /// The host's error message.
        message: String,
        /// The host's machine-readable error code, when given.
        code: Option<String>,
    },
}

/// Coarse class of a [`QueueError`], used to choose an HTTP status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Malformed input (400 / 422).
    BadRequest,
    /// Nothing matches (404).
    NotFound,
    /// The state does not allow it (409).
    Conflict,
    /// Internal or remote failure (500 / 502).
    Internal,
}

impl QueueError {
    /// The class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Invalid { .. } | Self::IdentityRequired(_) => ErrorKind::BadRequest,
            Self::UnknownService(_) | Self::UnknownWindow(_) | Self::TicketNotFound(_) => {
                ErrorKind::NotFound
            }
            Self::ServiceUnavailable { .. }
            | Self::AlreadyActive { .. }
            | Self::AlreadyActiveElsewhere { .. }
            | Self::Conflict(_)
            | Self::RecallLimit { .. }
            | Self::ReturnLimit { .. } => ErrorKind::Conflict,
            Self::Refused { status, .. } => match status {
                404 => ErrorKind::NotFound,
                409 => ErrorKind::Conflict,
                400..=499 => ErrorKind::BadRequest,
                _ => ErrorKind::Internal,
            },
            Self::Config(_)
            | Self::IdentitySaltMissing
            | Self::Database(_)
            | Self::Corrupt(_)
            | Self::Remote(_) => ErrorKind::Internal,
        }
    }

    /// A short machine-readable code, stable across versions (e.g. `already_active`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(_) => "config",
            Self::Invalid { .. } => "invalid",
            Self::UnknownService(_) => "unknown_service",
            Self::UnknownWindow(_) => "unknown_window",
            Self::TicketNotFound(_) => "ticket_not_found",
            Self::ServiceUnavailable { .. } => "service_unavailable",
            // The same code: for a client, both are the one-ticket-per-person rule.
            Self::AlreadyActive { .. } | Self::AlreadyActiveElsewhere { .. } => "already_active",
            Self::IdentityRequired(_) => "identity_required",
            Self::Conflict(_) => "conflict",
            Self::RecallLimit { .. } => "recall_limit",
            Self::ReturnLimit { .. } => "return_limit",
            Self::IdentitySaltMissing => "identity_salt_missing",
            Self::Database(_) => "database",
            Self::Corrupt(_) => "corrupt",
            Self::Remote(_) => "remote",
            Self::Refused { .. } => "refused",
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}
