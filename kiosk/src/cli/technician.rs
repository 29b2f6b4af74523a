//! `kiosk technician …`: the PIN hash for `[technician] pin_sha256`.

use super::pin_prompt::read_pin;
use crate::config::PinHash;

/// Technician tools.
#[derive(Debug, clap::Subcommand)]
pub enum TechnicianCommand {
    /// Hash a technician PIN (4 to 8 digits) for `[technician] pin_sha256`, with a fresh salt.
    /// The PIN is read from the terminal without echo (asked twice), or from the first line of
    /// standard input when it is not a terminal; never from the command line.
    HashPin,
}

/// Runs `kiosk technician …`; prints the config line.
pub fn run_technician(command: TechnicianCommand) -> anyhow::Result<()> {
    match command {
        TechnicianCommand::HashPin => {
            let pin = read_pin("technician PIN / 维护密码")?;
            let hash = PinHash::generate(&pin).map_err(anyhow::Error::msg)?;
            println!("[technician]\npin_sha256 = \"{hash}\"");
            Ok(())
        }
    }
}
