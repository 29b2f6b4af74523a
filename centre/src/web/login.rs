//! `GET/POST /staff/login`, `POST /staff/logout`, and `/staff` (to the fleet).

use axum::{
    Form,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    html::esc,
    session::{StaffUser, WebError, check_origin, clear_cookie, set_cookie},
};
use crate::{
    auth::{new_token, token_sha256},
    state::{AppState, LoginCheck},
    store::AuditEntry,
};

fn login_page(error: Option<&str>) -> Html<String> {
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"login-error\">{}</p>", esc(e)))
        .unwrap_or_default();
    Html(format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>登录 Log in · 公共法律服务中心 Centre</title>\
         <link rel=\"stylesheet\" href=\"/staff/style.css\"></head><body>\
         <header><span class=\"brand\">公共法律服务中心 Legal Service Centre</span></header>\
         <main><div class=\"card login\"><h1>工作人员登录 Staff login</h1>{error}\
         <form method=\"post\" action=\"/staff/login\">\
         <label for=\"user\">用户名 User</label><input id=\"user\" name=\"user\" autocomplete=\"username\" required>\
         <label for=\"password\">密码 Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <p><button id=\"login\">登录 Log in</button></p></form></div></main></body></html>"
    ))
}

/// `GET /staff/login`.
pub(super) async fn form(user: Option<StaffUser>) -> Response {
    if let Some(user) = user {
        return Redirect::to(start_page(user.role)).into_response();
    }
    login_page(None).into_response()
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    user: String,
    password: String,
}

/// `POST /staff/login`: checks the password, creates a session, sets the cookie, audits.
pub(super) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    check_origin(&headers)?;
    let now = state.now();
    let account = match state.try_login(&form.user, form.password).await? {
        LoginCheck::Accepted(account) => Some(account),
        LoginCheck::Refused => None,
        LoginCheck::Locked { until } => {
            let secs = LoginCheck::retry_after_secs(until, now);
            let minutes = (secs + 59) / 60;
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                login_page(Some(&format!(
                    "该账号密码错误次数过多，请 {minutes} 分钟后再试 \
                     Too many wrong passwords for this account: try again in {minutes} min"
                ))),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            return Ok(response);
        }
    };
    let Some(account) = account else {
        let tried: String = form.user.chars().take(64).collect();
        state
            .store()
            .record_audit(AuditEntry::new(now, tried, "login_failed", "", "web"))
            .await?;
        return Ok((
            StatusCode::UNAUTHORIZED,
            login_page(Some("用户名或密码错误 Wrong user or password")),
        )
            .into_response());
    };
    let token = new_token();
    let ttl = state.session_ttl();
    state
        .store()
        .create_session(token_sha256(&token), account.user.clone(), now, now + ttl)
        .await?;
    state
        .store()
        .record_audit(AuditEntry::new(now, &account.user, "login", "", "web"))
        .await?;
    let cookie = set_cookie(
        &token,
        ttl.num_seconds(),
        state.web().settings.secure_cookies,
    );
    let mut response = Redirect::to(start_page(account.role)).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    csrf: String,
}

/// `POST /staff/logout`: ends the session, clears the cookie, audits.
pub(super) async fn logout(
    State(state): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    user.check_post(&headers, &form.csrf)?;
    state
        .store()
        .delete_session(user.token_sha256.clone())
        .await?;
    state
        .store()
        .record_audit(AuditEntry::new(state.now(), &user.user, "logout", "", ""))
        .await?;
    let mut response = Redirect::to("/staff/login").into_response();
    if let Ok(value) = HeaderValue::from_str(&clear_cookie(state.web().settings.secure_cookies)) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `GET /staff`.
pub(super) async fn home(user: Option<StaffUser>) -> Redirect {
    Redirect::to(user.map_or("/staff/fleet", |u| start_page(u.role)))
}

/// Where a role starts: a lawyer at the call console, everyone else at the fleet.
fn start_page(role: crate::auth::Role) -> &'static str {
    if role == crate::auth::Role::Lawyer {
        "/staff/calls"
    } else {
        "/staff/fleet"
    }
}

/// `GET /staff/style.css`: the one style sheet, embedded in the binary.
pub(super) async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("style.css"),
    )
}
