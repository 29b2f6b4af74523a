//! The last log lines in memory, for the technician page: a bounded ring fed by a `tracing` layer.
//!
//! It holds what the log already holds (the code base never logs raw ID card data); nothing is written
//! anywhere, and the oldest line goes when the ring is full.

use std::{
    collections::VecDeque,
    fmt::Write as _,
    sync::{Arc, Mutex, OnceLock},
};

use tracing::{
    Event, Level, Subscriber,
    field::{Field, Visit},
};
use tracing_subscriber::{Layer, layer::Context};

/// How many lines the process-wide ring keeps.
pub const LOG_RING_LINES: usize = 200;

/// A bounded ring of formatted log lines. Cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct LogRing {
    inner: Arc<Mutex<Ring>>,
}

#[derive(Debug)]
struct Ring {
    capacity: usize,
    lines: VecDeque<String>,
}

impl LogRing {
    /// An empty ring keeping the last `capacity` lines (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            inner: Arc::new(Mutex::new(Ring {
                capacity,
                lines: VecDeque::with_capacity(capacity),
            })),
        }
    }

    /// The process-wide ring that `kiosk`'s logging feeds ([`LogRing::layer`] in `main`).
    pub fn global() -> &'static Self {
        static GLOBAL: OnceLock<LogRing> = OnceLock::new();
        GLOBAL.get_or_init(|| Self::new(LOG_RING_LINES))
    }

    /// Adds a line, dropping the oldest when full.
    pub fn push(&self, line: String) {
        let mut ring = self.lock();
        if ring.lines.len() == ring.capacity {
            ring.lines.pop_front();
        }
        ring.lines.push_back(line);
    }

    /// The lines, newest first.
    pub fn newest_first(&self) -> Vec<String> {
        self.lock().lines.iter().rev().cloned().collect()
    }

    /// How many lines are held.
    pub fn len(&self) -> usize {
        self.lock().lines.len()
    }

    /// Whether no line is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A `tracing_subscriber` layer that formats each event into this ring.
    pub fn layer(&self) -> LogRingLayer {
        LogRingLayer { ring: self.clone() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ring> {
        // A panic while holding the lock leaves plain lines behind: still usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Feeds a [`LogRing`] from `tracing` events: `HH:MM:SS LEVEL target: message key=value…`.
#[derive(Debug, Clone)]
pub struct LogRingLayer {
    ring: LogRing,
}

impl<S: Subscriber> Layer<S> for LogRingLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut fields = Fields::default();
        event.record(&mut fields);
        let level = match *meta.level() {
            Level::ERROR => "ERROR",
            Level::WARN => "WARN",
            Level::INFO => "INFO",
            Level::DEBUG => "DEBUG",
            Level::TRACE => "TRACE",
        };
        let time = chrono::Local::now().format("%H:%M:%S");
        let mut line = format!("{time} {level} {}: {}", meta.target(), fields.message);
        line.push_str(&fields.rest);
        self.ring.push(line);
    }
}

#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.rest, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.rest, " {}={value}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    #[test]
    fn the_ring_keeps_the_newest_lines_in_order() {
        let ring = LogRing::new(3);
        assert!(ring.is_empty());
        for i in 1..=5 {
            ring.push(format!("line {i}"));
        }
        assert_eq!(ring.len(), 3);
        assert_eq!(ring.newest_first(), ["line 5", "line 4", "line 3"]);
    }

    #[test]
    fn the_layer_formats_events_with_level_target_message_and_fields() {
        let ring = LogRing::new(10);
        let subscriber = tracing_subscriber::registry().with(ring.layer());
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(window = 3, "printer {} not ready", "P1");
            tracing::info!("second");
        });
        let lines = ring.newest_first();
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].ends_with("INFO kiosk::ui::technician::log_ring::tests: second"),
            "{}",
            lines[0]
        );
        assert!(lines[1].contains(" WARN "), "{}", lines[1]);
        assert!(
            lines[1].contains("printer P1 not ready window=3"),
            "{}",
            lines[1]
        );
    }
}
