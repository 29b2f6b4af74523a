//! `kiosk screenshot`: pages rendered headless to PNG, one page or every screen of a flow.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::ValueEnum;

use crate::{
    config::{Language, parse_size},
    ui::{
        Page, ShellOptions,
        info::InfoOptions,
        screenshot::{self, Shot},
    },
};

/// Arguments of `kiosk screenshot`.
#[derive(Debug, clap::Args)]
pub struct ScreenshotArgs {
    /// The page: home, take-number, guides, directory, legal-aid, publicity, complaints, about.
    #[arg(long, default_value = "home")]
    pub page: String,
    /// Size in pixels, WIDTHxHEIGHT (reference: 1080x1920 portrait, 1920x1080 landscape).
    #[arg(long, default_value = "1080x1920")]
    pub size: String,
    /// UI language.
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
    /// Elderly mode (larger type, higher contrast).
    #[arg(long)]
    pub elderly: bool,
    /// Output PNG file (one page).
    #[arg(long, required_unless_present_any = ["flow", "info", "rating_pad", "hall"])]
    pub out: Option<PathBuf>,
    /// Render every screen of the take-a-number flow (Chinese, English, elderly mode) into
    /// `--out-dir`, on simulated hardware.
    #[arg(long)]
    pub flow: bool,
    /// Render the information pages with the bundled content (Chinese, English, elderly mode)
    /// into `--out-dir`, for the site kind of the config.
    #[arg(long, conflicts_with = "flow")]
    pub info: bool,
    /// Render the window rating pad's screens (serving, prompt, reasons, thanks; Chinese, English,
    /// elderly) into `--out-dir`; use `--size 1024x600`.
    #[arg(long, conflicts_with_all = ["flow", "info"])]
    pub rating_pad: bool,
    /// Render the hall screen playing the bundled sample video (with its subtitle, and with a call
    /// above it) into `--out-dir`; use `--size 1280x720`.
    #[arg(long, conflicts_with_all = ["flow", "info", "rating_pad"])]
    pub hall: bool,
    /// With `--info`: the site tier to render for instead of the config's `[site] kind`; a room's
    /// and a station's files start with `room-` and `station-`.
    #[arg(long, value_enum, requires = "info")]
    pub tier: Option<Tier>,
    /// Directory for `--flow`, `--info`, `--rating-pad` and `--hall`.
    #[arg(long, default_value = "images/screenshots")]
    pub out_dir: PathBuf,
}

/// A site tier for `--tier`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Tier {
    /// The district centre.
    Centre,
    /// A township station.
    Station,
    /// A village or community room.
    Room,
}

/// The UI language of a screenshot.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Lang {
    /// Simplified Chinese.
    Zh,
    /// English.
    En,
}

/// Runs `kiosk screenshot`.
pub fn run_screenshot(config: Option<&Path>, args: ScreenshotArgs) -> anyhow::Result<()> {
    let config = super::load_config(config)?;
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
    if args.rating_pad {
        let size = parse_size(&args.size)
            .with_context(|| format!("--size `{}` must look like 1024x600", args.size))?;
        let written = crate::rating_pad::screens::render(size, &args.out_dir)?;
        println!(
            "{} screenshots in {}",
            written.len(),
            args.out_dir.display()
        );
        return Ok(());
    }
    if args.hall {
        let size = parse_size(&args.size)
            .with_context(|| format!("--size `{}` must look like 1280x720", args.size))?;
        let data_dir = super::data_dir(&config)?;
        let written = crate::hall::screens::render(size, &args.out_dir, &data_dir)?;
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
            InfoOptions {
                tier: match args.tier {
                    Some(Tier::Centre) => content::SiteTier::Centre,
                    Some(Tier::Station) => content::SiteTier::Station,
                    Some(Tier::Room) => content::SiteTier::Room,
                    None => InfoOptions::from_config(&config).tier,
                },
                ..InfoOptions::from_config(&config)
            },
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
