//! A one-bit framebuffer the size of the panel (single-colour P10/HUB12 modules, MAX7219 chains).

use embedded_graphics::{pixelcolor::BinaryColor, prelude::*};

/// A single-colour panel's pixels, row-major, `true` = LED on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonoFrame {
    width: u32,
    height: u32,
    pixels: Vec<bool>,
}

impl MonoFrame {
    /// A dark frame of `width` × `height` LEDs.
    pub fn new(width: u32, height: u32) -> Self {
        Self { width, height, pixels: vec![false; (width * height) as usize] }
    }

    /// Width in LEDs.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in LEDs.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Whether the LED at (x, y) is on; `false` outside the panel.
    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.pixels[(y * self.width + x) as usize]
    }

    /// Turns every LED off.
    pub fn clear_all(&mut self) {
        self.pixels.fill(false);
    }

    /// How many LEDs are on.
    pub fn lit(&self) -> usize {
        self.pixels.iter().filter(|&&on| on).count()
    }

    /// The frame as text, `#` for on and `.` for off, one line per row (for snapshots and logs).
    pub fn to_ascii(&self) -> String {
        let mut out = String::with_capacity(((self.width + 1) * self.height) as usize);
        for y in 0..self.height {
            for x in 0..self.width {
                out.push(if self.get(x, y) { '#' } else { '.' });
            }
            out.push('\n');
        }
        out
    }
}

impl OriginDimensions for MonoFrame {
    fn size(&self) -> Size {
        Size::new(self.width, self.height)
    }
}

impl DrawTarget for MonoFrame {
    type Color = BinaryColor;
    type Error = core::convert::Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(point, color) in pixels {
            if let (Ok(x), Ok(y)) = (u32::try_from(point.x), u32::try_from(point.y))
                && x < self.width
                && y < self.height
            {
                self.pixels[(y * self.width + x) as usize] = color.is_on();
            }
        }
        Ok(())
    }
}
