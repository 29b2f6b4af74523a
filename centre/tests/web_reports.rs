//! The reports page `/staff/reports` in the staff web app: behind the session cookie, in the web
//! app's layout, with the tables and the inline SVG charts; a manager sees only their site, and
//! the page's CSV link works with the same cookie.

mod web_support;

use reqwest::StatusCode;
use serde_json::json;
use web_support::{SITE_A, SITE_B, TOKEN_A, TOKEN_B, WebCentre, config, item, monday_morning};

fn stats(key: &str, device: &str, service: &str, issued: u32) -> serde_json::Value {
    let mut hours = [0u32; 24];
    hours[9] = issued;
    item(
        key,
        device,
        "2026-03-02T09:00:00Z",
        "ticket_stats",
        json!({"day": "2026-03-02", "service": service, "issued": issued, "served": issued - 1,
               "no_show": 1, "mean_wait_secs": 300, "wait_minutes": [0, 0, 0, 0, 0, issued - 1],
               "service_count": issued - 1, "service_total_secs": 600 * (issued - 1),
               "issued_by_hour": hours}),
    )
}

#[tokio::test]
async fn the_page_shows_the_reports_of_the_sites_a_user_may_see() {
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), monday_morning()).await;
    centre
        .deliver(
            TOKEN_A,
            &stats("stats:2026-03-02:legal_aid", "kiosk-a", "legal_aid", 12),
        )
        .await;
    centre
        .deliver(
            TOKEN_B,
            &stats("stats:2026-03-02:notary", "kiosk-b", "notary", 7),
        )
        .await;

    // Without a session: the login page.
    let (status, _) = centre.browser().get("/staff/reports").await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let admin = centre.login("admin").await;
    let (status, page) = admin
        .get("/staff/reports?from=2026-03-01&to=2026-03-07")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<nav>"), "the web app's layout");
    assert!(page.contains(r#"aria-current="page">统计报表 Reports"#));
    assert_eq!(page.matches("<svg ").count(), 3);
    assert!(page.contains(r#"role="img""#));
    assert!(page.contains(&format!("<td>{SITE_A}</td><td>legal_aid</td><td>12</td>")));
    assert!(page.contains(&format!("<td>{SITE_B}</td><td>notary</td><td>7</td>")));
    assert!(
        page.contains("<td>5.0</td><td>5.0</td><td>10.0</td>"),
        "P50, P90, mean in minutes"
    );
    // The daily chart has a bar for each of the 7 days; the 2nd holds both sites' 19 tickets.
    assert!(page.contains(r#"data-value="19"><title>2026-03-02 19</title>"#));

    // The page's CSV link, with the same cookie.
    let (status, csv) = admin
        .get("/api/v1/reports/tickets?from=2026-03-01&to=2026-03-07&format=csv")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv.lines().count(), 3, "header and two rows: {csv}");

    // A manager sees only their own site, without a site menu.
    let manager = centre.login("manager-b").await;
    let (status, page) = manager
        .get("/staff/reports?from=2026-03-01&to=2026-03-07")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("<td>{SITE_B}</td><td>notary</td>")));
    assert!(!page.contains(&format!("<td>{SITE_A}</td>")));
    assert!(!page.contains("<select name=\"site\">"));
    let (status, _) = manager
        .get(&format!(
            "/staff/reports?from=2026-03-01&to=2026-03-07&site={}",
            centre::web::url_value(SITE_A)
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = manager
        .get_json("/api/v1/reports/tickets?from=2026-03-01&to=2026-03-07")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["rows"].as_array().unwrap().len(), 1);
    assert_eq!(body["rows"][0]["site"], SITE_B);

    // Bad dates on the page: 400 with the parameter named.
    let (status, page) = admin
        .get("/staff/reports?from=2026-03-09&to=2026-03-01")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("to: 2026-03-01 is before from (2026-03-09)"),
        "{page}"
    );
}
