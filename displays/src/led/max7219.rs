//! MAX7219 8×8 LED matrix chains (FC-16 "4-in-1" modules and the like) over SPI.
//!
//! The encoder is pure: frames in, SPI transactions out (one `Vec<u8>` per CS-low…CS-high transaction of
//! 2 bytes per device, `[register, data]`). Words shifted first land in the device farthest from the board,
//! so each transaction lists the farthest device first and device 0 (nearest DIN) last. The driver
//! [`Max7219`] sends them through any embedded-hal 1.0 [`SpiDevice`] (which raises CS after each
//! transaction, latching the words).
//!
//! Layout: device `d` of the chain shows frame columns `8d..8d+8` (device 0, nearest the board, on the
//! left), rows 0..8; `reverse_chain` puts device 0 on the right. Within a module, digit register `r+1` holds
//! row `r` with bit 7 the leftmost LED; `rotate` and `flip_x` adapt boards that are wired differently.

use embedded_hal::spi::SpiDevice;

use super::{LedSink, MonoFrame, SinkError};

/// MAX7219 registers.
pub mod reg {
    /// No-op (fills the words of devices not addressed).
    pub const NOOP: u8 = 0x00;
    /// Digit 0 (matrix row 0); rows 1..7 follow at 0x02..0x08.
    pub const DIGIT0: u8 = 0x01;
    /// Decode mode.
    pub const DECODE_MODE: u8 = 0x09;
    /// Intensity 0..15.
    pub const INTENSITY: u8 = 0x0A;
    /// Scan limit.
    pub const SCAN_LIMIT: u8 = 0x0B;
    /// Shutdown (0 = shut down, 1 = normal operation).
    pub const SHUTDOWN: u8 = 0x0C;
    /// Display test.
    pub const DISPLAY_TEST: u8 = 0x0F;
}

/// Module rotation, clockwise; in the config file `rotate = 0 | 90 | 180 | 270`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "u16")]
pub enum Rotation {
    /// As wired: row `r` = digit register `r + 1`.
    #[default]
    R0,
    /// 90° clockwise.
    R90,
    /// 180°.
    R180,
    /// 270° clockwise.
    R270,
}

impl TryFrom<u16> for Rotation {
    type Error = String;

    fn try_from(degrees: u16) -> Result<Self, Self::Error> {
        match degrees {
            0 => Ok(Self::R0),
            90 => Ok(Self::R90),
            180 => Ok(Self::R180),
            270 => Ok(Self::R270),
            other => Err(format!("rotate must be 0, 90, 180 or 270, not {other}")),
        }
    }
}

/// How the modules of a chain are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainLayout {
    /// Number of 8×8 modules in the chain (1 to 64).
    pub modules: usize,
    /// Rotation of every module.
    pub rotate: Rotation,
    /// Mirror every module left to right.
    pub flip_x: bool,
    /// Device 0 (nearest the board) is the rightmost module instead of the leftmost.
    pub reverse_chain: bool,
}

impl ChainLayout {
    /// `modules` modules, as wired, device 0 on the left.
    pub fn new(modules: usize) -> Self {
        Self {
            modules: modules.clamp(1, 64),
            rotate: Rotation::R0,
            flip_x: false,
            reverse_chain: false,
        }
    }

    /// The panel size in LEDs: `8 × modules` by 8.
    pub fn size(&self) -> (u32, u32) {
        (8 * u32::try_from(self.modules).unwrap_or(1), 8)
    }
}

/// One transaction writing `data` to `register` of every device.
fn broadcast(modules: usize, register: u8, data: u8) -> Vec<u8> {
    [register, data].repeat(modules)
}

/// The initialisation: display test off, scan limit 7, no decode, `intensity` (0..15), all rows clear,
/// leave shutdown. One transaction per line.
pub fn init_transactions(modules: usize, intensity: u8) -> Vec<Vec<u8>> {
    let modules = modules.clamp(1, 64);
    let mut out = vec![
        broadcast(modules, reg::DISPLAY_TEST, 0x00),
        broadcast(modules, reg::SCAN_LIMIT, 0x07),
        broadcast(modules, reg::DECODE_MODE, 0x00),
        broadcast(modules, reg::INTENSITY, intensity.min(0x0F)),
    ];
    out.extend((0..8).map(|r| broadcast(modules, reg::DIGIT0 + r, 0x00)));
    out.push(broadcast(modules, reg::SHUTDOWN, 0x01));
    out
}

/// The eight row registers of device `device`: byte `r` is register `r + 1`.
pub fn device_rows(frame: &MonoFrame, layout: &ChainLayout, device: usize) -> [u8; 8] {
    let modules = layout.modules.clamp(1, 64);
    let slot = if layout.reverse_chain {
        modules - 1 - device.min(modules - 1)
    } else {
        device.min(modules - 1)
    };
    let x0 = 8 * u32::try_from(slot).unwrap_or(0);
    let mut rows = [0u8; 8];
    for y in 0..8u32 {
        for x in 0..8u32 {
            if !frame.get(x0 + x, y) {
                continue;
            }
            let (r, c) = match layout.rotate {
                Rotation::R0 => (y, x),
                Rotation::R90 => (x, 7 - y),
                Rotation::R180 => (7 - y, 7 - x),
                Rotation::R270 => (7 - x, y),
            };
            let c = if layout.flip_x { 7 - c } else { c };
            rows[r as usize] |= 0x80 >> c;
        }
    }
    rows
}

/// A frame as eight transactions, row `r` = `[r+1, byte(dev N-1)] … [r+1, byte(dev 0)]`.
pub fn frame_transactions(frame: &MonoFrame, layout: &ChainLayout) -> Vec<Vec<u8>> {
    let modules = layout.modules.clamp(1, 64);
    let rows: Vec<[u8; 8]> = (0..modules)
        .map(|d| device_rows(frame, layout, d))
        .collect();
    (0..8u8)
        .map(|r| {
            (0..modules)
                .rev()
                .flat_map(|d| [reg::DIGIT0 + r, rows[d][usize::from(r)]])
                .collect()
        })
        .collect()
}

/// A MAX7219 chain on an SPI device (mode 0, at most 10 MHz, CS = LOAD).
#[derive(Debug)]
pub struct Max7219<SPI> {
    spi: SPI,
    layout: ChainLayout,
    intensity: u8,
}

impl<SPI: SpiDevice> Max7219<SPI> {
    /// A driver for a chain laid out as `layout`; call [`Max7219::init`] before the first frame.
    pub fn new(spi: SPI, layout: ChainLayout, intensity: u8) -> Self {
        Self {
            spi,
            layout,
            intensity: intensity.min(0x0F),
        }
    }

    /// Sends the initialisation sequence.
    pub fn init(&mut self) -> Result<(), SPI::Error> {
        for t in init_transactions(self.layout.modules, self.intensity) {
            self.spi.write(&t)?;
        }
        Ok(())
    }

    /// Sets the brightness, 0..15.
    pub fn set_intensity(&mut self, intensity: u8) -> Result<(), SPI::Error> {
        self.intensity = intensity.min(0x0F);
        self.spi.write(&broadcast(
            self.layout.modules,
            reg::INTENSITY,
            self.intensity,
        ))
    }

    /// Sends one frame (eight transactions).
    pub fn write_frame(&mut self, frame: &MonoFrame) -> Result<(), SPI::Error> {
        for t in frame_transactions(frame, &self.layout) {
            self.spi.write(&t)?;
        }
        Ok(())
    }

    /// Gives the SPI device back.
    pub fn release(self) -> SPI {
        self.spi
    }
}

impl<SPI> LedSink for Max7219<SPI>
where
    SPI: SpiDevice + Send,
{
    fn show(&mut self, frame: &MonoFrame) -> Result<(), SinkError> {
        self.write_frame(frame)
            .map_err(|e| SinkError::Bus(format!("MAX7219 SPI: {e:?}")))
    }
}
