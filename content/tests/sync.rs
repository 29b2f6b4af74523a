//! Device-side sync against a real HTTP server on loopback: every rejection keeps the last good content,
//! conditional requests, only missing files, resumed downloads, the atomic swap with the previous version
//! kept, USB delivery and the clock policy.

#[path = "support/mod.rs"]
mod content_support;

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, TimeZone as _, Utc};
use content::{
    BundleError, ClockVerdict, ContentConfig, ContentStore, FileEntry, ObjectId, SecretKey,
    SyncError, SyncOutcome,
};
use content_support::{TestClock, TestServer, build, resign, write_sources};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
}

struct Fixture {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    key: SecretKey,
    server: TestServer,
    clock: Arc<TestClock>,
    store: ContentStore,
}

impl Fixture {
    async fn new(configure: impl FnOnce(&mut ContentConfig)) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_owned();
        let key = SecretKey::generate();
        let server = TestServer::start(&root.join("dist")).await;
        let mut config = ContentConfig {
            trusted_keys: vec![key.public().to_string()],
            source_url: Some(server.bundle_url()),
            ..ContentConfig::default()
        };
        configure(&mut config);
        let clock = TestClock::new(t0());
        let store =
            ContentStore::open_with(&root.join("data"), &config, clock.clone(), None).unwrap();
        Self {
            _tmp: tmp,
            root,
            key,
            server,
            clock,
            store,
        }
    }

    /// Builds version `v` of a bundle of `n` people into `dist-v` and serves it.
    fn publish(&self, v: u64, n: usize, seed: impl Fn(usize) -> u64) -> std::path::PathBuf {
        let src = self.root.join("src");
        write_sources(&src, n, 300, seed);
        let dist = self.root.join(format!("dist-{v}"));
        build(&src, &dist, &self.key, v, t0(), 30);
        self.server.serve(&dist);
        dist
    }

    async fn sync(&self) -> Result<content::SyncReport, SyncError> {
        self.store.sync_url(&self.server.bundle_url()).await
    }

    fn version(&self) -> Option<u64> {
        self.store.current().info.as_ref().map(|i| i.version)
    }
}

fn bundle_error(result: Result<content::SyncReport, SyncError>) -> BundleError {
    match result {
        Err(SyncError::Bundle(err)) => err,
        other => panic!("expected a bundle rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn first_sync_applies_and_unchanged_poll_is_one_small_request() {
    let f = Fixture::new(|_| {}).await;
    let mut changed = f.store.subscribe();
    f.publish(1, 12, |_| 1);
    let report = f.sync().await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Applied { from: None, to: 1 });
    // manifest + 12 photos + 1 lawyers part + 1 services part
    assert_eq!(report.requests, 15);
    tokio::time::timeout(Duration::from_secs(10), changed.changed())
        .await
        .unwrap()
        .unwrap();
    let content = changed.borrow().clone();
    assert_eq!(content.lawyers.len(), 12);
    let photo = content.lawyers[0].photo.clone().unwrap();
    assert!(
        content.file_path(&photo).unwrap().is_file(),
        "photos are on disk for the UI"
    );
    f.server.take_seen();

    let report = f.sync().await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Unchanged { version: 1 });
    assert_eq!((report.requests, report.bytes), (1, 0));
    let seen = f.server.take_seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].path.as_str(), seen[0].status),
        ("manifest.json", 304)
    );
}

#[tokio::test]
async fn only_missing_files_are_downloaded_and_the_previous_version_is_kept() {
    let f = Fixture::new(|_| {}).await;
    f.publish(1, 40, |_| 1);
    f.sync().await.unwrap();
    f.server.take_seen();
    // Version 2 changes the photos of people 3 and 7.
    f.publish(2, 40, |i| if i == 3 || i == 7 { 2 } else { 1 });
    let report = f.sync().await.unwrap();
    assert_eq!(
        report.outcome,
        SyncOutcome::Applied {
            from: Some(1),
            to: 2
        }
    );
    let fetched: Vec<_> = f
        .server
        .take_seen()
        .into_iter()
        .map(|s| s.path)
        .filter(|p| p.starts_with("objects/"))
        .collect();
    assert_eq!(
        fetched.len(),
        3,
        "two photos and the lawyers part: {fetched:?}"
    );
    let status = f.store.status();
    assert_eq!(
        (status.version, status.previous_version),
        (Some(2), Some(1))
    );

    // The installed version loses a file: on reopen the previous good version comes back.
    let content = f.store.current();
    let photo = content.lawyers[3].photo.clone().unwrap();
    std::fs::remove_file(content.file_path(&photo).unwrap()).unwrap();
    let config = f.store.config().clone();
    let reopened =
        ContentStore::open_with(&f.root.join("data"), &config, f.clock.clone(), None).unwrap();
    assert_eq!(reopened.current().info.as_ref().unwrap().version, 1);
    assert_eq!(reopened.current().lawyers.len(), 40);
}

#[tokio::test]
async fn an_interrupted_download_resumes_with_a_range_request() {
    let f = Fixture::new(|c| c.parallel_downloads = 1).await;
    let dist = f.publish(1, 3, |_| 1);
    let raw = std::fs::read(dist.join("manifest.json")).unwrap();
    let verified = content::verify(&raw, &[f.key.public()], &Default::default()).unwrap();
    let (photo, entry) = verified
        .files
        .iter()
        .find(|(_, e)| e.media_type == "image/png")
        .unwrap();
    let path = photo.relative_path();
    f.server.hooks().truncate_once.insert(path.clone(), 100);

    let err = f.sync().await.unwrap_err();
    assert!(matches!(err, SyncError::Transfer { .. }), "{err}");
    assert_eq!(
        f.version(),
        None,
        "nothing half-downloaded reaches the screen"
    );

    let report = f.sync().await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Applied { from: None, to: 1 });
    let for_photo: Vec<_> = f
        .server
        .take_seen()
        .into_iter()
        .filter(|s| s.path == path)
        .collect();
    assert_eq!(for_photo.len(), 2);
    assert_eq!(for_photo[1].range.as_deref(), Some("bytes=100-"));
    assert_eq!(
        (for_photo[1].status, for_photo[1].bytes as u64),
        (206, entry.size - 100)
    );
}

#[tokio::test]
async fn rejections_keep_the_last_good_content() {
    let f = Fixture::new(|_| {}).await;
    f.publish(5, 4, |_| 1);
    f.sync().await.unwrap();
    let good = f.store.current();
    let mut changed = f.store.subscribe();
    changed.mark_unchanged();

    // Bad signature: the manifest text changed after signing.
    let dist = f.publish(6, 4, |_| 1);
    let raw = std::fs::read_to_string(dist.join("manifest.json")).unwrap();
    std::fs::write(
        dist.join("manifest.json"),
        raw.replacen("test bundle", "test bundlf", 1),
    )
    .unwrap();
    assert!(matches!(
        bundle_error(f.sync().await),
        BundleError::BadSignature { .. }
    ));

    // Unknown key.
    let other = SecretKey::generate();
    let dist = f.publish(6, 4, |_| 1);
    resign(&dist, &other, |_| {});
    assert!(
        matches!(bundle_error(f.sync().await), BundleError::UnknownKey { offered } if offered == vec![other.public().id()])
    );

    // Rollback: version 4 after 5; and version 5 again with different content.
    f.publish(4, 4, |_| 1);
    assert_eq!(
        bundle_error(f.sync().await),
        BundleError::Rollback {
            installed: 5,
            offered: 4
        }
    );
    f.publish(5, 4, |_| 9);
    assert!(matches!(
        bundle_error(f.sync().await),
        BundleError::Rollback { .. }
    ));

    // Expired.
    let dist = f.publish(7, 4, |_| 1);
    resign(&dist, &f.key, |m| {
        m.created = t0() - chrono::Duration::days(40);
        m.expires = t0() - chrono::Duration::days(10);
    });
    assert!(matches!(
        bundle_error(f.sync().await),
        BundleError::Expired { .. }
    ));

    // Hash mismatch: a photo with the same size but other bytes.
    let dist = f.publish(8, 4, |i| i as u64 + 100);
    let verified = content::verify(
        &std::fs::read(dist.join("manifest.json")).unwrap(),
        &[f.key.public()],
        &Default::default(),
    )
    .unwrap();
    let (photo, _) = verified
        .files
        .iter()
        .find(|(_, e)| e.media_type == "image/png")
        .unwrap();
    let path = photo.path_in(&dist.join("objects"));
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    assert!(
        matches!(bundle_error(f.sync().await), BundleError::HashMismatch { object, .. } if object == photo.to_string())
    );

    // Oversize: the server sends more bytes than the manifest declares.
    let dist = f.publish(9, 4, |i| i as u64 + 200);
    let verified = content::verify(
        &std::fs::read(dist.join("manifest.json")).unwrap(),
        &[f.key.public()],
        &Default::default(),
    )
    .unwrap();
    let (photo, entry) = verified
        .files
        .iter()
        .find(|(_, e)| e.media_type == "image/png")
        .unwrap();
    f.server.hooks().replace.insert(
        photo.relative_path(),
        (vec![7u8; entry.size as usize * 4], "image/png".into()),
    );
    assert!(matches!(
        bundle_error(f.sync().await),
        BundleError::Oversize { .. }
    ));
    f.server.hooks().replace.clear();

    // An HTML error page instead of the manifest, with and without an HTML content type.
    f.publish(10, 4, |_| 1);
    let page = b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>".to_vec();
    f.server.hooks().replace.insert(
        "manifest.json".into(),
        (page.clone(), "text/html; charset=utf-8".into()),
    );
    assert!(matches!(
        bundle_error(f.sync().await),
        BundleError::NotAManifest { .. }
    ));
    f.server
        .hooks()
        .replace
        .insert("manifest.json".into(), (page, "application/json".into()));
    assert!(matches!(
        bundle_error(f.sync().await),
        BundleError::NotAManifest { .. }
    ));
    f.server.hooks().replace.clear();

    // Path traversal: a file name that is not a digest.
    let dist = f.publish(11, 4, |_| 1);
    resign(&dist, &f.key, |m| {
        m.files.insert(
            "../../../etc/passwd".into(),
            FileEntry {
                size: 10,
                media_type: "image/png".into(),
            },
        );
    });
    assert!(
        matches!(bundle_error(f.sync().await), BundleError::InvalidName { name } if name.contains(".."))
    );

    assert_eq!(
        f.store.current(),
        good,
        "the last good content stayed on screen"
    );
    assert!(
        !changed.has_changed().unwrap(),
        "subscribers were not told of any change"
    );
    assert!(
        f.store
            .status()
            .last_error
            .unwrap()
            .contains("invalid file name")
    );

    // After all that, a good bundle still goes in.
    f.publish(12, 4, |_| 1);
    assert_eq!(
        f.sync().await.unwrap().outcome,
        SyncOutcome::Applied {
            from: Some(5),
            to: 12
        }
    );
}

#[tokio::test]
async fn limits_refuse_a_bundle_before_downloading_it() {
    let f = Fixture::new(|c| c.limits.max_file_bytes = 200).await;
    f.publish(1, 3, |_| 1);
    let err = bundle_error(f.sync().await);
    assert!(
        matches!(err, BundleError::Oversize { limit: 200, .. }),
        "{err}"
    );
    let seen = f.server.take_seen();
    assert_eq!(seen.len(), 1, "only the manifest was fetched");
}

#[tokio::test]
async fn clock_policy_survives_a_reset_and_refuses_expired_bundles_whatever_the_clock() {
    let f = Fixture::new(|_| {}).await;
    f.publish(1, 2, |_| 1); // signed at t0, valid 30 days
    f.sync().await.unwrap();

    // Clock reset to 1970: a bundle that expired before the newest signature seen is still refused.
    f.clock
        .set(Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap());
    let dist = f.publish(2, 2, |_| 2);
    resign(&dist, &f.key, |m| {
        m.created = t0() - chrono::Duration::days(60);
        m.expires = t0() - chrono::Duration::days(1);
    });
    match bundle_error(f.sync().await) {
        BundleError::Expired { now, .. } => {
            assert_eq!(now, t0(), "the time floor stands in for the clock")
        }
        other => panic!("{other}"),
    }
    assert_eq!(f.store.status().clock, ClockVerdict::Behind);

    // Still 1970, a fresh bundle goes in and raises the floor.
    let dist = f.publish(3, 2, |_| 3);
    resign(&dist, &f.key, |m| {
        m.created = t0() + chrono::Duration::days(1);
        m.expires = t0() + chrono::Duration::days(31);
    });
    assert_eq!(
        f.sync().await.unwrap().outcome,
        SyncOutcome::Applied {
            from: Some(1),
            to: 3
        }
    );

    // A clock years ahead is reported `ahead` but still used: a bundle it says has expired is refused, with
    // the device time in the error, and the installed content is stale (never silently fresh).
    let far = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
    f.clock.set(far);
    let dist = f.publish(4, 2, |_| 4);
    resign(&dist, &f.key, |m| {
        m.created = t0() + chrono::Duration::days(2);
        m.expires = t0() + chrono::Duration::days(32);
    });
    match bundle_error(f.sync().await) {
        BundleError::Expired { now, .. } => assert_eq!(now, far),
        other => panic!("{other}"),
    }
    let status = f.store.status();
    assert_eq!(
        (status.version, status.clock, status.stale),
        (Some(3), ClockVerdict::Ahead, true)
    );
    assert!(status.last_error.unwrap().contains("set it"));
    // Once the clock is set, the same bundle goes in.
    f.clock.set(t0() + chrono::Duration::days(2));
    assert_eq!(
        f.sync().await.unwrap().outcome,
        SyncOutcome::Applied {
            from: Some(3),
            to: 4
        }
    );
    assert_eq!(f.store.status().clock, ClockVerdict::Plausible);

    // A plausible clock past the expiry refuses the bundle; installed content past expiry stays, stale.
    f.clock.set(t0() + chrono::Duration::days(100));
    let dist = f.publish(5, 2, |_| 5);
    resign(&dist, &f.key, |m| {
        m.created = t0() + chrono::Duration::days(3);
        m.expires = t0() + chrono::Duration::days(33);
    });
    assert!(matches!(
        bundle_error(f.sync().await),
        BundleError::Expired { .. }
    ));
    let status = f.store.status();
    assert_eq!(
        (status.version, status.stale, status.clock),
        (Some(4), true, ClockVerdict::Plausible)
    );
    assert_eq!(f.store.current().lawyers.len(), 2);
}

#[tokio::test]
async fn a_usb_bundle_is_verified_and_applied_like_a_download() {
    let tmp = tempfile::tempdir().unwrap();
    let key = SecretKey::generate();
    let src = tmp.path().join("src");
    write_sources(&src, 5, 200, |_| 1);
    let usb = tmp.path().join("usb");
    build(&src, &usb, &key, 3, Utc::now(), 30);
    let config = ContentConfig {
        trusted_keys: vec![key.public().to_string()],
        usb_path: Some(usb.clone()),
        ..ContentConfig::default()
    };
    let store = ContentStore::open_with(
        &tmp.path().join("data"),
        &config,
        Arc::new(content::SystemWallClock),
        None,
    )
    .unwrap();

    let attempts = store.sync_once().await;
    assert_eq!(attempts.len(), 1);
    assert!(attempts[0].origin.starts_with("usb:"));
    let report = attempts[0].result.as_ref().unwrap();
    assert_eq!(report.outcome, SyncOutcome::Applied { from: None, to: 3 });
    assert_eq!(report.files, 7);
    assert_eq!(store.current().lawyers.len(), 5);
    // Plugged in again: unchanged, nothing copied.
    let again = store.sync_once().await.pop().unwrap().result.unwrap();
    assert_eq!(
        (again.outcome, again.files),
        (SyncOutcome::Unchanged { version: 3 }, 0)
    );

    // A tampered stick is refused: version 4 has new photos, one of them altered on the stick.
    let old: Vec<ObjectId> = store
        .current()
        .lawyers
        .iter()
        .filter_map(|p| p.photo.as_ref()?.parse().ok())
        .collect();
    write_sources(&src, 5, 200, |_| 2);
    build(&src, &usb, &key, 4, Utc::now(), 30);
    let v4 = content::verify(
        &std::fs::read(usb.join("manifest.json")).unwrap(),
        &[key.public()],
        &Default::default(),
    )
    .unwrap();
    let (fresh, _) = v4
        .files
        .iter()
        .find(|(id, e)| e.media_type == "image/png" && !old.contains(id))
        .unwrap();
    std::fs::write(fresh.path_in(&usb.join("objects")), vec![0u8; 200]).unwrap();
    let err = store.apply_dir(&usb).await.unwrap_err();
    assert!(
        matches!(err, SyncError::Bundle(BundleError::HashMismatch { .. })),
        "{err}"
    );
    assert_eq!(store.current().info.as_ref().unwrap().version, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inserting_a_usb_stick_syncs_at_once_without_waiting_for_the_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let key = SecretKey::generate();
    let src = tmp.path().join("src");
    write_sources(&src, 4, 200, |_| 1);
    let usb = tmp.path().join("usb");
    let config = ContentConfig {
        trusted_keys: vec![key.public().to_string()],
        usb_path: Some(usb.clone()),
        // A day between rounds: only the stick's arrival can apply the bundle within this test.
        interval_secs: 24 * 3600,
        jitter_secs: 0,
        heartbeat_secs: 0,
        ..ContentConfig::default()
    };
    let store = ContentStore::open_with(
        &tmp.path().join("data"),
        &config,
        Arc::new(content::SystemWallClock),
        None,
    )
    .unwrap();
    let mut changed = store.subscribe();
    let task = store.spawn_sync(&tokio::runtime::Handle::current(), None);
    assert!(store.current().info.is_none(), "nothing installed yet");

    // The stick is "mounted": the bundle appears at the USB path.
    build(&src, &usb, &key, 7, Utc::now(), 30);
    tokio::time::timeout(Duration::from_secs(60), changed.changed())
        .await
        .expect("the inserted stick is synced within a few polls")
        .unwrap();
    assert_eq!(store.current().info.as_ref().map(|i| i.version), Some(7));
    assert_eq!(store.current().lawyers.len(), 4);
    task.stop();
}
