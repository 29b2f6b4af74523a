//! The document camera (高拍仪) slot: `[applications] camera_kind` chooses a simulated desk (the
//! default), a V4L2 camera, or none. The camera is opened only while the citizen is on the capture
//! screen and dropped when they leave it, which releases the device.
//!
//! The simulated desk renders, at 1600×1200 and ten frames a second, a test page of the paper being
//! taken (an ID card for 居民身份证, an A4 page with the paper's name otherwise), turned a few degrees
//! as a real sheet would be, through the same GStreamer pipeline and page processing as a real camera.
//! It can be unplugged or covered, for the tests of a camera that disappears or a black page.

use std::sync::{
    Arc, Mutex, PoisonError,
    atomic::{AtomicBool, AtomicU64, Ordering},
};

use docscan::sim::{SimFont, SimPage, SimulatedDesk};
use media::{
    FrameSink, MediaError,
    doc_camera::{DocCamera, DocCameraSettings, DocCameraSource, Still, StillSource},
};

use crate::config::{ApplicationsConfig, DocCameraKind};

/// The simulated desk's resolution.
const SIM_WIDTH: u32 = 1600;
const SIM_HEIGHT: u32 = 1200;

/// A simulated document camera: what lies on the desk is set by [`Self::show`].
pub struct SimulatedDeskCamera {
    desk: Mutex<SimulatedDesk>,
    page: Mutex<Option<SimPage>>,
    unplugged: AtomicBool,
    frame: AtomicU64,
}

impl std::fmt::Debug for SimulatedDeskCamera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatedDeskCamera")
            .field("unplugged", &self.unplugged.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl SimulatedDeskCamera {
    /// An empty desk; the headings are drawn in the bundled Noto Sans SC (the ticket printer's copy).
    pub fn new() -> Self {
        let mut desk = SimulatedDesk::new(SIM_WIDTH, SIM_HEIGHT, 7);
        if let Ok(font) = SimFont::from_static(ticket_printer::font::bundled_font_bytes()) {
            desk = desk.with_font(font);
        }
        Self {
            desk: Mutex::new(desk),
            page: Mutex::new(None),
            unplugged: AtomicBool::new(false),
            frame: AtomicU64::new(0),
        }
    }

    /// Puts `page` on the desk (none: an empty desk).
    pub fn show(&self, page: Option<SimPage>) {
        *self.page.lock().unwrap_or_else(PoisonError::into_inner) = page;
    }

    /// The paper a citizen would place for `label`: an ID card for 身份证, an A4 page otherwise, turned
    /// by `angle` degrees.
    pub fn show_paper(&self, label: &str, angle: f32) {
        let page = if label.contains("身份证") {
            SimPage::id_card("居民身份证")
        } else {
            SimPage::document(label.split('（').next().unwrap_or(label))
        };
        self.show(Some(page.turned(angle)));
    }

    /// Unplugs (true) or plugs the camera back: unplugged, it gives no picture and is lost.
    pub fn set_unplugged(&self, unplugged: bool) {
        self.unplugged.store(unplugged, Ordering::SeqCst);
    }
}

impl Default for SimulatedDeskCamera {
    fn default() -> Self {
        Self::new()
    }
}

impl StillSource for SimulatedDeskCamera {
    fn frame(&self) -> Option<Still> {
        if self.unplugged.load(Ordering::SeqCst) {
            return None;
        }
        let n = self.frame.fetch_add(1, Ordering::Relaxed);
        let page = self
            .page
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut desk = self.desk.lock().unwrap_or_else(PoisonError::into_inner);
        let frame = match &page {
            Some(page) => desk.render(page, n),
            None => desk.render_empty(n),
        };
        Some(Still {
            width: frame.width,
            height: frame.height,
            rgba: frame.rgba,
        })
    }
}

/// The document camera chosen by the configuration.
#[derive(Debug, Clone)]
pub enum DocCameraSlot {
    /// The simulated desk.
    Simulated(Arc<SimulatedDeskCamera>),
    /// A V4L2 camera.
    Device {
        /// The device.
        device: String,
        /// The resolution asked for.
        width: u32,
        /// The resolution asked for.
        height: u32,
        /// Motion JPEG.
        mjpeg: bool,
    },
    /// No camera.
    None,
}

impl DocCameraSlot {
    /// The slot of `[applications]`.
    pub fn from_config(config: &ApplicationsConfig) -> Self {
        match config.camera_kind {
            DocCameraKind::Sim => Self::Simulated(Arc::new(SimulatedDeskCamera::new())),
            DocCameraKind::V4l2 => Self::Device {
                device: config.camera.clone(),
                width: config.camera_width,
                height: config.camera_height,
                mjpeg: config.camera_mjpeg,
            },
            DocCameraKind::None => Self::None,
        }
    }

    /// Whether a camera is configured.
    pub fn is_present(&self) -> bool {
        !matches!(self, Self::None)
    }

    /// The simulated desk, when simulated.
    pub fn simulator(&self) -> Option<&Arc<SimulatedDeskCamera>> {
        match self {
            Self::Simulated(sim) => Some(sim),
            _ => None,
        }
    }

    /// Opens the camera, its preview going to `preview` at 800×600.
    pub fn open(&self, preview: Arc<dyn FrameSink>) -> Result<DocCamera, MediaError> {
        let source = match self {
            Self::Simulated(sim) => {
                DocCameraSource::simulated(Arc::clone(sim) as Arc<dyn StillSource>)
            }
            Self::Device {
                device,
                width,
                height,
                mjpeg,
            } => DocCameraSource::Device {
                device: device.into(),
                width: *width,
                height: *height,
                mjpeg: *mjpeg,
            },
            Self::None => {
                return Err(MediaError::CameraUnavailable {
                    device: "none".into(),
                    reason: "no document camera is configured".into(),
                });
            }
        };
        DocCamera::open(&DocCameraSettings::new(source), preview)
    }
}
