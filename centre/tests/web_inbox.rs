//! The complaints inbox over loopback HTTP and a real SQLite file: the status flow with its audit
//! entries, deadlines over weekends and holidays, overdue highlighting, site scoping of managers,
//! masking and the full callback number, and the public receipt lookup (200/400/404/429).

mod web_support;

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;
use web_support::{
    Engine, SITE_A, SITE_B, TOKEN_A, TOKEN_B, TestDb, WebCentre, complaint, config, monday_morning,
};

async fn receipt(centre: &WebCentre, code: &str) -> (StatusCode, Value, Option<String>) {
    let response = reqwest::get(centre.url(&format!("/api/v1/receipts/{code}")))
        .await
        .unwrap();
    let status = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, response.json().await.unwrap(), retry)
}

#[tokio::test]
async fn a_complaint_goes_received_assigned_replied_closed_and_every_step_is_audited_on_sqlite() {
    a_complaint_goes_received_assigned_replied_closed_and_every_step_is_audited(Engine::Sqlite)
        .await;
}

#[tokio::test]
async fn a_complaint_goes_received_assigned_replied_closed_and_every_step_is_audited_on_postgres() {
    a_complaint_goes_received_assigned_replied_closed_and_every_step_is_audited(Engine::Postgres)
        .await;
}

async fn a_complaint_goes_received_assigned_replied_closed_and_every_step_is_audited(
    engine: Engine,
) {
    let Some(db) = TestDb::of(
        engine,
        "a_complaint_goes_received_assigned_replied_closed_and_every_step_is_audited",
    )
    .await
    else {
        return;
    };
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    centre
        .deliver(
            TOKEN_A,
            &complaint(
                "T-ABCD-EFGH",
                "kiosk-a",
                "【投诉】窗口等候太久",
                Some("13812345678"),
            ),
        )
        .await;
    let (status, body, _) = receipt(&centre, "T-ABCD-EFGH").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "received");
    assert_eq!(body["kind"], "complaint");
    assert_eq!(body["reply"], Value::Null);
    // Received Monday 2026-03-02: 15 working days later is Monday 03-23.
    assert_eq!(body["deadline"], "2026-03-23");
    assert_eq!(body["received"], "2026-03-02T01:00:00Z");
    let text = body.to_string();
    assert!(
        !text.contains("5678") && !text.contains("窗口"),
        "no personal data: {text}"
    );
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "code",
            "deadline",
            "kind",
            "received",
            "reply",
            "status",
            "status_en",
            "status_zh"
        ]
    );

    let admin = centre.login("admin").await;
    let (status, list) = admin.get("/staff/complaints").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains("T-ABCD-EFGH") && list.contains("138****5678"),
        "{list}"
    );
    assert!(!list.contains("13812345678"), "masked in the list");

    // Closing before a reply is refused: the flow is received → assigned → replied → closed.
    let (status, _) = admin.post("/staff/complaints/T-ABCD-EFGH/close", &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = admin
        .post(
            "/staff/complaints/T-ABCD-EFGH/assign",
            &[("assignee", "manager-b")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "manager-b is not of this site"
    );
    let (status, to) = admin
        .post(
            "/staff/complaints/T-ABCD-EFGH/assign",
            &[("assignee", "manager-a")],
        )
        .await;
    assert_eq!(
        (status, to.as_str()),
        (StatusCode::SEE_OTHER, "/staff/complaints/T-ABCD-EFGH")
    );
    assert_eq!(
        receipt(&centre, "T-ABCD-EFGH").await.1["status"],
        "assigned"
    );

    // The assignee sees the full number on request (audited); a supervisor does not.
    let manager = centre.login("manager-a").await;
    let (_, page) = manager.get("/staff/complaints/T-ABCD-EFGH").await;
    assert!(page.contains("138****5678") && !page.contains("13812345678"));
    let (status, page) = manager
        .post("/staff/complaints/T-ABCD-EFGH/contact", &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("13812345678"));
    let supervisor = centre.login("super").await;
    let (status, _) = supervisor
        .post("/staff/complaints/T-ABCD-EFGH/contact", &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = manager
        .post("/staff/complaints/T-ABCD-EFGH/reply", &[("reply", "   ")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an empty reply");
    let (status, _) = manager
        .post(
            "/staff/complaints/T-ABCD-EFGH/reply",
            &[("reply", "已增加一个窗口 <b>谢谢</b>")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = manager.get("/staff/complaints/T-ABCD-EFGH").await;
    assert!(
        page.contains("已增加一个窗口 &lt;b&gt;谢谢&lt;/b&gt;"),
        "escaped: {page}"
    );
    let (status, _) = manager
        .post("/staff/complaints/T-ABCD-EFGH/close", &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (_, body, _) = receipt(&centre, "t-abcd-efgh").await;
    assert_eq!(body["status"], "closed");
    assert_eq!(body["status_zh"], "已办结");
    assert_eq!(body["reply"], "已增加一个窗口 <b>谢谢</b>");

    let audit = centre.store.audit(20).await.unwrap();
    let steps: Vec<(&str, &str, &str)> = audit
        .iter()
        .filter(|e| e.target == "complaint T-ABCD-EFGH")
        .map(|e| (e.user.as_str(), e.action.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("manager-a", "complaint_close", ""),
            ("manager-a", "complaint_reply", "17 characters"),
            ("manager-a", "complaint_contact_view", ""),
            ("admin", "complaint_assign", "to manager-a"),
        ]
    );
    // The audit page is the administrator's.
    let (status, page) = admin.get("/staff/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("complaint_contact_view") && page.contains("manager-a"));
    assert_eq!(manager.get("/staff/audit").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        supervisor.get("/staff/audit").await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn managers_see_only_their_site_and_another_sites_case_is_404_on_sqlite() {
    managers_see_only_their_site_and_another_sites_case_is_404(Engine::Sqlite).await;
}

#[tokio::test]
async fn managers_see_only_their_site_and_another_sites_case_is_404_on_postgres() {
    managers_see_only_their_site_and_another_sites_case_is_404(Engine::Postgres).await;
}

async fn managers_see_only_their_site_and_another_sites_case_is_404(engine: Engine) {
    let Some(db) = TestDb::of(
        engine,
        "managers_see_only_their_site_and_another_sites_case_is_404",
    )
    .await
    else {
        return;
    };
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    centre
        .deliver(
            TOKEN_A,
            &complaint("T-AAAA-AAAA", "kiosk-a", "【建议】多放椅子", None),
        )
        .await;
    centre
        .deliver(
            TOKEN_B,
            &complaint("T-BBBB-BBBB", "kiosk-b", "【投诉】太慢", None),
        )
        .await;
    let manager = centre.login("manager-a").await;
    let (_, list) = manager.get("/staff/complaints").await;
    assert!(list.contains("T-AAAA-AAAA") && list.contains("建议 Suggestion"));
    assert!(!list.contains("T-BBBB-BBBB"), "{list}");
    // Asking for the other site in the query does not widen the list.
    let (_, list) = manager
        .get(&format!(
            "/staff/complaints?site={}",
            web_support::url(SITE_B)
        ))
        .await;
    assert!(!list.contains("T-BBBB-BBBB"));
    assert_eq!(
        manager.get("/staff/complaints/T-BBBB-BBBB").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = manager
        .post(
            "/staff/complaints/T-BBBB-BBBB/assign",
            &[("assignee", "manager-a")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, fleet) = manager.get("/staff/fleet").await;
    assert!(fleet.contains("kiosk-a") && !fleet.contains("kiosk-b"));

    let supervisor = centre.login("super").await;
    let (_, list) = supervisor.get("/staff/complaints").await;
    assert!(list.contains("T-AAAA-AAAA") && list.contains("T-BBBB-BBBB"));
    let (_, list) = supervisor
        .get(&format!(
            "/staff/complaints?site={}",
            web_support::url(SITE_A)
        ))
        .await;
    assert!(list.contains("T-AAAA-AAAA") && !list.contains("T-BBBB-BBBB"));
    let (status, _) = supervisor.get("/staff/complaints?status=lost").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The JSON API is scoped the same way.
    let client = reqwest::Client::new();
    let login: Value = client
        .post(centre.url("/api/v1/login"))
        .json(&serde_json::json!({"user": "manager-a", "password": web_support::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    for (path, field, expected) in [
        ("/api/v1/devices", "device", "kiosk-a"),
        ("/api/v1/complaints", "key", "T-AAAA-AAAA"),
    ] {
        let list: Value = client
            .get(centre.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v[field].as_str().unwrap())
            .collect();
        assert_eq!(names, [expected], "{path}");
    }
}

#[tokio::test]
async fn deadlines_skip_weekends_and_holidays_and_overdue_cases_are_highlighted() {
    let dir = tempfile::tempdir().unwrap();
    // 3 working days; Tuesday and Wednesday are holidays.
    let centre = WebCentre::start(
        dir.path(),
        config("complaint_deadline_working_days = 3\nholidays = [\"2026-03-03\", \"2026-03-04\"]"),
        // Friday 2026-02-27 09:00 local.
        "2026-02-27T01:00:00Z".parse().unwrap(),
    )
    .await;
    centre
        .deliver(
            TOKEN_A,
            &complaint("T-CCCC-CCCC", "kiosk-a", "【投诉】太慢", None),
        )
        .await;
    // Friday + 3 working days: Monday 03-02, (Tue, Wed holidays), Thursday 03-05, Friday 03-06.
    let (_, body, _) = receipt(&centre, "T-CCCC-CCCC").await;
    assert_eq!(body["deadline"], "2026-03-06");
    let admin = centre.login("admin").await;
    let (_, list) = admin.get("/staff/complaints").await;
    assert!(list.contains("0 件逾期 overdue") && !list.contains("class=\"overdue\""));
    // Saturday 03-07 local: overdue.
    centre.clock.set("2026-03-07T01:00:00Z".parse().unwrap());
    let admin = centre.login("admin").await;
    let (_, list) = admin.get("/staff/complaints").await;
    assert!(
        list.contains("1 件逾期 overdue") && list.contains("class=\"overdue\""),
        "{list}"
    );
    // A replied case is no longer overdue.
    admin
        .post(
            "/staff/complaints/T-CCCC-CCCC/assign",
            &[("assignee", "admin")],
        )
        .await;
    admin
        .post(
            "/staff/complaints/T-CCCC-CCCC/reply",
            &[("reply", "已处理")],
        )
        .await;
    let (_, list) = admin.get("/staff/complaints").await;
    assert!(list.contains("0 件逾期 overdue"), "{list}");
    centre.clock.advance(Duration::days(1));
}

#[tokio::test]
async fn receipt_lookups_answer_400_404_and_429_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), monday_morning()).await;
    centre
        .deliver(
            TOKEN_A,
            &complaint(
                "T-DDDD-DDDD",
                "kiosk-a",
                "【建议】多放椅子",
                Some("13812345678"),
            ),
        )
        .await;
    let (status, body, _) = receipt(&centre, "T-DDDD-DDDD").await;
    assert_eq!(
        (status, body["kind"].as_str()),
        (StatusCode::OK, Some("suggestion"))
    );
    let (status, body, _) = receipt(&centre, "not-a-code").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("T-XXXX-XXXX"));
    let (status, body, _) = receipt(&centre, "T-ZZZZ-ZZZZ").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].is_string());
    // The phone page shares the limit: 3 lookups so far, 10 a minute.
    let page = reqwest::get(centre.url("/status?code=T-DDDD-DDDD"))
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("已受理") && page.contains("建议 Suggestion"),
        "{page}"
    );
    assert!(
        !page.contains("5678") && !page.contains("椅子"),
        "no personal data"
    );
    for _ in 0..6 {
        assert_eq!(receipt(&centre, "T-DDDD-DDDD").await.0, StatusCode::OK);
    }
    let (status, body, retry) = receipt(&centre, "T-DDDD-DDDD").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body["error"].is_string());
    assert_eq!(retry.as_deref(), Some("60"));
    let page = reqwest::get(centre.url("/status?code=T-DDDD-DDDD"))
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
    // A minute later by the centre's clock, lookups are answered again.
    centre.clock.advance(Duration::seconds(60));
    assert_eq!(receipt(&centre, "T-DDDD-DDDD").await.0, StatusCode::OK);
    let form = reqwest::get(centre.url("/status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("name=\"code\""));
}
