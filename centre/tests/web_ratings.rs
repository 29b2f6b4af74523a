//! Who served a rated visit, the reasons ticked and where the rating was given, on SQLite and on
//! PostgreSQL: a rating pad's outbox item is stored once, listed with its fields by
//! `GET /api/v1/ratings`, counted by staff member in `/api/v1/reports/ratings` and on
//! `/staff/ratings` (with its reasons on the return-call list); an older kiosk's rating has none of
//! them; and a database of schema version 5 gets them from its stored items' bodies.

mod web_support;

use centre::store::{AccountSet, DeviceRecord, NewItem, Stored};
use chrono::{DateTime, Utc};
use content::OutboxMessage;
use reqwest::StatusCode;
use serde_json::{Value, json};
use web_support::{
    Engine, SITE_A, TOKEN_A, TestDb, WebCentre, config, db::connect, item, monday_morning, rating,
};

/// A rating from the window's rating pad (or the phone page: `source`) naming who served and, on
/// a low score, why.
fn pad_rating(key: &str, ticket: &str, score: u8, reasons: &[&str], source: &str) -> Value {
    item(
        key,
        "kiosk-a",
        "2026-03-02T01:00:00Z",
        "rating",
        json!({ "service": "legal_aid", "ticket": ticket, "score": score, "comment": "",
                "window": 3, "staff_id": "A017", "staff_name": "张敏", "reasons": reasons,
                "source": source }),
    )
}

/// The part of `page` from the heading containing `heading` to the next heading.
fn section<'a>(page: &'a str, heading: &str) -> &'a str {
    let start = page
        .find(heading)
        .unwrap_or_else(|| panic!("{heading}: {page}"));
    let rest = &page[start..];
    let end = rest.find("<h2>").unwrap_or(rest.len());
    &rest[..end]
}

/// `GET /api/v1/ratings` with an administrator's API session.
async fn api_ratings(centre: &WebCentre) -> Vec<Value> {
    let client = reqwest::Client::new();
    let login: Value = client
        .post(centre.url("/api/v1/login"))
        .json(&json!({"user": "admin", "password": web_support::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = client
        .get(centre.url("/api/v1/ratings"))
        .bearer_auth(login["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let list: Value = response.json().await.unwrap();
    list.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_rating_names_who_served_and_why_on_sqlite() {
    a_rating_names_who_served_and_why(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_rating_names_who_served_and_why_on_postgres() {
    a_rating_names_who_served_and_why(Engine::Postgres).await;
}

async fn a_rating_names_who_served_and_why(engine: Engine) {
    let Some(db) = TestDb::of(engine, "a_rating_names_who_served_and_why").await else {
        return;
    };
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    let low = pad_rating(
        "rating:2026-03-02:C012",
        "C012",
        2,
        &["not_solved", "long_wait"],
        "pad",
    );
    assert_eq!(centre.deliver(TOKEN_A, &low).await, 201);
    assert_eq!(centre.deliver(TOKEN_A, &low).await, 200, "a repeat");
    let good = pad_rating("rating:2026-03-02:C013", "C013", 5, &[], "phone");
    assert_eq!(centre.deliver(TOKEN_A, &good).await, 201);
    // An older kiosk's rating: none of the new fields.
    let old = rating("P-OLD0-0001", "kiosk-a", "notary", "N001", 4);
    assert_eq!(centre.deliver(TOKEN_A, &old).await, 201);
    assert_eq!(db.count("SELECT COUNT(*) FROM ratings").await, 3);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM ratings WHERE reasons = 'not_solved,long_wait'")
            .await,
        1,
        "the reasons column: ids joined by commas, in the order given"
    );

    // The API lists the fields; the older rating has nulls and no reasons.
    let list = api_ratings(&centre).await;
    assert_eq!(list.len(), 3);
    let by_key = |key: &str| {
        list.iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("{key} in {list:?}"))
            .clone()
    };
    let r = by_key("rating:2026-03-02:C012");
    assert_eq!(
        (
            &r["staff_id"],
            &r["staff_name"],
            &r["reasons"],
            &r["source"],
            &r["window"]
        ),
        (
            &json!("A017"),
            &json!("张敏"),
            &json!(["not_solved", "long_wait"]),
            &json!("pad"),
            &json!(3)
        )
    );
    let r = by_key("rating:2026-03-02:C013");
    assert_eq!((&r["reasons"], &r["source"]), (&json!([]), &json!("phone")));
    let r = by_key("P-OLD0-0001");
    assert_eq!(
        (
            &r["staff_id"],
            &r["staff_name"],
            &r["reasons"],
            &r["source"]
        ),
        (&Value::Null, &Value::Null, &json!([]), &Value::Null)
    );

    // The report: by site and staff member, the ratings naming no one first.
    let admin = centre.login("admin").await;
    let (status, report) = admin
        .get_json("/api/v1/reports/ratings?from=2026-03-02&to=2026-03-02")
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["rows"].as_array().unwrap().len(), 2, "{report}");
    assert_eq!(
        report["by_staff"],
        json!([
            {"site": SITE_A, "staff_id": null, "staff_name": null, "count": 1, "average": 4.0,
             "low": 0, "low_share": 0.0, "by_score": [0, 0, 0, 1, 0]},
            {"site": SITE_A, "staff_id": "A017", "staff_name": "张敏", "count": 2, "average": 3.5,
             "low": 1, "low_share": 0.5, "by_score": [0, 1, 0, 0, 1]},
        ])
    );
    let (_, other_day) = admin
        .get_json("/api/v1/reports/ratings?from=2026-03-03&to=2026-03-03")
        .await;
    assert_eq!(other_day["by_staff"], json!([]));

    // The page: the by-staff table, and the low rating's staff and reasons on the return-call list.
    let (status, page) = admin.get("/staff/ratings").await;
    assert_eq!(status, StatusCode::OK);
    let by_staff = section(&page, "按站点和工作人员 By site and staff member");
    assert!(
        by_staff.contains("<td>张敏 · A017</td><td>2</td><td>3.50</td><td>1</td><td>50%</td>"),
        "{by_staff}"
    );
    assert!(
        by_staff.contains("<td>未注明 Not given</td><td>1</td><td>4.00</td><td>0</td><td>0%</td>"),
        "{by_staff}"
    );
    let low_list = section(&page, "差评回访");
    assert!(
        low_list.contains(
            "<td>3号窗口 Window 3</td><td>张敏 · A017</td><td>C012</td><td>2</td>\
             <td>问题没有解决 Problem not solved<br>等候时间长 Long wait</td>"
        ),
        "{low_list}"
    );
    assert!(!low_list.contains("C013") && !low_list.contains("N001"));

    // Another site's manager sees none of it.
    let manager_b = centre.login("manager-b").await;
    let (_, page) = manager_b.get("/staff/ratings").await;
    assert!(!page.contains("张敏"), "{page}");
}

#[tokio::test]
async fn a_schema_5_database_gets_staff_reasons_and_source_from_the_bodies_on_sqlite() {
    a_schema_5_database_gets_staff_reasons_and_source_from_the_bodies(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_schema_5_database_gets_staff_reasons_and_source_from_the_bodies_on_postgres() {
    a_schema_5_database_gets_staff_reasons_and_source_from_the_bodies(Engine::Postgres).await;
}

/// A stored item of `value` (an outbox item as JSON) received now.
fn new_item(value: &Value) -> NewItem {
    let message: OutboxMessage = serde_json::from_value(value.clone()).unwrap();
    NewItem {
        body: value.to_string(),
        message,
        received: Utc::now(),
    }
}

async fn a_schema_5_database_gets_staff_reasons_and_source_from_the_bodies(engine: Engine) {
    let Some(db) = TestDb::of(
        engine,
        "a_schema_5_database_gets_staff_reasons_and_source_from_the_bodies",
    )
    .await
    else {
        return;
    };
    // Ratings stored as a version-5 centre stored them: the new fields in the item's body only
    // (made here by storing them now and then taking schema 6's columns away).
    let store = db.open().await;
    store
        .replace_accounts(AccountSet {
            devices: vec![DeviceRecord {
                id: "kiosk-a".into(),
                site: SITE_A.into(),
                token_sha256: Some("00".repeat(32)),
                township: None,
            }],
            staff: vec![],
        })
        .await
        .unwrap();
    let items = [
        pad_rating("K-1", "C012", 1, &["slow", "attitude"], "pad"),
        rating("K-2", "kiosk-a", "notary", "N001", 4),
        pad_rating("K-3", "C013", 2, &["other"], "phone"),
    ];
    for value in &items {
        assert!(matches!(
            store.store_item(new_item(value)).await.unwrap(),
            Stored::New(_)
        ));
    }
    drop(store);
    // K-3's body as an unchecked older centre might have kept it: reasons not a list.
    let mut odd = items[2].clone();
    odd["data"]["reasons"] = json!("other");
    match &db.url {
        None => {
            let conn = rusqlite::Connection::open(db.sqlite_path().unwrap()).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(10))
                .unwrap();
            conn.execute_batch(
                "ALTER TABLE ratings DROP COLUMN staff_id; ALTER TABLE ratings DROP COLUMN staff_name; \
                 ALTER TABLE ratings DROP COLUMN reasons; ALTER TABLE ratings DROP COLUMN source; \
                 DROP TABLE callbacks; DROP TABLE application_steps; DROP TABLE applications; \
                 PRAGMA user_version = 5;",
            )
            .unwrap();
            conn.execute(
                "UPDATE items SET body = ?1 WHERE key = 'K-3'",
                [odd.to_string()],
            )
            .unwrap();
        }
        Some(url) => {
            let client = connect(url).await;
            client
                .batch_execute(
                    "ALTER TABLE ratings DROP COLUMN staff_id, DROP COLUMN staff_name, \
                     DROP COLUMN reasons, DROP COLUMN source; DROP TABLE callbacks; \
                     DROP TABLE application_steps; DROP TABLE applications; \
                     DELETE FROM schema_version WHERE version >= 6;",
                )
                .await
                .unwrap();
            client
                .execute(
                    "UPDATE items SET body = $1 WHERE key = 'K-3'",
                    &[&odd.to_string()],
                )
                .await
                .unwrap();
        }
    }
    let version = match engine {
        Engine::Sqlite => "PRAGMA user_version",
        Engine::Postgres => "SELECT MAX(version)::BIGINT FROM schema_version",
    };
    assert_eq!(db.count(version).await, 5);

    // Opened by this centre: schema 6 and on, the columns filled from the bodies.
    let store = db.open().await;
    assert_eq!(db.count(version).await, 8);
    let mut ratings = store.ratings(10).await.unwrap();
    ratings.sort_by(|a, b| a.key.cmp(&b.key));
    let fields: Vec<_> = ratings
        .iter()
        .map(|r| {
            (
                r.key.as_str(),
                r.rating.staff_id.as_deref(),
                r.rating.staff_name.as_deref(),
                r.rating.reasons.clone(),
                r.rating.source.as_deref(),
                r.rating.window,
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            (
                "K-1",
                Some("A017"),
                Some("张敏"),
                vec!["slow".to_owned(), "attitude".to_owned()],
                Some("pad"),
                Some(3)
            ),
            ("K-2", None, None, vec![], None, None),
            (
                "K-3",
                Some("A017"),
                Some("张敏"),
                vec![],
                Some("phone"),
                Some(3)
            ),
        ]
    );
    let created: DateTime<Utc> = "2026-03-02T01:00:00Z".parse().unwrap();
    let day = created.date_naive();
    let by_staff = store
        .rating_staff_counts(centre::store::ReportFilter {
            from: day,
            to: day,
            site: None,
        })
        .await
        .unwrap();
    let named: u64 = by_staff
        .iter()
        .filter(|c| c.staff_id.as_deref() == Some("A017"))
        .map(|c| c.count)
        .sum();
    assert_eq!(named, 2);
    drop(store);
    // Opened again: nothing more to do.
    let store = db.open().await;
    assert_eq!(store.ratings(10).await.unwrap().len(), 3);
    assert_eq!(db.count(version).await, 8);
}
