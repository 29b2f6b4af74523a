//! The demo credentials of a laptop run, and where the queue host keeps its database.

use queue::QueueConfig;

use super::auth::{DEMO_DEVICE_TOKEN, DEMO_PIN_HASHES, demo_pad_token, device_token_sha256};
use crate::config::{DeviceEntry, LanConfig, StaffEntry};

/// File name of the queue database inside the data directory.
pub const DATABASE_FILE: &str = "queue.sqlite3";

/// The demo configuration: windows 1-3 with PINs 1111, 2222, 3333, the demo device token and a
/// rating pad per window (`demo-pad-N`, token [`demo_pad_token`]).
pub fn demo_config() -> (QueueConfig, LanConfig) {
    let staff = DEMO_PIN_HASHES
        .iter()
        .map(|(window, hash)| StaffEntry {
            window: *window,
            pin_hash: (*hash).to_owned(),
            addresses: Vec::new(),
            name: None,
            staff_id: None,
        })
        .collect();
    let lan = LanConfig {
        staff,
        devices: std::iter::once(DeviceEntry {
            name: "demo-kiosk".into(),
            token_sha256: device_token_sha256(DEMO_DEVICE_TOKEN),
            window: None,
        })
        .chain(DEMO_PIN_HASHES.iter().map(|(window, _)| DeviceEntry {
            name: format!("demo-pad-{window}"),
            token_sha256: device_token_sha256(&demo_pad_token(*window)),
            window: Some(*window),
        }))
        .collect(),
        ..LanConfig::default()
    };
    (QueueConfig::demo(), lan)
}
