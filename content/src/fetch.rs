//! Where bundles come from: the centre's web server, a directory (USB stick), or the pack embedded in the
//! firmware. Every file is checked against its SHA-256 and size before it enters the cache.

use std::{
    io::Write as _,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
};

use reqwest::{StatusCode, Url, header};
use sha2::{Digest as _, Sha256};

use super::{
    config::ContentLimits,
    error::{BundleError, SyncError},
    manifest::{FileEntry, ObjectId},
    pack, safe_read,
};

/// The origin name of the embedded default content (the pack compiled into the firmware).
pub(crate) const EMBEDDED_ORIGIN: &str = "bundled";

/// Requests made and bytes received during one sync.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) bytes: AtomicU64,
    pub(crate) files: AtomicU64,
}

/// HTTP cache validators of the last manifest applied or found unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Validators {
    pub(crate) etag: Option<String>,
    pub(crate) last_modified: Option<String>,
}

/// The answer to a manifest request.
pub(crate) enum ManifestFetch {
    /// The server says the manifest has not changed (HTTP 304).
    NotModified,
    /// The manifest's bytes and the validators to send next time.
    Body(Vec<u8>, Validators),
}

/// A place bundles come from.
pub(crate) enum Origin {
    /// A web server; `base` ends with `/`.
    Http { client: reqwest::Client, base: Url },
    /// A bundle directory (USB stick, local copy): read with [`safe_read`], regular files only.
    Dir(PathBuf),
    /// A pack in memory (the embedded default content).
    Pack(&'static [u8]),
}

fn transfer(url: impl std::fmt::Display, err: impl std::fmt::Display) -> SyncError {
    SyncError::Transfer {
        url: url.to_string(),
        reason: err.to_string(),
    }
}

impl Origin {
    /// A web origin for a base URL (a trailing `/` is added when missing).
    pub(crate) fn http(client: reqwest::Client, url: &str) -> Result<Self, SyncError> {
        let with_slash = if url.ends_with('/') {
            url.to_owned()
        } else {
            format!("{url}/")
        };
        let base = Url::parse(&with_slash).map_err(|err| transfer(url, err))?;
        Ok(Self::Http { client, base })
    }

    /// A name for logs and for the content's origin.
    pub(crate) fn name(&self) -> String {
        match self {
            Self::Http { base, .. } => base.to_string(),
            Self::Dir(dir) => dir.display().to_string(),
            Self::Pack(_) => EMBEDDED_ORIGIN.into(),
        }
    }

    /// Fetches `manifest.json`, conditionally when validators are given.
    pub(crate) async fn manifest(
        &self,
        validators: Option<&Validators>,
        limits: &ContentLimits,
        counters: &Counters,
    ) -> Result<ManifestFetch, SyncError> {
        match self {
            Self::Http { client, base } => {
                let url = base
                    .join("manifest.json")
                    .map_err(|err| transfer(base, err))?;
                let mut request = client.get(url.clone());
                if let Some(v) = validators {
                    if let Some(etag) = &v.etag {
                        request = request.header(header::IF_NONE_MATCH, etag);
                    }
                    if let Some(modified) = &v.last_modified {
                        request = request.header(header::IF_MODIFIED_SINCE, modified);
                    }
                }
                counters.requests.fetch_add(1, Ordering::Relaxed);
                let mut response = request
                    .send()
                    .await
                    .map_err(|err| transfer(&url, crate::error::chain(&err)))?;
                if response.status() == StatusCode::NOT_MODIFIED {
                    return Ok(ManifestFetch::NotModified);
                }
                if !response.status().is_success() {
                    return Err(SyncError::Status {
                        url: url.to_string(),
                        status: response.status().as_u16(),
                    });
                }
                let header_text = |name| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                let content_type = header_text(header::CONTENT_TYPE).unwrap_or_default();
                if content_type.to_ascii_lowercase().contains("html") {
                    return Err(BundleError::NotAManifest {
                        reason: format!(
                            "{url} sent an HTML page (Content-Type: {content_type}), not a manifest"
                        ),
                    }
                    .into());
                }
                let validators = Validators {
                    etag: header_text(header::ETAG),
                    last_modified: header_text(header::LAST_MODIFIED),
                };
                let limit = limits.max_manifest_bytes;
                let oversize = |size| BundleError::Oversize {
                    what: "manifest.json".into(),
                    size,
                    limit,
                };
                if let Some(length) = response.content_length().filter(|&l| l > limit) {
                    return Err(oversize(length).into());
                }
                let mut body = Vec::new();
                while let Some(chunk) = response.chunk().await.map_err(|err| transfer(&url, err))? {
                    counters
                        .bytes
                        .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                    body.extend_from_slice(&chunk);
                    if body.len() as u64 > limit {
                        return Err(oversize(body.len() as u64).into());
                    }
                }
                Ok(ManifestFetch::Body(body, validators))
            }
            Self::Dir(dir) => {
                let bytes = safe_read::read_regular(
                    dir,
                    &["manifest.json"],
                    limits.max_manifest_bytes,
                    "manifest.json",
                )?;
                counters
                    .bytes
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                Ok(ManifestFetch::Body(bytes, Validators::default()))
            }
            Self::Pack(bytes) => {
                let files = pack::read(bytes)?;
                let manifest =
                    files
                        .get("manifest.json")
                        .ok_or_else(|| BundleError::Malformed {
                            reason: "pack without manifest.json".into(),
                        })?;
                Ok(ManifestFetch::Body(
                    manifest.to_vec(),
                    Validators::default(),
                ))
            }
        }
    }

    /// Brings every missing file into `objects_dir`, `parallel` at a time. Interrupted web downloads leave
    /// their bytes in `partial_dir` and resume with a range request next time.
    pub(crate) async fn fetch_missing(
        &self,
        missing: Vec<(ObjectId, FileEntry)>,
        objects_dir: &Path,
        partial_dir: &Path,
        parallel: usize,
        counters: &Arc<Counters>,
    ) -> Result<(), SyncError> {
        match self {
            Self::Http { client, base } => {
                let queue = Arc::new(Mutex::new(missing));
                let failed = Arc::new(AtomicBool::new(false));
                let mut workers = tokio::task::JoinSet::new();
                for _ in 0..parallel.max(1) {
                    let (queue, failed, counters) = (
                        Arc::clone(&queue),
                        Arc::clone(&failed),
                        Arc::clone(counters),
                    );
                    let (client, base) = (client.clone(), base.clone());
                    let (objects_dir, partial_dir) =
                        (objects_dir.to_owned(), partial_dir.to_owned());
                    workers.spawn(async move {
                        loop {
                            if failed.load(Ordering::Relaxed) {
                                return Ok(());
                            }
                            let Some((id, entry)) = queue.lock().expect("queue lock").pop() else {
                                return Ok(());
                            };
                            let result = download(
                                &client,
                                &base,
                                id,
                                &entry,
                                &objects_dir,
                                &partial_dir,
                                &counters,
                            )
                            .await;
                            if result.is_err() {
                                failed.store(true, Ordering::Relaxed);
                                return result;
                            }
                        }
                    });
                }
                let mut first_error = None;
                while let Some(joined) = workers.join_next().await {
                    match joined {
                        Ok(Ok(())) => {}
                        Ok(Err(err)) => {
                            first_error.get_or_insert(err);
                        }
                        Err(err) => {
                            first_error.get_or_insert(transfer(base, err));
                        }
                    }
                }
                first_error.map_or(Ok(()), Err)
            }
            Self::Dir(dir) => {
                for (id, entry) in missing {
                    // Never more than the manifest declares (itself at most `limits.max_file_bytes`).
                    let hex = id.to_string();
                    let bytes = safe_read::read_regular(
                        dir,
                        &["objects", &hex[..2], &hex],
                        entry.size,
                        &format!("file {id}"),
                    )?;
                    counters
                        .bytes
                        .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                    store_object(objects_dir, id, &entry, &bytes)?;
                    counters.files.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            }
            Self::Pack(bytes) => {
                let files = pack::read(bytes)?;
                for (id, entry) in missing {
                    let bytes = files.get(&id.relative_path()).ok_or_else(|| {
                        BundleError::HashMismatch {
                            object: id.to_string(),
                            reason: "missing from the pack".into(),
                        }
                    })?;
                    store_object(objects_dir, id, &entry, bytes)?;
                    counters.files.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            }
        }
    }
}

/// Checks `bytes` against the manifest entry and stores them in the cache (write, then rename).
fn store_object(
    objects_dir: &Path,
    id: ObjectId,
    entry: &FileEntry,
    bytes: &[u8],
) -> Result<(), SyncError> {
    if bytes.len() as u64 != entry.size || ObjectId::of(bytes) != id {
        return Err(BundleError::HashMismatch {
            object: id.to_string(),
            reason: format!(
                "got {} bytes with SHA-256 {}",
                bytes.len(),
                ObjectId::of(bytes)
            ),
        }
        .into());
    }
    let path = id.path_in(objects_dir);
    let dir = path.parent().expect("object paths have a parent");
    std::fs::create_dir_all(dir).map_err(|err| SyncError::io(dir, err))?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|err| SyncError::io(&tmp, err))?;
    std::fs::rename(&tmp, &path).map_err(|err| SyncError::io(&path, err))
}

async fn download(
    client: &reqwest::Client,
    base: &Url,
    id: ObjectId,
    entry: &FileEntry,
    objects_dir: &Path,
    partial_dir: &Path,
    counters: &Counters,
) -> Result<(), SyncError> {
    let url = base
        .join(&id.relative_path())
        .map_err(|err| transfer(base, err))?;
    let part = partial_dir.join(format!("{id}.part"));
    let mut have = std::fs::metadata(&part).map_or(0, |m| m.len());
    if have > entry.size {
        let _ = std::fs::remove_file(&part);
        have = 0;
    }
    if have < entry.size || entry.size == 0 {
        let mut request = client.get(url.clone());
        if have > 0 {
            request = request.header(header::RANGE, format!("bytes={have}-"));
        }
        counters.requests.fetch_add(1, Ordering::Relaxed);
        let mut response = request
            .send()
            .await
            .map_err(|err| transfer(&url, crate::error::chain(&err)))?;
        let append = match response.status() {
            StatusCode::PARTIAL_CONTENT if have > 0 => true,
            StatusCode::OK => {
                have = 0;
                false
            }
            StatusCode::RANGE_NOT_SATISFIABLE => {
                let _ = std::fs::remove_file(&part);
                return Err(transfer(
                    &url,
                    "range not satisfiable; the download restarts next time",
                ));
            }
            status => {
                return Err(SyncError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                });
            }
        };
        let oversize = |size| BundleError::Oversize {
            what: format!("file {id}"),
            size,
            limit: entry.size,
        };
        if let Some(length) = response.content_length().filter(|&l| have + l > entry.size) {
            return Err(oversize(have + length).into());
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&part)
            .map_err(|err| SyncError::io(&part, err))?;
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(err) => {
                    let _ = file.flush();
                    return Err(transfer(
                        &url,
                        format!(
                            "interrupted after {have} of {} bytes ({err}); resumes next time",
                            entry.size
                        ),
                    ));
                }
            };
            counters
                .bytes
                .fetch_add(chunk.len() as u64, Ordering::Relaxed);
            have += chunk.len() as u64;
            if have > entry.size {
                drop(file);
                let _ = std::fs::remove_file(&part);
                return Err(oversize(have).into());
            }
            file.write_all(&chunk)
                .map_err(|err| SyncError::io(&part, err))?;
        }
        file.sync_all().map_err(|err| SyncError::io(&part, err))?;
        if have < entry.size {
            return Err(transfer(
                &url,
                format!(
                    "connection closed after {have} of {} bytes; resumes next time",
                    entry.size
                ),
            ));
        }
    }
    let bytes = std::fs::read(&part).map_err(|err| SyncError::io(&part, err))?;
    let digest: [u8; 32] = Sha256::digest(&bytes).into();
    if ObjectId::from_digest(digest) != id {
        let _ = std::fs::remove_file(&part);
        return Err(BundleError::HashMismatch {
            object: id.to_string(),
            reason: format!(
                "downloaded from {url} with SHA-256 {}",
                ObjectId::from_digest(digest)
            ),
        }
        .into());
    }
    let path = id.path_in(objects_dir);
    let dir = path.parent().expect("object paths have a parent");
    std::fs::create_dir_all(dir).map_err(|err| SyncError::io(dir, err))?;
    std::fs::rename(&part, &path).map_err(|err| SyncError::io(&path, err))?;
    counters.files.fetch_add(1, Ordering::Relaxed);
    Ok(())
}
