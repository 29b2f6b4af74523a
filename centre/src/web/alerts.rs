//! Alerts: evaluating the rules ([`evaluate_now`], on every heartbeat and periodically by
//! [`run_alerts`]), `GET /staff/alerts` with acknowledge and close (`POST /staff/alerts/{id}/ack`,
//! `…/close`), and the technician's daily summary `GET /staff/summary[?format=text]`.

use std::{collections::BTreeMap, fmt::Write as _, time::Duration};

use axum::{
    Form,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{Nav, StaffUser, WebError, esc, layout, table, time_fmt::local_minute};
use crate::{
    alert_rules::{evaluate, rule_label},
    error::StoreError,
    state::AppState,
    store::{AlertChange, AlertRecord, AlertState, AlertSync, AlertUpdate, AuditEntry},
};

/// The least time between two evaluations started by heartbeats (a fault still shows within seconds).
pub(crate) const HEARTBEAT_EVALUATION_GAP: Duration = Duration::from_secs(3);

/// Evaluates the rules over every device now and makes the stored alerts match.
pub async fn evaluate_now(state: &AppState) -> Result<AlertSync, StoreError> {
    let devices = state.store().devices().await?;
    let now = state.now();
    let active = evaluate(&devices, now, &state.web().settings.alert_rules);
    let sync = state.store().sync_alerts(active, now).await?;
    if sync != AlertSync::default() {
        tracing::info!("alerts: {} raised, {} cleared", sync.raised, sync.cleared);
    }
    Ok(sync)
}

/// Evaluates the alert rules every `check_secs` and whenever a heartbeat arrives (several heartbeats
/// arriving together make one evaluation, at most one every [`HEARTBEAT_EVALUATION_GAP`]). Runs until
/// dropped.
pub async fn run_alerts(state: AppState) {
    let period = Duration::from_secs(u64::from(
        state.web().settings.alert_rules.settings.check_secs.max(1),
    ));
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = state.web().heartbeats.notified() => {
                // Heartbeats arriving meanwhile make one evaluation: with thousands of devices a
                // full evaluation per heartbeat would take the processor from the web app.
                if let Some(last) = last {
                    tokio::time::sleep_until(last + HEARTBEAT_EVALUATION_GAP).await;
                }
            }
        }
        if let Err(err) = evaluate_now(&state).await {
            tracing::error!("alert evaluation: {err}");
        }
        last = Some(tokio::time::Instant::now());
    }
}

fn state_cell(state: AlertState) -> &'static str {
    match state {
        AlertState::Open => "<span class=\"tag bad\">未处理 Open</span>",
        AlertState::Acknowledged => "<span class=\"tag\">已确认 Acknowledged</span>",
        AlertState::Closed => "<span class=\"tag\">已关闭 Closed</span>",
    }
}

fn rule_cell(rule: &str) -> String {
    let (zh, en) = rule_label(rule);
    format!("{zh} {en} <span class=\"muted\">{}</span>", esc(rule))
}

#[derive(Deserialize)]
pub(super) struct AlertsQuery {
    #[serde(default)]
    all: Option<String>,
}

/// `GET /staff/alerts`.
pub(super) async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    Query(query): Query<AlertsQuery>,
) -> Result<Html<String>, WebError> {
    let all = query.all.is_some();
    let alerts = state.store().alerts(all, 500).await?;
    let csrf = user.csrf_field();
    let rows: Vec<(String, Vec<String>)> = alerts
        .iter()
        .filter(|a| user.may_see(&a.site))
        .map(|a| {
            let mut actions = String::new();
            if a.state == AlertState::Open {
                let _ = write!(
                    actions,
                    "<form class=\"inline\" method=\"post\" action=\"/staff/alerts/{}/ack\">{csrf}<button class=\"ack\">确认 Acknowledge</button></form>",
                    a.id
                );
            }
            if a.state != AlertState::Closed {
                let _ = write!(
                    actions,
                    "<form class=\"inline\" method=\"post\" action=\"/staff/alerts/{}/close\">{csrf}<button class=\"close\">关闭 Close</button></form>",
                    a.id
                );
            }
            let who = |w: &Option<(String, chrono::DateTime<chrono::Utc>)>| {
                w.as_ref().map_or_else(
                    || "-".to_owned(),
                    |(u, t)| format!("{} {}", esc(u), esc(&local_minute(*t))),
                )
            };
            (
                format!("alert-{}{}", a.rule, if a.state == AlertState::Open { " bad" } else { "" }),
                vec![
                    a.id.to_string(),
                    esc(&a.device),
                    esc(&a.site),
                    rule_cell(&a.rule),
                    esc(&a.detail),
                    esc(&local_minute(a.raised)),
                    state_cell(a.state).to_owned(),
                    who(&a.acknowledged),
                    who(&a.closed),
                    actions,
                ],
            )
        })
        .collect();
    let toggle = if all {
        "<a href=\"/staff/alerts\">只看未关闭 Only open</a>"
    } else {
        "<a href=\"/staff/alerts?all=1\">包括已关闭 Include closed</a>"
    };
    let body = format!(
        "<h1>告警 Alerts</h1><p>{toggle} · <a href=\"/staff/summary\">每日汇总 Daily summary</a> \
         <span class=\"muted\">条件消除后告警自动关闭 An alert closes by itself when its condition clears.</span></p>{}",
        table(
            &[
                "#",
                "设备 Device",
                "站点 Site",
                "规则 Rule",
                "详情 Detail",
                "发生 Raised",
                "状态 State",
                "确认 Acknowledged",
                "关闭 Closed",
                "操作 Action",
            ],
            &rows
        )
    );
    Ok(layout(&user, Nav::Alerts, "告警 Alerts", &body))
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

/// `POST /staff/alerts/{id}/{ack|close}`.
pub(super) async fn act(
    State(state): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_post(&headers, &form.csrf)?;
    let (change, name) = match action.as_str() {
        "ack" => (AlertChange::Acknowledge, "alert_acknowledge"),
        "close" => (AlertChange::Close, "alert_close"),
        _ => return Err(WebError::not_found()),
    };
    let alert = state
        .store()
        .alerts(true, u32::MAX)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .filter(|a| user.may_see(&a.site))
        .ok_or_else(WebError::not_found)?;
    let audit = AuditEntry::new(
        state.now(),
        &user.user,
        name,
        format!("alert {id}"),
        format!("{} {}", alert.device, alert.rule),
    );
    match state.store().change_alert(id, change, audit).await? {
        AlertUpdate::Done => Ok(Redirect::to("/staff/alerts").into_response()),
        AlertUpdate::NotFound => Err(WebError::not_found()),
        AlertUpdate::WrongState(s) => Err(WebError::new(
            StatusCode::CONFLICT,
            format!(
                "告警状态为 {}，不能进行此操作 The alert is {}",
                s.as_str(),
                s.as_str()
            ),
        )),
    }
}

#[derive(Deserialize)]
pub(super) struct SummaryQuery {
    #[serde(default)]
    format: String,
}

/// Open and acknowledged alerts by township, then site, then device.
type Broken<'a> = BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<&'a AlertRecord>>>>;

/// `GET /staff/summary[?format=text]`: what is broken where, by township, for the technician.
pub(super) async fn summary(
    State(state): State<AppState>,
    user: StaffUser,
    Query(query): Query<SummaryQuery>,
) -> Result<Response, WebError> {
    let devices = state.store().devices().await?;
    let alerts = state.store().alerts(false, u32::MAX).await?;
    let mut broken: Broken<'_> = BTreeMap::new();
    for alert in alerts.iter().filter(|a| user.may_see(&a.site)) {
        let township = devices
            .iter()
            .find(|d| d.id == alert.device)
            .and_then(|d| d.township.clone())
            .unwrap_or_else(|| alert.site.clone());
        broken
            .entry(township)
            .or_default()
            .entry(alert.site.clone())
            .or_default()
            .entry(alert.device.clone())
            .or_default()
            .push(alert);
    }
    let now = state.now();
    let date = crate::calendar::local_date(now);
    let total: usize = broken
        .values()
        .flat_map(|sites| sites.values())
        .map(BTreeMap::len)
        .sum();
    if query.format == "text" {
        let mut text = format!(
            "设备故障日报 Daily fault summary {date}\n{total} 台设备有未关闭的告警 devices with open alerts\n"
        );
        for (township, sites) in &broken {
            let _ = writeln!(text, "\n{township}");
            for (site, devices) in sites {
                let _ = writeln!(text, "  {site}");
                for (device, alerts) in devices {
                    let rules: Vec<String> = alerts
                        .iter()
                        .map(|a| {
                            let (zh, en) = rule_label(&a.rule);
                            format!("{zh} {en} (since {})", local_minute(a.raised))
                        })
                        .collect();
                    let _ = writeln!(text, "    {device}: {}", rules.join("; "));
                }
            }
        }
        if broken.is_empty() {
            text.push_str("\n一切正常 Nothing is broken.\n");
        }
        return Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response());
    }
    let mut body = format!(
        "<h1>每日汇总 Daily summary {date}</h1><p><span id=\"broken-count\">{total}</span> 台设备有未关闭的告警 devices with open alerts · \
         <a href=\"/staff/summary?format=text\">纯文本 Plain text</a></p>"
    );
    if broken.is_empty() {
        body.push_str("<p class=\"ok\">一切正常 Nothing is broken.</p>");
    }
    for (township, sites) in &broken {
        let _ = write!(body, "<h2>{}</h2>", esc(township));
        let mut rows = Vec::new();
        for (site, devices) in sites {
            for (device, alerts) in devices {
                let rules: Vec<String> = alerts
                    .iter()
                    .map(|a| {
                        format!(
                            "<span class=\"tag bad\">{}</span> <span class=\"muted\">{}</span>",
                            rule_label(&a.rule).0,
                            esc(&local_minute(a.raised))
                        )
                    })
                    .collect();
                rows.push((String::new(), vec![esc(site), esc(device), rules.join(" ")]));
            }
        }
        body.push_str(&table(
            &["站点 Site", "设备 Device", "问题 Problems"],
            &rows,
        ));
    }
    Ok(layout(&user, Nav::Other, "每日汇总 Daily summary", &body).into_response())
}
