//! The lawyer's call console (`/staff/calls`, its script `/staff/calls.js`) and the citizen's advice
//! page (`/advice/{token}`, reached by the QR code printed after the call).
//!
//! The console is one page: availability, the calls offered to this lawyer (site, topic, masked name,
//! waiting time, why it is offered), the call (the kiosk's picture large, the own picture small,
//! hang-up), the advice form after the call, and the calls of the last days. Its live parts are
//! driven by `calls.js` over the WebSocket `/staff/calls/ws` ([`console_socket`]: the session cookie,
//! from this origin only).

use std::fmt::Write as _;

use axum::{
    extract::{
        Path, State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use videocall::wire::{CentreToLawyer, LawyerMessage, MAX_MESSAGE_BYTES};

use super::{Nav, StaffUser, WebError, esc, layout, local_minute};
use crate::{
    calls::socket::{PING_EVERY, close, send},
    state::AppState,
    store::AuditEntry,
};

const SCRIPT: &str = include_str!("assets/calls.js");

/// `GET /staff/calls.js`.
pub(super) async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// The call-backs shown: the open ones and the last done ones.
const CALLBACKS_SHOWN: u32 = 100;
/// The kiosks' call records shown.
const RECORDS_SHOWN: u32 = 30;

/// The call-back list: open ones first with their deadline (one working day), the number masked
/// unless `reveal` names the one to show in full (audited by the caller).
async fn callbacks_table(
    state: &AppState,
    user: &StaffUser,
    reveal: Option<i64>,
) -> Result<String, WebError> {
    let list = state.store().callbacks(true, CALLBACKS_SHOWN).await?;
    let web = &state.web().settings;
    let today = state
        .now()
        .with_timezone(&crate::calendar::local_offset())
        .date_naive();
    let mut rows = String::new();
    for c in list.iter().filter(|c| user.may_see(&c.site)) {
        let received_day = c
            .received
            .with_timezone(&crate::calendar::local_offset())
            .date_naive();
        let deadline = web.working_days.deadline(received_day, 1);
        let overdue = c.done.is_none() && today > deadline;
        let phone = if reveal == Some(c.id) {
            format!("<span class=\"full-phone\">{}</span>", esc(&c.phone))
        } else {
            esc(&content::video_call::mask_phone(&c.phone))
        };
        let action = |what: &str, label: &str| {
            format!(
                "<form class=\"inline\" method=\"post\" action=\"/staff/calls/callbacks/{}/{what}\">{}<button>{label}</button></form>",
                c.id,
                user.csrf_field()
            )
        };
        let state_cell = match &c.done {
            Some((at, by)) => format!("已回电 Done · {} · {}", esc(&local_minute(*at)), esc(by)),
            None => format!(
                "{}{}",
                if reveal == Some(c.id) {
                    String::new()
                } else {
                    action("reveal", "显示号码 Show number")
                },
                action("done", "已回电 Mark done")
            ),
        };
        let _ = write!(
            rows,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td></tr>",
            if overdue { "overdue" } else { "" },
            esc(&local_minute(c.received)),
            esc(&c.site),
            esc(&c.topic),
            c.reason.label(),
            phone,
            esc(&deadline.to_string()),
            if overdue {
                " <span class=\"bad\">逾期 Overdue</span>"
            } else {
                ""
            },
            state_cell,
        );
    }
    if rows.is_empty() {
        rows.push_str("<tr><td colspan=\"7\">暂无 None</td></tr>");
    }
    Ok(format!(
        "<table id=\"callbacks\"><thead><tr><th>收到 Received</th><th>站点 Site</th><th>事项 Topic</th>\
         <th>原因 Reason</th><th>电话 Phone</th><th>期限 Deadline</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
    ))
}

/// The kiosks' records of their calls, newest first.
async fn records_table(state: &AppState) -> Result<String, WebError> {
    let mut rows = String::new();
    for row in state.store().video_calls(RECORDS_SHOWN).await? {
        let r = &row.record;
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} 秒 s</td><td>{} 秒 s</td><td>{}</td><td>{}</td></tr>",
            esc(&local_minute(row.created)),
            esc(&row.site),
            esc(&r.topic),
            r.outcome.label(),
            esc(r.lawyer.as_deref().unwrap_or("—")),
            r.waited_secs,
            r.talk_secs,
            if r.advice { "✓" } else { "" },
            r.rating
                .map_or_else(|| "—".to_owned(), |s| format!("{s}/5")),
        );
    }
    if rows.is_empty() {
        rows.push_str("<tr><td colspan=\"9\">暂无 None yet</td></tr>");
    }
    Ok(format!(
        "<table id=\"records\"><thead><tr><th>时间 Time</th><th>站点 Site</th><th>事项 Topic</th><th>结果 Outcome</th>\
         <th>律师 Lawyer</th><th>等待 Waited</th><th>通话 Talked</th><th>建议 Advice</th><th>评价 Rating</th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    ))
}

#[derive(serde::Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

/// `POST /staff/calls/callbacks/{id}/{reveal,done}`: the full number (audited), or done.
pub(super) async fn callback_action(
    State(state): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
    Path((id, action)): Path<(i64, String)>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Result<Response, WebError> {
    if !user.role.takes_calls() {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            "仅限律师、督导和管理员 Lawyers, supervisors and administrators only",
        ));
    }
    user.check_post(&headers, &form.csrf)?;
    let now = state.now();
    let target = format!("callback {id}");
    match action.as_str() {
        "reveal" => {
            let exists = state
                .store()
                .callbacks(true, CALLBACKS_SHOWN)
                .await?
                .iter()
                .any(|c| c.id == id && user.may_see(&c.site));
            if !exists {
                return Err(WebError::not_found());
            }
            state
                .store()
                .record_audit(AuditEntry::new(
                    now,
                    &user.user,
                    "callback_phone_view",
                    &target,
                    "",
                ))
                .await?;
            let table = callbacks_table(&state, &user, Some(id)).await?;
            Ok(layout(
                &user,
                Nav::Calls,
                "回电登记 Call-backs",
                &format!("<h1>回电登记 Call-backs</h1>{table}<p><a href=\"/staff/calls\">返回 Back</a></p>"),
            )
            .into_response())
        }
        "done" => {
            let audit = AuditEntry::new(now, &user.user, "callback_done", &target, "");
            if state
                .store()
                .complete_callback(id, user.user.clone(), now, audit)
                .await?
            {
                Ok(axum::response::Redirect::to("/staff/calls").into_response())
            } else {
                Err(WebError::new(
                    StatusCode::CONFLICT,
                    "已经标记为已回电，或不存在 Already done, or no such call-back",
                ))
            }
        }
        _ => Err(WebError::not_found()),
    }
}

/// `GET /staff/calls`.
pub(super) async fn page(
    State(state): State<AppState>,
    user: StaffUser,
) -> Result<Html<String>, WebError> {
    if !user.role.takes_calls() {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            "仅限律师、督导和管理员 Lawyers, supervisors and administrators only",
        ));
    }
    let hub = state.calls();
    let recorded = if hub.recorded() {
        "本中心的通话会录音录像，群众在拨打前已被告知。 Calls are recorded; citizens are told before they call."
    } else {
        "通话不录音录像。 Calls are not recorded."
    };
    let callbacks = callbacks_table(&state, &user, None).await?;
    let records = records_table(&state).await?;
    let body = format!(
        "<h1>视频接听 Video calls</h1>\
         <p class=\"hint\">{recorded} 群众等待 {timeout} 秒无人接听时，终端会提供12348热线和回电登记。 \
         A caller waiting {timeout} s is offered the 12348 hotline and a call-back.</p>\
         <p><label><input type=\"checkbox\" id=\"available\"> 可接听 Available for calls</label> · \
         在线律师 Lawyers online: <span id=\"online\">0</span></p>\
         <p id=\"status\" role=\"status\">正在连接… Connecting…</p>\
         <section id=\"incall\" hidden><h2>通话中 In a call: <span id=\"who\"></span></h2>\
         <p id=\"weak\" class=\"error\" hidden>终端网络较差，已切换为仅语音 The kiosk's link is weak: audio only</p>\
         <div class=\"call\"><video id=\"remote\" autoplay playsinline></video>\
         <video id=\"local\" autoplay playsinline muted></video></div>\
         <p><button id=\"hangup\" class=\"danger\">挂断 Hang up</button></p></section>\
         <section id=\"advice-form\" hidden><h2>建议摘要 Advice summary · <span id=\"advice-call\"></span></h2>\
         <p class=\"hint\">群众可打印或扫码查看，请用通俗的语言写明建议和下一步。 The citizen prints it or opens it \
         on the phone: plain words, advice and next steps.</p>\
         <textarea id=\"advice\" rows=\"6\" maxlength=\"2000\"></textarea>\
         <p><button id=\"save-advice\">保存并发送 Save and send</button> <span id=\"advice-status\"></span> \
         <a id=\"advice-link\" href=\"#\" target=\"_blank\" rel=\"noopener\">查看 View</a></p></section>\
         <h2>等待接听 Waiting calls</h2>\
         <table><thead><tr><th>站点 Site</th><th>事项 Topic</th><th>来电人 Caller</th><th>已等待 Waited</th>\
         <th>转接原因 Offered as</th><th></th></tr></thead><tbody id=\"calls\"></tbody></table>\
         <p id=\"no-calls\">暂无来电 No calls waiting</p>\
         <h2>回电登记 Call-backs</h2>\
         <p class=\"hint\">无人接听或连不上中心时群众留下的号码，请在期限内回电。 Numbers left when nobody could \
         answer: call back by the deadline.</p>{callbacks}\
         <h2>最近通话 Recent calls</h2>{records}\
         <script src=\"/staff/calls.js\"></script>",
        timeout = hub.answer_timeout_secs(),
    );
    Ok(layout(&user, Nav::Calls, "视频接听 Video calls", &body))
}

/// `GET /advice/{token}`: a lawyer's advice summary for the citizen's phone.
pub(super) async fn advice(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(note) = state.calls().advice().get(&token, state.now()) else {
        return WebError::new(
            StatusCode::NOT_FOUND,
            "未找到，或已超过30天 Not found, or older than 30 days",
        )
        .into_response();
    };
    let text: String = note
        .text
        .lines()
        .map(|line| format!("<p>{}</p>", esc(line)))
        .collect();
    Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>律师建议 Lawyer's advice</title><link rel=\"stylesheet\" href=\"/staff/style.css\"></head>\
         <body><main><h1>律师建议摘要 Lawyer's advice</h1>\
         <p>{lawyer} · {topic} · {site} · {when}</p><section id=\"advice\">{text}</section>\
         <p class=\"hint\">本建议依据通话中了解的情况作出，仅供参考；如需进一步帮助，请拨打12348公共法律服务热线，\
         或到公共法律服务中心、站、室咨询。 This advice rests on what was said in the call; for more help call the \
         12348 hotline or visit a public legal service centre, station or room.</p></main></body></html>",
        lawyer = esc(&note.lawyer),
        topic = esc(&note.topic),
        site = esc(&note.site),
        when = esc(&local_minute(note.written)),
    ))
    .into_response()
}

/// `GET /staff/calls/ws`: a lawyer's console.
pub(super) async fn console_socket(
    State(state): State<AppState>,
    user: Option<StaffUser>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(user) = user.filter(|u| u.role.takes_calls()) else {
        return (StatusCode::FORBIDDEN, "log in as a lawyer first").into_response();
    };
    // A WebSocket is not covered by the same-origin policy: refuse another site's page.
    if super::session::check_origin(&headers).is_err() {
        return (StatusCode::FORBIDDEN, "cross-site WebSocket refused").into_response();
    }
    let base = state.public_base(&headers);
    upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| console_loop(state, user.user, base, socket))
}

async fn console_loop(state: AppState, user: String, base: String, mut socket: WebSocket) {
    let hub = state.calls().clone();
    state.start_call_ticker();
    let (id, mut rx) = hub.console_connect(&user);
    let mut ping = tokio::time::interval(PING_EVERY);
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => match LawyerMessage::parse(&text) {
                    Ok(message) => hub.from_console(id, message, &base),
                    Err(err) => {
                        if !send(&mut socket, &CentreToLawyer::Refused { reason: err.to_string() }).await {
                            break;
                        }
                    }
                },
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            outgoing = rx.recv() => match outgoing {
                Some(message) => {
                    if !send(&mut socket, &message).await {
                        break;
                    }
                }
                None => break,
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    hub.console_gone(id);
    close(socket).await;
}
