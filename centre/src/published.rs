//! The published content bundle: what the centre serves at `/content/`, and how an uploaded bundle
//! replaces it.
//!
//! On disk, below `DATA_DIR/content/`:
//!
//! ```text
//! bundles/e<epoch>-v<version>/   one verified bundle directory each (manifest.json, objects/ab/ab12…)
//! current  -> bundles/…          the bundle served (a symbolic link, replaced by rename: atomic)
//! previous -> bundles/…          the one before (its files are still served to kiosks in mid-sync)
//! staging/                       uploads being unpacked and checked
//! ```
//!
//! An upload is checked with the content crate's own code (the signature against the centre's
//! `content_keys`, every file's size and SHA-256, every record, the version ceiling: [`content::verify`]
//! and [`content::verify_dir`], exactly what a kiosk runs), must be newer than the current bundle (a
//! higher version in the same epoch, or a higher epoch), and must not have expired. It is unpacked into
//! `staging/`, every file and directory is fsynced, then it is renamed into `bundles/` and `current` is
//! switched to it. A refused or failed upload leaves the current bundle served as it was.

use std::{
    collections::BTreeMap,
    io::Write as _,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError, RwLock},
};

use chrono::{DateTime, Utc};
use content::{ContentLimits, Envelope, FileEntry, Manifest, ObjectId, PublicKey};

/// The name of the current bundle's link.
const CURRENT: &str = "current";
/// The name of the previous bundle's link.
const PREVIOUS: &str = "previous";

/// Why an upload was not published. The current bundle stays served in every case.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The upload is not a pack, or the pack does not hold exactly a bundle.
    #[error("not a bundle pack: {0}")]
    BadPack(String),
    /// The bundle failed the content crate's checks (signature, key, hashes, records, limits).
    #[error("the bundle was refused: {0}")]
    BadBundle(String),
    /// The bundle has expired by the centre's clock.
    #[error("the bundle expired at {expires} (the centre's time is {now})")]
    Expired {
        /// When it expired.
        expires: DateTime<Utc>,
        /// The centre's time.
        now: DateTime<Utc>,
    },
    /// The bundle is not newer than the one served.
    #[error(
        "version {offered} (epoch {offered_epoch}) is not newer than the published version \
         {current} (epoch {current_epoch}): build with a higher version, or a higher epoch to reset"
    )]
    NotNewer {
        /// The offered version.
        offered: u64,
        /// Its epoch.
        offered_epoch: u64,
        /// The published version.
        current: u64,
        /// Its epoch.
        current_epoch: u64,
    },
    /// The centre could not write or read its content directory.
    #[error("content directory {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.to_owned(),
        source,
    }
}

/// One bundle as served: its directory, the bytes of its manifest and what the routes need to answer.
#[derive(Debug)]
pub struct Bundle {
    /// The bundle directory (holding `manifest.json` and `objects/`).
    pub dir: PathBuf,
    /// The bytes of `manifest.json`, served from memory.
    pub manifest: axum::body::Bytes,
    /// The strong entity tag of `manifest.json` (its SHA-256, quoted).
    pub etag: String,
    /// When it was published (second resolution, strictly later than the bundle before it, so that
    /// `If-Modified-Since` never hides a newer bundle).
    pub published: DateTime<Utc>,
    /// The manifest.
    pub info: Manifest,
    /// Its files by id.
    pub files: BTreeMap<ObjectId, FileEntry>,
}

impl Bundle {
    /// Reads the bundle in `dir` (its manifest is parsed, not verified again: it was verified when it
    /// was published, and the kiosks verify it themselves).
    fn load(dir: &Path) -> Result<Self, PublishError> {
        let path = dir.join("manifest.json");
        let raw = std::fs::read(&path).map_err(io(&path))?;
        let published = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .map_err(io(&path))?;
        Self::from_raw(dir, raw, seconds(DateTime::<Utc>::from(published)))
    }

    fn from_raw(dir: &Path, raw: Vec<u8>, published: DateTime<Utc>) -> Result<Self, PublishError> {
        let bad = |reason: String| PublishError::BadBundle(format!("{}: {reason}", dir.display()));
        let envelope: Envelope = serde_json::from_slice(&raw).map_err(|e| bad(e.to_string()))?;
        let info: Manifest =
            serde_json::from_str(&envelope.signed).map_err(|e| bad(e.to_string()))?;
        let files = info
            .files
            .iter()
            .map(|(name, entry)| Ok((name.parse::<ObjectId>()?, entry.clone())))
            .collect::<Result<_, content::BundleError>>()
            .map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            dir: dir.to_owned(),
            etag: format!("\"{}\"", ObjectId::of(&raw)),
            manifest: raw.into(),
            published,
            info,
            files,
        })
    }

    /// The path of a file of this bundle, if it has it.
    pub fn object_path(&self, id: ObjectId) -> Option<(PathBuf, &FileEntry)> {
        let entry = self.files.get(&id)?;
        Some((id.path_in(&self.dir.join("objects")), entry))
    }
}

/// What a publication produced, for the answer and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The version now served.
    pub version: u64,
    /// Its epoch.
    pub epoch: u64,
    /// Its title.
    pub title: String,
    /// SHA-256 of its `manifest.json`.
    pub manifest_sha256: String,
    /// Files in the bundle.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
    /// The version it replaced, if any.
    pub replaced: Option<u64>,
}

/// The published bundles: the current one and the previous one, and the publishing of a new one.
pub struct PublishedContent {
    root: PathBuf,
    keys: Vec<PublicKey>,
    limits: ContentLimits,
    served: RwLock<Served>,
    /// One publication at a time.
    publishing: Mutex<()>,
}

#[derive(Default)]
struct Served {
    current: Option<Arc<Bundle>>,
    previous: Option<Arc<Bundle>>,
}

impl std::fmt::Debug for PublishedContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublishedContent")
            .field("root", &self.root)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl PublishedContent {
    /// Opens `content_dir` (created when missing, mode 0700), loading the current and previous bundles.
    /// Uploads are verified against `keys`.
    pub fn open(content_dir: &Path, keys: Vec<PublicKey>) -> Result<Self, PublishError> {
        create_private_dir(content_dir)?;
        let staging = content_dir.join("staging");
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        let load = |link: &str| -> Result<Option<Arc<Bundle>>, PublishError> {
            let path = content_dir.join(link);
            match std::fs::read_link(&path) {
                Ok(target) => Ok(Some(Arc::new(Bundle::load(&content_dir.join(target))?))),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(err) => Err(io(&path)(err)),
            }
        };
        let served = Served {
            current: load(CURRENT)?,
            previous: load(PREVIOUS)?,
        };
        Ok(Self {
            root: content_dir.to_owned(),
            keys,
            limits: ContentLimits::default(),
            served: RwLock::new(served),
            publishing: Mutex::new(()),
        })
    }

    /// The bundle served now, if one has been published.
    pub fn current(&self) -> Option<Arc<Bundle>> {
        self.read().current.clone()
    }

    /// The bundle served before the current one (its files stay available for kiosks in mid-sync).
    pub fn previous(&self) -> Option<Arc<Bundle>> {
        self.read().previous.clone()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Served> {
        self.served.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks the bundle in `pack` (see the module's documentation) and, when it passes, makes it the
    /// current bundle. Blocking (file system and hashing): call it on a blocking thread.
    pub fn publish(&self, pack: &[u8], now: DateTime<Utc>) -> Result<Published, PublishError> {
        let _one = self
            .publishing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let files = content::pack::read(pack).map_err(|e| PublishError::BadPack(e.to_string()))?;
        let raw = files
            .get("manifest.json")
            .ok_or_else(|| PublishError::BadPack("it holds no manifest.json".into()))?;
        let verified = content::verify(raw, &self.keys, &self.limits)
            .map_err(|e| PublishError::BadBundle(e.to_string()))?;
        let manifest = &verified.manifest;
        let names: BTreeMap<String, ObjectId> = verified
            .files
            .keys()
            .map(|id| (id.relative_path(), *id))
            .collect();
        if let Some(stray) = files
            .keys()
            .find(|name| *name != "manifest.json" && !names.contains_key(*name))
        {
            return Err(PublishError::BadPack(format!(
                "it holds `{}`, which the manifest does not list",
                stray.escape_debug()
            )));
        }
        if let Some(missing) = names.keys().find(|name| !files.contains_key(*name)) {
            return Err(PublishError::BadPack(format!(
                "the manifest lists `{missing}`, which the pack does not hold"
            )));
        }
        if manifest.expires <= now {
            return Err(PublishError::Expired {
                expires: manifest.expires,
                now,
            });
        }
        let current = self.current();
        if let Some(current) = &current {
            let (epoch, version) = (current.info.epoch, current.info.version);
            // Newer: a higher epoch (a reset bundle, whatever its version), or a higher version.
            if (manifest.epoch, manifest.version) <= (epoch, version) {
                return Err(PublishError::NotNewer {
                    offered: manifest.version,
                    offered_epoch: manifest.epoch,
                    current: version,
                    current_epoch: epoch,
                });
            }
        }

        // Unpack into staging: names come from the checked digests only, never from the pack.
        let staging_root = self.root.join("staging");
        create_private_dir(&staging_root)?;
        let staging = staging_root.join(format!("e{}-v{}", manifest.epoch, manifest.version));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        let result = self.unpack_and_check(&staging, raw, &names, &files);
        if let Err(err) = result {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(err);
        }

        // Move it into place and switch the links.
        let bundles = self.root.join("bundles");
        create_private_dir(&bundles)?;
        let name = format!("e{}-v{}", manifest.epoch, manifest.version);
        let target = bundles.join(&name);
        if target.exists() {
            // Left by a publication that failed before switching `current` (it is not served).
            std::fs::remove_dir_all(&target).map_err(io(&target))?;
        }
        std::fs::rename(&staging, &target).map_err(io(&target))?;
        fsync_dir(&bundles)?;
        let published_at = match &current {
            Some(current) if seconds(now) <= current.published => {
                current.published + chrono::Duration::seconds(1)
            }
            _ => seconds(now),
        };
        let bundle = Arc::new(Bundle::from_raw(&target, raw.to_vec(), published_at)?);
        let manifest_path = target.join("manifest.json");
        let file = std::fs::File::options()
            .write(true)
            .open(&manifest_path)
            .map_err(io(&manifest_path))?;
        file.set_modified(published_at.into())
            .and_then(|()| file.sync_all())
            .map_err(io(&manifest_path))?;
        let relative = Path::new("bundles").join(&name);
        if let Some(current) = &current {
            let old = Path::new("bundles").join(current.dir.file_name().unwrap_or_default());
            self.switch_link(PREVIOUS, &old)?;
        }
        self.switch_link(CURRENT, &relative)?;
        let replaced = current.as_ref().map(|c| c.info.version);
        {
            let mut served = self.served.write().unwrap_or_else(PoisonError::into_inner);
            served.previous = current;
            served.current = Some(Arc::clone(&bundle));
        }
        self.remove_unserved(&bundles);
        Ok(Published {
            version: manifest.version,
            epoch: manifest.epoch,
            title: manifest.title.clone(),
            manifest_sha256: verified.envelope_sha256.to_string(),
            files: verified.files.len(),
            bytes: verified.total_bytes(),
            replaced,
        })
    }

    /// Writes the bundle into `staging` (every file and directory fsynced), then runs the content
    /// crate's complete check of a bundle directory on it.
    fn unpack_and_check(
        &self,
        staging: &Path,
        raw: &[u8],
        names: &BTreeMap<String, ObjectId>,
        files: &BTreeMap<String, &[u8]>,
    ) -> Result<(), PublishError> {
        create_private_dir(staging)?;
        let objects = staging.join("objects");
        let mut dirs = vec![staging.to_owned(), objects.clone()];
        for (name, id) in names {
            let path = id.path_in(&objects);
            let dir = path.parent().expect("object paths have a parent");
            if !dir.exists() {
                std::fs::create_dir_all(dir).map_err(io(dir))?;
                dirs.push(dir.to_owned());
            }
            write_synced(&path, files[name])?;
        }
        write_synced(&staging.join("manifest.json"), raw)?;
        for dir in dirs.iter().rev() {
            fsync_dir(dir)?;
        }
        content::verify_dir(staging, &self.keys, &self.limits)
            .map_err(|e| PublishError::BadBundle(e.to_string()))?;
        Ok(())
    }

    /// Points the link `name` at `target` atomically: a new link, renamed over the old one.
    fn switch_link(&self, name: &str, target: &Path) -> Result<(), PublishError> {
        let link = self.root.join(name);
        let fresh = self.root.join(format!("{name}.new"));
        let _ = std::fs::remove_file(&fresh);
        std::os::unix::fs::symlink(target, &fresh).map_err(io(&fresh))?;
        std::fs::rename(&fresh, &link).map_err(io(&link))?;
        fsync_dir(&self.root)
    }

    /// Removes bundle directories that are neither current nor previous (failures are only logged).
    fn remove_unserved(&self, bundles: &Path) {
        let keep: Vec<PathBuf> = {
            let served = self.read();
            [&served.current, &served.previous]
                .into_iter()
                .flatten()
                .map(|b| b.dir.clone())
                .collect()
        };
        let Ok(entries) = std::fs::read_dir(bundles) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !keep.contains(&path)
                && let Err(err) = std::fs::remove_dir_all(&path)
            {
                tracing::warn!("cannot remove the old bundle {}: {err}", path.display());
            }
        }
    }
}

/// `time` without its fraction of a second (HTTP dates have second resolution).
fn seconds(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(time.timestamp(), 0).unwrap_or(time)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    let mut file = std::fs::File::create(path).map_err(io(path))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io(path))
}

fn fsync_dir(dir: &Path) -> Result<(), PublishError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))
}

fn create_private_dir(dir: &Path) -> Result<(), PublishError> {
    use std::os::unix::fs::DirBuilderExt as _;
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io(dir))?;
    }
    Ok(())
}
