//! The applications made at the kiosk (法律援助, 人民调解, 公证预约), for staff:
//!
//! - `GET /staff/applications[?state=&site=]`: the inbox, open ones first (by the time limit of the
//!   next step), with the masked applicant, the state and the time limit, 逾期 Overdue when past;
//! - `GET /staff/applications/{code}`: one application, its envelope opened in memory: the
//!   applicant's full details (each view is audited, `application_view`), the answers with their
//!   labels, the documents with their pages as thumbnails, the signature, the steps, the time limit,
//!   and the decision form;
//! - `GET /staff/applications/{code}/pages/{n}` (`image/jpeg`) and `…/signature` (`image/png`), both
//!   `Cache-Control: no-store`;
//! - `POST /staff/applications/{code}/decide`: the next state (`ApplicationState::may_become`) with a
//!   note for the citizen, required for 需补充材料 Returned and 不予受理 Refused (what is missing; the
//!   reasons), at most 500 characters; CSRF-checked, audited (`application_decide`) in the decision's
//!   transaction.
//!
//! Administrators and supervisors see every site, a manager their own (another site's application
//! answers 404, also to the POST and the pictures); lawyers are refused by [`StaffUser`].

use std::{fmt::Write as _, sync::Arc};

use ::applications::{
    Application, ApplicationState, TrackingCode,
    form::{self, Choices, Field, FieldType},
    missing_documents,
};
use axum::{
    Form,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{Nav, StaffUser, WebError, esc, layout, table, time_fmt::local_minute, url_value};
use crate::{
    applications::OpenError,
    calendar::local_date,
    state::AppState,
    store::{ApplicationFilter, ApplicationRecord, AuditEntry, Decision, DecisionOutcome},
};

/// Applications listed at most.
const SHOWN: u32 = 500;
/// The longest note for the citizen, in characters.
const MAX_NOTE_CHARS: usize = 500;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    site: String,
}

fn state_tag(state: ApplicationState) -> String {
    format!(
        "<span class=\"tag app-{}\">{} {}</span>",
        state.as_str(),
        state.zh(),
        state.en()
    )
}

fn detail_path(code: &TrackingCode) -> String {
    format!("/staff/applications/{}", url_value(code.as_str()))
}

/// `GET /staff/applications`.
pub(super) async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let (open_only, wanted) = match query.state.as_str() {
        "" => (false, None),
        "open" => (true, None),
        name => (
            false,
            Some(ApplicationState::parse(name).ok_or_else(|| {
                WebError::bad_request(format!("未知状态 Unknown state {name:?}"))
            })?),
        ),
    };
    // A manager's list is their site's, whatever the query says.
    let site = user
        .site
        .clone()
        .or_else(|| (!query.site.is_empty()).then(|| query.site.clone()));
    let rows = state
        .store()
        .applications(ApplicationFilter {
            site: site.clone(),
            state: wanted,
            open_only,
            limit: SHOWN,
        })
        .await?;
    let today = local_date(state.now());
    let cells: Vec<(String, Vec<String>)> = rows
        .iter()
        .map(|r| {
            let overdue = r.is_overdue(today);
            let deadline = match r.deadline {
                None => "-".to_owned(),
                Some(by) if overdue => {
                    format!("{by} <span class=\"bad\">逾期 Overdue</span>")
                }
                Some(by) => by.to_string(),
            };
            (
                if overdue { "overdue" } else { "" }.to_owned(),
                vec![
                    format!(
                        "<a href=\"{}\">{}</a>",
                        detail_path(&r.code),
                        esc(r.code.as_str())
                    ),
                    r.kind.zh().to_owned(),
                    esc(&r.site),
                    format!("<span class=\"masked\">{}</span>", esc(&r.masked_name)),
                    esc(&local_minute(r.received)),
                    state_tag(r.state),
                    deadline,
                ],
            )
        })
        .collect();
    let mut filters = String::from(
        "<form class=\"inline\" method=\"get\" action=\"/staff/applications\">\
         <label for=\"state\">状态 State</label><select id=\"state\" name=\"state\">",
    );
    let selected = |on: bool| if on { " selected" } else { "" };
    let _ = write!(
        filters,
        "<option value=\"\"{}>全部 All</option><option value=\"open\"{}>未办结 Open</option>",
        selected(query.state.is_empty()),
        selected(open_only)
    );
    for s in ApplicationState::ALL {
        let _ = write!(
            filters,
            "<option value=\"{}\"{}>{} {}</option>",
            s.as_str(),
            selected(wanted == Some(s)),
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
            let _ = write!(
                filters,
                "<option value=\"{0}\"{1}>{0}</option>",
                esc(s),
                selected(site.as_deref() == Some(s.as_str()))
            );
        }
        filters.push_str("</select>");
    }
    filters.push_str("<button>筛选 Filter</button></form>");
    let overdue = rows.iter().filter(|r| r.is_overdue(today)).count();
    let body = format!(
        "<h1>申请 Applications</h1>\
         <p class=\"muted\">在终端提交的法律援助、人民调解和公证预约申请。Legal aid, mediation and notary \
         applications made at the kiosks.</p>{filters}\
         <p>{} 件 items; <span class=\"{}\" id=\"overdue-count\">{overdue} 件逾期 overdue</span>.</p>{}",
        rows.len(),
        if overdue > 0 { "bad" } else { "ok" },
        table(
            &[
                "申请码 Code",
                "类型 Kind",
                "站点 Site",
                "申请人 Applicant",
                "收到 Received",
                "状态 State",
                "期限 Deadline",
            ],
            &cells
        )
    );
    Ok(layout(&user, Nav::Applications, "申请 Applications", &body))
}

/// The application `code` as `user` may see it: 404 when there is none or it is another site's.
async fn visible(
    state: &AppState,
    user: &StaffUser,
    code: &str,
) -> Result<(TrackingCode, ApplicationRecord), WebError> {
    let code = TrackingCode::parse(code).ok_or_else(WebError::not_found)?;
    let record = state
        .store()
        .application(code.to_string())
        .await?
        .filter(|r| user.may_see(&r.row.site))
        .ok_or_else(WebError::not_found)?;
    Ok((code, record))
}

/// The stored application opened in memory.
async fn opened(state: &AppState, code: &TrackingCode) -> Result<Arc<Application>, WebError> {
    match state.opened_application(code).await {
        Ok(Some(application)) => Ok(application),
        Ok(None) => Err(WebError::not_found()),
        Err(OpenError::NoKey) => Err(WebError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "本中心未配置申请密钥，无法打开申请 This centre has no application key: the application cannot be opened",
        )),
        Err(OpenError::Store(err)) => Err(err.into()),
        Err(err @ OpenError::Unreadable { .. }) => {
            tracing::error!("{err}");
            Err(WebError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "申请无法打开：密钥文件是否被更换？ The stored application cannot be opened: was the key file replaced?",
            ))
        }
    }
}

/// An answer as staff read it: the label of a choice, 是/否, a number with its unit.
fn answer_text(field: &Field, value: &str) -> String {
    match field.field_type {
        FieldType::YesNo if value == "yes" => "是 Yes".to_owned(),
        FieldType::YesNo => "否 No".to_owned(),
        FieldType::Pledge => "已确认 Confirmed".to_owned(),
        FieldType::Choice(Choices::Fixed(_)) => esc(form::choice_label_zh(field, value)),
        // The lists of the published content (legal-aid matters, exempt groups): their labels are
        // the bundle's, so the id is shown, with the two answers this crate knows.
        FieldType::Choice(_) if value == form::NONE_OF_THESE => {
            "以上都不是 None of these".to_owned()
        }
        FieldType::Choice(_) if value == form::OTHER => "其他 Other".to_owned(),
        FieldType::Choice(_) => format!(
            "{} <span class=\"muted\">内容编号 content id</span>",
            esc(value)
        ),
        FieldType::Number { unit_zh, .. } => format!("{} {unit_zh}", esc(value)),
        _ => esc(value),
    }
}

/// The applicant, the answers, the documents with their pages, the signature.
fn application_html(code: &TrackingCode, app: &Application) -> String {
    let a = &app.applicant;
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "-".to_owned()
        } else {
            esc(s)
        }
    };
    let mut out = format!(
        "<h2>申请人 Applicant</h2><div class=\"card\"><dl class=\"facts\" id=\"applicant\">\
         <dt>姓名 Name</dt><dd id=\"applicant-name\">{name}</dd>\
         <dt>身份证号 ID number</dt><dd id=\"applicant-id\">{id}</dd>\
         <dt>性别 Sex</dt><dd>{sex}</dd><dt>民族 Ethnicity</dt><dd>{ethnicity}</dd>\
         <dt>出生日期 Born</dt><dd>{birth}</dd><dt>住址 Address</dt><dd>{address}</dd>\
         <dt>来源 Source</dt><dd>{source}</dd></dl></div>",
        name = esc(&a.name),
        id = esc(&a.id_number),
        sex = or_dash(&a.sex),
        ethnicity = or_dash(&a.ethnicity),
        birth = or_dash(&a.birth_date),
        address = or_dash(&a.address),
        source = if a.from_card {
            "读取身份证 Read from the ID card"
        } else {
            "手工填写 Typed"
        },
    );
    out.push_str(
        "<h2>申请内容 Answers</h2><div class=\"card\"><dl class=\"facts\" id=\"answers\">",
    );
    for field in app.answers.asked(app.kind) {
        let value = app.answers.get(field.id).map_or_else(
            || "<span class=\"muted\">未填 Not answered</span>".to_owned(),
            |v| answer_text(field, v),
        );
        let _ = write!(
            out,
            "<dt>{}</dt><dd class=\"answer\" data-field=\"{}\">{value}</dd>",
            esc(field.label_zh),
            esc(field.id)
        );
    }
    out.push_str("</dl></div><h2>材料 Documents</h2>");
    let missing = missing_documents(
        &app.documents,
        app.pages.iter().map(|p| p.document.as_str()),
    );
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|m| esc(&m.zh)).collect();
        let _ = write!(
            out,
            "<p class=\"bad\" id=\"missing\">缺少材料 Missing: {}</p>",
            names.join("；")
        );
    }
    let thumb = |n: usize, alt: &str| {
        let src = format!("{}/pages/{n}", detail_path(code));
        format!(
            "<a href=\"{src}\" target=\"_blank\" rel=\"noopener\"><img class=\"page\" src=\"{src}\" \
             alt=\"{} 第{n}页 page {n}\" loading=\"lazy\"></a>",
            esc(alt)
        )
    };
    let mut shown = vec![false; app.pages.len()];
    for doc in &app.documents {
        let mut thumbs = String::new();
        for (i, page) in app.pages.iter().enumerate() {
            if page.document == doc.id {
                shown[i] = true;
                thumbs.push_str(&thumb(i + 1, &doc.zh));
            }
        }
        if thumbs.is_empty() {
            thumbs.push_str("<span class=\"muted\">未拍摄 No page</span>");
        }
        let _ = write!(
            out,
            "<div class=\"card document\" data-document=\"{id}\"><p><strong>{zh}</strong> \
             <span class=\"muted\">{en}{required}</span></p><div class=\"pages\">{thumbs}</div></div>",
            id = esc(&doc.id),
            zh = esc(&doc.zh),
            en = esc(&doc.en),
            required = if doc.required {
                " · 必需 Required"
            } else {
                ""
            },
        );
    }
    let others: String = app
        .pages
        .iter()
        .enumerate()
        .filter(|(i, _)| !shown[*i])
        .map(|(i, p)| thumb(i + 1, &p.document))
        .collect();
    if !others.is_empty() {
        let _ = write!(
            out,
            "<div class=\"card document\"><p><strong>其他 Other pages</strong></p>\
             <div class=\"pages\">{others}</div></div>"
        );
    }
    if !app.signature_png.is_empty() {
        let _ = write!(
            out,
            "<h2>签名 Signature</h2><div class=\"card\"><img class=\"signature\" src=\"{}/signature\" \
             alt=\"申请人签名 The applicant's signature\"></div>",
            detail_path(code)
        );
    }
    out
}

/// `GET /staff/applications/{code}`: the envelope opened in memory; the view is audited.
pub(super) async fn detail(
    State(state): State<AppState>,
    user: StaffUser,
    Path(code): Path<String>,
) -> Result<Html<String>, WebError> {
    let (code, record) = visible(&state, &user, &code).await?;
    let application = opened(&state, &code).await?;
    let now = state.now();
    state
        .store()
        .record_audit(AuditEntry::new(
            now,
            &user.user,
            "application_view",
            format!("application {code}"),
            "",
        ))
        .await?;
    let row = &record.row;
    let status = record.status();
    let overdue = if row.is_overdue(local_date(now)) {
        " <span class=\"bad\">逾期 Overdue</span>"
    } else {
        ""
    };
    let deadline = status.deadline.as_ref().map_or_else(
        || "-".to_owned(),
        |d| {
            format!(
                "{by}{overdue}：{zh} {en} <span class=\"muted\">（{basis}）</span>",
                by = d.by,
                zh = esc(&d.zh),
                en = esc(&d.en),
                basis = esc(&d.basis_zh)
            )
        },
    );
    let mut body = format!(
        "<h1>{kind_zh} {kind_en} <span id=\"app-code\">{code}</span></h1>\
         <div class=\"card\"><dl class=\"facts\">\
         <dt>状态 State</dt><dd id=\"app-state\">{state_tag}</dd>\
         <dt>期限 Deadline</dt><dd id=\"app-deadline\">{deadline}</dd>\
         <dt>给申请人的说明 Note</dt><dd id=\"app-note\" class=\"note\">{note}</dd>\
         <dt>站点 Site</dt><dd>{site}</dd><dt>设备 Device</dt><dd>{device}</dd>\
         <dt>提交 Made</dt><dd>{made} <span class=\"muted\">终端时间 kiosk's clock</span></dd>\
         <dt>收到 Received</dt><dd>{received}</dd><dt>页数 Pages</dt><dd>{pages}</dd></dl></div>",
        kind_zh = row.kind.zh(),
        kind_en = row.kind.en(),
        code = esc(code.as_str()),
        state_tag = state_tag(row.state),
        note = row.note.as_deref().map_or_else(|| "-".to_owned(), esc),
        site = esc(&row.site),
        device = esc(&row.device),
        made = esc(&local_minute(application.made_at)),
        received = esc(&local_minute(row.received)),
        pages = application.pages.len(),
    );
    body.push_str(&application_html(&code, &application));
    body.push_str("<h2>办理记录 Steps</h2>");
    let steps: Vec<(String, Vec<String>)> = record
        .steps
        .iter()
        .map(|s| {
            (
                String::new(),
                vec![
                    esc(&local_minute(s.at)),
                    state_tag(s.state),
                    esc(&s.by),
                    s.note.as_deref().map_or_else(String::new, esc),
                ],
            )
        })
        .collect();
    body.push_str(&table(
        &["时间 Time", "状态 State", "经办 By", "说明 Note"],
        &steps,
    ));
    let next: Vec<ApplicationState> = ApplicationState::ALL
        .into_iter()
        .filter(|s| row.state.may_become(*s))
        .collect();
    if next.is_empty() {
        body.push_str("<p class=\"muted\">已结束，无后续步骤 Finished: no further step.</p>");
    } else {
        let mut options = String::new();
        for s in next {
            let _ = write!(
                options,
                "<option value=\"{}\">{} {}</option>",
                s.as_str(),
                s.zh(),
                s.en()
            );
        }
        let _ = write!(
            body,
            "<h2>决定 Decision</h2><form method=\"post\" action=\"{path}/decide\">{csrf}\
             <label for=\"next-state\">下一步 Next state</label>\
             <select id=\"next-state\" name=\"state\">{options}</select>\
             <label for=\"note\">给申请人的说明 Note for the applicant</label>\
             <p class=\"muted\">需补充材料时写明缺少什么，不予受理时写明理由（必填）。说明凭申请码公开可查，\
             请勿写入身份证号、电话等个人信息。 When returning, say what is missing; when refusing, give the \
             reasons (required). Whoever has the tracking code reads the note: write no ID or phone \
             numbers in it.</p>\
             <textarea id=\"note\" name=\"note\" maxlength=\"{MAX_NOTE_CHARS}\"></textarea>\
             <p><button id=\"decide\">记录决定 Record the decision</button></p></form>",
            path = detail_path(&code),
            csrf = user.csrf_field(),
        );
    }
    body.push_str("<p><a href=\"/staff/applications\">← 返回列表 Back to the list</a></p>");
    Ok(layout(&user, Nav::Applications, code.as_str(), &body))
}

fn picture(content_type: &'static str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /staff/applications/{code}/pages/{n}`: the `n`th page (from 1), as sent.
pub(super) async fn page_image(
    State(state): State<AppState>,
    user: StaffUser,
    Path((code, n)): Path<(String, usize)>,
) -> Result<Response, WebError> {
    let (code, _) = visible(&state, &user, &code).await?;
    let application = opened(&state, &code).await?;
    let page = n
        .checked_sub(1)
        .and_then(|i| application.pages.get(i))
        .ok_or_else(WebError::not_found)?;
    Ok(picture("image/jpeg", page.jpeg.clone()))
}

/// `GET /staff/applications/{code}/signature`.
pub(super) async fn signature(
    State(state): State<AppState>,
    user: StaffUser,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (code, _) = visible(&state, &user, &code).await?;
    let application = opened(&state, &code).await?;
    if application.signature_png.is_empty() {
        return Err(WebError::not_found());
    }
    Ok(picture("image/png", application.signature_png.clone()))
}

#[derive(Deserialize)]
pub(super) struct DecideForm {
    csrf: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    note: String,
}

/// `POST /staff/applications/{code}/decide`.
pub(super) async fn decide(
    State(state): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(form): Form<DecideForm>,
) -> Result<Response, WebError> {
    user.check_post(&headers, &form.csrf)?;
    let (code, _) = visible(&state, &user, &code).await?;
    let to = ApplicationState::parse(form.state.trim())
        .ok_or_else(|| WebError::bad_request(format!("未知状态 Unknown state {:?}", form.state)))?;
    let note = form.note.replace("\r\n", "\n");
    let note = note.trim();
    let chars = note.chars().count();
    if chars > MAX_NOTE_CHARS {
        return Err(WebError::bad_request(format!(
            "说明最多 {MAX_NOTE_CHARS} 字 The note is at most {MAX_NOTE_CHARS} characters ({chars} given)"
        )));
    }
    if note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(WebError::bad_request(
            "说明含有不能显示的字符 The note holds a control character",
        ));
    }
    if note.is_empty() && matches!(to, ApplicationState::Returned | ApplicationState::Refused) {
        return Err(WebError::bad_request(
            "需补充材料须写明缺少什么，不予受理须写明理由 A note is required: what is missing, or the reasons of the refusal",
        ));
    }
    let now = state.now();
    let audit = AuditEntry::new(
        now,
        &user.user,
        "application_decide",
        format!("application {code}"),
        format!("to {}; note {chars} characters", to.as_str()),
    );
    let decision = Decision {
        code: code.to_string(),
        to,
        note: (!note.is_empty()).then(|| note.to_owned()),
        by: user.user.clone(),
        at: now,
    };
    match state.store().decide_application(decision, audit).await? {
        DecisionOutcome::Done => Ok(Redirect::to(&detail_path(&code)).into_response()),
        DecisionOutcome::NotFound => Err(WebError::not_found()),
        DecisionOutcome::NotAllowed(current) => Err(WebError::new(
            StatusCode::CONFLICT,
            format!(
                "当前状态为「{}」，不能改为「{}」 The application is {}: it cannot become {}",
                current.zh(),
                to.zh(),
                current.en(),
                to.en()
            ),
        )),
    }
}
