//! What a document camera is made of: where its pictures come from (a V4L2 device or a simulated
//! source), the size of the live preview, and how long a silent camera is waited for.

use std::{path::PathBuf, sync::Arc, time::Duration};

use super::source::StillSource;

/// The smallest and largest picture side accepted, in pixels (sizes outside are clamped).
const SIDE: std::ops::RangeInclusive<u32> = 16..=8192;

/// Where the document camera's pictures come from.
#[derive(Clone)]
pub enum DocCameraSource {
    /// A UVC camera seen as V4L2 (`v4l2src`).
    Device {
        /// The device node, e.g. `/dev/video0`.
        device: PathBuf,
        /// Width asked of the camera, in pixels (clamped to 16–8192).
        width: u32,
        /// Height asked of the camera, in pixels (clamped to 16–8192).
        height: u32,
        /// Ask for Motion JPEG (decoded by `jpegdec`): UVC cameras give their high resolutions at
        /// usable rates only that way. `false`: raw pictures (YUY2 and the like).
        mjpeg: bool,
    },
    /// Pictures handed out by a [`StillSource`] (the kiosk's simulated desk, tests, benchmarks),
    /// pushed into the pipeline by a thread of the camera's own.
    Simulated {
        /// Gives the pictures.
        frames: Arc<dyn StillSource>,
        /// Pictures asked of `frames` per second (clamped to 1–60).
        fps: u32,
    },
}

impl std::fmt::Debug for DocCameraSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Device {
                device,
                width,
                height,
                mjpeg,
            } => f
                .debug_struct("Device")
                .field("device", device)
                .field("width", width)
                .field("height", height)
                .field("mjpeg", mjpeg)
                .finish(),
            Self::Simulated { fps, .. } => f
                .debug_struct("Simulated")
                .field("fps", fps)
                .finish_non_exhaustive(),
        }
    }
}

impl DocCameraSource {
    /// The V4L2 camera at `device` asked for 2592×1944 (5 megapixels, the usual document camera) in
    /// Motion JPEG.
    pub fn device(device: impl Into<PathBuf>) -> Self {
        Self::Device {
            device: device.into(),
            width: 2592,
            height: 1944,
            mjpeg: true,
        }
    }

    /// Pictures from `frames`, 10 per second.
    pub fn simulated(frames: Arc<dyn StillSource>) -> Self {
        Self::Simulated { frames, fps: 10 }
    }

    /// How errors name this source: the device path, or `simulated document camera`.
    pub(super) fn label(&self) -> String {
        match self {
            Self::Device { device, .. } => device.display().to_string(),
            Self::Simulated { .. } => "simulated document camera".to_owned(),
        }
    }
}

/// Everything a document camera needs.
#[derive(Debug, Clone)]
pub struct DocCameraSettings {
    /// Where the pictures come from.
    pub source: DocCameraSource,
    /// Width of the preview pictures handed to the preview sink, in pixels (clamped to 16–8192). The
    /// camera's picture is scaled to fit, keeping its proportions, with black bars if they differ.
    pub preview_width: u32,
    /// Height of the preview pictures, in pixels (clamped to 16–8192).
    pub preview_height: u32,
    /// A camera that gives no picture for this long (or none this long after opening) is lost
    /// ([`super::DocCameraEvent::Lost`]): a UVC camera short of USB bandwidth opens and stays silent.
    pub stall_after: Duration,
}

impl DocCameraSettings {
    /// `source` with an 800×600 preview and a camera lost after 5 s without a picture.
    pub fn new(source: DocCameraSource) -> Self {
        Self {
            source,
            preview_width: 800,
            preview_height: 600,
            stall_after: Duration::from_secs(5),
        }
    }

    /// The preview's size, clamped.
    pub(super) fn preview_size(&self) -> (u32, u32) {
        (side(self.preview_width), side(self.preview_height))
    }
}

/// `value` clamped to the accepted picture sides.
pub(super) fn side(value: u32) -> u32 {
    value.clamp(*SIDE.start(), *SIDE.end())
}

/// Frames per second of a simulated source, clamped.
pub(super) fn fps(value: u32) -> u32 {
    value.clamp(1, 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_rates_are_bounded() {
        assert_eq!(side(0), 16);
        assert_eq!(side(100_000), 8192);
        assert_eq!(side(1600), 1600);
        assert_eq!(fps(0), 1);
        assert_eq!(fps(1000), 60);
        let settings = DocCameraSettings {
            preview_width: 0,
            preview_height: u32::MAX,
            ..DocCameraSettings::new(DocCameraSource::device("/dev/video0"))
        };
        assert_eq!(settings.preview_size(), (16, 8192));
        assert_eq!(settings.source.label(), "/dev/video0");
    }
}
