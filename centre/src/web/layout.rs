//! The page shell every staff page uses: header (user and role, logout), navigation, the one style
//! sheet.
//!
//! A page is a handler that takes the logged-in [`StaffUser`] (a request without a valid session is
//! redirected to `/staff/login`), escapes everything it did not write itself with [`esc`], and wraps
//! its body in [`layout`]. POST forms carry [`StaffUser::csrf_field`], and their handler calls
//! [`StaffUser::check_post`] before it changes anything:
//!
//! ```
//! use axum::{extract::State, response::Html};
//! use centre::{
//!     AppState,
//!     web::{Nav, StaffUser, WebError, esc, layout},
//! };
//!
//! async fn reports_page(
//!     State(state): State<AppState>,
//!     user: StaffUser,
//! ) -> Result<Html<String>, WebError> {
//!     // A manager sees only their own site: filter with `user.site` / `user.may_see(site)`.
//!     let devices = state.store().devices().await?;
//!     let mut body = String::from("<h1>统计报表 Reports</h1><ul>");
//!     for device in devices.iter().filter(|d| user.may_see(&d.site)) {
//!         body.push_str(&format!("<li>{} ({})</li>", esc(&device.id), esc(&device.site)));
//!     }
//!     body.push_str("</ul>");
//!     body.push_str(&format!(
//!         "<form method=\"post\" action=\"/staff/reports\">{}<button>导出 Export</button></form>",
//!         user.csrf_field()
//!     ));
//!     Ok(layout(&user, Nav::Reports, "统计报表 Reports", &body))
//! }
//! # let _ = axum::Router::<AppState>::new().route("/staff/reports", axum::routing::get(reports_page));
//! ```
//!
//! A module with pages gives its routes as a `Router<AppState>`, merged with the others in
//! `server::app` (as `web::routes` is). Times are shown with `web::local_minute` (local time, UTC+8).

use std::fmt::Write as _;

use axum::response::Html;

use super::{html::esc, session::StaffUser};
use crate::auth::Role;

/// The sections of the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// 设备 Fleet: `/staff/fleet`.
    Fleet,
    /// 告警 Alerts: `/staff/alerts`.
    Alerts,
    /// 投诉建议 Complaints: `/staff/complaints`.
    Complaints,
    /// 申请 Applications: `/staff/applications` (legal aid, mediation, notary, made at the kiosk).
    Applications,
    /// 评价 Ratings: `/staff/ratings`.
    Ratings,
    /// 统计报表 Reports: `/staff/reports`.
    Reports,
    /// 预约 Bookings: `/staff/bookings`.
    Bookings,
    /// 审计日志 Audit: `/staff/audit` (administrators).
    Audit,
    /// 视频接听 Calls: `/staff/calls` (lawyers, supervisors, administrators).
    Calls,
    /// None of the above (e.g. the daily summary).
    Other,
}

impl Nav {
    /// Every section shown in the bar, with its path and label.
    pub const BAR: [(Self, &'static str, &'static str); 9] = [
        (Self::Fleet, "/staff/fleet", "设备 Fleet"),
        (Self::Alerts, "/staff/alerts", "告警 Alerts"),
        (Self::Complaints, "/staff/complaints", "投诉建议 Complaints"),
        (
            Self::Applications,
            "/staff/applications",
            "申请 Applications",
        ),
        (Self::Ratings, "/staff/ratings", "评价 Ratings"),
        (Self::Bookings, "/staff/bookings", "预约 Bookings"),
        (Self::Reports, "/staff/reports", "统计报表 Reports"),
        (Self::Calls, "/staff/calls", "视频接听 Calls"),
        (Self::Audit, "/staff/audit", "审计日志 Audit"),
    ];
}

/// A complete staff page: `title` (plain text, escaped here), the navigation with `current`
/// highlighted, and `body` (HTML, already escaped by the caller).
pub fn layout(user: &StaffUser, current: Nav, title: &str, body: &str) -> Html<String> {
    let mut nav = String::new();
    for (section, path, label) in Nav::BAR {
        if section == Nav::Audit && user.role != Role::Administrator {
            continue;
        }
        if section == Nav::Calls && !user.role.takes_calls() {
            continue;
        }
        if user.role == Role::Lawyer && section != Nav::Calls {
            continue;
        }
        let class = if section == current {
            " class=\"current\" aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(nav, "<a href=\"{path}\"{class}>{label}</a>");
    }
    let site = user
        .site
        .as_deref()
        .map(|s| format!(" · {}", esc(s)))
        .unwrap_or_default();
    Html(format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · 公共法律服务中心 Centre</title>\
         <link rel=\"stylesheet\" href=\"/staff/style.css\"></head><body>\
         <header><span class=\"brand\">公共法律服务中心 Legal Service Centre</span>\
         <span class=\"who\"><span id=\"user\">{user}</span> · <span id=\"role\">{role}</span>{site} \
         <form method=\"post\" action=\"/staff/logout\">{csrf}<button id=\"logout\">退出 Log out</button></form>\
         </span></header><nav>{nav}</nav><main>{body}</main></body></html>",
        title = esc(title),
        user = esc(&user.user),
        role = user.role_label(),
        csrf = user.csrf_field(),
    ))
}
