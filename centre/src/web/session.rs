//! The staff's browser session: the session cookie, the logged-in user ([`StaffUser`], an extractor),
//! roles and site scoping, CSRF tokens and the Origin/Referer check of every POST.
//!
//! - The cookie `centre_session` holds a random token (256 bits); the store keeps only its SHA-256 and
//!   its expiry. `HttpOnly`, `SameSite=Strict`, `Path=/`, `Max-Age` = the session's lifetime, and
//!   `Secure` when [`super::WebSettings::secure_cookies`] is set (served over TLS).
//! - The CSRF token of a session is the SHA-256 of a fixed label and the session token: every POST
//!   form carries it in a hidden field `csrf`; a page cannot learn it without the HttpOnly cookie.
//! - Every POST must also come from this origin: `Origin` (or, without it, `Referer`) must name the
//!   host the request was sent to.

use axum::{
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
};
use sha2::{Digest as _, Sha256};

use super::html::esc;
use crate::{
    auth::{Role, token_sha256},
    error::StoreError,
    state::AppState,
};

/// The session cookie's name.
pub(super) const SESSION_COOKIE: &str = "centre_session";

/// A logged-in staff member, read from the session cookie. As an extractor it answers a request
/// without a valid, unexpired session with a redirect to `/staff/login`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    /// The login name.
    pub user: String,
    /// The role.
    pub role: Role,
    /// A manager's site; none: every site.
    pub site: Option<String>,
    /// The session token's CSRF token (for forms).
    pub csrf: String,
    /// The session token's hash (for logout).
    pub(super) token_sha256: String,
}

impl StaffUser {
    /// The hidden form field with this session's CSRF token: put it in every POST form.
    pub fn csrf_field(&self) -> String {
        format!(
            "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
            esc(&self.csrf)
        )
    }

    /// Whether this user may see items of `site` (a manager only their own).
    pub fn may_see(&self, site: &str) -> bool {
        self.site.as_deref().is_none_or(|own| own == site)
    }

    /// Refuses (403) anyone but an administrator.
    pub fn require_administrator(&self) -> Result<(), WebError> {
        if self.role == Role::Administrator {
            Ok(())
        } else {
            Err(WebError::new(
                StatusCode::FORBIDDEN,
                "仅限管理员 Administrators only",
            ))
        }
    }

    /// Checks a POST: the CSRF token sent in the form, and the Origin/Referer headers.
    pub fn check_post(&self, headers: &HeaderMap, csrf: &str) -> Result<(), WebError> {
        check_origin(headers)?;
        if !constant_time_eq(csrf.as_bytes(), self.csrf.as_bytes()) {
            return Err(WebError::new(
                StatusCode::FORBIDDEN,
                "表单已失效，请刷新页面后重试 The form has expired or is forged (CSRF token mismatch): reload the page and try again",
            ));
        }
        Ok(())
    }

    /// The role's label.
    pub fn role_label(&self) -> &'static str {
        role_label(self.role)
    }
}

/// A role's label, Chinese first.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Administrator => "管理员 Administrator",
        Role::Supervisor => "督导 Supervisor",
        Role::Manager => "站点负责人 Manager",
        Role::Lawyer => "律师 Lawyer",
    }
}

/// The CSRF token of a session token.
pub fn csrf_token(session_token: &str) -> String {
    hex::encode(Sha256::digest(
        format!("centre csrf v1\0{session_token}").as_bytes(),
    ))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The request's `Origin` (or `Referer`) must be this host: refuses cross-site POSTs even where a
/// browser does not honour `SameSite`.
pub(crate) fn check_origin(headers: &HeaderMap) -> Result<(), WebError> {
    let refuse = |why: &str| {
        WebError::new(
            StatusCode::FORBIDDEN,
            format!("跨站请求被拒绝 Cross-site request refused: {why}"),
        )
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refuse("no Host header"))?;
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refuse("neither Origin nor Referer is sent"))?;
    let rest = source
        .strip_prefix("http://")
        .or_else(|| source.strip_prefix("https://"))
        .ok_or_else(|| refuse("Origin is not http(s)"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(refuse("Origin names another site"))
    }
}

/// The session token in the request's cookies.
pub(super) fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// The `Set-Cookie` value of a new session.
pub(super) fn set_cookie(token: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub(super) fn clear_cookie(secure: bool) -> String {
    set_cookie("", 0, secure)
}

impl StaffUser {
    async fn read(parts: &Parts, state: &AppState) -> Result<Option<Self>, StoreError> {
        let Some(token) = session_cookie(&parts.headers) else {
            return Ok(None);
        };
        let hash = token_sha256(token);
        let session = state.store().session(hash.clone(), state.now()).await?;
        Ok(session.map(|s| Self {
            user: s.user,
            role: s.role,
            site: s.site,
            csrf: csrf_token(token),
            token_sha256: hash,
        }))
    }
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let user = Self::read(parts, state).await?.ok_or(WebError::Login)?;
        // A lawyer's account opens the call console and nothing else of the staff app.
        let path = parts.uri.path();
        if user.role == Role::Lawyer && !path.starts_with("/staff/calls") && path != "/staff/logout"
        {
            return Err(WebError::new(
                StatusCode::FORBIDDEN,
                "律师账号仅可使用视频接听台 A lawyer's account opens the call console (/staff/calls) only",
            ));
        }
        Ok(user)
    }
}

impl OptionalFromRequestParts<AppState> for StaffUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, WebError> {
        Ok(Self::read(parts, state).await?)
    }
}

/// An error answer of a page: a small HTML page with the status and the reason, or a redirect to the
/// login page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebError {
    /// No valid session: go to the login page (303).
    Login,
    /// A status and a reason for people.
    Page {
        /// The status.
        status: StatusCode,
        /// The reason.
        reason: String,
    },
}

impl WebError {
    /// An error page with `status` and `reason`.
    pub fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Self::Page {
            status,
            reason: reason.into(),
        }
    }

    /// `404`: also what a manager gets for another site's item.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "未找到 Not found")
    }

    /// `400` with a reason.
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, reason)
    }
}

impl From<StoreError> for WebError {
    fn from(err: StoreError) -> Self {
        tracing::error!("storage: {err}");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "存储暂不可用，请稍后再试 Storage unavailable, try again later",
        )
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            Self::Login => Redirect::to("/staff/login").into_response(),
            Self::Page { status, reason } => (
                status,
                Html(format!(
                    "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
                     <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                     <title>{code}</title><link rel=\"stylesheet\" href=\"/staff/style.css\"></head>\
                     <body><main><h1>{code}</h1><p class=\"error\">{reason}</p>\
                     <p><a href=\"/staff\">返回 Back</a></p></main></body></html>",
                    code = status.as_u16(),
                    reason = esc(&reason)
                )),
            )
                .into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn only_same_origin_posts_pass() {
        let ok = headers(&[("host", "centre:8480"), ("origin", "http://centre:8480")]);
        assert!(check_origin(&ok).is_ok());
        let referer = headers(&[
            ("host", "centre:8480"),
            ("referer", "https://centre:8480/staff/complaints"),
        ]);
        assert!(check_origin(&referer).is_ok());
        let other = headers(&[("host", "centre:8480"), ("origin", "http://evil:8480")]);
        assert!(check_origin(&other).is_err());
        let tricky = headers(&[("host", "centre"), ("origin", "http://centre.evil")]);
        assert!(check_origin(&tricky).is_err());
        assert!(check_origin(&headers(&[("host", "centre")])).is_err());
    }

    #[test]
    fn cookies_are_read_and_written() {
        let h = headers(&[("cookie", "a=1; centre_session=abc ; b=2")]);
        assert_eq!(session_cookie(&h), Some("abc"));
        assert_eq!(
            session_cookie(&headers(&[("cookie", "centre_session=")])),
            None
        );
        let set = set_cookie("abc", 60, true);
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
        assert!(set.contains("Path=/") && set.ends_with("; Secure"));
        assert!(!set_cookie("abc", 60, false).contains("Secure"));
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert_ne!(csrf_token("a"), token_sha256("a"));
    }
}
