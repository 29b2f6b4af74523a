//! The command line and the composition layer: every role and subcommand is wired here, and only here.
//!
//! One tracing set-up ([`main`]), one way to build the async runtime ([`runtime`]), one way to read the
//! configuration and the data directory ([`load_config`], [`data_dir`]). Runners return `anyhow` errors
//! with context for the operator: this is the binary's edge. Lower modules and crates never import it.

pub mod content;
pub mod hall;
pub mod kiosk;
pub mod led;
mod pin_prompt;
pub mod rating_pad;
pub mod screenshot;
pub mod serve;
pub mod technician;

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use tracing_subscriber::{layer::SubscriberExt as _, util::SubscriberInitExt as _};

use crate::{
    config::{KioskConfig, LanConfig},
    lan, paths,
};
use queue::QueueConfig;

/// Qianjiang public legal service kiosk (黔江区公共法律服务自助终端).
///
/// Without a subcommand it opens the kiosk UI; with no config file it runs on simulated hardware with the
/// bundled content.
#[derive(Debug, Parser)]
#[command(name = "kiosk", version, about)]
pub struct Cli {
    /// Configuration file (TOML). Every key is optional; see assets/config/kiosk.example.toml.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// What this device is: the touch kiosk, the hall display in the waiting area, or a window's
    /// rating pad.
    #[arg(long, value_enum, default_value_t = Role::Kiosk)]
    role: Role,
    /// The window a rating pad stands at (with `--role rating-pad`).
    #[arg(long, required_if_eq("role", "rating-pad"))]
    window: Option<u32>,
    /// Measure startup: print the time to the first rendered frame and the resident memory, then exit
    /// (see `scripts/measure-startup.sh`).
    #[arg(long, hide = true)]
    exit_after_first_frame: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the queue host and LAN service headless, with simulated devices.
    Serve(serve::ServeArgs),
    /// Render a page to PNG headless (no display needed) and exit.
    Screenshot(screenshot::ScreenshotArgs),
    /// Publish content: generate keys, build and sign bundles, verify them (the centre's side).
    #[command(subcommand)]
    Content(content::ContentCommand),
    /// Fetch and apply the latest signed content bundle from the configured source.
    Sync(content::SyncArgs),
    /// LED panel tools for technicians.
    #[command(subcommand)]
    Led(led::LedCommand),
    /// Technician page tools: hash the PIN for `[technician] pin_sha256`.
    #[command(subcommand)]
    Technician(technician::TechnicianCommand),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Role {
    /// The touch kiosk (ticket machine and query terminal).
    Kiosk,
    /// The large screen in the waiting area: calls and publicity.
    HallDisplay,
    /// The small screen at a window: staff on duty, the ticket served, one rating per visit.
    RatingPad,
}

/// The binary's `main`: one tracing set-up, the command line, and the runner of the chosen role or
/// subcommand. Errors are printed with their whole chain and give exit status 1.
pub fn main() -> ExitCode {
    crate::startup_probe::mark_process_start();
    init_tracing();
    let cli = Cli::parse();
    if cli.exit_after_first_frame {
        crate::startup_probe::request_exit_after_first_frame();
    }
    let result = match cli.command {
        None => match cli.role {
            Role::Kiosk => kiosk::run_kiosk(cli.config.as_deref()),
            Role::HallDisplay => hall::run_hall_display(cli.config.as_deref()),
            Role::RatingPad => {
                rating_pad::run_rating_pad(cli.config.as_deref(), cli.window.unwrap_or(1))
            }
        },
        Some(Command::Serve(mut args)) => {
            args.config = args.config.or(cli.config);
            serve::run_serve(args)
        }
        Some(Command::Screenshot(args)) => screenshot::run_screenshot(cli.config.as_deref(), args),
        Some(Command::Content(command)) => content::run_content(cli.config.as_deref(), command),
        Some(Command::Sync(args)) => content::run_sync(cli.config.as_deref(), args),
        Some(Command::Led(command)) => led::run_led_with_config(command, cli.config.as_deref()),
        Some(Command::Technician(command)) => technician::run_technician(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kiosk: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to standard error and, for the technician page, into the in-memory ring of recent lines.
/// `RUST_LOG` filters them (default `info`).
fn init_tracing() {
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(crate::ui::technician::LogRing::global().layer())
        .try_init();
}

/// The process's async runtime (multi-threaded, two workers: the boards have four small cores and the UI
/// owns the main thread), its threads named `name`. Every runner builds it here.
pub fn runtime(name: &str) -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name(name)
        .build()
        .context("cannot start the async runtime")
}

/// Loads the configuration file, or the defaults when there is none.
pub fn load_config(path: Option<&Path>) -> anyhow::Result<KioskConfig> {
    match path {
        Some(path) => Ok(KioskConfig::load(path)?),
        None => {
            tracing::info!("no --config given: using the built-in defaults (simulated devices)");
            Ok(KioskConfig::default())
        }
    }
}

/// The data directory the configuration names, created if missing.
pub fn data_dir(config: &KioskConfig) -> anyhow::Result<PathBuf> {
    let dir = config
        .storage
        .data_dir
        .clone()
        .unwrap_or_else(paths::default_data_dir);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    Ok(dir)
}

/// The `[queue]` and `[lan]` tables of the configuration; without a configuration file, the demo
/// queue (every service open all day, windows 1-3 with PINs 1111/2222/3333) so that a laptop run
/// can take numbers at any hour.
pub fn queue_config(
    config: &KioskConfig,
    from_file: bool,
) -> anyhow::Result<(QueueConfig, LanConfig)> {
    if !from_file {
        return Ok(lan::demo_config());
    }
    Ok((
        config.queue.clone().unwrap_or_default(),
        config.lan.clone().unwrap_or_default(),
    ))
}
