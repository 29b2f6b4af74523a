//! Health of the device: a [`HealthSnapshot`] of every peripheral and of the process, served as
//! `GET /healthz` (JSON; 200 when healthy, 503 with the reasons when not) and `GET /metrics`
//! (Prometheus text), and sent to the centre in heartbeats through the outbox.
//!
//! - the facts (plain data) and the rules of what is a problem come from the `health-facts` crate, re-exported
//!   here;
//! - [`metrics`]: the Prometheus rendering, a pure function;
//! - [`gather`]: collecting the facts from the device slots, content store, outbox, board and watchdog,
//!   the restart counter, the queue host probe and the heartbeat task;
//! - [`schedule`]: when a heartbeat is due (the interval, or sooner when an alerting fact changed);
//! - [`security`]: counters of refused logins and connections, shown in `/metrics`;
//! - [`routes`]: the HTTP routes. Every device serves them on `[lan] listen` (see `kiosk/BOARD.md`).

pub mod gather;
pub mod metrics;
pub mod routes;
pub mod schedule;
pub mod security;

pub use gather::{
    HealthSources, HeartbeatTask, QueueReach, free_bytes, record_start, spawn_heartbeats,
    spawn_heartbeats_with, spawn_queue_probe,
};
pub use health_facts::{
    BoardFacts, ContentFacts, DeviceFacts, HealthSnapshot, IdReaderFacts, LedState, LoopFacts,
    MIN_FREE_BYTES, MediaFacts, PaperState, PrinterFacts,
};
pub use routes::{HealthzBody, routes};
pub use security::{LockScope, SecurityCounters};
