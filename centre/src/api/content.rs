//! Content: the published bundle at `/content/` for kiosks, and `POST /api/v1/content` for publishers.
//!
//! `/content/manifest.json` and `/content/objects/ab/<sha256>` are served exactly as a kiosk's sync
//! (`content/src/fetch.rs`) asks for them: conditional requests (`If-None-Match` with the strong `ETag`,
//! else `If-Modified-Since`) answered `304`, `Range: bytes=N-` (any single range) answered `206` or `416`,
//! the manifest `no-cache` (revalidated every time), files `immutable` (named by their hash). Nothing
//! else below `/content/` exists: no directory listing, and a path is never built from the request (a
//! file is looked up by its parsed digest in the published manifest).
//!
//! Why not tower-http's `ServeDir`: it sends no `ETag` and answers `If-Modified-Since` alone, with HTTP
//! dates of one second, so a bundle published in the same second as the one before would be answered
//! `304` to a kiosk that has the older one; it takes the content type from a file's extension, and the
//! bundle's files have none (their media type is in the manifest); and it would serve whatever is in the
//! directory. The part it would save (a single byte range) is small, and written here.

use std::{io::SeekFrom, sync::Arc};

use axum::{
    Json, Router,
    body::{Body, Bytes},
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use clock::WallClock;
use content::ObjectId;
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};

use super::ApiError;
use crate::{
    auth::{bearer_token, token_sha256},
    publications::{Publication, PublicationLog},
    published::{Bundle, PublishError, PublishedContent},
};

/// The demo's publisher (`centre serve` without `--config`).
pub const DEMO_PUBLISHER: &str = "demo-publisher";
/// The demo publisher's token.
pub const DEMO_PUBLISHER_TOKEN: &str = "demo-publisher-token";
/// The default largest upload, in MiB (`content_upload_max_mib`).
pub const DEFAULT_UPLOAD_MAX_MIB: u64 = 256;

const MANIFEST_CACHE: &str = "no-cache";
const OBJECT_CACHE: &str = "public, max-age=31536000, immutable";
const NOT_PUBLISHED: &str = "尚未发布内容包，终端继续使用本机内容 / no content bundle has been published \
     on this centre yet; kiosks keep their own content";

/// A publisher allowed to upload bundles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    /// Its name, recorded with each publication.
    pub name: String,
    /// Hex SHA-256 of its token.
    pub token_sha256: String,
}

/// What the content routes share. Clone freely.
#[derive(Clone)]
pub struct ContentService {
    published: Arc<PublishedContent>,
    log: PublicationLog,
    publishers: Arc<Vec<Publisher>>,
    clock: Arc<dyn WallClock>,
    max_upload_bytes: usize,
}

impl std::fmt::Debug for ContentService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentService")
            .field("published", &self.published)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .finish_non_exhaustive()
    }
}

impl ContentService {
    /// The service over the published bundles, recording publications in `log`; `max_upload_bytes`
    /// bounds an upload (larger: `413`).
    pub fn new(
        published: Arc<PublishedContent>,
        log: PublicationLog,
        publishers: Vec<Publisher>,
        clock: Arc<dyn WallClock>,
        max_upload_bytes: usize,
    ) -> Self {
        Self {
            published,
            log,
            publishers: Arc::new(publishers),
            clock,
            max_upload_bytes,
        }
    }

    /// The published bundles.
    pub fn published(&self) -> &Arc<PublishedContent> {
        &self.published
    }
}

/// The content routes: `GET /content/manifest.json`, `GET /content/objects/{fan}/{name}` (and `HEAD`),
/// `POST /api/v1/content` and `GET /api/v1/content` (publishers).
pub fn router(service: ContentService) -> Router {
    Router::new()
        .route("/content/manifest.json", get(manifest))
        .route("/content/objects/{fan}/{name}", get(object))
        .route("/content", get(not_found))
        .route("/content/", get(not_found))
        .route("/content/{*rest}", get(not_found))
        .route("/api/v1/content", get(publications).post(upload))
        .with_state(service)
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no such file: a bundle is /content/manifest.json and the files it lists",
    )
}

async fn manifest(State(service): State<ContentService>, headers: HeaderMap) -> Response {
    let Some(bundle) = service.published.current() else {
        return ApiError::new(StatusCode::NOT_FOUND, NOT_PUBLISHED).into_response();
    };
    let mut common = HeaderMap::new();
    common.insert(header::ETAG, value(&bundle.etag));
    common.insert(header::LAST_MODIFIED, value(&http_date(bundle.published)));
    common.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(MANIFEST_CACHE),
    );
    common.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if not_modified(&headers, &bundle.etag, Some(bundle.published)) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    common.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let len = bundle.manifest.len() as u64;
    match byte_range(&headers, &bundle.etag, len) {
        Range::Full => (StatusCode::OK, common, bundle.manifest.clone()).into_response(),
        Range::Part(start, end) => {
            common.insert(
                header::CONTENT_RANGE,
                value(&content_range(start, end, len)),
            );
            let part = bundle.manifest.slice(start as usize..=end as usize);
            (StatusCode::PARTIAL_CONTENT, common, part).into_response()
        }
        Range::Unsatisfiable => unsatisfiable(common, len),
    }
}

async fn object(
    State(service): State<ContentService>,
    Path((fan, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let missing = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not a file of the published bundle (it may have been replaced: fetch manifest.json again)",
        )
        .into_response()
    };
    let Ok(id) = name.parse::<ObjectId>() else {
        return missing();
    };
    if !name.starts_with(&fan) || fan.len() != 2 {
        return missing();
    }
    // The current bundle's files, and the previous bundle's for kiosks that began before the switch.
    let found = [service.published.current(), service.published.previous()]
        .into_iter()
        .flatten()
        .find_map(|bundle: Arc<Bundle>| {
            let (path, entry) = bundle.object_path(id)?;
            Some((path, entry.clone()))
        });
    let Some((path, entry)) = found else {
        return missing();
    };
    let etag = format!("\"{id}\"");
    let mut common = HeaderMap::new();
    common.insert(header::ETAG, value(&etag));
    common.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(OBJECT_CACHE),
    );
    common.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if not_modified(&headers, &etag, None) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    common.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&entry.media_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    common.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let len = entry.size;
    let (status, start, end) = match byte_range(&headers, &etag, len) {
        Range::Full => (StatusCode::OK, 0, len.saturating_sub(1)),
        Range::Part(start, end) => {
            common.insert(
                header::CONTENT_RANGE,
                value(&content_range(start, end, len)),
            );
            (StatusCode::PARTIAL_CONTENT, start, end)
        }
        Range::Unsatisfiable => return unsatisfiable(common, len),
    };
    let mut file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(err) => {
            tracing::error!("published file {}: {err}", path.display());
            return missing();
        }
    };
    if start > 0
        && let Err(err) = file.seek(SeekFrom::Start(start)).await
    {
        tracing::error!("published file {}: {err}", path.display());
        return missing();
    }
    let count = if len == 0 { 0 } else { end - start + 1 };
    common.insert(header::CONTENT_LENGTH, value(&count.to_string()));
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file.take(count)));
    (status, common, body).into_response()
}

/// `POST /api/v1/content`: a publisher uploads a signed bundle as one pack.
async fn upload(
    State(service): State<ContentService>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let publisher = authenticate(&service, &headers)?;
    let limit = service.max_upload_bytes;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the bundle is larger than {limit} bytes (content_upload_max_mib in the centre's configuration)"
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let pack = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())?;
    let now = service.clock.now();
    let published = Arc::clone(&service.published);
    let result = tokio::task::spawn_blocking(move || published.publish(&pack, now))
        .await
        .map_err(|err| {
            tracing::error!("publishing: {err}");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "publishing failed, try again",
            )
        })?;
    let done = match result {
        Ok(done) => done,
        Err(err) => {
            let status = match &err {
                PublishError::NotNewer { .. } => StatusCode::CONFLICT,
                PublishError::Io { .. } => {
                    tracing::error!("publishing for {}: {err}", publisher.name);
                    return Err(ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the centre could not store the bundle, try again; the previous bundle is still served",
                    ));
                }
                _ => StatusCode::BAD_REQUEST,
            };
            tracing::warn!("upload by {} refused: {err}", publisher.name);
            return Err(ApiError::new(
                status,
                format!("{err}; the previous bundle is still served"),
            ));
        }
    };
    let record = Publication {
        publisher: publisher.name.clone(),
        version: done.version,
        epoch: done.epoch,
        title: done.title.clone(),
        manifest_sha256: done.manifest_sha256.clone(),
        files: done.files as u64,
        bytes: done.bytes,
        published: now,
    };
    let log = service.log.clone();
    let logged = tokio::task::spawn_blocking(move || log.record(&record)).await;
    if let Err(err) = logged
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()))
    {
        tracing::error!("content_publications: {err} (the bundle is published)");
    }
    tracing::info!(
        "content published by {}: version {} epoch {} ({:?}), {} files, {} bytes, replacing {:?}",
        publisher.name,
        done.version,
        done.epoch,
        done.title,
        done.files,
        done.bytes,
        done.replaced
    );
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "version": done.version,
            "epoch": done.epoch,
            "title": done.title,
            "files": done.files,
            "bytes": done.bytes,
            "manifest_sha256": done.manifest_sha256,
            "publisher": publisher.name,
            "published": now,
        })),
    )
        .into_response())
}

/// `GET /api/v1/content` (publishers): the version served and the newest publications.
async fn publications(
    State(service): State<ContentService>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authenticate(&service, &headers)?;
    let log = service.log.clone();
    let recent = tokio::task::spawn_blocking(move || log.recent(50))
        .await
        .map_err(|err| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, err.to_string()))??;
    let current = service.published.current().map(|b| {
        serde_json::json!({
            "version": b.info.version,
            "epoch": b.info.epoch,
            "title": b.info.title,
            "expires": b.info.expires,
        })
    });
    Ok(Json(serde_json::json!({ "current": current, "publications": recent })).into_response())
}

fn authenticate(service: &ContentService, headers: &HeaderMap) -> Result<Publisher, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .ok_or_else(|| {
            ApiError::unauthorized("a publisher token is required (Authorization: Bearer …)")
        })?;
    let hash = token_sha256(token);
    service
        .publishers
        .iter()
        .find(|p| p.token_sha256 == hash)
        .cloned()
        .ok_or_else(|| ApiError::unauthorized("unknown publisher token"))
}

/// Whether a conditional request is answered `304`: `If-None-Match` when present (weak comparison,
/// `*` included), else `If-Modified-Since` against `modified`.
fn not_modified(headers: &HeaderMap, etag: &str, modified: Option<DateTime<Utc>>) -> bool {
    if let Some(tags) = headers.get(header::IF_NONE_MATCH) {
        let Ok(tags) = tags.to_str() else {
            return false;
        };
        return tags
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag);
    }
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok());
    matches!((modified, since), (Some(modified), Some(since)) if modified <= since)
}

/// The part of a representation of `len` bytes a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Range {
    /// All of it (no `Range`, one that is not understood, several ranges, or an `If-Range` that
    /// does not match).
    Full,
    /// Bytes `start..=end`.
    Part(u64, u64),
    /// A range that starts past the end: `416`.
    Unsatisfiable,
}

fn byte_range(headers: &HeaderMap, etag: &str, len: u64) -> Range {
    let Some(spec) = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("bytes="))
    else {
        return Range::Full;
    };
    if let Some(tag) = headers.get(header::IF_RANGE)
        && tag.to_str().map(str::trim).ok() != Some(etag)
    {
        return Range::Full;
    }
    if spec.contains(',') {
        return Range::Full;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Range::Full;
    };
    let (first, last) = (first.trim(), last.trim());
    match (first.parse::<u64>(), last.parse::<u64>()) {
        (Ok(start), _) if start >= len => Range::Unsatisfiable,
        (Ok(start), Ok(end)) if end >= start => Range::Part(start, end.min(len - 1)),
        (Ok(start), Err(_)) if last.is_empty() => Range::Part(start, len - 1),
        (Err(_), Ok(0)) if first.is_empty() => Range::Unsatisfiable,
        (Err(_), Ok(suffix)) if first.is_empty() && len > 0 => {
            Range::Part(len.saturating_sub(suffix), len - 1)
        }
        (Err(_), Ok(_)) if first.is_empty() => Range::Unsatisfiable,
        _ => Range::Full,
    }
}

fn unsatisfiable(mut headers: HeaderMap, len: u64) -> Response {
    headers.insert(header::CONTENT_RANGE, value(&format!("bytes */{len}")));
    (StatusCode::RANGE_NOT_SATISFIABLE, headers, Bytes::new()).into_response()
}

fn content_range(start: u64, end: u64, len: u64) -> String {
    format!("bytes {start}-{end}/{len}")
}

fn http_date(time: DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).expect("tags, dates and numbers are valid header values")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranged(range: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(range).unwrap());
        headers
    }

    #[test]
    fn ranges_are_read_as_a_single_byte_range() {
        let cases = [
            ("bytes=0-", Range::Part(0, 99)),
            ("bytes=40-", Range::Part(40, 99)),
            ("bytes=10-19", Range::Part(10, 19)),
            ("bytes=90-200", Range::Part(90, 99)),
            ("bytes=-10", Range::Part(90, 99)),
            ("bytes=-500", Range::Part(0, 99)),
            ("bytes=100-", Range::Unsatisfiable),
            ("bytes=-0", Range::Unsatisfiable),
            ("bytes=20-10", Range::Full),
            ("bytes=0-1,5-6", Range::Full),
            ("items=0-1", Range::Full),
            ("bytes=x-", Range::Full),
        ];
        for (range, expected) in cases {
            assert_eq!(
                byte_range(&ranged(range), "\"e\"", 100),
                expected,
                "{range}"
            );
        }
        let mut stale = ranged("bytes=10-");
        stale.insert(header::IF_RANGE, HeaderValue::from_static("\"old\""));
        assert_eq!(byte_range(&stale, "\"new\"", 100), Range::Full);
        assert_eq!(
            byte_range(&ranged("bytes=0-"), "\"e\"", 0),
            Range::Unsatisfiable
        );
    }

    #[test]
    fn if_none_match_wins_over_if_modified_since() {
        let published = DateTime::from_timestamp(1_770_000_000, 0).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_MODIFIED_SINCE, value(&http_date(published)));
        assert!(not_modified(&headers, "\"a\"", Some(published)));
        assert!(!not_modified(
            &headers,
            "\"a\"",
            Some(published + chrono::Duration::seconds(1))
        ));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"old\""));
        assert!(!not_modified(&headers, "\"a\"", Some(published)));
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"x\", W/\"a\""),
        );
        assert!(not_modified(&headers, "\"a\"", Some(published)));
    }
}
