//! The scanner's configuration table, made to be embedded by the kiosk as `[devices.scanner]`:
//!
//! ```toml
//! [devices.scanner]
//! kind = "serial"            # "sim" (default), "serial", "keyboard" or "none"
//! path = "/dev/ttyACM0"
//! baud = 9600
//! terminator = "cr"          # "cr", "lf", "crlf" or "none" (then idle_gap_ms ends a scan)
//! prefix = ""
//! suffix = ""
//! aim_id = true              # the scanner sends ]Q1 … before each code
//! encoding = "auto"          # "auto" (UTF-8, else GBK), "utf-8" or "gbk"
//! max_len = 4096
//! ```
//!
//! Unknown keys are refused; [`ScannerConfig::validate`] names the key and the reason.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::framing::{DEFAULT_MAX_LEN, Framing};
use crate::keyboard::keymap;
use crate::serial::{DEFAULT_IDLE_GAP, SerialDecoder, Terminator};
use crate::text::TextEncoding;

/// The scanner slot.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ScannerConfig {
    /// The simulated scanner: the real serial decoder and driver over a pseudo-terminal, fed by
    /// [`crate::sim::SerialSim`] with the default framing (CR, UTF-8). (`{}`: a table with any
    /// other key than `kind` is refused.)
    Sim {},
    /// A scanner in serial mode (USB virtual COM port or RS-232).
    Serial(SerialConfig),
    /// A scanner in USB HID keyboard mode, read from its event device.
    Keyboard(KeyboardConfig),
    /// No scanner attached.
    None {},
}

impl Default for ScannerConfig {
    fn default() -> Self {
        Self::Sim {}
    }
}

/// Baud rates a serial scanner is set to.
pub const BAUD_RATES: [u32; 7] = [1200, 2400, 4800, 9600, 19_200, 38_400, 115_200];

/// Longest prefix or suffix accepted, in bytes.
pub const MAX_AFFIX_LEN: usize = 32;

/// A scanner in serial mode.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialConfig {
    /// Device path, e.g. `/dev/ttyACM0` or a udev name such as `/dev/kiosk-scanner`.
    pub path: PathBuf,
    /// Baud rate (ignored by USB virtual COM ports, used by RS-232 scanners; default 9600).
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// What ends each scan (default `cr`).
    #[serde(default)]
    pub terminator: Terminator,
    /// With `terminator = "none"`: the silence in milliseconds that ends a scan (default 50).
    #[serde(default = "default_idle_gap_ms")]
    pub idle_gap_ms: u64,
    /// Text the scanner sends before each scan.
    #[serde(default)]
    pub prefix: String,
    /// Text the scanner sends after each scan, before the terminator.
    #[serde(default)]
    pub suffix: String,
    /// The scanner sends AIM identifiers (`]Q1`) before each code.
    #[serde(default)]
    pub aim_id: bool,
    /// The text encoding (default `auto`: UTF-8, else GBK).
    #[serde(default)]
    pub encoding: TextEncoding,
    /// Longest scan in bytes (default 4096).
    #[serde(default = "default_max_len")]
    pub max_len: usize,
}

/// A scanner in USB HID keyboard mode.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyboardConfig {
    /// The event device, e.g. `/dev/input/by-id/usb-Newland_…-event-kbd`.
    pub path: PathBuf,
    /// Text the scanner types before each scan.
    #[serde(default)]
    pub prefix: String,
    /// Text the scanner types after each scan, before Enter.
    #[serde(default)]
    pub suffix: String,
    /// The scanner types AIM identifiers (`]Q1`) before each code.
    #[serde(default)]
    pub aim_id: bool,
    /// Longest scan in characters (default 4096).
    #[serde(default = "default_max_len")]
    pub max_len: usize,
}

fn default_baud() -> u32 {
    9600
}

fn default_idle_gap_ms() -> u64 {
    DEFAULT_IDLE_GAP.as_millis() as u64
}

fn default_max_len() -> usize {
    DEFAULT_MAX_LEN
}

/// A configuration value that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{key}`: {reason}")]
pub struct ConfigError {
    /// The key inside the scanner's table (`baud`, `prefix`, …).
    pub key: &'static str,
    /// Why the value cannot work.
    pub reason: String,
}

fn invalid(key: &'static str, reason: impl Into<String>) -> Result<(), ConfigError> {
    Err(ConfigError {
        key,
        reason: reason.into(),
    })
}

impl ScannerConfig {
    /// Checks every value; the error names the key and the reason.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self {
            Self::Sim {} | Self::None {} => Ok(()),
            Self::Serial(serial) => serial.validate(),
            Self::Keyboard(keyboard) => keyboard.validate(),
        }
    }
}

fn check_path(path: &std::path::Path) -> Result<(), ConfigError> {
    if path.as_os_str().is_empty() {
        return invalid("path", "must name the scanner's device");
    }
    Ok(())
}

fn check_common(prefix: &str, suffix: &str, max_len: usize) -> Result<(), ConfigError> {
    for (key, value) in [("prefix", prefix), ("suffix", suffix)] {
        if value.len() > MAX_AFFIX_LEN {
            return invalid(
                key,
                format!(
                    "{} bytes is longer than the {MAX_AFFIX_LEN} bytes a scanner's {key} holds",
                    value.len()
                ),
            );
        }
    }
    if !(1..=65_536).contains(&max_len) {
        return invalid("max_len", format!("{max_len} is not 1 to 65536 bytes"));
    }
    Ok(())
}

impl SerialConfig {
    /// A configuration with the defaults for the device at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            baud: default_baud(),
            terminator: Terminator::default(),
            idle_gap_ms: default_idle_gap_ms(),
            prefix: String::new(),
            suffix: String::new(),
            aim_id: false,
            encoding: TextEncoding::default(),
            max_len: default_max_len(),
        }
    }

    /// The framing of scans.
    pub fn framing(&self) -> Framing {
        Framing {
            prefix: self.prefix.clone(),
            suffix: self.suffix.clone(),
            aim_id: self.aim_id,
            encoding: self.encoding,
            max_len: self.max_len,
        }
    }

    /// The idle gap that ends a scan without terminator.
    pub fn idle_gap(&self) -> Duration {
        Duration::from_millis(self.idle_gap_ms)
    }

    /// A decoder for this scanner.
    pub fn decoder(&self) -> SerialDecoder {
        SerialDecoder::new(self.framing(), self.terminator, self.idle_gap())
    }

    /// Checks every value; the error names the key and the reason.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_path(&self.path)?;
        if !BAUD_RATES.contains(&self.baud) {
            return invalid(
                "baud",
                format!(
                    "{} is not a scanner's baud rate (one of {BAUD_RATES:?})",
                    self.baud
                ),
            );
        }
        if !(1..=5000).contains(&self.idle_gap_ms) {
            return invalid(
                "idle_gap_ms",
                format!("{} is not 1 to 5000 milliseconds", self.idle_gap_ms),
            );
        }
        check_common(&self.prefix, &self.suffix, self.max_len)?;
        if self.terminator != Terminator::None {
            for (key, value) in [("prefix", &self.prefix), ("suffix", &self.suffix)] {
                if value.contains(['\r', '\n']) {
                    return invalid(
                        key,
                        "must not contain CR or LF: they end a scan (use terminator = \"none\")",
                    );
                }
            }
        }
        Ok(())
    }
}

impl KeyboardConfig {
    /// A configuration with the defaults for the event device at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            prefix: String::new(),
            suffix: String::new(),
            aim_id: false,
            max_len: default_max_len(),
        }
    }

    /// The framing of scans (typed text is ASCII, read as UTF-8).
    pub fn framing(&self) -> Framing {
        Framing {
            prefix: self.prefix.clone(),
            suffix: self.suffix.clone(),
            aim_id: self.aim_id,
            encoding: TextEncoding::Utf8,
            max_len: self.max_len,
        }
    }

    /// Checks every value; the error names the key and the reason.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_path(&self.path)?;
        check_common(&self.prefix, &self.suffix, self.max_len)?;
        for (key, value) in [("prefix", &self.prefix), ("suffix", &self.suffix)] {
            if let Some(c) = value.chars().find(|c| keymap::keystroke(*c).is_none()) {
                return invalid(key, format!("{c:?} cannot be typed on a US keyboard"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Devices {
        scanner: ScannerConfig,
    }

    fn parse(toml_text: &str) -> Result<ScannerConfig, String> {
        toml::from_str::<Devices>(toml_text)
            .map(|d| d.scanner)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn every_kind_parses_with_its_defaults() {
        assert_eq!(
            parse("[scanner]\nkind = \"sim\"\n").unwrap(),
            ScannerConfig::Sim {}
        );
        assert_eq!(
            parse("[scanner]\nkind = \"none\"\n").unwrap(),
            ScannerConfig::None {}
        );
        let serial = parse("[scanner]\nkind = \"serial\"\npath = \"/dev/ttyACM0\"\n").unwrap();
        assert_eq!(
            serial,
            ScannerConfig::Serial(SerialConfig::new("/dev/ttyACM0"))
        );
        let keyboard =
            parse("[scanner]\nkind = \"keyboard\"\npath = \"/dev/input/event3\"\n").unwrap();
        assert_eq!(
            keyboard,
            ScannerConfig::Keyboard(KeyboardConfig::new("/dev/input/event3"))
        );
        assert_eq!(ScannerConfig::default(), ScannerConfig::Sim {});
    }

    #[test]
    fn every_serial_key_is_read() {
        let config = parse(
            "[scanner]\nkind = \"serial\"\npath = \"/dev/kiosk-scanner\"\nbaud = 115200\n\
             terminator = \"none\"\nidle_gap_ms = 80\nprefix = \"\\u0002\"\nsuffix = \";\"\n\
             aim_id = true\nencoding = \"gbk\"\nmax_len = 512\n",
        )
        .unwrap();
        let ScannerConfig::Serial(serial) = config else {
            panic!("not serial: {config:?}");
        };
        assert_eq!(serial.terminator, Terminator::None);
        assert_eq!(serial.idle_gap(), Duration::from_millis(80));
        assert_eq!(
            serial.framing(),
            Framing {
                prefix: "\u{2}".into(),
                suffix: ";".into(),
                aim_id: true,
                encoding: TextEncoding::Gbk,
                max_len: 512,
            }
        );
        assert_eq!(serial.baud, 115_200);
        assert!(ScannerConfig::Serial(serial).validate().is_ok());
    }

    #[test]
    fn unknown_keys_and_values_are_refused() {
        let err = parse("[scanner]\nkind = \"serial\"\npath = \"/dev/x\"\nbaudrate = 9600\n")
            .unwrap_err();
        assert!(err.contains("baudrate"), "{err}");
        let err =
            parse("[scanner]\nkind = \"keyboard\"\npath = \"/dev/x\"\nbaud = 9600\n").unwrap_err();
        assert!(err.contains("baud"), "{err}");
        let err = parse("[scanner]\nkind = \"sim\"\npath = \"/dev/x\"\n").unwrap_err();
        assert!(err.contains("path"), "{err}");
        let err = parse("[scanner]\nkind = \"laser\"\n").unwrap_err();
        assert!(err.contains("laser"), "{err}");
        let err = parse("[scanner]\nkind = \"serial\"\npath = \"/dev/x\"\nterminator = \"tab\"\n")
            .unwrap_err();
        assert!(err.contains("tab"), "{err}");
        let err = parse("[scanner]\nkind = \"serial\"\n").unwrap_err();
        assert!(err.contains("path"), "{err}");
    }

    #[test]
    fn validation_names_the_key_and_the_reason() {
        let serial = |edit: fn(&mut SerialConfig)| {
            let mut c = SerialConfig::new("/dev/ttyACM0");
            edit(&mut c);
            ScannerConfig::Serial(c).validate().unwrap_err()
        };
        let e = serial(|c| c.baud = 1234);
        assert_eq!(e.key, "baud");
        assert!(e.to_string().starts_with("`baud`: 1234 is not"), "{e}");
        assert_eq!(serial(|c| c.max_len = 0).key, "max_len");
        assert_eq!(serial(|c| c.idle_gap_ms = 0).key, "idle_gap_ms");
        assert_eq!(serial(|c| c.path = PathBuf::new()).key, "path");
        assert_eq!(serial(|c| c.suffix = "\r".into()).key, "suffix");
        assert_eq!(serial(|c| c.prefix = "x".repeat(33)).key, "prefix");

        let mut keyboard = KeyboardConfig::new("/dev/input/event3");
        keyboard.prefix = "预约".into();
        let e = ScannerConfig::Keyboard(keyboard).validate().unwrap_err();
        assert_eq!(
            e.to_string(),
            "`prefix`: '预' cannot be typed on a US keyboard"
        );
    }
}
