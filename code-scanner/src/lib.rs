#![doc = include_str!("../README.md")]
#![deny(clippy::disallowed_methods)]

pub mod config;
pub mod driver;
pub mod framing;
pub mod keyboard;
pub mod scan;
pub mod serial;
pub mod sim;
pub mod symbology;
pub mod text;

pub use config::{ConfigError, KeyboardConfig, ScannerConfig, SerialConfig};
pub use driver::{DeviceState, DriverOptions, Scanner, ScannerEvent, ScannerHealth};
pub use framing::Framing;
pub use keyboard::KeyboardDecoder;
pub use keyboard::event::{InputEvent, RecordLayout};
pub use scan::{Scan, ScanError};
pub use serial::{SerialDecoder, Terminator};
pub use sim::{KeyboardSim, SerialOutput, SerialSim, SimEncoding, SimError};
pub use symbology::{AimId, Symbology};
pub use text::TextEncoding;
