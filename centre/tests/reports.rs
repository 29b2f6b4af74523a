//! Reports end to end: a simulated day on the real queue engine (two queue hosts of one site, two
//! services, tickets issued over the day on a manual clock, called, served and marked no-show),
//! turned into ticket statistics by the kiosk-side producer (`content::ticket_stats`), delivered by
//! the kiosk's real `content::Outbox` to a centre on loopback, and read back through
//! `GET /api/v1/reports/tickets` as JSON and CSV: every figure equals the one computed here
//! independently from the queue's own ticket rows. Then the other reports, who may read them, the
//! refusals of bad parameters, and the upgrade of a version-1 database. On both engines (SQLite,
//! and PostgreSQL when `CENTRE_TEST_DATABASE_URL` is set), except the SQLite file's upgrade.

#[macro_use]
mod support;

use std::{path::Path, sync::Arc};

use centre::{
    Accounts, ApiSettings, AppState, CentreConfig, SqliteStore, Store, install_accounts,
    store::ReportFilter,
};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone as _, Timelike as _, Utc};
use content::{ContentConfig, Outbox};
use queue::{
    IdCardPolicy, IssueRequest, ManualClock, QueueConfig, QueueEngine, Ticket, TicketStatus,
};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use support::db::TestDb;
use tokio::sync::oneshot;

on_both_engines!(
    the_report_matches_the_tickets_of_a_simulated_day,
    complaints_ratings_and_surveys_are_counted,
    the_api_token_reads_reports_only_and_bad_parameters_are_named,
);

const SITE: &str = "向阳镇公共法律服务工作站";
const OTHER_SITE: &str = "石桥镇工作站";
const PASSWORD: &str = "a long enough password";
const API_TOKEN: &str = "report-token-of-the-other-system";
const SERVICES: [&str; 2] = ["legal_aid", "notary"];

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// The instant `secs` seconds after local midnight of [`day`].
fn at(secs: u32) -> DateTime<Utc> {
    china()
        .from_local_datetime(&day().and_hms_opt(0, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
        + Duration::seconds(i64::from(secs))
}

fn config() -> CentreConfig {
    let hash = centre::auth::hash_password(PASSWORD).unwrap();
    let token = centre::auth::token_sha256;
    let text = format!(
        r#"
[[devices]]
id = "host-1"
site = "{SITE}"
token_sha256 = "{t1}"

[[devices]]
id = "host-2"
site = "{SITE}"
token_sha256 = "{t2}"

[[devices]]
id = "other-1"
site = "{OTHER_SITE}"
token_sha256 = "{t3}"

[[staff]]
user = "admin"
password_hash = "{hash}"
role = "administrator"

[[staff]]
user = "manager-other"
password_hash = "{hash}"
role = "manager"
site = "{OTHER_SITE}"

[[api_tokens]]
name = "综治信息系统"
token_sha256 = "{api}"
"#,
        t1 = token("token-host-1"),
        t2 = token("token-host-2"),
        t3 = token("token-other-1"),
        api = token(API_TOKEN),
    );
    CentreConfig::parse(Path::new("centre.toml"), &text).unwrap()
}

/// A centre on 127.0.0.1:0 over the test's database, with [`config`]'s devices, staff and API token.
struct Centre {
    base: String,
    store: Arc<dyn Store>,
    client: reqwest::Client,
    _shutdown: oneshot::Sender<()>,
}

impl Centre {
    async fn start(db: &TestDb) -> Self {
        let config = config();
        let store = db.open().await;
        install_accounts(store.as_ref(), &Accounts::Configured(config.clone()))
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = AppState::new(
            Arc::clone(&store),
            Arc::new(clock::SystemWallClock),
            ApiSettings::default(),
        )
        .with_api_tokens(config.api_tokens());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            centre::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Self {
            base,
            store,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            _shutdown: tx,
        }
    }

    async fn login(&self, user: &str) -> String {
        let response = self
            .client
            .post(format!("{}/api/v1/login", self.base))
            .json(&json!({ "user": user, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    async fn get_json(&self, path: &str, token: &str) -> Value {
        let response = self.get(path, Some(token)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.unwrap()
    }

    /// POSTs an outbox item as `device` (its token is `token-DEVICE`).
    async fn post_item(
        &self,
        device: &str,
        key: &str,
        created: DateTime<Utc>,
        kind: &str,
        data: Value,
    ) {
        let body =
            json!({"key": key, "device": device, "created": created, "kind": kind, "data": data});
        let response = self
            .client
            .post(format!("{}/api/v1/outbox", self.base))
            .bearer_auth(format!("token-{device}"))
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{key}");
    }
}

/// A queue host with its manual clock.
struct Host {
    engine: QueueEngine,
    clock: Arc<ManualClock>,
}

impl Host {
    fn open(dir: &Path) -> Self {
        let clock = Arc::new(ManualClock::new(at(8 * 3600)));
        // The demo's services, open all day; the notary without the ID card (no card reader here).
        let mut config = QueueConfig::demo();
        for service in &mut config.services {
            service.id_card = IdCardPolicy::Off;
        }
        let engine = QueueEngine::open(
            &dir.join("queue.sqlite3"),
            config,
            Arc::clone(&clock) as Arc<dyn queue::Clock>,
            "",
        )
        .unwrap();
        Self { engine, clock }
    }
}

/// What a window is doing in the simulation.
#[derive(Clone, Copy)]
enum Desk {
    /// Free from this second on.
    Idle(u32),
    /// Called a ticket: the citizen comes (or is marked no-show) at this second.
    Called { until: u32, comes: bool },
    /// Serving until this second.
    Serving(u32),
}

/// A small deterministic generator (the simulation must be the same on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % u64::from(below)) as u32
    }
}

/// Runs a business day on `host`: `tickets` numbers per service issued at random seconds between
/// 08:30 and 17:00, window 2 serving legal aid and window 3 the notary until 16:30 (later tickets
/// keep waiting), every fifth call a no-show, service times of 2 to 20 minutes. The clock moves in
/// steps of 20 seconds.
fn simulate(host: &Host, seed: u64, tickets: [u32; 2]) {
    let mut rng = Lcg(seed);
    let mut schedule: Vec<(u32, &str)> = Vec::new();
    for (service, count) in SERVICES.iter().zip(tickets) {
        for _ in 0..count {
            schedule.push((8 * 3600 + 1800 + rng.next(8 * 3600 + 1800), service));
        }
    }
    schedule.sort_unstable();
    let windows = [(2u32, "accepted"), (3u32, "done")];
    for (window, _) in windows {
        host.engine.open_window(window).unwrap();
    }
    let notary_outcome = host
        .engine
        .config()
        .service("notary")
        .and_then(|s| s.outcomes.first().cloned())
        .unwrap_or_else(|| "done".to_owned());
    let mut desks = [Desk::Idle(9 * 3600), Desk::Idle(9 * 3600)];
    let mut next = 0;
    let mut calls = 0u32;
    let mut now = 8 * 3600;
    while now <= 18 * 3600 {
        host.clock.set(at(now));
        while next < schedule.len() && schedule[next].0 <= now {
            host.engine
                .issue(&IssueRequest::new(schedule[next].1), "kiosk")
                .unwrap();
            next += 1;
        }
        for (desk, (window, outcome)) in desks.iter_mut().zip(windows) {
            let outcome = if window == 3 {
                notary_outcome.as_str()
            } else {
                outcome
            };
            *desk = match *desk {
                Desk::Idle(from) if now >= from && now < 16 * 3600 + 1800 => {
                    match host.engine.call_next(window).unwrap() {
                        Some(_) => {
                            calls += 1;
                            let comes = !calls.is_multiple_of(5);
                            Desk::Called {
                                until: now + if comes { 40 } else { 120 },
                                comes,
                            }
                        }
                        None => Desk::Idle(from),
                    }
                }
                Desk::Called { until, comes } if now >= until => {
                    if comes {
                        host.engine.start(window).unwrap();
                        Desk::Serving(now + 120 + rng.next(18 * 60))
                    } else {
                        host.engine.no_show(window).unwrap();
                        Desk::Idle(now + 20)
                    }
                }
                Desk::Serving(until) if now >= until => {
                    host.engine.complete(window, outcome).unwrap();
                    Desk::Idle(now + 40)
                }
                other => other,
            };
        }
        now += 20;
    }
}

/// One row of the report as computed here from the queue's rows.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    issued: u32,
    served: u32,
    no_show: u32,
    wait_p50_secs: Option<u32>,
    wait_p90_secs: Option<u32>,
    service_mean_secs: Option<u32>,
    by_hour: [u32; 24],
}

/// The figures of `service` over the ticket rows of both hosts, computed from the rows alone:
/// waiting times in whole minutes (rounded down) with nearest-rank percentiles, the service time
/// from start to end.
fn expected(tickets: &[Ticket], service: &str) -> Expected {
    let rows: Vec<&Ticket> = tickets.iter().filter(|t| t.service == service).collect();
    let mut waits: Vec<i64> = rows
        .iter()
        .filter_map(|t| t.called_at.map(|c| (c - t.enqueued_at).num_seconds() / 60))
        .collect();
    waits.sort_unstable();
    let rank = |q: f64| -> Option<u32> {
        if waits.is_empty() {
            return None;
        }
        let index = (q * waits.len() as f64).ceil() as usize - 1;
        Some(u32::try_from(waits[index] * 60).unwrap())
    };
    let served: Vec<&&Ticket> = rows
        .iter()
        .filter(|t| t.status == TicketStatus::Done)
        .collect();
    let service_total: i64 = served
        .iter()
        .map(|t| (t.finished_at.unwrap() - t.started_at.unwrap()).num_seconds())
        .sum();
    let mut by_hour = [0; 24];
    for t in &rows {
        by_hour[t.issued_at.with_timezone(&china()).hour() as usize] += 1;
    }
    Expected {
        issued: rows.len() as u32,
        served: served.len() as u32,
        no_show: rows
            .iter()
            .filter(|t| t.status == TicketStatus::NoShow)
            .count() as u32,
        wait_p50_secs: rank(0.5),
        wait_p90_secs: rank(0.9),
        service_mean_secs: (!served.is_empty())
            .then(|| u32::try_from(service_total / served.len() as i64).unwrap()),
        by_hour,
    }
}

fn kiosk_config(centre: &Centre, dir: &Path, device: &str) -> ContentConfig {
    let token_file = dir.join("centre-token");
    std::fs::write(&token_file, format!("token-{device}\n")).unwrap();
    ContentConfig {
        outbox_url: Some(format!("{}/api/v1/outbox", centre.base)),
        outbox_token_file: Some(token_file),
        device_id: Some(device.into()),
        ..ContentConfig::default()
    }
}

fn number(v: &Value) -> Option<u32> {
    v.as_u64().map(|n| u32::try_from(n).unwrap())
}

async fn the_report_matches_the_tickets_of_a_simulated_day(db: TestDb) {
    let centre = Centre::start(&db).await;
    let mut all_tickets = Vec::new();
    for (device, seed, tickets) in [("host-1", 7, [34, 27]), ("host-2", 11, [21, 30])] {
        let dir = tempfile::tempdir().unwrap();
        let host = Host::open(dir.path());
        simulate(&host, seed, tickets);
        let rows = host.engine.tickets_of_day(day()).unwrap();
        assert_eq!(rows.len() as u32, tickets.iter().sum::<u32>());
        assert!(
            rows.iter().any(|t| t.status == TicketStatus::Waiting),
            "some tickets are still waiting at the end of the day"
        );
        assert!(rows.iter().any(|t| t.status == TicketStatus::NoShow));
        all_tickets.extend(rows);

        // The kiosk side: the day's statistics into the kiosk's real outbox, delivered to the centre.
        let outbox =
            Outbox::open(dir.path(), &kiosk_config(&centre, dir.path(), device), "x").unwrap();
        let added = content::ticket_stats::submit_day_stats(&outbox, &host.engine, day()).unwrap();
        assert_eq!(added, 2, "one item per service");
        assert_eq!(
            content::ticket_stats::submit_day_stats(&outbox, &host.engine, day()).unwrap(),
            0,
            "the same day is queued once"
        );
        let report = outbox.send_due(Utc::now()).await.unwrap();
        assert_eq!((report.sent, report.retry, report.rejected), (2, 0, 0));
    }

    let filter = ReportFilter {
        from: day(),
        to: day(),
        site: None,
    };
    assert_eq!(
        centre.store.ticket_stats_rows(filter).await.unwrap().len(),
        4
    );

    // JSON, read with the other system's API token.
    let path = "/api/v1/reports/tickets?from=2026-03-01&to=2026-03-03";
    let report = centre.get_json(path, API_TOKEN).await;
    assert_eq!(report["report"], "tickets");
    assert_eq!(report["from"], "2026-03-01");
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "one row per day, site and service: {report}");
    for (row, service) in rows.iter().zip(SERVICES) {
        let want = expected(&all_tickets, service);
        assert_eq!(row["day"], "2026-03-02");
        assert_eq!(row["site"], SITE);
        assert_eq!(row["service"], service);
        assert_eq!(row["devices"], 2);
        let hours: Vec<u32> = row["issued_by_hour"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| number(v).unwrap())
            .collect();
        let got = Expected {
            issued: number(&row["issued"]).unwrap(),
            served: number(&row["served"]).unwrap(),
            no_show: number(&row["no_show"]).unwrap(),
            wait_p50_secs: number(&row["wait_p50_secs"]),
            wait_p90_secs: number(&row["wait_p90_secs"]),
            service_mean_secs: number(&row["service_mean_secs"]),
            by_hour: hours.try_into().unwrap(),
        };
        assert_eq!(got, want, "{service}");
        assert!(want.wait_p90_secs > want.wait_p50_secs, "{want:?}");
        assert!(want.issued > want.served + want.no_show, "{want:?}");
    }

    // CSV: the same figures, with a BOM, a header and a file name.
    let response = centre
        .get(&format!("{path}&format=csv"), Some(API_TOKEN))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        response.headers()[header::CONTENT_DISPOSITION],
        "attachment; filename=\"tickets-2026-03-01-2026-03-03.csv\""
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "a byte order mark for Excel");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "day",
            "site",
            "service",
            "issued",
            "served",
            "no_show",
            "wait_p50_secs",
            "wait_p90_secs",
            "service_mean_secs"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    for (record, service) in records.iter().zip(SERVICES) {
        let want = expected(&all_tickets, service);
        let cell = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
        assert_eq!(
            record.iter().collect::<Vec<_>>(),
            vec![
                "2026-03-02".to_owned(),
                SITE.to_owned(),
                service.to_owned(),
                want.issued.to_string(),
                want.served.to_string(),
                want.no_show.to_string(),
                cell(want.wait_p50_secs),
                cell(want.wait_p90_secs),
                cell(want.service_mean_secs),
            ]
        );
    }

    // A staff session reads the same; another site's filter and days outside the range are empty.
    let token = centre.login("admin").await;
    assert_eq!(centre.get_json(path, &token).await["rows"], report["rows"]);
    let other = format!("{path}&site={}", OTHER_SITE);
    assert_eq!(centre.get_json(&other, &token).await["rows"], json!([]));
    let before = "/api/v1/reports/tickets?from=2026-02-01&to=2026-03-01";
    assert_eq!(centre.get_json(before, &token).await["rows"], json!([]));
    // A manager of another site sees only that site, and may not ask for this one.
    let manager = centre.login("manager-other").await;
    let scoped = centre.get_json(path, &manager).await;
    assert_eq!(
        (scoped["site"].clone(), scoped["rows"].clone()),
        (json!(OTHER_SITE), json!([]))
    );
    let response = centre
        .get(&format!("{path}&site={SITE}"), Some(&manager))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

async fn complaints_ratings_and_surveys_are_counted(db: TestDb) {
    let centre = Centre::start(&db).await;
    let morning = at(10 * 3600);
    for (key, device, created, text) in [
        ("T-AAAA-0001", "host-1", morning, "【投诉】窗口等候时间太长"),
        ("T-AAAA-0002", "host-2", morning, "【投诉】态度不好"),
        ("T-AAAA-0003", "host-1", morning, "【建议】增加座椅"),
        ("T-AAAA-0004", "host-1", morning, "没有标记的意见"),
        // 23:30 local on the day before, though 15:30 UTC of the same UTC date: not in the range.
        (
            "T-AAAA-0005",
            "host-1",
            at(0) - Duration::minutes(30),
            "【投诉】前一天",
        ),
        ("T-AAAA-0006", "other-1", morning, "【建议】别的站点"),
    ] {
        centre
            .post_item(
                device,
                key,
                created,
                "complaint",
                json!({"about": "general", "text": text, "contact": "13812345678"}),
            )
            .await;
    }
    for (i, (device, service, score)) in [
        ("host-1", "legal_aid", 5),
        ("host-2", "legal_aid", 4),
        ("host-1", "legal_aid", 4),
        ("host-1", "notary", 1),
        ("other-1", "notary", 3),
    ]
    .into_iter()
    .enumerate()
    {
        centre
            .post_item(
                device,
                &format!("P-{i}"),
                morning,
                "rating",
                json!({"service": service, "ticket": null, "score": score, "comment": ""}),
            )
            .await;
    }
    for (i, services) in [vec!["legal_aid", "mediation"], vec!["legal_aid"]]
        .into_iter()
        .enumerate()
    {
        centre
            .post_item(
                "host-1",
                &format!("S-{i}"),
                morning,
                "needs_survey",
                json!({"services": services, "matters": ["wages"], "channels": []}),
            )
            .await;
    }
    let q = format!("?from=2026-03-02&to=2026-03-02&site={SITE}");

    let complaints = centre
        .get_json(&format!("/api/v1/reports/complaints{q}"), API_TOKEN)
        .await;
    assert_eq!(
        complaints["rows"],
        json!([{"day": "2026-03-02", "site": SITE, "complaints": 2, "suggestions": 1, "other": 1, "total": 4}])
    );
    assert!(
        !complaints.to_string().contains("1381234"),
        "no personal data"
    );

    let ratings = centre
        .get_json(&format!("/api/v1/reports/ratings{q}"), API_TOKEN)
        .await;
    assert_eq!(
        ratings["rows"],
        json!([
            {"site": SITE, "service": "legal_aid", "count": 3, "average": 4.33, "by_score": [0, 0, 0, 2, 1]},
            {"site": SITE, "service": "notary", "count": 1, "average": 1.0, "by_score": [1, 0, 0, 0, 0]}
        ])
    );

    let surveys = centre
        .get_json(&format!("/api/v1/reports/surveys{q}"), API_TOKEN)
        .await;
    assert_eq!(surveys["surveys"], 2);
    assert_eq!(
        surveys["answers"],
        json!([
            {"question": "services", "choice": "legal_aid", "count": 2},
            {"question": "services", "choice": "mediation", "count": 1},
            {"question": "matters", "choice": "wages", "count": 2}
        ])
    );
    // Every site: the other site's rows come too.
    let all = centre
        .get_json(
            "/api/v1/reports/complaints?from=2026-03-02&to=2026-03-02",
            API_TOKEN,
        )
        .await;
    assert_eq!(all["rows"].as_array().unwrap().len(), 2);
}

async fn the_api_token_reads_reports_only_and_bad_parameters_are_named(db: TestDb) {
    let centre = Centre::start(&db).await;
    let good = "/api/v1/reports/tickets?from=2026-03-01&to=2026-03-31";
    for path in [
        good,
        "/api/v1/reports/complaints?from=2026-03-01&to=2026-03-31",
        "/api/v1/reports/ratings?from=2026-03-01&to=2026-03-31",
        "/api/v1/reports/surveys?from=2026-03-01&to=2026-03-31",
    ] {
        assert_eq!(
            centre.get(path, Some(API_TOKEN)).await.status(),
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(
            centre.get(path, None).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        assert_eq!(
            centre.get(path, Some("not-a-token")).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    // Elsewhere the API token is no credential.
    for path in ["/api/v1/devices", "/api/v1/complaints", "/api/v1/ratings"] {
        assert_eq!(
            centre.get(path, Some(API_TOKEN)).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    let page = centre.get("/staff/reports", Some(API_TOKEN)).await;
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "the page wants a staff login"
    );
    let response = centre
        .client
        .post(format!("{}{good}", centre.base))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::METHOD_NOT_ALLOWED,
        "read-only"
    );
    // A device token does not read reports.
    assert_eq!(
        centre.get(good, Some("token-host-1")).await.status(),
        StatusCode::UNAUTHORIZED
    );

    for (query, names) in [
        ("to=2026-03-01", "from: missing"),
        ("from=2026-03-01", "to: missing"),
        (
            "from=2026-02-30&to=2026-03-01",
            "from: \"2026-02-30\" is not a date",
        ),
        (
            "from=2026-03-01&to=31.03.2026",
            "to: \"31.03.2026\" is not a date",
        ),
        (
            "from=2026-03-02&to=2026-03-01",
            "to: 2026-03-01 is before from (2026-03-02)",
        ),
        (
            "from=2025-01-01&to=2026-03-01",
            "to: the range from 2025-01-01 to 2026-03-01 is 425 days; at most 366",
        ),
        (
            "from=2026-03-01&to=2026-03-01&format=xlsx",
            "format: \"xlsx\" is not json or csv",
        ),
        (
            "from=2026-03-01&to=2026-03-01&form=csv",
            "form: unknown parameter",
        ),
    ] {
        let response = centre
            .get(&format!("/api/v1/reports/tickets?{query}"), Some(API_TOKEN))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: Value = response.json().await.unwrap();
        let reason = body["error"].as_str().unwrap();
        assert!(reason.starts_with(names), "{query}: {reason}");
    }
    // CSV is for the tickets report only.
    let response = centre
        .get(
            "/api/v1/reports/ratings?from=2026-03-01&to=2026-03-01&format=csv",
            Some(API_TOKEN),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // A year and a day of a leap year are 366 days: allowed.
    let leap = "/api/v1/reports/tickets?from=2024-01-01&to=2024-12-31";
    assert_eq!(
        centre.get(leap, Some(API_TOKEN)).await.status(),
        StatusCode::OK
    );
}

/// Two reports as a first-release centre stored them: a newer kiosk's (its new fields kept only in
/// the item's body) and an older kiosk's.
fn first_release_reports() -> [Value; 2] {
    [
        json!({"key": "stats:2026-03-02:notary", "device": "k1", "created": "2026-03-02T10:00:00Z",
            "kind": "ticket_stats", "data": {"day": "2026-03-02", "service": "notary", "issued": 3,
            "served": 2, "no_show": 1, "mean_wait_secs": 400,
            "wait_minutes": [0, 0, 1, 0, 0, 0, 0, 0, 0, 2], "service_count": 2,
            "service_total_secs": 1201,
            "issued_by_hour": [0,0,0,0,0,0,0,0,0,2,1,0,0,0,0,0,0,0,0,0,0,0,0,0]}}),
        json!({"key": "stats:2026-03-02:legal_aid", "device": "k1", "created": "2026-03-02T10:00:00Z",
            "kind": "ticket_stats", "data": {"day": "2026-03-02", "service": "legal_aid", "issued": 5,
            "served": 4, "no_show": 1, "mean_wait_secs": 300}}),
    ]
}

/// A newer kiosk's rating as a first-release centre stored it: the window only in the body.
fn first_release_rating() -> Value {
    json!({"key": "P-AAAA-BBBB", "device": "k1", "created": "2026-03-02T10:00:00Z",
        "kind": "rating", "data": {"service": "notary", "ticket": "B007", "score": 2,
        "comment": "", "window": 4}})
}

/// The upgraded store reads both reports, the newer one with its fields filled from the body, and
/// the rating with its window.
async fn check_upgraded(store: &dyn Store) {
    let ratings = store.ratings(10).await.unwrap();
    assert_eq!(ratings.len(), 1);
    assert_eq!(
        (
            ratings[0].rating.ticket.as_deref(),
            ratings[0].rating.window
        ),
        (Some("B007"), Some(4))
    );
    let rows = store
        .ticket_stats_rows(ReportFilter {
            from: day(),
            to: day(),
            site: None,
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let (aid, notary) = (&rows[0].stats, &rows[1].stats);
    assert_eq!((aid.service.as_str(), aid.issued), ("legal_aid", 5));
    assert!(aid.wait_minutes.is_empty() && aid.issued_by_hour.is_none());
    assert_eq!(notary.wait_minutes, vec![0, 0, 1, 0, 0, 0, 0, 0, 0, 2]);
    assert_eq!(
        (notary.service_count, notary.service_total_secs),
        (Some(2), Some(1201))
    );
    assert_eq!(notary.issued_by_hour.unwrap()[9], 2);
    let combined = centre::report::combine(&rows);
    assert_eq!(combined[1].wait_p50_secs, Some(540));
    assert_eq!(combined[1].service_mean_secs, Some(600));
    assert_eq!(
        combined[0].wait_p50_secs, None,
        "an older kiosk's report has no histogram"
    );
}

#[tokio::test]
async fn a_version_1_database_is_upgraded_with_its_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("fixtures/schema-v1.sql"))
            .unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO devices (id, site, token_sha256) VALUES ('k1', 'S', NULL);",
        )
        .unwrap();
        for (id, item) in (1..).zip(first_release_reports()) {
            let data = &item["data"];
            conn.execute(
                "INSERT INTO items (id, device, key, kind, created_ms, received_ms, body) \
                 VALUES (?1, 'k1', ?2, 'ticket_stats', 0, 0, ?3)",
                rusqlite::params![id, item["key"].as_str().unwrap(), item.to_string()],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO ticket_stats (device, day, service, item_id, issued, served, no_show, \
                 mean_wait_secs, created_ms) VALUES ('k1', '2026-03-02', ?1, ?2, ?3, ?4, ?5, ?6, 0)",
                rusqlite::params![
                    data["service"].as_str().unwrap(),
                    id,
                    data["issued"].as_i64().unwrap(),
                    data["served"].as_i64().unwrap(),
                    data["no_show"].as_i64().unwrap(),
                    data["mean_wait_secs"].as_i64().unwrap()
                ],
            )
            .unwrap();
        }
        let rating = first_release_rating();
        conn.execute(
            "INSERT INTO items (id, device, key, kind, created_ms, received_ms, body) \
             VALUES (10, 'k1', 'P-AAAA-BBBB', 'rating', 0, 0, ?1)",
            [rating.to_string()],
        )
        .unwrap();
        conn.execute_batch(
            "INSERT INTO ratings (item_id, device, key, service, ticket, score, comment, \
             created_ms, received_ms) VALUES (10, 'k1', 'P-AAAA-BBBB', 'notary', 'B007', 2, '', 0, 0);",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version, 8,
        "every step, the applications made at the kiosk last"
    );
    check_upgraded(&store).await;
    // The bookings' tables came with the last step.
    assert!(
        store
            .bookings(centre::store::BookingFilter {
                site: None,
                from: "2026-03-01".parse().unwrap(),
                to: "2026-03-31".parse().unwrap(),
                limit: 10,
            })
            .await
            .unwrap()
            .is_empty()
    );
    drop(store);
    // Opened again: nothing to do, the same rows.
    let again = SqliteStore::open(&path).unwrap();
    assert_eq!(again.counts().await.unwrap().ticket_stats, 2);
}

#[tokio::test]
async fn a_version_1_postgres_database_is_upgraded_with_its_statistics() {
    let Some(db) = TestDb::postgres("a_version_1_postgres_database_is_upgraded").await else {
        return;
    };
    let client = support::db::connect(db.url.as_deref().unwrap()).await;
    client
        .batch_execute(include_str!("fixtures/schema-v1-postgres.sql"))
        .await
        .unwrap();
    client
        .batch_execute(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL);
             INSERT INTO schema_version (version, applied_ms) VALUES (1, 0);
             INSERT INTO devices (id, site) VALUES ('k1', 'S');",
        )
        .await
        .unwrap();
    for item in first_release_reports() {
        let data = &item["data"];
        let id: i64 = client
            .query_one(
                "INSERT INTO items (device, key, kind, created_ms, received_ms, body) \
                 VALUES ('k1', $1, 'ticket_stats', 0, 0, $2) RETURNING id",
                &[&item["key"].as_str().unwrap(), &item.to_string()],
            )
            .await
            .unwrap()
            .get(0);
        client
            .execute(
                "INSERT INTO ticket_stats (device, day, service, item_id, issued, served, no_show, \
                 mean_wait_secs, created_ms) VALUES ('k1', '2026-03-02', $1, $2, $3, $4, $5, $6, 0)",
                &[
                    &data["service"].as_str().unwrap(),
                    &id,
                    &data["issued"].as_i64().unwrap(),
                    &data["served"].as_i64().unwrap(),
                    &data["no_show"].as_i64().unwrap(),
                    &data["mean_wait_secs"].as_i64().unwrap(),
                ],
            )
            .await
            .unwrap();
    }
    let rating = first_release_rating();
    let id: i64 = client
        .query_one(
            "INSERT INTO items (device, key, kind, created_ms, received_ms, body) \
             VALUES ('k1', 'P-AAAA-BBBB', 'rating', 0, 0, $1) RETURNING id",
            &[&rating.to_string()],
        )
        .await
        .unwrap()
        .get(0);
    client
        .execute(
            "INSERT INTO ratings (item_id, device, key, service, ticket, score, comment, \
             created_ms, received_ms) VALUES ($1, 'k1', 'P-AAAA-BBBB', 'notary', 'B007', 2, '', 0, 0)",
            &[&id],
        )
        .await
        .unwrap();
    let store = db.open().await;
    check_upgraded(store.as_ref()).await;
    assert!(
        store
            .bookings(centre::store::BookingFilter {
                site: None,
                from: "2026-03-01".parse().unwrap(),
                to: "2026-03-31".parse().unwrap(),
                limit: 10,
            })
            .await
            .unwrap()
            .is_empty(),
        "migration 5 made the bookings' tables"
    );
    let version: i32 = client
        .query_one("SELECT MAX(version) FROM schema_version", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(version, centre::store::PostgresStore::schema_version());
}
