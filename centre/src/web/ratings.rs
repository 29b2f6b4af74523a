//! `GET /staff/ratings`: averages and counts by site and service and by site and window, every
//! rating by ticket and window, and every
//! low rating (score ≤ 2) listed for a return call (回访) whose outcome is recorded with
//! `POST /staff/ratings/return-call` (audited).

use std::{collections::BTreeMap, fmt::Write as _};

use axum::{
    Form,
    extract::State,
    http::HeaderMap,
    response::{Html, IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{Nav, StaffUser, WebError, esc, layout, table, time_fmt::local_minute, url_value};
use crate::{
    state::AppState,
    store::{AuditEntry, RatedVisit},
};

/// Ratings read at most.
const SHOWN: u32 = 5000;
/// Scores at or below this are low and get a return call.
pub const LOW_SCORE: u8 = 2;
/// The longest outcome accepted, in characters.
const MAX_OUTCOME_CHARS: usize = 500;

/// `GET /staff/ratings`.
pub(super) async fn page(
    State(state): State<AppState>,
    user: StaffUser,
) -> Result<Html<String>, WebError> {
    let visits = state.store().rated_visits(user.site.clone(), SHOWN).await?;
    let by_service = summarise(&visits, |v| v.record.rating.service.clone(), |s| esc(s));
    let by_window = summarise(&visits, |v| v.record.rating.window, |w| window_label(*w));
    let csrf = user.csrf_field();
    let low: Vec<(String, Vec<String>)> = visits
        .iter()
        .filter(|v| v.record.rating.score <= LOW_SCORE)
        .map(|v| {
            let r = &v.record;
            let outcome = v.return_call.as_ref().map_or_else(
                || "<span class=\"bad\">待回访 Not called yet</span>".to_owned(),
                |c| {
                    format!(
                        "<span class=\"return-outcome\">{}</span> <span class=\"muted\">{} {}</span>",
                        esc(&c.outcome),
                        esc(&c.user),
                        esc(&local_minute(c.at))
                    )
                },
            );
            let form = format!(
                "<form class=\"inline\" method=\"post\" action=\"/staff/ratings/return-call\">{csrf}\
                 <input type=\"hidden\" name=\"device\" value=\"{}\"><input type=\"hidden\" name=\"key\" value=\"{}\">\
                 <input name=\"outcome\" maxlength=\"{MAX_OUTCOME_CHARS}\" placeholder=\"回访结果 Outcome\" required>\
                 <button>记录 Record</button></form>",
                esc(&r.device),
                esc(&r.key)
            );
            (
                if v.return_call.is_none() { "bad" } else { "" }.to_owned(),
                vec![
                    esc(&local_minute(r.received)),
                    esc(&r.site),
                    esc(&r.rating.service),
                    window_label(r.rating.window),
                    esc(r.rating.ticket.as_deref().unwrap_or("-")),
                    r.rating.score.to_string(),
                    esc(&r.rating.comment),
                    outcome,
                    form,
                ],
            )
        })
        .collect();
    let mut recent = String::new();
    for v in visits.iter().take(50) {
        let _ = write!(
            recent,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&local_minute(v.record.received)),
            esc(&v.record.site),
            esc(&v.record.rating.service),
            window_label(v.record.rating.window),
            esc(v.record.rating.ticket.as_deref().unwrap_or("-")),
            v.record.rating.score
        );
    }
    let body = format!(
        "<h1>评价 Ratings</h1><h2>按站点和业务 By site and service</h2>{}\
         <h2>按站点和窗口 By site and window</h2>{}\
         <h2>差评回访 Low ratings (≤ {LOW_SCORE}) for a return call</h2>{}\
         <h2>最近评价 Latest ratings</h2><div class=\"scroll\"><table><thead><tr><th>收到 Received</th>\
         <th>站点 Site</th><th>业务 Service</th><th>窗口 Window</th><th>票号 Ticket</th>\
         <th>分数 Score</th></tr></thead><tbody>{recent}</tbody></table></div>\
         <p class=\"muted\">窗口由评价器填写，或由群众在查询机上选择；未选择的记为“未注明”。The window comes \
         from the window's rating pad or the citizen's choice on the touch terminal; \
         ratings without one count as “not given”.</p>",
        table(
            &[
                "站点 Site",
                "业务 Service",
                "条数 Count",
                "平均 Average",
                "差评 Low"
            ],
            &by_service
        ),
        table(
            &[
                "站点 Site",
                "窗口 Window",
                "条数 Count",
                "平均 Average",
                "差评 Low"
            ],
            &by_window
        ),
        table(
            &[
                "收到 Received",
                "站点 Site",
                "业务 Service",
                "窗口 Window",
                "票号 Ticket",
                "分数 Score",
                "留言 Comment",
                "回访结果 Outcome",
                "记录 Record",
            ],
            &low
        ),
    );
    Ok(layout(&user, Nav::Ratings, "评价 Ratings", &body))
}

/// A window as the tables show it: `3号窗口 Window 3`, or `未注明 Not given`.
fn window_label(window: Option<u32>) -> String {
    window.map_or_else(
        || "未注明 Not given".to_owned(),
        |w| format!("{w}号窗口 Window {w}"),
    )
}

/// Count, average and low ratings by site and the group `group` picks, as table rows ordered by
/// site, then group (`label` writes a group as HTML).
fn summarise<K: Ord>(
    visits: &[RatedVisit],
    group: impl Fn(&RatedVisit) -> K,
    label: impl Fn(&K) -> String,
) -> Vec<(String, Vec<String>)> {
    let mut by: BTreeMap<(String, K), (u32, u32, u32)> = BTreeMap::new();
    for v in visits {
        let entry = by.entry((v.record.site.clone(), group(v))).or_default();
        entry.0 += 1;
        entry.1 += u32::from(v.record.rating.score);
        if v.record.rating.score <= LOW_SCORE {
            entry.2 += 1;
        }
    }
    by.into_iter()
        .map(|((site, group), (count, sum, low))| {
            let average = f64::from(sum) / f64::from(count.max(1));
            (
                String::new(),
                vec![
                    esc(&site),
                    label(&group),
                    count.to_string(),
                    format!("{average:.2}"),
                    low.to_string(),
                ],
            )
        })
        .collect()
}

#[derive(Deserialize)]
pub(super) struct ReturnCallForm {
    csrf: String,
    device: String,
    key: String,
    outcome: String,
}

/// `POST /staff/ratings/return-call`.
pub(super) async fn return_call(
    State(state): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
    Form(form): Form<ReturnCallForm>,
) -> Result<Response, WebError> {
    user.check_post(&headers, &form.csrf)?;
    let outcome = form.outcome.trim().to_owned();
    if outcome.is_empty() || outcome.chars().count() > MAX_OUTCOME_CHARS {
        return Err(WebError::bad_request(format!(
            "回访结果须为 1 至 {MAX_OUTCOME_CHARS} 字 The outcome must be 1 to {MAX_OUTCOME_CHARS} characters"
        )));
    }
    // The rating must be one this user may see (a manager: their site's); else 404.
    let visible = state
        .store()
        .rated_visits(user.site.clone(), SHOWN)
        .await?
        .into_iter()
        .any(|v| {
            v.record.device == form.device
                && v.record.key == form.key
                && v.record.rating.score <= LOW_SCORE
        });
    if !visible {
        return Err(WebError::not_found());
    }
    let audit = AuditEntry::new(
        state.now(),
        &user.user,
        "return_call",
        format!("rating {}/{}", form.device, form.key),
        outcome.clone(),
    );
    if !state
        .store()
        .record_return_call(form.device, form.key.clone(), outcome, audit)
        .await?
    {
        return Err(WebError::not_found());
    }
    Ok(Redirect::to(&format!("/staff/ratings#{}", url_value(&form.key))).into_response())
}
