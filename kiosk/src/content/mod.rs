//! Content: signed bundles from the centre (guides, directory, publicity, notices, legal-aid rules),
//! the publisher tool, offline-first sync, USB delivery and the outbox.

mod cli;

pub use cli::{ContentCommand, SyncArgs, run_content, run_sync};
