//! `[lan]` configuration: listening address, staff PINs, device tokens, login limits.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `listen` | `"0.0.0.0:8080"` | address of the LAN service (overridden by `--listen`) |
//! | `public_url` | none | base of the phone status URLs printed as QR codes, e.g. `"http://192.168.1.10:8080"` |
//! | `device_name` | `"kiosk-1"` | name of this (host) device in alerts and reprint requests |
//! | `session_hours` | `12` | lifetime of a staff login |
//! | `max_login_failures` | `5` | wrong PINs for one window from one address before that address is locked out; ×4 locks the address for every window, and ×4 from all addresses together locks the window (except from its own `addresses`) |
//! | `lockout_minutes` | `5` | length of a lockout |
//! | `pin_check_threads` | `2` | PIN checks (argon2, 19 MiB each) that run at once |
//! | `pin_check_queue` | `8` | logins that may wait for a check; beyond, 429 at once |
//! | `allow_demo_credentials` | `false` | accept the demo or common PINs and the demo device token with a real configuration (test benches; a warning is printed at every start) |
//! | `allowed_hosts` | none | host names (besides IP addresses, `localhost` and the host of `public_url`) that requests may name in `Host`: anything else is refused (DNS rebinding) |
//! | `staff` | none | `[[lan.staff]]`: `window`, `pin_hash` (argon2 PHC string, see `kiosk serve --hash-pin`), optional `addresses` (the window's own IP addresses, exempt from the window-wide lockout), optional `name` and `staff_id` (together: the staff member on duty once the window logs in, shown in the window's status and named in its serve events and ratings) |
//! | `devices` | none | `[[lan.devices]]`: `name`, `token_sha256` (hex SHA-256 of the device token) |
//! | `limits` | see [`LanLimits`] | `[lan.limits]`: connection limits and timeouts |
//! | `tls` | none | `[lan.tls]`: `cert_file`, `key_file` (PEM): serve HTTPS instead of HTTP |
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
//! name = "张明"          # optional, with staff_id
//! staff_id = "QJ-0301"
//!
//! [[lan.devices]]
//! name = "kiosk-2"
//! token_sha256 = "…64 hex digits…"
//! ```

use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
};

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
    /// PIN checks that run at once.
    pub pin_check_threads: usize,
    /// Logins that may wait for a PIN check.
    pub pin_check_queue: usize,
    /// Accept the demo or common PINs and the demo token even with a configuration file.
    pub allow_demo_credentials: bool,
    /// Host names requests may name besides IP addresses, `localhost` and `public_url`'s host.
    pub allowed_hosts: Vec<String>,
    /// Connection limits and timeouts.
    pub limits: LanLimits,
    /// HTTPS certificate and key; plain HTTP when absent.
    pub tls: Option<LanTls>,
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
            pin_check_threads: 2,
            pin_check_queue: 8,
            allow_demo_credentials: false,
            allowed_hosts: Vec::new(),
            limits: LanLimits::default(),
            tls: None,
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
    /// The window's own IP addresses: logins from them are exempt from the window-wide lockout, so a
    /// flood of wrong PINs from elsewhere cannot lock the staff at the window out.
    #[serde(default)]
    pub addresses: Vec<IpAddr>,
    /// The staff member's name, shown on the window's rating pad (1-32 characters; with
    /// `staff_id`).
    #[serde(default)]
    pub name: Option<String>,
    /// The staff member's number (工号, 1-32 characters of `A-Z a-z 0-9 - _`; with `name`).
    #[serde(default)]
    pub staff_id: Option<String>,
}

impl StaffEntry {
    /// The staff member this entry names: both `name` and `staff_id`, or neither.
    pub fn on_duty(&self) -> Result<Option<queue::StaffOnDuty>, String> {
        match (&self.name, &self.staff_id) {
            (None, None) => Ok(None),
            (Some(name), Some(staff_id)) => {
                let name_ok = (1..=32).contains(&name.trim().chars().count())
                    && !name.chars().any(char::is_control);
                if !name_ok {
                    return Err(format!(
                        "[[lan.staff]] window {}: name must have 1-32 characters",
                        self.window
                    ));
                }
                let id_ok = (1..=32).contains(&staff_id.len())
                    && staff_id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
                if !id_ok {
                    return Err(format!(
                        "[[lan.staff]] window {}: staff_id must be 1-32 characters of A-Z, a-z, 0-9, '-' or '_'",
                        self.window
                    ));
                }
                Ok(Some(queue::StaffOnDuty {
                    name: name.trim().to_owned(),
                    staff_id: staff_id.clone(),
                }))
            }
            _ => Err(format!(
                "[[lan.staff]] window {}: give both name and staff_id, or neither",
                self.window
            )),
        }
    }
}

/// A device allowed to issue tickets.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceEntry {
    /// Device name (`A-Z a-z 0-9 - _ .`).
    pub name: String,
    /// Hex SHA-256 of its bearer token.
    pub token_sha256: String,
    /// The window this device stands at (a window's rating pad): its event stream also carries
    /// that window's calls, starts and completions, and it may rate the tickets that window
    /// completed. Must be a window of `[queue]`.
    #[serde(default)]
    pub window: Option<u32>,
}

/// Connection limits and timeouts of the LAN service (`[lan.limits]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LanLimits {
    /// Connections open at once; beyond, new ones are closed at once.
    pub max_connections: usize,
    /// Connections open at once from one address.
    pub max_connections_per_source: usize,
    /// Milliseconds a connection may take to send a request's headers (or, with TLS, to finish the
    /// handshake); also how long an idle keep-alive connection is kept.
    pub header_timeout_ms: u64,
}

impl Default for LanLimits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            max_connections_per_source: 64,
            header_timeout_ms: 10_000,
        }
    }
}

/// The LAN service's certificate (`[lan.tls]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanTls {
    /// PEM certificate chain (leaf first).
    pub cert_file: PathBuf,
    /// PEM private key.
    pub key_file: PathBuf,
}
