//! The fleet and its alerts over loopback HTTP and a real SQLite file, and the alert rules as a pure
//! function: offline within opening hours only, paper, reader, stale content, clock; raise,
//! acknowledge, close by staff and by the condition clearing; `GET /api/v1/devices`; the daily summary;
//! ratings and return calls.

mod web_support;

use std::{future::Future, time::Duration as StdDuration};

use centre::{
    alert_rules::{AlertRules, evaluate},
    store::{AlertState, DeviceStatus},
};
use chrono::{DateTime, Duration, Utc};
use content::Heartbeat;
use reqwest::StatusCode;
use serde_json::Value;
use web_support::{
    Engine, TOKEN_A, TOKEN_B, TestDb, WebCentre, config, heartbeat, monday_morning, rating,
};

const WAIT: StdDuration = StdDuration::from_secs(10);

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < WAIT,
            "{what}: not reached within {WAIT:?}"
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

fn device(
    heartbeat: Option<Value>,
    last_seen: DateTime<Utc>,
    received: DateTime<Utc>,
) -> DeviceStatus {
    let (hb, times) = match heartbeat {
        Some(item) => {
            let created: DateTime<Utc> = item["created"].as_str().unwrap().parse().unwrap();
            let hb: Heartbeat = serde_json::from_value(item["data"].clone()).unwrap();
            (Some(hb), Some((created, received)))
        }
        None => (None, None),
    };
    DeviceStatus {
        id: "k".into(),
        site: "S".into(),
        last_seen: Some(last_seen),
        heartbeat: hb,
        township: None,
        heartbeat_times: times,
    }
}

fn rules_of(devices: &[DeviceStatus], now: DateTime<Utc>) -> Vec<String> {
    evaluate(devices, now, &AlertRules::default())
        .into_iter()
        .map(|c| c.rule)
        .collect()
}

#[test]
fn the_rules_are_a_pure_function_of_devices_time_and_settings() {
    let monday_9 = monday_morning();
    let fine = heartbeat("h", "k", "2026-03-02T01:00:00Z", "ok");
    assert!(rules_of(&[device(Some(fine.clone()), monday_9, monday_9)], monday_9).is_empty());

    // Offline: 31 minutes of opening time without a heartbeat.
    let later = monday_9 + Duration::minutes(31);
    assert_eq!(
        rules_of(&[device(Some(fine.clone()), monday_9, monday_9)], later),
        ["offline"]
    );
    // Silent from Friday 17:20 to Monday 08:45 local: only 10 + 15 minutes of opening time.
    let friday_1720: DateTime<Utc> = "2026-02-27T09:20:00Z".parse().unwrap();
    let monday_0845: DateTime<Utc> = "2026-03-02T00:45:00Z".parse().unwrap();
    let friday = heartbeat("h", "k", "2026-02-27T09:20:00Z", "ok");
    assert!(
        rules_of(
            &[device(Some(friday.clone()), friday_1720, friday_1720)],
            monday_0845
        )
        .is_empty()
    );
    assert_eq!(
        rules_of(
            &[device(Some(friday), friday_1720, friday_1720)],
            monday_0845 + Duration::minutes(10)
        ),
        ["offline"]
    );

    let out = heartbeat("h", "k", "2026-03-02T01:00:00Z", "out");
    assert_eq!(
        rules_of(&[device(Some(out), monday_9, monday_9)], monday_9),
        ["paper_out"]
    );
    let low = heartbeat("h", "k", "2026-03-02T01:00:00Z", "near_end");
    assert_eq!(
        rules_of(&[device(Some(low), monday_9, monday_9)], monday_9),
        ["paper_low"]
    );

    let mut broken = fine.clone();
    broken["data"]["devices"]["id_reader"]["sam_ok"] = false.into();
    broken["data"]["content_stale"] = true.into();
    broken["data"]["devices"]["scanner"] =
        serde_json::json!({"configured": true, "connected": false});
    broken["data"]["devices"]["media"] = serde_json::json!({
        "started": 3, "failed": 1, "skipping": 1,
        "last_failure": "clip-7: /data/clip.mp4: not a playable clip"
    });
    let conditions = evaluate(
        &[device(Some(broken.clone()), monday_9, monday_9)],
        monday_9,
        &AlertRules::default(),
    );
    assert_eq!(
        conditions
            .iter()
            .map(|c| c.rule.as_str())
            .collect::<Vec<_>>(),
        [
            "reader_failing",
            "scanner_failing",
            "video_failing",
            "content_stale"
        ]
    );
    assert!(
        conditions[2].detail.contains("clip-7"),
        "{:?}",
        conditions[2]
    );
    // A new bundle without the broken clip: the skipping count is back to 0 and the alert clears.
    broken["data"]["devices"]["media"]["skipping"] = 0.into();
    assert!(
        !rules_of(&[device(Some(broken), monday_9, monday_9)], monday_9)
            .contains(&"video_failing".to_owned())
    );

    // The device's clock 10 minutes ahead of the centre's receipt.
    let received = monday_9 - Duration::minutes(10);
    assert_eq!(
        rules_of(&[device(Some(fine.clone()), received, received)], received),
        ["clock_wrong"]
    );
    let mut judged = fine;
    judged["data"]["clock"] = "behind".into();
    assert_eq!(
        rules_of(&[device(Some(judged), monday_9, monday_9)], monday_9),
        ["clock_wrong"]
    );
}

#[tokio::test]
async fn paper_out_raises_an_alert_that_staff_acknowledge_and_that_closes_when_paper_is_back_on_sqlite()
 {
    paper_out_raises_an_alert_that_staff_acknowledge_and_that_closes_when_paper_is_back(
        Engine::Sqlite,
    )
    .await;
}

#[tokio::test]
async fn paper_out_raises_an_alert_that_staff_acknowledge_and_that_closes_when_paper_is_back_on_postgres()
 {
    paper_out_raises_an_alert_that_staff_acknowledge_and_that_closes_when_paper_is_back(
        Engine::Postgres,
    )
    .await;
}

async fn paper_out_raises_an_alert_that_staff_acknowledge_and_that_closes_when_paper_is_back(
    engine: Engine,
) {
    let Some(db) = TestDb::of(
        engine,
        "paper_out_raises_an_alert_that_staff_acknowledge_and_that_closes_when_paper_is_back",
    )
    .await
    else {
        return;
    };
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    let admin = centre.login("admin").await;
    centre
        .deliver(
            TOKEN_A,
            &heartbeat("H-1", "kiosk-a", "2026-03-02T01:00:00Z", "out"),
        )
        .await;
    centre
        .deliver(
            TOKEN_B,
            &heartbeat("H-2", "kiosk-b", "2026-03-02T01:00:00Z", "ok"),
        )
        .await;
    // The heartbeat wakes the alert task.
    wait_for("the paper_out alert", || async {
        admin
            .get("/staff/fleet")
            .await
            .1
            .contains("alert-paper_out")
    })
    .await;
    let (_, fleet) = admin.get("/staff/fleet").await;
    assert!(fleet.contains("<h2>向阳镇</h2>"), "grouped by township");
    assert!(
        fleet.contains("paper-out") && fleet.contains("缺纸"),
        "{fleet}"
    );

    let (_, devices) = centre_devices(&centre).await;
    let a = devices.iter().find(|d| d["device"] == "kiosk-a").unwrap();
    let fields: Vec<&str> = a.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        [
            "alerts",
            "content_stale",
            "content_version",
            "device",
            "last_seen",
            "online",
            "outbox_pending",
            "printer",
            "reader",
            "site",
            "software_version"
        ]
    );
    assert_eq!(a["software_version"], "0.1.0");
    assert!(fleet.contains("软件 software 0.1.0"), "{fleet}");
    assert_eq!(a["alerts"], serde_json::json!(["paper_out"]));
    assert_eq!(a["printer"]["paper"], "out");
    assert_eq!(a["online"], true);
    let b = devices.iter().find(|d| d["device"] == "kiosk-b").unwrap();
    assert_eq!(b["alerts"], serde_json::json!([]));

    let alerts = centre.store.alerts(false, 10).await.unwrap();
    assert_eq!(alerts.len(), 1);
    let id = alerts[0].id;
    let (status, _) = admin.post(&format!("/staff/alerts/{id}/ack"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = admin.post(&format!("/staff/alerts/{id}/ack"), &[]).await;
    assert_eq!(status, StatusCode::CONFLICT, "acknowledged once");
    let alert = &centre.store.alerts(false, 10).await.unwrap()[0];
    assert_eq!(alert.state, AlertState::Acknowledged);
    assert_eq!(alert.acknowledged.as_ref().unwrap().0, "admin");
    let (_, page) = admin.get("/staff/alerts").await;
    assert!(page.contains("已确认 Acknowledged"));
    let (_, summary) = admin.get("/staff/summary?format=text").await;
    assert!(
        summary.contains("向阳镇") && summary.contains("kiosk-a: 缺纸 Paper out"),
        "{summary}"
    );
    assert!(!summary.contains("kiosk-b"));

    // Paper is back: the next heartbeat clears the condition and the centre closes the alert.
    centre.clock.advance(Duration::minutes(5));
    centre
        .deliver(
            TOKEN_A,
            &heartbeat("H-3", "kiosk-a", "2026-03-02T01:05:00Z", "ok"),
        )
        .await;
    wait_for("the alert closes", || async {
        centre.store.alerts(false, 10).await.unwrap().is_empty()
    })
    .await;
    let all = centre.store.alerts(true, 10).await.unwrap();
    assert_eq!(all[0].closed.as_ref().unwrap().0, "system");

    // Out again: a new alert, closed by staff this time.
    centre
        .deliver(
            TOKEN_A,
            &heartbeat("H-4", "kiosk-a", "2026-03-02T01:06:00Z", "out"),
        )
        .await;
    wait_for("a new alert", || async {
        centre.store.alerts(false, 10).await.unwrap().len() == 1
    })
    .await;
    let id = centre.store.alerts(false, 10).await.unwrap()[0].id;
    let manager_b = centre.login("manager-b").await;
    let (status, _) = manager_b
        .post(&format!("/staff/alerts/{id}/close"), &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another site's alert");
    let (status, _) = admin.post(&format!("/staff/alerts/{id}/close"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let audit = centre.store.audit(10).await.unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .filter(|e| e.target.starts_with("alert "))
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions, ["alert_close", "alert_acknowledge"]);
}

async fn centre_devices(centre: &WebCentre) -> (StatusCode, Vec<Value>) {
    let client = reqwest::Client::new();
    let login: Value = client
        .post(centre.url("/api/v1/login"))
        .json(&serde_json::json!({"user": "admin", "password": web_support::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = client
        .get(centre.url("/api/v1/devices"))
        .bearer_auth(login["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let list: Value = response.json().await.unwrap();
    (status, list.as_array().unwrap().clone())
}

#[tokio::test]
async fn low_ratings_are_listed_for_a_return_call_whose_outcome_is_audited_on_sqlite() {
    low_ratings_are_listed_for_a_return_call_whose_outcome_is_audited(Engine::Sqlite).await;
}

#[tokio::test]
async fn low_ratings_are_listed_for_a_return_call_whose_outcome_is_audited_on_postgres() {
    low_ratings_are_listed_for_a_return_call_whose_outcome_is_audited(Engine::Postgres).await;
}

async fn low_ratings_are_listed_for_a_return_call_whose_outcome_is_audited(engine: Engine) {
    let Some(db) = TestDb::of(
        engine,
        "low_ratings_are_listed_for_a_return_call_whose_outcome_is_audited",
    )
    .await
    else {
        return;
    };
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    // Both of site A's visits were served at window 3; site B's rating names no window.
    let at_window_3 = |mut item: Value| {
        item["data"]["window"] = 3.into();
        item
    };
    centre
        .deliver(
            TOKEN_A,
            &at_window_3(rating("P-AAAA-AAAA", "kiosk-a", "legal_aid", "C012", 1)),
        )
        .await;
    centre
        .deliver(
            TOKEN_A,
            &at_window_3(rating("P-BBBB-BBBB", "kiosk-a", "legal_aid", "C013", 5)),
        )
        .await;
    centre
        .deliver(
            TOKEN_B,
            &rating("P-CCCC-CCCC", "kiosk-b", "notary", "N001", 2),
        )
        .await;
    let admin = centre.login("admin").await;
    let (_, page) = admin.get("/staff/ratings").await;
    // legal_aid at site A: 2 ratings, average 3.00, 1 low.
    assert!(
        page.contains("<td>legal_aid</td><td>2</td><td>3.00</td><td>1</td>"),
        "{page}"
    );
    // By window: window 3 of site A the same; site B's rating counted as "not given".
    assert!(
        page.contains("<td>3号窗口 Window 3</td><td>2</td><td>3.00</td><td>1</td>"),
        "{page}"
    );
    assert!(
        page.contains("<td>未注明 Not given</td><td>1</td><td>2.00</td><td>1</td>"),
        "{page}"
    );
    assert!(page.contains("C012") && page.contains("N001"));
    assert_eq!(page.matches("待回访 Not called yet").count(), 2);

    let manager_b = centre.login("manager-b").await;
    let (status, _) = manager_b
        .post(
            "/staff/ratings/return-call",
            &[
                ("device", "kiosk-a"),
                ("key", "P-AAAA-AAAA"),
                ("outcome", "x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another site's rating");
    let (status, _) = admin
        .post(
            "/staff/ratings/return-call",
            &[
                ("device", "kiosk-a"),
                ("key", "P-BBBB-BBBB"),
                ("outcome", "x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not a low rating");
    let (status, _) = admin
        .post(
            "/staff/ratings/return-call",
            &[
                ("device", "kiosk-a"),
                ("key", "P-AAAA-AAAA"),
                ("outcome", "已致电，群众表示理解"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = admin.get("/staff/ratings").await;
    assert!(page.contains("已致电，群众表示理解"));
    assert_eq!(page.matches("待回访 Not called yet").count(), 1);
    let audit = &centre.store.audit(1).await.unwrap()[0];
    assert_eq!(
        (
            audit.action.as_str(),
            audit.target.as_str(),
            audit.detail.as_str()
        ),
        (
            "return_call",
            "rating kiosk-a/P-AAAA-AAAA",
            "已致电，群众表示理解"
        )
    );
    let (_, page) = manager_b.get("/staff/ratings").await;
    assert!(page.contains("N001") && !page.contains("C012"));
}

#[tokio::test]
async fn a_silent_kiosk_is_offline_only_within_opening_hours_and_back_online_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    // Friday 2026-03-06 17:20 local.
    let friday = "2026-03-06T09:20:00Z".parse().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), friday).await;
    centre
        .deliver(
            TOKEN_A,
            &heartbeat("H-1", "kiosk-a", "2026-03-06T09:20:00Z", "ok"),
        )
        .await;
    // Saturday noon: silent for 19 hours, but only 10 minutes of them were opening time.
    centre.clock.set("2026-03-07T04:00:00Z".parse().unwrap());
    centre::web::evaluate_now(&centre.state).await.unwrap();
    assert!(centre.store.alerts(false, 10).await.unwrap().is_empty());
    // Monday 08:55 local: 10 + 25 = 35 minutes of opening time.
    centre.clock.set("2026-03-09T00:55:00Z".parse().unwrap());
    let sync = centre::web::evaluate_now(&centre.state).await.unwrap();
    assert_eq!(sync.raised, 1);
    let alerts = centre.store.alerts(false, 10).await.unwrap();
    assert_eq!(
        (alerts[0].device.as_str(), alerts[0].rule.as_str()),
        ("kiosk-a", "offline")
    );
    let (_, devices) = centre_devices(&centre).await;
    let a = devices.iter().find(|d| d["device"] == "kiosk-a").unwrap();
    assert_eq!(a["online"], false);
    assert_eq!(a["alerts"], serde_json::json!(["offline"]));
    let admin = centre.login("admin").await;
    let (_, summary) = admin.get("/staff/summary").await;
    assert!(
        summary.contains("<h2>向阳镇</h2>") && summary.contains("离线"),
        "{summary}"
    );
    // It comes back: the heartbeat wakes the alert task, which closes the alert.
    centre
        .deliver(
            TOKEN_A,
            &heartbeat("H-2", "kiosk-a", "2026-03-09T00:55:00Z", "ok"),
        )
        .await;
    wait_for("the offline alert closes", || async {
        centre.store.alerts(false, 10).await.unwrap().is_empty()
    })
    .await;
}

#[tokio::test]
async fn a_large_fleet_opens_on_an_overview_by_township_with_the_devices_that_need_someone() {
    // 501 devices: above the full list's limit (centre::web::fleet::FULL_LIST_MAX, 500).
    let mut extra = String::new();
    for n in 0..499 {
        extra.push_str(&format!(
            "[[devices]]\nid = \"kiosk-{n:03}\"\nsite = \"站点{}\"\ntownship = \"乡镇{}\"\n\
             token_sha256 = \"{}\"\n",
            n % 50,
            n % 10,
            centre::auth::token_sha256(&format!("token-{n:03}-of-a-large-fleet"))
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(&extra), monday_morning()).await;
    let admin = centre.login("admin").await;
    centre
        .deliver(
            TOKEN_A,
            &heartbeat("H-1", "kiosk-a", "2026-03-02T01:00:00Z", "out"),
        )
        .await;
    wait_for("the paper_out alert", || async {
        !centre.store.alerts(false, 10).await.unwrap().is_empty()
    })
    .await;
    let (status, overview) = admin.get("/staff/fleet").await;
    assert_eq!(status, StatusCode::OK);
    assert!(overview.contains("501 台设备 devices"), "{overview}");
    assert!(overview.contains("<h2>乡镇 Townships</h2>"));
    assert!(
        overview.contains("href=\"/staff/fleet?township=%E5%90%91%E9%98%B3%E9%95%87\""),
        "a link to 向阳镇's list"
    );
    assert!(overview.contains("有告警的设备 Devices with open alerts (1)"));
    assert!(overview.contains("kiosk-a") && overview.contains("缺纸"));
    assert!(
        !overview.contains("kiosk-007"),
        "quiet devices are not listed"
    );

    let (status, township) = admin.get("/staff/fleet?township=乡镇7").await;
    assert_eq!(status, StatusCode::OK);
    assert!(township.contains("kiosk-007") && township.contains("kiosk-497"));
    assert!(!township.contains("kiosk-008") && !township.contains("kiosk-a"));
    assert!(
        township.contains("href=\"/staff/fleet\""),
        "back to the overview"
    );
}
