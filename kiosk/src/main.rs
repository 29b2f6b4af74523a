//! The kiosk binary: parses the command line and hands over to the library.

use std::{path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use kiosk::{
    config::{Language, parse_size},
    ui::{
        Page, ShellOptions,
        screenshot::{self, Shot},
    },
};
use tracing_subscriber::{layer::SubscriberExt as _, util::SubscriberInitExt as _};

/// Qianjiang public legal service kiosk (黔江区公共法律服务自助终端).
///
/// Without a subcommand it opens the kiosk UI; with no config file it runs on simulated hardware with the
/// bundled content.
#[derive(Debug, Parser)]
#[command(name = "kiosk", version, about)]
struct Cli {
    /// Configuration file (TOML). Every key is optional; see assets/config/kiosk.example.toml.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// What this device is: the touch kiosk, or the hall display in the waiting area.
    #[arg(long, value_enum, default_value_t = Role::Kiosk)]
    role: Role,
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
    Serve(kiosk::lan::ServeArgs),
    /// Render a page to PNG headless (no display needed) and exit.
    Screenshot(ScreenshotArgs),
    /// Publish content: generate keys, build and sign bundles, verify them (the centre's side).
    #[command(subcommand)]
    Content(kiosk::content::ContentCommand),
    /// Fetch and apply the latest signed content bundle from the configured source.
    Sync(kiosk::content::SyncArgs),
    /// LED panel tools for technicians.
    #[command(subcommand)]
    Led(kiosk::led::cli::LedCommand),
    /// Technician page tools: hash the PIN for `[technician] pin_sha256`.
    #[command(subcommand)]
    Technician(kiosk::ui::technician::cli::TechnicianCommand),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Role {
    /// The touch kiosk (ticket machine and query terminal).
    Kiosk,
    /// The large screen in the waiting area: calls and publicity.
    HallDisplay,
}

#[derive(Debug, clap::Args)]
struct ScreenshotArgs {
    /// The page: home, take-number, guides, directory, legal-aid, publicity, complaints, about.
    #[arg(long, default_value = "home")]
    page: String,
    /// Size in pixels, WIDTHxHEIGHT (reference: 1080x1920 portrait, 1920x1080 landscape).
    #[arg(long, default_value = "1080x1920")]
    size: String,
    /// UI language.
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    lang: Lang,
    /// Elderly mode (larger type, higher contrast).
    #[arg(long)]
    elderly: bool,
    /// Output PNG file (one page).
    #[arg(long, required_unless_present_any = ["flow", "info"])]
    out: Option<PathBuf>,
    /// Render every screen of the take-a-number flow (Chinese, English, elderly mode) into
    /// `--out-dir`, on simulated hardware.
    #[arg(long)]
    flow: bool,
    /// Render the information pages with the bundled content (Chinese, English, elderly mode)
    /// into `--out-dir`, for the site kind of the config.
    #[arg(long, conflicts_with = "flow")]
    info: bool,
    /// Directory for `--flow` and `--info`.
    #[arg(long, default_value = "images/screenshots")]
    out_dir: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Lang {
    Zh,
    En,
}

fn main() -> ExitCode {
    kiosk::startup_probe::mark_process_start();
    // Logs go to standard error and, for the technician page, into the in-memory ring of recent lines.
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(kiosk::ui::technician::LogRing::global().layer())
        .init();
    let cli = Cli::parse();
    if cli.exit_after_first_frame {
        kiosk::startup_probe::request_exit_after_first_frame();
    }
    let result = match cli.command {
        None => match cli.role {
            Role::Kiosk => kiosk::app::run_kiosk(cli.config.as_deref()),
            Role::HallDisplay => kiosk::hall::run_hall_display(cli.config.as_deref()),
        },
        Some(Command::Serve(mut args)) => {
            args.config = args.config.or(cli.config);
            kiosk::lan::run_serve(args)
        }
        Some(Command::Screenshot(args)) => take_screenshot(cli.config.as_deref(), args),
        Some(Command::Content(command)) => kiosk::content::run_content(command),
        Some(Command::Sync(args)) => kiosk::content::run_sync(cli.config.as_deref(), args),
        Some(Command::Led(command)) => {
            kiosk::led::cli::run_led_with_config(command, cli.config.as_deref())
        }
        Some(Command::Technician(command)) => kiosk::ui::technician::cli::run_technician(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kiosk: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn take_screenshot(config: Option<&std::path::Path>, args: ScreenshotArgs) -> anyhow::Result<()> {
    let config = kiosk::app::load_config(config)?;
    if args.flow {
        let size = parse_size(&args.size)
            .with_context(|| format!("--size `{}` must look like 1080x1920", args.size))?;
        let written =
            screenshot::render_flow(ShellOptions::from_config(&config), size, &args.out_dir)?;
        println!(
            "{} screenshots in {}",
            written.len(),
            args.out_dir.display()
        );
        return Ok(());
    }
    if args.info {
        let size = parse_size(&args.size)
            .with_context(|| format!("--size `{}` must look like 1080x1920", args.size))?;
        let written = screenshot::render_info(
            ShellOptions::from_config(&config),
            kiosk::ui::info::InfoOptions::from_config(&config),
            size,
            &args.out_dir,
        )?;
        println!(
            "{} screenshots in {}",
            written.len(),
            args.out_dir.display()
        );
        return Ok(());
    }
    let page = Page::from_name(&args.page).with_context(|| {
        let names: Vec<_> = Page::ALL.iter().map(|p| p.name()).collect();
        format!("unknown page `{}`; pages: {}", args.page, names.join(", "))
    })?;
    let size = parse_size(&args.size)
        .with_context(|| format!("--size `{}` must look like 1080x1920", args.size))?;
    let language = match args.lang {
        Lang::Zh => Language::Zh,
        Lang::En => Language::En,
    };
    let shot = Shot {
        page,
        size,
        language,
        elderly: args.elderly,
        out: args.out.context("--out is required without --flow")?,
    };
    screenshot::render(ShellOptions::from_config(&config), &[shot])?;
    Ok(())
}
