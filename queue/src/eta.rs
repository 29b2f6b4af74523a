//! Honest wait estimates: a P50–P90 range from today's observed service times.
//!
//! A service time is the time a window spends on a ticket, from the call to the end (done,
//! no-show or transfer), clamped to 0.5–240 minutes. While fewer than `eta_min_samples` times
//! are observed today, the configured `default_service_minutes` fills the missing samples, so
//! the first tickets of the day get a plausible range and real data takes over as it comes.
//!
//! For a ticket with `ahead` tickets before it and `w` open windows (at least one):
//! `lo = ⌊ahead / w × P50⌋`, `hi = ⌈(ahead + 1) / w × P90⌉`.

use super::model::EtaRange;

/// Service-time percentiles in minutes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceTimes {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// Shortest and longest service time counted, in minutes.
const CLAMP: (f64, f64) = (0.5, 240.0);

impl ServiceTimes {
    /// Percentiles of `observed` (minutes), padded with `default_minutes` up to `min_samples`.
    pub fn from_samples(observed: &[f64], default_minutes: f64, min_samples: usize) -> Self {
        let mut all: Vec<f64> = observed
            .iter()
            .filter(|m| m.is_finite())
            .map(|m| m.clamp(CLAMP.0, CLAMP.1))
            .collect();
        while all.len() < min_samples.max(1) {
            all.push(default_minutes.clamp(CLAMP.0, CLAMP.1));
        }
        all.sort_by(f64::total_cmp);
        Self {
            p50: nearest_rank(&all, 0.5),
            p90: nearest_rank(&all, 0.9),
        }
    }

    /// The wait range for a ticket with `ahead` tickets before it and `open_windows` windows.
    pub fn wait(&self, ahead: u32, open_windows: u32) -> EtaRange {
        let w = f64::from(open_windows.max(1));
        let a = f64::from(ahead);
        let lo = (a / w * self.p50).floor();
        let hi = ((a + 1.0) / w * self.p90).ceil();
        EtaRange::from([to_minutes(lo), to_minutes(hi)])
    }
}

fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let rank = (q * n as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, n.max(1)) - 1)
        .copied()
        .unwrap_or(0.0)
}

fn to_minutes(x: f64) -> u32 {
    if x.is_finite() && x > 0.0 {
        x.min(f64::from(u32::MAX / 2)) as u32
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prior_fills_missing_samples() {
        let t = ServiceTimes::from_samples(&[], 15.0, 5);
        assert_eq!((t.p50, t.p90), (15.0, 15.0));
        assert_eq!(t.wait(0, 1), EtaRange { lo: 0, hi: 15 });
        assert_eq!(t.wait(4, 2), EtaRange { lo: 30, hi: 38 });
    }

    #[test]
    fn observed_times_take_over() {
        let obs = [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 30.0];
        let t = ServiceTimes::from_samples(&obs, 60.0, 5);
        assert_eq!((t.p50, t.p90), (6.0, 10.0));
        let r = t.wait(3, 1);
        assert_eq!(r, EtaRange { lo: 18, hi: 40 });
        assert!(r.lo <= r.hi);
    }

    #[test]
    fn no_open_window_counts_as_one_and_nonsense_is_clamped() {
        let t = ServiceTimes::from_samples(&[f64::NAN, -3.0, 1e9], 10.0, 3);
        assert_eq!((t.p50, t.p90), (10.0, 240.0));
        assert_eq!(t.wait(1, 0), t.wait(1, 1));
    }
}
