//! The complaints and suggestions inbox: `GET /staff/complaints` (filters by status and site, overdue
//! highlighted, telephone numbers masked), `GET /staff/complaints/{key}` (the case), and its actions
//! `POST …/assign`, `…/reply`, `…/close`, `…/contact` (the full number, for the assignee and
//! administrators only, audited). A manager sees only their site's cases; another site's case answers
//! 404.

use std::fmt::Write as _;

use axum::{
    Form,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    Nav, StaffUser, WebError,
    case_rules::{CaseKind, text_without_mark},
    esc, layout, table,
    time_fmt::local_minute,
    url_value,
};
use crate::{
    auth::Role,
    mask::mask_phone,
    state::AppState,
    store::{AuditEntry, CaseChange, CaseFilter, CaseUpdate, ComplaintCase, ComplaintStatus},
};

/// Cases listed at most.
const SHOWN: u32 = 500;
/// The longest reply accepted, in characters.
const MAX_REPLY_CHARS: usize = 2000;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    site: String,
}

fn status_cell(status: ComplaintStatus) -> String {
    format!(
        "<span class=\"tag status-{}\">{} {}</span>",
        status.as_str(),
        status.zh(),
        status.en()
    )
}

/// `GET /staff/complaints`.
pub(super) async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let status =
        match query.status.as_str() {
            "" => None,
            name => Some(ComplaintStatus::parse(name).ok_or_else(|| {
                WebError::bad_request(format!("未知状态 Unknown status {name:?}"))
            })?),
        };
    // A manager's list is their site's, whatever the query says.
    let site = user
        .site
        .clone()
        .or_else(|| (!query.site.is_empty()).then(|| query.site.clone()));
    let cases = state
        .store()
        .complaint_cases(CaseFilter {
            site: site.clone(),
            status,
            limit: SHOWN,
        })
        .await?;
    let web = &state.web().settings;
    let now = state.now();
    let rows: Vec<(String, Vec<String>)> = cases
        .iter()
        .map(|case| {
            let r = &case.record;
            let overdue = web.is_overdue(case, now);
            let deadline = web.deadline(r.received).to_string();
            (
                if overdue { "overdue" } else { "" }.to_owned(),
                vec![
                    format!(
                        "<a href=\"/staff/complaints/{}\">{}</a>",
                        url_value(&r.key),
                        esc(&r.key)
                    ),
                    CaseKind::of(&r.complaint.text).label().to_owned(),
                    esc(&r.site),
                    esc(&local_minute(r.received)),
                    if overdue {
                        format!("{} <span class=\"bad\">逾期 Overdue</span>", esc(&deadline))
                    } else {
                        esc(&deadline)
                    },
                    status_cell(r.status),
                    esc(case.assignee.as_deref().unwrap_or("-")),
                    esc(&r
                        .complaint
                        .contact
                        .as_deref()
                        .map_or_else(|| "-".to_owned(), mask_phone)),
                ],
            )
        })
        .collect();
    let mut filters = String::from(
        "<form class=\"inline\" method=\"get\" action=\"/staff/complaints\"><label for=\"status\">状态 Status</label>\
         <select id=\"status\" name=\"status\"><option value=\"\">全部 All</option>",
    );
    for s in ComplaintStatus::ALL {
        let selected = if status == Some(s) { " selected" } else { "" };
        let _ = write!(
            filters,
            "<option value=\"{}\"{selected}>{} {}</option>",
            s.as_str(),
            s.zh(),
            s.en()
        );
    }
    filters.push_str("</select>");
    if user.site.is_none() {
        let sites = state.store().sites().await?;
        filters.push_str(
            "<label for=\"site\">站点 Site</label><select id=\"site\" name=\"site\"><option value=\"\">全部 All</option>",
        );
        for s in &sites {
            let selected = if site.as_deref() == Some(s.as_str()) {
                " selected"
            } else {
                ""
            };
            let _ = write!(
                filters,
                "<option value=\"{0}\"{selected}>{0}</option>",
                esc(s)
            );
        }
        filters.push_str("</select>");
    }
    filters.push_str("<button>筛选 Filter</button></form>");
    let overdue = cases.iter().filter(|c| web.is_overdue(c, now)).count();
    let body = format!(
        "<h1>投诉建议 Complaints and suggestions</h1>{filters}\
         <p>{} 件 items; <span class=\"{}\" id=\"overdue-count\">{overdue} 件逾期 overdue</span>. \
         <span class=\"muted\">答复期限 Reply within {} 个工作日 working days.</span></p>{}",
        cases.len(),
        if overdue > 0 { "bad" } else { "ok" },
        web.deadline_working_days,
        table(
            &[
                "受理码 Code",
                "类别 Kind",
                "站点 Site",
                "收到 Received",
                "期限 Deadline",
                "状态 Status",
                "承办人 Assignee",
                "电话 Phone",
            ],
            &rows
        )
    );
    Ok(layout(&user, Nav::Complaints, "投诉建议 Complaints", &body))
}

/// The case `key` as `user` may see it: 404 when there is none or it is another site's.
async fn visible_case(
    state: &AppState,
    user: &StaffUser,
    key: &str,
) -> Result<ComplaintCase, WebError> {
    state
        .store()
        .complaint_case(key.to_owned())
        .await?
        .filter(|case| user.may_see(&case.record.site))
        .ok_or_else(WebError::not_found)
}

/// Whether `user` may see the full callback number of `case`: its assignee and administrators.
fn may_see_contact(user: &StaffUser, case: &ComplaintCase) -> bool {
    user.role == Role::Administrator || case.assignee.as_deref() == Some(user.user.as_str())
}

/// `GET /staff/complaints/{key}`.
pub(super) async fn detail(
    State(state): State<AppState>,
    user: StaffUser,
    Path(key): Path<String>,
) -> Result<Html<String>, WebError> {
    let case = visible_case(&state, &user, &key).await?;
    detail_page(&state, &user, &case, false).await
}

async fn detail_page(
    state: &AppState,
    user: &StaffUser,
    case: &ComplaintCase,
    show_contact: bool,
) -> Result<Html<String>, WebError> {
    let r = &case.record;
    let web = &state.web().settings;
    let now = state.now();
    let action = |what: &str| format!("/staff/complaints/{}/{what}", url_value(&r.key));
    let contact = match (&r.complaint.contact, show_contact) {
        (None, _) => "未留 None left".to_owned(),
        (Some(phone), true) => format!("<span id=\"full-contact\">{}</span>", esc(phone)),
        (Some(phone), false) => {
            let mut cell = esc(&mask_phone(phone));
            if may_see_contact(user, case) {
                let _ = write!(
                    cell,
                    " <form class=\"inline\" method=\"post\" action=\"{}\">{}<button id=\"show-contact\">显示完整号码 Show full number</button></form>",
                    action("contact"),
                    user.csrf_field()
                );
            }
            cell
        }
    };
    let overdue = if web.is_overdue(case, now) {
        " <span class=\"bad\">逾期 Overdue</span>"
    } else {
        ""
    };
    let mut body = format!(
        "<h1>{kind} <span id=\"case-key\">{key}</span></h1><div class=\"card\"><dl class=\"facts\">\
         <dt>状态 Status</dt><dd id=\"case-status\">{status}</dd>\
         <dt>站点 Site</dt><dd>{site}</dd><dt>设备 Device</dt><dd>{device}</dd>\
         <dt>关于 About</dt><dd>{about}</dd>\
         <dt>收到 Received</dt><dd>{received}</dd><dt>期限 Deadline</dt><dd>{deadline}{overdue}</dd>\
         <dt>承办人 Assignee</dt><dd id=\"case-assignee\">{assignee}</dd>\
         <dt>回电号码 Callback</dt><dd>{contact}</dd>\
         <dt>内容 Text</dt><dd id=\"case-text\">{text}</dd>\
         <dt>答复 Reply</dt><dd id=\"case-reply\">{reply}</dd>{closed}</dl></div>",
        kind = CaseKind::of(&r.complaint.text).label(),
        key = esc(&r.key),
        status = status_cell(r.status),
        site = esc(&r.site),
        device = esc(&r.device),
        about = esc(&r.complaint.about),
        received = esc(&local_minute(r.received)),
        deadline = web.deadline(r.received),
        assignee = esc(case.assignee.as_deref().unwrap_or("-")),
        text = esc(text_without_mark(&r.complaint.text)),
        reply = case.reply.as_deref().map_or_else(
            || "-".to_owned(),
            |reply| format!(
                "{} <span class=\"muted\">{}</span>",
                esc(reply),
                case.replied.map(local_minute).unwrap_or_default()
            )
        ),
        closed = case
            .closed
            .map(|t| format!("<dt>办结 Closed</dt><dd>{}</dd>", esc(&local_minute(t))))
            .unwrap_or_default(),
    );
    let csrf = user.csrf_field();
    if matches!(
        r.status,
        ComplaintStatus::Received | ComplaintStatus::Assigned
    ) {
        let staff = state.store().staff_list().await?;
        let mut options = String::new();
        for account in staff
            .iter()
            .filter(|a| a.site.as_deref().is_none_or(|s| s == r.site))
        {
            let selected = if case.assignee.as_deref() == Some(account.user.as_str()) {
                " selected"
            } else {
                ""
            };
            let _ = write!(
                options,
                "<option value=\"{0}\"{selected}>{0}</option>",
                esc(&account.user)
            );
        }
        let _ = write!(
            body,
            "<h2>分派 Assign</h2><form class=\"inline\" method=\"post\" action=\"{}\">{csrf}\
             <select id=\"assignee\" name=\"assignee\">{options}</select>\
             <button id=\"assign\">分派 Assign</button></form>",
            action("assign")
        );
    }
    if r.status == ComplaintStatus::Assigned {
        let _ = write!(
            body,
            "<h2>答复 Reply</h2><form method=\"post\" action=\"{}\">{csrf}\
             <p class=\"muted\">答复内容可凭受理码公开查询，请勿写入个人信息。The reply is shown to whoever looks up \
             the receipt code: write no personal data in it.</p>\
             <textarea id=\"reply\" name=\"reply\" maxlength=\"{MAX_REPLY_CHARS}\" required></textarea>\
             <p><button id=\"send-reply\">记录答复 Record the reply</button></p></form>",
            action("reply")
        );
    }
    if r.status == ComplaintStatus::Replied {
        let _ = write!(
            body,
            "<h2>办结 Close</h2><form method=\"post\" action=\"{}\">{csrf}\
             <button id=\"close\">办结 Close</button></form>",
            action("close")
        );
    }
    body.push_str("<p><a href=\"/staff/complaints\">← 返回列表 Back to the list</a></p>");
    Ok(layout(user, Nav::Complaints, &r.key, &body))
}

#[derive(Deserialize)]
pub(super) struct ActionForm {
    csrf: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    reply: String,
}

/// `POST /staff/complaints/{key}/{action}`: assign, reply, close, or show the full contact.
pub(super) async fn act(
    State(state): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
    Path((key, action)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Result<Response, WebError> {
    user.check_post(&headers, &form.csrf)?;
    let case = visible_case(&state, &user, &key).await?;
    let now = state.now();
    let target = format!("complaint {key}");
    let (change, audit) = match action.as_str() {
        "assign" => {
            let assignee = form.assignee.trim().to_owned();
            let account = state
                .store()
                .staff(assignee.clone())
                .await?
                .filter(|a| a.site.as_deref().is_none_or(|s| s == case.record.site))
                .ok_or_else(|| {
                    WebError::bad_request(format!(
                        "无此工作人员或其不负责该站点 No such staff account for this site: {assignee:?}"
                    ))
                })?;
            let audit = AuditEntry::new(
                now,
                &user.user,
                "complaint_assign",
                &target,
                format!("to {}", account.user),
            );
            (CaseChange::Assign(account.user), audit)
        }
        "reply" => {
            let reply = form.reply.trim().to_owned();
            if reply.is_empty() || reply.chars().count() > MAX_REPLY_CHARS {
                return Err(WebError::bad_request(format!(
                    "答复须为 1 至 {MAX_REPLY_CHARS} 字 The reply must be 1 to {MAX_REPLY_CHARS} characters"
                )));
            }
            let audit = AuditEntry::new(
                now,
                &user.user,
                "complaint_reply",
                &target,
                format!("{} characters", reply.chars().count()),
            );
            (CaseChange::Reply(reply), audit)
        }
        "close" => (
            CaseChange::Close,
            AuditEntry::new(now, &user.user, "complaint_close", &target, ""),
        ),
        "contact" => {
            if !may_see_contact(&user, &case) {
                return Err(WebError::new(
                    StatusCode::FORBIDDEN,
                    "仅承办人与管理员可查看完整号码 Only the assignee and administrators see the full number",
                ));
            }
            state
                .store()
                .record_audit(AuditEntry::new(
                    now,
                    &user.user,
                    "complaint_contact_view",
                    &target,
                    "",
                ))
                .await?;
            return Ok(detail_page(&state, &user, &case, true)
                .await?
                .into_response());
        }
        _ => return Err(WebError::not_found()),
    };
    match state
        .store()
        .change_complaint(key.clone(), change, audit)
        .await?
    {
        CaseUpdate::Done => {
            Ok(Redirect::to(&format!("/staff/complaints/{}", url_value(&key))).into_response())
        }
        CaseUpdate::NotFound => Err(WebError::not_found()),
        CaseUpdate::WrongStatus(status) => Err(WebError::new(
            StatusCode::CONFLICT,
            format!(
                "当前状态为「{}」，不能进行此操作 The case is {}: this step is not possible now",
                status.zh(),
                status.en()
            ),
        )),
    }
}
