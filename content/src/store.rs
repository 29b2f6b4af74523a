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
//!
//! Trust: bundles from a sync source are verified with `content.trusted_keys` and admitted by
//! [`crate::admit`]; the embedded default is verified with the development key on its own path only
//! ("Trust and recovery" in `content/README.md`).

mod recovery;
mod state;

use std::{
    collections::HashSet,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, atomic::Ordering},
};

use chrono::{DateTime, Utc};
use tokio::sync::watch;

pub use recovery::ResetReport;
use state::{EMBEDDED_ORIGIN, Installed, State, read_state, write_atomic, write_state};

use super::{
    ContentConfig, ContentError,
    admit::{Admission, TimeRules, admit},
    assemble::assemble,
    clock::{ClockVerdict, SystemWallClock, WallClock, trusted_now},
    config::{DEV_PUBLIC_KEY, NO_CENTRE_KEY},
    error::{BundleError, SyncError},
    fetch::{Counters, ManifestFetch, Origin},
    keys::PublicKey,
    manifest::{self, ObjectId, VerifiedManifest},
    model::Content,
    pack, safe_read,
};

/// The default content, signed with the development key (`assets/content/bundle.pack`). Verified with
/// [`DEV_PUBLIC_KEY`] on the path that installs it, and only there.
pub(crate) static BUNDLED_PACK: &[u8] = include_bytes!("../../assets/content/bundle.pack");

/// Which keys a bundle is verified with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// From a sync source: the configured `trusted_keys`, and the admission rules (epoch, version, time).
    Sync,
    /// The default compiled into the firmware: the development key, no expiry refusal (it is installed
    /// when nothing else exists, and marked stale if it has expired).
    Embedded,
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
    /// The highest version applied in the current epoch (a later bundle must be above it).
    pub highest_version: u64,
    /// The trust epoch (raised by a reset bundle from the centre).
    pub epoch: u64,
}

/// The content store: open it once per process and clone it freely.
#[derive(Clone)]
pub struct ContentStore {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    config: ContentConfig,
    /// The keys trusted for sync (`content.trusted_keys`).
    keys: Vec<PublicKey>,
    /// The development key: verifies the embedded default only.
    embedded_key: PublicKey,
    /// The embedded default pack and the SHA-256 of its `manifest.json`.
    bundled: Option<(&'static [u8], ObjectId)>,
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
    /// Opens the store in `data_dir` with the system clock. Shows the installed bundle; when nothing usable
    /// is installed, installs the embedded default (verified with the development key, on this path only).
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

    /// Opens the store with an injected clock and bundled pack (none: no bundled default). The pack is
    /// trusted only when the development key ([`DEV_PUBLIC_KEY`]) signed it.
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
        config.validate()?;
        let keys = config.keys()?;
        let embedded_key: PublicKey = DEV_PUBLIC_KEY
            .trim()
            .parse()
            .expect("the development public key parses");
        let bundled = bundled.and_then(|pack_bytes| {
            let files = pack::read(pack_bytes).ok()?;
            Some((pack_bytes, ObjectId::of(files.get("manifest.json")?)))
        });
        let client = config.http_client(std::time::Duration::from_secs(10), config.timeout())?;
        let state = read_state(&dir);
        let (content, _) = watch::channel(Arc::new(Content::empty()));
        let store = Self {
            inner: Arc::new(Inner {
                dir,
                config: config.clone(),
                keys,
                embedded_key,
                bundled,
                clock,
                client,
                state: Mutex::new(state),
                content,
                sync_lock: tokio::sync::Mutex::new(()),
            }),
        };
        store.load_installed();
        store.install_bundled();
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

    /// Installed and previous versions, staleness, clock verdict, last error. Staleness is judged by the
    /// device time (the later of the clock and the newest signing time seen), whatever the verdict. While a
    /// source is configured without a centre key, `last_error` says so (naming `content.trusted_keys`).
    pub fn status(&self) -> ContentStatus {
        let state = self.state();
        let (now, clock) = trusted_now(
            self.inner.clock.now(),
            state.time_floor,
            self.inner.config.max_clock_ahead_days,
        );
        let last_error = match self.inner.config.sync_problem() {
            Some(problem) => Some(problem.to_string()),
            None => state.last_error.clone(),
        };
        ContentStatus {
            version: state.current.as_ref().map(|c| c.version),
            previous_version: state.previous.as_ref().map(|p| p.version),
            stale: self.current().is_expired(now),
            clock,
            last_error,
            last_success: state.last_success,
            highest_version: state.highest_version,
            epoch: state.epoch,
        }
    }

    /// One sync with every configured origin: the USB path when a bundle is there, then the source URL.
    /// Empty when nothing is configured. Without a centre key every configured origin fails at once with
    /// [`SyncError::NotConfigured`] naming `content.trusted_keys`, and nothing is read.
    pub async fn sync_once(&self) -> Vec<SyncAttempt> {
        let no_key = self.inner.keys.is_empty();
        let mut attempts = Vec::new();
        if let Some(usb) = &self.inner.config.usb_path
            && (no_key || safe_read::exists_unfollowed(&usb.join("manifest.json")))
        {
            attempts.push(SyncAttempt {
                origin: format!("usb:{}", usb.display()),
                result: self.apply_dir(usb).await,
            });
        }
        if let Some(url) = self.inner.config.source_url() {
            attempts.push(SyncAttempt {
                result: self.sync_url(&url).await,
                origin: url,
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
        let result = if self.inner.keys.is_empty() {
            Err(SyncError::NotConfigured {
                key: "content.trusted_keys".into(),
                reason: NO_CENTRE_KEY.into(),
            })
        } else {
            self.sync_locked(origin, url).await
        };
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
        let outcome = self
            .apply(origin, verified, Trust::Sync, &counters, remember)
            .await?;
        Ok(report(outcome, &counters))
    }

    /// Admits the bundle (epoch, version, expiry, signing time: [`crate::admit`]; the embedded default
    /// only has to be above the highest version), fetches missing files, parses, then swaps it in.
    async fn apply(
        &self,
        origin: &Origin,
        verified: VerifiedManifest,
        trust: Trust,
        counters: &Arc<Counters>,
        remember: impl FnOnce(&mut State),
    ) -> Result<SyncOutcome, SyncError> {
        let m = &verified.manifest;
        let sha = verified.envelope_sha256.to_string();
        let admission = {
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
            match trust {
                Trust::Sync => admit(m, &state.seen(), &self.time_rules())?,
                Trust::Embedded if m.version <= state.highest_version => {
                    return Err(BundleError::Rollback {
                        installed: state.highest_version,
                        offered: m.version,
                    }
                    .into());
                }
                Trust::Embedded => Admission::Next,
            }
        };
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
            match admission {
                Admission::Next => {
                    if let Some(old) = state.current.take()
                        && let Some(dropped) = state.previous.replace(old)
                        && dropped.version != m.version
                    {
                        let _ = std::fs::remove_file(self.manifest_path(dropped.version));
                    }
                    state.highest_version = state.highest_version.max(m.version);
                    state.time_floor =
                        Some(state.time_floor.map_or(m.created, |f| f.max(m.created)));
                }
                Admission::Reset => {
                    // The versions of the old epoch are not kept: none of them may come back.
                    for dropped in [state.current.take(), state.previous.take()]
                        .into_iter()
                        .flatten()
                        .filter(|d| d.version != m.version)
                    {
                        let _ = std::fs::remove_file(self.manifest_path(dropped.version));
                    }
                    tracing::warn!(
                        "content epoch reset from {} to {}: highest version {} becomes {}, time floor {:?} becomes {}",
                        state.epoch,
                        m.epoch,
                        state.highest_version,
                        m.version,
                        state.time_floor,
                        m.created
                    );
                    state.epoch = m.epoch;
                    state.highest_version = m.version;
                    state.time_floor = Some(m.created);
                }
            }
            state.current = Some(installed);
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

    /// The device-time settings of the admission rules, at the store clock's now.
    fn time_rules(&self) -> TimeRules {
        TimeRules {
            device_now: self.inner.clock.now(),
            max_clock_ahead_days: self.inner.config.max_clock_ahead_days,
            max_signed_ahead_days: self.inner.config.max_signed_ahead_days,
        }
    }

    /// Verifies the stored manifest of an installed version with the keys its origin is trusted with: the
    /// configured keys, or for the embedded default the development key and only this firmware's default.
    fn verify_installed(
        &self,
        installed: &Installed,
        raw: &[u8],
    ) -> Result<VerifiedManifest, String> {
        let limits = &self.inner.config.limits;
        if installed.is_embedded() {
            let Some((_, sha)) = self.inner.bundled else {
                return Err("this build has no embedded default content".into());
            };
            if ObjectId::of(raw) != sha {
                return Err("it is not the default content embedded in this firmware".into());
            }
            return manifest::verify(raw, &[self.inner.embedded_key], limits)
                .map_err(|e| e.to_string());
        }
        manifest::verify(raw, &self.inner.keys, limits).map_err(|e| e.to_string())
    }

    /// Loads an installed version from disk and checks it again (signature with today's trusted keys,
    /// every file present, every record).
    fn load_version(&self, installed: &Installed) -> Result<Content, String> {
        let path = self.manifest_path(installed.version);
        let raw = std::fs::read(&path).map_err(|err| format!("{}: {err}", path.display()))?;
        let verified = self.verify_installed(installed, &raw)?;
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

    /// Installs the embedded default when nothing is on screen. It is verified with the development key,
    /// on this path only, and installed even when it has expired (it is then the only content; the status
    /// marks it stale).
    fn install_bundled(&self) {
        let Some((pack_bytes, _)) = self.inner.bundled else {
            return;
        };
        if self.current().info.is_some() {
            return;
        }
        let origin = Origin::Pack(pack_bytes);
        let counters = Arc::new(Counters::default());
        let limits = self.inner.config.limits;
        let result = (|| -> Result<u64, SyncError> {
            let raw = match futures_block(origin.manifest(None, &limits, &counters))? {
                ManifestFetch::Body(raw, _) => raw,
                ManifestFetch::NotModified => unreachable!("a pack has no validators"),
            };
            let verified = manifest::verify(&raw, &[self.inner.embedded_key], &limits)?;
            let version = verified.manifest.version;
            if version <= self.state().highest_version {
                // The installed content broke and nothing else is usable: show the embedded content without
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
                let content = assemble(&verified, &objects, EMBEDDED_ORIGIN, &limits)?;
                self.inner.content.send_replace(Arc::new(content));
                return Ok(version);
            }
            futures_block(self.apply(&origin, verified, Trust::Embedded, &counters, |_| {}))
                .map(|_| version)
        })();
        match result {
            Ok(version) => {
                tracing::info!("showing the embedded default content, version {version}");
                if self.status().stale {
                    tracing::warn!(
                        "the embedded default content has expired: it is shown, marked stale, until a \
                         bundle from the centre replaces it"
                    );
                }
            }
            Err(err) => tracing::warn!("the embedded default content is not used: {err}"),
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
            let Ok(verified) = self.verify_installed(&installed, &raw) else {
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
