//! Where the kiosk keeps its data on this machine.

use std::path::PathBuf;

/// Environment variable naming the data directory when the configuration has no `[storage] data_dir`
/// (the packaged systemd units set it to `/var/lib/kiosk`).
pub const DATA_DIR_ENV: &str = "KIOSK_DATA_DIR";

/// The data directory when the configuration names none: `$KIOSK_DATA_DIR` when set and not empty, else
/// the per-user data directory (`~/.local/share/legal-kiosk` on Linux), or `./kiosk-data` when there is
/// no home.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|dir| !dir.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("cn", "qianjiang", "legal-kiosk")
        .map(|dirs| dirs.data_dir().to_owned())
        .unwrap_or_else(|| PathBuf::from("kiosk-data"))
}
