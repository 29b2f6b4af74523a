//! The publisher tool and one-shot sync through the kiosk binary: `kiosk content keygen|build|verify` and
//! `kiosk sync --once`, with their exit codes.

#[path = "../../../content/tests/support/mod.rs"]
mod content_support;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use content_support::TestServer;

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_keygen_build_verify_and_sync_once() {
    let tmp = tempfile::tempdir().unwrap();
    let exe = env!("CARGO_BIN_EXE_kiosk");
    let run = |args: Vec<String>| {
        let out = Command::new(exe).args(&args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let key = tmp.path().join("centre.key");
    let p = |path: &Path| path.to_string_lossy().into_owned();
    assert!(
        run(vec![
            "content".into(),
            "keygen".into(),
            "--out".into(),
            p(&key)
        ])
        .0
    );
    assert!(
        !run(vec![
            "content".into(),
            "keygen".into(),
            "--out".into(),
            p(&key)
        ])
        .0,
        "never overwrites a key"
    );
    let public = std::fs::read_to_string(tmp.path().join("centre.key.pub")).unwrap();

    let src = tmp.path().join("src");
    content_support::write_sources(&src, 4, 64, |_| 1);
    let dist = tmp.path().join("dist");
    let (ok, text) = run(vec![
        "content".into(),
        "build".into(),
        p(&src),
        "--key".into(),
        p(&key),
        "--out".into(),
        p(&dist),
    ]);
    assert!(ok, "{text}");
    let (ok, text) = run(vec![
        "content".into(),
        "verify".into(),
        p(&dist),
        "--pubkey".into(),
        p(&tmp.path().join("centre.key.pub")),
    ]);
    assert!(ok && text.starts_with("OK"), "{text}");
    let dev_pub = assets().join("content-dev-key/dev.key.pub");
    let (ok, text) = run(vec![
        "content".into(),
        "verify".into(),
        p(&dist),
        "--pubkey".into(),
        p(&dev_pub),
    ]);
    assert!(
        !ok && text.contains("no signature by a trusted key"),
        "{text}"
    );

    let server = TestServer::start(&dist).await;
    let config = tmp.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\ndata_dir = {:?}\n\n[content]\nsource_url = {:?}\ntrusted_keys = [{:?}]\n",
            p(&tmp.path().join("data")),
            server.bundle_url(),
            public.trim()
        ),
    )
    .unwrap();
    let sync = move || {
        let config = p(&config);
        tokio::task::spawn_blocking(move || {
            let out = Command::new(exe)
                .args(["--config", &config, "sync", "--once"])
                .output()
                .unwrap();
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned()
                    + &String::from_utf8_lossy(&out.stderr),
            )
        })
    };
    let (ok, text) = sync().await.unwrap();
    assert!(ok && text.contains("applied version"), "{text}");
    let (ok, text) = sync().await.unwrap();
    assert!(ok && text.contains("unchanged"), "{text}");
    server.hooks().replace.insert(
        "manifest.json".into(),
        (b"<html>maintenance</html>".to_vec(), "text/html".into()),
    );
    let (ok, text) = sync().await.unwrap();
    assert!(!ok && text.contains("not a manifest"), "{text}");
}

#[test]
fn the_launch_check_refuses_todays_sources_for_a_release() {
    if std::env::var_os("KIOSK_TEST_EMULATED").is_some() {
        println!("SKIPPED under emulation: spawns the kiosk binary");
        return;
    }
    let src = assets().join("content-src");
    let check = |release: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiosk"));
        cmd.args(["content", "check"]).arg(&src);
        if release {
            cmd.arg("--release");
        }
        let out = cmd.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Development: the open items are listed, and that is fine.
    let (ok, out, _) = check(false);
    assert!(ok, "{out}");
    assert!(
        out.contains("display.toml:6: required: complaint_phone"),
        "{out}"
    );
    // Release: the same list, and a refusal.
    let (ok, out, err) = check(true);
    assert!(!ok);
    // The first line of the legal-aid guide with a mark, as the file has it today.
    let guide = std::fs::read_to_string(src.join("services/03_legal_aid.toml")).unwrap();
    let line = guide
        .lines()
        .position(|l| l.contains("待核实") && !l.trim_start().starts_with('#'))
        .expect("the legal-aid guide still has a point to confirm")
        + 1;
    assert!(
        out.contains(&format!(
            "services/03_legal_aid.toml:{line}: 〔待核实〕 mark"
        )),
        "{out}"
    );
    assert!(err.contains("not releasable"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_with_upload_sends_the_signed_pack_to_the_centre() {
    use axum::{Json, Router, body::Bytes, http::HeaderMap, routing::post};
    use std::sync::{Arc, Mutex};

    // A stand-in for the centre's upload route that keeps what it received (the real centre's
    // handling is tested in centre/tests/content.rs).
    let received: Arc<Mutex<Vec<(String, Bytes)>>> = Arc::default();
    let kept = Arc::clone(&received);
    let router = Router::new().route(
        "/api/v1/content",
        post(move |headers: HeaderMap, body: Bytes| {
            let kept = Arc::clone(&kept);
            async move {
                let auth = headers["authorization"].to_str().unwrap().to_owned();
                kept.lock().unwrap().push((auth, body));
                (
                    axum::http::StatusCode::CREATED,
                    Json(serde_json::json!({
                        "version": 7, "epoch": 0, "files": 6, "bytes": 300, "publisher": "office"
                    })),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let centre = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    content_support::write_sources(&src, 4, 64, |_| 1);
    let token_file = tmp.path().join("publisher-token");
    std::fs::write(&token_file, "the-publisher-token\n").unwrap();
    let key = assets().join("content-dev-key/dev.key");
    let args = |token: bool| {
        let mut args = vec![
            "content".to_owned(),
            "build".into(),
            src.to_string_lossy().into_owned(),
            "--key".into(),
            key.to_string_lossy().into_owned(),
            "--out".into(),
            tmp.path().join("dist").to_string_lossy().into_owned(),
            "--version".into(),
            "7".into(),
            "--upload".into(),
            centre.clone(),
        ];
        if token {
            args.extend([
                "--token-file".into(),
                token_file.to_string_lossy().into_owned(),
            ]);
        }
        args
    };
    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
                .args(&args)
                .env_remove("CENTRE_PUBLISHER_TOKEN")
                .output()
                .unwrap();
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned()
                    + &String::from_utf8_lossy(&out.stderr),
            )
        })
    };

    let (ok, text) = run(args(false)).await.unwrap();
    assert!(!ok && text.contains("--token-file"), "{text}");
    assert!(
        received.lock().unwrap().is_empty(),
        "nothing sent without a token"
    );

    let (ok, text) = run(args(true)).await.unwrap();
    assert!(
        ok && text.contains("uploaded to") && text.contains("version 7"),
        "{text}"
    );
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].0, "Bearer the-publisher-token");
    assert!(
        received[0].1.starts_with(b"QJKPACK1\n"),
        "the bundle as one pack"
    );
}
