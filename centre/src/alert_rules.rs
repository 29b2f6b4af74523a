//! The alert rules, as one pure function of the devices (with their latest heartbeats), the time and
//! the rules' settings: [`evaluate`]. The store then raises what is new and closes what cleared
//! ([`crate::Store::sync_alerts`]).
//!
//! | rule | raised when |
//! |---|---|
//! | `offline` | no heartbeat for more than `offline_minutes` of **opening time** (a kiosk switched off at night or over the weekend is not an alert); a device never heard from is not alerted |
//! | `paper_out` | the printer reports no paper |
//! | `paper_low` | the printer reports the roll near its end |
//! | `reader_failing` | an ID card reader is configured but not open, or its SAM does not answer |
//! | `scanner_failing` | a code scanner (booking QR codes) is configured but its device is not open |
//! | `video_failing` | a hall display skips publicity clips of its current content as unplayable (unsupported, truncated, corrupt) |
//! | `content_stale` | the installed content is past its expiry |
//! | `clock_wrong` | the newest heartbeat's time stamp differs from when the centre received it by more than `clock_error_secs`, or the kiosk itself judges its clock `behind` (its `ahead` only means no recent bundle: the measured error decides) |
//!
//! Facts come from the newest heartbeat, also while the device is offline (the last known state).

use chrono::{DateTime, Utc};
use health_facts::PaperState;
use serde::Deserialize;

use crate::{
    calendar::OpeningHours,
    store::{ActiveCondition, DeviceStatus},
};

/// Every rule's name, in the order pages list them.
pub const RULES: [&str; 8] = [
    "offline",
    "paper_out",
    "paper_low",
    "reader_failing",
    "scanner_failing",
    "video_failing",
    "content_stale",
    "clock_wrong",
];

/// A rule's label for people (Chinese, English).
pub fn rule_label(rule: &str) -> (&'static str, &'static str) {
    match rule {
        "offline" => ("离线", "Offline"),
        "paper_out" => ("缺纸", "Paper out"),
        "paper_low" => ("纸将用尽", "Paper low"),
        "reader_failing" => ("读卡器故障", "ID reader failing"),
        "scanner_failing" => ("扫码器故障", "Code scanner failing"),
        "video_failing" => ("宣传视频无法播放", "Publicity video failing"),
        "content_stale" => ("内容过期", "Content stale"),
        "clock_wrong" => ("时钟错误", "Clock wrong"),
        _ => ("其他", "Other"),
    }
}

/// The `[alerts]` table of the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertSettings {
    /// Minutes of opening time without a heartbeat before `offline` (default 30).
    pub offline_minutes: u32,
    /// Seconds the device's clock may differ from the centre's before `clock_wrong` (default 300).
    pub clock_error_secs: u32,
    /// Seconds between periodic evaluations (default 60); every heartbeat also triggers one.
    pub check_secs: u32,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            offline_minutes: 30,
            clock_error_secs: 300,
            check_secs: 60,
        }
    }
}

/// The rules' settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertRules {
    /// Thresholds.
    pub settings: AlertSettings,
    /// Opening hours, for `offline`.
    pub opening_hours: OpeningHours,
}

/// The device's clock error in seconds (its heartbeat's time stamp minus when the centre received it;
/// negative: behind, or the heartbeat waited in the outbox).
pub fn clock_error_secs(device: &DeviceStatus) -> Option<i64> {
    device
        .heartbeat_times
        .map(|(created, received)| (created - received).num_seconds())
}

/// The conditions that hold at `now`.
pub fn evaluate(
    devices: &[DeviceStatus],
    now: DateTime<Utc>,
    rules: &AlertRules,
) -> Vec<ActiveCondition> {
    let mut active = Vec::new();
    for device in devices {
        let mut raise = |rule: &str, detail: String| {
            active.push(ActiveCondition {
                device: device.id.clone(),
                rule: rule.into(),
                detail,
            });
        };
        if let Some(seen) = device.last_seen {
            let missed = rules.opening_hours.open_seconds_between(seen, now);
            if missed > i64::from(rules.settings.offline_minutes) * 60 {
                raise(
                    "offline",
                    format!(
                        "最后心跳 last heartbeat {} UTC; {} 分钟营业时间无心跳 min of opening time without one",
                        seen.format("%Y-%m-%d %H:%M"),
                        missed / 60
                    ),
                );
            }
        }
        let Some(heartbeat) = &device.heartbeat else {
            continue;
        };
        let facts = heartbeat.devices.as_ref();
        if let Some(printer) = facts.and_then(|f| f.printer.as_ref()) {
            match printer.paper {
                PaperState::Out => raise("paper_out", "打印机缺纸 printer out of paper".into()),
                PaperState::NearEnd => {
                    raise("paper_low", "纸卷将用尽 paper roll near its end".into())
                }
                PaperState::Ok | PaperState::Unknown => {}
            }
        }
        if let Some(reader) = facts.map(|f| &f.id_reader)
            && reader.configured
            && !reader.sam_ok
        {
            raise(
                "reader_failing",
                "读卡器未就绪 ID reader not open or SAM not answering".into(),
            );
        }
        if let Some(scanner) = facts.map(|f| &f.scanner)
            && scanner.configured
            && !scanner.connected
        {
            raise(
                "scanner_failing",
                "扫码器未连接 code scanner not connected (预约二维码签到不可用 booking QR check-in unavailable)"
                    .into(),
            );
        }
        if let Some(media) = facts.and_then(|f| f.media.as_ref())
            && media.skipping > 0
        {
            raise(
                "video_failing",
                format!(
                    "{} 个宣传视频无法播放，已跳过 publicity clip(s) skipped: {}",
                    media.skipping,
                    media.last_failure.as_deref().unwrap_or("-")
                ),
            );
        }
        if heartbeat.content_stale {
            raise(
                "content_stale",
                format!(
                    "内容版本 content version {} 已过期 past its expiry",
                    heartbeat
                        .content_version
                        .map_or_else(|| "-".to_owned(), |v| v.to_string())
                ),
            );
        }
        let error = clock_error_secs(device);
        let limit = i64::from(rules.settings.clock_error_secs);
        // `behind` is proof (the clock is earlier than a bundle's signing time); the kiosk's `ahead`
        // only says no bundle was signed within its window (a kiosk on its embedded default content
        // says so for years), so an early or late clock is judged by the measured error instead.
        let judged_wrong = heartbeat.clock == "behind";
        if error.is_some_and(|e| e.abs() > limit) || judged_wrong {
            raise(
                "clock_wrong",
                format!(
                    "设备时钟 device clock {}: {} s",
                    heartbeat.clock,
                    error.map_or_else(|| "-".to_owned(), |e| format!("{e:+}"))
                ),
            );
        }
    }
    active
}
