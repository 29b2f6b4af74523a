//! `kiosk technician …`: the PIN hash for `[technician] pin_sha256`.

use std::io::BufRead as _;

use anyhow::Context as _;

use crate::config::PinHash;

/// Technician tools.
#[derive(Debug, clap::Subcommand)]
pub enum TechnicianCommand {
    /// Hash a technician PIN (4 to 8 digits) for `[technician] pin_sha256`, with a fresh salt.
    /// Without --pin the PIN is read from the first line of standard input.
    HashPin {
        /// The PIN (visible in the shell history; prefer standard input).
        #[arg(long)]
        pin: Option<String>,
    },
}

/// Runs `kiosk technician …`; prints the config line.
pub fn run_technician(command: TechnicianCommand) -> anyhow::Result<()> {
    match command {
        TechnicianCommand::HashPin { pin } => {
            let pin = match pin {
                Some(pin) => pin,
                None => {
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .context("cannot read the PIN from standard input")?;
                    line.trim().to_owned()
                }
            };
            let hash = PinHash::generate(&pin).map_err(anyhow::Error::msg)?;
            println!("[technician]\npin_sha256 = \"{hash}\"");
            Ok(())
        }
    }
}
