//! Configuration errors: each names the file, the key and the reason.

use std::path::PathBuf;

/// Why a configuration file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("config file {}: not valid TOML: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// What the parser found, with line and column.
        message: String,
    },
    /// A key is unknown or its value has the wrong type.
    #[error("config file {}: key `{key}`: {message}", path.display())]
    Field {
        /// The file.
        path: PathBuf,
        /// The dotted key, e.g. `ui.idle_timeout_secs`.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// A value has the right type but is not acceptable.
    #[error("config file {}: key `{key}`: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The dotted key.
        key: String,
        /// Why the value is not acceptable.
        reason: String,
    },
}

impl ConfigError {
    pub(super) fn syntax(path: &std::path::Path, err: &toml::de::Error) -> Self {
        Self::Syntax {
            path: path.to_owned(),
            message: one_line(&err.to_string()),
        }
    }

    pub(super) fn field(
        path: &std::path::Path,
        err: &serde_path_to_error::Error<toml::de::Error>,
    ) -> Self {
        let key = err.path().to_string();
        let key = if key == "." {
            "(top level)".to_owned()
        } else {
            key
        };
        Self::Field {
            path: path.to_owned(),
            key,
            message: one_line(&err.inner().to_string()),
        }
    }
}

/// toml's messages span several lines with a source excerpt; the first and last meaningful lines say it all.
fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with('|')
                && !l.chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .collect();
    lines.join("; ")
}
