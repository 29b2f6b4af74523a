//! Finding 1: the development key (its private half is in the repository) signs only the embedded
//! default; versions are bounded so one bad but validly signed bundle cannot block updates; the centre
//! and the technician can recover a device. Every attack runs against a loopback HTTP server or a bundle
//! directory standing in for a USB stick, with real signed bundles.

#[path = "support/mod.rs"]
mod content_support;

use std::{path::PathBuf, sync::Arc};

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use content::{
    BundleError, ContentConfig, ContentStore, DEV_PUBLIC_KEY, Outbox, OutboxPayload, Rating,
    SecretKey, SyncError, SyncOutcome,
};
use content_support::{TestClock, TestServer, assets, build, dev_key, resign, write_sources};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
}

fn bundle_error(result: Result<content::SyncReport, SyncError>) -> BundleError {
    match result {
        Err(SyncError::Bundle(err)) => err,
        other => panic!("expected a bundle rejection, got {other:?}"),
    }
}

/// A data directory, a source directory, a loopback server and a test clock at `t0`.
struct Bench {
    tmp: tempfile::TempDir,
    server: TestServer,
    clock: Arc<TestClock>,
}

impl Bench {
    async fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let server = TestServer::start(&tmp.path().join("none")).await;
        write_sources(&tmp.path().join("src"), 3, 120, |_| 1);
        Self {
            tmp,
            server,
            clock: TestClock::new(t0()),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// Builds version `v` signed by `key` at `created` into `dist-NAME` and serves it; returns the directory.
    fn publish(&self, name: &str, key: &SecretKey, v: u64, created: DateTime<Utc>) -> PathBuf {
        let dist = self.path(&format!("dist-{name}"));
        build(&self.path("src"), &dist, key, v, created, 30);
        self.server.serve(&dist);
        dist
    }

    /// Opens the store in `data` with the firmware's embedded default and the test clock.
    fn open(&self, config: &ContentConfig) -> ContentStore {
        ContentStore::open_with_clock(&self.path("data"), config, self.clock.clone()).unwrap()
    }

    fn centre_config(&self, centre: &SecretKey) -> ContentConfig {
        ContentConfig {
            trusted_keys: vec![centre.public().to_string()],
            source_url: Some(self.server.bundle_url()),
            ..ContentConfig::default()
        }
    }
}

fn shown(store: &ContentStore) -> Option<(u64, String)> {
    store
        .current()
        .info
        .as_ref()
        .map(|i| (i.version, i.origin.clone()))
}

/// Before: `trusted_keys` defaulted to the development key, so a configuration that only set a source
/// applied anything signed with the published private key, from the network or a USB stick.
#[tokio::test]
async fn a_bundle_signed_with_the_development_key_is_never_synced() {
    let b = Bench::new().await;
    let dist = b.publish("dev", &dev_key(), 50, t0());
    let config = ContentConfig {
        source_url: Some(b.server.bundle_url()),
        usb_path: Some(dist.clone()),
        ..ContentConfig::default()
    };
    let store = b.open(&config);
    assert_eq!(
        shown(&store),
        Some((1, "bundled".into())),
        "the embedded default is shown"
    );

    let attempts = store.sync_once().await;
    assert_eq!(attempts.len(), 2, "the USB stick and the URL");
    for attempt in &attempts {
        match &attempt.result {
            Err(SyncError::NotConfigured { key, reason }) => {
                assert_eq!(key, "content.trusted_keys");
                assert!(
                    reason.starts_with("未配置中心的签名公钥") && reason.contains("no centre key"),
                    "{reason}"
                );
            }
            other => panic!(
                "{}: expected a refusal to sync, got {other:?}",
                attempt.origin
            ),
        }
    }
    assert!(
        b.server.take_seen().is_empty(),
        "nothing was fetched without a centre key"
    );
    assert_eq!(shown(&store), Some((1, "bundled".into())));
    // The refusal is in the status and in the heartbeat the kiosk sends.
    let status = store.status();
    assert!(
        status
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("content.trusted_keys")),
        "{status:?}"
    );
    let heartbeat = store.heartbeat(0);
    assert!(
        heartbeat
            .last_sync_error
            .is_some_and(|e| e.contains("content.trusted_keys"))
    );
    assert_eq!(heartbeat.content_version, Some(1));

    // With the centre's key configured, the development-signed bundle is refused from both origins, the
    // centre's is applied, and the embedded default keeps being shown until then.
    let centre = SecretKey::generate();
    let config = ContentConfig {
        trusted_keys: vec![centre.public().to_string()],
        ..config
    };
    let store = b.open(&config);
    assert_eq!(shown(&store), Some((1, "bundled".into())));
    let dev_id = dev_key().public().id();
    for attempt in store.sync_once().await {
        match attempt.result {
            Err(SyncError::Bundle(BundleError::UnknownKey { offered })) => {
                assert_eq!(offered, vec![dev_id.clone()], "{}", attempt.origin)
            }
            other => panic!("{}: {other:?}", attempt.origin),
        }
    }
    assert_eq!(shown(&store), Some((1, "bundled".into())));
    b.publish("centre", &centre, 60, t0());
    let applied = store
        .sync_url(&b.server.bundle_url())
        .await
        .unwrap()
        .outcome;
    assert_eq!(
        applied,
        SyncOutcome::Applied {
            from: Some(1),
            to: 60
        }
    );
}

/// Before: the development key in `trusted_keys` (as the packaged configuration had it) was accepted.
#[test]
fn configuration_refuses_the_development_key_unless_a_test_bench_opts_in() {
    let dev = DEV_PUBLIC_KEY.trim();
    let table: toml::Table = toml::from_str(&format!("trusted_keys = [\"{dev}\"]")).unwrap();
    let err = ContentConfig::from_table(Some(&table))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("content.trusted_keys")
            && err.contains("development key")
            && err.contains("accept_development_key"),
        "{err}"
    );
    // A configuration built in code is checked when the store opens, too.
    let tmp = tempfile::tempdir().unwrap();
    let config = ContentConfig {
        trusted_keys: vec![dev.to_owned()],
        ..ContentConfig::default()
    };
    let err = ContentStore::open(tmp.path(), &config).unwrap_err();
    assert!(err.to_string().contains("development key"), "{err}");

    let table: toml::Table = toml::from_str(&format!(
        "trusted_keys = [\"{dev}\"]\naccept_development_key = true"
    ))
    .unwrap();
    let config = ContentConfig::from_table(Some(&table)).unwrap();
    assert!(config.accept_development_key);
    assert!(
        ContentConfig::default().trusted_keys.is_empty(),
        "no key is trusted by default"
    );
}

/// The packaged `/etc/kiosk/kiosk.toml` loads and trusts no development key.
#[test]
fn the_packaged_configuration_does_not_trust_the_development_key() {
    let path = assets().join("../kiosk/packaging/kiosk.toml");
    let file: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let table = file.get("content").and_then(toml::Value::as_table);
    let config = ContentConfig::from_table(table).unwrap();
    assert!(!config.accept_development_key);
    assert!(
        !config
            .trusted_keys
            .iter()
            .any(|k| k.trim() == DEV_PUBLIC_KEY.trim()),
        "{}: {:?}",
        path.display(),
        config.trusted_keys
    );
}

/// Before: a validly signed bundle with version 2^64−1 was applied, and every later bundle of the centre
/// was refused as a rollback until the device was wiped.
#[tokio::test]
async fn a_version_of_two_to_the_64_cannot_block_later_bundles() {
    let b = Bench::new().await;
    let centre = SecretKey::generate();
    let store = b.open(&b.centre_config(&centre));
    let dist = b.publish("max", &centre, 2, t0());
    resign(&dist, &centre, |m| m.version = u64::MAX);
    let err = bundle_error(store.sync_url(&b.server.bundle_url()).await);
    assert!(
        matches!(
            err,
            BundleError::VersionAboveSigningTime {
                version: u64::MAX,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(store.status().highest_version, 1, "nothing was raised");

    b.publish("next", &centre, 3, t0());
    assert_eq!(
        store
            .sync_url(&b.server.bundle_url())
            .await
            .unwrap()
            .outcome,
        SyncOutcome::Applied {
            from: Some(1),
            to: 3
        }
    );
}

/// A version tied to a signing time far in the future is refused too: the signing time may be at most
/// `max_signed_ahead_days` past the device time.
#[tokio::test]
async fn a_bundle_signed_far_in_the_future_is_refused() {
    let b = Bench::new().await;
    let centre = SecretKey::generate();
    let store = b.open(&b.centre_config(&centre));
    let created = Utc.with_ymd_and_hms(2090, 1, 1, 0, 0, 0).unwrap();
    let dist = b.publish("future", &centre, 2, t0());
    resign(&dist, &centre, |m| {
        m.created = created;
        m.expires = created + Duration::days(30);
        m.version = created.timestamp() as u64;
    });
    match bundle_error(store.sync_url(&b.server.bundle_url()).await) {
        BundleError::SignedTooFarAhead {
            created: c,
            horizon,
        } => {
            assert_eq!(c, created);
            assert_eq!(horizon, t0() + Duration::days(400));
        }
        other => panic!("{other}"),
    }
    let now_version = t0().timestamp() as u64;
    b.publish("now", &centre, now_version, t0());
    assert!(matches!(
        store.sync_url(&b.server.bundle_url()).await.unwrap().outcome,
        SyncOutcome::Applied { to, .. } if to == now_version
    ));
}

/// A bad bundle inside the bounds (signed 300 days ahead) still blocks the centre's bundles; the centre
/// recovers the device remotely with a bundle of a higher epoch, and bundles of the old epoch, the bad one
/// included, can never come back.
#[tokio::test]
async fn the_centre_recovers_a_poisoned_device_with_a_higher_epoch() {
    let b = Bench::new().await;
    let centre = SecretKey::generate();
    let store = b.open(&b.centre_config(&centre));
    let ahead = t0() + Duration::days(300);
    let bad = b.publish("bad", &centre, ahead.timestamp() as u64, ahead);
    store.sync_url(&b.server.bundle_url()).await.unwrap();

    let regular = t0().timestamp() as u64 + 60;
    b.publish("regular", &centre, regular, t0() + Duration::minutes(1));
    assert!(matches!(
        bundle_error(store.sync_url(&b.server.bundle_url()).await),
        BundleError::Rollback { .. }
    ));

    // The centre signs a reset bundle: `epoch = 1` in bundle.toml, an ordinary version.
    let src = b.path("src");
    let toml = std::fs::read_to_string(src.join("bundle.toml")).unwrap();
    std::fs::write(src.join("bundle.toml"), format!("{toml}epoch = 1\n")).unwrap();
    b.publish("reset", &centre, regular, t0() + Duration::minutes(1));
    assert_eq!(
        store
            .sync_url(&b.server.bundle_url())
            .await
            .unwrap()
            .outcome,
        SyncOutcome::Applied {
            from: Some(ahead.timestamp() as u64),
            to: regular
        }
    );
    let status = store.status();
    assert_eq!(
        (
            status.epoch,
            status.highest_version,
            status.previous_version
        ),
        (1, regular, None),
        "the old epoch's versions are forgotten"
    );

    // The bad bundle (epoch 0) cannot be replayed; the centre's next bundle goes in.
    b.server.serve(&bad);
    assert_eq!(
        bundle_error(store.sync_url(&b.server.bundle_url()).await),
        BundleError::EpochRollback {
            installed: 1,
            offered: 0
        }
    );
    b.publish("after", &centre, regular + 60, t0() + Duration::minutes(2));
    assert!(matches!(
        store.sync_url(&b.server.bundle_url()).await.unwrap().outcome,
        SyncOutcome::Applied { to, .. } if to == regular + 60
    ));
    // Reopened (a reboot): the epoch and the content stay.
    drop(store);
    let store = b.open(&b.centre_config(&centre));
    assert_eq!(store.status().epoch, 1);
    assert_eq!(shown(&store).unwrap().0, regular + 60);
}

/// The technician's recovery: a poisoned device goes back to the embedded default and takes the centre's
/// current bundle, without a wipe: the outbox keeps its items.
#[tokio::test]
async fn the_technician_reset_recovers_a_poisoned_device_without_a_wipe() {
    let b = Bench::new().await;
    let centre = SecretKey::generate();
    let config = b.centre_config(&centre);
    let store = b.open(&config);
    let outbox = Outbox::open_with_clock(&b.path("data"), &config, "k1", b.clock.clone()).unwrap();
    let kept = outbox
        .submit(OutboxPayload::Rating(Rating {
            service: "notary".into(),
            ticket: None,
            score: 4,
            comment: String::new(),
            window: None,
            ..Default::default()
        }))
        .unwrap();
    let ahead = t0() + Duration::days(300);
    b.publish("bad", &centre, ahead.timestamp() as u64, ahead);
    store.sync_url(&b.server.bundle_url()).await.unwrap();
    let regular = t0().timestamp() as u64;
    b.publish("regular", &centre, regular, t0());
    assert!(matches!(
        bundle_error(store.sync_url(&b.server.bundle_url()).await),
        BundleError::Rollback { .. }
    ));

    let report = store.reset_to_default().await.unwrap();
    assert_eq!(report.forgotten_version, Some(ahead.timestamp() as u64));
    assert_eq!(report.highest_version, ahead.timestamp() as u64);
    assert_eq!(report.now_showing, Some(1));
    assert_eq!(shown(&store), Some((1, "bundled".into())));
    assert_eq!(
        store
            .sync_url(&b.server.bundle_url())
            .await
            .unwrap()
            .outcome,
        SyncOutcome::Applied {
            from: Some(1),
            to: regular
        }
    );
    assert!(outbox.item(&kept).unwrap().is_some(), "the outbox is kept");
    // The reset survives a reboot.
    drop(store);
    assert_eq!(shown(&b.open(&config)).unwrap().0, regular);
}

/// The embedded default stays shown on a device that trusts only the centre (it is trusted as the
/// embedded default), but the very same bundle offered on a stick is refused.
#[tokio::test]
async fn the_embedded_default_is_trusted_only_as_the_embedded_default() {
    let b = Bench::new().await;
    let centre = SecretKey::generate();
    let config = ContentConfig {
        usb_path: Some(assets().join("content")),
        ..b.centre_config(&centre)
    };
    let store = b.open(&config);
    let content = store.current();
    let info = content.info.as_ref().unwrap();
    assert_eq!(
        (info.version, info.key_id.as_str()),
        (1, dev_key().public().id().as_str())
    );
    let err = store
        .apply_dir(&assets().join("content"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SyncError::Bundle(BundleError::UnknownKey { .. })),
        "{err}"
    );
    // Reopened: the installed default is checked against the firmware's own, with the development key.
    drop(store);
    let store = b.open(&config);
    assert_eq!(shown(&store), Some((1, "bundled".into())));
    assert!(
        store
            .status()
            .last_error
            .unwrap()
            .contains("no signature by a trusted key")
    );
}
