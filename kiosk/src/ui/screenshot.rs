//! `kiosk screenshot`: renders pages headless with Slint's software renderer (no display needed).

use std::{path::PathBuf, rc::Rc};

use slint::{
    ComponentHandle, PhysicalSize,
    platform::{
        Platform, WindowAdapter,
        software_renderer::{MinimalSoftwareWindow, RepaintBufferType},
    },
};

use super::{Page, Shell, ShellOptions};
use crate::config::Language;

/// One picture to take.
#[derive(Debug, Clone)]
pub struct Shot {
    /// The page to show.
    pub page: Page,
    /// Size in physical pixels.
    pub size: (u32, u32),
    /// UI language.
    pub language: Language,
    /// Elderly mode on or off.
    pub elderly: bool,
    /// Where the PNG goes.
    pub out: PathBuf,
}

/// Why a screenshot failed.
#[derive(Debug, thiserror::Error)]
pub enum ScreenshotError {
    /// Slint could not set up the headless window.
    #[error("cannot render headless: {0}")]
    Platform(#[from] slint::PlatformError),
    /// A platform was already chosen in this process.
    #[error("cannot render headless: {0}")]
    SetPlatform(#[from] slint::platform::SetPlatformError),
    /// The PNG could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The PNG encoder failed.
    #[error("cannot encode {}: {source}", path.display())]
    Encode {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: png::EncodingError,
    },
}

struct HeadlessPlatform {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

/// The fixed time screenshots show, so that pictures only change when the UI does.
pub const SCREENSHOT_CLOCK: &str = "2026-11-29 09:30";

/// Renders each shot to its PNG file. Must be the first use of Slint in the process.
pub fn render(options: ShellOptions, shots: &[Shot]) -> Result<(), ScreenshotError> {
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(HeadlessPlatform { window: window.clone() }))?;
    let shell = Shell::new(ShellOptions { live_clock: false, ..options })?;
    shell.set_clock_text(SCREENSHOT_CLOCK);
    shell.window().show()?;
    for shot in shots {
        shell.end_session();
        shell.set_language(shot.language);
        shell.window().global::<super::Theme>().set_elderly(shot.elderly);
        window.set_size(PhysicalSize::new(shot.size.0, shot.size.1));
        if shot.page != Page::Home {
            shell.go(shot.page);
        }
        slint::platform::update_timers_and_animations();
        let snapshot = shell.window().window().take_snapshot()?;
        write_png(&shot.out, snapshot.width(), snapshot.height(), snapshot.as_bytes())?;
        tracing::info!("wrote {}", shot.out.display());
    }
    shell.window().hide()?;
    Ok(())
}

fn write_png(path: &std::path::Path, width: u32, height: u32, rgba: &[u8]) -> Result<(), ScreenshotError> {
    let write_err = |source| ScreenshotError::Write { path: path.to_owned(), source };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(write_err)?;
    }
    let file = std::fs::File::create(path).map_err(write_err)?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let encode_err = |source| ScreenshotError::Encode { path: path.to_owned(), source };
    let mut writer = encoder.write_header().map_err(encode_err)?;
    writer.write_image_data(rgba).map_err(encode_err)?;
    writer.finish().map_err(encode_err)
}
