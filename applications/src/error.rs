//! Errors of packing and unpacking an application.

/// Why bytes are not an application, or an application cannot be packed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PackageError {
    /// The bytes end before the part that `part` names.
    #[error("the application package is cut short in {part}")]
    Truncated {
        /// The part being read.
        part: &'static str,
    },
    /// A length or count is above its bound.
    #[error("the application package's {part} is too large: {size} (at most {max})")]
    TooLarge {
        /// What was too large.
        part: &'static str,
        /// Its size.
        size: u64,
        /// The bound.
        max: u64,
    },
    /// The package's format version is not one this build reads.
    #[error("the application package has format version {0}; this build reads version 1")]
    Version(u8),
    /// The application's description is not valid.
    #[error("the application's description is not valid: {0}")]
    Description(String),
    /// Bytes after the last page.
    #[error("the application package has {0} bytes after its last part")]
    Trailing(usize),
}
