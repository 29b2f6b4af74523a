//! Device status for the technician page, gathered from the running services: printer health, the ID
//! reader as the take-a-number flow last saw it, the LED panel slot, the queue (host reachable?),
//! content version and age, and the outbox backlog.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};

use crate::{
    devices::{LedPanelSlot, PrinterHealth, PrinterService, ScannerReport},
    ui::take_number::ReaderState,
};

use content::{ContentStore, Outbox, Text};

use queue::QueueClient;

/// One line of the status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    /// What the line is about (打印机 / printer).
    pub name: Text,
    /// Its state.
    pub value: Text,
    /// Whether the state is fine (otherwise the page marks the line).
    pub ok: bool,
}

impl StatusLine {
    fn new(name: (&str, &str), value: Text, ok: bool) -> Self {
        Self {
            name: Text::new(name.0, name.1),
            value,
            ok,
        }
    }
}

/// Splits a `中文 / English` message as the device libraries write them.
pub(crate) fn split_message(message: &str) -> Text {
    match message.split_once(" / ") {
        Some((zh, en)) => Text::new(zh, en),
        None => Text::new(message, message),
    }
}

/// Where the status comes from. Cheap to clone.
#[derive(Clone)]
pub struct StatusSources {
    /// The printer service.
    pub printer: PrinterService,
    /// The LED panel slot.
    pub led_panel: Arc<Mutex<LedPanelSlot>>,
    /// The queue this kiosk issues into.
    pub queue: Arc<dyn QueueClient>,
    /// The queue host's URL when this kiosk is not the host.
    pub queue_host_url: Option<String>,
    /// The content store.
    pub store: ContentStore,
    /// The outbox.
    pub outbox: Outbox,
    /// The code scanner's state; none when no scanner runs.
    pub scanner: Option<tokio::sync::watch::Receiver<ScannerReport>>,
    /// The queue of sealed applications; none when the kiosk takes none.
    pub applications: Option<content::application_queue::ApplicationQueue>,
}

impl std::fmt::Debug for StatusSources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusSources")
            .field("queue_host_url", &self.queue_host_url)
            .finish_non_exhaustive()
    }
}

/// The ID reader's line from what the take-a-number flow last saw (none: no flow attached).
pub fn reader_line(state: Option<ReaderState>) -> StatusLine {
    let name = ("身份证阅读器", "ID card reader");
    let (zh, en, ok) = match state {
        None => ("未接入取号流程", "not attached to the ticket flow", false),
        Some(ReaderState::Ready) => ("在线，安全模块应答正常", "present, SAM answers", true),
        Some(ReaderState::Absent) => ("未配置", "not configured", true),
        Some(ReaderState::Failing) => ("无应答，正在重连", "not answering, reconnecting", false),
        Some(ReaderState::ReadFailed) => ("上次读卡失败", "last read failed", false),
        Some(ReaderState::Unusable) => ("上次的证件无法使用", "last card was unusable", false),
    };
    StatusLine::new(name, Text::new(zh, en), ok)
}

/// Gathers every line but the reader's; the queue gets `queue_timeout` to answer.
pub async fn gather(sources: &StatusSources, queue_timeout: Duration) -> Vec<StatusLine> {
    let mut lines = vec![printer_line(&sources.printer), led_line(&sources.led_panel)];
    lines.push(scanner_line(
        sources
            .scanner
            .as_ref()
            .map(|rx| rx.borrow().clone())
            .as_ref(),
    ));
    lines.push(queue_line(sources, queue_timeout).await);
    lines.push(content_line(&sources.store, sources.store.now()));
    lines.push(outbox_line(&sources.outbox).await);
    if let Some(queue) = &sources.applications {
        lines.push(applications_line(&queue.status()));
    }
    lines
}

/// The sealed applications' line: how many wait for the centre, and any the centre refused (kept on
/// the kiosk with the centre's reason, for the technician to pass on).
pub fn applications_line(
    status: &content::application_queue::ApplicationQueueStatus,
) -> StatusLine {
    let name = ("申请待发送", "Applications");
    let waiting = status.pending.len();
    match status.rejected.first() {
        Some(first) => {
            let reason = first.last_error.clone().unwrap_or_default();
            StatusLine::new(
                name,
                Text::new(
                    format!(
                        "{waiting} 份待发送；{} 份被中心拒收（{}：{reason}），请联系中心",
                        status.rejected.len(),
                        first.code
                    ),
                    format!(
                        "{waiting} waiting; {} refused by the centre ({}: {reason}): call the centre",
                        status.rejected.len(),
                        first.code
                    ),
                ),
                false,
            )
        }
        None => StatusLine::new(
            name,
            Text::new(
                format!("{waiting} 份待发送（已加密）"),
                format!("{waiting} waiting to be sent (sealed)"),
            ),
            waiting < 20,
        ),
    }
}

/// The code scanner's line: open or not, and scans it could not decode (a scanner set to the wrong
/// mode, prefix or suffix shows here before a citizen complains).
pub fn scanner_line(report: Option<&ScannerReport>) -> StatusLine {
    let name = ("扫码器", "Code scanner");
    let Some(report) = report else {
        return StatusLine::new(name, Text::new("未配置", "not configured"), true);
    };
    if !report.connected && report.state == "starting" {
        return StatusLine::new(name, Text::new("正在打开", "opening"), true);
    }
    if !report.connected {
        return StatusLine::new(
            name,
            Text::new(
                format!("未连接，正在重试（{}）", report.state),
                format!("not connected, retrying ({})", report.state),
            ),
            false,
        );
    }
    if report.rejected > 0 {
        return StatusLine::new(
            name,
            Text::new(
                format!(
                    "在线；{} 次扫码无法识别，请检查扫码器的模式、前缀和后缀",
                    report.rejected
                ),
                format!(
                    "connected; {} scans could not be read: check the scanner's mode, prefix and suffix",
                    report.rejected
                ),
            ),
            false,
        );
    }
    StatusLine::new(name, Text::new("在线", "connected"), true)
}

fn printer_line(printer: &PrinterService) -> StatusLine {
    let name = ("打印机", "Printer");
    let health = printer.health().borrow().clone();
    let (mut value, ok) = match health {
        PrinterHealth::Unknown => (
            Text::new("尚未打印，状态未知", "nothing printed yet, state unknown"),
            true,
        ),
        PrinterHealth::Ready {
            paper_near_end: false,
        } => (
            Text::new("在线，有纸，盖已关", "online, paper in, cover closed"),
            true,
        ),
        PrinterHealth::Ready {
            paper_near_end: true,
        } => (Text::new("在线，纸将用尽", "online, paper near end"), false),
        PrinterHealth::NotReady(reason) => (split_message(&reason), false),
    };
    if let Some(sim) = printer.simulator() {
        let state = sim.lock().state();
        let mut zh = vec!["模拟打印机"];
        let mut en = vec!["virtual printer"];
        if state.paper_out {
            zh.push("缺纸");
            en.push("paper out");
        }
        if state.cover_open {
            zh.push("盖未关");
            en.push("cover open");
        }
        if state.cutter_error {
            zh.push("切刀故障");
            en.push("cutter jam");
        }
        value.zh = format!("{}（{}）", value.zh, zh.join("，"));
        value.en = format!("{} ({})", value.en, en.join(", "));
    }
    StatusLine::new(name, value, ok)
}

fn led_line(panel: &Mutex<LedPanelSlot>) -> StatusLine {
    let name = ("LED 屏", "LED panel");
    let panel = panel
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !panel.attached() {
        return StatusLine::new(name, Text::new("未配置", "not configured"), true);
    }
    let (w, h) = (panel.frame().width(), panel.frame().height());
    StatusLine::new(
        name,
        Text::new(
            format!("已连接，{w}×{h} 点"),
            format!("attached, {w}×{h} LEDs"),
        ),
        true,
    )
}

async fn queue_line(sources: &StatusSources, timeout: Duration) -> StatusLine {
    let name = ("排队主机", "Queue host");
    let (zh_where, en_where) = match &sources.queue_host_url {
        Some(url) => (url.clone(), url.clone()),
        None => ("本机".to_owned(), "this device".to_owned()),
    };
    match tokio::time::timeout(timeout, sources.queue.services()).await {
        Ok(Ok(services)) => StatusLine::new(
            name,
            Text::new(
                format!("{zh_where}：可访问，{} 项业务", services.len()),
                format!("{en_where}: reachable, {} services", services.len()),
            ),
            true,
        ),
        Ok(Err(err)) => StatusLine::new(
            name,
            Text::new(
                format!("{zh_where}：无法访问（{err}）"),
                format!("{en_where}: unreachable ({err})"),
            ),
            false,
        ),
        Err(_) => StatusLine::new(
            name,
            Text::new(
                format!("{zh_where}：{} 秒内无应答", timeout.as_secs()),
                format!("{en_where}: no answer within {} s", timeout.as_secs()),
            ),
            false,
        ),
    }
}

fn content_line(store: &ContentStore, now: DateTime<Utc>) -> StatusLine {
    let name = ("内容", "Content");
    let status = store.status();
    let content = store.current();
    let Some(info) = &content.info else {
        return StatusLine::new(name, Text::new("无内容", "no content"), false);
    };
    let (age_zh, age_en) = age(now - info.created);
    let mut zh = format!("版本 {}，{age_zh}签发（{}）", info.version, info.origin);
    let mut en = format!(
        "version {}, signed {age_en} ago ({})",
        info.version, info.origin
    );
    if status.stale {
        zh.push_str("，已过期");
        en.push_str(", stale");
    }
    if let Some(err) = &status.last_error {
        zh.push_str(&format!("；上次同步失败：{err}"));
        en.push_str(&format!("; last sync failed: {err}"));
    }
    StatusLine::new(
        name,
        Text::new(zh, en),
        !status.stale && status.last_error.is_none(),
    )
}

fn age(delta: chrono::TimeDelta) -> (String, String) {
    let minutes = delta.num_minutes().max(0);
    if minutes < 60 {
        (format!("{minutes} 分钟前"), format!("{minutes} min"))
    } else if minutes < 48 * 60 {
        let hours = minutes / 60;
        (format!("{hours} 小时前"), format!("{hours} h"))
    } else {
        let days = minutes / (24 * 60);
        (format!("{days} 天前"), format!("{days} days"))
    }
}

async fn outbox_line(outbox: &Outbox) -> StatusLine {
    let name = ("待发送", "Outbox");
    let outbox = outbox.clone();
    let count = tokio::task::spawn_blocking(move || outbox.pending_count()).await;
    match count {
        Ok(Ok(n)) => StatusLine::new(
            name,
            Text::new(format!("{n} 条待发送"), format!("{n} waiting to be sent")),
            n < 100,
        ),
        Ok(Err(err)) => StatusLine::new(
            name,
            Text::new(format!("无法读取：{err}"), format!("cannot read: {err}")),
            false,
        ),
        Err(err) => StatusLine::new(
            name,
            Text::new(format!("无法读取：{err}"), format!("cannot read: {err}")),
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_application_is_a_problem_named_with_its_reason() {
        use content::application_queue::{ApplicationQueueStatus, QueuedApplication};
        let item = |code: &str, reason: Option<&str>| QueuedApplication {
            code: applications::TrackingCode::parse(code).unwrap(),
            bytes: 1000,
            since: None,
            last_error: reason.map(str::to_owned),
        };
        let mut status = ApplicationQueueStatus {
            pending: vec![item("S-2345-6789", None)],
            rejected: Vec::new(),
        };
        let line = applications_line(&status);
        assert!(line.ok);
        assert!(line.value.zh.contains("1 份待发送"), "{}", line.value.zh);
        status
            .rejected
            .push(item("S-2345-678A", Some("HTTP 400: package: cut short")));
        let line = applications_line(&status);
        assert!(!line.ok);
        assert!(
            line.value
                .en
                .contains("S-2345-678A: HTTP 400: package: cut short"),
            "{}",
            line.value.en
        );
    }

    #[test]
    fn ages_read_in_minutes_hours_or_days() {
        assert_eq!(age(chrono::TimeDelta::minutes(5)).1, "5 min");
        assert_eq!(age(chrono::TimeDelta::hours(30)).0, "30 小时前");
        assert_eq!(age(chrono::TimeDelta::days(9)).1, "9 days");
    }

    #[test]
    fn the_scanner_line_tells_absent_unplugged_misconfigured_and_fine_apart() {
        assert!(scanner_line(None).ok);
        let mut report = ScannerReport {
            connected: false,
            state: "not found".into(),
            scans: 0,
            rejected: 0,
        };
        let line = scanner_line(Some(&report));
        assert!(!line.ok);
        assert_eq!(line.value.zh, "未连接，正在重试（not found）");
        report.connected = true;
        report.state = "connected".into();
        assert!(scanner_line(Some(&report)).ok);
        report.rejected = 3;
        let line = scanner_line(Some(&report));
        assert!(!line.ok);
        assert!(
            line.value.en.contains("3 scans could not be read"),
            "{}",
            line.value.en
        );
    }

    #[test]
    fn device_messages_split_into_both_languages() {
        let text = split_message("打印机缺纸 / printer is out of paper");
        assert_eq!(text.zh, "打印机缺纸");
        assert_eq!(text.en, "printer is out of paper");
    }
}
