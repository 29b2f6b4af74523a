//! `[displays.led]`: how the LED panel is driven and what it shows between calls.

use std::time::Duration;

use serde::Deserialize;

use super::{BoardTiming, ChainLayout, Rotation};

/// Which driver pushes frames to the panel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LedDriver {
    /// The simulated panel: the current frame as a PNG under `DATA_DIR/sim/led/panel.png`.
    #[default]
    Sim,
    /// No panel attached.
    None,
    /// A MAX7219 chain on SPI (Raspberry Pi, `pi` feature).
    Max7219,
    /// A row of HUB12/P10 modules on SPI plus GPIO (Raspberry Pi, `pi` feature).
    Hub12,
}

/// Which role of the device drives the panel, when a touch kiosk and a hall display share one
/// configuration file (and a board): only that role opens it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LedOwner {
    /// Whichever role runs (a laptop: the kiosk shows its welcome, the hall display its calls).
    #[default]
    Any,
    /// The touch kiosk (a ticket machine with a panel of its own).
    Kiosk,
    /// The hall display (`kiosk --role hall-display`): the waiting-area panel.
    HallDisplay,
}

impl LedOwner {
    /// Whether the touch kiosk opens the panel.
    pub fn kiosk_drives(self) -> bool {
        matches!(self, Self::Any | Self::Kiosk)
    }

    /// Whether the hall display opens the panel.
    pub fn hall_drives(self) -> bool {
        matches!(self, Self::Any | Self::HallDisplay)
    }
}

/// Colour depth of the simulated panel's picture.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LedColour {
    /// One colour (P10, MAX7219): red dots.
    #[default]
    Mono,
    /// Full colour (HUB75 boards): amber text, calls flash yellow on red.
    Rgb,
}

/// The LED panel.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LedConfig {
    /// `sim`, `none`, `max7219` or `hub12`. The size of a real panel follows from its modules.
    pub driver: LedDriver,
    /// Size of the simulated panel in LEDs, `WIDTHxHEIGHT`.
    pub size: String,
    /// Which role drives the panel: `any`, `kiosk` or `hall-display`.
    pub driven_by: LedOwner,
    /// Colour depth of the simulated picture: `mono` or `rgb`.
    pub colour: LedColour,
    /// Marquee speed in LEDs per second (1 to 500).
    pub speed_px_per_s: u32,
    /// Frames per second drawn (1 to 120).
    pub fps: u32,
    /// Seconds a call stays on the panel when no other call waits.
    pub call_secs: u64,
    /// Seconds a call stays at least when other calls wait their turn.
    pub turn_secs: u64,
    /// Seconds a new call (or a recall) flashes.
    pub highlight_secs: u64,
    /// Notices scrolled between calls.
    pub notices: Vec<String>,
    /// Show the date and time between calls.
    pub show_clock: bool,
    /// Show waiting counts per service between calls.
    pub show_waiting: bool,
    /// A MAX7219 chain.
    pub max7219: Max7219Config,
    /// A row of HUB12/P10 modules.
    pub hub12: Hub12Config,
}

impl Default for LedConfig {
    fn default() -> Self {
        Self {
            driver: LedDriver::Sim,
            size: "160x16".to_owned(),
            driven_by: LedOwner::Any,
            colour: LedColour::Mono,
            speed_px_per_s: 24,
            fps: 30,
            call_secs: 10,
            turn_secs: 4,
            highlight_secs: 3,
            notices: vec![
                "欢迎来到黔江区公共法律服务中心".to_owned(),
                "法律服务热线 12348".to_owned(),
            ],
            show_clock: true,
            show_waiting: true,
            max7219: Max7219Config::default(),
            hub12: Hub12Config::default(),
        }
    }
}

impl LedConfig {
    /// The call board's timing.
    pub fn timing(&self) -> BoardTiming {
        BoardTiming {
            hold: Duration::from_secs(self.call_secs),
            turn: Duration::from_secs(self.turn_secs),
            highlight: Duration::from_secs(self.highlight_secs),
        }
    }

    /// The simulated panel's size in LEDs (the default 160×16 when `size` is unusable; `validate`
    /// refuses such a value).
    pub fn sim_size(&self) -> (u32, u32) {
        parse_led_size(&self.size).unwrap_or((160, 16))
    }

    /// Checks ranges; the error names the key.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let bad = |key: &str, reason: &str| Err((format!("displays.led.{key}"), reason.to_owned()));
        if parse_led_size(&self.size).is_none() {
            return bad("size", "must look like 160x16 (each side 1 to 10000)");
        }
        if !(1..=500).contains(&self.speed_px_per_s) {
            return bad("speed_px_per_s", "must be 1 to 500");
        }
        if !(1..=120).contains(&self.fps) {
            return bad("fps", "must be 1 to 120");
        }
        if !(1..=600).contains(&self.call_secs) {
            return bad("call_secs", "must be 1 to 600");
        }
        if self.turn_secs == 0 || self.turn_secs > self.call_secs {
            return bad("turn_secs", "must be at least 1 and at most call_secs");
        }
        if self.highlight_secs > self.call_secs {
            return bad("highlight_secs", "must be at most call_secs");
        }
        if !(1..=64).contains(&self.max7219.modules) {
            return bad("max7219.modules", "must be 1 to 64");
        }
        if self.max7219.intensity > 15 {
            return bad("max7219.intensity", "must be 0 to 15");
        }
        if self.max7219.clock_hz == 0 || self.max7219.clock_hz > 10_000_000 {
            return bad(
                "max7219.clock_hz",
                "must be 1 to 10000000 (the MAX7219 takes at most 10 MHz)",
            );
        }
        if !(1..=32).contains(&self.hub12.panels) {
            return bad("hub12.panels", "must be 1 to 32");
        }
        if !(50..=500).contains(&self.hub12.refresh_hz) {
            return bad("hub12.refresh_hz", "must be 50 to 500");
        }
        if self.hub12.clock_hz == 0 || self.hub12.clock_hz > 32_000_000 {
            return bad("hub12.clock_hz", "must be 1 to 32000000");
        }
        Ok(())
    }
}

/// A MAX7219 chain on the Raspberry Pi's SPI.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Max7219Config {
    /// SPI bus (0 = `/dev/spidev0.*`).
    pub spi_bus: u8,
    /// Chip select (CE0 = 0, CE1 = 1); it is the chain's LOAD line.
    pub chip_select: u8,
    /// SPI clock in Hz (at most 10 MHz).
    pub clock_hz: u32,
    /// 8×8 modules in the chain; the panel is `8 × modules` by 8 LEDs.
    pub modules: usize,
    /// Brightness 0 to 15.
    pub intensity: u8,
    /// Module rotation: 0, 90, 180 or 270.
    pub rotate: Rotation,
    /// Mirror each module left to right.
    pub flip_x: bool,
    /// The module nearest the board is on the right.
    pub reverse_chain: bool,
}

impl Default for Max7219Config {
    fn default() -> Self {
        Self {
            spi_bus: 0,
            chip_select: 0,
            clock_hz: 8_000_000,
            modules: 4,
            intensity: 3,
            rotate: Rotation::R0,
            flip_x: false,
            reverse_chain: false,
        }
    }
}

impl Max7219Config {
    /// The chain layout.
    pub fn layout(&self) -> ChainLayout {
        ChainLayout {
            modules: self.modules,
            rotate: self.rotate,
            flip_x: self.flip_x,
            reverse_chain: self.reverse_chain,
        }
    }
}

/// A row of HUB12/P10 modules: SPI MOSI = R data, SCLK = CLK, plus four GPIO lines (BCM numbers).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Hub12Config {
    /// SPI bus.
    pub spi_bus: u8,
    /// SPI clock in Hz.
    pub clock_hz: u32,
    /// 32×16 modules in the row; the panel is `32 × panels` by 16 LEDs.
    pub panels: usize,
    /// GPIO of row address A.
    pub pin_a: u8,
    /// GPIO of row address B.
    pub pin_b: u8,
    /// GPIO of nOE (output enable).
    pub pin_oe: u8,
    /// GPIO of the latch (SCLK/LAT/STB).
    pub pin_latch: u8,
    /// Full frames scanned per second (4 phases each), 50 to 500.
    pub refresh_hz: u32,
}

impl Default for Hub12Config {
    fn default() -> Self {
        Self {
            spi_bus: 0,
            clock_hz: 4_000_000,
            panels: 5,
            pin_a: 23,
            pin_b: 24,
            pin_oe: 18,
            pin_latch: 25,
            refresh_hz: 120,
        }
    }
}

/// Parses a panel size `WIDTHxHEIGHT` in LEDs, both sides from 1 to 10000.
pub fn parse_led_size(text: &str) -> Option<(u32, u32)> {
    let (w, h) = text.trim().split_once(['x', 'X', '×'])?;
    let w: u32 = w.trim().parse().ok()?;
    let h: u32 = h.trim().parse().ok()?;
    ((1..=10_000).contains(&w) && (1..=10_000).contains(&h)).then_some((w, h))
}
