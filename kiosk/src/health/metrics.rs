//! The Prometheus text exposition format (version 0.0.4) of a [`HealthSnapshot`]: a pure function.
//!
//! Every device state is a metric, also when it is unknown, so a scrape always has the same names.
//! States with several values (paper, LED panel) are one gauge per state with a `state` label, 1 for
//! the current one.

use std::fmt::Write as _;

use health_facts::{HealthSnapshot, LedState, PaperState};

/// The content type of the exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

struct Out(String);

impl Out {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                let _ = write!(self.0, "{k}=\"{}\"", escape(v));
            }
            self.0.push('}');
        }
        let _ = writeln!(self.0, " {value}");
    }

    fn gauge(&mut self, name: &str, help: &str, value: impl std::fmt::Display) {
        self.family(name, "gauge", help);
        self.sample(name, &[], value);
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn flag(b: bool) -> u8 {
    u8::from(b)
}

/// Renders `snapshot` as Prometheus text.
pub fn render(snapshot: &HealthSnapshot) -> String {
    let mut o = Out(String::new());
    let d = &snapshot.devices;
    let problems = snapshot.problems();

    o.family(
        "kiosk_info",
        "gauge",
        "The device and its software version.",
    );
    o.sample(
        "kiosk_info",
        &[
            ("device", &snapshot.device),
            ("version", &snapshot.software_version),
        ],
        1,
    );
    o.gauge(
        "kiosk_healthy",
        "1 when /healthz answers 200 (no problem).",
        flag(problems.is_empty()),
    );
    o.gauge(
        "kiosk_problems",
        "Number of problems /healthz lists.",
        problems.len(),
    );
    o.gauge(
        "kiosk_uptime_seconds",
        "Seconds since the kiosk process started.",
        d.uptime_secs,
    );
    o.family(
        "kiosk_restarts_total",
        "counter",
        "Starts of the kiosk after the first, counted in the data directory.",
    );
    o.sample("kiosk_restarts_total", &[], d.restarts);

    let printer = d.printer.clone().unwrap_or_default();
    o.gauge(
        "kiosk_printer_configured",
        "1 when a ticket printer is configured.",
        flag(d.printer.is_some()),
    );
    o.gauge(
        "kiosk_printer_online",
        "1 when the printer answered its last status read or print.",
        flag(printer.online),
    );
    o.family(
        "kiosk_printer_paper",
        "gauge",
        "Paper state of the printer: 1 for the current state.",
    );
    for state in PaperState::ALL {
        o.sample(
            "kiosk_printer_paper",
            &[("state", state.label())],
            flag(printer.paper == state),
        );
    }
    o.gauge(
        "kiosk_printer_cover_open",
        "1 when the printer cover is open.",
        flag(printer.cover_open),
    );
    o.gauge(
        "kiosk_printer_error",
        "1 when the printer reports an error (cutter, head temperature).",
        flag(printer.error),
    );
    o.gauge(
        "kiosk_printer_last_check_timestamp_seconds",
        "Unix time of the last printer status read (0: never).",
        printer.checked_at.map_or(0, |t| t.timestamp()),
    );

    o.gauge(
        "kiosk_id_reader_configured",
        "1 when an ID card reader is configured.",
        flag(d.id_reader.configured),
    );
    o.gauge(
        "kiosk_id_reader_present",
        "1 when the ID card reader is open and answering.",
        flag(d.id_reader.sam_ok),
    );
    o.gauge(
        "kiosk_id_reader_sam_ok",
        "1 when the reader's SAM module answers with success.",
        flag(d.id_reader.sam_ok),
    );
    o.gauge(
        "kiosk_id_reader_read_since_start",
        "1 when a card has been read since start (no time is given: it would tell when a citizen was here).",
        flag(d.id_reader.read_since_start),
    );

    o.gauge(
        "kiosk_scanner_configured",
        "1 when a code scanner (booking QR codes) is configured.",
        flag(d.scanner.configured),
    );
    o.gauge(
        "kiosk_scanner_connected",
        "1 when the code scanner's device is open.",
        flag(d.scanner.connected),
    );
    o.gauge(
        "kiosk_scanner_scanned_since_start",
        "1 when a code has been scanned since start (no time or count: it would tell when citizens were here).",
        flag(d.scanner.scanned_since_start),
    );
    o.family(
        "kiosk_scanner_rejected_total",
        "counter",
        "Scans that could not be decoded since start (wrong mode, prefix, suffix or encoding).",
    );
    o.sample("kiosk_scanner_rejected_total", &[], d.scanner.rejected);

    let media = d.media.clone().unwrap_or_default();
    o.gauge(
        "kiosk_video_configured",
        "1 when this device plays publicity videos (the hall display).",
        flag(d.media.is_some()),
    );
    for (name, help, value) in [
        (
            "kiosk_video_started_total",
            "Publicity clips started since start.",
            media.started,
        ),
        (
            "kiosk_video_ended_total",
            "Publicity clips played to their end since start.",
            media.ended,
        ),
        (
            "kiosk_video_failed_total",
            "Publicity clips skipped as unplayable (unsupported, truncated, corrupt, no picture) since start.",
            media.failed,
        ),
        (
            "kiosk_video_frames_shown_total",
            "Video frames put on screen since start.",
            media.frames_shown,
        ),
        (
            "kiosk_video_frames_dropped_total",
            "Video frames decoded but replaced before the screen took them, since start.",
            media.frames_dropped,
        ),
    ] {
        o.family(name, "counter", help);
        o.sample(name, &[], value);
    }
    o.gauge(
        "kiosk_video_skipping",
        "Clips of the current content skipped as unplayable (the centre alerts while above 0).",
        media.skipping,
    );
    o.family(
        "kiosk_video_decoder",
        "gauge",
        "1 for the video decoder of the last clip that started (hardware: v4l2…; software: avdec_…).",
    );
    if let Some(decoder) = &media.decoder {
        o.sample("kiosk_video_decoder", &[("decoder", decoder.as_str())], 1);
    }

    o.family(
        "kiosk_led_panel",
        "gauge",
        "LED panel state: 1 for the current state.",
    );
    for state in LedState::ALL {
        o.sample(
            "kiosk_led_panel",
            &[("state", state.label())],
            flag(d.led_panel == state),
        );
    }

    o.gauge(
        "kiosk_queue_host",
        "1 when this device is the queue host.",
        flag(d.queue_host),
    );
    o.gauge(
        "kiosk_queue_host_reachable",
        "1 when the queue host answers (always 1 on the host).",
        flag(d.queue_host_reachable.unwrap_or(d.queue_host)),
    );

    let content = snapshot.content.clone().unwrap_or_default();
    o.gauge(
        "kiosk_content_version",
        "Installed content bundle version (0: none).",
        content.version.unwrap_or(0),
    );
    o.gauge(
        "kiosk_content_age_seconds",
        "Seconds since the installed bundle was signed (-1: none).",
        content
            .age_secs
            .map_or_else(|| "-1".to_owned(), |a| a.to_string()),
    );
    o.gauge(
        "kiosk_content_stale",
        "1 when the installed content is past its expiry.",
        flag(content.stale),
    );
    o.gauge(
        "kiosk_content_sync_error",
        "1 while the last content sync failed.",
        flag(content.last_sync_error.is_some()),
    );
    o.gauge(
        "kiosk_outbox_pending",
        "Complaints, ratings, statistics and heartbeats waiting to be delivered.",
        snapshot.outbox_pending.unwrap_or(0),
    );
    o.gauge(
        "kiosk_disk_free_bytes",
        "Free space of the data directory's file system (-1: unknown).",
        d.disk_free_bytes
            .map_or_else(|| "-1".to_owned(), |b| b.to_string()),
    );

    let board = d.board.unwrap_or_default();
    o.gauge(
        "kiosk_board_configured",
        "1 when board I/O (presence, backlight, help button, lamp) runs.",
        flag(d.board.is_some()),
    );
    o.gauge(
        "kiosk_board_presence",
        "1 while someone is in front of the kiosk.",
        flag(board.presence),
    );
    o.gauge(
        "kiosk_board_help_requested",
        "1 while a help request (呼叫工作人员) is open.",
        flag(board.help_requested),
    );
    o.gauge(
        "kiosk_board_backlight_percent",
        "Backlight level in percent.",
        board.backlight_percent,
    );
    o.gauge(
        "kiosk_board_fault_lamp",
        "1 while the paper-low / fault lamp is lit.",
        flag(board.lamp_on),
    );
    o.gauge(
        "kiosk_board_fault",
        "1 while board I/O fails.",
        flag(board.fault),
    );

    o.family(
        "kiosk_loop_stalled",
        "gauge",
        "1 when a watched loop has not beaten within its deadline (keepalives to systemd stop).",
    );
    for l in &snapshot.loops {
        o.sample("kiosk_loop_stalled", &[("loop", &l.name)], flag(l.stalled));
    }
    o.0
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone as _, Utc};

    use super::*;
    use crate::health::{
        BoardFacts, ContentFacts, DeviceFacts, IdReaderFacts, LoopFacts, PrinterFacts,
    };
    use health_facts::{MediaFacts, ScannerFacts};

    fn snapshot() -> HealthSnapshot {
        let at = Utc.with_ymd_and_hms(2026, 11, 29, 1, 0, 0).unwrap();
        HealthSnapshot {
            device: "kiosk-2".into(),
            software_version: "0.1.0".into(),
            at,
            devices: DeviceFacts {
                printer: Some(PrinterFacts {
                    checked_at: Some(at),
                    online: true,
                    paper: PaperState::NearEnd,
                    cover_open: false,
                    error: false,
                }),
                id_reader: IdReaderFacts {
                    configured: true,
                    sam_ok: true,
                    read_since_start: true,
                },
                scanner: ScannerFacts {
                    configured: true,
                    connected: true,
                    scanned_since_start: false,
                    rejected: 1,
                },
                media: Some(MediaFacts {
                    started: 12,
                    ended: 10,
                    failed: 1,
                    skipping: 1,
                    last_failure: Some("clip-7: not a playable clip".into()),
                    decoder: Some("avdec_h264".into()),
                    frames_shown: 9000,
                    frames_dropped: 3,
                }),
                led_panel: LedState::Fault,
                queue_host: false,
                queue_host_reachable: Some(true),
                board: Some(BoardFacts {
                    presence: true,
                    help_requested: false,
                    backlight_percent: 100,
                    lamp_on: true,
                    fault: false,
                }),
                disk_free_bytes: Some(5_000_000_000),
                uptime_secs: 3600,
                restarts: 2,
            },
            content: Some(ContentFacts {
                version: Some(7),
                age_secs: Some(86_400),
                stale: false,
                last_sync_error: None,
            }),
            outbox_pending: Some(3),
            loops: vec![
                LoopFacts {
                    name: "ui".into(),
                    stalled: false,
                },
                LoopFacts {
                    name: "printer".into(),
                    stalled: false,
                },
            ],
        }
    }

    /// The whole exposition of a known snapshot. After an intended change, regenerate with
    /// `BLESS=1 cargo test -p kiosk --lib health::metrics` and review the diff.
    #[test]
    fn the_exposition_matches_the_golden_file() {
        golden::check_text(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/health/golden/metrics.prom"
            ),
            &render(&snapshot()),
        );
    }

    #[test]
    fn every_device_state_is_a_metric_with_help_and_type() {
        let text = render(&snapshot());
        for state in PaperState::ALL {
            assert!(
                text.contains(&format!(
                    "kiosk_printer_paper{{state=\"{}\"}}",
                    state.label()
                )),
                "{text}"
            );
        }
        for state in LedState::ALL {
            assert!(
                text.contains(&format!("kiosk_led_panel{{state=\"{}\"}}", state.label())),
                "{text}"
            );
        }
        assert!(text.contains("kiosk_printer_paper{state=\"near_end\"} 1"));
        assert!(text.contains("kiosk_led_panel{state=\"fault\"} 1"));
        assert!(
            text.contains("kiosk_healthy 0"),
            "the LED fault makes it unhealthy"
        );
        // Every sample belongs to a family announced with HELP and TYPE before it.
        let mut families = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                families.push(rest.split(' ').next().unwrap().to_owned());
            } else if !line.starts_with('#') {
                let name = line.split(['{', ' ']).next().unwrap();
                assert!(families.iter().any(|f| f == name), "{name} has no TYPE");
                let value = line.rsplit(' ').next().unwrap();
                assert!(value.parse::<f64>().is_ok(), "bad value in `{line}`");
            }
        }
        assert!(families.len() >= 30, "{families:?}");
    }

    #[test]
    fn unknown_values_still_give_every_metric() {
        let text = render(&HealthSnapshot::default());
        assert!(text.contains("kiosk_printer_configured 0"));
        assert!(text.contains("kiosk_printer_paper{state=\"unknown\"} 1"));
        assert!(text.contains("kiosk_led_panel{state=\"none\"} 1"));
        assert!(text.contains("kiosk_content_age_seconds -1"));
        assert!(text.contains("kiosk_disk_free_bytes -1"));
    }

    #[test]
    fn label_values_are_escaped() {
        let s = HealthSnapshot {
            device: "a\"b\\c\nd".into(),
            ..HealthSnapshot::default()
        };
        assert!(render(&s).contains(r#"device="a\"b\\c\nd""#));
    }
}
