//! Where frames go: a real panel driver on the board, or PNG files in simulated mode.

use std::path::{Path, PathBuf};

use embedded_graphics::pixelcolor::{Rgb888, RgbColor};

use super::{MonoFrame, RgbFrame};

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
    /// Encoding the simulated panel's animation failed.
    #[error("cannot encode the LED panel animation: {0}")]
    Gif(#[from] gif::EncodingError),
    /// The panel's bus or pins failed (SPI, GPIO).
    #[error("LED panel: {0}")]
    Bus(String),
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
        Self {
            path: path.into(),
            scale: scale.max(2),
        }
    }

    /// The file the latest frame goes to.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The colour index of each output pixel of a dot-matrix picture of `frame`: 0 gap, 1 LED off, 2 LED on.
/// The dot-matrix picture of `frame`, `scale` output pixels per LED, as indices into [`DOT_PALETTE`].
pub fn dot_matrix(frame: &MonoFrame, scale: u32) -> Vec<u8> {
    let (w, h, s) = (frame.width(), frame.height(), scale);
    let mut out = Vec::with_capacity((w * s * h * s) as usize);
    for y in 0..h * s {
        for x in 0..w * s {
            // Leave a one-pixel gap between LEDs so the picture reads as a dot matrix.
            let gap = x % s == s - 1 || y % s == s - 1;
            out.push(if gap {
                0
            } else if frame.get(x / s, y / s) {
                2
            } else {
                1
            });
        }
    }
    out
}

/// Gap, LED off, LED on: red dots on black.
/// The colours of a dot-matrix picture: background, unlit LED, lit LED.
pub const DOT_PALETTE: [[u8; 3]; 3] = [[0, 0, 0], [0x30, 0x08, 0x08], [0xff, 0x20, 0x10]];

/// Writes `bytes` next to `path` and renames, so a viewer never sees half a file.
fn write_atomically(
    path: &Path,
    extension: &str,
    write: impl FnOnce(std::fs::File) -> Result<(), SinkError>,
) -> Result<(), SinkError> {
    let write_err = |source| SinkError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(write_err)?;
    }
    let tmp = path.with_extension(extension);
    write(std::fs::File::create(&tmp).map_err(write_err)?)?;
    std::fs::rename(&tmp, path).map_err(write_err)
}

/// Writes a PNG of `frame` as the panel looks (each LED a `scale`×`scale` dot).
pub fn write_png(frame: &MonoFrame, scale: u32, path: &Path) -> Result<(), SinkError> {
    let s = scale.max(2);
    let rgb: Vec<u8> = dot_matrix(frame, s)
        .into_iter()
        .flat_map(|i| DOT_PALETTE[usize::from(i)])
        .collect();
    write_atomically(path, "png.tmp", |file| {
        let mut encoder = png::Encoder::new(
            std::io::BufWriter::new(file),
            frame.width() * s,
            frame.height() * s,
        );
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&rgb)?;
        writer.finish()?;
        Ok(())
    })
}

/// Writes a PNG of a full-colour frame, each LED a `scale`×`scale` dot.
pub fn write_rgb_png(frame: &RgbFrame, scale: u32, path: &Path) -> Result<(), SinkError> {
    let s = scale.max(2);
    let (w, h) = (frame.width(), frame.height());
    let mut rgb = Vec::with_capacity((w * s * h * s * 3) as usize);
    for y in 0..h * s {
        for x in 0..w * s {
            let gap = x % s == s - 1 || y % s == s - 1;
            let c = if gap {
                Rgb888::BLACK
            } else {
                frame.get(x / s, y / s)
            };
            rgb.extend([c.r(), c.g(), c.b()]);
        }
    }
    write_atomically(path, "png.tmp", |file| {
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w * s, h * s);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&rgb)?;
        writer.finish()?;
        Ok(())
    })
}

impl LedSink for PngSink {
    fn show(&mut self, frame: &MonoFrame) -> Result<(), SinkError> {
        write_png(frame, self.scale, &self.path)
    }
}

/// The simulated panel as an animation: collects frames and writes an animated GIF on [`GifSink::finish`].
#[derive(Debug)]
pub struct GifSink {
    path: PathBuf,
    scale: u32,
    delay_cs: u16,
    frames: Vec<(MonoFrame, u16)>,
}

impl GifSink {
    /// A sink that writes `path`, each LED a `scale`×`scale` dot, each frame shown `frame_time` (rounded
    /// to 1/100 s, the GIF unit).
    pub fn new(path: impl Into<PathBuf>, scale: u32, frame_time: std::time::Duration) -> Self {
        let delay_cs = u16::try_from(frame_time.as_millis().div_ceil(10))
            .unwrap_or(u16::MAX)
            .max(2);
        Self {
            path: path.into(),
            scale: scale.max(2),
            delay_cs,
            frames: Vec::new(),
        }
    }

    /// Frames collected so far (identical consecutive frames are merged).
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether no frame was shown yet.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Writes the animation (looping forever).
    pub fn finish(self) -> Result<PathBuf, SinkError> {
        let Some((first, _)) = self.frames.first() else {
            return Err(SinkError::Bus("no frame to write".into()));
        };
        let s = self.scale;
        let (w, h) = (first.width() * s, first.height() * s);
        let (Ok(gw), Ok(gh)) = (u16::try_from(w), u16::try_from(h)) else {
            return Err(SinkError::Bus(format!(
                "{w}x{h} is too large for a GIF; use a smaller scale"
            )));
        };
        let palette: Vec<u8> = DOT_PALETTE.iter().flatten().copied().collect();
        write_atomically(&self.path, "gif.tmp", |file| {
            let mut encoder = gif::Encoder::new(std::io::BufWriter::new(file), gw, gh, &palette)?;
            encoder.set_repeat(gif::Repeat::Infinite)?;
            for (frame, delay) in &self.frames {
                let mut out = gif::Frame::from_indexed_pixels(gw, gh, dot_matrix(frame, s), None);
                out.delay = *delay;
                encoder.write_frame(&out)?;
            }
            Ok(())
        })?;
        Ok(self.path)
    }
}

impl LedSink for GifSink {
    fn show(&mut self, frame: &MonoFrame) -> Result<(), SinkError> {
        match self.frames.last_mut() {
            Some((last, delay)) if last == frame => *delay = delay.saturating_add(self.delay_cs),
            _ => self.frames.push((frame.clone(), self.delay_cs)),
        }
        Ok(())
    }
}
