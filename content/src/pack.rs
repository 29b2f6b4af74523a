//! A whole bundle in one file, used to embed the default content in the firmware.
//!
//! `QJKPACK1\n`, then for each file a line `<name> <length>\n` followed by the bytes. Names are
//! `manifest.json` or `objects/ab/<sha256>`; the pack is verified exactly like a bundle directory. It is
//! also what the publisher uploads to the district centre ([`crate::upload`]).

use std::collections::BTreeMap;

use super::error::BundleError;

const MAGIC: &[u8] = b"QJKPACK1\n";

/// Writes a pack of `(name, bytes)` entries.
pub fn write(entries: &[(String, &[u8])]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    for (name, bytes) in entries {
        out.extend_from_slice(format!("{name} {}\n", bytes.len()).as_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

/// Reads a pack into its files by name. Names are returned as written: a reader must check them (only
/// `manifest.json` and the `objects/…` paths of the manifest's digests are meaningful) before using one.
pub fn read(pack: &[u8]) -> Result<BTreeMap<String, &[u8]>, BundleError> {
    let bad = |reason: &str| BundleError::Malformed {
        reason: format!("pack: {reason}"),
    };
    let mut rest = pack
        .strip_prefix(MAGIC)
        .ok_or_else(|| bad("no QJKPACK1 header"))?;
    let mut files = BTreeMap::new();
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| bad("truncated header line"))?;
        let line =
            std::str::from_utf8(&rest[..end]).map_err(|_| bad("header line is not UTF-8"))?;
        let (name, len) = line
            .rsplit_once(' ')
            .ok_or_else(|| bad("header line without length"))?;
        let len: usize = len.parse().map_err(|_| bad("bad length"))?;
        rest = &rest[end + 1..];
        if rest.len() < len {
            return Err(bad("truncated file"));
        }
        files.insert(name.to_owned(), &rest[..len]);
        rest = &rest[len..];
    }
    Ok(files)
}
