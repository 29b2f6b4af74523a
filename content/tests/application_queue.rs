//! The application queue on real files against a loopback centre: only sealed envelopes on disk,
//! delivered and deleted on confirmation, kept when the centre is away, kept as rejected when refused,
//! sent again (never lost) when an answer is lost, and the centre's key fetched and kept.

use std::{
    collections::BTreeMap,
    path::Path,
    sync::{Arc, Mutex},
};

use applications::{
    Answers, Applicant, Application, ApplicationKind, Page, TrackingCode, required_documents,
    seal::CentreSecretKey,
};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path as UrlPath, State},
    http::StatusCode,
    routing::{get, post},
};
use chrono::Utc;
use content::SystemWallClock;
use content::application_queue::{ApplicationQueue, Centre};

/// What the loopback centre answers next, and what it has stored (code → opened package).
#[derive(Default)]
struct CentreState {
    answers: Mutex<Vec<StatusCode>>,
    stored: Mutex<BTreeMap<String, Vec<u8>>>,
    posts: Mutex<usize>,
    /// When set, a stored package is never answered (the kiosk dies waiting).
    hold: std::sync::atomic::AtomicBool,
    /// Told each time a package is stored.
    stored_now: tokio::sync::Notify,
}

struct LoopbackCentre {
    base: reqwest::Url,
    state: Arc<CentreState>,
    secret: Arc<CentreSecretKey>,
}

impl LoopbackCentre {
    async fn start() -> Self {
        let secret = Arc::new(CentreSecretKey::generate().unwrap());
        let state = Arc::new(CentreState::default());
        let public = secret.public_key().unwrap().to_hex();
        let key_route = get(move || {
            let public = public.clone();
            async move { Json(serde_json::json!({ "public_key": public })) }
        });
        let opener = Arc::clone(&secret);
        let submit = post(
            move |State(state): State<Arc<CentreState>>,
                  UrlPath(code): UrlPath<String>,
                  body: Bytes| {
                let opener = Arc::clone(&opener);
                async move {
                    *state.posts.lock().unwrap() += 1;
                    let opened = opener.open(code.as_bytes(), &body);
                    let planned = state.answers.lock().unwrap().pop();
                    let Ok(plain) = opened else {
                        return (StatusCode::BAD_REQUEST, "{\"error\":\"cannot be opened\"}");
                    };
                    let answer = planned.unwrap_or(StatusCode::CREATED);
                    // Stored once per code: a second delivery is recognised (200), as at the centre.
                    let again = state.stored.lock().unwrap().contains_key(&code);
                    if !again && (answer.is_success() || answer == StatusCode::SERVICE_UNAVAILABLE)
                    {
                        // A 503 after storing: the answer is "lost", the package is kept once.
                        state.stored.lock().unwrap().insert(code, plain.to_vec());
                        state.stored_now.notify_waiters();
                        if state.hold.load(std::sync::atomic::Ordering::SeqCst) {
                            std::future::pending::<()>().await;
                        }
                    }
                    let answer = if again { StatusCode::OK } else { answer };
                    (answer, "{\"error\":\"planned answer\"}")
                }
            },
        );
        let app = Router::new()
            .route("/api/v1/applications/key", key_route)
            .route("/api/v1/applications/{code}", submit)
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            base: format!("http://{addr}/").parse().unwrap(),
            state,
            secret,
        }
    }

    fn centre(&self) -> Centre {
        Centre {
            base: self.base.clone(),
            client: reqwest::Client::new(),
            token: Some("device-token".into()),
        }
    }

    fn plan(&self, answers: &[StatusCode]) {
        let mut planned = answers.to_vec();
        planned.reverse();
        *self.state.answers.lock().unwrap() = planned;
    }
}

fn application(code_seed: u8) -> Application {
    let mut answers = Answers::default();
    answers
        .set(ApplicationKind::Mediation, "phone", "13912345678")
        .unwrap();
    Application {
        code: TrackingCode::from_random([code_seed, 2, 3, 4, 5]),
        kind: ApplicationKind::Mediation,
        made_at: Utc::now(),
        device: "kiosk-test".into(),
        applicant: Applicant {
            name: "王秀英".into(),
            sex: "女".into(),
            ethnicity: "土家".into(),
            birth_date: "1951-03-04".into(),
            id_number: "990101195103049993".into(),
            address: "重庆市黔江区城东街道".into(),
            from_card: true,
        },
        documents: required_documents(ApplicationKind::Mediation, &answers),
        answers,
        pages: vec![Page {
            document: "id_card".into(),
            jpeg: b"\xff\xd8 page showing 990101195103049993".to_vec(),
        }],
        signature_png: b"\x89PNG signature".to_vec(),
    }
}

fn open_queue(dir: &Path, centre: Option<Centre>) -> ApplicationQueue {
    ApplicationQueue::open(dir, centre, None, Arc::new(SystemWallClock)).unwrap()
}

/// Every byte of every file under `dir`.
fn files_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn only_envelopes_touch_the_disk_and_delivery_deletes_them() {
    let dir = tempfile::tempdir().unwrap();
    let centre = LoopbackCentre::start().await;
    let queue = open_queue(dir.path(), Some(centre.centre()));
    assert!(
        queue.submit(&application(1)).is_err(),
        "no key yet: nothing is queued unsealed"
    );
    let key = queue.refresh_key().await.unwrap();
    assert_eq!(key, centre.secret.public_key().unwrap());
    let app = application(1);
    queue.submit(&app).unwrap();
    assert!(queue.is_pending(&app.code));
    let files = files_bytes(dir.path());
    assert_eq!(
        files.len(),
        2,
        "the envelope and the centre's public key: {:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (name, bytes) in &files {
        for secret in [
            "王秀英",
            "990101195103049993",
            "13912345678",
            "城东街道",
            "signature",
        ] {
            assert!(!contains(bytes, secret.as_bytes()), "{name} holds {secret}");
        }
    }
    let report = queue.deliver_due(Utc::now()).await;
    assert_eq!(report.delivered, 1);
    assert!(!queue.is_pending(&app.code));
    assert_eq!(
        files_bytes(dir.path()).len(),
        1,
        "only the public key is left"
    );
    let stored = centre.state.stored.lock().unwrap().clone();
    let back = Application::unpack(&stored[app.code.as_str()]).unwrap();
    assert_eq!(back, app);
}

#[tokio::test]
async fn an_offline_kiosk_keeps_them_across_a_restart_and_sends_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let centre = LoopbackCentre::start().await;
    let key = centre.secret.public_key().unwrap();
    let (a, b) = (application(7), application(8));
    {
        // No centre reachable: an address nobody listens on.
        let away = Centre {
            base: "http://127.0.0.1:9/".parse().unwrap(),
            client: reqwest::Client::new(),
            token: None,
        };
        let queue =
            ApplicationQueue::open(dir.path(), Some(away), Some(key), Arc::new(SystemWallClock))
                .unwrap();
        queue.submit(&a).unwrap();
        queue.submit(&b).unwrap();
        let report = queue.deliver_due(Utc::now()).await;
        assert_eq!(report.retry, 2);
        let status = queue.status();
        assert_eq!(status.pending.len(), 2);
        assert!(status.pending[0].last_error.is_some());
        // A write cut short by the power cut.
        std::fs::write(dir.path().join("S-2222-2222.sealed.tmp"), b"half").unwrap();
    }
    let queue = ApplicationQueue::open(
        dir.path(),
        Some(centre.centre()),
        Some(key),
        Arc::new(SystemWallClock),
    )
    .unwrap();
    assert!(!dir.path().join("S-2222-2222.sealed.tmp").exists());
    // The first answer is lost after the centre stored the package: it is sent again, not lost.
    centre.plan(&[StatusCode::SERVICE_UNAVAILABLE]);
    let first = queue.deliver_due(Utc::now()).await;
    assert_eq!((first.delivered, first.retry), (1, 1));
    let later = Utc::now() + chrono::Duration::hours(2);
    assert_eq!(queue.deliver_due(later).await.delivered, 1);
    assert!(queue.status().pending.is_empty());
    assert_eq!(
        centre.state.stored.lock().unwrap().len(),
        2,
        "each application stored once"
    );
    assert_eq!(*centre.state.posts.lock().unwrap(), 3);
    assert_eq!(
        queue.deliver_due(later).await,
        Default::default(),
        "nothing sent twice after confirmation"
    );
}

#[tokio::test]
async fn a_refusal_is_kept_with_its_reason_and_a_conflict_counts_as_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let centre = LoopbackCentre::start().await;
    let key = centre.secret.public_key().unwrap();
    let queue = ApplicationQueue::open(
        dir.path(),
        Some(centre.centre()),
        Some(key),
        Arc::new(SystemWallClock),
    )
    .unwrap();
    let (refused, known) = (application(3), application(4));
    queue.submit(&refused).unwrap();
    queue.submit(&known).unwrap();
    let order: Vec<_> = queue.status().pending.into_iter().map(|p| p.code).collect();
    let answers: Vec<_> = order
        .iter()
        .map(|c| {
            if *c == refused.code {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            }
        })
        .collect();
    centre.plan(&answers);
    let report = queue.deliver_due(Utc::now()).await;
    assert_eq!((report.delivered, report.rejected), (1, 1));
    let status = queue.status();
    assert!(status.pending.is_empty());
    assert_eq!(status.rejected.len(), 1);
    assert_eq!(status.rejected[0].code, refused.code);
    assert!(
        status.rejected[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("planned answer")
    );
    assert!(queue.rejection(&refused.code).is_some());
    assert_eq!(
        queue.deliver_due(Utc::now()).await,
        Default::default(),
        "a refusal is not retried"
    );
    // A second queue on the same directory uses the key it kept, without asking.
    let again = open_queue(dir.path(), None);
    assert_eq!(
        again.centre_key(),
        None,
        "a configured key is not written to disk"
    );
    let fetched = open_queue(dir.path(), Some(centre.centre()));
    fetched.refresh_key().await.unwrap();
    assert_eq!(open_queue(dir.path(), None).centre_key(), Some(key));
}

/// The child's half of `a_kiosk_killed_while_sending_loses_nothing_and_sends_nothing_twice`: it runs
/// only when that test starts this binary again with `QUEUE_CHILD_DIR` set (otherwise it returns at
/// once). It queues one application, says so, and delivers it to a centre that never answers.
#[tokio::test]
async fn power_cut_child() {
    let Ok(dir) = std::env::var("QUEUE_CHILD_DIR") else {
        return;
    };
    let centre = Centre {
        base: std::env::var("QUEUE_CHILD_CENTRE")
            .unwrap()
            .parse()
            .unwrap(),
        client: reqwest::Client::new(),
        token: None,
    };
    let key =
        applications::seal::CentrePublicKey::parse(&std::env::var("QUEUE_CHILD_KEY").unwrap())
            .unwrap();
    let queue = ApplicationQueue::open(
        Path::new(&dir),
        Some(centre),
        Some(key),
        Arc::new(SystemWallClock),
    )
    .unwrap();
    queue.submit(&application(9)).unwrap();
    println!("QUEUED");
    queue.deliver_due(Utc::now()).await;
    unreachable!("the centre never answers: this process is killed first");
}

#[tokio::test]
async fn a_kiosk_killed_while_sending_loses_nothing_and_sends_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let centre = LoopbackCentre::start().await;
    centre
        .state
        .hold
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let stored = centre.state.stored_now.notified();
    tokio::pin!(stored);
    stored.as_mut().enable();
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "power_cut_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("QUEUE_CHILD_DIR", dir.path())
        .env("QUEUE_CHILD_CENTRE", centre.base.as_str())
        .env(
            "QUEUE_CHILD_KEY",
            centre.secret.public_key().unwrap().to_hex(),
        )
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // The centre has stored the package; the kiosk waits for the answer and is killed (SIGKILL).
    tokio::time::timeout(std::time::Duration::from_secs(30), stored)
        .await
        .expect("the child delivered");
    child.kill().await.unwrap();
    child.wait().await.unwrap();
    assert_eq!(centre.state.stored.lock().unwrap().len(), 1);

    // Power back: the envelope is still on disk and goes again; the centre recognises it.
    centre
        .state
        .hold
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let key = centre.secret.public_key().unwrap();
    let queue = ApplicationQueue::open(
        dir.path(),
        Some(centre.centre()),
        Some(key),
        Arc::new(SystemWallClock),
    )
    .unwrap();
    assert_eq!(queue.status().pending.len(), 1, "nothing lost");
    let report = queue.deliver_due(Utc::now()).await;
    assert_eq!(report.delivered, 1);
    assert!(queue.status().pending.is_empty());
    assert_eq!(centre.state.stored.lock().unwrap().len(), 1, "stored once");
    assert_eq!(*centre.state.posts.lock().unwrap(), 2);
}
