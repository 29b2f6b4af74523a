//! Reading files from a bundle directory the device does not control (a USB stick).
//!
//! A stick may hold anything: a symbolic link to `/dev/zero` (an endless read), a named pipe (a read that
//! blocks forever), a device node. Every file is therefore opened race-free, component by component
//! below the bundle directory: each directory with `O_DIRECTORY | O_NOFOLLOW`, the file itself with
//! `O_NOFOLLOW | O_NONBLOCK` (opening a pipe does not wait for a writer), then `fstat` on the open
//! descriptor must say "regular file", and at most the allowed number of bytes is read. The bundle
//! directory itself (the configured `usb_path`, e.g. a mount point) may be reached through a link.

use std::{
    io::Read as _,
    os::fd::OwnedFd,
    path::{Path, PathBuf},
};

use rustix::{
    fs::{FileType, Mode, OFlags, fstat, open, openat},
    io::Errno,
};

use super::error::{BundleError, SyncError};

/// Reads `dir/<components…>`, a regular file of at most `limit` bytes.
///
/// Errors name the file: [`BundleError::NotARegularFile`] for a link, pipe, device or directory,
/// [`BundleError::Oversize`] past `limit` (`what` names it), [`SyncError::Io`] when it cannot be opened.
pub(crate) fn read_regular(
    dir: &Path,
    components: &[&str],
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, SyncError> {
    let (name, parents) = components
        .split_last()
        .expect("a file has at least one path component");
    let mut path = dir.to_owned();
    let mut fd: OwnedFd = open(
        dir,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|err| SyncError::io(dir, err.into()))?;
    for parent in parents {
        path.push(parent);
        fd = openat(
            &fd,
            *parent,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|err| open_error(&path, err))?;
    }
    path.push(name);
    let fd = openat(
        &fd,
        *name,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|err| open_error(&path, err))?;
    let stat = fstat(&fd).map_err(|err| SyncError::io(&path, err.into()))?;
    let kind = FileType::from_raw_mode(stat.st_mode);
    if kind != FileType::RegularFile {
        return Err(BundleError::NotARegularFile {
            file: path.display().to_string(),
            found: describe(kind).into(),
        }
        .into());
    }
    let oversize = |size: u64| BundleError::Oversize {
        what: what.to_owned(),
        size,
        limit,
    };
    let declared = u64::try_from(stat.st_size).unwrap_or(0);
    if declared > limit {
        return Err(oversize(declared).into());
    }
    // The file may grow after fstat: never read more than one byte past the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    std::fs::File::from(fd)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|err| SyncError::io(&path, err))?;
    if bytes.len() as u64 > limit {
        return Err(oversize(bytes.len() as u64).into());
    }
    Ok(bytes)
}

/// Whether `path` exists in any form (a link, a pipe…), without following a link or opening it.
pub(crate) fn exists_unfollowed(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn open_error(path: &PathBuf, err: Errno) -> SyncError {
    // ELOOP: the last component is a symbolic link (O_NOFOLLOW); ENOTDIR: not a directory.
    if err == Errno::LOOP || err == Errno::NOTDIR || err == Errno::MLINK {
        let found = std::fs::symlink_metadata(path)
            .map(|m| {
                describe(FileType::from_raw_mode(
                    std::os::unix::fs::MetadataExt::mode(&m),
                ))
            })
            .unwrap_or("not a directory");
        return BundleError::NotARegularFile {
            file: path.display().to_string(),
            found: found.to_owned(),
        }
        .into();
    }
    SyncError::io(path, err.into())
}

fn describe(kind: FileType) -> &'static str {
    match kind {
        FileType::RegularFile => "a regular file",
        FileType::Directory => "a directory",
        FileType::Symlink => "a symbolic link",
        FileType::Fifo => "a named pipe (FIFO)",
        FileType::Socket => "a socket",
        FileType::CharacterDevice => "a character device",
        FileType::BlockDevice => "a block device",
        FileType::Unknown => "of an unknown type",
    }
}
