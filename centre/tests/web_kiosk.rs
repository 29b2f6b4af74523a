//! End to end with the kiosk's own outbox (`content::Outbox`, a real SQLite file): a complaint and a
//! heartbeat whose printer is out of paper travel to the centre; the fleet page shows the alert and the
//! receipt code the kiosk printed answers the status lookup.

mod web_support;

use std::time::Duration;

use chrono::Utc;
use content::{Complaint, ContentConfig, Heartbeat, ItemState, Outbox, OutboxPayload};
use serde_json::Value;
use web_support::{TOKEN_A, WebCentre, config};

#[tokio::test]
async fn a_kiosk_out_of_paper_shows_on_the_fleet_page_and_its_receipt_answers() {
    let centre_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    // The centre's clock is the kiosk's: no clock alert.
    let centre = WebCentre::start(centre_dir.path(), config(""), Utc::now()).await;
    let token_file = kiosk_dir.path().join("centre-token");
    std::fs::write(&token_file, format!("{TOKEN_A}\n")).unwrap();
    let outbox = Outbox::open(
        kiosk_dir.path(),
        &ContentConfig {
            outbox_url: Some(centre.url("/api/v1/outbox")),
            outbox_token_file: Some(token_file),
            device_id: Some("kiosk-a".into()),
            ..ContentConfig::default()
        },
        "ignored",
    )
    .unwrap();
    outbox
        .submit_with_key(
            "T-KQ2X-7M4P",
            OutboxPayload::Complaint(Complaint {
                about: "general".into(),
                text: "【建议】希望增加周末开放时间".into(),
                contact: None,
            }),
        )
        .unwrap();
    outbox
        .submit(OutboxPayload::Heartbeat(Heartbeat {
            content_version: Some(3),
            clock: "plausible".into(),
            devices: Some(health_facts::DeviceFacts {
                printer: Some(health_facts::PrinterFacts {
                    checked_at: Some(Utc::now()),
                    online: true,
                    paper: health_facts::PaperState::Out,
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Heartbeat::default()
        }))
        .unwrap();
    let report = outbox.send_due(Utc::now()).await.unwrap();
    assert_eq!((report.sent, report.retry, report.rejected), (2, 0, 0));
    assert_eq!(
        outbox.item("T-KQ2X-7M4P").unwrap().unwrap().state,
        ItemState::Sent
    );

    let admin = centre.login("admin").await;
    let start = std::time::Instant::now();
    loop {
        let (_, page) = admin.get("/staff/fleet").await;
        if page.contains("alert-paper_out") {
            assert!(page.contains("v3") && page.contains("paper-out"), "{page}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no paper alert: {page}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let alerts = centre.store.alerts(false, 10).await.unwrap();
    let rules: Vec<&str> = alerts.iter().map(|a| a.rule.as_str()).collect();
    assert_eq!(rules, ["paper_out"]);

    let receipt: Value = reqwest::get(centre.url("/api/v1/receipts/T-KQ2X-7M4P"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(receipt["kind"], "suggestion");
    assert_eq!(receipt["status"], "received");

    // The kiosk's own lookup (its 进度查询 tab) reads the centre's answer.
    let base = content::receipt::centre_base(&centre.url("/api/v1/outbox")).unwrap();
    let client = reqwest::Client::new();
    let status = content::receipt::lookup(&client, &base, "T-KQ2X-7M4P")
        .await
        .unwrap()
        .expect("the centre knows the code");
    assert_eq!(status.kind, content::receipt::ReceiptKind::Suggestion);
    assert_eq!(status.status, content::receipt::ReceiptState::Received);
    assert_eq!(status.status_zh, status.status.zh());
    assert_eq!(status.reply, None);
    assert!(
        content::receipt::lookup(&client, &base, "T-2222-2222")
            .await
            .unwrap()
            .is_none(),
        "an unknown code"
    );
    // Past the limit (10 a minute from one address; 3 used), the kiosk is told to wait.
    let mut last = None;
    for _ in 0..8 {
        last = Some(content::receipt::lookup(&client, &base, "T-KQ2X-7M4P").await);
    }
    assert!(matches!(
        last,
        Some(Err(content::receipt::ReceiptError::TooMany))
    ));
}
