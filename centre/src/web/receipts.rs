//! The public status lookup by receipt code (the complaint's reference `T-XXXX-XXXX`, its outbox
//! idempotency key): `GET /api/v1/receipts/{code}` (JSON, for the kiosk's screen) and the phone page
//! `GET /status[?code=…]`, which also takes an application's tracking code (`S-XXXX-XXXX`, its card
//! from [`super::application_status`]), so one address serves both kinds of code. No login;
//! rate-limited per client address (429 with `Retry-After`), one budget for both. No answer holds
//! personal data: no contact, no text beyond the kind, no applicant.

use std::net::IpAddr;

use axum::{
    extract::{Path, Query, State},
    http::{Extensions, StatusCode},
    response::{Html, IntoResponse, Response},
};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::{
    case_rules::CaseKind,
    esc,
    public_lookup::{LookupError, client_ip, json_answer, too_many},
};
use crate::{
    state::AppState,
    store::{ComplaintCase, ComplaintStatus},
};

/// The alphabet of reference codes (no 0, 1, I, O).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// The code in its canonical form (trimmed, upper case) when it is a well-formed complaint reference
/// `T-XXXX-XXXX`.
pub fn parse_code(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    let bytes = code.as_bytes();
    let ok = bytes.len() == 11
        && bytes[0] == b'T'
        && bytes[1] == b'-'
        && bytes[6] == b'-'
        && bytes
            .iter()
            .enumerate()
            .filter(|(i, _)| ![0, 1, 6].contains(i))
            .all(|(_, b)| ALPHABET.contains(b));
    ok.then_some(code)
}

/// The lookup's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptStatus {
    /// The code.
    pub code: String,
    /// `complaint` or `suggestion`.
    pub kind: &'static str,
    /// `received`, `assigned`, `replied` or `closed`.
    pub status: ComplaintStatus,
    /// The status in Chinese.
    pub status_zh: &'static str,
    /// The status in English.
    pub status_en: &'static str,
    /// When the centre received it (RFC 3339).
    pub received: String,
    /// The reply deadline.
    pub deadline: NaiveDate,
    /// The reply, once recorded.
    pub reply: Option<String>,
}

async fn lookup(
    state: &AppState,
    ip: Option<IpAddr>,
    code: &str,
) -> Result<ReceiptStatus, LookupError> {
    let web = state.web();
    web.limiter
        .check(ip, state.now(), web.settings.receipt_lookups_per_minute)
        .map_err(LookupError::Limited)?;
    let code = parse_code(code).ok_or(LookupError::Malformed)?;
    let case = state
        .store()
        .complaint_case(code.clone())
        .await
        .map_err(LookupError::Store)?
        .ok_or(LookupError::Unknown)?;
    Ok(status_of(state, code, &case))
}

fn status_of(state: &AppState, code: String, case: &ComplaintCase) -> ReceiptStatus {
    let r = &case.record;
    let received: DateTime<Utc> = r.received;
    ReceiptStatus {
        code,
        kind: CaseKind::of(&r.complaint.text).as_str(),
        status: r.status,
        status_zh: r.status.zh(),
        status_en: r.status.en(),
        received: received.to_rfc3339_opts(SecondsFormat::Secs, true),
        deadline: state.web().settings.deadline(r.received),
        reply: case
            .reply
            .clone()
            .filter(|_| matches!(r.status, ComplaintStatus::Replied | ComplaintStatus::Closed)),
    }
}

/// `GET /api/v1/receipts/{code}`.
pub(super) async fn api(
    State(state): State<AppState>,
    extensions: Extensions,
    Path(code): Path<String>,
) -> Response {
    json_answer(
        lookup(&state, client_ip(&extensions), &code).await,
        "a receipt code looks like T-XXXX-XXXX (letters and digits without 0, 1, I, O)",
        "no complaint or suggestion has this code",
    )
}

#[derive(Deserialize)]
pub(super) struct StatusQuery {
    code: Option<String>,
}

fn phone_page(code: &str, content: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>办理进度查询 Status lookup</title><link rel=\"stylesheet\" href=\"/staff/style.css\"></head>\
         <body><main class=\"public\"><h1>办理进度查询<br><small>Status lookup</small></h1>\
         <p class=\"muted\">投诉建议的受理码（T-开头）或法律援助、人民调解、公证预约的申请码（S-开头）。\
         The receipt code of a complaint (T-…) or the tracking code of an application (S-…).</p>\
         <form method=\"get\" action=\"/status\"><label for=\"code\">受理码或申请码 Receipt or tracking code</label>\
         <input id=\"code\" name=\"code\" value=\"{}\" placeholder=\"T-XXXX-XXXX / S-XXXX-XXXX\" autocapitalize=\"characters\" required>\
         <button id=\"lookup\">查询 Look up</button></form>{content}</main></body></html>",
        esc(code)
    ))
}

/// The phone page's card of a complaint or suggestion.
fn complaint_card(s: &ReceiptStatus) -> String {
    let reply = s.reply.as_deref().map_or_else(String::new, |reply| {
        format!("<p>答复 Reply:</p><p id=\"reply\">{}</p>", esc(reply))
    });
    format!(
        "<div class=\"card\" id=\"result\"><p>{kind} <strong>{code}</strong></p>\
         <p class=\"status\" id=\"status\">{zh}<br>{en}</p>\
         <p>收到 Received: {received}<br>答复期限 Reply by: {deadline}</p>{reply}</div>",
        kind = if s.kind == CaseKind::Suggestion.as_str() {
            CaseKind::Suggestion.label()
        } else {
            CaseKind::Complaint.label()
        },
        code = esc(&s.code),
        zh = s.status_zh,
        en = s.status_en,
        received = esc(&super::time_fmt::local_minute(
            DateTime::parse_from_rfc3339(&s.received)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        )),
        deadline = s.deadline,
    )
}

/// `GET /status[?code=…]`: the phone page, for a complaint's receipt code or an application's
/// tracking code.
pub(super) async fn page(
    State(state): State<AppState>,
    extensions: Extensions,
    Query(query): Query<StatusQuery>,
) -> Response {
    let Some(code) = query.code else {
        return phone_page("", "").into_response();
    };
    let message = |status: StatusCode, zh: &str, en: &str| {
        (
            status,
            phone_page(
                &code,
                &format!("<p class=\"error\" id=\"result\">{zh}<br>{en}</p>"),
            ),
        )
            .into_response()
    };
    let ip = client_ip(&extensions);
    let card = if super::application_status::is_application_code(&code) {
        super::application_status::lookup(&state, ip, &code)
            .await
            .map(|s| super::application_status::card(&s))
    } else {
        lookup(&state, ip, &code).await.map(|s| complaint_card(&s))
    };
    match card {
        Ok(card) => phone_page(&code, &card).into_response(),
        Err(LookupError::Malformed) => message(
            StatusCode::BAD_REQUEST,
            "编码格式不正确：受理码为 T-XXXX-XXXX，申请码为 S-XXXX-XXXX。",
            "A receipt code looks like T-XXXX-XXXX, a tracking code like S-XXXX-XXXX.",
        ),
        Err(LookupError::Unknown) => message(
            StatusCode::NOT_FOUND,
            "未找到该编码。刚提交的意见或申请可能需要几分钟才能查到。",
            "No item has this code. A new one may take a few minutes to arrive.",
        ),
        Err(LookupError::Limited(secs)) => too_many(
            secs,
            message(
                StatusCode::TOO_MANY_REQUESTS,
                "查询过于频繁，请稍后再试。",
                "Too many lookups, try again in a minute.",
            ),
        ),
        Err(LookupError::Store(err)) => {
            tracing::error!("storage: {err}");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                "系统繁忙，请稍后再试。",
                "Storage unavailable, try again later.",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_code;

    #[test]
    fn codes_are_checked_and_normalised() {
        assert_eq!(parse_code(" t-abcd-efgh ").as_deref(), Some("T-ABCD-EFGH"));
        assert_eq!(parse_code("T-2345-6789").as_deref(), Some("T-2345-6789"));
        assert_eq!(parse_code("T-ABCD-EFG0"), None, "no 0");
        assert_eq!(parse_code("P-ABCD-EFGH"), None, "ratings have no status");
        assert_eq!(parse_code("T-ABCDEFGH"), None);
        assert_eq!(parse_code(""), None);
    }
}
