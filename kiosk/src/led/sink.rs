//! Where frames go: a real panel driver on the board, or PNG files in simulated mode.

use std::path::{Path, PathBuf};

use super::MonoFrame;

/// Why a frame could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// Writing the simulated panel's image failed.
    #[error("cannot write the LED panel image {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Encoding the simulated panel's image failed.
    #[error("cannot encode the LED panel image: {0}")]
    Encode(#[from] png::EncodingError),
}

/// A panel that can show frames.
pub trait LedSink: Send {
    /// Shows one frame.
    fn show(&mut self, frame: &MonoFrame) -> Result<(), SinkError>;
}

/// The simulated panel: writes each frame as a PNG that looks like the LEDs (red dots on black).
#[derive(Debug)]
pub struct PngSink {
    path: PathBuf,
    scale: u32,
}

impl PngSink {
    /// A sink that keeps the latest frame in `path`, each LED drawn as a `scale`×`scale` dot.
    pub fn new(path: impl Into<PathBuf>, scale: u32) -> Self {
        Self { path: path.into(), scale: scale.max(2) }
    }

    /// The file the latest frame goes to.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl LedSink for PngSink {
    fn show(&mut self, frame: &MonoFrame) -> Result<(), SinkError> {
        let write_err = |source| SinkError::Write { path: self.path.clone(), source };
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent).map_err(write_err)?;
        }
        let (w, h, s) = (frame.width(), frame.height(), self.scale);
        let mut rgb = vec![0u8; (w * s * h * s * 3) as usize];
        for y in 0..h * s {
            for x in 0..w * s {
                // Leave a one-pixel gap between LEDs so the picture reads as a dot matrix.
                let gap = x % s == s - 1 || y % s == s - 1;
                let on = !gap && frame.get(x / s, y / s);
                let i = ((y * w * s + x) * 3) as usize;
                rgb[i..i + 3].copy_from_slice(if on { &[0xff, 0x20, 0x10] } else if gap { &[0, 0, 0] } else { &[0x30, 0x08, 0x08] });
            }
        }
        // Write next to the target and rename, so a viewer never sees half a frame.
        let tmp = self.path.with_extension("png.tmp");
        let file = std::fs::File::create(&tmp).map_err(write_err)?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w * s, h * s);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&rgb)?;
        writer.finish()?;
        std::fs::rename(&tmp, &self.path).map_err(write_err)
    }
}
