//! Shared by the tests and the benchmark: a centre on a loopback port over a real database (an SQLite
//! file, or a fresh PostgreSQL database: [`db`]), real `centre` processes ([`process`]), and a few
//! request functions.

#![allow(dead_code, unreachable_pub, missing_docs)]

#[macro_use]
pub mod db;
pub mod process;

use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use centre::{Accounts, ApiSettings, AppState, Store, install_accounts};
use clock::WallClock;
use db::TestDb;
use serde_json::{Value, json};
use tokio::{sync::oneshot, task::JoinHandle};

pub const DEMO_TOKEN: &str = "demo-device-token";
pub const DEMO_DEVICE: &str = "demo-kiosk";

/// A running centre.
pub struct TestCentre {
    pub base: String,
    pub store: Arc<dyn Store>,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestCentre {
    /// Starts a centre on 127.0.0.1:0 over `db` (opened as `centre serve` opens it).
    pub async fn start(
        db: &TestDb,
        accounts: &Accounts,
        clock: Arc<dyn WallClock>,
        settings: ApiSettings,
    ) -> Self {
        let store = db.open().await;
        install_accounts(store.as_ref(), accounts).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel();
        let state = AppState::new(Arc::clone(&store), clock, settings);
        let task = tokio::spawn(async move {
            centre::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Self {
            base,
            store,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// A demo centre reading the system clock.
    pub async fn demo(db: &TestDb) -> Self {
        Self::start(
            db,
            &Accounts::Demo,
            Arc::new(clock::SystemWallClock),
            ApiSettings::default(),
        )
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the server and waits until it has let go of the store.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }

    /// POSTs an outbox item (a JSON value) with the demo token and the item's key as the header.
    pub async fn post_item(&self, item: &Value) -> (u16, Value) {
        let key = item["key"].as_str().unwrap_or_default().to_owned();
        self.post_raw(Some(DEMO_TOKEN), Some(&key), item.to_string())
            .await
    }

    /// POSTs a body with optional bearer token and idempotency key.
    pub async fn post_raw(
        &self,
        token: Option<&str>,
        key: Option<&str>,
        body: String,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .post(self.url("/api/v1/outbox"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        answer(request.send().await.unwrap()).await
    }

    /// Logs in; returns the session token.
    pub async fn login(&self, user: &str, password: &str) -> Result<String, (u16, Value)> {
        let response = self
            .client
            .post(self.url("/api/v1/login"))
            .json(&json!({ "user": user, "password": password }))
            .send()
            .await
            .unwrap();
        match answer(response).await {
            (200, body) => Ok(body["token"].as_str().unwrap().to_owned()),
            other => Err(other),
        }
    }

    /// GETs a staff route with a session token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.unwrap()).await
    }
}

impl Drop for TestCentre {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// An outbox item as the kiosk writes it.
pub fn item(key: &str, device: &str, kind: &str, data: Value) -> Value {
    json!({
        "key": key,
        "device": device,
        "created": "2026-03-02T09:00:00Z",
        "kind": kind,
        "data": data,
    })
}

pub fn complaint(key: &str, text: &str, contact: Option<&str>) -> Value {
    item(
        key,
        DEMO_DEVICE,
        "complaint",
        json!({ "about": "notary", "text": text, "contact": contact }),
    )
}

pub fn rating(key: &str, score: u8) -> Value {
    item(
        key,
        DEMO_DEVICE,
        "rating",
        json!({ "service": "legal_aid", "ticket": "C012", "score": score, "comment": "耐心" }),
    )
}

/// Waits until `check` holds, polling, failing the test after `deadline`.
pub async fn wait_until<F, Fut>(what: &str, deadline: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < deadline,
            "{what}: not reached within {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
