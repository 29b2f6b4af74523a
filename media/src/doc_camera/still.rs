//! An owned RGBA picture: what [`super::DocCamera::capture`] returns and what a
//! [`super::StillSource`] hands out.

use crate::Frame;

/// A picture in RGBA, 8 bits per channel, owned and tightly packed: `height` rows of `width * 4`
/// bytes, no padding.
#[derive(Clone, PartialEq, Eq)]
pub struct Still {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The pixels, row by row from the top, `width * height * 4` bytes.
    pub rgba: Vec<u8>,
}

impl std::fmt::Debug for Still {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Still")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &self.rgba.len())
            .finish()
    }
}

impl Still {
    /// A `width`×`height` picture filled with one colour.
    pub fn filled(width: u32, height: u32, rgba: [u8; 4]) -> Self {
        let pixels = width as usize * height as usize;
        Self {
            width,
            height,
            rgba: rgba.repeat(pixels),
        }
    }

    /// A copy of `frame` without its row padding. Rows missing from a short frame are left out (the
    /// height says how many were copied).
    pub fn from_frame(frame: &Frame<'_>) -> Self {
        let mut rgba = Vec::with_capacity(frame.width as usize * frame.height as usize * 4);
        let mut height = 0;
        for row in frame.rows() {
            rgba.extend_from_slice(row);
            height += 1;
        }
        Self {
            width: frame.width,
            height,
            rgba,
        }
    }

    /// The number of bytes a `width`×`height` picture has, if it can be counted.
    pub fn expected_len(width: u32, height: u32) -> Option<usize> {
        (width as usize)
            .checked_mul(height as usize)
            .and_then(|n| n.checked_mul(4))
    }

    /// Whether the pixels are as many as the size says, and the size is not empty.
    pub fn is_well_formed(&self) -> bool {
        self.width > 0
            && self.height > 0
            && Self::expected_len(self.width, self.height) == Some(self.rgba.len())
    }

    /// The pixel at column `x`, row `y`, if it is inside the picture.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let at = (y as usize * self.width as usize + x as usize) * 4;
        self.rgba.get(at..at + 4)?.try_into().ok()
    }

    /// Sets the pixels of the rectangle at (`x`, `y`) of `width`×`height` to `rgba`; the part outside
    /// the picture is left out.
    pub fn fill_rect(&mut self, x: u32, y: u32, width: u32, height: u32, rgba: [u8; 4]) {
        let x_end = x.saturating_add(width).min(self.width) as usize;
        let y_end = y.saturating_add(height).min(self.height) as usize;
        let stride = self.width as usize * 4;
        for row in (y as usize)..y_end {
            let start = row * stride + x as usize * 4;
            let end = row * stride + x_end * 4;
            if let Some(pixels) = self.rgba.get_mut(start..end) {
                for pixel in pixels.chunks_exact_mut(4) {
                    pixel.copy_from_slice(&rgba);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_padded_frame_is_copied_tightly_and_pixels_are_bounded() {
        let data: Vec<u8> = (0..40).collect();
        let frame = Frame {
            width: 2,
            height: 3,
            stride: 12,
            rgba: &data,
            pts: None,
        };
        let still = Still::from_frame(&frame);
        assert_eq!((still.width, still.height), (2, 3));
        assert_eq!(still.rgba.len(), 24);
        assert!(still.is_well_formed());
        assert_eq!(still.pixel(1, 1), Some([16, 17, 18, 19]));
        assert_eq!(still.pixel(2, 0), None);
        assert_eq!(still.pixel(0, 3), None);
    }

    #[test]
    fn rectangles_are_clipped_to_the_picture() {
        let mut still = Still::filled(4, 3, [0, 0, 0, 255]);
        still.fill_rect(2, 1, 10, 10, [255, 255, 255, 255]);
        assert_eq!(still.pixel(1, 1), Some([0, 0, 0, 255]));
        assert_eq!(still.pixel(3, 2), Some([255, 255, 255, 255]));
        assert_eq!(still.rgba.len(), 48);
        let short = Still {
            width: 4,
            height: 3,
            rgba: vec![0; 10],
        };
        assert!(!short.is_well_formed());
        assert!(!Still::filled(0, 3, [0; 4]).is_well_formed());
    }
}
