//! When a call drops to audio only: a pure rule over the call's statistics, sampled every few
//! seconds. A weak link (the other side reports losing a large share of our packets, or the round
//! trip is long) for two samples in a row stops the own picture for the rest of the call, and the
//! screen says so. It does not switch back: a picture that comes and goes is worse than a steady voice.

/// The thresholds of a weak link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeakLink {
    /// A sample with the other side reporting more than this fraction of our packets lost is weak.
    pub max_fraction_lost: f64,
    /// A sample with a longer round trip (seconds) is weak.
    pub max_round_trip_secs: f64,
    /// Weak samples in a row before the picture stops.
    pub samples: u32,
}

impl Default for WeakLink {
    fn default() -> Self {
        Self {
            max_fraction_lost: 0.15,
            max_round_trip_secs: 1.0,
            samples: 2,
        }
    }
}

/// One sample of the link.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LinkSample {
    /// The fraction of our packets the other side reports lost (0.0–1.0), when it reported one.
    pub fraction_lost: Option<f64>,
    /// The round trip in seconds, when known.
    pub round_trip_secs: Option<f64>,
}

/// The judge of one call's link.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkJudge {
    rule: WeakLink,
    weak_in_a_row: u32,
    audio_only: bool,
}

impl LinkJudge {
    /// A judge with `rule`, picture on.
    pub fn new(rule: WeakLink) -> Self {
        Self {
            rule,
            weak_in_a_row: 0,
            audio_only: false,
        }
    }

    /// Takes a sample; true exactly once: when the call must drop to audio only now.
    pub fn sample(&mut self, sample: LinkSample) -> bool {
        if self.audio_only {
            return false;
        }
        let weak = sample
            .fraction_lost
            .is_some_and(|f| f > self.rule.max_fraction_lost)
            || sample
                .round_trip_secs
                .is_some_and(|r| r > self.rule.max_round_trip_secs);
        self.weak_in_a_row = if weak { self.weak_in_a_row + 1 } else { 0 };
        if self.weak_in_a_row >= self.rule.samples.max(1) {
            self.audio_only = true;
            return true;
        }
        false
    }

    /// Whether the call is audio only.
    pub fn audio_only(&self) -> bool {
        self.audio_only
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost(f: f64) -> LinkSample {
        LinkSample {
            fraction_lost: Some(f),
            round_trip_secs: Some(0.05),
        }
    }

    #[test]
    fn two_weak_samples_in_a_row_drop_the_picture_once_and_for_good() {
        let mut judge = LinkJudge::new(WeakLink::default());
        assert!(!judge.sample(lost(0.3)), "one bad sample is a blip");
        assert!(!judge.sample(lost(0.0)), "a good one resets the count");
        assert!(!judge.sample(lost(0.3)));
        assert!(judge.sample(lost(0.3)), "the second in a row drops it");
        assert!(judge.audio_only());
        assert!(!judge.sample(lost(0.3)), "reported once");
        assert!(!judge.sample(lost(0.0)));
        assert!(judge.audio_only(), "no switching back");
    }

    #[test]
    fn a_long_round_trip_is_weak_and_unknown_figures_are_not() {
        let mut judge = LinkJudge::new(WeakLink::default());
        let slow = LinkSample {
            fraction_lost: None,
            round_trip_secs: Some(1.5),
        };
        assert!(!judge.sample(LinkSample::default()));
        assert!(!judge.sample(LinkSample::default()));
        assert!(!judge.sample(slow));
        assert!(judge.sample(slow));
    }
}
