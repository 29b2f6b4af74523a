//! The flow's settings, taken from the kiosk's configuration.

use std::{sync::Arc, time::Duration};

use chrono::FixedOffset;

use crate::config::KioskConfig;

use queue::{Clock, QueueConfig, SystemClock};

/// What the take-a-number flow needs to know about the site and this device.
#[derive(Clone)]
pub struct TakeNumberOptions {
    /// The centre's name, printed at the top of every ticket.
    pub centre_name: String,
    /// This device's name on the queue host: reprint requests addressed to it are printed here.
    pub device_name: String,
    /// Age from which the priority service for seniors is offered (`[queue] elderly_age`).
    pub elderly_age: u32,
    /// How long the ticket screen stays before it returns home (`[ui] ticket_screen_secs`);
    /// doubled when the ticket could not be printed, to leave time for a photograph.
    pub ticket_screen: Duration,
    /// Local time offset of the site (`[queue] utc_offset`).
    pub utc_offset: FixedOffset,
    /// The site's services and windows (`[queue]`), for window hints and opening times.
    pub queue: QueueConfig,
    /// The time (ages on ID cards, opening times of closed services).
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for TakeNumberOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TakeNumberOptions")
            .field("centre_name", &self.centre_name)
            .field("device_name", &self.device_name)
            .field("elderly_age", &self.elderly_age)
            .field("ticket_screen", &self.ticket_screen)
            .field("utc_offset", &self.utc_offset)
            .finish_non_exhaustive()
    }
}

impl TakeNumberOptions {
    /// Takes the options from the kiosk configuration, the parsed `[queue]` table and the
    /// device's name on the queue host.
    pub fn from_config(config: &KioskConfig, queue: &QueueConfig, device_name: &str) -> Self {
        Self {
            centre_name: config.site.name.clone(),
            device_name: device_name.to_owned(),
            elderly_age: queue.elderly_age,
            ticket_screen: Duration::from_secs(config.ui.ticket_screen_secs),
            utc_offset: queue.utc_offset.0,
            queue: queue.clone(),
            clock: Arc::new(SystemClock),
        }
    }
}
