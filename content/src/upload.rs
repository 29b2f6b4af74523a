//! The publisher's upload of a built bundle to the district centre: `POST {centre}/api/v1/content` with
//! the bundle as one pack ([`crate::pack`]), `Authorization: Bearer <publisher token>`.
//!
//! The bundle is signed before it leaves the publisher (the centre never holds the signing key); the
//! centre checks the signature against its own trusted keys, every file and every record, and answers
//! `201` with what it published, or an error status with a reason.

use std::{path::Path, time::Duration};

use serde::Deserialize;

use crate::{ContentConfig, ContentError, ContentLimits, PublicKey, pack, publish::verify_dir};

/// The media type of an uploaded pack.
pub const PACK_MEDIA_TYPE: &str = "application/vnd.qianjiang.content-pack";

/// The environment variable holding the publisher token when no token file is given.
pub const TOKEN_ENV: &str = "CENTRE_PUBLISHER_TOKEN";

/// The centre's route for uploads, below its base URL.
pub const UPLOAD_PATH: &str = "api/v1/content";

/// What the centre answered to a successful upload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UploadReceipt {
    /// The version now served.
    pub version: u64,
    /// Its epoch.
    pub epoch: u64,
    /// Files in the bundle.
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
    /// The publisher name the centre recorded.
    pub publisher: String,
}

/// Why an upload did not publish the bundle.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The bundle directory does not hold a valid bundle, or the token file cannot be read.
    #[error(transparent)]
    Bundle(#[from] ContentError),
    /// The centre URL is not an `http(s)://` base URL.
    #[error("centre URL `{url}`: {reason}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The centre could not be reached or the connection failed (including a certificate that does not
    /// match the pinned one).
    #[error("{url}: {reason}")]
    Transfer {
        /// The upload URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The centre refused the bundle; the bundle it served before stays.
    #[error("{url}: the centre refused the bundle (HTTP {status}): {reason}")]
    Refused {
        /// The upload URL.
        url: String,
        /// The status (400 bad bundle, 401 token, 409 not newer, 413 too large…).
        status: u16,
        /// The centre's reason.
        reason: String,
    },
}

/// The upload URL for a centre base URL (`https://centre.example:8480` → `…/api/v1/content`).
pub fn upload_url(centre_url: &str) -> Result<reqwest::Url, UploadError> {
    let bad = |reason: &str| UploadError::Url {
        url: centre_url.to_owned(),
        reason: reason.to_owned(),
    };
    let base = format!("{}/", centre_url.trim_end_matches('/'));
    let parsed = reqwest::Url::parse(&base).map_err(|err| bad(&err.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || !parsed.has_host() {
        return Err(bad("must be an https:// (or http://) base URL"));
    }
    parsed
        .join(UPLOAD_PATH)
        .map_err(|err| bad(&err.to_string()))
}

/// Verifies the bundle directory `dist_dir` against `keys` (as a device would) and packs exactly its
/// manifest and the files the manifest lists (files of earlier bundles left in the directory are not
/// sent).
pub fn pack_dir(dist_dir: &Path, keys: &[PublicKey]) -> Result<Vec<u8>, ContentError> {
    let verified = verify_dir(dist_dir, keys, &ContentLimits::default())?;
    let objects_dir = dist_dir.join("objects");
    let mut files = Vec::with_capacity(verified.files.len());
    for id in verified.files.keys() {
        let path = id.path_in(&objects_dir);
        let bytes = std::fs::read(&path).map_err(|source| ContentError::io(&path, source))?;
        files.push((id.relative_path(), bytes));
    }
    let mut entries: Vec<(String, &[u8])> = vec![("manifest.json".to_owned(), &verified.raw)];
    entries.extend(
        files
            .iter()
            .map(|(name, bytes)| (name.clone(), bytes.as_slice())),
    );
    Ok(pack::write(&entries))
}

/// Reads a publisher token: the first line of `path`, which must not be empty.
pub fn read_token(path: &Path) -> Result<String, ContentError> {
    let text = std::fs::read_to_string(path).map_err(|source| ContentError::io(path, source))?;
    let token = text.lines().next().unwrap_or_default().trim().to_owned();
    if token.is_empty() {
        return Err(ContentError::Config {
            key: "token file".into(),
            reason: format!("{} holds no token on its first line", path.display()),
        });
    }
    Ok(token)
}

/// POSTs `pack` to the centre at `centre_url` with the publisher `token`. `ca_file`, when given, is the
/// only certificate (or CA) trusted for an `https://` centre, as a kiosk's `[content] ca_file`.
pub async fn upload(
    centre_url: &str,
    token: &str,
    pack: Vec<u8>,
    ca_file: Option<&Path>,
) -> Result<UploadReceipt, UploadError> {
    let url = upload_url(centre_url)?;
    let client = ContentConfig {
        ca_file: ca_file.map(Path::to_path_buf),
        ..ContentConfig::default()
    }
    .http_client(Duration::from_secs(10), Duration::from_secs(300))?;
    let transfer = |err: reqwest::Error| UploadError::Transfer {
        url: url.to_string(),
        reason: crate::error::chain(&err),
    };
    let response = client
        .post(url.clone())
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, PACK_MEDIA_TYPE)
        .body(pack)
        .send()
        .await
        .map_err(transfer)?;
    let status = response.status();
    let text = response.text().await.map_err(transfer)?;
    if !status.is_success() {
        let reason = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_owned))
            .unwrap_or(text);
        return Err(UploadError::Refused {
            url: url.to_string(),
            status: status.as_u16(),
            reason,
        });
    }
    serde_json::from_str(&text).map_err(|err| UploadError::Transfer {
        url: url.to_string(),
        reason: format!("the centre's answer is not a receipt: {err}"),
    })
}

/// What the publisher tool does after a build with `--upload`: reads the token (from `token_file`, else
/// [`TOKEN_ENV`]), packs the bundle in `dist_dir` (verified against `key`, the signing key's public
/// half), and uploads it to `centre_url`, waiting for the answer. Blocking: runs its own runtime.
pub fn upload_dir(
    dist_dir: &Path,
    key: &PublicKey,
    centre_url: &str,
    token_file: Option<&Path>,
    ca_file: Option<&Path>,
) -> Result<UploadReceipt, UploadError> {
    let token = match token_file {
        Some(path) => read_token(path)?,
        None => std::env::var(TOKEN_ENV)
            .ok()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ContentError::Config {
                key: "--token-file".into(),
                reason: format!("no publisher token: give --token-file or set {TOKEN_ENV}"),
            })?,
    };
    upload_url(centre_url)?;
    let pack = pack_dir(dist_dir, std::slice::from_ref(key))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| UploadError::Transfer {
            url: centre_url.to_owned(),
            reason: format!("cannot start the async runtime: {err}"),
        })?;
    runtime.block_on(upload(centre_url, &token, pack, ca_file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upload_url_is_below_the_centre_url() {
        for base in [
            "https://centre.example:8480",
            "https://centre.example:8480/",
        ] {
            assert_eq!(
                upload_url(base).unwrap().as_str(),
                "https://centre.example:8480/api/v1/content"
            );
        }
        assert_eq!(
            upload_url("http://gov.example/centre").unwrap().as_str(),
            "http://gov.example/centre/api/v1/content"
        );
        for bad in ["centre.example", "ftp://centre.example", "not a url"] {
            let err = upload_url(bad).unwrap_err();
            assert!(matches!(err, UploadError::Url { .. }), "{bad}: {err}");
        }
    }
}
