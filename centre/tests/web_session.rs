//! The staff web app's sessions over loopback HTTP and a real SQLite file: login and its cookie, wrong
//! passwords, expiry, logout, CSRF and Origin refusals, roles, and the audit entries they leave.

mod web_support;

use chrono::Duration;
use reqwest::StatusCode;
use web_support::{PASSWORD, WebCentre, config, monday_morning};

#[tokio::test]
async fn login_sets_a_strict_cookie_and_the_page_shows_user_and_role() {
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), monday_morning()).await;

    let anonymous = centre.browser();
    let (status, location) = anonymous.get("/staff/fleet").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/staff/login");

    let mut browser = centre.browser();
    let (status, page) = browser.login("admin", "wrong password!").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("用户名或密码错误"), "{page}");
    assert!(browser.session.is_none());

    let (status, location) = browser.login("admin", PASSWORD).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, ""));
    let (status, page) = browser.get("/staff/fleet").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<span id=\"user\">admin</span>"), "{page}");
    assert!(page.contains("管理员 Administrator"));
    assert!(
        page.contains("href=\"/staff/reports\""),
        "the nav links the reports"
    );
    assert!(
        page.contains("href=\"/staff/audit\""),
        "administrators see the audit log"
    );
    assert!(page.contains(&format!("name=\"csrf\" value=\"{}\"", browser.csrf())));

    let supervisor = centre.login("super").await;
    let (_, page) = supervisor.get("/staff/fleet").await;
    assert!(page.contains("督导 Supervisor"));
    assert!(
        !page.contains("href=\"/staff/audit\""),
        "only administrators"
    );

    let audit = centre.store.audit(10).await.unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|e| (e.user.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("super", "login"),
            ("admin", "login"),
            ("admin", "login_failed")
        ]
    );
}

#[tokio::test]
async fn sessions_expire_and_logout_ends_them() {
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config("session_hours = 1"), monday_morning()).await;
    let browser = centre.login("admin").await;
    assert_eq!(browser.get("/staff/fleet").await.0, StatusCode::OK);
    centre.clock.advance(Duration::minutes(61));
    let (status, location) = browser.get("/staff/fleet").await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/staff/login")
    );

    let browser = centre.login("admin").await;
    let (status, _) = browser.post("/staff/logout", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/staff/fleet").await.0, StatusCode::SEE_OTHER);
    let audit = centre.store.audit(1).await.unwrap();
    assert_eq!(
        (audit[0].user.as_str(), audit[0].action.as_str()),
        ("admin", "logout")
    );
}

#[tokio::test]
async fn posts_without_the_csrf_token_or_from_another_origin_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), monday_morning()).await;
    let browser = centre.login("admin").await;
    let base = centre.url("");
    let csrf = browser.csrf();

    let (status, page) = browser
        .post_raw("/staff/logout", &[("csrf", "0")], Some(&base))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("CSRF"), "{page}");
    let (status, page) = browser
        .post_raw(
            "/staff/logout",
            &[("csrf", &csrf)],
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Cross-site"), "{page}");
    let (status, _) = browser
        .post_raw("/staff/logout", &[("csrf", &csrf)], None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Still logged in: nothing of the refused requests happened.
    assert_eq!(browser.get("/staff/fleet").await.0, StatusCode::OK);
    // A login form posted from another site is refused too.
    let (status, _) = centre
        .browser()
        .post_raw(
            "/staff/login",
            &[("user", "admin"), ("password", PASSWORD)],
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_a_while_on_the_page_and_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), monday_morning()).await;
    let mut browser = centre.browser();
    for _ in 0..5 {
        let (status, _) = browser.login("admin", "wrong password!").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Locked: even the right password is not checked, on the page and on the JSON API.
    let (status, page) = browser.login("admin", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.contains("错误次数过多") && page.contains("15 分钟"),
        "{page}"
    );
    assert!(browser.session.is_none());
    let api = reqwest::Client::new()
        .post(centre.url("/api/v1/login"))
        .json(&serde_json::json!({"user": "ADMIN", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.headers()["retry-after"], "900");
    // Another account is not touched.
    let mut other = centre.browser();
    let (status, _) = other.login("super", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Once the first wrong password is 15 minutes old, the account may try again.
    centre.clock.advance(Duration::minutes(15));
    let (status, _) = browser.login("admin", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(browser.session.is_some());
}
