//! `kiosk led …`: technician commands for the LED panel.

use std::path::PathBuf;

/// LED panel subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum LedCommand {
    /// Render a scene to PNG, e.g. `kiosk led render --scene call --ticket A012 --window 3 --size 160x16 --png OUT.png`.
    Render(RenderArgs),
}

/// Arguments of `kiosk led render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// `call` or `idle`.
    #[arg(long, default_value = "call")]
    pub scene: String,
    /// Ticket number for a call scene.
    #[arg(long, default_value = "A012")]
    pub ticket: String,
    /// Window number for a call scene.
    #[arg(long, default_value_t = 1)]
    pub window: u32,
    /// Panel size in LEDs, WIDTHxHEIGHT.
    #[arg(long, default_value = "160x16")]
    pub size: String,
    /// Output PNG.
    #[arg(long)]
    pub png: PathBuf,
}

/// Runs an LED subcommand.
pub fn run_led(command: LedCommand) -> anyhow::Result<()> {
    anyhow::bail!("LED commands are being built: {command:?}")
}
