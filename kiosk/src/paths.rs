//! Where the kiosk keeps its data on this machine.

use std::path::PathBuf;

/// The per-user data directory (`~/.local/share/legal-kiosk` on Linux), or `./kiosk-data` when there is no home.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("cn", "qianjiang", "legal-kiosk")
        .map(|dirs| dirs.data_dir().to_owned())
        .unwrap_or_else(|| PathBuf::from("kiosk-data"))
}
