//! The configuration file (`centre serve --config PATH`): TOML, every key checked, an unknown key
//! refused; a file with one bad key is rejected whole, naming the key and the reason.

use std::{
    collections::HashSet,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::{
    alert_rules::AlertSettings,
    auth::{
        DEMO_DEVICE_TOKEN, DEMO_PASSWORD, Role, is_password_hash, token_sha256, verify_password,
    },
    calendar::{OpeningHours, OpeningHoursTable},
    error::ConfigError,
};

/// The default listening address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8480";

/// The centre's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentreConfig {
    /// Where to listen (default [`DEFAULT_LISTEN`]; `--listen` overrides it).
    #[serde(default)]
    pub listen: Option<SocketAddr>,
    /// The data directory (default `centre-data` in the working directory; `--data-dir` overrides it).
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    /// The database URL (default: `centre.sqlite3` in the data directory; `--database` overrides it).
    #[serde(default)]
    pub database: Option<String>,
    /// A device is online when its last heartbeat arrived at most this many seconds ago (default 1,800:
    /// three of the kiosk's default 600 s heartbeats).
    #[serde(default = "default_online_window_secs")]
    pub online_window_secs: u64,
    /// Hours a staff session lasts (default 12).
    #[serde(default = "default_session_hours")]
    pub session_hours: u32,
    /// Working days (Monday to Friday, minus `holidays`) a complaint or suggestion has for its reply
    /// (default 15).
    #[serde(default = "default_deadline_days")]
    pub complaint_deadline_working_days: u32,
    /// Public holidays that are not working days (`["2026-10-01", …]`).
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// Opening hours per weekday, local time (`mon = "08:30-17:30"`; default Monday to Friday
    /// 08:30–17:30; a day left out is closed).
    #[serde(default)]
    pub opening_hours: Option<Box<OpeningHoursTable>>,
    /// The alert rules' thresholds.
    #[serde(default)]
    pub alerts: AlertSettings,
    /// Mark the staff session cookie `Secure` (set it when staff reach the centre over HTTPS, e.g.
    /// through a TLS proxy; default false).
    #[serde(default)]
    pub secure_cookies: bool,
    /// Where citizens' phones reach this centre (`https://centre.example`): the start of the links
    /// in its QR codes (the lawyer's advice, the phone upload). None: `[calls] public_url`, else the
    /// address each request used.
    #[serde(default)]
    pub public_url: Option<String>,
    /// The devices allowed to send items.
    #[serde(default)]
    pub devices: Vec<DeviceEntry>,
    /// The staff accounts.
    #[serde(default)]
    pub staff: Vec<StaffEntry>,
    /// The Ed25519 keys (`ed25519:<64 hex digits>`, as `kiosk content keygen` prints them) whose
    /// signature an uploaded bundle must carry; empty: every upload is refused.
    #[serde(default)]
    pub content_keys: Vec<String>,
    /// Allows the development key in `content_keys` (test benches only: anyone can sign with it).
    #[serde(default)]
    pub accept_development_key: bool,
    /// The publishers allowed to upload bundles (`[[publishers]]`).
    #[serde(default)]
    pub publishers: Vec<PublisherEntry>,
    /// The largest bundle upload in MiB (default 256).
    #[serde(default = "default_upload_max_mib")]
    pub content_upload_max_mib: u64,
    /// Serve HTTPS with this certificate and key (`[tls]`); none: plain HTTP.
    #[serde(default)]
    pub tls: Option<TlsEntry>,
    /// Read-only tokens of the reports API, for the district's other systems.
    #[serde(default)]
    pub api_tokens: Vec<ApiTokenEntry>,
    /// Bookings (预约): the rules and each site's bookable services (`[bookings]`,
    /// `[[bookings.sites]]`); none: no site takes bookings.
    #[serde(default)]
    pub bookings: Option<crate::booking::BookingsEntry>,
    /// The video call to a duty lawyer (`[calls]`, `[[calls.lawyers]]`, `[[calls.turn]]`); none:
    /// the defaults (30 s to answer, no roster: any available lawyer answers, no STUN/TURN).
    #[serde(default)]
    pub calls: Option<crate::calls::CallsEntry>,
    /// Applications made at the kiosk (`[applications]`: the key file); none: the defaults (the key
    /// in `DATA_DIR/application-key`, made at the first start).
    #[serde(default)]
    pub applications: Option<crate::applications::ApplicationsEntry>,
}

fn default_upload_max_mib() -> u64 {
    crate::api::content::DEFAULT_UPLOAD_MAX_MIB
}

/// A publisher (`[[publishers]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublisherEntry {
    /// Its name, recorded with every publication: 1 to 64 bytes.
    pub name: String,
    /// Hex SHA-256 of its token, as printed by `centre hash-token`.
    pub token_sha256: String,
}

/// The certificate and key of HTTPS (`[tls]`), PEM files.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsEntry {
    /// The certificate chain (the server's certificate first).
    pub cert_file: PathBuf,
    /// Its private key (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
}

fn default_online_window_secs() -> u64 {
    1800
}

fn default_session_hours() -> u32 {
    12
}

fn default_deadline_days() -> u32 {
    15
}

/// A device (`[[devices]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceEntry {
    /// The id the kiosk reports (`[content] device_id`, else its site name): 1 to 64 bytes.
    pub id: String,
    /// The site it stands at.
    pub site: String,
    /// Hex SHA-256 of its token, as printed by `centre hash-token`.
    pub token_sha256: String,
    /// The township (镇/街道) the site belongs to, for grouping the fleet (default: the site).
    #[serde(default)]
    pub township: Option<String>,
}

/// A staff account (`[[staff]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffEntry {
    /// The login name.
    pub user: String,
    /// Argon2id PHC string, as printed by `centre hash-password`.
    pub password_hash: String,
    /// `administrator`, `supervisor` or `manager`.
    pub role: Role,
    /// The site a manager sees (required for `manager`, refused for the other roles); one of the
    /// devices' sites.
    #[serde(default)]
    pub site: Option<String>,
}

/// A read-only token of the reports API (`[[api_tokens]]`): valid for `GET /api/v1/reports/…`
/// only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenEntry {
    /// Who holds it, e.g. `综治信息系统` (1 to 64 bytes; logged with each use).
    pub name: String,
    /// Hex SHA-256 of the token, as printed by `centre hash-token --new`.
    pub token_sha256: String,
}

impl CentreConfig {
    /// The reports API's tokens as the API holds them.
    pub fn api_tokens(&self) -> Vec<crate::auth::ApiToken> {
        self.api_tokens
            .iter()
            .map(|t| crate::auth::ApiToken {
                name: t.name.clone(),
                token_sha256: t.token_sha256.to_ascii_lowercase(),
            })
            .collect()
    }

    /// Where phones reach this centre: `public_url`, else `[calls] public_url` (read as before),
    /// without a trailing `/`.
    pub fn public_url(&self) -> Option<String> {
        self.public_url
            .as_ref()
            .or_else(|| self.calls.as_ref().and_then(|c| c.public_url.as_ref()))
            .map(|url| url.trim_end_matches('/').to_owned())
    }

    /// The web app's settings from this file.
    pub fn web_settings(&self) -> crate::state::WebSettings {
        crate::state::WebSettings {
            deadline_working_days: self.complaint_deadline_working_days,
            working_days: crate::calendar::WorkingDays::new(self.holidays.iter().copied()),
            alert_rules: crate::alert_rules::AlertRules {
                settings: self.alerts,
                opening_hours: self
                    .opening_hours
                    .as_ref()
                    .and_then(|t| OpeningHours::parse(t).ok())
                    .unwrap_or_default(),
            },
            secure_cookies: self.secure_cookies,
            ..crate::state::WebSettings::default()
        }
    }

    /// The booking settings of this file under `keys` (checked by [`CentreConfig::parse`]).
    pub fn booking_settings(
        &self,
        keys: crate::booking::BookingKeys,
    ) -> crate::booking::BookingSettings {
        crate::booking::BookingSettings::from_entry(self.bookings.as_ref(), &self.holidays, keys)
            .unwrap_or_else(|_| crate::booking::BookingSettings::none())
    }

    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses and checks `text` (named `path` in errors).
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let invalid = |key: String, reason: String| ConfigError::Invalid {
            path: path.to_owned(),
            key,
            reason,
        };
        let deserializer = toml::Deserializer::parse(text)
            .map_err(|err| invalid("(file)".into(), err.message().to_owned()))?;
        let config: Self = serde_path_to_error::deserialize(deserializer).map_err(|err| {
            let key = err.path().to_string();
            invalid(key, err.into_inner().message().to_owned())
        })?;
        config
            .validate()
            .map_err(|(key, reason)| invalid(key, reason))?;
        Ok(config)
    }

    /// The checks beyond types: ids, unique names and tokens, well-formed hashes, no demo credentials.
    fn validate(&self) -> Result<(), (String, String)> {
        if self.online_window_secs == 0 {
            return Err(("online_window_secs".into(), "must be at least 1".into()));
        }
        if self.session_hours == 0 || self.session_hours > 24 * 7 {
            return Err(("session_hours".into(), "must be 1 to 168".into()));
        }
        if self.complaint_deadline_working_days == 0 || self.complaint_deadline_working_days > 365 {
            return Err((
                "complaint_deadline_working_days".into(),
                "must be 1 to 365".into(),
            ));
        }
        if let Some(table) = &self.opening_hours {
            OpeningHours::parse(table)?;
        }
        if let Some(url) = &self.public_url {
            let ok = (url.starts_with("http://") || url.starts_with("https://"))
                && url.len() <= 200
                && !url.contains(['?', '#'])
                && !url.chars().any(|c| c.is_whitespace() || c.is_control());
            if !ok {
                return Err((
                    "public_url".into(),
                    "must be an http:// or https:// address without spaces, query or fragment \
                     (at most 200 characters)"
                        .into(),
                ));
            }
        }
        if self.alerts.offline_minutes == 0 || self.alerts.check_secs == 0 {
            return Err((
                "alerts".into(),
                "offline_minutes and check_secs must be at least 1".into(),
            ));
        }
        let demo_token = token_sha256(DEMO_DEVICE_TOKEN);
        let (mut ids, mut tokens) = (HashSet::new(), HashSet::new());
        for (i, device) in self.devices.iter().enumerate() {
            let key = |field: &str| format!("devices[{i}].{field}");
            if device.id.is_empty()
                || device.id.len() > crate::ingest::MAX_DEVICE_BYTES
                || device.id.chars().any(char::is_control)
            {
                return Err((
                    key("id"),
                    "must be 1 to 64 bytes, no control characters".into(),
                ));
            }
            if !ids.insert(device.id.as_str()) {
                return Err((key("id"), format!("{:?} is listed twice", device.id)));
            }
            if device.site.trim().is_empty() {
                return Err((key("site"), "must not be empty".into()));
            }
            let token = device.token_sha256.to_ascii_lowercase();
            if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err((
                    key("token_sha256"),
                    "must be 64 hex digits (run `centre hash-token`)".into(),
                ));
            }
            if token == demo_token {
                return Err((key("token_sha256"), "is the demo token's hash".into()));
            }
            if !tokens.insert(token) {
                return Err((key("token_sha256"), "is the token of another device".into()));
            }
        }
        let mut names = HashSet::new();
        for (i, api) in self.api_tokens.iter().enumerate() {
            let key = |field: &str| format!("api_tokens[{i}].{field}");
            if api.name.trim().is_empty()
                || api.name.len() > 64
                || api.name.chars().any(char::is_control)
            {
                return Err((
                    key("name"),
                    "must be 1 to 64 bytes, no control characters".into(),
                ));
            }
            if !names.insert(api.name.as_str()) {
                return Err((key("name"), format!("{:?} is listed twice", api.name)));
            }
            let token = api.token_sha256.to_ascii_lowercase();
            if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err((
                    key("token_sha256"),
                    "must be 64 hex digits (run `centre hash-token --new`)".into(),
                ));
            }
            if token == demo_token {
                return Err((key("token_sha256"), "is the demo token's hash".into()));
            }
            // A device token must never open the reports, nor a report token send items.
            if !tokens.insert(token) {
                return Err((
                    key("token_sha256"),
                    "is the token of a device or of another API token".into(),
                ));
            }
        }
        let mut users = HashSet::new();
        for (i, staff) in self.staff.iter().enumerate() {
            let key = |field: &str| format!("staff[{i}].{field}");
            if staff.user.is_empty()
                || staff.user.len() > 64
                || staff.user.chars().any(char::is_control)
            {
                return Err((
                    key("user"),
                    "must be 1 to 64 bytes, no control characters".into(),
                ));
            }
            if !users.insert(staff.user.as_str()) {
                return Err((key("user"), format!("{:?} is listed twice", staff.user)));
            }
            if !is_password_hash(&staff.password_hash) {
                return Err((
                    key("password_hash"),
                    "must be an argon2 PHC string (run `centre hash-password`)".into(),
                ));
            }
            if verify_password(DEMO_PASSWORD, &staff.password_hash) {
                return Err((
                    key("password_hash"),
                    "is a hash of the demo password".into(),
                ));
            }
            match (staff.role, &staff.site) {
                (Role::Manager, None) => {
                    return Err((key("site"), "a manager needs the site they manage".into()));
                }
                (Role::Manager, Some(site)) if !self.devices.iter().any(|d| &d.site == site) => {
                    return Err((key("site"), format!("no device stands at {site:?}")));
                }
                (Role::Administrator | Role::Supervisor | Role::Lawyer, Some(_)) => {
                    return Err((
                        key("site"),
                        "only a manager has a site (the other roles see every site)".into(),
                    ));
                }
                _ => {}
            }
        }
        self.validate_bookings()?;
        self.roster()?;
        self.validate_content()
    }

    /// The call roster of `[calls]` (checked: every lawyer a `lawyer` login).
    pub fn roster(&self) -> Result<crate::calls::Roster, (String, String)> {
        let lawyers: Vec<&str> = self
            .staff
            .iter()
            .filter(|s| s.role == Role::Lawyer)
            .map(|s| s.user.as_str())
            .collect();
        crate::calls::Roster::from_entry(&self.calls.clone().unwrap_or_default(), &lawyers)
    }

    /// The checks of `[bookings]`: the calendar, and every booking site a device's site.
    fn validate_bookings(&self) -> Result<(), (String, String)> {
        let Some(entry) = &self.bookings else {
            return Ok(());
        };
        crate::booking::BookingSettings::from_entry(
            Some(entry),
            &self.holidays,
            crate::booking::BookingKeys::random(),
        )?;
        for (i, site) in entry.sites.iter().enumerate() {
            if !self.devices.iter().any(|d| d.site == site.site) {
                return Err((
                    format!("bookings.sites[{i}].site"),
                    format!("no device stands at {:?}", site.site),
                ));
            }
        }
        Ok(())
    }

    /// The keys trusted for uploads, parsed (checked by [`CentreConfig::parse`]).
    pub fn content_keys(&self) -> Vec<content::PublicKey> {
        self.content_keys
            .iter()
            .filter_map(|text| text.parse().ok())
            .collect()
    }

    /// The checks of `content_keys`, `publishers` and `content_upload_max_mib`.
    fn validate_content(&self) -> Result<(), (String, String)> {
        let dev: content::PublicKey = content::DEV_PUBLIC_KEY
            .trim()
            .parse()
            .expect("the development public key parses");
        for (i, text) in self.content_keys.iter().enumerate() {
            let key = format!("content_keys[{i}]");
            let parsed: content::PublicKey = text
                .parse()
                .map_err(|reason: String| (key.clone(), format!("`{text}`: {reason}")))?;
            if parsed == dev && !self.accept_development_key {
                return Err((
                    key,
                    "is the development key, whose private half is public: anyone could publish                      with it. List the centre's key (kiosk content keygen); on a test bench only, set                      accept_development_key = true"
                        .into(),
                ));
            }
        }
        let devices: HashSet<String> = self
            .devices
            .iter()
            .map(|d| d.token_sha256.to_ascii_lowercase())
            .collect();
        let demo = token_sha256(crate::api::content::DEMO_PUBLISHER_TOKEN);
        let (mut names, mut tokens) = (HashSet::new(), HashSet::new());
        for (i, publisher) in self.publishers.iter().enumerate() {
            let key = |field: &str| format!("publishers[{i}].{field}");
            if publisher.name.is_empty()
                || publisher.name.len() > 64
                || publisher.name.chars().any(char::is_control)
            {
                return Err((
                    key("name"),
                    "must be 1 to 64 bytes, no control characters".into(),
                ));
            }
            if !names.insert(publisher.name.as_str()) {
                return Err((key("name"), format!("{:?} is listed twice", publisher.name)));
            }
            let token = publisher.token_sha256.to_ascii_lowercase();
            if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err((
                    key("token_sha256"),
                    "must be 64 hex digits (run `centre hash-token --new`)".into(),
                ));
            }
            if token == demo {
                return Err((
                    key("token_sha256"),
                    "is the demo publisher token's hash".into(),
                ));
            }
            if devices.contains(&token) {
                return Err((key("token_sha256"), "is the token of a device".into()));
            }
            if !tokens.insert(token) {
                return Err((
                    key("token_sha256"),
                    "is the token of another publisher".into(),
                ));
            }
        }
        if !(1..=4096).contains(&self.content_upload_max_mib) {
            return Err(("content_upload_max_mib".into(), "must be 1 to 4096".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CentreConfig, String> {
        CentreConfig::parse(Path::new("centre.toml"), text).map_err(|e| e.to_string())
    }

    const TOKEN: &str = "0a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223242526272829";

    #[test]
    fn a_good_file_is_read() {
        let hash = crate::auth::hash_password("a long enough password").unwrap();
        let config = parse(&format!(
            r#"
listen = "0.0.0.0:8480"
online_window_secs = 900

[[devices]]
id = "xiangyang-1"
site = "向阳镇公共法律服务工作站"
token_sha256 = "{TOKEN}"

[[staff]]
user = "wang"
password_hash = "{hash}"
role = "supervisor"
"#
        ))
        .unwrap();
        assert_eq!(config.online_window_secs, 900);
        assert_eq!(config.session_hours, 12);
        assert_eq!(config.devices[0].site, "向阳镇公共法律服务工作站");
        assert_eq!(config.staff[0].role, Role::Supervisor);
    }

    #[test]
    fn the_public_url_is_the_top_levels_else_the_calls() {
        assert_eq!(parse("").unwrap().public_url(), None);
        let calls = parse("[calls]\npublic_url = \"https://calls.example/\"").unwrap();
        assert_eq!(
            calls.public_url().as_deref(),
            Some("https://calls.example"),
            "the older key still works"
        );
        let both = parse(
            "public_url = \"https://centre.example\"\n[calls]\npublic_url = \"https://calls.example\"",
        )
        .unwrap();
        assert_eq!(both.public_url().as_deref(), Some("https://centre.example"));
        for bad in [
            "centre.example",
            "ftp://centre.example",
            "https://a b",
            "https://c/?x=1",
        ] {
            let err = parse(&format!("public_url = \"{bad}\"")).unwrap_err();
            assert!(err.contains("public_url"), "{bad}: {err}");
        }
    }

    #[test]
    fn managers_need_a_site_of_a_device_and_only_managers_have_one() {
        let hash = crate::auth::hash_password("a long enough password").unwrap();
        let file = |role: &str, site: &str| {
            format!(
                "complaint_deadline_working_days = 10\nholidays = [\"2026-10-01\"]\n\
                 [opening_hours]\nsat = \"09:00-12:00\"\n[alerts]\noffline_minutes = 15\n\
                 [[devices]]\nid = \"k\"\nsite = \"向阳镇\"\ntownship = \"向阳\"\ntoken_sha256 = \"{TOKEN}\"\n\
                 [[staff]]\nuser = \"li\"\npassword_hash = \"{hash}\"\nrole = \"{role}\"\n{site}"
            )
        };
        let config = parse(&file("manager", "site = \"向阳镇\"")).unwrap();
        assert_eq!(config.staff[0].site.as_deref(), Some("向阳镇"));
        assert_eq!(config.devices[0].township.as_deref(), Some("向阳"));
        let web = config.web_settings();
        assert_eq!(web.deadline_working_days, 10);
        assert_eq!(web.alert_rules.settings.offline_minutes, 15);
        assert!(
            !web.working_days
                .is_working_day("2026-10-01".parse().unwrap())
        );
        let err = parse(&file("manager", "")).unwrap_err();
        assert!(
            err.contains("staff[0].site") && err.contains("needs"),
            "{err}"
        );
        let err = parse(&file("manager", "site = \"石桥镇\"")).unwrap_err();
        assert!(err.contains("no device stands"), "{err}");
        let err = parse(&file("supervisor", "site = \"向阳镇\"")).unwrap_err();
        assert!(err.contains("only a manager"), "{err}");
        let err = parse("complaint_deadline_working_days = 0").unwrap_err();
        assert!(err.contains("complaint_deadline_working_days"), "{err}");
        let err = parse("[opening_hours]\nmon = \"9-5\"").unwrap_err();
        assert!(err.contains("opening_hours.mon"), "{err}");
    }

    #[test]
    fn bad_keys_are_named() {
        let device = |id: &str, token: &str| {
            format!("[[devices]]\nid = \"{id}\"\nsite = \"s\"\ntoken_sha256 = \"{token}\"\n")
        };
        let err = parse("listen = 5").unwrap_err();
        assert!(err.contains("listen"), "{err}");
        let err = parse("colour = \"red\"").unwrap_err();
        assert!(err.contains("unknown field `colour`"), "{err}");
        let err = parse(&device("k", "abc")).unwrap_err();
        assert!(err.contains("devices[0].token_sha256"), "{err}");
        let err = parse(&device("k", &token_sha256(DEMO_DEVICE_TOKEN))).unwrap_err();
        assert!(err.contains("demo token"), "{err}");
        let err = parse(&format!(
            "{}{}",
            device("k", TOKEN),
            device("k", &"1".repeat(64))
        ))
        .unwrap_err();
        assert!(
            err.contains("devices[1].id") && err.contains("twice"),
            "{err}"
        );
        let err = parse(&format!("{}{}", device("a", TOKEN), device("b", TOKEN))).unwrap_err();
        assert!(err.contains("another device"), "{err}");
        let err = parse("[[staff]]\nuser = \"u\"\npassword_hash = \"x\"\nrole = \"administrator\"")
            .unwrap_err();
        assert!(err.contains("staff[0].password_hash"), "{err}");
        let demo = crate::auth::DEMO_PASSWORD_HASH;
        let err = parse(&format!(
            "[[staff]]\nuser = \"u\"\npassword_hash = \"{demo}\"\nrole = \"administrator\""
        ))
        .unwrap_err();
        assert!(err.contains("demo password"), "{err}");
        let err = parse(&format!(
            "[[staff]]\nuser = \"u\"\npassword_hash = \"{demo}\"\nrole = \"king\""
        ))
        .unwrap_err();
        assert!(err.contains("staff[0].role"), "{err}");
        let api = |name: &str, token: &str| {
            format!("[[api_tokens]]\nname = \"{name}\"\ntoken_sha256 = \"{token}\"\n")
        };
        let err = parse(&api("综治信息系统", "xyz")).unwrap_err();
        assert!(err.contains("api_tokens[0].token_sha256"), "{err}");
        let err = parse(&format!("{}{}", device("k", TOKEN), api("综治", TOKEN))).unwrap_err();
        assert!(
            err.contains("api_tokens[0].token_sha256") && err.contains("of a device"),
            "{err}"
        );
        let err = parse(&format!("{}{}", api("a", TOKEN), api("a", &"2".repeat(64)))).unwrap_err();
        assert!(err.contains("api_tokens[1].name"), "{err}");
        let err = parse(&api("", TOKEN)).unwrap_err();
        assert!(err.contains("api_tokens[0].name"), "{err}");
        let config = parse(&api("政法大数据办案平台", &TOKEN.to_ascii_uppercase())).unwrap();
        assert_eq!(
            config.api_tokens()[0].token_sha256,
            TOKEN,
            "stored lower-case"
        );
    }

    #[test]
    fn the_application_key_file_is_read_and_unknown_keys_refused() {
        let config = parse("[applications]\nkey_file = \"/etc/centre/application-key\"").unwrap();
        assert_eq!(
            config.applications.unwrap().key_file.as_deref(),
            Some(Path::new("/etc/centre/application-key"))
        );
        assert_eq!(parse("").unwrap().applications, None);
        let err = parse("[applications]\nkey = \"x\"").unwrap_err();
        assert!(
            err.contains("applications") && err.contains("unknown field `key`"),
            "{err}"
        );
    }

    #[test]
    fn content_keys_publishers_and_tls_are_read_and_checked() {
        let centre_key = content::SecretKey::generate().public().to_string();
        let config = parse(&format!(
            "content_keys = [\"{centre_key}\"]\ncontent_upload_max_mib = 64\n\
             [[publishers]]\nname = \"content-office\"\ntoken_sha256 = \"{TOKEN}\"\n\
             [tls]\ncert_file = \"/etc/centre/tls/centre.crt\"\nkey_file = \"/etc/centre/tls/centre.key\"\n"
        ))
        .unwrap();
        assert_eq!(config.content_keys().len(), 1);
        assert_eq!(config.publishers[0].name, "content-office");
        assert_eq!(config.content_upload_max_mib, 64);
        assert_eq!(
            config.tls.unwrap().key_file,
            PathBuf::from("/etc/centre/tls/centre.key")
        );

        let dev = content::DEV_PUBLIC_KEY.trim();
        let err = parse(&format!("content_keys = [\"{dev}\"]")).unwrap_err();
        assert!(
            err.contains("content_keys[0]") && err.contains("development key"),
            "{err}"
        );
        parse(&format!(
            "content_keys = [\"{dev}\"]\naccept_development_key = true"
        ))
        .unwrap();
        let err = parse("content_keys = [\"ed25519:xyz\"]").unwrap_err();
        assert!(err.contains("content_keys[0]"), "{err}");

        let publisher = |name: &str, token: &str| {
            format!("[[publishers]]\nname = \"{name}\"\ntoken_sha256 = \"{token}\"\n")
        };
        let err = parse(&publisher("p", "abc")).unwrap_err();
        assert!(err.contains("publishers[0].token_sha256"), "{err}");
        let demo = token_sha256(crate::api::content::DEMO_PUBLISHER_TOKEN);
        let err = parse(&publisher("p", &demo)).unwrap_err();
        assert!(err.contains("demo publisher"), "{err}");
        let err = parse(&format!(
            "{}{}",
            publisher("p", TOKEN),
            publisher("p", &"1".repeat(64))
        ))
        .unwrap_err();
        assert!(err.contains("publishers[1].name"), "{err}");
        let err = parse(&format!(
            "[[devices]]\nid = \"k\"\nsite = \"s\"\ntoken_sha256 = \"{TOKEN}\"\n{}",
            publisher("p", TOKEN)
        ))
        .unwrap_err();
        assert!(err.contains("token of a device"), "{err}");
        let err = parse("content_upload_max_mib = 0").unwrap_err();
        assert!(err.contains("content_upload_max_mib"), "{err}");
        let err = parse("[tls]\ncert_file = \"a.crt\"").unwrap_err();
        assert!(err.contains("tls"), "{err}");
    }
}
