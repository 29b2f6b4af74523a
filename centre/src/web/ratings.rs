//! `GET /staff/ratings`: averages and counts by site and service, by site and window and by site
//! and staff member, every rating by ticket and window, and every low rating (score ≤ 2), with who
//! served and the reasons ticked, listed for a return call (回访) whose outcome is recorded with
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
pub const LOW_SCORE: u8 = crate::store::report::LOW_RATING_SCORE;
/// The longest outcome accepted, in characters.
const MAX_OUTCOME_CHARS: usize = 500;

/// The label of each reason a citizen may tick on a low rating ([`content::RATING_REASONS`], the
/// queue's list): id, Chinese (as the rating pad shows it), English. One entry per id: a test fails
/// when an id has none.
pub const RATING_REASON_LABELS: [(&str, &str, &str); content::RATING_REASONS.len()] = [
    ("long_wait", "等候时间长", "Long wait"),
    ("attitude", "服务态度不好", "Unfriendly staff"),
    ("unclear", "解释不清楚", "Unclear explanation"),
    ("slow", "办理速度慢", "Slow service"),
    ("not_solved", "问题没有解决", "Problem not solved"),
    ("other", "其他", "Other"),
];

/// A reason as the page shows it, `等候时间长 Long wait` (HTML); an id without a label (a rating an
/// older centre stored unchecked) as itself.
fn reason_label(id: &str) -> String {
    RATING_REASON_LABELS
        .iter()
        .find(|(known, _, _)| *known == id)
        .map_or_else(|| esc(id), |(_, zh, en)| format!("{zh} {en}"))
}

/// A rating's reasons as the return-call list shows them, one per line; `-` for none.
fn reasons_label(reasons: &[String]) -> String {
    if reasons.is_empty() {
        return "-".to_owned();
    }
    reasons
        .iter()
        .map(|id| reason_label(id))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Who served as the tables show it: `张敏 · A017`, the name or the staff number alone when only
/// one is known, or `未注明 Not given` (HTML).
fn staff_label(staff_id: Option<&str>, staff_name: Option<&str>) -> String {
    match (staff_name, staff_id) {
        (Some(name), Some(id)) => format!("{} · {}", esc(name), esc(id)),
        (Some(name), None) => esc(name),
        (None, Some(id)) => format!("工号 No. {}", esc(id)),
        (None, None) => "未注明 Not given".to_owned(),
    }
}

/// `GET /staff/ratings`.
pub(super) async fn page(
    State(state): State<AppState>,
    user: StaffUser,
) -> Result<Html<String>, WebError> {
    let visits = state.store().rated_visits(user.site.clone(), SHOWN).await?;
    let by_service = summarise(&visits, |v| v.record.rating.service.clone(), |s| esc(s));
    let by_window = summarise(&visits, |v| v.record.rating.window, |w| window_label(*w));
    let by_staff = summarise(
        &visits,
        |v| {
            (
                v.record.rating.staff_id.clone(),
                v.record.rating.staff_name.clone(),
            )
        },
        |(id, name)| staff_label(id.as_deref(), name.as_deref()),
    );
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
                    staff_label(r.rating.staff_id.as_deref(), r.rating.staff_name.as_deref()),
                    esc(r.rating.ticket.as_deref().unwrap_or("-")),
                    r.rating.score.to_string(),
                    reasons_label(&r.rating.reasons),
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
         <h2>按站点和工作人员 By site and staff member</h2>{}\
         <h2>差评回访 Low ratings (≤ {LOW_SCORE}) for a return call</h2>{}\
         <h2>最近评价 Latest ratings</h2><div class=\"scroll\"><table><thead><tr><th>收到 Received</th>\
         <th>站点 Site</th><th>业务 Service</th><th>窗口 Window</th><th>票号 Ticket</th>\
         <th>分数 Score</th></tr></thead><tbody>{recent}</tbody></table></div>\
         <p class=\"muted\">窗口由评价器填写，或由群众在查询机上选择；未选择的记为“未注明”。The window comes \
         from the window's rating pad or the citizen's choice on the touch terminal; \
         ratings without one count as “not given”. 工作人员来自窗口登录（评价器、手机评价）。\
         Who served comes from the window's login (rating pad, phone rating).</p>",
        table(
            &[
                "站点 Site",
                "业务 Service",
                "条数 Count",
                "平均 Average",
                "差评 Low",
                "差评率 Low share"
            ],
            &by_service
        ),
        table(
            &[
                "站点 Site",
                "窗口 Window",
                "条数 Count",
                "平均 Average",
                "差评 Low",
                "差评率 Low share"
            ],
            &by_window
        ),
        table(
            &[
                "站点 Site",
                "工作人员 Staff",
                "条数 Count",
                "平均 Average",
                "差评 Low",
                "差评率 Low share"
            ],
            &by_staff
        ),
        table(
            &[
                "收到 Received",
                "站点 Site",
                "业务 Service",
                "窗口 Window",
                "工作人员 Staff",
                "票号 Ticket",
                "分数 Score",
                "原因 Reasons",
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

/// Count, average, low ratings and their share by site and the group `group` picks, as table rows
/// ordered by site, then group (`label` writes a group as HTML).
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
                    format!(
                        "{}%",
                        (f64::from(low) * 100.0 / f64::from(count.max(1))).round()
                    ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rating_reason_has_a_label() {
        for id in content::RATING_REASONS {
            let labels: Vec<_> = RATING_REASON_LABELS
                .iter()
                .filter(|(known, _, _)| *known == id)
                .collect();
            assert_eq!(labels.len(), 1, "{id}: one label");
            let (_, zh, en) = labels[0];
            assert!(!zh.is_empty() && !en.is_empty(), "{id}");
        }
        assert_eq!(reason_label("long_wait"), "等候时间长 Long wait");
        assert_eq!(reason_label("<x>"), "&lt;x&gt;");
        assert_eq!(reasons_label(&[]), "-");
    }

    #[test]
    fn staff_are_labelled_by_name_and_number() {
        assert_eq!(staff_label(Some("A017"), Some("张敏")), "张敏 · A017");
        assert_eq!(staff_label(None, Some("张敏")), "张敏");
        assert_eq!(staff_label(Some("A017"), None), "工号 No. A017");
        assert_eq!(staff_label(None, None), "未注明 Not given");
        assert_eq!(staff_label(Some("<b>"), None), "工号 No. &lt;b&gt;");
    }
}
