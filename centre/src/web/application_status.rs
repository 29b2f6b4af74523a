//! The public status of an application made at the kiosk, by its tracking code (`S-XXXX-XXXX`):
//! `GET /api/v1/applications/{code}/status` (JSON, `applications::ApplicationStatus`: kind, state,
//! steps, the centre's note and the time limit of the next step) and the card the phone page
//! `GET /status?code=S-…` shows ([`card`], used by `receipts`). No login; the receipt lookup's limit
//! per client address (one budget for both kinds of code). No personal data: no name, number, answer
//! or page.

use std::fmt::Write as _;

use ::applications::{ApplicationStatus, TrackingCode};
use axum::{
    extract::{Path, State},
    http::Extensions,
    response::Response,
};

use super::{
    esc,
    public_lookup::{LookupError, client_ip, json_answer},
};
use crate::state::AppState;

/// Whether a typed code is meant as an application's tracking code (`S-…`), not a complaint's
/// receipt code (`T-…`).
pub(super) fn is_application_code(typed: &str) -> bool {
    typed.trim().starts_with(['S', 's'])
}

/// The status of the application `code` (typed as citizens type it), counted against the lookup
/// limit of `ip`.
pub(super) async fn lookup(
    state: &AppState,
    ip: Option<std::net::IpAddr>,
    code: &str,
) -> Result<ApplicationStatus, LookupError> {
    let web = state.web();
    web.limiter
        .check(ip, state.now(), web.settings.receipt_lookups_per_minute)
        .map_err(LookupError::Limited)?;
    let code = TrackingCode::parse(code).ok_or(LookupError::Malformed)?;
    let record = state
        .store()
        .application(code.to_string())
        .await
        .map_err(LookupError::Store)?
        .ok_or(LookupError::Unknown)?;
    Ok(record.status())
}

/// `GET /api/v1/applications/{code}/status`.
pub(super) async fn api(
    State(state): State<AppState>,
    extensions: Extensions,
    Path(code): Path<String>,
) -> Response {
    json_answer(
        lookup(&state, client_ip(&extensions), &code).await,
        "a tracking code looks like S-XXXX-XXXX (letters and digits without 0, 1, I, O)",
        "no application has this code",
    )
}

/// The phone page's card of an application: kind and code, the state in large type, the centre's
/// note, the time limit of the next step with its basis, and every step; Chinese first, English
/// second.
pub(super) fn card(status: &ApplicationStatus) -> String {
    let mut out = format!(
        "<div class=\"card\" id=\"result\"><p>{kind_zh}<br><small>{kind_en}</small><br>\
         <strong id=\"app-code\">{code}</strong></p>\
         <p class=\"status\" id=\"status\">{zh}<br>{en}</p>",
        kind_zh = status.kind.zh(),
        kind_en = status.kind.en(),
        code = esc(status.code.as_str()),
        zh = status.state.zh(),
        en = status.state.en(),
    );
    if let Some(note) = &status.note {
        let _ = write!(
            out,
            "<p>中心说明 Note from the centre:</p><p class=\"note\" id=\"note\">{}</p>",
            esc(note)
        );
    }
    if let Some(d) = &status.deadline {
        let _ = write!(
            out,
            "<p id=\"deadline\">下一步 Next step: {zh}<br>{en}<br>\
             期限 By: <strong>{by}</strong><br><small>依据 Basis: {basis}</small></p>",
            zh = esc(&d.zh),
            en = esc(&d.en),
            by = d.by,
            basis = esc(&d.basis_zh),
        );
    }
    out.push_str("<p>办理经过 Steps:</p><ol id=\"steps\">");
    for step in &status.steps {
        let _ = write!(
            out,
            "<li>{} {} {}</li>",
            step.on,
            step.state.zh(),
            step.state.en()
        );
    }
    out.push_str("</ol></div>");
    out
}
