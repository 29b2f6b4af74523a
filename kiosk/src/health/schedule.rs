//! When a heartbeat is due: every `every` (the `[content] heartbeat_secs` interval), and also as soon as
//! what the centre should know has changed (a problem appeared or cleared, the paper roll ran low), so
//! the centre's fleet page shows a printer out of paper within a minute, not at the next interval.
//!
//! Pure: the caller passes the time and the heartbeat's facts in. A fact that flaps (paper sensor
//! bouncing) sends at most one heartbeat per `min_gap`.

use std::time::{Duration, Instant};

use content::Heartbeat;
use health_facts::PaperState;

/// How often the heartbeat task looks for a change between two regular heartbeats.
pub const CHANGE_CHECK: Duration = Duration::from_secs(10);
/// The least time between two heartbeats sent because something changed.
pub const MIN_CHANGE_GAP: Duration = Duration::from_secs(30);

/// What of a heartbeat is news for the centre when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    problems: Vec<String>,
    paper: Option<PaperState>,
    /// Clips skipped as unplayable: a new one is news (a broken file in the bundle).
    videos_failed: Option<u64>,
}

impl Signature {
    /// The facts of `heartbeat` that matter to the centre's alerts.
    pub fn of(heartbeat: &Heartbeat) -> Self {
        let mut problems = heartbeat.problems.clone();
        problems.sort();
        Self {
            problems,
            paper: heartbeat
                .devices
                .as_ref()
                .and_then(|d| d.printer.as_ref())
                .map(|p| p.paper),
            videos_failed: heartbeat
                .devices
                .as_ref()
                .and_then(|d| d.media.as_ref())
                .map(|m| m.failed),
        }
    }
}

/// Decides when the next heartbeat is sent.
#[derive(Debug, Clone)]
pub struct HeartbeatSchedule {
    every: Duration,
    min_gap: Duration,
    check: Duration,
    last: Option<(Instant, Signature)>,
}

impl HeartbeatSchedule {
    /// A heartbeat every `every`, and one on a change at most every `min_gap`.
    pub fn new(every: Duration, min_gap: Duration) -> Self {
        Self {
            every,
            min_gap,
            check: every.min(CHANGE_CHECK),
            last: None,
        }
    }

    /// Looks for a change every `check` instead (tests; at least a millisecond).
    #[must_use]
    pub fn checking_every(mut self, check: Duration) -> Self {
        self.check = check.max(Duration::from_millis(1));
        self
    }

    /// How often to look: the interval, or [`CHANGE_CHECK`] when that is shorter.
    pub fn check_every(&self) -> Duration {
        self.check
    }

    /// Whether a heartbeat with `signature` should be sent at `now`: the first always, then when the
    /// interval has passed, or when the signature changed and `min_gap` has passed.
    pub fn due(&self, now: Instant, signature: &Signature) -> bool {
        match &self.last {
            None => true,
            Some((at, last)) => {
                let since = now.saturating_duration_since(*at);
                since >= self.every || (last != signature && since >= self.min_gap)
            }
        }
    }

    /// Records that a heartbeat with `signature` was queued at `now`.
    pub fn sent(&mut self, now: Instant, signature: Signature) {
        self.last = Some((now, signature));
    }
}

#[cfg(test)]
mod tests {
    use health_facts::{DeviceFacts, PrinterFacts};

    use super::*;

    fn heartbeat(paper: PaperState, problems: &[&str]) -> Heartbeat {
        Heartbeat {
            content_version: Some(1),
            content_stale: false,
            clock: "plausible".into(),
            last_sync_error: None,
            outbox_pending: 3,
            content_age_secs: None,
            devices: Some(DeviceFacts {
                printer: Some(PrinterFacts {
                    paper,
                    ..PrinterFacts::default()
                }),
                ..DeviceFacts::default()
            }),
            problems: problems.iter().map(|p| (*p).to_owned()).collect(),
            software_version: Some("0.1.0".into()),
        }
    }

    #[test]
    fn regular_heartbeats_follow_the_interval() {
        let start = Instant::now();
        let mut schedule = HeartbeatSchedule::new(Duration::from_secs(600), MIN_CHANGE_GAP);
        let same = Signature::of(&heartbeat(PaperState::Ok, &[]));
        assert!(schedule.due(start, &same), "the first is sent at once");
        schedule.sent(start, same.clone());
        assert!(!schedule.due(start + Duration::from_secs(599), &same));
        assert!(schedule.due(start + Duration::from_secs(600), &same));
        assert_eq!(schedule.check_every(), CHANGE_CHECK);
        assert_eq!(
            HeartbeatSchedule::new(Duration::from_secs(5), MIN_CHANGE_GAP).check_every(),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn a_change_is_sent_within_the_gap_not_at_the_next_interval() {
        let start = Instant::now();
        let mut schedule = HeartbeatSchedule::new(Duration::from_secs(600), MIN_CHANGE_GAP);
        schedule.sent(start, Signature::of(&heartbeat(PaperState::Ok, &[])));
        let out = Signature::of(&heartbeat(PaperState::Out, &["printer: out of paper"]));
        assert!(
            !schedule.due(start + Duration::from_secs(10), &out),
            "too soon after the last"
        );
        assert!(schedule.due(start + MIN_CHANGE_GAP, &out));
        schedule.sent(start + MIN_CHANGE_GAP, out.clone());
        assert!(
            !schedule.due(start + MIN_CHANGE_GAP * 2, &out),
            "no change, no heartbeat"
        );
        // A roll running low is a warning, not a problem, and still news.
        let low = Signature::of(&heartbeat(PaperState::NearEnd, &[]));
        assert!(schedule.due(start + MIN_CHANGE_GAP * 2, &low));
    }

    #[test]
    fn a_printer_running_out_reaches_the_outbox_within_a_minute() {
        // The printer's idle status read, then the next look for a change, then at worst the gap
        // since a heartbeat that had just gone out: the fleet's promise of "within a minute", less
        // the outbox's delivery (immediate when the centre answers).
        let worst = crate::devices::STATUS_POLL + CHANGE_CHECK + MIN_CHANGE_GAP;
        assert!(worst <= Duration::from_secs(55), "{worst:?}");
    }

    #[test]
    fn a_newly_skipped_video_is_news_but_frames_shown_are_not() {
        let with = |failed: u64, frames: u64| {
            let mut h = heartbeat(PaperState::Ok, &[]);
            if let Some(d) = h.devices.as_mut() {
                d.media = Some(health_facts::MediaFacts {
                    failed,
                    frames_shown: frames,
                    ..health_facts::MediaFacts::default()
                });
            }
            Signature::of(&h)
        };
        assert_eq!(with(0, 10), with(0, 5000));
        assert_ne!(with(0, 10), with(1, 10));
    }

    #[test]
    fn the_order_of_problems_and_other_facts_do_not_count_as_a_change() {
        let a = heartbeat(PaperState::Ok, &["disk: low", "printer: cover open"]);
        let mut b = heartbeat(PaperState::Ok, &["printer: cover open", "disk: low"]);
        b.outbox_pending = 40;
        assert_eq!(Signature::of(&a), Signature::of(&b));
    }
}
