//! The kiosk's configuration: one TOML file, every key optional.
//!
//! The documented example with every key and its default is `assets/config/kiosk.example.toml`; a test keeps
//! the two in step. Loading is all or nothing: a file with one bad key is rejected whole, with an error naming
//! the file, the key and the reason, so the kiosk never starts with half a config.

mod applications;
mod board;
mod calls;
mod devices;
mod error;
mod lan;
mod rating_pad;
mod technician;

use std::path::{Path, PathBuf};

use content::ContentConfig;
use queue::QueueConfig;
use serde::Deserialize;

pub use applications::{ApplicationsConfig, DocCameraKind};
pub use board::{BoardConfig, BoardKind, TimeWindow};
pub use calls::{CallSourceKind, CallsConfig};
pub use devices::{DevicesConfig, IdReaderConfig, PrinterConfig};
pub use error::ConfigError;
pub use lan::{DeviceEntry, LanConfig, LanLimits, LanTls, StaffEntry};
pub use rating_pad::RatingPadConfig;
pub use technician::{DEV_PIN, DEV_PIN_SHA256, PinHash, TechnicianConfig, check_pin_format};

/// The whole configuration of one device.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct KioskConfig {
    /// Which site this device serves.
    pub site: SiteConfig,
    /// Touch screen behaviour.
    pub ui: UiConfig,
    /// Which printer, ID reader and LED panel are attached (simulated by default).
    pub devices: DevicesConfig,
    /// Where the device keeps its data.
    pub storage: StorageConfig,
    /// The queue (services, windows, numbering). None: the table is absent (the queue's defaults, or the
    /// demo queue when the kiosk runs with no configuration file at all).
    pub queue: Option<QueueConfig>,
    /// The LAN service (listen address, window PINs, device tokens). None: the table is absent.
    pub lan: Option<LanConfig>,
    /// Content sync (source, trusted keys, USB path, outbox endpoint).
    pub content: ContentConfig,
    /// The waiting-area displays: hall screen, LED panel, spoken calls.
    pub displays: displays::hall::DisplaysConfig,
    /// The technician page's PIN and lockout.
    pub technician: TechnicianConfig,
    /// The board's own I/O: presence sensor, backlight schedule, help button, fault lamp.
    pub board: BoardConfig,
    /// The window rating pad (`--role rating-pad`): prompt and thank-you timeouts.
    pub rating_pad: RatingPadConfig,
    /// The video call to a duty lawyer (视频连线律师).
    pub calls: CallsConfig,
    /// Applications made at the kiosk and the document camera.
    pub applications: ApplicationsConfig,
}

/// The tier of the public legal service network a device stands in.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum SiteKind {
    /// The district public legal service centre (区公共法律服务中心).
    #[default]
    Centre,
    /// A township or street station (乡镇街道公共法律服务工作站).
    Station,
    /// A village or community room (村（社区）公共法律服务工作室).
    Room,
}

/// The site a device serves.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// The name shown at the top of the home screen and on tickets.
    pub name: String,
    /// The name shown when a session is in English.
    pub name_en: String,
    /// The tier of the site; it decides which services and pages appear.
    pub kind: SiteKind,
    /// The site's id in the content's `sites` list (e.g. `centre`), for publicity meant for some sites
    /// only; empty: only publicity for every site of the tier is shown.
    pub id: String,
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            name: "黔江区公共法律服务中心".to_owned(),
            name_en: "Qianjiang District Public Legal Service Centre".to_owned(),
            kind: SiteKind::Centre,
            id: String::new(),
        }
    }
}

/// The UI language a session starts in.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Language {
    /// Simplified Chinese (the source language).
    #[default]
    Zh,
    /// English.
    En,
}

/// Touch screen behaviour.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct UiConfig {
    /// Seconds without a touch after which the kiosk returns home and forgets the session.
    pub idle_timeout_secs: u64,
    /// The language each session starts in.
    pub language: Language,
    /// Whether each session starts in elderly mode.
    pub elderly_mode: bool,
    /// Fill the whole screen (on the device) instead of opening a window (on a laptop).
    pub fullscreen: bool,
    /// Window size on a laptop, `WIDTHxHEIGHT` in logical pixels (the layout scales to any size).
    pub window_size: String,
    /// Seconds the "please take your ticket" screen stays before returning home (doubled when the
    /// ticket could not be printed, so there is time to photograph the number).
    pub ticket_screen_secs: u64,
    /// The queue host's LAN address (`http://HOST:PORT`) when this kiosk is not the queue host;
    /// none: this kiosk keeps the queue itself and serves the LAN API.
    pub queue_host_url: Option<String>,
    /// The device token this kiosk presents to the queue host (with `queue_host_url`).
    pub queue_device_token: Option<String>,
    /// PEM certificate(s) trusted for an `https://` queue host: its own certificate or its CA.
    pub queue_host_ca_file: Option<PathBuf>,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            idle_timeout_secs: 60,
            language: Language::Zh,
            elderly_mode: false,
            fullscreen: false,
            window_size: "540x960".to_owned(),
            ticket_screen_secs: 20,
            queue_host_url: None,
            queue_device_token: None,
            queue_host_ca_file: None,
        }
    }
}

impl UiConfig {
    /// The window size as (width, height).
    pub fn window_size(&self) -> (u32, u32) {
        parse_size(&self.window_size).unwrap_or((540, 960))
    }
}

/// Where the device keeps its data.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Data directory (queue database, content, outbox, simulated device output).
    /// Default: `$KIOSK_DATA_DIR` when set (the packaged services set it), else the per-user data
    /// directory (`~/.local/share/legal-kiosk` on Linux).
    pub data_dir: Option<PathBuf>,
}

/// Parses a screen size `WIDTHxHEIGHT` (e.g. `1080x1920`), each side 100 to 10000.
pub fn parse_size(text: &str) -> Option<(u32, u32)> {
    parse_size_any(text).filter(|&(w, h)| w >= 100 && h >= 100 && w <= 10_000 && h <= 10_000)
}

/// Parses any `WIDTHxHEIGHT` with both sides from 1 to 10000 (LED panels are 16 rows high).
pub fn parse_size_any(text: &str) -> Option<(u32, u32)> {
    displays::led::parse_led_size(text)
}

impl KioskConfig {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and checks configuration text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Self, ConfigError> {
        let deserializer =
            toml::Deserializer::parse(text).map_err(|err| ConfigError::syntax(origin, &err))?;
        let config: Self = serde_path_to_error::deserialize(deserializer)
            .map_err(|err| ConfigError::field(origin, &err))?;
        config.validate(origin)?;
        Ok(config)
    }

    /// Every check of values and of tables against each other, in one place. Each table's own rules live
    /// with its type (in this crate or the crate that owns the table); this runs them all and names the
    /// file and the key of the first failure.
    fn validate(&self, origin: &Path) -> Result<(), ConfigError> {
        let invalid = |key: &str, reason: &str| ConfigError::Invalid {
            path: origin.to_owned(),
            key: key.to_owned(),
            reason: reason.to_owned(),
        };
        if let Some(queue) = &self.queue {
            queue
                .validate()
                .map_err(|err| invalid("queue", &err.to_string()))?;
        }
        self.content.validate().map_err(|err| match err {
            content::ContentError::Config { key, reason } => invalid(&key, &reason),
            other => invalid("content", &other.to_string()),
        })?;
        self.displays
            .validate()
            .map_err(|(key, reason)| invalid(&key, &reason))?;
        if self.site.name.trim().is_empty() {
            return Err(invalid("site.name", "must not be empty"));
        }
        if !(10..=3600).contains(&self.ui.idle_timeout_secs) {
            return Err(invalid(
                "ui.idle_timeout_secs",
                "must be between 10 and 3600 seconds",
            ));
        }
        if parse_size(&self.ui.window_size).is_none() {
            return Err(invalid(
                "ui.window_size",
                "must look like 540x960 (each side 100 to 10000)",
            ));
        }
        if !(5..=600).contains(&self.ui.ticket_screen_secs) {
            return Err(invalid(
                "ui.ticket_screen_secs",
                "must be between 5 and 600 seconds",
            ));
        }
        if let Some(url) = &self.ui.queue_host_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(invalid(
                    "ui.queue_host_url",
                    "must start with http:// or https://",
                ));
            }
            if self
                .ui
                .queue_device_token
                .as_deref()
                .is_none_or(|t| t.trim().is_empty())
            {
                return Err(invalid(
                    "ui.queue_device_token",
                    "is required with ui.queue_host_url",
                ));
            }
        }
        if let Err((key, reason)) = self.board.validate() {
            return Err(invalid(key, &reason));
        }
        if let Err((key, reason)) = self.calls.validate() {
            return Err(invalid(key, &reason));
        }
        if let Err((key, reason)) = self.applications.validate() {
            return Err(invalid(key, &reason));
        }
        if let Err((key, reason)) = self.rating_pad.validate() {
            return Err(invalid(key, &reason));
        }
        self.devices.validate(origin)?;
        self.technician.validate(origin)
    }
}

#[cfg(test)]
mod tests;
