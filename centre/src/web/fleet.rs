//! `GET /staff/fleet`: every device by township and site: online, last heartbeat, content version and
//! staleness, printer and paper, reader, clock error, outbox backlog, open alerts.

use std::{
    collections::{BTreeMap, HashMap},
    fmt::Write as _,
};

use axum::{
    extract::{Query, State},
    response::Html,
};
use health_facts::PaperState;

use super::{
    Nav, StaffUser, WebError, esc, html::url_value, layout, table, time_fmt::local_minute,
};
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

/// Above this many devices the fleet page opens on an overview by township (a city's fleet would be
/// a page of megabytes): counts per township, the devices with open alerts, and each township's full
/// list one click away (`?township=…`).
pub(crate) const FULL_LIST_MAX: usize = 500;
/// Most devices with alerts listed on the overview.
const OVERVIEW_ALERTS_MAX: usize = 200;

/// The fleet page's query.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct FleetQuery {
    /// Only this township's devices, listed in full.
    #[serde(default)]
    township: Option<String>,
}

const HEADERS: [&str; 9] = [
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

/// `GET /staff/fleet[?township=…]`.
pub(super) async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    Query(query): Query<FleetQuery>,
) -> Result<Html<String>, WebError> {
    let devices = state.store().devices().await?;
    let alerts = state.store().alerts(false, u32::MAX).await?;
    let now = state.now();
    let window =
        chrono::Duration::from_std(state.settings().online_window).unwrap_or(chrono::Duration::MAX);
    let is_online = |d: &DeviceStatus| d.last_seen.is_some_and(|seen| now - seen <= window);
    let mut open_by_device: HashMap<&str, Vec<&str>> = HashMap::new();
    for a in &alerts {
        open_by_device
            .entry(a.device.as_str())
            .or_default()
            .push(a.rule.as_str());
    }
    let township_of = |d: &DeviceStatus| d.township.clone().unwrap_or_else(|| d.site.clone());
    let visible: Vec<&DeviceStatus> = devices.iter().filter(|d| user.may_see(&d.site)).collect();
    let shown = visible.len();
    let online = visible.iter().filter(|d| is_online(d)).count();
    let mut body = format!(
        "<h1>设备 Fleet</h1><p>{shown} 台设备 devices, <span class=\"ok\">{online} 在线 online</span> · \
         <a href=\"/staff/summary\">每日汇总 Daily summary</a></p>"
    );
    let row_of = |d: &DeviceStatus| {
        let open = open_by_device
            .get(d.id.as_str())
            .cloned()
            .unwrap_or_default();
        device_row(d, is_online(d), &open)
    };
    if query.township.is_none() && shown > FULL_LIST_MAX {
        // The overview: counts per township, then the devices that need someone.
        let mut townships: BTreeMap<String, [usize; 3]> = BTreeMap::new();
        for d in &visible {
            let counts = townships.entry(township_of(d)).or_default();
            counts[0] += 1;
            counts[1] += usize::from(is_online(d));
            counts[2] += usize::from(open_by_device.contains_key(d.id.as_str()));
        }
        let rows: Vec<(String, Vec<String>)> = townships
            .iter()
            .map(|(name, [all, on, alerting])| {
                (
                    String::new(),
                    vec![
                        format!(
                            "<a href=\"/staff/fleet?township={}\">{}</a>",
                            url_value(name),
                            esc(name)
                        ),
                        all.to_string(),
                        format!("<span class=\"ok\">{on}</span>"),
                        (all - on).to_string(),
                        if *alerting == 0 {
                            "0".to_owned()
                        } else {
                            format!("<span class=\"bad\">{alerting}</span>")
                        },
                    ],
                )
            })
            .collect();
        let _ = write!(
            body,
            "<h2>乡镇 Townships</h2>{}",
            table(
                &[
                    "乡镇 Township",
                    "设备 Devices",
                    "在线 Online",
                    "离线 Offline",
                    "有告警 With alerts",
                ],
                &rows
            )
        );
        let alerting: Vec<&&DeviceStatus> = visible
            .iter()
            .filter(|d| open_by_device.contains_key(d.id.as_str()))
            .collect();
        let listed: Vec<(String, Vec<String>)> = alerting
            .iter()
            .take(OVERVIEW_ALERTS_MAX)
            .map(|d| row_of(d))
            .collect();
        let more = alerting.len().saturating_sub(OVERVIEW_ALERTS_MAX);
        let _ = write!(
            body,
            "<h2>有告警的设备 Devices with open alerts ({})</h2>{}{}",
            alerting.len(),
            table(&HEADERS, &listed),
            if more > 0 {
                format!(
                    "<p class=\"muted\">另有 {more} 台，见各乡镇列表或告警页 {more} more: see each \
                     township's list or the alerts page</p>"
                )
            } else {
                String::new()
            }
        );
        return Ok(layout(&user, Nav::Fleet, "设备 Fleet", &body));
    }
    let mut grouped: BTreeMap<String, BTreeMap<String, Vec<&DeviceStatus>>> = BTreeMap::new();
    for d in visible
        .iter()
        .filter(|d| query.township.as_ref().is_none_or(|t| *t == township_of(d)))
    {
        grouped
            .entry(township_of(d))
            .or_default()
            .entry(d.site.clone())
            .or_default()
            .push(d);
    }
    if let Some(township) = &query.township {
        let _ = write!(
            body,
            "<p><a href=\"/staff/fleet\">全部乡镇 All townships</a> · {}</p>",
            esc(township)
        );
    }
    for (township, sites) in &grouped {
        let _ = write!(body, "<h2>{}</h2>", esc(township));
        for (site, devices) in sites {
            let rows: Vec<(String, Vec<String>)> = devices.iter().map(|d| row_of(d)).collect();
            let _ = write!(body, "<h3>{}</h3>{}", esc(site), table(&HEADERS, &rows));
        }
    }
    Ok(layout(&user, Nav::Fleet, "设备 Fleet", &body))
}
