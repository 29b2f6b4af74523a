//! The facts a device reports about itself: plain data, serialisable, gathered by the kiosk's `health`
//! module, served as `/healthz` and `/metrics`, and sent to the centre in heartbeats through the outbox.
//! No I/O here: the same types and rules serve the devices and the centre.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Paper as the printer reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperState {
    /// Not known (no status read yet, or the printer cannot report).
    #[default]
    Unknown,
    /// Enough paper.
    Ok,
    /// The roll is near its end.
    NearEnd,
    /// Out of paper.
    Out,
}

impl PaperState {
    /// Every state, in metric order.
    pub const ALL: [Self; 4] = [Self::Ok, Self::NearEnd, Self::Out, Self::Unknown];

    /// The label value in metrics.
    pub fn label(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Ok => "ok",
            Self::NearEnd => "near_end",
            Self::Out => "out",
        }
    }
}

/// The ticket printer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrinterFacts {
    /// When it was last seen.
    pub checked_at: Option<DateTime<Utc>>,
    /// It answered its last status read or print.
    pub online: bool,
    /// Paper.
    pub paper: PaperState,
    /// The cover is open.
    pub cover_open: bool,
    /// The printer reports an error (cutter, head temperature…).
    pub error: bool,
}

impl PrinterFacts {
    /// Whether the printer needs a person (the fault lamp): paper low or out, cover open, error or
    /// not answering after a check.
    pub fn needs_attention(&self) -> bool {
        self.checked_at.is_some()
            && (!self.online
                || self.cover_open
                || self.error
                || matches!(self.paper, PaperState::NearEnd | PaperState::Out))
    }
}

/// The ID card reader (never any card data).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdReaderFacts {
    /// A reader is configured.
    pub configured: bool,
    /// The reader is open and its SAM answers.
    pub sam_ok: bool,
    /// A card was read since the software started. Deliberately no time: when a citizen used the
    /// reader is nobody's business, and `/metrics` is scraped every few seconds.
    pub read_since_start: bool,
}

/// The 2D code scanner that reads booking QR codes (never what was scanned).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScannerFacts {
    /// A scanner is configured.
    pub configured: bool,
    /// Its device is open (a serial port or an input event device).
    pub connected: bool,
    /// A code was scanned since the software started (no time and no count, like the ID reader).
    pub scanned_since_start: bool,
    /// Scans that could not be decoded since start: a scanner set to the wrong mode, prefix or
    /// suffix shows here.
    pub rejected: u64,
}

/// The publicity videos a screen plays (the hall display), since the software started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MediaFacts {
    /// Clips started.
    pub started: u64,
    /// Clips played to their end.
    pub ended: u64,
    /// Clips skipped as unplayable (unsupported, truncated, corrupt, no picture, picture stopped).
    pub failed: u64,
    /// Clips of the current content that are being skipped as unplayable (back to 0 when a new
    /// bundle arrives): the centre's `video_failing` alert while above 0.
    pub skipping: u64,
    /// The last skipped clip and why, `id: reason`.
    pub last_failure: Option<String>,
    /// The video decoder of the last clip that started (`avdec_h264` in software, `v4l2h264dec` in
    /// the Raspberry Pi 4's hardware).
    pub decoder: Option<String>,
    /// Frames put on screen.
    pub frames_shown: u64,
    /// Frames decoded but replaced before the screen took them.
    pub frames_dropped: u64,
}

/// The LED panel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedState {
    /// No panel configured.
    #[default]
    None,
    /// Nothing shown yet.
    Unknown,
    /// The last frame was shown.
    Ok,
    /// The last frame failed.
    Fault,
}

impl LedState {
    /// Every state, in metric order.
    pub const ALL: [Self; 4] = [Self::Ok, Self::Fault, Self::Unknown, Self::None];

    /// The label value in metrics.
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Unknown => "unknown",
            Self::Ok => "ok",
            Self::Fault => "fault",
        }
    }
}

/// The board's own I/O.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BoardFacts {
    /// Someone is in front of the kiosk.
    pub presence: bool,
    /// A help request is open.
    pub help_requested: bool,
    /// Backlight, percent.
    pub backlight_percent: u8,
    /// The fault lamp is lit.
    pub lamp_on: bool,
    /// Board I/O is failing.
    pub fault: bool,
}

/// What a device reports about its peripherals, in health reports and heartbeats.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceFacts {
    /// The ticket printer; none when this device has none.
    pub printer: Option<PrinterFacts>,
    /// The ID card reader.
    pub id_reader: IdReaderFacts,
    /// The code scanner (absent in older devices' reports: not configured).
    pub scanner: ScannerFacts,
    /// Publicity videos; none on a device that plays none.
    pub media: Option<MediaFacts>,
    /// The LED panel.
    pub led_panel: LedState,
    /// This device is the queue host.
    pub queue_host: bool,
    /// The queue host answers (always true on the host itself; none: not checked yet).
    pub queue_host_reachable: Option<bool>,
    /// The board's I/O; none without a board.
    pub board: Option<BoardFacts>,
    /// Free space of the data directory, bytes.
    pub disk_free_bytes: Option<u64>,
    /// Seconds since the process started.
    pub uptime_secs: u64,
    /// Restarts recorded in the data directory (starts after the first).
    pub restarts: u64,
}

/// The installed content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContentFacts {
    /// Installed version.
    pub version: Option<u64>,
    /// Seconds since the installed bundle was signed.
    pub age_secs: Option<u64>,
    /// Past its expiry.
    pub stale: bool,
    /// The last sync error.
    pub last_sync_error: Option<String>,
}

/// One liveness source of the watchdog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoopFacts {
    /// Its name.
    pub name: String,
    /// It has not beaten within its deadline.
    pub stalled: bool,
}

/// Everything `/healthz` and `/metrics` report, at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthSnapshot {
    /// The device's name.
    pub device: String,
    /// The kiosk software version.
    pub software_version: String,
    /// When the snapshot was taken.
    pub at: DateTime<Utc>,
    /// The peripherals and the process.
    pub devices: DeviceFacts,
    /// The content (none: this device shows no content, e.g. a headless queue host).
    pub content: Option<ContentFacts>,
    /// Items waiting in the outbox (none: no outbox).
    pub outbox_pending: Option<u64>,
    /// The watchdog's liveness sources.
    pub loops: Vec<LoopFacts>,
}

/// Below this much free space in the data directory the device reports itself unhealthy.
pub const MIN_FREE_BYTES: u64 = 200 * 1024 * 1024;

impl HealthSnapshot {
    /// Why the device is not healthy (empty: healthy). A paper roll near its end is a warning only.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let d = &self.devices;
        if let Some(p) = &d.printer
            && p.checked_at.is_some()
        {
            if !p.online {
                out.push("printer: not answering".to_owned());
            }
            if p.paper == PaperState::Out {
                out.push("printer: out of paper".to_owned());
            }
            if p.cover_open {
                out.push("printer: cover open".to_owned());
            }
            if p.error {
                out.push("printer: error".to_owned());
            }
        }
        if d.id_reader.configured && !d.id_reader.sam_ok {
            out.push("id_reader: not answering".to_owned());
        }
        if d.scanner.configured && !d.scanner.connected {
            out.push("scanner: not connected".to_owned());
        }
        if d.led_panel == LedState::Fault {
            out.push("led_panel: fault".to_owned());
        }
        if !d.queue_host && d.queue_host_reachable == Some(false) {
            out.push("queue_host: unreachable".to_owned());
        }
        if let Some(b) = &d.board
            && b.fault
        {
            out.push("board: I/O failing".to_owned());
        }
        if d.disk_free_bytes.is_some_and(|f| f < MIN_FREE_BYTES) {
            out.push("disk: less than 200 MiB free in the data directory".to_owned());
        }
        if let Some(content) = &self.content {
            if content.version.is_none() {
                out.push("content: no verified bundle".to_owned());
            } else if content.stale {
                out.push("content: past its expiry".to_owned());
            }
        }
        for l in self.loops.iter().filter(|l| l.stalled) {
            out.push(format!("loop {}: stalled", l.name));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn snapshot() -> HealthSnapshot {
        HealthSnapshot {
            device: "kiosk-1".into(),
            software_version: "0.1.0".into(),
            at: Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).unwrap(),
            devices: DeviceFacts {
                printer: Some(PrinterFacts {
                    checked_at: Some(Utc.with_ymd_and_hms(2026, 12, 6, 8, 59, 0).unwrap()),
                    online: true,
                    paper: PaperState::Ok,
                    ..PrinterFacts::default()
                }),
                queue_host: true,
                disk_free_bytes: Some(MIN_FREE_BYTES * 4),
                ..DeviceFacts::default()
            },
            content: Some(ContentFacts {
                version: Some(7),
                ..ContentFacts::default()
            }),
            outbox_pending: Some(0),
            loops: Vec::new(),
        }
    }

    #[test]
    fn a_healthy_device_has_no_problem_and_a_paper_roll_near_its_end_is_only_a_warning() {
        let mut s = snapshot();
        assert!(s.problems().is_empty(), "{:?}", s.problems());
        if let Some(p) = &mut s.devices.printer {
            p.paper = PaperState::NearEnd;
        }
        assert!(s.problems().is_empty());
        assert!(
            s.devices.printer.as_ref().unwrap().needs_attention(),
            "the lamp lights"
        );
    }

    #[test]
    fn each_fault_is_named() {
        let mut s = snapshot();
        if let Some(p) = &mut s.devices.printer {
            p.paper = PaperState::Out;
            p.cover_open = true;
        }
        s.devices.id_reader = IdReaderFacts {
            configured: true,
            sam_ok: false,
            read_since_start: false,
        };
        s.devices.scanner = ScannerFacts {
            configured: true,
            connected: false,
            ..ScannerFacts::default()
        };
        s.devices.disk_free_bytes = Some(1024);
        s.content = Some(ContentFacts {
            version: Some(7),
            stale: true,
            ..ContentFacts::default()
        });
        s.loops = vec![LoopFacts {
            name: "printer".into(),
            stalled: true,
        }];
        assert_eq!(
            s.problems(),
            [
                "printer: out of paper",
                "printer: cover open",
                "id_reader: not answering",
                "scanner: not connected",
                "disk: less than 200 MiB free in the data directory",
                "content: past its expiry",
                "loop printer: stalled",
            ]
        );
    }

    #[test]
    fn a_snapshot_survives_json_as_the_centre_reads_it() {
        let s = snapshot();
        let json = serde_json::to_string(&s).unwrap();
        let back: HealthSnapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
