//! The LED panel in the waiting area: scenes rendered into a framebuffer, pushed to a sink.
//!
//! - [`scene`](draw): what the panel shows (a call, idle notices with clock and waiting counts, a message),
//!   drawn by a pure function of the scene and the time, tested with ASCII snapshots;
//! - [`CallBoard`]: which call is on show and which wait their turn, with time as an argument;
//! - sinks behind [`LedSink`]: [`max7219`] chains and [`hub12`] P10 modules written against embedded-hal
//!   1.0 (rppal instances in `pi`, behind the `pi` feature), and the simulated panel ([`PngSink`],
//!   [`GifSink`]; the kiosk adds a development window);
//! - [`LedPanel`] / [`PanelThread`]: the panel at run time.
//!
//! See `displays/README.md`.

mod board;
mod config;
mod frame;
pub mod hub12;
pub mod max7219;
mod panel;
#[cfg(feature = "pi")]
pub mod pi;
mod scene;
mod sink;
mod test_pattern;

use std::path::Path;

pub use board::{Announcement, BoardState, BoardTiming, CallBoard};
pub use config::{
    Hub12Config, LedColour, LedConfig, LedDriver, LedOwner, Max7219Config, parse_led_size,
};
pub use frame::{MonoFrame, RgbFrame};
pub use max7219::{ChainLayout, Rotation};
pub use panel::{LedPanel, PanelInput, PanelThread};
pub use scene::{IdleScene, Scene, Style, WaitingCount, draw, render};
pub use sink::{
    DOT_PALETTE, GifSink, LedSink, PngSink, SinkError, dot_matrix, write_png, write_rgb_png,
};
pub use test_pattern::test_pattern;

/// A panel's sink and its size in LEDs.
pub type OpenedSink = (Box<dyn LedSink>, (u32, u32));

/// Opens the configured panel: its sink and its size in LEDs; none when `driver = "none"`. The one
/// seam to the panel: the kiosk's own slot, the hall display and `kiosk led follow` all open it here. A
/// simulated panel writes `sim_dir/panel.png`; real panels need the `pi` feature.
pub fn open_sink(config: &LedConfig, sim_dir: &Path) -> Result<Option<OpenedSink>, SinkError> {
    match config.driver {
        LedDriver::None => Ok(None),
        LedDriver::Sim => Ok(Some((
            Box::new(PngSink::new(sim_dir.join("panel.png"), 6)),
            config.sim_size(),
        ))),
        #[cfg(feature = "pi")]
        LedDriver::Max7219 => Ok(Some((
            Box::new(pi::open_max7219(&config.max7219)?),
            config.max7219.layout().size(),
        ))),
        #[cfg(feature = "pi")]
        LedDriver::Hub12 => {
            let width = hub12::PANEL_WIDTH * u32::try_from(config.hub12.panels).unwrap_or(1);
            Ok(Some((
                Box::new(pi::open_hub12(&config.hub12)?),
                (width, hub12::PANEL_HEIGHT),
            )))
        }
        #[cfg(not(feature = "pi"))]
        LedDriver::Max7219 | LedDriver::Hub12 => Err(SinkError::Bus(
            "this build has no panel drivers: build with `--features pi` for a Raspberry Pi".into(),
        )),
    }
}
