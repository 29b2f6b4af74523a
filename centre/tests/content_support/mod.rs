//! Shared by the content and TLS tests and the content benchmark: bundle sources, bundles built and
//! packed by the publisher's own code with the development key, and a centre on loopback that serves
//! `/content/` and takes uploads, over plain HTTP or HTTPS.

#![allow(dead_code, unreachable_pub, missing_docs)]

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use centre::{
    Accounts, ApiSettings, AppState, SqliteStore, Store,
    api::content::{ContentService, Publisher},
    app_with_content, install_accounts,
    publications::PublicationLog,
    published::PublishedContent,
    serve_app,
};
use chrono::{DateTime, Duration, Utc};
use content::{BuildOptions, ContentConfig, SecretKey};
use tokio::{sync::oneshot, task::JoinHandle};

pub const PUBLISHER: &str = "content-office";
pub const PUBLISHER_TOKEN: &str = "a-publisher-token-for-the-tests";

/// The development key (its private half is in the repository): what the demo centre trusts.
pub fn dev_key() -> SecretKey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/content-dev-key/dev.key");
    SecretKey::read(&path).unwrap()
}

/// Writes bundle sources: one guide and `people` lawyers, each with a photo of `photo_bytes` bytes
/// made from `seed` (a different seed changes every photo).
pub fn write_sources(src: &Path, people: usize, photo_bytes: usize, seed: u64) {
    std::fs::create_dir_all(src.join("services")).unwrap();
    std::fs::create_dir_all(src.join("photos")).unwrap();
    std::fs::write(
        src.join("bundle.toml"),
        "title = \"中心测试内容\"\nlawyers_per_part = 500\n",
    )
    .unwrap();
    std::fs::write(
        src.join("services/01_legal_aid.toml"),
        "id = \"legal_aid\"\nname = { zh = \"法律援助\", en = \"Legal aid\" }\n\
         summary = { zh = \"测试\", en = \"Test\" }\nreviewed = \"2025-01-01\"\n",
    )
    .unwrap();
    let mut csv =
        String::from("id,name,role,institution,specialties,phone,serves,licence,photo,sample\n");
    for i in 0..people {
        let name = format!("p{i:05}.png");
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(i as u64 + 1);
        let mut bytes = Vec::with_capacity(photo_bytes + 8);
        while bytes.len() < photo_bytes {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        bytes.truncate(photo_bytes);
        std::fs::write(src.join("photos").join(&name), bytes).unwrap();
        csv.push_str(&format!(
            "lawyer-{i:05},律师{i:05},lawyer,firm-{},民事,023-0000{:04},黔江区,,photos/{name},yes\n",
            i % 50,
            i % 10000
        ));
    }
    std::fs::write(src.join("lawyers.csv"), csv).unwrap();
}

/// A signing time a minute ago, and versions counted from there (at most the signing time).
pub fn signed_at() -> DateTime<Utc> {
    Utc::now() - Duration::seconds(60)
}

/// Builds version `version` of the sources in `src` into `out`, signed with `key` at `created`, and
/// returns it packed as the publisher uploads it.
pub fn build_pack(
    src: &Path,
    out: &Path,
    key: &SecretKey,
    version: u64,
    created: DateTime<Utc>,
) -> Vec<u8> {
    let options = BuildOptions {
        version: Some(version),
        expires_days: Some(30),
        created: Some(created),
        ..BuildOptions::default()
    };
    content::build(src, key, out, &options).unwrap();
    content::upload::pack_dir(out, &[key.public()]).unwrap()
}

/// A kiosk's `[content]` table pointing at `centre_url`, trusting the development key (a test bench).
pub fn kiosk_config(centre_url: &str, ca_file: Option<PathBuf>) -> ContentConfig {
    let config = ContentConfig {
        centre_url: Some(centre_url.to_owned()),
        trusted_keys: vec![content::DEV_PUBLIC_KEY.trim().to_owned()],
        accept_development_key: true,
        parallel_downloads: 1,
        ca_file,
        ..ContentConfig::default()
    };
    config.validate().unwrap();
    config
}

/// A centre on loopback with the content routes, trusting the development key for uploads.
pub struct ContentCentre {
    pub base: String,
    pub published: Arc<PublishedContent>,
    pub log: PublicationLog,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ContentCentre {
    /// Starts a centre with its data in `dir`; `max_upload` bounds uploads; `layer` may wrap the
    /// application (a test's fault injection); HTTPS with `tls`.
    pub async fn start_with(
        dir: &Path,
        max_upload: usize,
        tls: Option<tokio_rustls::TlsAcceptor>,
        layer: impl FnOnce(axum::Router) -> axum::Router,
    ) -> Self {
        let db_path = dir.join("centre.sqlite3");
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db_path).unwrap());
        install_accounts(store.as_ref(), &Accounts::Demo)
            .await
            .unwrap();
        let published = Arc::new(
            PublishedContent::open(&dir.join("content"), vec![dev_key().public()]).unwrap(),
        );
        let log = PublicationLog::open(&db_path).unwrap();
        let service = ContentService::new(
            Arc::clone(&published),
            log.clone(),
            vec![Publisher {
                name: PUBLISHER.into(),
                token_sha256: centre::auth::token_sha256(PUBLISHER_TOKEN),
            }],
            Arc::new(clock::SystemWallClock),
            max_upload,
        );
        let state = AppState::new(
            store,
            Arc::new(clock::SystemWallClock),
            ApiSettings::default(),
        );
        let application = layer(app_with_content(state, service));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let base = match tls {
            Some(_) => format!("https://localhost:{port}"),
            None => format!("http://127.0.0.1:{port}"),
        };
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(async move {
            serve_app(listener, application, tls, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Self {
            base,
            published,
            log,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// A plain HTTP centre taking uploads up to 64 MiB.
    pub async fn start(dir: &Path) -> Self {
        Self::start_with(dir, 64 << 20, None, |app| app).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Uploads `pack` with `token` (none: no credentials); the status and the JSON answer.
    pub async fn upload_raw(&self, token: Option<&str>, pack: Vec<u8>) -> (u16, serde_json::Value) {
        let mut request = self
            .client
            .post(self.url("/api/v1/content"))
            .header("content-type", content::upload::PACK_MEDIA_TYPE)
            .body(pack);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }
}

impl Drop for ContentCentre {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
