//! `kiosk content …` (the centre's publisher tool) and `kiosk sync` (the device side).

use std::path::{Path, PathBuf};

/// The publisher's subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ContentCommand {
    /// Generate an Ed25519 signing key (KEY) and its public half (KEY.pub).
    Keygen {
        /// Where the private key goes.
        #[arg(long)]
        out: PathBuf,
    },
    /// Build and sign a bundle from editable sources.
    Build {
        /// The sources: TOML/Markdown guides and notices, CSV directory, images.
        src_dir: PathBuf,
        /// The private signing key.
        #[arg(long)]
        key: PathBuf,
        /// The output: plain static files for any web server or USB stick.
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a built bundle against a public key.
    Verify {
        /// The bundle directory.
        dist_dir: PathBuf,
        /// The public key.
        #[arg(long)]
        pubkey: PathBuf,
    },
}

/// Arguments of `kiosk sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Run one sync with the configured source and exit: 0 when applied or unchanged, non-zero with the reason.
    #[arg(long)]
    pub once: bool,
}

/// Runs a publisher subcommand.
pub fn run_content(command: ContentCommand) -> anyhow::Result<()> {
    anyhow::bail!("content publishing is being built: {command:?}")
}

/// Runs `kiosk sync`.
pub fn run_sync(config: Option<&Path>, args: SyncArgs) -> anyhow::Result<()> {
    anyhow::bail!("sync is being built: {config:?} {args:?}")
}
