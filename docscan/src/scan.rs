//! The whole pipeline: one captured still in, one clean JPEG page out.

use crate::detect::detect_checked;
use crate::encode::encode_packed;
use crate::error::ScanError;
use crate::geometry::Quad;
use crate::quality;
use crate::tone;
use crate::view::RgbaView;
use crate::warp::{Inset, warp};

/// The narrowest page [`ScanSettings::target_width`] gives (pixels).
pub const MIN_TARGET_WIDTH: u32 = 32;
/// The widest page [`ScanSettings::target_width`] gives: A4 at 300 dpi (pixels).
pub const MAX_TARGET_WIDTH: u32 = 2480;
/// The page's height is kept within this factor of its width (and the width within this
/// factor of the height); a stranger shape is squeezed.
pub const MAX_PAGE_ASPECT: f32 = 4.0;

/// How to turn a capture into a page. Out-of-range values are clamped, never refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanSettings {
    /// Brightness, −50..=50 percent (0: unchanged). A gamma on the greys: the paper stays
    /// white and the ink stays black, faint writing gets darker (negative) or a dim page
    /// lighter (positive).
    pub brightness: i8,
    /// Width of the page in pixels, [`MIN_TARGET_WIDTH`]..=[`MAX_TARGET_WIDTH`]; the height
    /// follows the sheet's shape. Default 1240: A4 at 150 dpi.
    pub target_width: u32,
    /// JPEG quality, 1..=100. Default 75.
    pub jpeg_quality: u8,
    /// Keep colour (a red seal, a coloured form); `false` gives a smaller greyscale JPEG.
    pub colour: bool,
    /// Even out the lighting and turn the paper white (default). The paper's sensor noise
    /// becomes flat white, which halves the JPEG; `false` keeps the paper's own tone (a
    /// coloured certificate, a photograph) and only stretches the contrast mildly.
    pub whiten: bool,
}

impl Default for ScanSettings {
    fn default() -> Self {
        Self {
            brightness: 0,
            target_width: 1240,
            jpeg_quality: 75,
            colour: true,
            whiten: true,
        }
    }
}

/// A clean page.
#[derive(Debug, Clone, PartialEq)]
pub struct ScannedPage {
    /// The page as a JPEG file.
    pub jpeg: Vec<u8>,
    /// Width of the page in pixels.
    pub width: u32,
    /// Height of the page in pixels.
    pub height: u32,
    /// Where the sheet was found in the capture, or `None` when no sheet stood out from the
    /// desk and the whole frame was kept (see [`ScannedPage::cropped`]).
    pub corners: Option<Quad>,
    /// How far the sheet was turned, in degrees (positive: clockwise on screen); 0 when
    /// uncropped.
    pub skew_degrees: f32,
    /// Mean luma (0–255) of the finished page.
    pub mean_luma: u8,
}

impl ScannedPage {
    /// Whether the sheet was found and cropped (`false`: the whole frame was kept, e.g. when
    /// the sheet fills it).
    pub fn cropped(&self) -> bool {
        self.corners.is_some()
    }
}

/// Turns one captured still into a clean page.
///
/// Finds the sheet ([`detect_page`](crate::detect_page), corners refined at full
/// resolution), maps it onto an upright page whose shape follows the sheet's (an A4 sheet ≈
/// 1 : 1.414, an ID card ≈ 1.58 : 1) with a small margin trimmed so that no desk shows, refuses
/// a black or blank page, stretches the contrast mildly, applies the brightness, and
/// compresses to JPEG. When no sheet is found the whole frame is used, uncropped.
///
/// # Errors
/// The picture's size errors (see [`RgbaView::validate`]), [`ScanError::Black`],
/// [`ScanError::Blank`] and [`ScanError::Encode`].
pub fn scan(view: &RgbaView<'_>, settings: &ScanSettings) -> Result<ScannedPage, ScanError> {
    let img = view.checked()?;
    let corners = detect_checked(&img);
    let (quad, inset) = match &corners {
        Some(q) => {
            let (qw, qh) = q.size();
            // Trim 2 pixels plus 0.4 % of the sheet's longer side from the shorter sides, and
            // the same share of the longer sides, so the page keeps the sheet's shape: the
            // edge pixels mix paper and desk, and real sheets are not perfectly straight.
            let trim = (2.0 + 0.004 * qw.max(qh)) / qw.min(qh);
            let share = trim.min(0.2);
            (*q, Inset { u: share, v: share })
        }
        None => (
            Quad::frame(img.width as f32, img.height as f32),
            Inset { u: 0.0, v: 0.0 },
        ),
    };
    let (width, height) = page_size(&quad, inset, settings.target_width);
    let mut page = warp(&img, &quad, inset, width, height).ok_or(ScanError::Empty {
        width: view.width,
        height: view.height,
    })?;
    let hist = quality::histogram(&page);
    quality::check(&page, &hist)?;
    let hist = if settings.whiten {
        tone::even_light(&mut page);
        quality::histogram(&page)
    } else {
        hist
    };
    let lut = tone::tone_curve(&hist, settings.brightness, settings.whiten);
    let (pixels, out_hist) = tone::apply(page.rgb, &lut, settings.colour, settings.whiten);
    let jpeg = encode_packed(
        &pixels,
        page.width,
        page.height,
        settings.colour,
        settings.jpeg_quality,
    )?;
    Ok(ScannedPage {
        jpeg,
        width: page.width as u32,
        height: page.height as u32,
        skew_degrees: corners.as_ref().map_or(0.0, Quad::skew_degrees),
        corners,
        mean_luma: quality::mean(&out_hist),
    })
}

/// The page's pixel size: the target width, and the height that keeps the trimmed sheet's
/// shape (within [`MAX_PAGE_ASPECT`]).
fn page_size(quad: &Quad, inset: Inset, target_width: u32) -> (usize, usize) {
    let width = target_width.clamp(MIN_TARGET_WIDTH, MAX_TARGET_WIDTH) as f32;
    let (qw, qh) = quad.size();
    let (kept_w, kept_h) = (qw * (1.0 - 2.0 * inset.u), qh * (1.0 - 2.0 * inset.v));
    let aspect = if kept_w > 0.0 && kept_h > 0.0 {
        (kept_h / kept_w).clamp(1.0 / MAX_PAGE_ASPECT, MAX_PAGE_ASPECT)
    } else {
        1.0
    };
    let height = (width * aspect).round().max(1.0);
    (width as usize, height as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_sheet_and_stay_bounded() {
        let a4 = Quad::frame(210.0, 297.0);
        let none = Inset { u: 0.0, v: 0.0 };
        assert_eq!(page_size(&a4, none, 1240), (1240, 1754));
        assert_eq!(page_size(&a4, none, 0), (32, 45));
        assert_eq!(page_size(&Quad::frame(1.0, 1000.0), none, 100), (100, 400));
        assert_eq!(page_size(&Quad::frame(0.0, 0.0), none, 100), (100, 100));
    }
}
