//! Liveness sources: each loop that must keep running registers a [`Heart`] with a deadline and
//! beats it every turn; [`Liveness::stale`] names the sources that have not beaten in time.

use std::{
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

pub use clock::{ManualMonotonic as ManualClock, MonotonicClock, SystemMonotonic};

#[derive(Debug)]
struct Source {
    name: String,
    deadline: Duration,
    last_beat_ms: Arc<AtomicU64>,
}

/// A source that has not beaten within its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleSource {
    /// The source's name (`ui`, `printer`, …).
    pub name: String,
    /// Time since its last beat.
    pub silent_for: Duration,
    /// Its deadline.
    pub deadline: Duration,
}

impl std::fmt::Display for StaleSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} silent for {} s (deadline {} s)",
            self.name,
            self.silent_for.as_secs(),
            self.deadline.as_secs()
        )
    }
}

/// The registry of liveness sources. Clone freely; every clone sees the same sources.
#[derive(Clone)]
pub struct Liveness {
    clock: Arc<dyn MonotonicClock>,
    sources: Arc<Mutex<Vec<Source>>>,
}

impl std::fmt::Debug for Liveness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Liveness")
            .field("sources", &self.names())
            .finish_non_exhaustive()
    }
}

/// The beating end of one liveness source. Clone it into the loop it watches.
#[derive(Clone)]
pub struct Heart {
    clock: Arc<dyn MonotonicClock>,
    last_beat_ms: Arc<AtomicU64>,
}

impl std::fmt::Debug for Heart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Heart")
            .field("last_beat_ms", &self.last_beat_ms.load(Ordering::Relaxed))
            .finish()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Heart {
    /// Records that the loop is alive now.
    pub fn beat(&self) {
        self.last_beat_ms
            .store(millis(self.clock.now()), Ordering::SeqCst);
    }
}

impl Liveness {
    /// An empty registry on `clock`.
    pub fn new(clock: Arc<dyn MonotonicClock>) -> Self {
        Self {
            clock,
            sources: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// The registry's clock.
    pub fn clock(&self) -> &Arc<dyn MonotonicClock> {
        &self.clock
    }

    /// Registers a source that must beat at least every `deadline`; it counts as fresh from now.
    pub fn register(&self, name: &str, deadline: Duration) -> Heart {
        let last_beat_ms = Arc::new(AtomicU64::new(millis(self.clock.now())));
        self.sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Source {
                name: name.to_owned(),
                deadline,
                last_beat_ms: Arc::clone(&last_beat_ms),
            });
        Heart {
            clock: Arc::clone(&self.clock),
            last_beat_ms,
        }
    }

    /// The names of the registered sources, in registration order.
    pub fn names(&self) -> Vec<String> {
        self.sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|s| s.name.clone())
            .collect()
    }

    /// The sources silent for longer than their deadline now (empty: all alive).
    pub fn stale(&self) -> Vec<StaleSource> {
        let now = millis(self.clock.now());
        self.sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter_map(|s| {
                let silent = Duration::from_millis(
                    now.saturating_sub(s.last_beat_ms.load(Ordering::SeqCst)),
                );
                (silent > s.deadline).then(|| StaleSource {
                    name: s.name.clone(),
                    silent_for: silent,
                    deadline: s.deadline,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_goes_stale_after_its_deadline_and_fresh_again_on_a_beat() {
        let clock = Arc::new(ManualClock::new());
        let live = Liveness::new(clock.clone());
        let ui = live.register("ui", Duration::from_secs(5));
        let printer = live.register("printer", Duration::from_secs(30));
        assert!(live.stale().is_empty());
        clock.advance(Duration::from_secs(6));
        printer.beat();
        let stale = live.stale();
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].name, "ui");
        assert!(stale[0].to_string().contains("ui silent for 6 s"));
        ui.beat();
        assert!(live.stale().is_empty());
        assert_eq!(live.names(), ["ui", "printer"]);
    }
}
