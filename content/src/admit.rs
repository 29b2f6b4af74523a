//! Whether a verified bundle from a sync source may replace the installed content: epoch, version and time
//! (see "Trust and recovery" and "Clock policy" in `content/README.md`).
//!
//! * **Versions are bounded by their signing time**: a version is at most `created` in seconds since 1970,
//!   and `created` is at most `max_signed_ahead_days` past the device time. One bad (but validly signed)
//!   bundle can therefore push the highest version seen no further than that; a version of 2^64−1 is
//!   refused outright.
//! * **Epochs reset**: a bundle of a higher epoch than the device's (by at most [`MAX_EPOCH_STEP`]) is
//!   accepted whatever its version, and resets the highest version seen and the time floor to its own.
//!   Its times are judged by the device clock alone, since the floor may be what it repairs. A lower epoch
//!   is refused.
//! * Otherwise the version must be above the highest seen, and the bundle must not have expired.

use chrono::{DateTime, Utc};

use super::{
    clock::{signing_horizon, trusted_now},
    error::BundleError,
    manifest::{Manifest, check_version_ceiling},
};

/// The largest rise of the epoch accepted at once, so that a bad bundle cannot use the epochs up.
pub const MAX_EPOCH_STEP: u64 = 100;

/// What the device remembers of the bundles it applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    /// The highest version applied in the current epoch.
    pub(crate) highest_version: u64,
    /// The current epoch.
    pub(crate) epoch: u64,
    /// The newest signing time applied.
    pub(crate) time_floor: Option<DateTime<Utc>>,
}

/// How a bundle is admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// The next bundle of the current epoch: the highest version and the floor only rise.
    Next,
    /// A bundle of a higher epoch: the highest version and the floor are set to the bundle's.
    Reset,
}

/// The clock settings the decision uses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeRules {
    pub(crate) device_now: DateTime<Utc>,
    pub(crate) max_clock_ahead_days: u32,
    pub(crate) max_signed_ahead_days: u32,
}

/// Decides whether `manifest` may be applied on a device that has seen `seen`.
pub(crate) fn admit(
    manifest: &Manifest,
    seen: &Seen,
    rules: &TimeRules,
) -> Result<Admission, BundleError> {
    check_version_ceiling(manifest)?;
    let admission = if manifest.epoch < seen.epoch {
        return Err(BundleError::EpochRollback {
            installed: seen.epoch,
            offered: manifest.epoch,
        });
    } else if manifest.epoch > seen.epoch {
        if manifest.epoch - seen.epoch > MAX_EPOCH_STEP {
            return Err(BundleError::EpochJump {
                installed: seen.epoch,
                offered: manifest.epoch,
                max_step: MAX_EPOCH_STEP,
            });
        }
        Admission::Reset
    } else {
        if manifest.version <= seen.highest_version {
            return Err(BundleError::Rollback {
                installed: seen.highest_version,
                offered: manifest.version,
            });
        }
        Admission::Next
    };
    let now = match admission {
        Admission::Next => {
            let (now, verdict) = trusted_now(
                rules.device_now,
                seen.time_floor,
                rules.max_clock_ahead_days,
            );
            if verdict != super::ClockVerdict::Plausible {
                tracing::warn!(
                    "device clock judged {}: the device time is {now}",
                    verdict.as_str()
                );
            }
            now
        }
        Admission::Reset => rules.device_now,
    };
    if manifest.expires <= now {
        return Err(BundleError::Expired {
            expires: manifest.expires,
            now,
        });
    }
    let horizon = signing_horizon(now, rules.max_signed_ahead_days);
    if manifest.created > horizon {
        return Err(BundleError::SignedTooFarAhead {
            created: manifest.created,
            horizon,
        });
    }
    Ok(admission)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone as _};

    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
    }

    fn manifest(epoch: u64, version: u64, created: DateTime<Utc>) -> Manifest {
        Manifest {
            format: 1,
            version,
            epoch,
            created,
            expires: created + Duration::days(45),
            title: "t".into(),
            collections: Default::default(),
            files: Default::default(),
        }
    }

    fn rules(now: DateTime<Utc>) -> TimeRules {
        TimeRules {
            device_now: now,
            max_clock_ahead_days: 400,
            max_signed_ahead_days: 400,
        }
    }

    fn seen(epoch: u64, highest_version: u64) -> Seen {
        Seen {
            highest_version,
            epoch,
            time_floor: Some(t0()),
        }
    }

    #[test]
    fn a_version_above_its_signing_time_is_refused() {
        let m = manifest(0, u64::MAX, t0());
        assert!(matches!(
            admit(&m, &seen(0, 1), &rules(t0())),
            Err(BundleError::VersionAboveSigningTime {
                version: u64::MAX,
                ..
            })
        ));
        let ts = t0().timestamp() as u64;
        assert_eq!(
            admit(&manifest(0, ts, t0()), &seen(0, 1), &rules(t0())),
            Ok(Admission::Next)
        );
    }

    #[test]
    fn a_signing_time_past_the_horizon_is_refused() {
        let created = t0() + Duration::days(401);
        let m = manifest(0, created.timestamp() as u64, created);
        assert!(matches!(
            admit(&m, &seen(0, 1), &rules(t0())),
            Err(BundleError::SignedTooFarAhead { .. })
        ));
    }

    #[test]
    fn epochs_reset_and_never_go_back() {
        let m = manifest(1, 5, t0());
        assert_eq!(
            admit(&m, &seen(0, u64::MAX), &rules(t0())),
            Ok(Admission::Reset)
        );
        assert!(matches!(
            admit(&manifest(0, 10, t0()), &seen(1, 5), &rules(t0())),
            Err(BundleError::EpochRollback {
                installed: 1,
                offered: 0
            })
        ));
        assert!(matches!(
            admit(&manifest(102, 10, t0()), &seen(1, 5), &rules(t0())),
            Err(BundleError::EpochJump { .. })
        ));
    }

    #[test]
    fn a_reset_ignores_a_poisoned_floor_but_not_the_clock() {
        // A bad bundle signed 399 days ahead left its version and signing time behind.
        let ahead = t0() + Duration::days(399);
        let poisoned = Seen {
            highest_version: ahead.timestamp() as u64,
            epoch: 0,
            time_floor: Some(ahead),
        };
        // In the same epoch the centre's current bundle is a rollback.
        assert!(matches!(
            admit(&manifest(0, 2, t0()), &poisoned, &rules(t0())),
            Err(BundleError::Rollback { .. })
        ));
        // In the next epoch it resets, judged by the device clock, not by the poisoned floor (by which
        // it would have expired).
        assert_eq!(
            admit(&manifest(1, 2, t0()), &poisoned, &rules(t0())),
            Ok(Admission::Reset)
        );
        // But a reset bundle that has expired by the device clock is refused all the same.
        assert!(matches!(
            admit(
                &manifest(1, 2, t0()),
                &poisoned,
                &rules(t0() + Duration::days(60))
            ),
            Err(BundleError::Expired { .. })
        ));
    }
}
