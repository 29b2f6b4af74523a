//! The routes between kiosk and centre, below the centre's base URL (`https://centre/`).
//!
//! | route | who | body | answer |
//! |---|---|---|---|
//! | `GET api/v1/applications/key` | anyone | | `{"public_key": "<64 hex>"}` ([`KeyAnswer`]) |
//! | `POST api/v1/applications/{code}` | a device (`Authorization: Bearer`) | the sealed package (context: the code) | 201 stored, 200 stored before, 409 another package under the code, 400/413 refused with `{"error": …}` |
//! | `GET api/v1/applications/{code}/status` | anyone | | [`crate::ApplicationStatus`] or 404 |
//! | `POST api/v1/applications/lookup` | a device | the ID number sealed with context [`LOOKUP_CONTEXT`] | `[ApplicationStatus]`, newest first |

use serde::{Deserialize, Serialize};

use crate::TrackingCode;

/// The route of the centre's public key.
pub const KEY_PATH: &str = "api/v1/applications/key";
/// The route of the lookup by ID card.
pub const LOOKUP_PATH: &str = "api/v1/applications/lookup";
/// The context an ID number is sealed with for a lookup.
pub const LOOKUP_CONTEXT: &[u8] = b"lookup";
/// The media type of a sealed package.
pub const SEALED_MEDIA_TYPE: &str = "application/octet-stream";

/// The route that takes the application `code`.
pub fn submit_path(code: &TrackingCode) -> String {
    format!("api/v1/applications/{code}")
}

/// The route of the status of `code`.
pub fn status_path(code: &TrackingCode) -> String {
    format!("api/v1/applications/{code}/status")
}

/// The answer of [`KEY_PATH`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyAnswer {
    /// The centre's public key, 64 hexadecimal digits.
    pub public_key: String,
}
