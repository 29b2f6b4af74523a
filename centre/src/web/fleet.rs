//! `GET /staff/fleet`: every device by township and site: online, last heartbeat, content version and
//! staleness, printer and paper, reader, clock error, outbox backlog, open alerts.

use std::{collections::BTreeMap, fmt::Write as _};

use axum::{extract::State, response::Html};
use health_facts::PaperState;

use super::{Nav, StaffUser, WebError, esc, layout, table, time_fmt::local_minute};
use crate::{
    alert_rules::{clock_error_secs, rule_label},
    state::AppState,
    store::DeviceStatus,
};

fn paper_label(paper: PaperState) -> (&'static str, &'static str) {
    match paper {
        PaperState::Ok => ("ok", "正常 OK"),
        PaperState::NearEnd => ("warn", "纸将用尽 Low"),
        PaperState::Out => ("bad", "缺纸 Out"),
        PaperState::Unknown => ("muted", "未知 Unknown"),
    }
}

fn device_row(d: &DeviceStatus, online: bool, alerts: &[&str]) -> (String, Vec<String>) {
    let heartbeat = d.heartbeat.as_ref();
    let facts = heartbeat.and_then(|h| h.devices.as_ref());
    let online_cell = match (d.last_seen, online) {
        (None, _) => "<span class=\"muted\">从未上线 Never seen</span>".to_owned(),
        (Some(_), true) => "<span class=\"ok\">在线 Online</span>".to_owned(),
        (Some(_), false) => "<span class=\"bad\">离线 Offline</span>".to_owned(),
    };
    let printer = match facts.map(|f| f.printer.as_ref()) {
        None => "-".to_owned(),
        Some(None) => "<span class=\"muted\">无 None</span>".to_owned(),
        Some(Some(p)) => {
            let (class, label) = paper_label(p.paper);
            let mut cell = format!(
                "<span class=\"{class} paper-{}\">{label}</span>",
                p.paper.label()
            );
            if !p.online {
                cell.push_str(" <span class=\"bad\">未连接 Not answering</span>");
            }
            if p.cover_open {
                cell.push_str(" <span class=\"bad\">开盖 Cover open</span>");
            }
            if p.error {
                cell.push_str(" <span class=\"bad\">故障 Error</span>");
            }
            cell
        }
    };
    let reader = match facts.map(|f| &f.id_reader) {
        None => "-".to_owned(),
        Some(r) if !r.configured => "<span class=\"muted\">未配置 None</span>".to_owned(),
        Some(r) if r.sam_ok => "<span class=\"ok\">正常 OK</span>".to_owned(),
        Some(_) => "<span class=\"bad\">故障 Failing</span>".to_owned(),
    };
    let content = heartbeat.map_or_else(
        || "-".to_owned(),
        |h| {
            let version = h
                .content_version
                .map_or_else(|| "-".to_owned(), |v| format!("v{v}"));
            let age = h
                .content_age_secs
                .map(|s| format!(" <span class=\"muted\">{} 天 days</span>", s / 86_400))
                .unwrap_or_default();
            if h.content_stale {
                format!("{version} <span class=\"bad\">过期 Stale</span>{age}")
            } else {
                format!("{version}{age}")
            }
        },
    );
    let clock = clock_error_secs(d).map_or_else(|| "-".to_owned(), |e| format!("{e:+} s"));
    let tags: String = alerts
        .iter()
        .map(|rule| {
            let (zh, en) = rule_label(rule);
            format!(
                "<span class=\"tag bad alert-{}\">{zh} {en}</span>",
                esc(rule)
            )
        })
        .collect();
    (
        if alerts.is_empty() {
            String::new()
        } else {
            "has-alerts".to_owned()
        },
        vec![
            format!(
                "<span class=\"device-id\">{}</span>{}",
                esc(&d.id),
                heartbeat
                    .and_then(|h| h.software_version.as_deref())
                    .map(|v| format!(" <span class=\"muted\">软件 software {}</span>", esc(v)))
                    .unwrap_or_default()
            ),
            online_cell,
            d.last_seen
                .map_or_else(|| "-".to_owned(), |t| esc(&local_minute(t))),
            content,
            printer,
            reader,
            clock,
            heartbeat.map_or_else(|| "-".to_owned(), |h| h.outbox_pending.to_string()),
            if tags.is_empty() {
                "-".to_owned()
            } else {
                tags
            },
        ],
    )
}

/// `GET /staff/fleet`.
pub(super) async fn page(
    State(state): State<AppState>,
    user: StaffUser,
) -> Result<Html<String>, WebError> {
    let devices = state.store().devices().await?;
    let alerts = state.store().alerts(false, u32::MAX).await?;
    let now = state.now();
    let window =
        chrono::Duration::from_std(state.settings().online_window).unwrap_or(chrono::Duration::MAX);
    let mut grouped: BTreeMap<String, BTreeMap<String, Vec<&DeviceStatus>>> = BTreeMap::new();
    for d in devices.iter().filter(|d| user.may_see(&d.site)) {
        grouped
            .entry(d.township.clone().unwrap_or_else(|| d.site.clone()))
            .or_default()
            .entry(d.site.clone())
            .or_default()
            .push(d);
    }
    let shown: usize = grouped
        .values()
        .flat_map(BTreeMap::values)
        .map(Vec::len)
        .sum();
    let online = devices
        .iter()
        .filter(|d| user.may_see(&d.site))
        .filter(|d| d.last_seen.is_some_and(|seen| now - seen <= window))
        .count();
    let mut body = format!(
        "<h1>设备 Fleet</h1><p>{shown} 台设备 devices, <span class=\"ok\">{online} 在线 online</span> · \
         <a href=\"/staff/summary\">每日汇总 Daily summary</a></p>"
    );
    let headers = [
        "设备 Device",
        "在线 Online",
        "最后心跳 Last heartbeat",
        "内容 Content",
        "打印机 Printer",
        "读卡器 Reader",
        "时钟误差 Clock",
        "待发 Outbox",
        "告警 Alerts",
    ];
    for (township, sites) in &grouped {
        let _ = write!(body, "<h2>{}</h2>", esc(township));
        for (site, devices) in sites {
            let rows: Vec<(String, Vec<String>)> = devices
                .iter()
                .map(|d| {
                    let open: Vec<&str> = alerts
                        .iter()
                        .filter(|a| a.device == d.id)
                        .map(|a| a.rule.as_str())
                        .collect();
                    let online = d.last_seen.is_some_and(|seen| now - seen <= window);
                    device_row(d, online, &open)
                })
                .collect();
            let _ = write!(body, "<h3>{}</h3>{}", esc(site), table(&headers, &rows));
        }
    }
    Ok(layout(&user, Nav::Fleet, "设备 Fleet", &body))
}
