//! An item that keeps a bundle's sources from being released: plain data, shared by the launch check
//! (`release_check`) and the error that refuses a release build.

use std::{fmt, path::PathBuf};

/// One item that keeps the sources from being released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    /// The source file, relative to the source directory.
    pub file: PathBuf,
    /// The line (1-based), when the item is on one.
    pub line: Option<usize>,
    /// What is open.
    pub what: String,
}

impl fmt::Display for OpenItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.what),
            None => write!(f, "{}: {}", self.file.display(), self.what),
        }
    }
}
