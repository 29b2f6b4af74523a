//! `kiosk serve`: the queue host and LAN service, headless.

use std::{net::SocketAddr, path::PathBuf};

/// Arguments of `kiosk serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Kiosk configuration file (TOML); without it the demo configuration is used.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Directory for the queue database.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

/// Runs the queue host and LAN service until interrupted.
pub fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    anyhow::bail!("the LAN service is being built: {args:?}")
}
