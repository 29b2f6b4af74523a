//! Applications on their way to the centre: sealed, kept on disk until the centre confirms, then
//! deleted.
//!
//! Each application is packed and sealed to the centre's public key (`applications::seal`) before
//! anything touches the disk, so the directory (`DATA_DIR/applications/`, mode 0700) holds only
//! envelopes no one can open without the centre's private key. One file per application,
//! `{code}.sealed`, written to a temporary name, synced and renamed, so a power cut leaves either the
//! whole envelope or nothing. Delivery is `POST {centre}/api/v1/applications/{code}`: `2xx` or `409`
//! deletes the file (the code makes a second delivery harmless, so a kiosk killed between sending and
//! deleting sends nothing twice that the centre would keep twice); `401`, `403`, `408`, `429`, `5xx` or
//! no answer retries with the outbox's backoff; any other refusal renames the file `{code}.rejected`
//! beside a `{code}.reason` for the technician: kept, never silently dropped.
//!
//! The centre's public key is `[applications] centre_public_key` when configured, else fetched from
//! `{centre}/api/v1/applications/key` (over the pinned TLS of `[content] ca_file`) and kept in
//! `centre-key` beside the envelopes.

use std::{
    collections::HashMap,
    io::Write as _,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use applications::{
    Application, ApplicationStatus, TrackingCode,
    seal::{self, CentrePublicKey},
    wire::{self, UploadPaper, UploadRequest, UploadSession, UploadedPages},
};
use chrono::{DateTime, Utc};
use reqwest::{StatusCode, Url};
use tokio::sync::Notify;

use crate::{
    clock::WallClock,
    error::chain,
    outbox::{backoff, read_token},
};

const PENDING: &str = "sealed";
const REJECTED: &str = "rejected";
const KEY_FILE: &str = "centre-key";

/// Why an application cannot be queued, or a lookup failed.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationQueueError {
    /// The queue's directory or a file in it failed.
    #[error("application queue {}: {source}", path.display())]
    File {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The kiosk has no centre key yet (none configured, and the centre was not reached).
    #[error(
        "no centre key: set [applications] centre_public_key or let the kiosk reach the centre once"
    )]
    NoKey,
    /// The application could not be packed or sealed.
    #[error("the application cannot be sealed: {0}")]
    Seal(String),
    /// No centre is configured.
    #[error("no centre is configured ([content] centre_url or outbox_url)")]
    NoCentre,
    /// The centre was not reached.
    #[error("the centre was not reached: {0}")]
    Unreachable(String),
    /// The centre answered something else than expected.
    #[error("the centre answered {status}: {reason}")]
    Answer {
        /// The HTTP status.
        status: u16,
        /// Its reason.
        reason: String,
    },
}

/// An envelope waiting for the centre, or refused by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedApplication {
    /// The tracking code.
    pub code: TrackingCode,
    /// The envelope's size in bytes.
    pub bytes: u64,
    /// When it was queued (the file's modification time).
    pub since: Option<DateTime<Utc>>,
    /// The last delivery error, or the centre's reason for a refusal.
    pub last_error: Option<String>,
}

/// What the queue holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationQueueStatus {
    /// Waiting for the centre, oldest first.
    pub pending: Vec<QueuedApplication>,
    /// Refused by the centre: kept for the technician.
    pub rejected: Vec<QueuedApplication>,
}

/// The outcome of one delivery round.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Confirmed by the centre and deleted.
    pub delivered: usize,
    /// Refused and kept as rejected.
    pub rejected: usize,
    /// Left for a later attempt.
    pub retry: usize,
}

/// Where the queue delivers: the centre's base URL, the HTTP client and the device token.
#[derive(Clone)]
pub struct Centre {
    /// The centre's base URL (`https://centre:8480/`).
    pub base: Url,
    /// The HTTP client (pinned CA, timeouts).
    pub client: reqwest::Client,
    /// The device's token (`Authorization: Bearer`).
    pub token: Option<String>,
}

impl Centre {
    /// The centre of `config`: its base URL from the outbox endpoint, the client with the pinned CA and
    /// the device token. None when no centre is configured.
    pub fn from_config(
        config: &crate::ContentConfig,
    ) -> Result<Option<Self>, ApplicationQueueError> {
        let Some(base) = config
            .outbox_url()
            .as_deref()
            .and_then(crate::receipt::centre_base)
        else {
            return Ok(None);
        };
        let client = config
            .http_client(Duration::from_secs(10), Duration::from_secs(120))
            .map_err(|e| ApplicationQueueError::Seal(e.to_string()))?;
        let token = match &config.outbox_token_file {
            Some(file) => Some(read_token(file).map_err(ApplicationQueueError::Unreachable)?),
            None => None,
        };
        Ok(Some(Self {
            base,
            client,
            token,
        }))
    }

    /// Sends `request` (made with [`Self::client`]) with the device token and reads the whole answer.
    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, Vec<u8>), ApplicationQueueError> {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(|e| ApplicationQueueError::Unreachable(chain(&e)))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| ApplicationQueueError::Unreachable(chain(&e)))?;
        Ok((status, body.to_vec()))
    }

    fn url(&self, path: &str) -> Result<Url, ApplicationQueueError> {
        self.base
            .join(path)
            .map_err(|e| ApplicationQueueError::Unreachable(format!("{}{path}: {e}", self.base)))
    }
}

#[derive(Default)]
struct Attempts {
    count: u32,
    next: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

struct Inner {
    dir: PathBuf,
    centre: Option<Centre>,
    configured_key: Option<CentrePublicKey>,
    key: Mutex<Option<CentrePublicKey>>,
    attempts: Mutex<HashMap<TrackingCode, Attempts>>,
    wake: Notify,
    clock: Arc<dyn WallClock>,
}

/// The queue of sealed applications. Clone freely.
#[derive(Clone)]
pub struct ApplicationQueue {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ApplicationQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationQueue")
            .field("dir", &self.inner.dir)
            .finish_non_exhaustive()
    }
}

impl ApplicationQueue {
    /// Opens (or creates, mode 0700) the queue in `dir`, delivering to `centre`. `configured_key` is
    /// `[applications] centre_public_key`; without it the key kept from the centre is used, if any.
    /// Temporary files of an interrupted write are removed.
    pub fn open(
        dir: &Path,
        centre: Option<Centre>,
        configured_key: Option<CentrePublicKey>,
        clock: Arc<dyn WallClock>,
    ) -> Result<Self, ApplicationQueueError> {
        use std::os::unix::fs::PermissionsExt as _;
        let file_error = |path: &Path| {
            let path = path.to_owned();
            move |source| ApplicationQueueError::File { path, source }
        };
        std::fs::create_dir_all(dir).map_err(file_error(dir))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(file_error(dir))?;
        for entry in std::fs::read_dir(dir).map_err(file_error(dir))?.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "tmp") {
                std::fs::remove_file(&path).map_err(file_error(&path))?;
            }
        }
        let kept_key = std::fs::read_to_string(dir.join(KEY_FILE))
            .ok()
            .and_then(|text| CentrePublicKey::parse(&text).ok());
        Ok(Self {
            inner: Arc::new(Inner {
                dir: dir.to_owned(),
                centre,
                key: Mutex::new(configured_key.or(kept_key)),
                configured_key,
                attempts: Mutex::default(),
                wake: Notify::new(),
                clock,
            }),
        })
    }

    /// The centre's public key the queue seals with, if known.
    pub fn centre_key(&self) -> Option<CentrePublicKey> {
        *self
            .inner
            .key
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Asks the centre for its public key and keeps it (unless one is configured). Called at start and
    /// before each application, so a new centre key reaches the kiosk.
    pub async fn refresh_key(&self) -> Result<CentrePublicKey, ApplicationQueueError> {
        if let Some(key) = self.inner.configured_key {
            return Ok(key);
        }
        let centre = self.centre()?;
        let (status, body) = centre
            .exchange(centre.client.get(centre.url(wire::KEY_PATH)?))
            .await?;
        if status != StatusCode::OK {
            return Err(answer_error(status, &body));
        }
        let answer: wire::KeyAnswer = parse_answer(status, &body, "a key answer")?;
        let key = CentrePublicKey::parse(&answer.public_key).map_err(|e| {
            ApplicationQueueError::Answer {
                status: status.as_u16(),
                reason: e.to_string(),
            }
        })?;
        let previous = self
            .inner
            .key
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .replace(key);
        if previous != Some(key) {
            write_durably(&self.inner.dir, KEY_FILE, key.to_hex().as_bytes())?;
            if previous.is_some() {
                tracing::warn!(
                    "the centre's application key changed; new applications use the new key"
                );
            }
        }
        Ok(key)
    }

    /// Seals `application` to the centre's key and keeps it until the centre confirms. When this
    /// returns `Ok`, the envelope is on disk (synced); nothing readable ever was.
    pub fn submit(&self, application: &Application) -> Result<(), ApplicationQueueError> {
        let key = self.centre_key().ok_or(ApplicationQueueError::NoKey)?;
        let packed = zeroize::Zeroizing::new(
            application
                .pack()
                .map_err(|e| ApplicationQueueError::Seal(e.to_string()))?,
        );
        let envelope = seal::seal(&key, application.code.as_str().as_bytes(), &packed)
            .map_err(|e| ApplicationQueueError::Seal(e.to_string()))?;
        write_durably(
            &self.inner.dir,
            &format!("{}.{PENDING}", application.code),
            &envelope,
        )?;
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Whether `code` is still waiting for the centre.
    pub fn is_pending(&self, code: &TrackingCode) -> bool {
        self.inner.dir.join(format!("{code}.{PENDING}")).exists()
    }

    /// Whether the centre refused `code`, and why.
    pub fn rejection(&self, code: &TrackingCode) -> Option<String> {
        self.inner
            .dir
            .join(format!("{code}.{REJECTED}"))
            .exists()
            .then(|| {
                std::fs::read_to_string(self.inner.dir.join(format!("{code}.reason")))
                    .unwrap_or_default()
            })
    }

    /// What the queue holds.
    pub fn status(&self) -> ApplicationQueueStatus {
        let attempts = self
            .inner
            .attempts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut status = ApplicationQueueStatus::default();
        for (code, ext, path) in self.files() {
            let meta = std::fs::metadata(&path).ok();
            let mut item = QueuedApplication {
                bytes: meta.as_ref().map_or(0, std::fs::Metadata::len),
                since: meta
                    .and_then(|m| m.modified().ok())
                    .map(DateTime::<Utc>::from),
                last_error: attempts.get(&code).and_then(|a| a.last_error.clone()),
                code,
            };
            if ext == REJECTED {
                item.last_error = std::fs::read_to_string(path.with_extension("reason")).ok();
                status.rejected.push(item);
            } else {
                status.pending.push(item);
            }
        }
        status.pending.sort_by_key(|i| i.since);
        status.rejected.sort_by_key(|i| i.since);
        status
    }

    fn files(&self) -> Vec<(TrackingCode, &'static str, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(&self.inner.dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|entry| {
                let path = entry.path();
                let ext = match path.extension()?.to_str()? {
                    PENDING => PENDING,
                    REJECTED => REJECTED,
                    _ => return None,
                };
                let code = TrackingCode::try_from(path.file_stem()?.to_str()?.to_owned()).ok()?;
                Some((code, ext, path))
            })
            .collect()
    }

    /// Delivers the envelopes due at `now`, oldest first, one request each.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> DeliveryReport {
        let mut report = DeliveryReport::default();
        let Some(centre) = self.inner.centre.clone() else {
            return report;
        };
        for item in self.status().pending {
            let due = {
                let attempts = self
                    .inner
                    .attempts
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                attempts
                    .get(&item.code)
                    .and_then(|a| a.next)
                    .is_none_or(|next| next <= now)
            };
            if !due {
                continue;
            }
            let path = self.inner.dir.join(format!("{}.{PENDING}", item.code));
            let Ok(envelope) = std::fs::read(&path) else {
                continue;
            };
            let verdict = match self.post(&centre, &item.code, envelope).await {
                Ok(status) if status.is_success() || status == StatusCode::CONFLICT => Ok(()),
                Ok(status) => Err((retryable(status), format!("HTTP {status}"))),
                Err(PostError::Refused(status, reason)) => {
                    Err((retryable(status), format!("HTTP {status}: {reason}")))
                }
                Err(PostError::Network(reason)) => Err((true, reason)),
            };
            match verdict {
                Ok(()) => {
                    if let Err(err) = remove_durably(&self.inner.dir, &path) {
                        tracing::error!(
                            "application {}: delivered but not deleted: {err}",
                            item.code
                        );
                        continue;
                    }
                    self.forget(&item.code);
                    tracing::info!(
                        "application {} delivered to the centre and deleted here",
                        item.code
                    );
                    report.delivered += 1;
                }
                Err((false, reason)) => {
                    tracing::error!(
                        "the centre refused application {}: {reason}; kept as rejected",
                        item.code
                    );
                    let kept = write_durably(
                        &self.inner.dir,
                        &format!("{}.reason", item.code),
                        reason.as_bytes(),
                    )
                    .and_then(|()| {
                        let target = path.with_extension(REJECTED);
                        std::fs::rename(&path, &target).map_err(|source| {
                            ApplicationQueueError::File {
                                path: target,
                                source,
                            }
                        })
                    });
                    if let Err(err) = kept {
                        tracing::error!("application {}: {err}", item.code);
                    }
                    self.forget(&item.code);
                    report.rejected += 1;
                }
                Err((true, reason)) => {
                    let mut attempts = self
                        .inner
                        .attempts
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let entry = attempts.entry(item.code.clone()).or_default();
                    entry.count += 1;
                    entry.next = Some(
                        now + chrono::Duration::from_std(backoff(entry.count)).unwrap_or_default(),
                    );
                    tracing::warn!(
                        "application {} not delivered ({reason}); attempt {}",
                        item.code,
                        entry.count
                    );
                    entry.last_error = Some(reason);
                    report.retry += 1;
                }
            }
        }
        report
    }

    fn forget(&self, code: &TrackingCode) {
        self.inner
            .attempts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(code);
    }

    async fn post(
        &self,
        centre: &Centre,
        code: &TrackingCode,
        envelope: Vec<u8>,
    ) -> Result<StatusCode, PostError> {
        let url = centre
            .url(&wire::submit_path(code))
            .map_err(|e| PostError::Network(e.to_string()))?;
        let request = centre
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, wire::SEALED_MEDIA_TYPE)
            .body(envelope);
        let (status, body) = centre
            .exchange(request)
            .await
            .map_err(|e| PostError::Network(e.to_string()))?;
        if status.is_success() || status == StatusCode::CONFLICT {
            return Ok(status);
        }
        Err(PostError::Refused(status, error_reason(&body)))
    }

    /// Starts the delivery task on `runtime`: delivers what is due, then waits until woken by a new
    /// application or for `idle` (at most), whichever comes first.
    pub fn spawn(
        &self,
        runtime: &tokio::runtime::Handle,
        idle: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let queue = self.clone();
        runtime.spawn(async move {
            if queue.inner.configured_key.is_none()
                && queue.inner.centre.is_some()
                && let Err(err) = queue.refresh_key().await
            {
                tracing::warn!("applications: the centre's key was not fetched: {err}");
            }
            loop {
                queue.deliver_due(queue.inner.clock.now()).await;
                tokio::select! {
                    () = tokio::time::sleep(idle) => {}
                    () = queue.inner.wake.notified() => {}
                }
            }
        })
    }

    /// Wakes the delivery task (a test's or the technician's "send now").
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Where `code` stands at the centre (`Ok(None)`: the centre does not know it).
    pub async fn status_of(
        &self,
        code: &TrackingCode,
    ) -> Result<Option<ApplicationStatus>, ApplicationQueueError> {
        let centre = self.centre()?;
        let (status, body) = centre
            .exchange(centre.client.get(centre.url(&wire::status_path(code))?))
            .await?;
        match status {
            StatusCode::OK => parse_answer(status, &body, "an application status").map(Some),
            StatusCode::NOT_FOUND => Ok(None),
            other => Err(answer_error(other, &body)),
        }
    }

    /// The applications of the holder of `id_number` (read from the ID card), newest first. The number
    /// goes sealed to the centre, which compares keyed hashes.
    pub async fn statuses_of_holder(
        &self,
        id_number: &str,
    ) -> Result<Vec<ApplicationStatus>, ApplicationQueueError> {
        let centre = self.centre()?;
        let key = match self.centre_key() {
            Some(key) => key,
            None => self.refresh_key().await?,
        };
        let sealed = seal::seal(&key, wire::LOOKUP_CONTEXT, id_number.as_bytes())
            .map_err(|e| ApplicationQueueError::Seal(e.to_string()))?;
        let request = centre
            .client
            .post(centre.url(wire::LOOKUP_PATH)?)
            .header(reqwest::header::CONTENT_TYPE, wire::SEALED_MEDIA_TYPE)
            .body(sealed);
        let (status, body) = centre.exchange(request).await?;
        if status != StatusCode::OK {
            return Err(answer_error(status, &body));
        }
        parse_answer(status, &body, "a list of application statuses")
    }
}

/// A page a phone uploaded for the application being made.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct PhonePage {
    /// Its number in the upload (acknowledged with the next [`ApplicationQueue::take_uploads`]).
    pub number: u32,
    /// The paper it is for.
    pub paper: String,
    /// The JPEG bytes, as the centre re-encoded them.
    pub jpeg: Vec<u8>,
}

impl std::fmt::Debug for PhonePage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhonePage({}, {} bytes)", self.paper, self.jpeg.len())
    }
}

impl ApplicationQueue {
    /// Opens a phone upload at the centre for `papers`: the phone page's address goes into a QR
    /// code on the papers screen.
    pub async fn open_upload(
        &self,
        papers: Vec<UploadPaper>,
    ) -> Result<UploadSession, ApplicationQueueError> {
        let centre = self.centre()?;
        let request = centre
            .client
            .post(centre.url(wire::UPLOADS_PATH)?)
            .json(&UploadRequest { papers });
        let (status, body) = centre.exchange(request).await?;
        if !status.is_success() {
            return Err(answer_error(status, &body));
        }
        parse_answer(status, &body, "an upload session")
    }

    /// Takes the pages uploaded to `token` numbered above `after`, acknowledging those up to it (the
    /// centre then forgets them; a lost answer loses nothing). `Ok(None)`: the session is closed or
    /// expired.
    pub async fn take_uploads(
        &self,
        token: &str,
        after: u32,
    ) -> Result<Option<Vec<PhonePage>>, ApplicationQueueError> {
        use base64::Engine as _;
        let centre = self.centre()?;
        let mut url = centre.url(&wire::upload_path(token))?;
        url.query_pairs_mut()
            .append_pair("after", &after.to_string());
        let (status, body) = centre.exchange(centre.client.get(url)).await?;
        match status {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => return Ok(None),
            other => return Err(answer_error(other, &body)),
        }
        let answer: UploadedPages = parse_answer(status, &body, "a list of uploaded pages")?;
        answer
            .pages
            .into_iter()
            .map(|page| {
                let jpeg = base64::engine::general_purpose::STANDARD
                    .decode(page.jpeg_base64.as_bytes())
                    .map_err(|e| ApplicationQueueError::Answer {
                        status: 200,
                        reason: format!("an uploaded page is not base64: {e}"),
                    })?;
                Ok(PhonePage {
                    number: page.number,
                    paper: page.paper.clone(),
                    jpeg,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// Closes the phone upload `token`: the centre forgets whatever it still holds.
    pub async fn close_upload(&self, token: &str) -> Result<(), ApplicationQueueError> {
        let centre = self.centre()?;
        let (status, body) = centre
            .exchange(centre.client.delete(centre.url(&wire::upload_path(token))?))
            .await?;
        if status.is_success() || status == StatusCode::NOT_FOUND {
            Ok(())
        } else {
            Err(answer_error(status, &body))
        }
    }

    /// The centre, or [`ApplicationQueueError::NoCentre`].
    fn centre(&self) -> Result<&Centre, ApplicationQueueError> {
        self.inner
            .centre
            .as_ref()
            .ok_or(ApplicationQueueError::NoCentre)
    }

    /// Whether a centre is configured (a phone upload can be offered).
    pub fn has_centre(&self) -> bool {
        self.inner.centre.is_some()
    }
}

enum PostError {
    Refused(StatusCode, String),
    Network(String),
}

/// Whether a refusal with `status` is worth retrying (the device's token, a timeout, a busy or broken
/// centre) rather than a refusal of the envelope itself.
fn retryable(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::UNAUTHORIZED
            | StatusCode::FORBIDDEN
            | StatusCode::REQUEST_TIMEOUT
            | StatusCode::TOO_MANY_REQUESTS
    ) || !status.is_client_error()
}

fn error_reason(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned())
}

/// The answer's JSON as `T`, or an error saying it is not `what`.
fn parse_answer<T: serde::de::DeserializeOwned>(
    status: StatusCode,
    body: &[u8],
    what: &str,
) -> Result<T, ApplicationQueueError> {
    serde_json::from_slice(body).map_err(|e| ApplicationQueueError::Answer {
        status: status.as_u16(),
        reason: format!("not {what}: {e}"),
    })
}

fn answer_error(status: StatusCode, body: &[u8]) -> ApplicationQueueError {
    ApplicationQueueError::Answer {
        status: status.as_u16(),
        reason: error_reason(body),
    }
}

/// Writes `bytes` to `dir/name` so that a power cut leaves the old file or the new one, never a part:
/// a temporary file (mode 0600), synced, renamed, and the directory synced.
fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), ApplicationQueueError> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let target = dir.join(name);
    let temporary = dir.join(format!("{name}.tmp"));
    let error = |path: &Path| {
        let path = path.to_owned();
        move |source| ApplicationQueueError::File { path, source }
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(error(&temporary))?;
    file.write_all(bytes).map_err(error(&temporary))?;
    file.sync_all().map_err(error(&temporary))?;
    drop(file);
    std::fs::rename(&temporary, &target).map_err(error(&target))?;
    sync_dir(dir)
}

fn remove_durably(dir: &Path, path: &Path) -> Result<(), ApplicationQueueError> {
    std::fs::remove_file(path).map_err(|source| ApplicationQueueError::File {
        path: path.to_owned(),
        source,
    })?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), ApplicationQueueError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| ApplicationQueueError::File {
            path: dir.to_owned(),
            source,
        })
}
