//! `kiosk screenshot`: renders pages headless with Slint's software renderer (no display needed).

use std::{
    cell::Cell,
    path::{Path, PathBuf},
    rc::Rc,
    time::Duration,
};

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
    /// The take-a-number flow could not be driven to one of its screens.
    #[error("cannot render the take-a-number flow: {0}")]
    Flow(String),
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

thread_local! {
    /// Slint's time in the headless renderer: it moves only by [`FRAME_STEP`] per picture, so animations and
    /// timers are at the same point in every run and pictures only change when the UI does.
    static MOCK_TIME: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// How far Slint's time moves before each picture.
const FRAME_STEP: Duration = Duration::from_millis(700);

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }

    fn duration_since_start(&self) -> Duration {
        MOCK_TIME.with(Cell::get)
    }
}

/// The fixed time screenshots show, so that pictures only change when the UI does.
pub const SCREENSHOT_CLOCK: &str = "2026-11-29 09:30";

/// The three variants of each screen: Chinese, English, elderly mode; and the file name suffix.
const VARIANTS: [(&str, Language, bool); 3] = [
    ("", Language::Zh, false),
    ("-en", Language::En, false),
    ("-elderly", Language::Zh, true),
];

/// Sets up the headless platform and the kiosk window for pictures: a fixed clock, no live timers.
/// Must be the first use of Slint in the process.
fn headless_shell(
    options: ShellOptions,
) -> Result<(Rc<MinimalSoftwareWindow>, Shell), ScreenshotError> {
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(HeadlessPlatform {
        window: window.clone(),
    }))?;
    let shell = Shell::new(ShellOptions {
        live_clock: false,
        ..options
    })?;
    shell.set_clock_text(SCREENSHOT_CLOCK);
    shell.window().show()?;
    Ok((window, shell))
}

/// Draws the window as it is now and writes it to `path`.
/// Installs the headless platform (software renderer, Slint's time moved per picture) for a
/// window other than the kiosk's (the rating pad's); size the returned window before capturing.
pub fn headless_platform() -> Result<Rc<MinimalSoftwareWindow>, ScreenshotError> {
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(HeadlessPlatform {
        window: window.clone(),
    }))?;
    Ok(window)
}

/// Renders `window` to a PNG at `path`, one frame step of Slint's time later.
pub fn capture_window(window: &slint::Window, path: &Path) -> Result<(), ScreenshotError> {
    MOCK_TIME.with(|t| t.set(t.get() + FRAME_STEP));
    slint::platform::update_timers_and_animations();
    let snapshot = window.take_snapshot()?;
    write_png(
        path,
        snapshot.width(),
        snapshot.height(),
        snapshot.as_bytes(),
    )?;
    tracing::info!("wrote {}", path.display());
    Ok(())
}

fn capture(shell: &Shell, path: &Path) -> Result<(), ScreenshotError> {
    MOCK_TIME.with(|t| t.set(t.get() + FRAME_STEP));
    slint::platform::update_timers_and_animations();
    let snapshot = shell.window().window().take_snapshot()?;
    write_png(
        path,
        snapshot.width(),
        snapshot.height(),
        snapshot.as_bytes(),
    )?;
    tracing::info!("wrote {}", path.display());
    Ok(())
}

/// Renders each shot to its PNG file. Must be the first use of Slint in the process.
pub fn render(options: ShellOptions, shots: &[Shot]) -> Result<(), ScreenshotError> {
    let (window, shell) = headless_shell(options)?;
    for shot in shots {
        shell.end_session();
        shell.set_language(shot.language);
        shell
            .window()
            .global::<super::Theme>()
            .set_elderly(shot.elderly);
        window.set_size(PhysicalSize::new(shot.size.0, shot.size.1));
        if shot.page == Page::Technician {
            // An offline picture of the page for documentation: the PIN guards the kiosk's screen.
            shell
                .window()
                .global::<super::TechnicianAdapter>()
                .set_unlocked(true);
        }
        if shot.page != Page::Home {
            shell.go(shot.page);
        }
        capture(&shell, &shot.out)?;
    }
    shell.window().hide()?;
    Ok(())
}

/// Renders every screen of the take-a-number flow and of check-in, in Chinese, English and elderly
/// mode, as `out_dir/take-number-N-NAME[-en|-elderly].png` and `check-in-N-NAME…`, on simulated hardware with a scratch queue.
/// Must be the first use of Slint in the process. Returns the files written.
pub fn render_flow(
    options: ShellOptions,
    size: (u32, u32),
    out_dir: &Path,
) -> Result<Vec<PathBuf>, ScreenshotError> {
    use super::take_number::screens::{FlowStage, set_variant};

    let centre_name = options.centre_name.clone();
    let (window, shell) = headless_shell(options)?;
    window.set_size(PhysicalSize::new(size.0, size.1));
    let scratch = std::env::temp_dir().join(format!("kiosk-flow-screens-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|source| ScreenshotError::Write {
        path: scratch.clone(),
        source,
    })?;
    let mut written = Vec::new();
    let result = {
        let mut capture = |name: &str| -> Result<(), String> {
            if name.is_empty() {
                slint::platform::update_timers_and_animations();
                shell
                    .window()
                    .window()
                    .take_snapshot()
                    .map_err(|e| e.to_string())?;
                return Ok(());
            }
            for (suffix, language, elderly) in VARIANTS {
                set_variant(&shell, language, elderly);
                let path = out_dir.join(format!("{name}{suffix}.png"));
                capture(&shell, &path).map_err(|e| e.to_string())?;
                written.push(path);
            }
            set_variant(&shell, Language::Zh, false);
            Ok(())
        };
        FlowStage::new(&shell, &centre_name, &scratch)
            .and_then(|stage| {
                stage.drive(&shell, &mut capture)?;
                stage.drive_unreachable(&shell, &mut capture)
            })
            .and_then(|()| {
                super::check_in::screens::drive_check_in(
                    &shell,
                    &centre_name,
                    &scratch.join("check-in"),
                    &mut capture,
                )
            })
    };
    let _ = std::fs::remove_dir_all(&scratch);
    result.map_err(ScreenshotError::Flow)?;
    shell.window().hide()?;
    Ok(written)
}

/// A screen of the information pages for [`render_info`]: its file name, its page, and what to do
/// on the page before the picture (e.g. open a guide).
struct InfoScreen {
    name: &'static str,
    page: Page,
    setup: fn(&super::AppWindow, &super::info::InfoPages),
}

/// The list of guides.
const GUIDE_LIST: InfoScreen = InfoScreen {
    name: "info-guides",
    page: Page::Guides,
    setup: |_, _| {},
};

/// The legal-aid guide, open.
const LEGAL_AID_GUIDE: InfoScreen = InfoScreen {
    name: "info-guide-legal-aid",
    page: Page::Guides,
    setup: |w, _| {
        w.global::<super::GuidesAdapter>()
            .invoke_open_guide("legal_aid".into());
    },
};

/// The directory on the tier's opening tab.
const DIRECTORY: InfoScreen = InfoScreen {
    name: "info-directory",
    page: Page::Directory,
    setup: |_, _| {},
};

/// What [`render_info`] takes at a village room instead (file names start with `room-`): the
/// home screen with the village's legal adviser, the guides and a guide worded for a room.
const ROOM_SCREENS: &[InfoScreen] = &[
    InfoScreen {
        name: "home",
        page: Page::Home,
        setup: |_, _| {},
    },
    GUIDE_LIST,
    LEGAL_AID_GUIDE,
    DIRECTORY,
];

/// The information pages' screens that [`render_info`] takes.
const INFO_SCREENS: &[InfoScreen] = &[
    GUIDE_LIST,
    LEGAL_AID_GUIDE,
    DIRECTORY,
    InfoScreen {
        name: "info-directory-search",
        page: Page::Directory,
        setup: |w, _| {
            let directory = w.global::<super::DirectoryAdapter>();
            directory.invoke_key("z".into());
            directory.invoke_key("s".into());
        },
    },
    InfoScreen {
        name: "info-directory-entry",
        page: Page::Directory,
        setup: |w, _| {
            w.global::<super::DirectoryAdapter>()
                .invoke_open_entry("person:sample-lawyer-5".into());
        },
    },
    InfoScreen {
        name: "info-legal-aid",
        page: Page::LegalAid,
        setup: |_, _| {},
    },
    InfoScreen {
        name: "info-legal-aid-result",
        page: Page::LegalAid,
        setup: |w, _| {
            // State compensation, no lawyer yet, no special situation, no exempt group: without an
            // official income figure in the content the honest answer is "ask at the window".
            let aid = w.global::<super::LegalAidAdapter>();
            aid.invoke_answer("state_compensation".into());
            aid.invoke_answer("no".into());
            aid.invoke_answer("".into());
            aid.invoke_answer("".into());
        },
    },
    InfoScreen {
        name: "info-publicity",
        page: Page::Publicity,
        setup: |_, _| {},
    },
    InfoScreen {
        name: "info-complaints",
        page: Page::Complaints,
        setup: |_, _| {},
    },
    InfoScreen {
        name: "info-complaints-typing",
        page: Page::Complaints,
        setup: |w, _| {
            w.global::<super::FeedbackAdapter>()
                .invoke_edit("text".into())
        },
    },
    InfoScreen {
        name: "info-survey",
        page: Page::Complaints,
        setup: |w, _| {
            let page = w.global::<super::FeedbackAdapter>();
            page.set_tab(2);
            page.invoke_toggle_survey(1, 7);
            page.invoke_toggle_survey(2, 2);
        },
    },
    InfoScreen {
        name: "info-rating",
        page: Page::Complaints,
        setup: |w, _| {
            // A rating half filled in: the ticket typed, the service and the window chosen.
            let page = w.global::<super::FeedbackAdapter>();
            page.set_tab(1);
            page.set_ticket("A012".into());
            page.set_service("notary".into());
            page.set_rated_window("4".into());
        },
    },
    InfoScreen {
        name: "info-receipt-status",
        page: Page::Complaints,
        setup: |w, _| {
            // The answer a centre gives for a suggestion it has replied to (content::receipt).
            let page = w.global::<super::FeedbackAdapter>();
            page.set_tab(3);
            page.set_lookup_available(true);
            page.set_code("T-7K3M-9QXA".into());
            page.set_receipt(super::info::feedback::status::view(&sample_receipt()));
            page.set_found(true);
        },
    },
    InfoScreen {
        name: "info-directory-appraisal",
        page: Page::Directory,
        setup: |w, _| {
            w.global::<super::DirectoryAdapter>()
                .invoke_select_category(
                    super::info::directory::entries::Category::Appraisal.index(),
                );
        },
    },
    InfoScreen {
        name: "info-about",
        page: Page::About,
        setup: |_, _| {},
    },
    InfoScreen {
        name: "home-attract",
        page: Page::Home,
        setup: |_, pages| pages.start_attract(),
    },
];

/// Renders the information pages (guides, directory, legal aid, publicity, complaints, about this
/// site) with the bundled default content, in Chinese, English and elderly mode, as
/// `out_dir/info-NAME[-en|-elderly].png`. Must be the first use of Slint in the process. Returns the
/// files written.
pub fn render_info(
    options: ShellOptions,
    info: super::info::InfoOptions,
    size: (u32, u32),
    out_dir: &Path,
) -> Result<Vec<PathBuf>, ScreenshotError> {
    use super::take_number::screens::set_variant;

    let (window, shell) = headless_shell(options)?;
    window.set_size(PhysicalSize::new(size.0, size.1));
    // The store opens in a scratch data directory, so it shows the bundled content.
    let scratch = std::env::temp_dir().join(format!("kiosk-info-screens-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let store = content::ContentStore::open(&scratch, &content::ContentConfig::default()).map_err(
        |err| ScreenshotError::Flow(format!("the bundled content does not load: {err}")),
    )?;
    // Photos and slides are files in the scratch directory: it goes when the pictures are taken.
    // A station's or room's pictures carry that site's name, as its kiosk's home screen would.
    if info.tier != content::SiteTier::Centre {
        let content = store.current();
        let name = shell.window().global::<super::Session>().get_centre_name();
        if let Some(site) = super::info::about::this_site(&content, &name, info) {
            let session = shell.window().global::<super::Session>();
            session.set_centre_name(site.name.zh.as_str().into());
            session.set_centre_name_en(site.name.en_or_zh().into());
        }
    }
    let pages = super::info::InfoPages::attach(&shell, store.current(), info);
    let mut written = Vec::new();
    let (screens, prefix) = match info.tier {
        content::SiteTier::Room => (ROOM_SCREENS, "room-"),
        content::SiteTier::Station => (INFO_SCREENS, "station-"),
        content::SiteTier::Centre => (INFO_SCREENS, ""),
    };
    // Every guide the site lists, each in the three variants (`info-guide-ID`), after the screens.
    let guides: Vec<String> = if info.tier == content::SiteTier::Room {
        Vec::new()
    } else {
        super::info::guides::visible_guides(&store.current(), info)
            .into_iter()
            .map(|g| g.id.clone())
            .filter(|id| id != "legal_aid")
            .collect()
    };
    for guide in &guides {
        for (suffix, language, elderly) in VARIANTS {
            shell.end_session();
            slint::platform::update_timers_and_animations();
            shell.window().window().take_snapshot()?;
            shell.go(Page::Guides);
            set_variant(&shell, language, elderly);
            slint::platform::update_timers_and_animations();
            shell.window().window().take_snapshot()?;
            shell
                .window()
                .global::<super::GuidesAdapter>()
                .invoke_open_guide(guide.as_str().into());
            let name = format!("{prefix}info-guide-{}{suffix}.png", guide.replace('_', "-"));
            let path = out_dir.join(name);
            capture(&shell, &path)?;
            written.push(path);
        }
    }
    for screen in screens {
        for (suffix, language, elderly) in VARIANTS {
            shell.end_session();
            // Draw home first, so the page is built afresh when it is opened.
            slint::platform::update_timers_and_animations();
            shell.window().window().take_snapshot()?;
            if screen.page != Page::Home {
                shell.go(screen.page);
            }
            set_variant(&shell, language, elderly);
            slint::platform::update_timers_and_animations();
            shell.window().window().take_snapshot()?;
            (screen.setup)(shell.window(), &pages);
            let path = out_dir.join(format!("{prefix}{}{suffix}.png", screen.name));
            capture(&shell, &path)?;
            written.push(path);
        }
    }
    shell.window().hide()?;
    drop(store);
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(written)
}

fn write_png(path: &Path, width: u32, height: u32, rgba: &[u8]) -> Result<(), ScreenshotError> {
    let write_err = |source| ScreenshotError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(write_err)?;
    }
    let file = std::fs::File::create(path).map_err(write_err)?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let encode_err = |source| ScreenshotError::Encode {
        path: path.to_owned(),
        source,
    };
    let mut writer = encoder.write_header().map_err(encode_err)?;
    writer.write_image_data(rgba).map_err(encode_err)?;
    writer.finish().map_err(encode_err)
}

/// A replied suggestion, as the centre's receipt lookup answers it (screenshots only).
fn sample_receipt() -> content::receipt::ReceiptStatus {
    use chrono::TimeZone as _;
    use content::receipt::{ReceiptKind, ReceiptState, ReceiptStatus};
    ReceiptStatus {
        code: "T-7K3M-9QXA".into(),
        kind: ReceiptKind::Suggestion,
        status: ReceiptState::Replied,
        status_zh: ReceiptState::Replied.zh().into(),
        status_en: ReceiptState::Replied.en().into(),
        received: chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).unwrap(),
        deadline: chrono::NaiveDate::from_ymd_opt(2026, 3, 23).unwrap(),
        reply: Some("感谢建议。等候区已增加十把座椅，并设老年人优先座。".into()),
    }
}
