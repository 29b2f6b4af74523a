//! `[content]` configuration: where bundles come from, which keys are trusted, the outbox, the limits.

use std::{path::PathBuf, time::Duration};

use serde::Deserialize;

use super::{ContentError, keys::PublicKey};

/// The public half of the development key that signs the embedded default content
/// (`assets/content-dev-key/`; its private half is in the repository, so anyone can sign with it).
///
/// The store uses it for one thing only: to verify the default bundle compiled into the firmware, on the
/// path that installs that default. It is never trusted for sync: listing it in `content.trusted_keys` is
/// refused by [`ContentConfig::validate`] unless `content.accept_development_key = true` (test benches).
pub const DEV_PUBLIC_KEY: &str = include_str!("../../assets/content-dev-key/dev.key.pub");

/// The content module's configuration (the `[content]` table of the kiosk's TOML file).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContentConfig {
    /// The district centre's base URL (`https://centre.example:8480`). When set, `source_url` defaults to
    /// `{centre_url}/content/` and `outbox_url` to `{centre_url}/api/v1/outbox` (see
    /// [`ContentConfig::source_url`], [`ContentConfig::outbox_url`]); explicit values win. None (the
    /// default): nothing is derived, and without `source_url` and `outbox_url` the device stays offline.
    pub centre_url: Option<String>,
    /// Base URL of the centre's bundle (the directory holding `manifest.json`); none: `centre_url`'s
    /// `/content/`, else no network sync.
    pub source_url: Option<String>,
    /// The centre's Ed25519 public keys, `ed25519:<64 hex digits>`; several for key rotation. Empty by
    /// default: the device then shows its current (or embedded default) content and refuses to sync,
    /// saying so in its status, until the centre's key is listed here.
    pub trusted_keys: Vec<String>,
    /// Allows the development key ([`DEV_PUBLIC_KEY`]) in `trusted_keys`. Test benches only: anyone can
    /// sign with that key.
    pub accept_development_key: bool,
    /// A bundle directory on a mounted USB stick, applied when present.
    pub usb_path: Option<PathBuf>,
    /// Seconds between two syncs of the running kiosk.
    pub interval_secs: u64,
    /// Up to this many seconds are added at random to each interval, so devices do not poll together.
    pub jitter_secs: u64,
    /// Seconds before an HTTP request is abandoned.
    pub timeout_secs: u64,
    /// Files downloaded at the same time.
    pub parallel_downloads: usize,
    /// Where complaints, ratings, ticket statistics and heartbeats are POSTed; none: `centre_url`'s
    /// `/api/v1/outbox`, else kept queued.
    pub outbox_url: Option<String>,
    /// A file holding this device's token for the centre (one line, kept 0600): sent as
    /// `Authorization: Bearer …` with every outbox item. None: no token is sent.
    pub outbox_token_file: Option<PathBuf>,
    /// PEM certificate(s) trusted for `https://` sources and outbox endpoints: the centre's own
    /// certificate or the CA that issued it. Set, only these are trusted (the centre is pinned);
    /// unset, the system's roots are.
    pub ca_file: Option<PathBuf>,
    /// Seconds between heartbeats put in the outbox by the running kiosk (0: none).
    pub heartbeat_secs: u64,
    /// The name this device reports in the outbox (default: the site name).
    pub device_id: Option<String>,
    /// A device clock this far (days) past the newest signing time seen is reported as `ahead`.
    pub max_clock_ahead_days: u32,
    /// A bundle signed more than this many days after the device's time (the later of its clock and the
    /// newest signing time seen) is refused. With versions bounded by their signing time, this bounds how
    /// far one bad bundle can push the highest version seen (see "Trust and recovery" in the README).
    pub max_signed_ahead_days: u32,
    /// Size and count limits for bundles.
    pub limits: ContentLimits,
    /// How long and how many outbox items are kept (`[content.outbox_retention]`).
    pub outbox_retention: OutboxRetention,
}

/// Bounds of the outbox: what is dropped when the centre does not take items, and when delivered or
/// refused items are purged. Every drop is counted in [`crate::OutboxStatus`] and logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxRetention {
    /// Undelivered heartbeats older than this many days are dropped (a heartbeat is news only while fresh).
    pub heartbeat_max_age_days: u32,
    /// At most this many undelivered heartbeats are kept; the oldest are dropped first.
    pub heartbeat_max_items: u32,
    /// Undelivered complaints, ratings and statistics older than this many days are dropped.
    pub max_age_days: u32,
    /// At most this many undelivered items of every kind together; beyond it heartbeats are dropped first,
    /// then the oldest other items.
    pub max_items: u32,
    /// Delivered items are deleted this many days after delivery.
    pub delivered_days: u32,
    /// Items the centre refused are deleted this many days after the refusal (kept for the technician).
    pub rejected_days: u32,
}

impl Default for OutboxRetention {
    fn default() -> Self {
        Self {
            heartbeat_max_age_days: 2,
            heartbeat_max_items: 300,
            max_age_days: 180,
            max_items: 10_000,
            delivered_days: 7,
            rejected_days: 30,
        }
    }
}

/// Limits that a bundle must respect; anything larger is refused before it is downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContentLimits {
    /// Largest `manifest.json` in bytes.
    pub max_manifest_bytes: u64,
    /// Largest single file (collection part, photo, slide, video) in bytes.
    pub max_file_bytes: u64,
    /// Largest bundle (all files together) in bytes.
    pub max_total_bytes: u64,
    /// Most files in one bundle.
    pub max_files: usize,
    /// Most records in one collection.
    pub max_records: usize,
}

impl Default for ContentLimits {
    fn default() -> Self {
        Self {
            max_manifest_bytes: 8 * 1024 * 1024,
            max_file_bytes: 256 * 1024 * 1024,
            max_total_bytes: 4 * 1024 * 1024 * 1024,
            max_files: 200_000,
            max_records: 100_000,
        }
    }
}

impl Default for ContentConfig {
    fn default() -> Self {
        Self {
            centre_url: None,
            source_url: None,
            trusted_keys: Vec::new(),
            accept_development_key: false,
            usb_path: None,
            interval_secs: 900,
            jitter_secs: 300,
            timeout_secs: 60,
            parallel_downloads: 4,
            outbox_url: None,
            outbox_token_file: None,
            ca_file: None,
            heartbeat_secs: 600,
            device_id: None,
            max_clock_ahead_days: 400,
            max_signed_ahead_days: 400,
            limits: ContentLimits::default(),
            outbox_retention: OutboxRetention::default(),
        }
    }
}

impl ContentConfig {
    /// An HTTP client for the centre: `ca_file` pinned when set, `connect` and `read` timeouts.
    pub fn http_client(
        &self,
        connect: Duration,
        read: Duration,
    ) -> Result<reqwest::Client, ContentError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(connect)
            .read_timeout(read);
        if let Some(path) = &self.ca_file {
            let invalid = |reason: String| ContentError::Config {
                key: "content.ca_file".into(),
                reason: format!("{}: {reason}", path.display()),
            };
            let pem = std::fs::read(path).map_err(|e| invalid(e.to_string()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| invalid(format!("not PEM certificates: {e}")))?;
            if certs.is_empty() {
                return Err(invalid("holds no CERTIFICATE block".into()));
            }
            builder = builder.tls_certs_only(certs);
        }
        builder.build().map_err(|err| ContentError::Config {
            key: "content".into(),
            reason: format!("HTTP client: {err}"),
        })
    }

    /// Where bundles are synced from: `source_url` when set, else `{centre_url}/content/`, else none.
    pub fn source_url(&self) -> Option<String> {
        self.source_url
            .clone()
            .or_else(|| self.centre_path("content/"))
    }

    /// Where outbox items are POSTed: `outbox_url` when set, else `{centre_url}/api/v1/outbox`, else none.
    pub fn outbox_url(&self) -> Option<String> {
        self.outbox_url
            .clone()
            .or_else(|| self.centre_path("api/v1/outbox"))
    }

    /// `path` below `centre_url` (its trailing slashes ignored).
    fn centre_path(&self, path: &str) -> Option<String> {
        let base = self.centre_url.as_deref()?.trim_end_matches('/');
        Some(format!("{base}/{path}"))
    }

    /// Reads the `[content]` table of the kiosk configuration (defaults when absent) and checks it.
    pub fn from_table(table: Option<&toml::Table>) -> Result<Self, ContentError> {
        let config: Self = match table {
            None => Self::default(),
            Some(table) => {
                let value = toml::Value::Table(table.clone());
                serde_path_to_error::deserialize(value).map_err(|err| ContentError::Config {
                    key: format!("content.{}", err.path()),
                    reason: err.inner().to_string(),
                })?
            }
        };
        config.validate()?;
        Ok(config)
    }

    /// The keys trusted for sync (`trusted_keys`), parsed. Empty when none is configured.
    pub fn keys(&self) -> Result<Vec<PublicKey>, ContentError> {
        self.trusted_keys
            .iter()
            .map(|text| {
                text.parse().map_err(|reason: String| ContentError::Config {
                    key: "content.trusted_keys".into(),
                    reason: format!("`{text}`: {reason}"),
                })
            })
            .collect()
    }

    /// Why this configuration cannot sync, if it cannot: a source (`source_url` or `usb_path`) is set but
    /// `trusted_keys` lists no centre key. The device then keeps its current content and reports this.
    pub fn sync_problem(&self) -> Option<ContentError> {
        let has_source = self.source_url().is_some() || self.usb_path.is_some();
        (has_source && self.trusted_keys.is_empty()).then(|| ContentError::Config {
            key: "content.trusted_keys".into(),
            reason: NO_CENTRE_KEY.into(),
        })
    }

    /// Time allowed for one HTTP request.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// Checks ranges, URLs and keys; the error names the key (`content.…`) and says why.
    pub fn validate(&self) -> Result<(), ContentError> {
        let invalid = |key: &str, reason: &str| ContentError::Config {
            key: format!("content.{key}"),
            reason: reason.to_owned(),
        };
        let keys = self.keys()?;
        let dev: PublicKey = DEV_PUBLIC_KEY
            .trim()
            .parse()
            .expect("the development public key parses");
        if !self.accept_development_key && keys.contains(&dev) {
            return Err(invalid(
                "trusted_keys",
                &format!(
                    "`{dev}` is the development key, whose private half is public \
                     (assets/content-dev-key/): anyone can sign bundles with it. It only verifies the \
                     embedded default content and is never trusted for sync. List the centre's key \
                     instead; on a test bench only, set content.accept_development_key = true"
                ),
            ));
        }
        if let Some(url) = &self.centre_url {
            let parsed = reqwest::Url::parse(url)
                .map_err(|err| invalid("centre_url", &format!("`{url}`: {err}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(invalid(
                    "centre_url",
                    &format!("`{url}` must be an https:// (or http://) URL"),
                ));
            }
            if parsed.query().is_some() || parsed.fragment().is_some() || !parsed.has_host() {
                return Err(invalid(
                    "centre_url",
                    &format!("`{url}` must be a base URL such as https://centre.example:8480"),
                ));
            }
        }
        for (key, url) in [
            ("source_url", &self.source_url),
            ("outbox_url", &self.outbox_url),
        ] {
            if let Some(url) = url {
                let parsed = reqwest::Url::parse(url)
                    .map_err(|err| invalid(key, &format!("`{url}`: {err}")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(invalid(
                        key,
                        &format!("`{url}` must be an https:// (or http://) URL"),
                    ));
                }
            }
        }
        if !(10..=7 * 24 * 3600).contains(&self.interval_secs) {
            return Err(invalid(
                "interval_secs",
                "must be between 10 seconds and 7 days",
            ));
        }
        if self.jitter_secs > self.interval_secs {
            return Err(invalid("jitter_secs", "must not exceed interval_secs"));
        }
        if !(1..=3600).contains(&self.timeout_secs) {
            return Err(invalid("timeout_secs", "must be between 1 and 3600"));
        }
        if !(1..=64).contains(&self.parallel_downloads) {
            return Err(invalid("parallel_downloads", "must be between 1 and 64"));
        }
        if self.max_clock_ahead_days == 0 {
            return Err(invalid("max_clock_ahead_days", "must be at least 1"));
        }
        if !(1..=3650).contains(&self.max_signed_ahead_days) {
            return Err(invalid(
                "max_signed_ahead_days",
                "must be between 1 and 3650 days",
            ));
        }
        self.outbox_retention.validate()?;
        let l = &self.limits;
        if l.max_manifest_bytes == 0
            || l.max_file_bytes == 0
            || l.max_total_bytes == 0
            || l.max_files == 0
        {
            return Err(invalid("limits", "every limit must be above zero"));
        }
        Ok(())
    }
}

/// The reason given when a sync source is configured without a centre key (Chinese first, then English).
pub(crate) const NO_CENTRE_KEY: &str = "未配置中心的签名公钥，内容同步已停止，继续显示当前内容 / \
     no centre key is listed: set the centre's public key here to sync; until then nothing is synced and \
     the current content stays";

impl OutboxRetention {
    /// Checks the bounds; the error names the key (`content.outbox_retention.…`).
    pub fn validate(&self) -> Result<(), ContentError> {
        let invalid = |key: &str, reason: &str| ContentError::Config {
            key: format!("content.outbox_retention.{key}"),
            reason: reason.to_owned(),
        };
        for (key, value, range) in [
            (
                "heartbeat_max_age_days",
                self.heartbeat_max_age_days,
                1..=365,
            ),
            ("heartbeat_max_items", self.heartbeat_max_items, 1..=100_000),
            ("max_age_days", self.max_age_days, 1..=3650),
            ("max_items", self.max_items, 1..=1_000_000),
            ("delivered_days", self.delivered_days, 0..=365),
            ("rejected_days", self.rejected_days, 0..=3650),
        ] {
            if !range.contains(&value) {
                return Err(invalid(
                    key,
                    &format!(
                        "must be between {} and {}, not {value}",
                        range.start(),
                        range.end()
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_centre(url: &str) -> ContentConfig {
        ContentConfig {
            centre_url: Some(url.into()),
            ..ContentConfig::default()
        }
    }

    #[test]
    fn the_centre_url_gives_the_source_and_the_outbox() {
        for url in [
            "https://centre.example:8480",
            "https://centre.example:8480/",
            "https://centre.example:8480//",
        ] {
            let config = with_centre(url);
            config.validate().unwrap();
            assert_eq!(
                config.source_url().as_deref(),
                Some("https://centre.example:8480/content/"),
                "{url}"
            );
            assert_eq!(
                config.outbox_url().as_deref(),
                Some("https://centre.example:8480/api/v1/outbox"),
                "{url}"
            );
        }
        let behind_a_proxy = with_centre("https://gov.example/qianjiang/centre/");
        assert_eq!(
            behind_a_proxy.source_url().as_deref(),
            Some("https://gov.example/qianjiang/centre/content/")
        );
    }

    #[test]
    fn explicit_urls_win_over_the_centre_url() {
        let config = ContentConfig {
            source_url: Some("http://cdn.example/bundle/".into()),
            outbox_url: Some("http://relay.example/outbox".into()),
            ..with_centre("https://centre.example:8480")
        };
        config.validate().unwrap();
        assert_eq!(
            config.source_url().as_deref(),
            Some("http://cdn.example/bundle/")
        );
        assert_eq!(
            config.outbox_url().as_deref(),
            Some("http://relay.example/outbox")
        );
        let only_source = ContentConfig {
            source_url: Some("http://cdn.example/bundle/".into()),
            ..with_centre("https://centre.example:8480")
        };
        assert_eq!(
            only_source.outbox_url().as_deref(),
            Some("https://centre.example:8480/api/v1/outbox")
        );
    }

    #[test]
    fn without_a_centre_nothing_is_derived() {
        let config = ContentConfig::from_table(None).unwrap();
        assert_eq!(config.centre_url, None);
        assert_eq!(config.source_url(), None);
        assert_eq!(config.outbox_url(), None);
        assert!(config.sync_problem().is_none(), "no source, no problem");
    }

    #[test]
    fn a_bad_centre_url_is_refused_naming_the_key() {
        for url in [
            "centre.example:8480",
            "ftp://centre.example",
            "https://",
            "https://centre.example/?a=1",
            "not a url",
        ] {
            let table: toml::Table = toml::from_str(&format!("centre_url = {url:?}")).unwrap();
            let err = ContentConfig::from_table(Some(&table)).unwrap_err();
            let ContentError::Config { key, reason } = &err else {
                panic!("{url}: {err}");
            };
            assert_eq!(key, "content.centre_url", "{url}: {reason}");
        }
    }

    #[test]
    fn a_centre_url_without_a_key_syncs_nothing_and_says_so() {
        let table: toml::Table = toml::from_str("centre_url = \"https://centre.example\"").unwrap();
        let config = ContentConfig::from_table(Some(&table)).unwrap();
        let problem = config.sync_problem().expect("no key: a problem");
        assert!(
            problem.to_string().contains("content.trusted_keys"),
            "{problem}"
        );
    }
}
