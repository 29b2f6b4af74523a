//! Shared by the web app's tests: a centre on a loopback port over a real SQLite file with configured
//! accounts (an administrator, a supervisor, two managers of two sites), a manual clock, and a
//! browser-like client that keeps the session cookie and sends same-origin POSTs.

#![allow(dead_code, unreachable_pub, missing_docs, unused_imports)]

use std::{path::Path, sync::Arc};

use centre::{
    Accounts, ApiSettings, AppState, CentreConfig, SqliteStore, Store, install_accounts,
    web::{WebSettings, csrf_token, url_value},
};
use chrono::{DateTime, Utc};
use clock::ManualWallClock;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use tokio::sync::oneshot;

#[path = "../support/db.rs"]
pub mod db;

pub use db::{Engine, TestDb};

pub const PASSWORD: &str = "a long enough password";
pub const SITE_A: &str = "向阳镇工作站";
pub const SITE_B: &str = "石桥镇工作站";
pub const TOKEN_A: &str = "token-of-kiosk-a";
pub const TOKEN_B: &str = "token-of-kiosk-b";

/// A centre with two devices (`kiosk-a` at [`SITE_A`] in 向阳镇, `kiosk-b` at [`SITE_B`]) and the
/// staff `admin`, `super`, `manager-a`, `manager-b`, all with [`PASSWORD`].
pub struct WebCentre {
    pub base: String,
    pub state: AppState,
    pub store: Arc<dyn Store>,
    pub clock: ManualWallClock,
    shutdown: Option<oneshot::Sender<()>>,
}

pub fn config(extra: &str) -> CentreConfig {
    let hash = centre::auth::hash_password(PASSWORD).unwrap();
    let token = |t: &str| centre::auth::token_sha256(t);
    let text = format!(
        r#"
{extra}
[[devices]]
id = "kiosk-a"
site = "{SITE_A}"
township = "向阳镇"
token_sha256 = "{ta}"

[[devices]]
id = "kiosk-b"
site = "{SITE_B}"
token_sha256 = "{tb}"

[[staff]]
user = "admin"
password_hash = "{hash}"
role = "administrator"

[[staff]]
user = "super"
password_hash = "{hash}"
role = "supervisor"

[[staff]]
user = "manager-a"
password_hash = "{hash}"
role = "manager"
site = "{SITE_A}"

[[staff]]
user = "manager-b"
password_hash = "{hash}"
role = "manager"
site = "{SITE_B}"
"#,
        ta = token(TOKEN_A),
        tb = token(TOKEN_B),
    );
    CentreConfig::parse(Path::new("test.toml"), &text).unwrap()
}

impl WebCentre {
    /// Starts on 127.0.0.1:0 with `config`'s accounts and web settings, the clock at `now`.
    pub async fn start(dir: &Path, config: CentreConfig, now: DateTime<Utc>) -> Self {
        Self::start_with(dir, config.clone(), now, config.web_settings()).await
    }

    pub async fn start_with(
        dir: &Path,
        config: CentreConfig,
        now: DateTime<Utc>,
        web: WebSettings,
    ) -> Self {
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(&dir.join("centre.sqlite3")).unwrap());
        Self::start_store(store, config, now, web).await
    }

    /// Starts over `db` (SQLite or PostgreSQL), opened as `centre serve` opens it.
    pub async fn start_on(db: &TestDb, config: CentreConfig, now: DateTime<Utc>) -> Self {
        let web = config.web_settings();
        Self::start_store(db.open().await, config, now, web).await
    }

    /// Starts over `db` with these web settings.
    pub async fn start_on_with(
        db: &TestDb,
        config: CentreConfig,
        now: DateTime<Utc>,
        web: WebSettings,
    ) -> Self {
        Self::start_store(db.open().await, config, now, web).await
    }

    async fn start_store(
        store: Arc<dyn Store>,
        config: CentreConfig,
        now: DateTime<Utc>,
        web: WebSettings,
    ) -> Self {
        let settings = ApiSettings {
            session_ttl: std::time::Duration::from_secs(u64::from(config.session_hours) * 3600),
            online_window: std::time::Duration::from_secs(config.online_window_secs),
            ..ApiSettings::default()
        };
        let bookings = config.booking_settings(booking_keys());
        let roster = config.roster().unwrap();
        install_accounts(store.as_ref(), &Accounts::Configured(config))
            .await
            .unwrap();
        let clock = ManualWallClock::new(now);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel();
        let state = AppState::new(Arc::clone(&store), Arc::new(clock.clone()), settings)
            .with_web(web)
            .with_bookings(bookings)
            .with_calls(roster, None)
            .with_applications(application_keys());
        tokio::spawn(centre::web::run_alerts(state.clone()));
        let kept = state.clone();
        tokio::spawn(async move {
            centre::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Self {
            base,
            state: kept,
            store,
            clock,
            shutdown: Some(tx),
        }
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        clock::WallClock::now(&self.clock)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser without a session.
    pub fn browser(&self) -> Browser {
        Browser {
            base: self.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            session: None,
        }
    }

    /// A browser logged in as `user`.
    pub async fn login(&self, user: &str) -> Browser {
        let mut browser = self.browser();
        let (status, _) = browser.login(user, PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{user} logs in");
        browser
    }

    /// Delivers an outbox item as `device` would.
    pub async fn deliver(&self, token: &str, item: &Value) -> u16 {
        let response = reqwest::Client::new()
            .post(self.url("/api/v1/outbox"))
            .bearer_auth(token)
            .header("Idempotency-Key", item["key"].as_str().unwrap())
            .json(item)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!(status < 300, "{status}: {}", response.text().await.unwrap());
        status
    }
}

impl Drop for WebCentre {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A browser-like client: keeps the session cookie, sends `Origin` with POSTs, never follows
/// redirects (tests look at them).
pub struct Browser {
    base: String,
    pub client: reqwest::Client,
    pub session: Option<String>,
}

impl Browser {
    pub fn csrf(&self) -> String {
        csrf_token(self.session.as_deref().unwrap_or_default())
    }

    fn cookie(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.session {
            Some(token) => request.header(header::COOKIE, format!("centre_session={token}")),
            None => request,
        }
    }

    pub async fn login(&mut self, user: &str, password: &str) -> (StatusCode, String) {
        let response = self
            .client
            .post(format!("{}/staff/login", self.base))
            .header(header::ORIGIN, &self.base)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_body(&[("user", user), ("password", password)]))
            .send()
            .await
            .unwrap();
        let status = response.status();
        if let Some(cookie) = response.headers().get(header::SET_COOKIE) {
            let cookie = cookie.to_str().unwrap().to_owned();
            let token = cookie
                .strip_prefix("centre_session=")
                .unwrap()
                .split(';')
                .next()
                .unwrap();
            self.session = Some(token.to_owned());
            assert!(cookie.contains("HttpOnly"), "{cookie}");
            assert!(cookie.contains("SameSite=Strict"), "{cookie}");
            assert!(cookie.contains("Path=/"), "{cookie}");
        }
        (status, response.text().await.unwrap())
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .cookie(self.client.get(format!("{}{path}", self.base)))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let text = response.text().await.unwrap();
        (status, location.unwrap_or(text))
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let (status, text) = self.get(path).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// POSTs a form with this session's CSRF token and a same-origin `Origin`.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let csrf = self.csrf();
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf", &csrf));
        self.post_raw(path, &fields, Some(&self.base)).await
    }

    /// POSTs a form as given, with `origin` (none: no Origin header).
    pub async fn post_raw(
        &self,
        path: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
    ) -> (StatusCode, String) {
        let mut request = self
            .cookie(self.client.post(format!("{}{path}", self.base)))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_body(form));
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let text = response.text().await.unwrap();
        (status, location.unwrap_or(text))
    }
}

/// A query value.
pub fn url(text: &str) -> String {
    url_value(text)
}

/// A form body, `application/x-www-form-urlencoded`.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", url_value(k), url_value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// An outbox item as the kiosk writes it.
pub fn item(key: &str, device: &str, created: &str, kind: &str, data: Value) -> Value {
    json!({ "key": key, "device": device, "created": created, "kind": kind, "data": data })
}

pub fn complaint(key: &str, device: &str, text: &str, contact: Option<&str>) -> Value {
    item(
        key,
        device,
        "2026-03-02T01:00:00Z",
        "complaint",
        json!({ "about": "general", "text": text, "contact": contact }),
    )
}

pub fn rating(key: &str, device: &str, service: &str, ticket: &str, score: u8) -> Value {
    item(
        key,
        device,
        "2026-03-02T01:00:00Z",
        "rating",
        json!({ "service": service, "ticket": ticket, "score": score, "comment": "" }),
    )
}

/// A heartbeat created at `created` with the printer's `paper` state.
pub fn heartbeat(key: &str, device: &str, created: &str, paper: &str) -> Value {
    item(
        key,
        device,
        created,
        "heartbeat",
        json!({
            "content_version": 7, "content_stale": false, "clock": "plausible",
            "last_sync_error": null, "outbox_pending": 0, "content_age_secs": 3600,
            "devices": {
                "printer": {"checked_at": created, "online": true, "paper": paper,
                            "cover_open": false, "error": false},
                "id_reader": {"configured": true, "sam_ok": true, "read_since_start": false},
                "led_panel": "none", "queue_host": true, "queue_host_reachable": true,
                "board": null, "disk_free_bytes": 1000000000, "uptime_secs": 60, "restarts": 0
            },
            "problems": [], "software_version": "0.1.0"
        }),
    )
}

/// Site A: legal aid (30 min, 2 a slot, ID number) and mediation (60 min, 1 a slot) on weekdays;
/// closed on 2026-03-11; the district's holiday 2026-03-10. Site B: notary.
pub const BOOKINGS: &str = r#"
holidays = ["2026-03-10"]

[bookings]
horizon_days = 14
cutoff_minutes = 60

[[bookings.sites]]
site = "向阳镇工作站"
closures = ["2026-03-11"]

[bookings.sites.hours]
mon = "09:00-12:00,14:00-17:00"
tue = "09:00-12:00,14:00-17:00"
wed = "09:00-12:00,14:00-17:00"
thu = "09:00-12:00,14:00-17:00"
fri = "09:00-12:00,14:00-17:00"

[[bookings.sites.services]]
id = "legal_aid"
name_zh = "法律援助"
name_en = "Legal aid"
slot_minutes = 30
capacity = 2
needs_id = true

[[bookings.sites.services]]
id = "mediation"
name_zh = "人民调解"
name_en = "People's mediation"
slot_minutes = 60
capacity = 1

[[bookings.sites]]
site = "石桥镇工作站"

[[bookings.sites.services]]
id = "notary"
name_zh = "公证"
name_en = "Notary"
"#;

/// The booking keys of every test centre (a fixed secret: a store reopened keeps its MACs).
pub fn booking_keys() -> centre::booking::BookingKeys {
    centre::booking::BookingKeys::from_secret([7; 32])
}

/// The application key of every test centre (a fixed secret, like the booking keys: a store
/// reopened keeps its envelopes readable).
pub fn application_keys() -> centre::applications::ApplicationKeys {
    let secret = applications::seal::CentreSecretKey::parse(&"42".repeat(32)).unwrap();
    centre::applications::ApplicationKeys::new(secret).unwrap()
}

/// Monday 2026-03-02 09:00 in the district (01:00 UTC).
pub fn monday_morning() -> DateTime<Utc> {
    "2026-03-02T01:00:00Z".parse().unwrap()
}
