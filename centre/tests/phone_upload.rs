//! Phone uploads by QR code, the centre's side, over loopback HTTP: a device opens a session (201, the
//! token and the phone page's address), the phone page lists the papers (Chinese and English, its
//! script under the pages' Content-Security-Policy), a JPEG and a PNG are taken (201 with the paper's
//! count), the device takes them once (JPEG, at most 2000 pixels on the long side, no EXIF) and then
//! gets none, another device or none at all is refused; a text file, an unknown paper, a body over
//! 12 MiB, a 21st photo, too many at once are refused with the citizen's reason; after 15 minutes (the
//! manual clock) the link is dead for phone and device; DELETE forgets everything; `public_url` starts
//! the link and the centre's bound on pages held answers 503; and the page in headless Chromium.

mod browser_support;
mod web_support;

use std::sync::Arc;

use base64::Engine as _;
use chrono::Duration;
use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb, codecs::jpeg::JpegEncoder};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use web_support::{TOKEN_A, TOKEN_B, TestDb, WebCentre, config, monday_morning};

const NOT_A_PHOTO: &str = "请用相机拍照，上传 JPG 或 PNG 照片 / Please upload a JPG or PNG photo";
const EXPIRED: &str = "这个上传链接已失效，请在自助终端重新扫码";

/// A photographed page: `width` × `height`, made here (no EXIF).
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let picture = ImageBuffer::from_fn(width, height, |x, y| {
        Rgb([(x / 8 % 256) as u8, (y / 8 % 256) as u8, 200])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&picture)
        .unwrap();
    out
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = ImageBuffer::from_fn(width, height, |x, _| Rgb([(x % 256) as u8, 90, 30]));
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(picture)
        .write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

/// `jpeg` with an EXIF segment: orientation 6 (turn 90° clockwise) and a text standing for the
/// place the photo was taken.
fn with_exif(jpeg: &[u8]) -> Vec<u8> {
    let mut segment = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01".to_vec();
    segment.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    segment.extend_from_slice(b"GPS 29.53N 108.77E");
    let length = u16::try_from(segment.len() + 2).unwrap().to_be_bytes();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1, length[0], length[1]]);
    out.extend_from_slice(&segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn papers() -> Value {
    json!({ "papers": [
        { "id": "id_card", "zh": "居民身份证", "en": "Resident ID card" },
        { "id": "case_papers", "zh": "案件相关材料", "en": "Papers about the case" },
    ]})
}

async fn answer(response: reqwest::Response) -> (StatusCode, Value, header::HeaderMap) {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
        headers,
    )
}

/// `POST /api/v1/uploads` as a device (the token when given).
async fn open(base: &str, device: Option<&str>, body: &Value) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/api/v1/uploads"))
        .json(body);
    if let Some(device) = device {
        request = request.bearer_auth(device);
    }
    let (status, body, _) = answer(request.send().await.unwrap()).await;
    (status, body)
}

/// Opens a session of kiosk-a for [`papers`]: its token.
async fn open_ok(base: &str) -> String {
    let (status, body) = open(base, Some(TOKEN_A), &papers()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// A phone's `POST /upload/{token}/{paper}`.
async fn send_photo(
    base: &str,
    token: &str,
    paper: &str,
    photo: Vec<u8>,
) -> (StatusCode, Value, header::HeaderMap) {
    let response = reqwest::Client::new()
        .post(format!("{base}/upload/{token}/{paper}"))
        .header(header::CONTENT_TYPE, "image/jpeg")
        .body(photo)
        .send()
        .await
        .unwrap();
    answer(response).await
}

/// The pages of each session the test has received, as a kiosk keeps count of them.
static SEEN: std::sync::Mutex<Vec<(String, u64)>> = std::sync::Mutex::new(Vec::new());

/// The device's `GET /api/v1/uploads/{token}?after=N`, acknowledging what it received before, as the
/// kiosk does.
async fn take(base: &str, device: Option<&str>, token: &str) -> (StatusCode, Value) {
    let after = SEEN
        .lock()
        .unwrap()
        .iter()
        .find(|(t, _)| t == token)
        .map_or(0, |(_, n)| *n);
    let (status, body) = take_after(base, device, token, after).await;
    if let Some(last) = body["pages"].as_array().and_then(|p| p.last()) {
        let number = last["number"].as_u64().unwrap();
        let mut seen = SEEN.lock().unwrap();
        seen.retain(|(t, _)| t != token);
        seen.push((token.to_owned(), number));
    }
    (status, body)
}

/// The device's `GET /api/v1/uploads/{token}?after={after}`, acknowledging nothing of its own.
async fn take_after(
    base: &str,
    device: Option<&str>,
    token: &str,
    after: u64,
) -> (StatusCode, Value) {
    let mut request =
        reqwest::Client::new().get(format!("{base}/api/v1/uploads/{token}?after={after}"));
    if let Some(device) = device {
        request = request.bearer_auth(device);
    }
    let (status, body, _) = answer(request.send().await.unwrap()).await;
    (status, body)
}

async fn close(base: &str, device: &str, token: &str) -> StatusCode {
    reqwest::Client::new()
        .delete(format!("{base}/api/v1/uploads/{token}"))
        .bearer_auth(device)
        .send()
        .await
        .unwrap()
        .status()
}

async fn phone_page(base: &str, token: &str) -> (StatusCode, String, header::HeaderMap) {
    let response = reqwest::get(format!("{base}/upload/{token}"))
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, response.text().await.unwrap(), headers)
}

/// The pages of a device's answer: (paper, the JPEG).
fn pages_of(body: &Value) -> Vec<(String, Vec<u8>)> {
    body["pages"]
        .as_array()
        .unwrap_or_else(|| panic!("pages: {body}"))
        .iter()
        .map(|p| {
            let jpeg = base64::engine::general_purpose::STANDARD
                .decode(p["jpeg_base64"].as_str().unwrap())
                .unwrap();
            (p["paper"].as_str().unwrap().to_owned(), jpeg)
        })
        .collect()
}

fn dimensions_of_jpeg(jpeg: &[u8]) -> (u32, u32) {
    assert_eq!(image::guess_format(jpeg).unwrap(), ImageFormat::Jpeg);
    let picture = image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg).unwrap();
    (picture.width(), picture.height())
}

#[tokio::test]
async fn photos_from_a_phone_reach_the_kiosk_that_asked_once() {
    let db = TestDb::sqlite();
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    let base = centre.url("");

    // The device opens a session.
    let (status, session) = open(&base, Some(TOKEN_A), &papers()).await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let token = session["token"].as_str().unwrap().to_owned();
    assert!(
        token.len() == 32
            && token
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{token}"
    );
    assert_eq!(
        session["url"],
        centre.url(&format!("/upload/{token}")),
        "the request's own address without public_url"
    );
    assert_eq!(session["expires_in_secs"], 900);
    let wire: applications::wire::UploadSession = serde_json::from_value(session).unwrap();
    assert_eq!(wire.token, token, "the kiosk's type reads the answer");

    // Refused requests name what is wrong.
    assert_eq!(
        open(&base, None, &papers()).await.0,
        StatusCode::UNAUTHORIZED
    );
    for (body, expected) in [
        (json!({ "papers": [] }), "papers: at least one paper"),
        (
            json!({ "papers": [{ "id": "ID card", "zh": "身份证", "en": "" }] }),
            "papers[0].id",
        ),
        (
            json!({ "papers": [{ "id": "id_card", "zh": "", "en": "ID" }] }),
            "papers[0].zh",
        ),
        (json!({ "documents": [] }), "not an upload request"),
    ] {
        let (status, answer) = open(&base, Some(TOKEN_A), &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains(expected),
            "{body}: {answer}"
        );
    }
    let many: Vec<Value> = (0..21)
        .map(|i| json!({ "id": format!("p{i}"), "zh": "材料", "en": "Paper" }))
        .collect();
    let (status, answer) = open(&base, Some(TOKEN_A), &json!({ "papers": many })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["error"].as_str().unwrap().contains("at most 20"));

    // The phone page lists the papers; its script is a file of this origin.
    let (status, page, headers) = phone_page(&base, &token).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "居民身份证",
        "Resident ID card",
        "案件相关材料",
        "Papers about the case",
    ] {
        assert!(page.contains(text), "{text}: {page}");
    }
    assert!(page.contains("id=\"file-id_card\"") && page.contains("accept=\"image/*\""));
    assert!(page.contains("<script src=\"/upload.js\"></script>"));
    assert!(!page.contains("<script>"), "no inline script");
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let script = reqwest::get(centre.url("/upload.js")).await.unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(
        script.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(script.text().await.unwrap().contains("/upload/${token}/"));

    // A JPEG and a PNG.
    let (status, body, _) = send_photo(&base, &token, "id_card", jpeg(2400, 1600)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body, json!({ "paper": "id_card", "count": 1 }));
    let (status, body, _) = send_photo(&base, &token, "case_papers", png(640, 480)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body, json!({ "paper": "case_papers", "count": 1 }));
    let (_, page, _) = phone_page(&base, &token).await;
    assert!(page.contains("已上传 1 张 / 1 uploaded"), "{page}");

    // Only the device that opened it takes them, once.
    assert_eq!(
        take(&base, Some(TOKEN_B), &token).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(take(&base, None, &token).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(close(&base, TOKEN_B, &token).await, StatusCode::NOT_FOUND);
    let (status, body) = take(&base, Some(TOKEN_A), &token).await;
    assert_eq!(status, StatusCode::OK);
    let wire: applications::wire::UploadedPages = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(wire.pages.len(), 2);
    let pages = pages_of(&body);
    assert_eq!(pages[0].0, "id_card");
    assert_eq!(dimensions_of_jpeg(&pages[0].1), (2000, 1333), "capped");
    assert_eq!(pages[1].0, "case_papers");
    assert_eq!(dimensions_of_jpeg(&pages[1].1), (640, 480), "a PNG as JPEG");
    // The answer is lost on the way: asked again without an acknowledgement, the same pages.
    let (_, again) = take_after(&base, Some(TOKEN_A), &token, 0).await;
    assert_eq!(again, body, "nothing lost");
    assert!(
        centre.state.uploads().held_bytes() > 0,
        "kept until acknowledged"
    );
    let (status, body) = take(&base, Some(TOKEN_A), &token).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "pages": [] })));
    assert_eq!(
        centre.state.uploads().held_bytes(),
        0,
        "forgotten once acknowledged"
    );

    // A phone's EXIF (the place, the orientation): turned upright, then dropped.
    centre.clock.advance(Duration::seconds(1));
    let photo = with_exif(&jpeg(1200, 800));
    assert!(holds(&photo, b"GPS 29.53N"));
    let (status, body, _) = send_photo(&base, &token, "id_card", photo).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["count"], 2);
    let pages = pages_of(&take(&base, Some(TOKEN_A), &token).await.1);
    assert_eq!(dimensions_of_jpeg(&pages[0].1), (800, 1200), "upright");
    assert!(!holds(&pages[0].1, b"Exif") && !holds(&pages[0].1, b"GPS 29.53N"));

    // Refusals, with the citizen's reason.
    let (status, body, _) = send_photo(&base, &token, "id_card", b"a letter, typed".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], NOT_A_PHOTO);
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic more bytes".to_vec();
    let (status, body, _) = send_photo(&base, &token, "id_card", heic).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some(NOT_A_PHOTO))
    );
    for paper in ["bank_statement", "ID-card"] {
        let (status, body, _) = send_photo(&base, &token, paper, png(8, 8)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{paper}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains("没有这份材料"),
            "{body}"
        );
    }
    centre.clock.advance(Duration::seconds(1));
    let (status, body, _) = send_photo(&base, &token, "id_card", vec![0xff; (12 << 20) + 1]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"].as_str().unwrap().contains("12 MB"), "{body}");
    let unknown = "0123456789abcdef0123456789abcdef";
    let (status, body, _) = send_photo(&base, unknown, "id_card", png(8, 8)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].as_str().unwrap().starts_with(EXPIRED));
    let (status, page, _) = phone_page(&base, unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains(EXPIRED) && page.contains("This upload link has expired"));
    assert_eq!(
        phone_page(&base, "not-a-token").await.0,
        StatusCode::NOT_FOUND
    );

    // A few attempts a second per session (4; the 413 above was the first of this second).
    for _ in 0..3 {
        assert_eq!(
            send_photo(&base, &token, "id_card", b"x".to_vec()).await.0,
            StatusCode::BAD_REQUEST
        );
    }
    let (status, body, headers) = send_photo(&base, &token, "id_card", png(8, 8)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(headers[header::RETRY_AFTER], "1");
    centre.clock.advance(Duration::seconds(1));

    // At most 20 photos a session, handed over or not: 3 so far.
    for n in 4..=20 {
        if n % 4 == 0 {
            centre.clock.advance(Duration::seconds(1));
        }
        let (status, body, _) = send_photo(&base, &token, "case_papers", png(16, 16)).await;
        assert_eq!(status, StatusCode::CREATED, "photo {n}: {body}");
    }
    centre.clock.advance(Duration::seconds(1));
    let (status, body, _) = send_photo(&base, &token, "id_card", png(16, 16)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("最多上传 20 张"),
        "{body}"
    );
    assert_eq!(
        pages_of(&take(&base, Some(TOKEN_A), &token).await.1).len(),
        17
    );
    // Acknowledged with the next call: nothing of this session is held any more.
    assert!(pages_of(&take(&base, Some(TOKEN_A), &token).await.1).is_empty());

    // DELETE forgets everything.
    centre.clock.advance(Duration::seconds(1));
    let second = open_ok(&base).await;
    let (status, _, _) = send_photo(&base, &second, "id_card", png(32, 32)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(centre.state.uploads().held_bytes() > 0);
    assert_eq!(close(&base, TOKEN_A, &second).await, StatusCode::NO_CONTENT);
    assert_eq!(centre.state.uploads().held_bytes(), 0);
    assert_eq!(
        take(&base, Some(TOKEN_A), &second).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(close(&base, TOKEN_A, &second).await, StatusCode::NOT_FOUND);
    assert_eq!(phone_page(&base, &second).await.0, StatusCode::NOT_FOUND);

    // After 15 minutes the link is dead for phone and device, with what it held.
    let third = open_ok(&base).await;
    let (status, _, _) = send_photo(&base, &third, "id_card", png(32, 32)).await;
    assert_eq!(status, StatusCode::CREATED);
    centre.clock.advance(Duration::seconds(899));
    assert_eq!(phone_page(&base, &third).await.0, StatusCode::OK);
    centre.clock.advance(Duration::seconds(1));
    assert_eq!(phone_page(&base, &third).await.0, StatusCode::NOT_FOUND);
    let (status, body, _) = send_photo(&base, &third, "id_card", png(32, 32)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        take(&base, Some(TOKEN_A), &third).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(close(&base, TOKEN_A, &third).await, StatusCode::NOT_FOUND);
    assert_eq!(centre.state.uploads().held_bytes(), 0);
    assert_eq!(
        take(&base, Some(TOKEN_A), &token).await.0,
        StatusCode::NOT_FOUND,
        "the first session expired too"
    );
}

#[tokio::test]
async fn the_link_starts_with_the_public_url_and_a_full_centre_is_busy() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    centre::install_accounts(store.as_ref(), &centre::Accounts::Configured(config("")))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = centre::AppState::new(
        store,
        Arc::new(clock::ManualWallClock::new(monday_morning())),
        centre::ApiSettings::default(),
    )
    .with_public_url(Some("https://centre.qianjiang.example/".into()))
    .with_upload_limits(centre::uploads::UploadLimits {
        held_bytes: 1000,
        ..centre::uploads::UploadLimits::default()
    });
    tokio::spawn(centre::serve(listener, state, std::future::pending::<()>()));

    let (status, session) = open(&base, Some(TOKEN_B), &papers()).await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let token = session["token"].as_str().unwrap();
    assert_eq!(
        session["url"],
        format!("https://centre.qianjiang.example/upload/{token}")
    );
    // A page of more than 1000 bytes: the centre holds too much.
    let (status, body, headers) = send_photo(&base, token, "id_card", jpeg(300, 200)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("try again"),
        "{body}"
    );
    assert_eq!(headers[header::RETRY_AFTER], "30");
}

// ---------------------------------------------------------------------------------------------
// Headless Chromium

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_chosen_on_the_phone_page_reaches_the_kiosk_in_chromium() {
    use browser_support::{chromium, fonts_conf, shoot, start_chromedriver, wait_text};
    use fantoccini::Locator;

    let db = TestDb::sqlite();
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    let base = centre.url("");
    let token = open_ok(&base).await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("id-card.jpg");
    std::fs::write(&photo, jpeg(1600, 1000)).unwrap();
    let (_driver, port) = start_chromedriver(&fonts_conf(dir.path()));
    let browser = chromium(port, &dir.path().join("profile")).await;
    let result = async {
        browser.set_window_size(412, 915).await?;
        browser.goto(&format!("{base}/upload/{token}")).await?;
        wait_text(&browser, "paper-id_card", "居民身份证").await?;
        shoot(&browser, "phone-upload").await?;
        browser
            .find(Locator::Id("file-id_card"))
            .await?
            .send_keys(&photo.display().to_string())
            .await?;
        browser
            .find(Locator::Id("send-id_card"))
            .await?
            .click()
            .await?;
        wait_text(&browser, "count-id_card", "已上传 1").await?;
        shoot(&browser, "phone-upload-done").await?;
        // Nothing chosen: the page says so instead of sending.
        browser
            .find(Locator::Id("send-case_papers"))
            .await?
            .click()
            .await?;
        wait_text(&browser, "error-case_papers", "请先拍照或选择照片").await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = browser.close().await;
    result.expect("the phone page uploads in Chromium");
    let (status, body) = take(&base, Some(TOKEN_A), &token).await;
    assert_eq!(status, StatusCode::OK);
    let pages = pages_of(&body);
    assert_eq!(pages.len(), 1, "{body}");
    assert_eq!(pages[0].0, "id_card");
    assert_eq!(dimensions_of_jpeg(&pages[0].1), (1600, 1000));
}
