//! The window count a technician sets on the kiosk.
//!
//! The staff windows are part of the queue host's `[queue]` table, and the queue engine reads them once
//! at start. So the technician page does not change the running queue: it stores a device-local
//! override, `DATA_DIR/technician.toml` (`window_count = N`), and this device applies it at its next
//! start by keeping the first N windows of its `[queue]` table (in the order listed). The page says so
//! ("takes effect after a restart"). A kiosk in remote mode (`ui.queue_host_url`) has no windows of
//! its own: the page refuses and points to the queue host. A count that would leave a service without
//! any window is refused with the service's name.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use content::Text;

use queue::QueueConfig;

/// The override's file name in the data directory.
pub const WINDOW_COUNT_FILE: &str = "technician.toml";

/// Why the stored window count could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum WindowCountError {
    /// The file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not `window_count = N`.
    #[error("{}: key `window_count`: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    window_count: u32,
}

/// The stored window count, if a technician set one.
pub fn read(data_dir: &Path) -> Result<Option<u32>, WindowCountError> {
    let path = data_dir.join(WINDOW_COUNT_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(WindowCountError::Io { path, source }),
    };
    let stored: Stored = toml::from_str(&text).map_err(|err| WindowCountError::Invalid {
        path: path.clone(),
        reason: err.message().to_owned(),
    })?;
    if stored.window_count == 0 {
        return Err(WindowCountError::Invalid {
            path,
            reason: "must be at least 1".to_owned(),
        });
    }
    Ok(Some(stored.window_count))
}

/// Stores `count` (written to a temporary file, then renamed, so a power cut leaves the old or the new).
pub fn save(data_dir: &Path, count: u32) -> Result<(), WindowCountError> {
    let path = data_dir.join(WINDOW_COUNT_FILE);
    let tmp = data_dir.join(format!("{WINDOW_COUNT_FILE}.tmp"));
    let text = format!(
        "# Set on the kiosk's technician page; applied at start to this device's [queue] windows.\n{}",
        toml::to_string(&Stored {
            window_count: count
        })
        .unwrap_or_default()
    );
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|source| WindowCountError::Io { path, source })
}

/// Whether `count` windows can serve the queue of `config`: 1 to the configured number, and every
/// service served by a window still served. The error is in both languages.
pub fn check(config: &QueueConfig, count: u32) -> Result<(), Text> {
    let configured = config.windows.len();
    if count == 0 || count as usize > configured {
        return Err(Text::new(
            format!("窗口数量须在 1 到 {configured} 之间（已配置 {configured} 个窗口）"),
            format!("the window count must be 1 to {configured} ({configured} windows configured)"),
        ));
    }
    let kept = &config.windows[..count as usize];
    for service in &config.services {
        let served = config
            .windows
            .iter()
            .any(|w| w.services.contains(&service.id));
        let still = kept.iter().any(|w| w.services.contains(&service.id));
        if served && !still {
            return Err(Text::new(
                format!("业务“{}”将没有窗口办理", service.name_zh),
                format!("no window would serve “{}”", service.name_en),
            ));
        }
    }
    Ok(())
}

/// Applies the stored count to `config` (keeps the first N windows). Logs and ignores a count that
/// does not fit the configuration; returns the count applied.
pub fn apply(config: &mut QueueConfig, data_dir: &Path) -> Option<u32> {
    let count = match read(data_dir) {
        Ok(count) => count?,
        Err(err) => {
            tracing::error!("technician window count ignored: {err}");
            return None;
        }
    };
    if let Err(why) = check(config, count) {
        tracing::error!("technician window count {count} ignored: {}", why.en);
        return None;
    }
    tracing::info!(
        "technician window count: {count} of {} configured windows in service",
        config.windows.len()
    );
    config.windows.truncate(count as usize);
    Some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_count_is_applied_at_start() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), None);
        let mut config = QueueConfig::demo();
        assert_eq!(apply(&mut config, dir.path()), None);
        assert_eq!(config.windows.len(), 3);
        save(dir.path(), 2).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Some(2));
        // Window 3 is the only one serving notary: two windows would leave it unserved.
        let err = check(&config, 2).unwrap_err();
        assert!(err.zh.contains("公证"), "{}", err.zh);
        assert_eq!(apply(&mut config, dir.path()), None, "refused, logged");
        assert_eq!(config.windows.len(), 3);
        // With window 3's services also on window 1, two windows serve everything.
        config.windows[0]
            .services
            .extend(["notary".into(), "approval".into()]);
        assert!(check(&config, 2).is_ok());
        assert_eq!(apply(&mut config, dir.path()), Some(2));
        assert_eq!(config.windows.len(), 2);
        assert!(check(&config, 0).is_err());
        assert!(check(&config, 3).unwrap_err().en.contains("1 to 2"));
    }

    #[test]
    fn a_bad_file_names_the_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(WINDOW_COUNT_FILE), "window_count = 0\n").unwrap();
        let err = read(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("window_count") && err.contains("at least 1"),
            "{err}"
        );
    }
}
