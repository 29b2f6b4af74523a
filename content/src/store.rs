//! The device's content store under `DATA_DIR/content`: the verified, installed bundle, the previous good
//! one, the content-addressed file cache, and the sync that replaces them atomically.
//!
//! ```text
//! DATA_DIR/content/
//!   state.json            installed and previous versions, highest version seen, time floor, HTTP validators
//!   manifests/<v>.json    manifest of each kept version (current and previous)
//!   objects/ab/<sha256>   verified files (shared by versions)
//!   partial/<sha256>.part interrupted downloads, resumed with a range request
//! ```

use std::{
    collections::HashSet,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, atomic::Ordering},
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::{
    ContentConfig, ContentError,
    assemble::assemble,
    clock::{ClockVerdict, SystemWallClock, WallClock, trusted_now},
    error::{BundleError, SyncError},
    fetch::{Counters, ManifestFetch, Origin, Validators},
    keys::PublicKey,
    manifest::{self, ObjectId, VerifiedManifest},
    model::Content,
    safe_read,
};

/// The default content, signed with the development key (`assets/content/bundle.pack`).
pub(crate) static BUNDLED_PACK: &[u8] = include_bytes!("../../assets/content/bundle.pack");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Installed {
    version: u64,
    envelope_sha256: String,
    origin: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    current: Option<Installed>,
    previous: Option<Installed>,
    highest_version: u64,
    time_floor: Option<DateTime<Utc>>,
    /// Validators of the configured URL, valid for the installed manifest only.
    http_url: Option<String>,
    http: Option<Validators>,
    last_error: Option<String>,
    last_success: Option<DateTime<Utc>>,
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// A new version was verified and swapped in.
    Applied {
        /// The version replaced (none: there was no content).
        from: Option<u64>,
        /// The new version.
        to: u64,
    },
    /// The offered bundle is the installed one.
    Unchanged {
        /// The installed version.
        version: u64,
    },
}

/// The result of one sync with its cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Where the bundle came from.
    pub origin: String,
    /// What happened.
    pub outcome: SyncOutcome,
    /// Requests made (HTTP only).
    pub requests: u64,
    /// Bytes received, manifest included.
    pub bytes: u64,
    /// Files brought into the cache.
    pub files: u64,
}

/// One attempt of [`ContentStore::sync_once`]: the origin and what happened.
#[derive(Debug)]
pub struct SyncAttempt {
    /// `usb:<path>` or the URL.
    pub origin: String,
    /// The report, or why nothing was applied (the last good content stays).
    pub result: Result<SyncReport, SyncError>,
}

/// The store's state for status screens and heartbeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentStatus {
    /// Installed version.
    pub version: Option<u64>,
    /// The previous good version kept on disk.
    pub previous_version: Option<u64>,
    /// Whether the installed content is past its expiry (it stays on screen, marked stale).
    pub stale: bool,
    /// How the device clock was judged (see the clock policy).
    pub clock: ClockVerdict,
    /// The last sync error, until a sync succeeds.
    pub last_error: Option<String>,
    /// When a sync last succeeded.
    pub last_success: Option<DateTime<Utc>>,
}

/// The content store: open it once per process and clone it freely.
#[derive(Clone)]
pub struct ContentStore {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    config: ContentConfig,
    keys: Vec<PublicKey>,
    clock: Arc<dyn WallClock>,
    client: reqwest::Client,
    state: Mutex<State>,
    content: watch::Sender<Arc<Content>>,
    sync_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for ContentStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentStore")
            .field("dir", &self.inner.dir)
            .finish_non_exhaustive()
    }
}

impl ContentStore {
    /// Opens the store in `data_dir` with the system clock. Shows the installed bundle; when nothing
    /// newer than the bundled default is installed, installs the default (if its key is trusted).
    pub fn open(data_dir: &Path, config: &ContentConfig) -> Result<Self, ContentError> {
        Self::open_with(
            data_dir,
            config,
            Arc::new(SystemWallClock),
            Some(BUNDLED_PACK),
        )
    }

    /// The time by the store's wall clock (the one the clock policy judges).
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Opens the store with an injected wall clock and the bundled default content.
    pub fn open_with_clock(
        data_dir: &Path,
        config: &ContentConfig,
        clock: Arc<dyn WallClock>,
    ) -> Result<Self, ContentError> {
        Self::open_with(data_dir, config, clock, Some(BUNDLED_PACK))
    }

    /// Opens the store with an injected clock and bundled pack (none: no bundled default).
    pub fn open_with(
        data_dir: &Path,
        config: &ContentConfig,
        clock: Arc<dyn WallClock>,
        bundled: Option<&'static [u8]>,
    ) -> Result<Self, ContentError> {
        let dir = data_dir.join("content");
        for sub in ["objects", "partial", "manifests"] {
            let path = dir.join(sub);
            std::fs::create_dir_all(&path).map_err(|source| ContentError::io(&path, source))?;
        }
        let keys = config.keys()?;
        let client = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .read_timeout(config.timeout())
            .build()
            .map_err(|err| ContentError::Config {
                key: "content".into(),
                reason: format!("HTTP client: {err}"),
            })?;
        let state = read_state(&dir);
        let (content, _) = watch::channel(Arc::new(Content::empty()));
        let store = Self {
            inner: Arc::new(Inner {
                dir,
                config: config.clone(),
                keys,
                clock,
                client,
                state: Mutex::new(state),
                content,
                sync_lock: tokio::sync::Mutex::new(()),
            }),
        };
        store.load_installed();
        if let Some(pack) = bundled {
            store.install_bundled(pack);
        }
        Ok(store)
    }

    /// The current verified content (a snapshot; it never changes under the caller).
    pub fn current(&self) -> Arc<Content> {
        self.inner.content.borrow().clone()
    }

    /// A receiver that is told each time new content is swapped in.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Content>> {
        self.inner.content.subscribe()
    }

    /// The store's configuration.
    pub fn config(&self) -> &ContentConfig {
        &self.inner.config
    }

    /// Installed and previous versions, staleness, clock verdict, last error.
    pub fn status(&self) -> ContentStatus {
        let state = self.state();
        let (now, clock) = trusted_now(
            self.inner.clock.now(),
            state.time_floor,
            self.inner.config.max_clock_ahead_days,
        );
        ContentStatus {
            version: state.current.as_ref().map(|c| c.version),
            previous_version: state.previous.as_ref().map(|p| p.version),
            stale: self.current().is_expired(now),
            clock,
            last_error: state.last_error.clone(),
            last_success: state.last_success,
        }
    }

    /// One sync with every configured origin: the USB path when a bundle is there (in any form: a link or a
    /// pipe is refused with an error naming it), then the source URL. Empty when nothing is configured.
    pub async fn sync_once(&self) -> Vec<SyncAttempt> {
        let mut attempts = Vec::new();
        if let Some(usb) = &self.inner.config.usb_path
            && safe_read::exists_unfollowed(&usb.join("manifest.json"))
        {
            attempts.push(SyncAttempt {
                origin: format!("usb:{}", usb.display()),
                result: self.apply_dir(usb).await,
            });
        }
        if let Some(url) = &self.inner.config.source_url {
            attempts.push(SyncAttempt {
                origin: url.clone(),
                result: self.sync_url(url).await,
            });
        }
        attempts
    }

    /// Syncs from a web server serving a bundle directory at `url`.
    pub async fn sync_url(&self, url: &str) -> Result<SyncReport, SyncError> {
        let origin = Origin::http(self.inner.client.clone(), url)?;
        self.sync_from(&origin, Some(url)).await
    }

    /// Verifies and applies the bundle directory `dir` (e.g. on a USB stick). Only regular files are read,
    /// never through a symbolic link, and never more bytes than the manifest declares.
    pub async fn apply_dir(&self, dir: &Path) -> Result<SyncReport, SyncError> {
        self.sync_from(&Origin::Dir(dir.to_owned()), None).await
    }

    async fn sync_from(&self, origin: &Origin, url: Option<&str>) -> Result<SyncReport, SyncError> {
        let _guard = self.inner.sync_lock.lock().await;
        let result = self.sync_locked(origin, url).await;
        let mut state = self.state();
        match &result {
            Ok(_) => {
                state.last_error = None;
                state.last_success = Some(self.inner.clock.now());
            }
            Err(err) => {
                tracing::warn!(
                    "content sync from {} refused or failed: {err}; the last good content stays",
                    origin.name()
                );
                state.last_error = Some(format!("{}: {err}", origin.name()));
            }
        }
        let _ = write_state(&self.inner.dir, &state);
        result
    }

    async fn sync_locked(
        &self,
        origin: &Origin,
        url: Option<&str>,
    ) -> Result<SyncReport, SyncError> {
        let counters = Arc::new(Counters::default());
        let validators = {
            let state = self.state();
            match (url, &state.http_url, &state.http) {
                (Some(url), Some(saved), Some(v)) if url == saved && state.current.is_some() => {
                    Some(v.clone())
                }
                _ => None,
            }
        };
        let limits = self.inner.config.limits;
        let report = |outcome, counters: &Counters| SyncReport {
            origin: origin.name(),
            outcome,
            requests: counters.requests.load(Ordering::Relaxed),
            bytes: counters.bytes.load(Ordering::Relaxed),
            files: counters.files.load(Ordering::Relaxed),
        };
        let (raw, new_validators) = match origin
            .manifest(validators.as_ref(), &limits, &counters)
            .await?
        {
            ManifestFetch::NotModified => {
                let version = self.state().current.as_ref().map_or(0, |c| c.version);
                return Ok(report(SyncOutcome::Unchanged { version }, &counters));
            }
            ManifestFetch::Body(raw, v) => (raw, v),
        };
        let verified = manifest::verify(&raw, &self.inner.keys, &limits)?;
        let remember = |state: &mut State| {
            if let Some(url) = url {
                state.http_url = Some(url.to_owned());
                state.http = Some(new_validators.clone());
            }
        };
        let outcome = self.apply(origin, verified, &counters, remember).await?;
        Ok(report(outcome, &counters))
    }

    /// Checks version and expiry, fetches missing files, parses, then swaps the new version in.
    async fn apply(
        &self,
        origin: &Origin,
        verified: VerifiedManifest,
        counters: &Arc<Counters>,
        remember: impl FnOnce(&mut State),
    ) -> Result<SyncOutcome, SyncError> {
        let m = &verified.manifest;
        let sha = verified.envelope_sha256.to_string();
        {
            let mut state = self.state();
            if state
                .current
                .as_ref()
                .is_some_and(|c| c.envelope_sha256 == sha)
            {
                remember(&mut state);
                write_state(&self.inner.dir, &state)?;
                return Ok(SyncOutcome::Unchanged { version: m.version });
            }
            if m.version <= state.highest_version {
                return Err(BundleError::Rollback {
                    installed: state.highest_version,
                    offered: m.version,
                }
                .into());
            }
            let (now, verdict) = trusted_now(
                self.inner.clock.now(),
                state.time_floor,
                self.inner.config.max_clock_ahead_days,
            );
            if verdict != ClockVerdict::Plausible {
                tracing::warn!("device clock judged {verdict:?}: expiry is checked against {now}");
            }
            if m.expires <= now {
                return Err(BundleError::Expired {
                    expires: m.expires,
                    now,
                }
                .into());
            }
        }
        let objects = self.objects_dir();
        let missing: Vec<_> = verified
            .files
            .iter()
            .filter(|(id, _)| !id.path_in(&objects).is_file())
            .map(|(id, e)| (*id, e.clone()))
            .collect();
        origin
            .fetch_missing(
                missing,
                &objects,
                &self.inner.dir.join("partial"),
                self.inner.config.parallel_downloads,
                counters,
            )
            .await?;
        let content = assemble(
            &verified,
            &objects,
            &origin.name(),
            &self.inner.config.limits,
        )?;

        // Swap: manifest file first, then the state file (atomic rename), then the screen.
        let manifest_path = self.manifest_path(m.version);
        write_atomic(&manifest_path, &verified.raw)?;
        let from = {
            let mut state = self.state();
            let from = state.current.as_ref().map(|c| c.version);
            let installed = Installed {
                version: m.version,
                envelope_sha256: sha,
                origin: origin.name(),
            };
            if let Some(old) = state.current.take()
                && let Some(dropped) = state.previous.replace(old)
            {
                let _ = std::fs::remove_file(self.manifest_path(dropped.version));
            }
            state.current = Some(installed);
            state.highest_version = state.highest_version.max(m.version);
            state.time_floor = Some(state.time_floor.map_or(m.created, |f| f.max(m.created)));
            state.http = None;
            remember(&mut state);
            write_state(&self.inner.dir, &state)?;
            from
        };
        tracing::info!(
            "content version {} ({}) from {} is on screen",
            m.version,
            m.title,
            origin.name()
        );
        self.inner.content.send_replace(Arc::new(content));
        self.collect_garbage();
        Ok(SyncOutcome::Applied {
            from,
            to: m.version,
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn objects_dir(&self) -> PathBuf {
        self.inner.dir.join("objects")
    }

    fn manifest_path(&self, version: u64) -> PathBuf {
        self.inner
            .dir
            .join("manifests")
            .join(format!("{version}.json"))
    }

    /// Loads an installed version from disk and checks it again (signature with today's trusted keys,
    /// every file present, every record).
    fn load_version(&self, installed: &Installed) -> Result<Content, String> {
        let path = self.manifest_path(installed.version);
        let raw = std::fs::read(&path).map_err(|err| format!("{}: {err}", path.display()))?;
        let verified = manifest::verify(&raw, &self.inner.keys, &self.inner.config.limits)
            .map_err(|e| e.to_string())?;
        if verified.envelope_sha256.to_string() != installed.envelope_sha256 {
            return Err(format!("{} changed on disk", path.display()));
        }
        let objects = self.objects_dir();
        for (id, entry) in &verified.files {
            let len = std::fs::metadata(id.path_in(&objects))
                .map(|m| m.len())
                .map_err(|err| format!("file {id}: {err}"))?;
            if len != entry.size {
                return Err(format!(
                    "file {id} has {len} bytes, expected {}",
                    entry.size
                ));
            }
        }
        assemble(
            &verified,
            &objects,
            &installed.origin,
            &self.inner.config.limits,
        )
        .map_err(|e| e.to_string())
    }

    fn load_installed(&self) {
        let (current, previous) = {
            let state = self.state();
            (state.current.clone(), state.previous.clone())
        };
        if let Some(current) = current {
            match self.load_version(&current) {
                Ok(content) => {
                    self.inner.content.send_replace(Arc::new(content));
                    return;
                }
                Err(err) => tracing::error!(
                    "installed content version {} cannot be used: {err}",
                    current.version
                ),
            }
        }
        if let Some(previous) = previous {
            match self.load_version(&previous) {
                Ok(content) => {
                    tracing::warn!(
                        "showing the previous good content, version {}",
                        previous.version
                    );
                    let mut state = self.state();
                    state.current = Some(previous);
                    state.previous = None;
                    let _ = write_state(&self.inner.dir, &state);
                    drop(state);
                    self.inner.content.send_replace(Arc::new(content));
                }
                Err(err) => tracing::error!(
                    "previous content version {} cannot be used: {err}",
                    previous.version
                ),
            }
        }
    }

    /// Installs the bundled default when nothing newer is on screen.
    fn install_bundled(&self, pack: &'static [u8]) {
        let origin = Origin::Pack(pack);
        let on_screen = self.current().info.as_ref().map(|i| i.version);
        let counters = Arc::new(Counters::default());
        let limits = self.inner.config.limits;
        let result = (|| -> Result<Option<u64>, SyncError> {
            let raw = match futures_block(origin.manifest(None, &limits, &counters))? {
                ManifestFetch::Body(raw, _) => raw,
                ManifestFetch::NotModified => unreachable!("a pack has no validators"),
            };
            let verified = manifest::verify(&raw, &self.inner.keys, &limits)?;
            if on_screen.is_some_and(|v| v >= verified.manifest.version) {
                return Ok(None);
            }
            let highest = self.state().highest_version;
            if on_screen.is_none() && verified.manifest.version <= highest {
                // The installed content broke and nothing else is usable: show the bundled content without
                // lowering the highest version seen; the next newer bundle replaces it.
                let objects = self.objects_dir();
                let missing: Vec<_> = verified
                    .files
                    .iter()
                    .map(|(id, e)| (*id, e.clone()))
                    .collect();
                futures_block(origin.fetch_missing(
                    missing,
                    &objects,
                    &self.inner.dir.join("partial"),
                    1,
                    &counters,
                ))?;
                let content = assemble(&verified, &objects, "bundled", &limits)?;
                self.inner.content.send_replace(Arc::new(content));
                return Ok(Some(verified.manifest.version));
            }
            let version = verified.manifest.version;
            futures_block(self.apply(&origin, verified, &counters, |_| {})).map(|_| Some(version))
        })();
        match result {
            Ok(Some(version)) => {
                tracing::info!("showing the bundled default content, version {version}")
            }
            Ok(None) => {}
            Err(err) => tracing::warn!("the bundled default content is not used: {err}"),
        }
    }

    /// Removes cached files used by neither the current nor the previous version, and stale partials.
    fn collect_garbage(&self) {
        let (current, previous) = {
            let state = self.state();
            (state.current.clone(), state.previous.clone())
        };
        let mut keep: HashSet<ObjectId> = HashSet::new();
        let mut current_files: HashSet<ObjectId> = HashSet::new();
        for (installed, is_current) in [(current, true), (previous, false)] {
            let Some(installed) = installed else { continue };
            let Ok(raw) = std::fs::read(self.manifest_path(installed.version)) else {
                continue;
            };
            let Ok(verified) = manifest::verify(&raw, &self.inner.keys, &self.inner.config.limits)
            else {
                continue;
            };
            keep.extend(verified.files.keys().copied());
            if is_current {
                current_files.extend(verified.files.keys().copied());
            }
        }
        let objects = self.objects_dir();
        for fan in std::fs::read_dir(&objects).into_iter().flatten().flatten() {
            for entry in std::fs::read_dir(fan.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let id = entry
                    .file_name()
                    .to_str()
                    .and_then(|n| n.parse::<ObjectId>().ok());
                if !id.is_some_and(|id| keep.contains(&id)) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        for entry in std::fs::read_dir(self.inner.dir.join("partial"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let id = entry
                .file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".part"))
                .and_then(|n| n.parse::<ObjectId>().ok());
            if !id.is_some_and(|id| current_files.contains(&id)) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Runs a future that never waits (pack and directory origins do no network I/O) to completion.
fn futures_block<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::yield_now();
    }
}

fn read_state(dir: &Path) -> State {
    let path = dir.join("state.json");
    match std::fs::read(&path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => State::default(),
        Err(err) => {
            tracing::error!(
                "{}: {err}; starting from the manifests on disk",
                path.display()
            );
            rebuild_state(dir)
        }
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|err| {
            tracing::error!(
                "{}: {err}; starting from the manifests on disk",
                path.display()
            );
            rebuild_state(dir)
        }),
    }
}

/// A state that keeps rollback protection when `state.json` is lost: the highest version on disk.
fn rebuild_state(dir: &Path) -> State {
    let highest = std::fs::read_dir(dir.join("manifests"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".json")?
                .parse::<u64>()
                .ok()
        })
        .max()
        .unwrap_or(0);
    State {
        highest_version: highest,
        ..State::default()
    }
}

fn write_state(dir: &Path, state: &State) -> Result<(), SyncError> {
    let bytes = serde_json::to_vec_pretty(state).expect("state serialises");
    write_atomic(&dir.join("state.json"), &bytes)
}

/// Writes a file so that readers see the old or the new bytes, never a mix: temporary file, fsync, rename,
/// fsync of the directory.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SyncError> {
    use std::io::Write as _;
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|err| SyncError::io(&tmp, err))?;
    file.write_all(bytes)
        .map_err(|err| SyncError::io(&tmp, err))?;
    file.sync_all().map_err(|err| SyncError::io(&tmp, err))?;
    std::fs::rename(&tmp, path).map_err(|err| SyncError::io(path, err))?;
    if let Some(parent) = path.parent()
        && let Ok(dir) = std::fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}
