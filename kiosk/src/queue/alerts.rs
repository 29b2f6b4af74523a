//! Device alerts (ticket printer paper and cover), shown on the staff page and sent as events.

use serde::{Deserialize, Serialize};

/// The state of a kiosk's ticket printer as its driver reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterAlert {
    /// Nothing to report.
    #[default]
    Ok,
    /// The paper roll is nearly used up.
    PaperNearEnd,
    /// No paper: the kiosk shows e-tickets (number and QR on screen).
    PaperOut,
    /// The cover is open.
    CoverOpen,
    /// The printer does not answer.
    Offline,
}

impl PrinterAlert {
    /// Banner text, Chinese first then English; none when all is well.
    pub fn message(self) -> Option<&'static str> {
        match self {
            Self::Ok => None,
            Self::PaperNearEnd => Some("打印纸即将用完，请及时更换 / Ticket paper is running low"),
            Self::PaperOut => {
                Some("打印纸已用完，正在使用电子号票 / Ticket paper is out, e-tickets in use")
            }
            Self::CoverOpen => Some("打印机盖未关闭 / Printer cover is open"),
            Self::Offline => Some("打印机无响应 / Printer is not responding"),
        }
    }
}

/// All alerts of one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceAlerts {
    /// Ticket printer state.
    pub printer: PrinterAlert,
}

impl DeviceAlerts {
    /// Whether anything needs attention.
    pub fn any(&self) -> bool {
        self.printer != PrinterAlert::Ok
    }
}
