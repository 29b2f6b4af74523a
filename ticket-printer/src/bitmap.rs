//! One-bit images: what a thermal head prints. Used for raster commands (`GS v 0`), the
//! rare-character fallback, raster QR codes, logos and the virtual printer's page.

use crate::error::EncodeError;

/// A black-and-white image, one byte per dot (0 = white, 1 = black).
#[derive(Clone, PartialEq, Eq)]
pub struct Bitmap {
    width: usize,
    height: usize,
    dots: Vec<u8>,
}

impl std::fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Bitmap({}x{}, {} black)",
            self.width,
            self.height,
            self.count_black()
        )
    }
}

impl Bitmap {
    /// A white image.
    pub fn new(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            dots: vec![0; width * height],
        }
    }

    /// Width in dots.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in dots.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Whether the dot at (x, y) is black; outside the image is white.
    pub fn get(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.dots[y * self.width + x] != 0
    }

    /// Sets a dot; writes outside the image are ignored.
    pub fn set(&mut self, x: usize, y: usize, black: bool) {
        if x < self.width && y < self.height {
            self.dots[y * self.width + x] = u8::from(black);
        }
    }

    /// Fills a rectangle with black (clipped to the image).
    pub fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                self.dots[yy * self.width + xx] = 1;
            }
        }
    }

    /// Number of black dots.
    pub fn count_black(&self) -> usize {
        self.dots.iter().filter(|&&d| d != 0).count()
    }

    /// Number of black dots inside a rectangle.
    pub fn count_black_in(&self, x: usize, y: usize, w: usize, h: usize) -> usize {
        let mut n = 0;
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                n += usize::from(self.dots[yy * self.width + xx] != 0);
            }
        }
        n
    }

    /// Grows the image downwards to at least `height` rows (new rows are white).
    pub fn grow_to(&mut self, height: usize) {
        if height > self.height {
            self.dots.resize(self.width * height, 0);
            self.height = height;
        }
    }

    /// Draws `other` with its top-left corner at (x, y), OR-ing black dots (clipped).
    pub fn blit(&mut self, other: &Self, x: usize, y: usize) {
        for oy in 0..other.height {
            for ox in 0..other.width {
                if other.dots[oy * other.width + ox] != 0 {
                    self.set(x + ox, y + oy, true);
                }
            }
        }
    }

    /// Packs the image into `GS v 0` raster data: rows of `ceil(width / 8)` bytes, MSB first.
    pub fn to_raster_bytes(&self) -> Vec<u8> {
        let row_bytes = self.width.div_ceil(8);
        let mut out = vec![0u8; row_bytes * self.height];
        for y in 0..self.height {
            for x in 0..self.width {
                if self.dots[y * self.width + x] != 0 {
                    out[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        out
    }

    /// Unpacks `GS v 0` raster data (`row_bytes` bytes per row). Missing bytes are white.
    pub fn from_raster_bytes(row_bytes: usize, height: usize, data: &[u8]) -> Self {
        let mut bitmap = Self::new(row_bytes * 8, height);
        for (i, byte) in data.iter().take(row_bytes * height).enumerate() {
            let (y, xb) = (i / row_bytes, i % row_bytes);
            for bit in 0..8 {
                if byte & (0x80 >> bit) != 0 {
                    bitmap.dots[y * bitmap.width + xb * 8 + bit] = 1;
                }
            }
        }
        bitmap
    }

    /// The complete `GS v 0` command (normal density) printing this image.
    pub fn to_gs_v0(&self) -> Result<Vec<u8>, EncodeError> {
        let row_bytes = self.width.div_ceil(8);
        let too_large = || EncodeError::ImageTooLarge {
            width: self.width,
            height: self.height,
        };
        let x = u16::try_from(row_bytes).map_err(|_| too_large())?;
        let y = u16::try_from(self.height).map_err(|_| too_large())?;
        let mut out = Vec::with_capacity(8 + row_bytes * self.height);
        out.extend_from_slice(&[0x1D, 0x76, 0x30, 0x00]);
        out.extend_from_slice(&x.to_le_bytes());
        out.extend_from_slice(&y.to_le_bytes());
        out.extend_from_slice(&self.to_raster_bytes());
        Ok(out)
    }

    /// Scales by an integer factor in each direction (character size multipliers).
    pub fn scaled(&self, sx: usize, sy: usize) -> Self {
        let (sx, sy) = (sx.max(1), sy.max(1));
        let mut out = Self::new(self.width * sx, self.height * sy);
        for y in 0..out.height {
            for x in 0..out.width {
                out.dots[y * out.width + x] = self.dots[(y / sy) * self.width + x / sx];
            }
        }
        out
    }

    /// Encodes as an 8-bit greyscale PNG (black dots on white paper).
    pub fn to_png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let grey: Vec<u8> = self
            .dots
            .iter()
            .map(|&d| if d != 0 { 0 } else { 255 })
            .collect();
        // Writing into a Vec cannot fail for a well-formed header.
        if let Ok(mut writer) = encoder.write_header() {
            let _ = writer.write_image_data(&grey);
        }
        out
    }

    /// Decodes a PNG written by [`Bitmap::to_png`] (any colour type; dark pixels are black).
    pub fn from_png(bytes: &[u8]) -> Option<Self> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().ok()?;
        let mut buf = vec![0; reader.output_buffer_size()?];
        let info = reader.next_frame(&mut buf).ok()?;
        let channels = info.color_type.samples();
        let (w, h) = (info.width as usize, info.height as usize);
        let mut bitmap = Self::new(w, h);
        for y in 0..h {
            for x in 0..w {
                let i = (y * w + x) * channels;
                bitmap.dots[y * w + x] = u8::from(buf[i] < 128);
            }
        }
        Some(bitmap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raster_bytes_round_trip_and_pack_msb_first() {
        let mut b = Bitmap::new(10, 2);
        b.set(0, 0, true);
        b.set(9, 1, true);
        let bytes = b.to_raster_bytes();
        assert_eq!(bytes, [0x80, 0x00, 0x00, 0x40]);
        let back = Bitmap::from_raster_bytes(2, 2, &bytes);
        assert!(back.get(0, 0) && back.get(9, 1));
        assert_eq!(back.count_black(), 2);
        let cmd = b.to_gs_v0().unwrap();
        assert_eq!(&cmd[..8], &[0x1D, 0x76, 0x30, 0x00, 2, 0, 2, 0]);
    }

    #[test]
    fn png_round_trip() {
        let mut b = Bitmap::new(5, 3);
        b.fill_rect(1, 1, 3, 1);
        assert_eq!(Bitmap::from_png(&b.to_png()).unwrap(), b);
    }
}
