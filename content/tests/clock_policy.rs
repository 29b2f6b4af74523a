//! Finding 5: expired bundles on a fresh device. The embedded default was signed 2025-01-01; a device
//! clock more than 400 days past it was judged wrong and replaced by 2025-01-01, so an expired bundle was
//! applied and the stale flag stayed off. Now expiry and staleness are judged by the later of the device
//! clock and the newest signing time seen, whatever the verdict; the verdict is only reported.

#[path = "support/mod.rs"]
mod content_support;

use std::sync::Arc;

use chrono::{DateTime, TimeZone as _, Utc};
use content::{
    BundleError, ClockVerdict, ContentConfig, ContentStore, Outbox, OutboxPayload, SecretKey,
    SyncError, SyncOutcome,
};
use content_support::{TestClock, TestServer, build, build_pack, dev_key, write_sources};

fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

fn bundle_error(result: Result<content::SyncReport, SyncError>) -> BundleError {
    match result {
        Err(SyncError::Bundle(err)) => err,
        other => panic!("expected a bundle rejection, got {other:?}"),
    }
}

struct Device {
    tmp: tempfile::TempDir,
    server: TestServer,
    clock: Arc<TestClock>,
    centre: SecretKey,
    store: ContentStore,
}

impl Device {
    /// A fresh device with the firmware's embedded default (signed 2025-01-01) whose clock reads `now`.
    async fn fresh(now: DateTime<Utc>) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let server = TestServer::start(&tmp.path().join("none")).await;
        write_sources(&tmp.path().join("src"), 2, 100, |_| 1);
        let centre = SecretKey::generate();
        let clock = TestClock::new(now);
        let config = ContentConfig {
            trusted_keys: vec![centre.public().to_string()],
            source_url: Some(server.bundle_url()),
            ..ContentConfig::default()
        };
        let store = ContentStore::open_with_clock(&tmp.path().join("data"), &config, clock.clone())
            .unwrap();
        Self {
            tmp,
            server,
            clock,
            centre,
            store,
        }
    }

    /// Serves version `v` signed at `created`, valid `days` days.
    fn publish(&self, v: u64, created: DateTime<Utc>, days: u32) {
        let dist = self.tmp.path().join(format!("dist-{v}"));
        build(
            &self.tmp.path().join("src"),
            &dist,
            &self.centre,
            v,
            created,
            days,
        );
        self.server.serve(&dist);
    }

    async fn sync(&self) -> Result<content::SyncReport, SyncError> {
        self.store.sync_url(&self.server.bundle_url()).await
    }
}

#[tokio::test]
async fn an_expired_bundle_is_refused_on_a_fresh_device_whose_clock_is_far_past_the_default() {
    let now = day(2026, 3, 1);
    let d = Device::fresh(now).await;
    let status = d.store.status();
    assert_eq!(
        (status.version, status.clock, status.stale),
        (Some(1), ClockVerdict::Ahead, false),
        "the embedded default, signed 2025-01-01; the right clock is more than 400 days past it"
    );

    // Signed 2026-01-01, expired 2026-01-31: a month before the device's clock.
    d.publish(2, day(2026, 1, 1), 30);
    match bundle_error(d.sync().await) {
        BundleError::Expired { expires, now: used } => {
            assert_eq!((expires, used), (day(2026, 1, 31), now))
        }
        other => panic!("{other}"),
    }
    let status = d.store.status();
    assert_eq!(
        status.version,
        Some(1),
        "the expired bundle was not applied"
    );
    assert!(status.last_error.unwrap().contains("expired"));

    // A current bundle is applied and is not stale.
    d.publish(3, day(2026, 2, 20), 30);
    assert_eq!(
        d.sync().await.unwrap().outcome,
        SyncOutcome::Applied {
            from: Some(1),
            to: 3
        }
    );
    let status = d.store.status();
    assert_eq!(
        (status.stale, status.clock),
        (false, ClockVerdict::Plausible)
    );
}

#[tokio::test]
async fn installed_content_past_its_expiry_is_stale_whatever_the_clock_verdict() {
    let d = Device::fresh(day(2026, 3, 1)).await;
    d.publish(2, day(2026, 2, 20), 30); // expires 2026-03-22
    d.sync().await.unwrap();
    let data = d.tmp.path().join("data");
    let outbox = Outbox::open_with_clock(&data, d.store.config(), "k1", d.clock.clone()).unwrap();

    // Plausible clock past the expiry.
    d.clock.set(day(2026, 4, 1));
    let status = d.store.status();
    assert_eq!(
        (status.stale, status.clock),
        (true, ClockVerdict::Plausible)
    );
    // A clock years ahead: before, the floor (2026-02-20) stood in for it and the content looked fresh.
    d.clock.set(day(2100, 1, 1));
    let status = d.store.status();
    assert_eq!((status.stale, status.clock), (true, ClockVerdict::Ahead));
    let heartbeat = d.store.heartbeat(outbox.pending_count().unwrap());
    assert_eq!(
        (
            heartbeat.content_stale,
            heartbeat.clock.as_str(),
            heartbeat.content_version
        ),
        (true, "ahead", Some(2))
    );
    // The heartbeat goes through the outbox as the sync task sends it.
    outbox
        .submit(OutboxPayload::Heartbeat(heartbeat.clone()))
        .unwrap();
    let queued = outbox.undelivered().unwrap();
    assert_eq!(
        queued.last().unwrap().message.payload,
        OutboxPayload::Heartbeat(heartbeat)
    );
    // A clock reset to 1970: the newest signing time stands in; the content is within its validity.
    d.clock.set(day(1970, 1, 1));
    let status = d.store.status();
    assert_eq!((status.stale, status.clock), (false, ClockVerdict::Behind));
}

/// The embedded default is the only content of a fresh device: it is installed even when it has expired,
/// and then it is stale and reported as such. Before, it was refused and the device showed nothing.
#[tokio::test]
async fn an_expired_embedded_default_is_still_shown_but_stale() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_sources(&src, 2, 100, |_| 1);
    // A firmware whose embedded default, signed with the development key, expired on 2025-02-01.
    let pack = build_pack(
        &src,
        &tmp.path().join("embedded"),
        &dev_key(),
        1,
        day(2025, 1, 1),
        31,
    );
    let clock = TestClock::new(day(2026, 3, 1));
    let config = ContentConfig::default();
    let store =
        ContentStore::open_with(&tmp.path().join("data"), &config, clock.clone(), Some(pack))
            .unwrap();
    let content = store.current();
    assert_eq!(content.info.as_ref().map(|i| i.version), Some(1));
    assert_eq!(content.lawyers.len(), 2);
    let status = store.status();
    assert!(status.stale, "{status:?}");
    assert!(store.heartbeat(0).content_stale);
    // Reopened (a reboot): still shown, still stale.
    drop(store);
    let store =
        ContentStore::open_with(&tmp.path().join("data"), &config, clock, Some(pack)).unwrap();
    assert_eq!(store.current().info.as_ref().map(|i| i.version), Some(1));
    assert!(store.status().stale);
}

/// A bundle is refused when expired even with the device clock reset behind the newest signing time seen,
/// which stands in for it.
#[tokio::test]
async fn a_clock_behind_the_floor_does_not_make_an_expired_bundle_fresh() {
    let d = Device::fresh(day(2026, 3, 1)).await;
    d.publish(2, day(2026, 2, 25), 30);
    d.sync().await.unwrap();
    d.clock.set(day(1970, 1, 1));
    // Signed before the floor and expired at 2026-02-24, which the 1970 clock would accept.
    d.publish(3, day(2026, 1, 25), 30);
    match bundle_error(d.sync().await) {
        BundleError::Expired { now, .. } => assert_eq!(now, day(2026, 2, 25)),
        other => panic!("{other}"),
    }
    assert_eq!(d.store.status().version, Some(2));
}
