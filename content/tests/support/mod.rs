//! Shared by the content tests and the benchmark: a static file server on loopback with hooks to corrupt
//! or cut responses, an outbox endpoint, and a generator of bundle sources.

#![allow(dead_code, unreachable_pub, missing_docs)]

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Path as UrlPath, State},
    http::{HeaderMap, StatusCode, header},
    response::Response,
    routing::{get, post},
};
use chrono::{DateTime, Utc};
use content::{BuildOptions, Manifest, SecretKey, WallClock};
use sha2::{Digest as _, Sha256};

/// What the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub status: u16,
    pub range: Option<String>,
    pub bytes: usize,
}

/// Hooks that change the next responses.
#[derive(Default)]
pub struct Hooks {
    /// Paths whose next response is cut after this many bytes (the connection then fails).
    pub truncate_once: HashMap<String, usize>,
    /// Bodies served instead of the file, with their content type.
    pub replace: HashMap<String, (Vec<u8>, String)>,
    /// Outbox: answer 503 to this many next requests without storing them.
    pub outbox_fail: u32,
    /// Outbox: store the next request, then answer 500 (the answer is lost).
    pub outbox_lose_answer: u32,
    /// Outbox: answer 400 to every request.
    pub outbox_reject: bool,
}

#[derive(Default)]
pub struct ServerState {
    pub root: Mutex<PathBuf>,
    pub seen: Mutex<Vec<Seen>>,
    pub hooks: Mutex<Hooks>,
    pub requests: AtomicU64,
    pub bytes: AtomicU64,
    /// Outbox messages by idempotency key, and every key received in order.
    pub outbox: Mutex<HashMap<String, serde_json::Value>>,
    pub outbox_keys: Mutex<Vec<String>>,
}

pub struct TestServer {
    pub base: String,
    pub state: Arc<ServerState>,
}

impl TestServer {
    /// Starts the server on 127.0.0.1:0 serving `root` at `/bundle/` and the outbox at `/outbox`.
    pub async fn start(root: &Path) -> Self {
        let state = Arc::new(ServerState {
            root: Mutex::new(root.to_owned()),
            ..ServerState::default()
        });
        let app = Router::new()
            .route("/bundle/{*path}", get(serve_file))
            .route("/outbox", post(outbox))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, state }
    }

    pub fn bundle_url(&self) -> String {
        format!("{}/bundle/", self.base)
    }

    pub fn outbox_url(&self) -> String {
        format!("{}/outbox", self.base)
    }

    pub fn serve(&self, root: &Path) {
        *self.state.root.lock().unwrap() = root.to_owned();
    }

    pub fn hooks(&self) -> std::sync::MutexGuard<'_, Hooks> {
        self.state.hooks.lock().unwrap()
    }

    pub fn take_seen(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.state.seen.lock().unwrap())
    }
}

fn etag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..16])
}

async fn serve_file(
    State(state): State<Arc<ServerState>>,
    UrlPath(path): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    state.requests.fetch_add(1, Ordering::Relaxed);
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let record = |status: u16, bytes: usize| {
        state.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        state.seen.lock().unwrap().push(Seen {
            path: path.clone(),
            status,
            range: range.clone(),
            bytes,
        });
    };
    let replaced = state.hooks.lock().unwrap().replace.get(&path).cloned();
    let (body, content_type) = match replaced {
        Some(r) => r,
        None => {
            if path.split('/').any(|p| p == ".." || p.is_empty()) {
                record(404, 0);
                return status(StatusCode::NOT_FOUND);
            }
            let file = state.root.lock().unwrap().join(&path);
            match std::fs::read(&file) {
                Ok(bytes) => (
                    bytes,
                    if path.ends_with(".json") {
                        "application/json"
                    } else {
                        "application/octet-stream"
                    }
                    .to_owned(),
                ),
                Err(_) => {
                    record(404, 0);
                    return status(StatusCode::NOT_FOUND);
                }
            }
        }
    };
    let etag = etag_of(&body);
    let last_modified = "Wed, 01 Jan 2025 00:00:00 GMT";
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        record(304, 0);
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, etag)
            .body(Body::empty())
            .unwrap();
    }
    let mut start = 0usize;
    let mut code = StatusCode::OK;
    if let Some(from) = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
    {
        let from: usize = from.parse().unwrap();
        if from >= body.len() {
            record(416, 0);
            return status(StatusCode::RANGE_NOT_SATISFIABLE);
        }
        start = from;
        code = StatusCode::PARTIAL_CONTENT;
    }
    let slice = body[start..].to_vec();
    let truncate = state.hooks.lock().unwrap().truncate_once.remove(&path);
    let builder = Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ETAG, etag)
        .header(header::LAST_MODIFIED, last_modified)
        .header(header::CONTENT_LENGTH, slice.len());
    let builder = if code == StatusCode::PARTIAL_CONTENT {
        builder.header(
            header::CONTENT_RANGE,
            format!("bytes {start}-{}/{}", body.len() - 1, body.len()),
        )
    } else {
        builder
    };
    match truncate {
        Some(cut) => {
            record(code.as_u16(), cut);
            // The body ends early although Content-Length promised more. The stream yields once after the
            // first bytes so the server writes them out before the connection breaks.
            let first = Bytes::from(slice[..cut].to_vec());
            let stream = futures_util::stream::unfold(Some(first), |first| async move {
                match first {
                    Some(bytes) => Some((Ok::<_, std::io::Error>(bytes), None)),
                    None => {
                        tokio::task::yield_now().await;
                        None
                    }
                }
            });
            builder.body(Body::from_stream(stream)).unwrap()
        }
        None => {
            record(code.as_u16(), slice.len());
            builder.body(Body::from(slice)).unwrap()
        }
    }
}

fn status(code: StatusCode) -> Response {
    Response::builder()
        .status(code)
        .body(Body::empty())
        .unwrap()
}

async fn outbox(
    State(state): State<Arc<ServerState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    state.outbox_keys.lock().unwrap().push(key.clone());
    let (fail, lose, reject) = {
        let mut hooks = state.hooks.lock().unwrap();
        let fail = hooks.outbox_fail > 0;
        if fail {
            hooks.outbox_fail -= 1;
        }
        let lose = !fail && hooks.outbox_lose_answer > 0;
        if lose {
            hooks.outbox_lose_answer -= 1;
        }
        (fail, lose, hooks.outbox_reject)
    };
    if reject {
        return status(StatusCode::BAD_REQUEST);
    }
    if fail {
        return status(StatusCode::SERVICE_UNAVAILABLE);
    }
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(value["key"], key, "the body carries the idempotency key");
    let fresh = state.outbox.lock().unwrap().insert(key, value).is_none();
    if lose {
        return status(StatusCode::INTERNAL_SERVER_ERROR);
    }
    status(if fresh {
        StatusCode::CREATED
    } else {
        StatusCode::CONFLICT
    })
}

/// A clock the test moves.
#[derive(Debug)]
pub struct TestClock(pub Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn new(now: DateTime<Utc>) -> Arc<Self> {
        Arc::new(Self(Mutex::new(now)))
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap() = now;
    }
}

impl WallClock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// Writes bundle sources: one service guide, `lawyers` people each with a distinct photo of `photo_bytes`
/// bytes (seeded by `photo_seed` so a test can change some of them).
pub fn write_sources(
    src: &Path,
    lawyers: usize,
    photo_bytes: usize,
    photo_seed: impl Fn(usize) -> u64,
) {
    std::fs::create_dir_all(src.join("services")).unwrap();
    std::fs::create_dir_all(src.join("photos")).unwrap();
    std::fs::write(
        src.join("bundle.toml"),
        "title = \"test bundle\"\nlawyers_per_part = 500\n",
    )
    .unwrap();
    std::fs::write(
        src.join("services/01_legal_aid.toml"),
        r#"id = "legal_aid"
name = { zh = "法律援助", en = "Legal aid" }
summary = { zh = "测试", en = "Test" }
reviewed = "2025-01-01"
"#,
    )
    .unwrap();
    let mut csv =
        String::from("id,name,role,institution,specialties,phone,serves,licence,photo,sample\n");
    for i in 0..lawyers {
        let name = format!("p{i:05}.png");
        let seed = photo_seed(i);
        let mut bytes = Vec::with_capacity(photo_bytes);
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(i as u64 + 1);
        while bytes.len() < photo_bytes {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        bytes.truncate(photo_bytes);
        let path = src.join("photos").join(&name);
        if std::fs::read(&path).map(|old| old != bytes).unwrap_or(true) {
            std::fs::write(&path, bytes).unwrap();
        }
        csv.push_str(&format!(
            "lawyer-{i:05},律师{i:05},lawyer,firm-{},民事;劳动争议,023-0000{:04},黔江区,,photos/{name},yes\n",
            i % 50,
            i % 10000
        ));
    }
    std::fs::write(src.join("lawyers.csv"), csv).unwrap();
}

/// Builds a bundle from `src` into `out` with a version and validity.
pub fn build(
    src: &Path,
    out: &Path,
    key: &SecretKey,
    version: u64,
    created: DateTime<Utc>,
    days: u32,
) {
    let options = BuildOptions {
        version: Some(version),
        expires_days: Some(days),
        created: Some(created),
        ..BuildOptions::default()
    };
    content::build(src, key, out, &options).unwrap();
}

/// The repository's `assets/` directory.
pub fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets")
}

/// The development key, whose private half is in the repository (`assets/content-dev-key/dev.key`): what
/// an attacker signs with.
pub fn dev_key() -> SecretKey {
    SecretKey::read(&assets().join("content-dev-key/dev.key")).unwrap()
}

/// Builds a bundle from `src` into `out` and returns it packed, as the firmware embeds its default.
pub fn build_pack(
    src: &Path,
    out: &Path,
    key: &SecretKey,
    version: u64,
    created: DateTime<Utc>,
    days: u32,
) -> &'static [u8] {
    let pack = out.join("bundle.pack");
    let options = BuildOptions {
        version: Some(version),
        expires_days: Some(days),
        created: Some(created),
        pack: Some(pack.clone()),
        ..BuildOptions::default()
    };
    content::build(src, key, out, &options).unwrap();
    Box::leak(std::fs::read(pack).unwrap().into_boxed_slice())
}

/// Rewrites `manifest.json` of `dist` after changing the manifest, signed by `key` (a signed manifest
/// the publisher would not have produced).
pub fn resign(dist: &Path, key: &SecretKey, change: impl FnOnce(&mut Manifest)) {
    let raw = std::fs::read(dist.join("manifest.json")).unwrap();
    let envelope: content::Envelope = serde_json::from_slice(&raw).unwrap();
    let mut manifest: Manifest = serde_json::from_str(&envelope.signed).unwrap();
    change(&mut manifest);
    std::fs::write(dist.join("manifest.json"), content::sign(&manifest, &[key])).unwrap();
}
