//! HTTPS: the centre serves with an rcgen self-signed certificate on loopback; the kiosk's own outbox and
//! content sync reach it only when they pin that certificate (`[content] ca_file`), and say why not when
//! another one is pinned. A bad certificate or key refuses start, naming the file.

#[path = "content_support/mod.rs"]
mod content_support;

use std::path::{Path, PathBuf};

use chrono::Utc;
use content::{
    Complaint, ContentConfig, ContentStore, ItemState, Outbox, OutboxPayload, SyncOutcome,
};
use content_support::{
    ContentCentre, PUBLISHER_TOKEN, build_pack, dev_key, kiosk_config, signed_at, write_sources,
};

/// A self-signed certificate for `localhost` and 127.0.0.1: its PEM files.
fn self_signed(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let crt = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&crt, cert.cert.pem()).unwrap();
    std::fs::write(&key, cert.signing_key.serialize_pem()).unwrap();
    (crt, key)
}

async fn https_centre(dir: &Path) -> (ContentCentre, PathBuf, PathBuf) {
    let (crt, key) = self_signed(dir, "centre");
    let (impostor, _) = self_signed(dir, "impostor");
    let acceptor = centre::tls::acceptor(&crt, &key).unwrap();
    let centre =
        ContentCentre::start_with(&dir.join("centre"), 64 << 20, Some(acceptor), |app| app).await;
    assert!(centre.base.starts_with("https://localhost:"));
    (centre, crt, impostor)
}

fn outbox_config(centre: &ContentCentre, dir: &Path, ca_file: &Path) -> ContentConfig {
    let token_file = dir.join("centre-token");
    std::fs::write(&token_file, "demo-device-token\n").unwrap();
    ContentConfig {
        centre_url: Some(centre.base.clone()),
        outbox_token_file: Some(token_file),
        device_id: Some("demo-kiosk".into()),
        ca_file: Some(ca_file.to_owned()),
        ..ContentConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_outbox_delivers_to_the_https_centre_only_with_its_certificate_pinned() {
    let tmp = tempfile::tempdir().unwrap();
    let (centre, crt, impostor) = https_centre(tmp.path()).await;
    let kiosk = tmp.path().join("kiosk");
    std::fs::create_dir_all(&kiosk).unwrap();
    let complaint = OutboxPayload::Complaint(Complaint {
        about: "notary".into(),
        text: "请回电 13800138000".into(),
        contact: None,
    });

    // Another certificate pinned: nothing is sent, and the error says it is the certificate.
    let outbox = Outbox::open(&kiosk, &outbox_config(&centre, &kiosk, &impostor), "k").unwrap();
    let key = outbox.submit(complaint).unwrap();
    let report = outbox.send_due(Utc::now()).await.unwrap();
    assert_eq!((report.sent, report.retry), (0, 1));
    let item = outbox.item(&key).unwrap().unwrap();
    let error = item.last_error.unwrap_or_default();
    assert!(
        error.to_lowercase().contains("certificate"),
        "the error names the certificate problem: {error}"
    );
    assert_eq!(item.state, ItemState::Pending);
    drop(outbox);

    // The centre's certificate pinned: delivered over HTTPS.
    let outbox = Outbox::open(&kiosk, &outbox_config(&centre, &kiosk, &crt), "k").unwrap();
    let report = outbox
        .send_due(Utc::now() + chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!((report.sent, report.retry, report.rejected), (1, 0, 0));
    assert_eq!(outbox.item(&key).unwrap().unwrap().state, ItemState::Sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_uploaded_over_https_is_synced_by_a_kiosk_pinning_the_centre() {
    let tmp = tempfile::tempdir().unwrap();
    let (centre, crt, impostor) = https_centre(tmp.path()).await;
    let src = tmp.path().join("src");
    write_sources(&src, 3, 4000, 5);
    let created = signed_at();
    let version = created.timestamp() as u64 - 10;
    let pack = build_pack(&src, &tmp.path().join("dist"), &dev_key(), version, created);

    // The publisher pins the centre too.
    let err = content::upload::upload(&centre.base, PUBLISHER_TOKEN, pack.clone(), Some(&impostor))
        .await
        .unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
    assert!(centre.published.current().is_none());
    let receipt = content::upload::upload(&centre.base, PUBLISHER_TOKEN, pack, Some(&crt))
        .await
        .unwrap();
    assert_eq!(receipt.version, version);

    let wrong = ContentStore::open(
        &tmp.path().join("kiosk-wrong"),
        &kiosk_config(&centre.base, Some(impostor)),
    )
    .unwrap();
    let attempts = wrong.sync_once().await;
    let err = attempts[0].result.as_ref().unwrap_err().to_string();
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert_eq!(wrong.current().info.as_ref().map(|i| i.version), Some(1));

    let kiosk = ContentStore::open(
        &tmp.path().join("kiosk"),
        &kiosk_config(&centre.base, Some(crt)),
    )
    .unwrap();
    let attempts = kiosk.sync_once().await;
    let report = attempts[0].result.as_ref().unwrap();
    assert_eq!(
        report.outcome,
        SyncOutcome::Applied {
            from: Some(1),
            to: version
        }
    );
    assert_eq!(kiosk.current().lawyers.len(), 3);
    let attempts = kiosk.sync_once().await;
    assert_eq!(
        attempts[0].result.as_ref().unwrap().outcome,
        SyncOutcome::Unchanged { version }
    );
}

#[test]
fn a_bad_certificate_or_key_is_refused_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (crt, key) = self_signed(tmp.path(), "centre");
    let (_, other_key) = self_signed(tmp.path(), "other");
    let garbage = tmp.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let missing = tmp.path().join("missing.crt");
    for (cert_file, key_file, named) in [
        (&missing, &key, &missing),
        (&garbage, &key, &garbage),
        (&crt, &garbage, &garbage),
        (&crt, &crt, &crt),
        (&crt, &other_key, &other_key),
    ] {
        let Err(err) = centre::tls::acceptor(cert_file, key_file) else {
            panic!("{} + {} accepted", cert_file.display(), key_file.display());
        };
        let err = err.to_string();
        assert!(
            err.contains(&named.display().to_string()),
            "{} + {}: {err}",
            cert_file.display(),
            key_file.display()
        );
    }
    centre::tls::acceptor(&crt, &key).unwrap();

    // The binary refuses to start with a bad [tls] key file, naming it.
    let config = tmp.path().join("centre.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nlisten = \"127.0.0.1:0\"\n[tls]\ncert_file = {:?}\nkey_file = {:?}\n",
            tmp.path().join("data"),
            crt,
            garbage
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_centre"))
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("key_file") && stderr.contains(&garbage.display().to_string()),
        "{stderr}"
    );
}
