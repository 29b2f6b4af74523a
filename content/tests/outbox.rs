//! The outbox on a real SQLite file against a loopback endpoint: durable across a reopen, retry with
//! backoff, idempotency keys when an answer is lost, permanent refusals kept.

#[path = "support/mod.rs"]
mod content_support;

use chrono::{Duration, NaiveDate, Utc};
use content::{
    Complaint, ContentConfig, ItemState, NeedsSurvey, Outbox, OutboxError, OutboxPayload, Rating,
    TicketStats, backoff,
};
use content_support::TestServer;

fn config(url: Option<String>) -> ContentConfig {
    ContentConfig {
        outbox_url: url,
        ..ContentConfig::default()
    }
}

fn complaint(text: &str) -> OutboxPayload {
    OutboxPayload::Complaint(Complaint {
        about: "notary".into(),
        text: text.into(),
        contact: None,
    })
}

#[tokio::test]
async fn items_survive_a_reopen_and_are_delivered_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let keys = {
        // No endpoint yet (the station is offline): everything stays queued.
        let outbox = Outbox::open(dir.path(), &config(None), "test-kiosk").unwrap();
        let a = outbox.submit(complaint("窗口等候时间太长")).unwrap();
        let b = outbox
            .submit(OutboxPayload::Rating(Rating {
                service: "legal_aid".into(),
                ticket: Some("C012".into()),
                score: 5,
                comment: String::new(),
                window: None,
                ..Default::default()
            }))
            .unwrap();
        let stats = TicketStats {
            day: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            service: "legal_aid".into(),
            issued: 40,
            served: 37,
            no_show: 3,
            mean_wait_secs: 600,
            ..TicketStats::default()
        };
        assert!(
            outbox
                .submit_with_key(
                    "stats:2026-03-02:legal_aid",
                    OutboxPayload::TicketStats(stats.clone())
                )
                .unwrap()
        );
        assert!(
            !outbox
                .submit_with_key(
                    "stats:2026-03-02:legal_aid",
                    OutboxPayload::TicketStats(stats)
                )
                .unwrap()
        );
        assert_eq!(outbox.send_due(Utc::now()).await.unwrap().sent, 0);
        vec![a, b, "stats:2026-03-02:legal_aid".to_owned()]
    };
    // Reboot: reopen with the endpoint configured.
    let outbox =
        Outbox::open(dir.path(), &config(Some(server.outbox_url())), "test-kiosk").unwrap();
    let pending: Vec<_> = outbox
        .undelivered()
        .unwrap()
        .into_iter()
        .map(|i| i.key)
        .collect();
    assert_eq!(pending, keys);
    let report = outbox.send_due(Utc::now()).await.unwrap();
    assert_eq!(report.sent, 3);
    assert_eq!(outbox.pending_count().unwrap(), 0);
    let received = server.state.outbox.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    assert_eq!(received[&keys[0]]["kind"], "complaint");
    assert_eq!(received[&keys[0]]["device"], "test-kiosk");
    assert_eq!(received[&keys[2]]["data"]["issued"], 40);
    assert_eq!(
        outbox.send_due(Utc::now()).await.unwrap().sent,
        0,
        "nothing is sent twice"
    );
}

#[tokio::test]
async fn failures_are_retried_with_backoff_and_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let outbox = Outbox::open(dir.path(), &config(Some(server.outbox_url())), "k1").unwrap();
    let key = outbox.submit(complaint("打印机没有纸")).unwrap();
    server.hooks().outbox_fail = 1;
    server.hooks().outbox_lose_answer = 1;

    let now = Utc::now();
    assert_eq!(outbox.send_due(now).await.unwrap().retry, 1);
    let item = outbox.item(&key).unwrap().unwrap();
    assert_eq!((item.state, item.attempts), (ItemState::Pending, 1));
    assert!(
        item.next_attempt > now + Duration::seconds(3),
        "backoff: {}",
        item.next_attempt
    );
    assert!(item.last_error.unwrap().contains("503"));

    // Not due yet: no request.
    assert_eq!(outbox.send_due(now).await.unwrap(), Default::default());
    assert_eq!(server.state.outbox_keys.lock().unwrap().len(), 1);

    // Due: the centre stores it but the answer is lost; the retry with the same key is recognised.
    let later = now + Duration::hours(2);
    assert_eq!(outbox.send_due(later).await.unwrap().retry, 1);
    let item = outbox.item(&key).unwrap().unwrap();
    assert_eq!(item.attempts, 2);
    assert!(
        item.next_attempt - later >= Duration::seconds(8),
        "the delay doubled"
    );
    assert_eq!(
        outbox
            .send_due(later + Duration::hours(2))
            .await
            .unwrap()
            .sent,
        1
    );
    assert_eq!(outbox.item(&key).unwrap().unwrap().state, ItemState::Sent);
    assert_eq!(
        *server.state.outbox_keys.lock().unwrap(),
        vec![key.clone(), key.clone(), key.clone()]
    );
    assert_eq!(server.state.outbox.lock().unwrap().len(), 1, "stored once");
}

#[tokio::test]
async fn a_refused_item_is_kept_and_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let outbox = Outbox::open(dir.path(), &config(Some(server.outbox_url())), "k1").unwrap();
    server.hooks().outbox_reject = true;
    let key = outbox.submit(complaint("建议增加座椅")).unwrap();
    assert_eq!(outbox.send_due(Utc::now()).await.unwrap().rejected, 1);
    assert_eq!(
        outbox
            .send_due(Utc::now() + Duration::days(1))
            .await
            .unwrap(),
        Default::default()
    );
    let item = outbox.item(&key).unwrap().unwrap();
    assert_eq!(item.state, ItemState::Rejected);
    assert_eq!(
        outbox.undelivered().unwrap().len(),
        1,
        "kept for the technician"
    );
}

#[test]
fn bad_payloads_are_refused_at_submit() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(dir.path(), &config(None), "k1").unwrap();
    let rating = OutboxPayload::Rating(Rating {
        service: "notary".into(),
        ticket: None,
        score: 6,
        comment: String::new(),
        window: None,
        ..Default::default()
    });
    assert!(matches!(
        outbox.submit(rating),
        Err(OutboxError::Invalid { kind: "rating", .. })
    ));
    for window in [0, content::RATING_MAX_WINDOW + 1] {
        let rating = OutboxPayload::Rating(Rating {
            service: "notary".into(),
            ticket: Some("B007".into()),
            score: 4,
            comment: String::new(),
            window: Some(window),
            ..Default::default()
        });
        match outbox.submit(rating) {
            Err(OutboxError::Invalid { kind, reason }) => {
                assert_eq!(kind, "rating");
                assert!(reason.contains("window"), "{reason}");
            }
            other => panic!("window {window} was accepted: {other:?}"),
        }
    }
    assert!(matches!(
        outbox.submit(complaint("   ")),
        Err(OutboxError::Invalid { .. })
    ));
    // A needs survey carries choice ids only, and at least one.
    assert!(matches!(
        outbox.submit(OutboxPayload::NeedsSurvey(NeedsSurvey::default())),
        Err(OutboxError::Invalid {
            kind: "needs_survey",
            ..
        })
    ));
    let free_text = NeedsSurvey {
        matters: vec!["我家邻居占了我的地".into()],
        ..NeedsSurvey::default()
    };
    match outbox.submit(OutboxPayload::NeedsSurvey(free_text)) {
        Err(OutboxError::Invalid { kind, reason }) => {
            assert_eq!(kind, "needs_survey");
            assert!(
                reason.contains("matters") && reason.contains("not a choice id"),
                "{reason}"
            );
        }
        other => panic!("free text must be refused, got {other:?}"),
    }
    assert_eq!(outbox.undelivered().unwrap().len(), 0);
    let survey = NeedsSurvey {
        services: vec!["legal_aid".into()],
        matters: vec!["wages".into(), "work_injury".into()],
        channels: vec![],
    };
    outbox
        .submit(OutboxPayload::NeedsSurvey(survey.clone()))
        .unwrap();
    let items = outbox.undelivered().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].message.payload, OutboxPayload::NeedsSurvey(survey));
    let body = serde_json::to_string(&items[0].message).unwrap();
    assert!(body.contains(r#""kind":"needs_survey""#), "{body}");
}

#[test]
fn backoff_doubles_up_to_an_hour() {
    let secs = |n| backoff(n).as_secs_f64();
    assert!((4.0..=6.0).contains(&secs(1)));
    assert!((8.0..=12.0).contains(&secs(2)));
    assert!((2880.0..=4320.0).contains(&secs(30)));
}

#[test]
fn a_rating_names_its_window_only_when_known() {
    let with = Rating {
        service: "notary".into(),
        ticket: Some("B007".into()),
        score: 2,
        comment: String::new(),
        window: Some(3),
        ..Default::default()
    };
    let json = serde_json::to_value(&with).unwrap();
    assert_eq!(json["window"], 3);
    let without = Rating {
        window: None,
        ..with.clone()
    };
    let json = serde_json::to_value(&without).unwrap();
    assert!(json.get("window").is_none(), "{json}");
    // An older kiosk's rating has no window field and still reads.
    let old: Rating =
        serde_json::from_str(r#"{"service":"notary","ticket":"B007","score":2,"comment":""}"#)
            .unwrap();
    assert_eq!(old, without);
}

#[test]
fn a_pad_rating_carries_staff_reasons_and_source_and_older_items_still_read() {
    let pad = Rating {
        service: "legal_aid".into(),
        ticket: Some("C012".into()),
        score: 2,
        window: Some(3),
        staff_id: Some("QJ-0301".into()),
        staff_name: Some("张明".into()),
        reasons: vec!["long_wait".into(), "slow".into()],
        source: Some("pad".into()),
        ..Default::default()
    };
    let json = serde_json::to_value(&pad).unwrap();
    assert_eq!(json["staff_name"], "张明");
    assert_eq!(json["reasons"], serde_json::json!(["long_wait", "slow"]));
    assert_eq!(json["source"], "pad");
    assert_eq!(serde_json::from_value::<Rating>(json).unwrap(), pad);
    assert!(OutboxPayload::Rating(pad.clone()).validate().is_ok());
    // Empty new fields stay out of the JSON: an older centre reads it as before.
    let plain = serde_json::to_value(Rating {
        score: 4,
        ..Default::default()
    })
    .unwrap();
    for field in ["staff_id", "staff_name", "reasons", "source"] {
        assert!(plain.get(field).is_none(), "{field} in {plain}");
    }
    for (bad, what) in [
        (
            Rating {
                reasons: vec!["rude".into()],
                ..pad.clone()
            },
            "unknown reason",
        ),
        (
            Rating {
                reasons: vec!["slow".into(), "slow".into()],
                ..pad.clone()
            },
            "twice",
        ),
        (
            Rating {
                source: Some("web".into()),
                ..pad.clone()
            },
            "unknown source",
        ),
    ] {
        match OutboxPayload::Rating(bad).validate() {
            Err(OutboxError::Invalid { reason, .. }) => assert!(reason.contains(what), "{reason}"),
            other => panic!("{what}: {other:?}"),
        }
    }
}
