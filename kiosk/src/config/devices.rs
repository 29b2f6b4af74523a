//! Which devices are attached. Every slot defaults to its simulator, so a laptop runs the whole kiosk.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ConfigError;

/// The device slots.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DevicesConfig {
    /// The ticket printer.
    pub printer: PrinterConfig,
    /// The resident ID card reader.
    pub id_reader: IdReaderConfig,
    /// The 2D code scanner that reads booking QR codes at check-in (`[devices.scanner]`, the
    /// `code_scanner` crate's own table).
    pub scanner: code_scanner::ScannerConfig,
}

/// The ticket printer: a virtual printer, or a real one on one of its transports.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum PrinterConfig {
    /// The virtual printer: interprets the real ESC/POS bytes and saves each ticket as PNG and text.
    Sim {
        /// Printer profile name (paper width and capabilities).
        #[serde(default = "default_profile")]
        profile: String,
    },
    /// A USB-serial or RS-232 printer.
    Serial {
        /// Device path, e.g. `/dev/ttyUSB0` or a udev name such as `/dev/kiosk-printer`.
        port: PathBuf,
        /// Baud rate.
        #[serde(default = "default_printer_baud")]
        baud: u32,
        /// Printer profile name.
        #[serde(default = "default_profile")]
        profile: String,
    },
    /// A USB printer-class device file, e.g. `/dev/usb/lp0`.
    UsbLp {
        /// Device path.
        path: PathBuf,
        /// Printer profile name.
        #[serde(default = "default_profile")]
        profile: String,
    },
    /// A network printer on raw TCP (port 9100).
    Tcp {
        /// `HOST:PORT`.
        address: String,
        /// Printer profile name.
        #[serde(default = "default_profile")]
        profile: String,
    },
}

impl Default for PrinterConfig {
    fn default() -> Self {
        Self::Sim {
            profile: default_profile(),
        }
    }
}

/// The ID card reader: simulated, or a real SAM reader on a serial port.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum IdReaderConfig {
    /// The simulated reader: speaks the real SAM protocol from the device side.
    #[default]
    Sim,
    /// A SAM reader on a USB-serial port.
    Serial {
        /// Device path, e.g. `/dev/ttyUSB1` or `/dev/kiosk-idreader`.
        port: PathBuf,
        /// Baud rate (readers ship at 115200).
        #[serde(default = "default_reader_baud")]
        baud: u32,
    },
    /// No reader attached: the kiosk never asks for a card.
    None,
}

fn default_profile() -> String {
    "generic-80-zh".to_owned()
}

fn default_printer_baud() -> u32 {
    9600
}

fn default_reader_baud() -> u32 {
    115_200
}

const BAUD_RATES: [u32; 8] = [2400, 4800, 9600, 19_200, 38_400, 57_600, 115_200, 230_400];

impl DevicesConfig {
    /// True when every attached device is simulated (a laptop or a demo).
    pub fn all_simulated(&self) -> bool {
        matches!(self.printer, PrinterConfig::Sim { .. })
            && matches!(self.id_reader, IdReaderConfig::Sim | IdReaderConfig::None)
            && matches!(
                self.scanner,
                code_scanner::ScannerConfig::Sim {} | code_scanner::ScannerConfig::None {}
            )
    }

    pub(super) fn validate(&self, origin: &Path) -> Result<(), ConfigError> {
        let invalid = |key: &str, reason: String| ConfigError::Invalid {
            path: origin.to_owned(),
            key: key.to_owned(),
            reason,
        };
        let baud_reason =
            |baud: u32| format!("{baud} is not a serial baud rate (one of {BAUD_RATES:?})");
        if let PrinterConfig::Serial { baud, .. } = self.printer
            && !BAUD_RATES.contains(&baud)
        {
            return Err(invalid("devices.printer.baud", baud_reason(baud)));
        }
        if let IdReaderConfig::Serial { baud, .. } = self.id_reader
            && !BAUD_RATES.contains(&baud)
        {
            return Err(invalid("devices.id_reader.baud", baud_reason(baud)));
        }
        if let Err(err) = self.scanner.validate() {
            return Err(invalid(
                &format!("devices.scanner.{}", err.key),
                err.reason.clone(),
            ));
        }
        let profile = match &self.printer {
            PrinterConfig::Sim { profile }
            | PrinterConfig::Serial { profile, .. }
            | PrinterConfig::UsbLp { profile, .. }
            | PrinterConfig::Tcp { profile, .. } => profile,
        };
        if ticket_printer::profile::by_name(profile).is_none() {
            return Err(invalid(
                "devices.printer.profile",
                format!(
                    "unknown profile `{profile}` (known: generic-58, generic-80-zh, epson-tm-t88)"
                ),
            ));
        }
        Ok(())
    }
}
