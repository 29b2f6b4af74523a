//! The stores without HTTP, on SQLite and on PostgreSQL: concurrent items are each stored once (on
//! SQLite committed together in one batch), one failing item does not take the others with it, and a
//! repeat is recognised even within the same batch.

#[macro_use]
mod support;

use std::sync::Arc;

use centre::store::{AccountSet, DeviceRecord, NewItem, Stored};
use chrono::Utc;
use content::{OutboxMessage, OutboxPayload, Rating};
use support::db::TestDb;

on_both_engines!(concurrent_items_are_stored_each_once_and_a_bad_one_alone_fails);

fn rating(device: &str, key: &str) -> NewItem {
    let message = OutboxMessage {
        key: key.into(),
        device: device.into(),
        created: Utc::now(),
        payload: OutboxPayload::Rating(Rating {
            service: "notary".into(),
            ticket: None,
            score: 4,
            comment: String::new(),
            window: None,
            ..Default::default()
        }),
    };
    NewItem {
        body: serde_json::to_string(&message).unwrap(),
        message,
        received: Utc::now(),
    }
}

async fn concurrent_items_are_stored_each_once_and_a_bad_one_alone_fails(db: TestDb) {
    let store = db.open().await;
    store
        .replace_accounts(AccountSet {
            devices: vec![DeviceRecord {
                id: "k1".into(),
                site: "S".into(),
                token_sha256: Some("00".repeat(32)),
                township: None,
            }],
            staff: vec![],
        })
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for n in 0..60 {
        let store: Arc<dyn centre::Store> = Arc::clone(&store);
        // Every 20th item is from a device the database does not know (a foreign key failure);
        // keys 0..10 are sent twice.
        let device = if n % 20 == 19 { "ghost" } else { "k1" };
        let key = format!("key-{}", if n >= 50 { n - 50 } else { n });
        tasks.push(tokio::spawn(async move {
            store.store_item(rating(device, &key)).await
        }));
    }
    let (mut new, mut again, mut failed) = (0, 0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(Stored::New(_)) => new += 1,
            Ok(Stored::Again(_) | Stored::Conflict(_)) => again += 1,
            Err(_) => failed += 1,
        }
    }
    // 60 sends: the unknown device's 3 (n = 19, 39, 59) fail. Keys 0..50 from k1 except key-19 and
    // key-39 are stored once (48); keys 0..9 come again from k1 (9 repeats; the 10th, n = 59, is the
    // unknown device's).
    assert_eq!((new, again, failed), (48, 9, 3));
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.items, counts.ratings), (48, 48));
}
