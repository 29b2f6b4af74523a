//! Content: signed bundles from the centre (guides, directory, publicity, notices, legal-aid rules),
//! the publisher tool, offline-first sync, USB delivery and the outbox.
//!
//! The bundle format, the clock policy and the publisher's guide are in `content/README.md`.
//!
//! ```no_run
//! # async fn demo(data_dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
//! use content::{ContentConfig, ContentStore, Outbox, OutboxPayload, Rating};
//! let config = ContentConfig::from_table(None)?; // the `[content]` table's defaults: no centre key yet
//! let store = ContentStore::open(data_dir, &config)?; // the embedded default when nothing else is installed
//! let content = store.current(); // Arc<Content>: services, lawyers, sites, publicity…
//! let mut changed = store.subscribe(); // changed.changed().await when a new version is swapped in
//! let outbox = Outbox::open(data_dir, &config, "黔江区公共法律服务中心")?;
//! let _sync = store.spawn_sync(&tokio::runtime::Handle::current(), Some(outbox.clone()));
//! let _delivery = outbox.spawn(&tokio::runtime::Handle::current());
//! outbox.submit(OutboxPayload::Rating(Rating { service: "legal_aid".into(), ticket: None, score: 5, comment: String::new(), window: None, ..Rating::default() }))?;
//! # let _ = (content, &mut changed); Ok(()) }
//! ```

mod admit;
pub mod aid_check;
pub mod application_queue;
mod assemble;
mod background;
pub mod booking;
mod clock;
mod config;
mod day_period;
mod error;
mod fetch;
mod keys;
mod manifest;
mod model;
mod open_item;
mod outbox;
pub mod pack;
pub mod private_file;
mod publish;
pub mod receipt;
pub mod release_check;
mod safe_read;
mod sources;
mod store;
pub mod ticket_stats;
pub mod upload;
pub mod video_call;

pub use self::clock::{ClockVerdict, SystemWallClock, WallClock, signing_horizon, trusted_now};
pub use admit::MAX_EPOCH_STEP;
pub use background::SyncTask;
pub use booking::{
    BookingClient, BookingEntry, BookingFetchError, BookingState, BookingUpdate, CheckIn, Fetched,
    SiteBookings, id_mac, parse_booking_code,
};
pub use config::{ContentConfig, ContentLimits, DEV_PUBLIC_KEY, OutboxRetention};
pub use day_period::DayPeriod;
pub use error::{BundleError, ContentError, OutboxError, SyncError};
pub use keys::{PublicKey, SecretKey};
pub use manifest::{
    COLLECTIONS, Envelope, FORMAT, FileEntry, Manifest, ObjectId, SIGNING_CONTEXT, SignatureEntry,
    VerifiedManifest, check_version_ceiling, sign, verify,
};
pub use model::{
    AidGroup, AidMatter, BundleInfo, Content, DisplaySettings, DutySchedule, HardshipStandard,
    Institution, InstitutionKind, LegalAidRules, Notice, Person, PersonRole, PublicityItem,
    PublicityKind, ServiceGuide, SignOff, Site, SiteTier, StaffMember, Text, VideoItem,
    WINDOW_PLACEHOLDER, fill_window, unknown_placeholder,
};
pub use outbox::{
    Complaint, Heartbeat, ItemState, NeedsSurvey, Outbox, OutboxItem, OutboxMessage, OutboxPayload,
    OutboxStatus, RATING_MAX_WINDOW, RATING_REASONS, RATING_SOURCES, Rating, SURVEY_MAX_CHOICES,
    SendReport, TICKET_STATS_MAX_MINUTES, TICKET_STATS_MAX_TICKETS, TicketStats, backoff,
};
pub use publish::{BuildOptions, BuildReport, build, verify_dir};
pub use release_check::{OpenItem, open_items};
pub use store::{ContentStatus, ContentStore, ResetReport, SyncAttempt, SyncOutcome, SyncReport};
