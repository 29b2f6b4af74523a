//! `GET /staff/audit`: the audit log, newest first (administrators only).

use axum::{extract::State, response::Html};

use super::{Nav, StaffUser, WebError, esc, layout, table, time_fmt::local_minute};
use crate::state::AppState;

/// Entries shown.
const SHOWN: u32 = 500;

/// An action's label.
fn action_label(action: &str) -> &'static str {
    match action {
        "login" => "登录 Login",
        "login_failed" => "登录失败 Failed login",
        "logout" => "退出 Logout",
        "complaint_assign" => "分派 Assign",
        "complaint_reply" => "答复 Reply",
        "complaint_close" => "办结 Close",
        "complaint_contact_view" => "查看号码 Contact viewed",
        "alert_acknowledge" => "确认告警 Acknowledge alert",
        "alert_close" => "关闭告警 Close alert",
        "return_call" => "回访 Return call",
        _ => "其他 Other",
    }
}

/// `GET /staff/audit`.
pub(super) async fn page(
    State(state): State<AppState>,
    user: StaffUser,
) -> Result<Html<String>, WebError> {
    user.require_administrator()?;
    let entries = state.store().audit(SHOWN).await?;
    let rows: Vec<(String, Vec<String>)> = entries
        .iter()
        .map(|e| {
            let class = if e.action == "login_failed" {
                "bad"
            } else {
                ""
            };
            (
                class.to_owned(),
                vec![
                    esc(&local_minute(e.at)),
                    esc(&e.user),
                    format!(
                        "{} <span class=\"muted\">{}</span>",
                        action_label(&e.action),
                        esc(&e.action)
                    ),
                    esc(&e.target),
                    esc(&e.detail),
                ],
            )
        })
        .collect();
    let body = format!(
        "<h1>审计日志 Audit log</h1><p class=\"muted\">最近 {SHOWN} 条 The latest {SHOWN} entries, newest first.</p>{}",
        table(
            &[
                "时间 Time",
                "用户 User",
                "操作 Action",
                "对象 Target",
                "详情 Detail"
            ],
            &rows
        )
    );
    Ok(layout(&user, Nav::Audit, "审计日志 Audit", &body))
}
