//! The bundle manifest: what a bundle holds, signed with Ed25519 (see `content/README.md`).
//!
//! `manifest.json` is an envelope `{ "signed": "<manifest text>", "signatures": [...] }`. The signature
//! covers [`SIGNING_CONTEXT`] followed by the exact bytes of the `signed` string, so no canonical JSON is
//! needed. Every file of the bundle is content-addressed: `objects/<first two hex digits>/<sha256 hex>`.
//! File names in a manifest are only ever SHA-256 digests checked here; they never become paths otherwise.

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
    str::FromStr,
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{
    config::ContentLimits,
    error::BundleError,
    keys::{PublicKey, SecretKey},
};

/// The manifest format this code reads and writes.
pub const FORMAT: u32 = 1;

/// Bytes signed before the manifest text (domain separation).
pub const SIGNING_CONTEXT: &[u8] = b"qianjiang-kiosk/content-manifest/v1\n";

/// The collections a bundle may hold.
pub const COLLECTIONS: [&str; 10] = [
    "services",
    "lawyers",
    "institutions",
    "sites",
    "staff",
    "publicity",
    "notices",
    "legal_aid",
    "display",
    "videos",
];

/// The SHA-256 digest naming a file of a bundle.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId([u8; 32]);

impl ObjectId {
    /// The id of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// From a finished digest.
    pub fn from_digest(digest: [u8; 32]) -> Self {
        Self(digest)
    }

    /// The relative path of the object in a bundle directory or cache: `objects/ab/abcd…`.
    pub fn relative_path(&self) -> String {
        let hex = self.to_string();
        format!("objects/{}/{hex}", &hex[..2])
    }

    /// The object's path under `objects_dir` (the directory that holds the two-digit fan-out).
    pub fn path_in(&self, objects_dir: &Path) -> PathBuf {
        let hex = self.to_string();
        objects_dir.join(&hex[..2]).join(hex)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

impl FromStr for ObjectId {
    type Err = BundleError;

    /// Exactly 64 lowercase hexadecimal digits; anything else (`../x`, `a/b`, upper case) is refused.
    fn from_str(text: &str) -> Result<Self, BundleError> {
        let invalid = || BundleError::InvalidName {
            name: text.chars().take(120).collect(),
        };
        if text.len() != 64
            || !text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(invalid());
        }
        let bytes = hex::decode(text).map_err(|_| invalid())?;
        Ok(Self(bytes.try_into().map_err(|_| invalid())?))
    }
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Size in bytes.
    pub size: u64,
    /// Media type (`application/json` for collection parts, `image/png`, `image/jpeg`…).
    pub media_type: String,
}

/// The signed description of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Format number ([`FORMAT`]).
    pub format: u32,
    /// Monotonically increasing version; a device never goes back to a lower one (within an epoch). At most
    /// the signing time in seconds since 1970 (the publisher's default is exactly that).
    pub version: u64,
    /// The trust epoch, 0 unless the centre has reset devices (see "Trust and recovery" in the README). A
    /// bundle of a higher epoch than the device's resets its highest version and time floor; a lower epoch
    /// is refused. Omitted from the manifest when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub epoch: u64,
    /// When the bundle was signed.
    pub created: DateTime<Utc>,
    /// After this time a device refuses the bundle (and marks it stale if installed).
    pub expires: DateTime<Utc>,
    /// A title for people (e.g. "2026年第12期").
    pub title: String,
    /// For each collection, its parts in order: each part is a JSON file in `files`.
    pub collections: BTreeMap<String, Vec<String>>,
    /// Every file of the bundle by SHA-256 (lowercase hex).
    pub files: BTreeMap<String, FileEntry>,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// Checks that the version is at most the signing time in seconds since 1970: a version cannot be pushed
/// past the signing time, and the signing time is bounded by the device's clock policy.
pub fn check_version_ceiling(manifest: &Manifest) -> Result<(), BundleError> {
    let ceiling = u64::try_from(manifest.created.timestamp()).unwrap_or(0);
    if manifest.version > ceiling {
        return Err(BundleError::VersionAboveSigningTime {
            version: manifest.version,
            created: manifest.created,
        });
    }
    Ok(())
}

/// One signature in the envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureEntry {
    /// Id of the signing key.
    pub key_id: String,
    /// Ed25519 signature, hex.
    pub sig: String,
}

/// The content of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// The manifest's JSON text, exactly as signed.
    pub signed: String,
    /// Signatures over [`SIGNING_CONTEXT`] + `signed`.
    pub signatures: Vec<SignatureEntry>,
}

/// A manifest whose signature, format and limits have been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedManifest {
    /// The manifest.
    pub manifest: Manifest,
    /// Its files, with parsed ids.
    pub files: BTreeMap<ObjectId, FileEntry>,
    /// SHA-256 of the whole `manifest.json` (tells an unchanged bundle from a changed one).
    pub envelope_sha256: ObjectId,
    /// Id of the key whose signature was accepted.
    pub key_id: String,
    /// The bytes of `manifest.json`.
    pub raw: Vec<u8>,
}

impl VerifiedManifest {
    /// The parts of a collection (empty when the bundle does not have it).
    pub fn parts(&self, collection: &str) -> Vec<ObjectId> {
        self.manifest
            .collections
            .get(collection)
            .map(|parts| parts.iter().filter_map(|p| p.parse().ok()).collect())
            .unwrap_or_default()
    }

    /// Total size of the bundle's files.
    pub fn total_bytes(&self) -> u64 {
        self.files.values().map(|f| f.size).sum()
    }
}

/// Signs a manifest and returns the bytes of `manifest.json`.
pub fn sign(manifest: &Manifest, keys: &[&SecretKey]) -> Vec<u8> {
    let signed = serde_json::to_string(manifest).expect("a manifest always serialises");
    let message = [SIGNING_CONTEXT, signed.as_bytes()].concat();
    let signatures = keys
        .iter()
        .map(|key| SignatureEntry {
            key_id: key.public().id(),
            sig: hex::encode(key.sign(&message)),
        })
        .collect();
    let mut out = serde_json::to_vec_pretty(&Envelope { signed, signatures }).expect("serialises");
    out.push(b'\n');
    out
}

/// Checks `manifest.json`: size, that it is JSON and not an HTML page, the signature against the trusted
/// keys (fail closed), the format, the names and the limits. Version and expiry are checked by the store.
pub fn verify(
    raw: &[u8],
    trusted: &[PublicKey],
    limits: &ContentLimits,
) -> Result<VerifiedManifest, BundleError> {
    if raw.len() as u64 > limits.max_manifest_bytes {
        return Err(BundleError::Oversize {
            what: "manifest.json".into(),
            size: raw.len() as u64,
            limit: limits.max_manifest_bytes,
        });
    }
    let start = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(raw.len());
    if raw.get(start) != Some(&b'{') {
        let snippet: String =
            String::from_utf8_lossy(&raw[start..raw.len().min(start + 80)]).into_owned();
        return Err(BundleError::NotAManifest {
            reason: format!("it does not start with `{{` but with `{snippet}`"),
        });
    }
    let envelope: Envelope =
        serde_json::from_slice(raw).map_err(|err| BundleError::NotAManifest {
            reason: format!("not a manifest envelope: {err}"),
        })?;
    let message = [SIGNING_CONTEXT, envelope.signed.as_bytes()].concat();
    let mut accepted = None;
    let mut offered = Vec::new();
    for entry in &envelope.signatures {
        offered.push(entry.key_id.clone());
        let Some(key) = trusted.iter().find(|k| k.id() == entry.key_id) else {
            continue;
        };
        let sig = hex::decode(&entry.sig).unwrap_or_default();
        if !key.verify(&message, &sig) {
            return Err(BundleError::BadSignature {
                key_id: entry.key_id.clone(),
            });
        }
        accepted.get_or_insert_with(|| entry.key_id.clone());
    }
    let Some(key_id) = accepted else {
        return Err(BundleError::UnknownKey { offered });
    };
    let manifest: Manifest =
        serde_json::from_str(&envelope.signed).map_err(|err| BundleError::Malformed {
            reason: format!("signed manifest: {err}"),
        })?;
    if manifest.format != FORMAT {
        return Err(BundleError::Malformed {
            reason: format!(
                "format {} is not supported (this device reads format {FORMAT})",
                manifest.format
            ),
        });
    }
    if manifest.expires <= manifest.created {
        return Err(BundleError::Malformed {
            reason: "expires is not after created".into(),
        });
    }
    let files = check_files(&manifest, limits)?;
    Ok(VerifiedManifest {
        manifest,
        files,
        envelope_sha256: ObjectId::of(raw),
        key_id,
        raw: raw.to_vec(),
    })
}

fn check_files(
    manifest: &Manifest,
    limits: &ContentLimits,
) -> Result<BTreeMap<ObjectId, FileEntry>, BundleError> {
    if manifest.files.len() > limits.max_files {
        return Err(BundleError::Oversize {
            what: "file count".into(),
            size: manifest.files.len() as u64,
            limit: limits.max_files as u64,
        });
    }
    let mut files = BTreeMap::new();
    let mut total = 0u64;
    for (name, entry) in &manifest.files {
        let id: ObjectId = name.parse()?;
        if entry.size > limits.max_file_bytes {
            return Err(BundleError::Oversize {
                what: format!("file {name}"),
                size: entry.size,
                limit: limits.max_file_bytes,
            });
        }
        total = total.saturating_add(entry.size);
        files.insert(id, entry.clone());
    }
    if total > limits.max_total_bytes {
        return Err(BundleError::Oversize {
            what: "bundle".into(),
            size: total,
            limit: limits.max_total_bytes,
        });
    }
    for (collection, parts) in &manifest.collections {
        for part in parts {
            let id: ObjectId = part.parse()?;
            if !files.contains_key(&id) {
                return Err(BundleError::Malformed {
                    reason: format!(
                        "collection `{collection}` names part {part}, which is not in `files`"
                    ),
                });
            }
        }
    }
    Ok(files)
}
