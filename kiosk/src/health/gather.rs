//! Gathering a [`HealthSnapshot`] from the running kiosk: device slots, content store, outbox, board,
//! watchdog, data directory.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::{
    board::BoardStatus,
    devices::{Devices, IdReaderReport, LedPanelReport, PrinterReport, ScannerReport},
    health::{
        SecurityCounters,
        schedule::{HeartbeatSchedule, MIN_CHANGE_GAP, Signature},
    },
    watchdog::Liveness,
};
use clock::Clocks;
use content::{ClockVerdict, ContentStore, Heartbeat, Outbox};
use health_facts::{
    BoardFacts, ContentFacts, DeviceFacts, HealthSnapshot, IdReaderFacts, LedState, LoopFacts,
    MediaFacts, PrinterFacts, ScannerFacts,
};

/// Whether this device is the queue host, or how the host answers.
#[derive(Debug, Clone)]
pub enum QueueReach {
    /// This device keeps the queue.
    Host,
    /// Another device does; the receiver says whether it answered the last probe (none: not yet).
    Remote(watch::Receiver<Option<bool>>),
}

/// Where a snapshot's facts come from. Clone freely; every part is optional so tests and the
/// hall display can build the part they have.
#[derive(Debug, Clone)]
pub struct HealthSources {
    device: String,
    data_dir: PathBuf,
    clocks: Clocks,
    /// The monotonic time when the sources were made (uptime counts from here).
    started: Duration,
    restarts: u64,
    printer: Option<watch::Receiver<PrinterReport>>,
    id_reader: Option<watch::Receiver<IdReaderReport>>,
    scanner: Option<watch::Receiver<ScannerReport>>,
    led_panel: Option<watch::Receiver<LedPanelReport>>,
    queue: QueueReach,
    content: Option<ContentStore>,
    outbox: Option<Outbox>,
    board: Option<watch::Receiver<BoardStatus>>,
    liveness: Option<Liveness>,
    security: Option<Arc<SecurityCounters>>,
    media: Option<Arc<Mutex<MediaFacts>>>,
}

impl HealthSources {
    /// Sources of device `device` keeping its data in `data_dir`, started now, with nothing attached yet.
    pub fn new(device: &str, data_dir: &Path) -> Self {
        Self {
            device: device.to_owned(),
            data_dir: data_dir.to_owned(),
            clocks: Clocks::system(),
            started: Duration::ZERO,
            restarts: 0,
            printer: None,
            id_reader: None,
            scanner: None,
            led_panel: None,
            queue: QueueReach::Host,
            content: None,
            outbox: None,
            board: None,
            liveness: None,
            security: None,
            media: None,
        }
    }

    /// The publicity videos' figures (the hall display's player).
    pub fn with_media(mut self, media: Arc<Mutex<MediaFacts>>) -> Self {
        self.media = Some(media);
        self
    }

    /// The clocks the facts are read with (the system's by default); uptime counts from now.
    pub fn with_clocks(mut self, clocks: Clocks) -> Self {
        self.started = clocks.mono.now();
        self.clocks = clocks;
        self
    }

    /// The restarts recorded at start-up ([`record_start`]).
    pub fn with_restarts(mut self, restarts: u64) -> Self {
        self.restarts = restarts;
        self
    }

    /// The device slots.
    pub fn with_devices(mut self, devices: &Devices) -> Self {
        self.printer = Some(devices.printer.report());
        self.id_reader = devices.id_reader.report.clone();
        self.scanner = devices.scanner.report.clone();
        self.led_panel = Some(devices.led_panel.report());
        self
    }

    /// How the queue host is reached.
    pub fn with_queue(mut self, queue: QueueReach) -> Self {
        self.queue = queue;
        self
    }

    /// The content store.
    pub fn with_content(mut self, store: ContentStore) -> Self {
        self.content = Some(store);
        self
    }

    /// The outbox.
    pub fn with_outbox(mut self, outbox: Outbox) -> Self {
        self.outbox = Some(outbox);
        self
    }

    /// The board loop's status.
    pub fn with_board(mut self, board: watch::Receiver<BoardStatus>) -> Self {
        self.board = Some(board);
        self
    }

    /// The watchdog's liveness sources.
    pub fn with_liveness(mut self, liveness: Liveness) -> Self {
        self.liveness = Some(liveness);
        self
    }

    /// Adds the LAN service's counters of refused logins and connections to `/metrics`.
    pub fn with_security(mut self, counters: Arc<SecurityCounters>) -> Self {
        self.security = Some(counters);
        self
    }

    /// The LAN service's counters, when attached.
    pub fn security(&self) -> Option<&Arc<SecurityCounters>> {
        self.security.as_ref()
    }

    /// The device's name.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// The peripherals now (reads the disk's free space).
    pub fn device_facts(&self) -> DeviceFacts {
        DeviceFacts {
            printer: self
                .printer
                .as_ref()
                .map(|rx| PrinterFacts::from(&*rx.borrow())),
            id_reader: self
                .id_reader
                .as_ref()
                .map(|rx| {
                    let r = *rx.borrow();
                    IdReaderFacts {
                        configured: true,
                        sam_ok: r.sam_ok,
                        read_since_start: r.cards_read > 0,
                    }
                })
                .unwrap_or_default(),
            scanner: self
                .scanner
                .as_ref()
                .map(|rx| {
                    let r = rx.borrow();
                    ScannerFacts {
                        configured: true,
                        connected: r.connected,
                        scanned_since_start: r.scans > 0,
                        rejected: r.rejected,
                    }
                })
                .unwrap_or_default(),
            media: self.media.as_ref().map(|m| {
                m.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone()
            }),
            led_panel: self
                .led_panel
                .as_ref()
                .map_or(LedState::None, |rx| match &*rx.borrow() {
                    LedPanelReport::None => LedState::None,
                    LedPanelReport::Unknown => LedState::Unknown,
                    LedPanelReport::Ok => LedState::Ok,
                    LedPanelReport::Fault(_) => LedState::Fault,
                }),
            queue_host: matches!(self.queue, QueueReach::Host),
            queue_host_reachable: match &self.queue {
                QueueReach::Host => Some(true),
                QueueReach::Remote(rx) => *rx.borrow(),
            },
            board: self.board.as_ref().map(|rx| {
                let b = *rx.borrow();
                BoardFacts {
                    presence: b.presence,
                    help_requested: b.help_requested,
                    backlight_percent: b.backlight_percent,
                    lamp_on: b.lamp_on,
                    fault: b.fault,
                }
            }),
            disk_free_bytes: free_bytes(&self.data_dir),
            uptime_secs: self
                .clocks
                .mono
                .now()
                .saturating_sub(self.started)
                .as_secs(),
            restarts: self.restarts,
        }
    }

    /// Everything, at `now`. Blocking (outbox database, file system): call it off the async threads.
    pub fn snapshot_at(&self, now: DateTime<Utc>) -> HealthSnapshot {
        let content = self.content.as_ref().map(|store| {
            let status = store.status();
            let created = store.current().info.as_ref().map(|i| i.created);
            ContentFacts {
                version: status.version,
                age_secs: created.map(|c| (now - c).num_seconds().max(0).unsigned_abs()),
                stale: status.stale,
                last_sync_error: status.last_error,
            }
        });
        let loops = self.liveness.as_ref().map_or_else(Vec::new, |l| {
            let stale = l.stale();
            l.names()
                .into_iter()
                .map(|name| LoopFacts {
                    stalled: stale.iter().any(|s| s.name == name),
                    name,
                })
                .collect()
        });
        HealthSnapshot {
            device: self.device.clone(),
            software_version: env!("CARGO_PKG_VERSION").to_owned(),
            at: now,
            devices: self.device_facts(),
            content,
            outbox_pending: self.outbox.as_ref().and_then(|o| o.pending_count().ok()),
            loops,
        }
    }

    /// Everything, now.
    pub fn snapshot(&self) -> HealthSnapshot {
        self.snapshot_at(self.clocks.wall.now())
    }

    /// A heartbeat for the outbox: the content's state and every device fact.
    pub fn heartbeat(&self) -> Heartbeat {
        let snapshot = self.snapshot();
        let problems = snapshot.problems();
        let status = self.content.as_ref().map(ContentStore::status);
        let content = snapshot.content.clone().unwrap_or_default();
        Heartbeat {
            content_version: content.version,
            content_stale: content.stale,
            clock: match status.as_ref().map(|s| s.clock) {
                Some(ClockVerdict::Behind) => "behind",
                Some(ClockVerdict::Ahead) => "ahead",
                _ => "plausible",
            }
            .to_owned(),
            last_sync_error: content.last_sync_error,
            outbox_pending: snapshot.outbox_pending.unwrap_or(0),
            content_age_secs: content.age_secs,
            devices: Some(snapshot.devices),
            problems,
            software_version: Some(snapshot.software_version),
        }
    }
}

/// Free bytes for an unprivileged writer on the file system holding `path`.
pub fn free_bytes(path: &Path) -> Option<u64> {
    let st = rustix::fs::statvfs(path).ok()?;
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

/// The file in the data directory counting the kiosk's starts.
pub const STARTS_FILE: &str = "starts";

/// Counts this start in `DATA_DIR/starts` and returns the restarts so far (starts after the first).
pub fn record_start(data_dir: &Path) -> std::io::Result<u64> {
    let path = data_dir.join(STARTS_FILE);
    let before: u64 = match std::fs::read_to_string(&path) {
        Ok(text) => text.trim().parse().unwrap_or(0),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => 0,
        Err(err) => return Err(err),
    };
    let starts = before.saturating_add(1);
    let tmp = data_dir.join(format!("{STARTS_FILE}.tmp"));
    std::fs::write(&tmp, format!("{starts}\n"))?;
    std::fs::rename(&tmp, &path)?;
    Ok(starts - 1)
}

/// Probes the queue host's `/healthz` every `every` (any HTTP answer counts as reachable).
pub fn spawn_queue_probe(
    runtime: &tokio::runtime::Handle,
    host_url: &str,
    every: Duration,
) -> watch::Receiver<Option<bool>> {
    let (tx, rx) = watch::channel(None);
    let url = format!("{}/healthz", host_url.trim_end_matches('/'));
    runtime.spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
        {
            Ok(c) => c,
            Err(err) => {
                tracing::error!("queue host probe: {err}");
                return;
            }
        };
        loop {
            let reachable = client.get(&url).send().await.is_ok();
            let before = tx.send_replace(Some(reachable));
            if before != Some(reachable) {
                tracing::info!(
                    "queue host {}",
                    if reachable {
                        "reachable"
                    } else {
                        "unreachable"
                    }
                );
            }
            tokio::time::sleep(every).await;
        }
    });
    rx
}

/// The heartbeat task. Dropping it does not stop it.
#[derive(Debug)]
pub struct HeartbeatTask {
    /// The task.
    pub handle: tokio::task::JoinHandle<()>,
    /// Heartbeats queued so far.
    pub queued: watch::Receiver<u64>,
}

/// Puts a heartbeat with every device fact into the outbox every `every`, the first at once, and
/// sooner when something the centre alerts on changes (see [`super::schedule`]): a printer running out
/// of paper reaches the centre within a minute.
pub fn spawn_heartbeats(
    runtime: &tokio::runtime::Handle,
    sources: HealthSources,
    outbox: Outbox,
    every: Duration,
) -> HeartbeatTask {
    spawn_heartbeats_with(
        runtime,
        sources,
        outbox,
        HeartbeatSchedule::new(every, MIN_CHANGE_GAP),
    )
}

/// Like [`spawn_heartbeats`] with its own schedule (tests shorten the gap between heartbeats sent on a
/// change).
pub fn spawn_heartbeats_with(
    runtime: &tokio::runtime::Handle,
    sources: HealthSources,
    outbox: Outbox,
    mut schedule: HeartbeatSchedule,
) -> HeartbeatTask {
    let (count, queued) = watch::channel(0u64);
    let handle = runtime.spawn(async move {
        let mut tick = tokio::time::interval(schedule.check_every());
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let s = sources.clone();
            let Ok(beat) = tokio::task::spawn_blocking(move || s.heartbeat()).await else {
                tracing::error!("heartbeat task: gathering the facts failed");
                continue;
            };
            let signature = Signature::of(&beat);
            let now = Instant::now();
            if !schedule.due(now, &signature) {
                continue;
            }
            let o = outbox.clone();
            let queued = tokio::task::spawn_blocking(move || {
                o.submit(content::OutboxPayload::Heartbeat(beat))
            })
            .await;
            match queued {
                Ok(Ok(_)) => {
                    schedule.sent(now, signature);
                    count.send_modify(|n| *n += 1);
                }
                Ok(Err(err)) => tracing::error!("heartbeat not queued: {err}"),
                Err(err) => tracing::error!("heartbeat task: {err}"),
            }
        }
    });
    HeartbeatTask { handle, queued }
}
