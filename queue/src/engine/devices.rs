//! Device alerts (ticket printer paper and cover) and help requests (a kiosk's help button).
//!
//! They are kept in memory, not in the database: a restart forgets them until the devices
//! report again. Every change is logged and broadcast as a `device_alert` event.

use std::sync::PoisonError;

use super::QueueEngine;
use crate::{QueueError, alerts::DeviceAlerts, events::EventPayload};

impl QueueEngine {
    /// Records a device's alerts; logs and broadcasts a `device_alert` event when they change.
    pub fn set_device_alerts(
        &self,
        device: &str,
        alerts: DeviceAlerts,
    ) -> Result<bool, QueueError> {
        validate_device_name(device)?;
        let mut map = self.alerts.lock().unwrap_or_else(PoisonError::into_inner);
        let previous = map.get(device).copied().unwrap_or_default();
        // The help request has its own call; a printer report leaves it as it is.
        let alerts = DeviceAlerts {
            help: previous.help,
            ..alerts
        };
        if previous == alerts {
            return Ok(false);
        }
        self.run(|c| {
            c.log(EventPayload::DeviceAlert {
                device: device.to_owned(),
                alerts,
            })
        })?;
        map.insert(device.to_owned(), alerts);
        Ok(true)
    }

    /// Opens or closes a device's help request (its help button); logs and broadcasts a
    /// `device_alert` event when it changes.
    pub fn set_help_request(&self, device: &str, requested: bool) -> Result<bool, QueueError> {
        validate_device_name(device)?;
        let mut map = self.alerts.lock().unwrap_or_else(PoisonError::into_inner);
        let previous = map.get(device).copied().unwrap_or_default();
        if previous.help == requested {
            return Ok(false);
        }
        let alerts = DeviceAlerts {
            help: requested,
            ..previous
        };
        self.run(|c| {
            c.log(EventPayload::DeviceAlert {
                device: device.to_owned(),
                alerts,
            })
        })?;
        map.insert(device.to_owned(), alerts);
        Ok(true)
    }

    /// The latest alerts of every device that reported any.
    pub fn device_alerts(&self) -> Vec<(String, DeviceAlerts)> {
        self.alerts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    }
}

/// Checks a device name: 1–64 characters of `a-z A-Z 0-9 - _ .`.
pub fn validate_device_name(name: &str) -> Result<(), QueueError> {
    if (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Ok(())
    } else {
        Err(QueueError::invalid(
            "device",
            "a device name has 1-64 characters of A-Z, a-z, 0-9, '-', '_' or '.'",
        ))
    }
}
