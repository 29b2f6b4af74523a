//! The kiosk binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Qianjiang public legal service kiosk.
#[derive(Debug, Parser)]
#[command(name = "kiosk", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the queue host and LAN service headless, with simulated devices.
    Serve(kiosk::lan::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Serve(args)) => kiosk::lan::run_serve(args),
        None => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kiosk: {err:#}");
            ExitCode::FAILURE
        }
    }
}
