//! The routes between kiosk and centre, below the centre's base URL (`https://centre/`).
//!
//! | route | who | body | answer |
//! |---|---|---|---|
//! | `GET api/v1/applications/key` | anyone | | `{"public_key": "<64 hex>"}` ([`KeyAnswer`]) |
//! | `POST api/v1/applications/{code}` | a device (`Authorization: Bearer`) | the sealed package (context: the code) | 201 stored, 200 stored before, 409 another package under the code, 400/413 refused with `{"error": …}` |
//! | `GET api/v1/applications/{code}/status` | anyone | | [`crate::ApplicationStatus`] or 404 |
//! | `POST api/v1/applications/lookup` | a device | the ID number sealed with context [`LOOKUP_CONTEXT`] | `[ApplicationStatus]`, newest first |
//! | `POST api/v1/uploads` | a device | [`UploadRequest`] | [`UploadSession`]: the phone page's address for a QR code |
//! | `GET /upload/{token}` | a phone | | the upload page; each photo `POST /upload/{token}/{paper}` |
//! | `GET api/v1/uploads/{token}?after=N` | the device that opened it | | [`UploadedPages`]: the pages numbered above `N`; those up to `N` are forgotten |
//! | `DELETE api/v1/uploads/{token}` | the device that opened it | | 204: closed, every page forgotten |

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

/// The route that opens a phone upload for a kiosk's session (a device, `POST`).
pub const UPLOADS_PATH: &str = "api/v1/uploads";

/// The route of the pages uploaded by phone to `token` (a device: `GET` with `?after=N` takes them,
/// `DELETE` closes).
pub fn upload_path(token: &str) -> String {
    format!("api/v1/uploads/{token}")
}

/// One paper the phone page offers to upload for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadPaper {
    /// The paper's key ([`crate::RequiredDocument::id`]).
    pub id: String,
    /// Its name in Simplified Chinese.
    pub zh: String,
    /// Its name in English.
    pub en: String,
}

/// The kiosk's request for a phone upload: the papers the application needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadRequest {
    /// The papers, in the order the kiosk lists them (at most 20).
    pub papers: Vec<UploadPaper>,
}

/// The centre's answer: where the phone goes, and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadSession {
    /// The session's secret (128 random bits, 32 lowercase hexadecimal digits).
    pub token: String,
    /// The phone page (`https://centre/upload/{token}`), shown as a QR code.
    pub url: String,
    /// Seconds until the session closes on its own.
    pub expires_in_secs: u64,
}

/// A page a phone uploaded. The centre hands it over until the kiosk acknowledges it (`?after=` its
/// number), then forgets it: an answer lost on the way loses no page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedPage {
    /// Its number in the session, from 1, in the order uploaded.
    pub number: u32,
    /// The paper it is for.
    pub paper: String,
    /// The picture as the centre re-encoded it (JPEG, metadata dropped), base64 (standard alphabet).
    pub jpeg_base64: String,
}

/// The answer to `GET api/v1/uploads/{token}?after=N`: the pages numbered above `N`; those up to `N`
/// (the kiosk has them) are forgotten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedPages {
    /// The new pages, in the order uploaded.
    pub pages: Vec<UploadedPage>,
}
