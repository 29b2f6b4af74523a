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

/// The banner text of an open help request.
pub const HELP_MESSAGE: &str = "有群众按下呼叫按钮，请前往协助 / A visitor pressed the help button";

/// All alerts of one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceAlerts {
    /// Ticket printer state.
    pub printer: PrinterAlert,
    /// A visitor pressed the device's help button (呼叫工作人员). Set only through
    /// `PUT /api/v1/devices/help`; `PUT /api/v1/devices/alerts` leaves it as it is.
    pub help: bool,
}

impl DeviceAlerts {
    /// Whether anything needs attention.
    pub fn any(&self) -> bool {
        self.printer != PrinterAlert::Ok || self.help
    }

    /// The staff page's banner text for device `device`, Chinese first; none when all is well.
    pub fn message(&self, device: &str) -> Option<String> {
        let parts: Vec<&str> = self
            .help
            .then_some(HELP_MESSAGE)
            .into_iter()
            .chain(self.printer.message())
            .collect();
        (!parts.is_empty()).then(|| format!("{device}: {}", parts.join("；")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_comes_first_in_the_banner_and_old_bodies_still_parse() {
        let alerts = DeviceAlerts {
            printer: PrinterAlert::PaperOut,
            help: true,
        };
        let text = alerts.message("kiosk-2").unwrap();
        assert!(text.starts_with("kiosk-2: 有群众按下呼叫按钮"), "{text}");
        assert!(text.contains("打印纸已用完"), "{text}");
        assert_eq!(DeviceAlerts::default().message("kiosk-2"), None);
        let old: DeviceAlerts = serde_json::from_str(r#"{"printer":"cover_open"}"#).unwrap();
        assert!(!old.help);
        assert!(old.any());
    }
}
