//! `[lan]` configuration: listening address, staff PINs, device tokens, login limits.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `listen` | `"0.0.0.0:8080"` | address of the LAN service (overridden by `--listen`) |
//! | `public_url` | none | base of the phone status URLs printed as QR codes, e.g. `"http://192.168.1.10:8080"` |
//! | `device_name` | `"kiosk-1"` | name of this (host) device in alerts and reprint requests |
//! | `session_hours` | `12` | lifetime of a staff login |
//! | `max_login_failures` | `5` | wrong PINs per window (×4 per client address) before a lockout |
//! | `lockout_minutes` | `5` | length of the lockout |
//! | `allow_demo_credentials` | `false` | accept the demo PINs and device token with a real configuration |
//! | `staff` | none | `[[lan.staff]]`: `window`, `pin_hash` (argon2 PHC string, see `kiosk serve --hash-pin`) |
//! | `devices` | none | `[[lan.devices]]`: `name`, `token_sha256` (hex SHA-256 of the device token) |
//!
//! ```toml
//! [lan]
//! listen = "0.0.0.0:8080"
//! public_url = "http://192.168.1.10:8080"
//! device_name = "kiosk-1"
//!
//! [[lan.staff]]
//! window = 1
//! pin_hash = "$argon2id$v=19$m=19456,t=2,p=1$…"
//!
//! [[lan.devices]]
//! name = "kiosk-2"
//! token_sha256 = "…64 hex digits…"
//! ```

use std::net::SocketAddr;

use serde::Deserialize;

/// The LAN service's configuration (the `[lan]` table).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LanConfig {
    /// Listening address.
    pub listen: SocketAddr,
    /// Base URL of phone status pages (absolute URLs in QR codes); relative when absent.
    pub public_url: Option<String>,
    /// Name of the device running the service (alerts, reprints).
    pub device_name: String,
    /// Staff session lifetime in hours.
    pub session_hours: u32,
    /// Wrong PINs per window before a lockout (four times as many per client address).
    pub max_login_failures: u32,
    /// Lockout length in minutes.
    pub lockout_minutes: u32,
    /// Accept the demo credentials even with a configuration file.
    pub allow_demo_credentials: bool,
    /// Window PINs.
    pub staff: Vec<StaffEntry>,
    /// Devices allowed to issue tickets.
    pub devices: Vec<DeviceEntry>,
}

impl Default for LanConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            public_url: None,
            device_name: "kiosk-1".into(),
            session_hours: 12,
            max_login_failures: 5,
            lockout_minutes: 5,
            allow_demo_credentials: false,
            staff: Vec::new(),
            devices: Vec::new(),
        }
    }
}

/// A window's PIN.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffEntry {
    /// Window number.
    pub window: u32,
    /// Argon2 PHC string of the PIN.
    pub pin_hash: String,
}

/// A device allowed to issue tickets.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceEntry {
    /// Device name (`A-Z a-z 0-9 - _ .`).
    pub name: String,
    /// Hex SHA-256 of its bearer token.
    pub token_sha256: String,
}
