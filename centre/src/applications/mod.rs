//! The centre's side of applications made at the kiosk (法律援助 legal aid, 人民调解 mediation, 公证预约 a
//! notary appointment): the key they are sealed to, the checks on arrival, and opening a stored one
//! for staff.
//!
//! The kiosk seals each application to the centre's X25519 public key (`applications::seal`) and
//! sends the envelope to `POST /api/v1/applications/{code}` (`crate::api`). The centre opens it in
//! memory to check it ([`intake`]) and then stores **the envelope as received**: the database holds
//! no readable application, only what the inbox needs (kind, site, the masked name, a keyed MAC of the
//! ID number for the citizen's lookup, the page count, the state and its time limit). When staff open
//! an application, the envelope is opened again in memory ([`opened`]).
//!
//! - [`keys`]: the key file (`[applications] key_file`, default `DATA_DIR/application-key`), the
//!   public key the kiosks fetch, the holder key of the ID number's MAC;
//! - [`intake`]: what a well-formed envelope is, and why one is refused (each reason names the part);
//! - [`opened`]: a short-lived cache of opened applications for the staff pages, so the thumbnails of
//!   one page do not open the same envelope once each.
//!
//! Inside this crate the external crate is always written `::applications`, this module
//! `crate::applications`.

pub mod intake;
pub mod keys;
pub mod opened;

use std::path::PathBuf;

use serde::Deserialize;

pub use intake::{IntakeError, MAX_ENVELOPE_BYTES, check_envelope};
pub use keys::{ApplicationKeys, KeyFileError};
pub use opened::{OpenError, OpenedApplications};

/// The file name of the application key in the data directory, when `[applications] key_file` does
/// not name one.
pub const DEFAULT_KEY_FILE: &str = "application-key";

/// `[applications]` in the configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationsEntry {
    /// The centre's private key (64 hex digits, mode 0600), made at the first start when missing;
    /// default `DATA_DIR/application-key`. Centres sharing one PostgreSQL database must share it.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
}
