//! The staff page, the phone status page and their assets, embedded in the binary.

use std::sync::Arc;

use axum::{
    Router,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};

use super::{ApiError, LanState, extract::ApiPath};
use queue::wire::routes::{PHONE_PAGE, STAFF_PAGE};

const STAFF_HTML: &str = include_str!("../../../assets/web/staff.html");
const STAFF_CSS: &str = include_str!("../../../assets/web/staff.css");
const STAFF_JS: &str = include_str!("../../../assets/web/staff.js");
const PHONE_HTML: &str = include_str!("../../../assets/web/phone.html");
const PHONE_CSS: &str = include_str!("../../../assets/web/phone.css");
const PHONE_JS: &str = include_str!("../../../assets/web/phone.js");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

const HTML: &str = "text/html; charset=utf-8";

pub(super) fn routes() -> Router<Arc<LanState>> {
    Router::new()
        .route(STAFF_PAGE, get(|| async { asset(STAFF_HTML, HTML) }))
        .route(
            "/assets/web/staff.css",
            get(|| async { asset(STAFF_CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/web/staff.js",
            get(|| async { asset(STAFF_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/web/phone.css",
            get(|| async { asset(PHONE_CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/web/phone.js",
            get(|| async { asset(PHONE_JS, "text/javascript; charset=utf-8") }),
        )
        .route(PHONE_PAGE, get(phone_page))
}

async fn phone_page(ApiPath(cap): ApiPath<String>) -> Result<Response, ApiError> {
    if cap.len() != 32 || !cap.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(ApiError::not_found("未找到此号 / no such ticket"));
    }
    let mut resp = asset(PHONE_HTML, HTML);
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
