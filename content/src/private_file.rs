//! Files only the device's own user may read: the outbox database (complaints hold phone numbers)
//! and, in the `centre` service, its database. Mode 0600 from the first byte, and restricted again
//! when an older file was created more open.

use std::path::Path;

/// Creates `path` with mode 0600 if it does not exist, and restricts it to 0600 if it does.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    restrict(path)
}

/// Restricts an existing file to mode 0600 (a missing one is fine: SQLite's `-wal` and `-shm` come
/// and go).
pub fn restrict(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    match std::fs::metadata(path) {
        Ok(meta) if meta.permissions().mode() & 0o777 != 0o600 => {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        }
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err),
    }
}
