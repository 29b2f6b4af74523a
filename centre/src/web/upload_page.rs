//! The phone's side of a phone upload (`crate::uploads`): the page the kiosk's QR code opens,
//! `GET /upload/{token}`, its script `GET /upload.js`, and the route each photo is sent to,
//! `POST /upload/{token}/{paper}`. No login: the token (128 random bits) is the credential.
//!
//! The page lists the papers the kiosk asked for (Chinese first, English below, in large type), each
//! with a file input and an upload button; `upload.js` sends every chosen photo's bytes as they are
//! and shows "已上传 N 张 / N uploaded" or the reason under the paper. An unknown or expired token
//! answers 404 with a page that says to scan the code at the kiosk again.
//!
//! A photo is checked in this order: the session (404), the paper (400), the session's attempts
//! this second (429, `Retry-After: 1`), its photos (400 at 20), the pages held by the centre (503,
//! `Retry-After`), a place among the photos being received at once (503), the size (413 beyond
//! 12 MiB, before the body is read when it declares its length), then a turn among the photos being
//! decoded and the decoding itself on a blocking thread (400 for anything but a JPEG or PNG, or a
//! damaged one); kept: 201 `{"paper": id, "count": photos of that paper so far}`. Every refusal is
//! `{"error": "中文 / English"}`, which the page shows as it is; 429 and 503 carry `Retry-After`,
//! which the page waits out before it tries again (a few times).

use axum::{
    Json,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use zeroize::Zeroizing;

use super::{esc, local_minute};
use crate::{
    state::AppState,
    uploads::{MAX_PHOTO_BYTES, PictureError, UploadError, is_paper_id, is_token, normalise},
};

const SCRIPT: &str = include_str!("assets/upload.js");

/// Seconds a phone is told to wait when the centre holds as many pages as it may.
const BUSY_RETRY_SECS: u32 = 30;

/// `GET /upload.js`.
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

/// A phone page titled `title` around `body` (already HTML).
fn phone_page(title: &str, body: &str, token: Option<&str>) -> Html<String> {
    let token = token.map_or_else(String::new, |t| format!(" data-token=\"{}\"", esc(t)));
    let script = if token.is_empty() {
        ""
    } else {
        "<script src=\"/upload.js\"></script>"
    };
    Html(format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/staff/style.css\"></head>\
         <body class=\"phone\"><main class=\"public upload\" id=\"upload\"{token}>{body}</main>{script}\
         </body></html>",
        title = esc(title),
    ))
}

/// The line under a paper once photos were taken for it.
fn uploaded(count: u32) -> String {
    if count == 0 {
        String::new()
    } else {
        format!("已上传 {count} 张 / {count} uploaded")
    }
}

/// `GET /upload/{token}`: the phone's page.
pub(super) async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let view = if is_token(&token) {
        state.uploads().view(&token, state.now())
    } else {
        None
    };
    let Some(view) = view else {
        return (
            StatusCode::NOT_FOUND,
            phone_page(
                "上传链接已失效 Upload link expired",
                "<h1>上传链接已失效<br><small>Upload link expired</small></h1>\
                 <p class=\"error\" id=\"gone\">这个上传链接已失效，请在自助终端重新扫码。<br>\
                 This upload link has expired; please scan the code at the kiosk again.</p>",
                None,
            ),
        )
            .into_response();
    };
    let papers: String = view
        .papers
        .iter()
        .map(|(paper, count)| {
            let id = esc(&paper.id);
            let english = if paper.en.trim().is_empty() {
                String::new()
            } else {
                format!("<br><small>{}</small>", esc(&paper.en))
            };
            format!(
                "<section class=\"card paper\" id=\"paper-{id}\" data-paper=\"{id}\">\
                 <h2>{zh}{english}</h2>\
                 <label for=\"file-{id}\">拍照或选择照片<br><small>Take or choose photos</small></label>\
                 <input type=\"file\" id=\"file-{id}\" accept=\"image/*\" multiple>\
                 <button type=\"button\" id=\"send-{id}\">上传 Upload</button>\
                 <p class=\"count\" id=\"count-{id}\" role=\"status\">{count}</p>\
                 <p class=\"error\" id=\"error-{id}\" role=\"alert\" hidden></p></section>",
                zh = esc(&paper.zh),
                count = uploaded(*count),
            )
        })
        .collect();
    let until = local_minute(view.expires);
    let until = until.rsplit(' ').next().unwrap_or_default();
    let body = format!(
        "<h1>手机上传材料<br><small>Upload your papers by phone</small></h1>\
         <p>请为下面每份材料拍照，或选择手机里的照片，然后点“上传”。照片会交给自助终端上正在办理的申请。<br>\
         <small>For each paper below, take a photo or choose one on your phone, then tap Upload. \
         The photos go to the application open at the kiosk.</small></p>{papers}\
         <p class=\"notice\">照片只在中心服务器的内存中暂存，交给自助终端后即删除；照片里的拍摄地点等信息会被去掉。\
         本链接 {until} 前有效，最多上传 {max} 张。<br><small>The photos are held only in the centre's memory \
         and deleted once the kiosk has them; the place they were taken and other data in them are \
         removed. This link works until {until}, for at most {max} photos.</small></p>\
         <p class=\"muted\">上传完毕后，请回到自助终端继续。 When you are done, continue at the kiosk.</p>",
        max = state.uploads().limits().pages_per_session,
    );
    phone_page("手机上传材料 Upload papers by phone", &body, Some(&token)).into_response()
}

/// A photo refused, answered as `{"error": reason}`: what the page's script shows the citizen.
#[derive(Debug)]
pub(super) struct PhotoRefusal {
    status: StatusCode,
    reason: String,
}

impl PhotoRefusal {
    fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
        }
    }
}

impl IntoResponse for PhotoRefusal {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.reason })),
        )
            .into_response()
    }
}

/// A refusal as the phone's page shows it.
fn refusal(err: &UploadError) -> PhotoRefusal {
    let status = match err {
        UploadError::Gone => StatusCode::NOT_FOUND,
        UploadError::UnknownPaper | UploadError::TooManyPages(_) => StatusCode::BAD_REQUEST,
        UploadError::TooFast => StatusCode::TOO_MANY_REQUESTS,
        UploadError::Busy => StatusCode::SERVICE_UNAVAILABLE,
    };
    PhotoRefusal::new(status, err.to_string())
}

fn too_large() -> PhotoRefusal {
    PhotoRefusal::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "照片太大（超过 {mib} MB），请用手机相机的普通模式重新拍照 / The photo is larger than {mib} MB; \
             please take it again in the camera's normal mode",
            mib = MAX_PHOTO_BYTES >> 20
        ),
    )
}

/// `POST /upload/{token}/{paper}`: one photo.
pub(super) async fn photo(
    State(state): State<AppState>,
    Path((token, paper)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match receive(&state, &token, &paper, &headers, body).await {
        Ok(count) => (
            StatusCode::CREATED,
            Json(serde_json::json!({ "paper": paper, "count": count })),
        )
            .into_response(),
        Err(err) => {
            let retry = match err.status {
                StatusCode::TOO_MANY_REQUESTS => Some(1),
                StatusCode::SERVICE_UNAVAILABLE => Some(BUSY_RETRY_SECS),
                _ => None,
            };
            let mut response = err.into_response();
            if let Some(secs) = retry {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
    }
}

async fn receive(
    state: &AppState,
    token: &str,
    paper: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<u32, PhotoRefusal> {
    let uploads = state.uploads();
    if !is_token(token) {
        return Err(refusal(&UploadError::Gone));
    }
    if !is_paper_id(paper) {
        // Still 404 first for an unknown session.
        uploads
            .view(token, state.now())
            .ok_or_else(|| refusal(&UploadError::Gone))?;
        return Err(refusal(&UploadError::UnknownPaper));
    }
    uploads
        .admit(token, paper, state.now())
        .map_err(|err| refusal(&err))?;
    let _receiving = uploads
        .receive_turn()
        .ok_or_else(|| refusal(&UploadError::Busy))?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_PHOTO_BYTES as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, MAX_PHOTO_BYTES)
        .await
        .map_err(|_| too_large())?;
    // The original (with its EXIF) is wiped once decoded; only the re-encoded page is kept.
    let photo = Zeroizing::new(Vec::from(bytes));
    let turn = uploads
        .decode_turn()
        .await
        .ok_or_else(|| refusal(&UploadError::Busy))?;
    let page = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        normalise(&photo)
    })
    .await
    .map_err(|err| {
        tracing::error!("phone upload: decoding failed: {err}");
        PhotoRefusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            PictureError::Encode.to_string(),
        )
    })?;
    let page = page.map_err(|err| {
        tracing::debug!("phone upload for {paper}: refused ({err})");
        let status = match err {
            PictureError::Encode => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        PhotoRefusal::new(status, err.to_string())
    })?;
    let count = uploads
        .add(token, paper, page, state.now())
        .map_err(|err| refusal(&err))?;
    tracing::debug!("phone upload: a page for {paper} ({count} so far)");
    Ok(count)
}
