//! A one-bit framebuffer the size of the panel (single-colour P10/HUB12 modules, MAX7219 chains).

use embedded_graphics::{
    pixelcolor::{BinaryColor, Rgb888},
    prelude::*,
};

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
        Self {
            width,
            height,
            pixels: vec![false; (width * height) as usize],
        }
    }

    /// Width in LEDs.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in LEDs.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// A frame from [`MonoFrame::to_ascii`] text (`#` on, anything else off); short lines are padded
    /// with dark LEDs, so any text gives a frame.
    pub fn from_ascii(text: &str) -> Self {
        let rows: Vec<&str> = text.lines().collect();
        let width = rows.iter().map(|r| r.chars().count()).max().unwrap_or(0);
        let mut frame = Self::new(
            u32::try_from(width).unwrap_or(u32::MAX),
            u32::try_from(rows.len()).unwrap_or(u32::MAX),
        );
        for (y, row) in rows.iter().enumerate() {
            for (x, c) in row.chars().enumerate() {
                frame.pixels[y * width + x] = c == '#';
            }
        }
        frame
    }

    /// Turns the LED at (x, y) on or off; ignored outside the panel.
    pub fn set(&mut self, x: u32, y: u32, on: bool) {
        if x < self.width && y < self.height {
            self.pixels[(y * self.width + x) as usize] = on;
        }
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

/// A full-colour panel's pixels (HUB75 boards, the simulated panel in colour), row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbFrame {
    width: u32,
    height: u32,
    pixels: Vec<Rgb888>,
}

impl RgbFrame {
    /// A dark frame of `width` × `height` LEDs.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            pixels: vec![Rgb888::BLACK; (width * height) as usize],
        }
    }

    /// Width in LEDs.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in LEDs.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The colour at (x, y); black outside the panel.
    pub fn get(&self, x: u32, y: u32) -> Rgb888 {
        if x < self.width && y < self.height {
            self.pixels[(y * self.width + x) as usize]
        } else {
            Rgb888::BLACK
        }
    }

    /// Sets every LED to black.
    pub fn clear_all(&mut self) {
        self.pixels.fill(Rgb888::BLACK);
    }
}

impl OriginDimensions for RgbFrame {
    fn size(&self) -> Size {
        Size::new(self.width, self.height)
    }
}

impl DrawTarget for RgbFrame {
    type Color = Rgb888;
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
                self.pixels[(y * self.width + x) as usize] = color;
            }
        }
        Ok(())
    }
}
