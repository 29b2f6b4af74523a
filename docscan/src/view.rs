//! A borrowed RGBA picture ([`RgbaView`]) and its checked form that the algorithms read.

use crate::error::ScanError;

/// The largest width or height accepted (pixels). Document cameras top out near 4000 × 3000;
/// anything larger is refused with [`ScanError::TooLarge`] rather than tried.
pub const MAX_SIDE: u32 = 16_384;

/// A borrowed RGBA picture, 8 bits a channel, rows top to bottom.
///
/// Rows may be padded: row `y` starts at byte `y × stride`. Only `4 × width` bytes of the last
/// row need be present. Nothing is checked when the view is made; every function that reads
/// it checks it first and answers a short or inconsistent buffer with an error (or `None`),
/// never a panic. Alpha is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RgbaView<'a> {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes from the start of one row to the start of the next (at least `4 × width`).
    pub stride: usize,
    /// The pixels.
    pub rgba: &'a [u8],
}

impl<'a> RgbaView<'a> {
    /// A view with an explicit stride (not checked here).
    pub const fn new(width: u32, height: u32, stride: usize, rgba: &'a [u8]) -> Self {
        Self {
            width,
            height,
            stride,
            rgba,
        }
    }

    /// A view of tightly packed rows (stride = `4 × width`; not checked here).
    pub const fn packed(width: u32, height: u32, rgba: &'a [u8]) -> Self {
        Self::new(width, height, (width as usize).saturating_mul(4), rgba)
    }

    /// Checks that the sizes agree with the buffer.
    ///
    /// # Errors
    /// [`ScanError::Empty`], [`ScanError::TooLarge`], [`ScanError::BadStride`] or
    /// [`ScanError::ShortBuffer`].
    pub fn validate(&self) -> Result<(), ScanError> {
        self.checked().map(|_| ())
    }

    /// The checked form, which the algorithms index without further checks.
    pub(crate) fn checked(&self) -> Result<Checked<'a>, ScanError> {
        let (width, height) = (self.width, self.height);
        if width == 0 || height == 0 {
            return Err(ScanError::Empty { width, height });
        }
        if width > MAX_SIDE || height > MAX_SIDE {
            return Err(ScanError::TooLarge {
                width,
                height,
                max: MAX_SIDE,
            });
        }
        // Both sides are at most MAX_SIDE, so these products fit in u64 and in usize (≥ 32 bits
        // would not do for the buffer, but a buffer that large cannot exist there either).
        let row = u64::from(width) * 4;
        let stride = self.stride as u64;
        if stride < row {
            return Err(ScanError::BadStride {
                width,
                stride: self.stride,
                row,
            });
        }
        let needed = u128::from(stride) * u128::from(height - 1) + u128::from(row);
        if needed > self.rgba.len() as u128 {
            return Err(ScanError::ShortBuffer {
                width,
                height,
                stride: self.stride,
                needed: u64::try_from(needed).unwrap_or(u64::MAX),
                len: self.rgba.len(),
            });
        }
        Ok(Checked {
            width: width as usize,
            height: height as usize,
            stride: self.stride,
            rgba: self.rgba,
        })
    }
}

/// A picture whose sizes were checked against its buffer: every row `y < height` has
/// `4 × width` bytes at `y × stride`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Checked<'a> {
    pub(crate) width: usize,
    pub(crate) height: usize,
    stride: usize,
    rgba: &'a [u8],
}

impl<'a> Checked<'a> {
    /// A checked picture over an owned, packed buffer made by this crate.
    ///
    /// Returns `None` if the buffer does not hold `width × height` pixels.
    pub(crate) fn packed(width: usize, height: usize, rgba: &'a [u8]) -> Option<Self> {
        let needed = width.checked_mul(height)?.checked_mul(4)?;
        (width > 0 && height > 0 && rgba.len() >= needed).then_some(Self {
            width,
            height,
            stride: width * 4,
            rgba,
        })
    }

    /// Row `y` (clamped to the last row): exactly `4 × width` bytes.
    pub(crate) fn row(&self, y: usize) -> &'a [u8] {
        let y = y.min(self.height - 1);
        let start = y * self.stride;
        &self.rgba[start..start + self.width * 4]
    }

    /// Luma of pixel (x, y), both clamped into the picture.
    pub(crate) fn luma_at(&self, x: usize, y: usize) -> u8 {
        let x = x.min(self.width - 1);
        let p = &self.row(y)[x * 4..x * 4 + 3];
        luma(p[0], p[1], p[2])
    }

    /// Bilinear luma at a point in continuous coordinates (pixel `(i, j)` covers
    /// `[i, i + 1) × [j, j + 1)`), or `None` outside the pixel centres' hull.
    pub(crate) fn luma_bilinear(&self, x: f32, y: f32) -> Option<f32> {
        let (sx, sy) = (x - 0.5, y - 0.5);
        let max_x = (self.width - 1) as f32;
        let max_y = (self.height - 1) as f32;
        if !(sx >= 0.0 && sy >= 0.0 && sx <= max_x && sy <= max_y) {
            return None;
        }
        let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let l = |xx: usize, yy: usize| f32::from(self.luma_at(xx, yy));
        let top = l(x0, y0) * (1.0 - fx) + l(x0 + 1, y0) * fx;
        let bottom = l(x0, y0 + 1) * (1.0 - fx) + l(x0 + 1, y0 + 1) * fx;
        Some(top * (1.0 - fy) + bottom * fy)
    }
}

/// Luma (BT.601 weights, 8-bit fixed point) of an RGB triple.
#[inline]
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    // 77 + 150 + 29 = 256, so the result is at most 255.
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_bad_buffers_are_errors() {
        let buf = [0u8; 16];
        assert!(matches!(
            RgbaView::packed(0, 5, &buf).validate(),
            Err(ScanError::Empty { .. })
        ));
        assert!(matches!(
            RgbaView::new(2, 2, 7, &buf).validate(),
            Err(ScanError::BadStride { row: 8, .. })
        ));
        assert!(matches!(
            RgbaView::packed(3, 2, &buf).validate(),
            Err(ScanError::ShortBuffer {
                needed: 24,
                len: 16,
                ..
            })
        ));
        assert!(matches!(
            RgbaView::new(MAX_SIDE, MAX_SIDE, usize::MAX, &buf).validate(),
            Err(ScanError::ShortBuffer {
                needed: u64::MAX,
                ..
            })
        ));
        assert!(matches!(
            RgbaView::packed(MAX_SIDE + 1, 1, &buf).validate(),
            Err(ScanError::TooLarge { .. })
        ));
        // The last row need not be padded.
        assert!(RgbaView::new(2, 2, 12, &[0u8; 20]).validate().is_ok());
    }

    #[test]
    fn luma_spans_the_range() {
        assert_eq!(luma(0, 0, 0), 0);
        assert_eq!(luma(255, 255, 255), 255);
        let buf = [10, 10, 10, 255, 30, 30, 30, 255];
        let img = RgbaView::packed(2, 1, &buf).checked().unwrap();
        assert_eq!(img.luma_bilinear(1.0, 0.5), Some(20.0));
        assert_eq!(img.luma_bilinear(0.4, 0.5), None);
    }
}
