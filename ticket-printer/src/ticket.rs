//! The queue ticket model and its configurable layout.

use chrono::NaiveDateTime;

use crate::bitmap::Bitmap;
use crate::profile::PaperWidth;
use crate::qr::QrEcLevel;

/// A citizen's name as printed: always masked (张*三), never the full name.
#[derive(Clone, PartialEq, Eq)]
pub struct MaskedName(String);

impl std::fmt::Debug for MaskedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MaskedName({})", self.0)
    }
}

impl MaskedName {
    /// Masks a full name: the first and last characters stay, the rest become `*`
    /// (张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明).
    pub fn from_full_name(full: &str) -> Self {
        let chars: Vec<char> = full.trim().chars().collect();
        let masked = match chars.len() {
            0 => String::new(),
            1 => "*".to_string(),
            2 => format!("{}*", chars[0]),
            n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
        };
        Self(masked)
    }

    /// Accepts a name that is already masked (contains `*`); `None` otherwise.
    pub fn from_masked(masked: &str) -> Option<Self> {
        masked
            .contains('*')
            .then(|| Self(masked.trim().to_string()))
    }

    /// The masked text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A queue ticket, as the kiosk issues it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    /// Centre name, e.g. 黔江区公共法律服务中心.
    pub centre: String,
    /// Centre address (wrapped on narrow paper).
    pub address: Option<String>,
    /// Queue number, e.g. `A012`.
    pub number: String,
    /// Service name in Chinese, e.g. 法律援助.
    pub service: String,
    /// Service name in English, e.g. `Legal aid`: printed after the Chinese name (a ticket taken
    /// in English mode); none prints the Chinese name alone.
    pub service_en: Option<String>,
    /// Window hint in Chinese, e.g. `3号窗口`.
    pub window: Option<String>,
    /// Window hint in English, e.g. `Window 3`, for the English half of the window line; none
    /// prints the Chinese line alone (never a Chinese hint inside the English sentence).
    pub window_en: Option<String>,
    /// People waiting ahead.
    pub ahead: u32,
    /// Estimated wait range in minutes.
    pub wait_minutes: Option<(u32, u32)>,
    /// Issue time (local time of the centre, passed in by the caller).
    pub issued_at: NaiveDateTime,
    /// Masked name of the citizen, if the ticket was taken with an ID card.
    pub name: Option<MaskedName>,
    /// Status link encoded in the QR code.
    pub qr: Option<String>,
    /// Footer lines.
    pub footer: Vec<String>,
}

impl Ticket {
    /// Default footer: the legal service hotline and the missed-call rule.
    pub fn default_footer() -> Vec<String> {
        vec![
            "公共法律服务热线 12348 / Hotline 12348".to_string(),
            "过号请重新取号\nMissed your call? Take a new number".to_string(),
        ]
    }

    /// A sample ticket (used by `ticket-printer demo` and tests), as taken in English mode. Its
    /// address is fictitious and marked 示例 so that no sample print passes for a real notice.
    pub fn sample() -> Self {
        Self {
            centre: "重庆市黔江区公共法律服务中心".to_string(),
            address: Some("示例地址：黔江区示例大道1号 公共法律服务中心一楼大厅".to_string()),
            number: "A012".to_string(),
            service: "法律援助申请（劳动争议、拖欠农民工工资）".to_string(),
            service_en: Some(
                "Legal aid application (labour disputes, unpaid wages of migrant workers)"
                    .to_string(),
            ),
            window: Some("3号窗口".to_string()),
            window_en: Some("Window 3".to_string()),
            ahead: 5,
            wait_minutes: Some((10, 20)),
            issued_at: chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
                .and_then(|d| d.and_hms_opt(9, 30, 0))
                .unwrap_or_default(),
            name: Some(MaskedName::from_full_name("张小三")),
            qr: Some("https://example.org/q?t=A012".to_string()),
            footer: Self::default_footer(),
        }
    }
}

/// A part of the ticket, in the order the layout lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The logo bitmap (if the layout has one).
    Logo,
    /// Centre name, emphasised.
    Centre,
    /// Centre address, small.
    Address,
    /// A dashed rule across the paper.
    Rule,
    /// The large queue number with its caption.
    Number,
    /// Service name.
    Service,
    /// Window hint.
    Window,
    /// People ahead.
    Ahead,
    /// Estimated wait.
    Wait,
    /// Issue time.
    IssuedAt,
    /// Masked name.
    Name,
    /// QR code with caption.
    Qr,
    /// Footer lines.
    Footer,
}

/// Which parts a ticket shows, and how large.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Parts in print order; parts whose data is missing are skipped.
    pub parts: Vec<Part>,
    /// Logo printed at the top, centred (at most the paper's dot width).
    pub logo: Option<Bitmap>,
    /// Character size multiplier of the queue number (1..=8).
    pub number_size: u8,
    /// Height multiplier of the centre name (1..=8).
    pub title_height: u8,
    /// QR module size in dots (1..=16).
    pub qr_module: u8,
    /// QR error-correction level.
    pub qr_ec: QrEcLevel,
}

impl Layout {
    /// The default layout for a paper width.
    pub fn for_paper(paper: PaperWidth) -> Self {
        let (number_size, qr_module) = match paper {
            PaperWidth::Mm58 => (4, 5),
            PaperWidth::Mm80 => (5, 6),
        };
        Self {
            parts: vec![
                Part::Logo,
                Part::Centre,
                Part::Address,
                Part::Rule,
                Part::Number,
                Part::Service,
                Part::Window,
                Part::Ahead,
                Part::Wait,
                Part::IssuedAt,
                Part::Name,
                Part::Rule,
                Part::Qr,
                Part::Footer,
            ],
            logo: None,
            number_size,
            title_height: 2,
            qr_module,
            qr_ec: QrEcLevel::M,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked() {
        assert_eq!(MaskedName::from_full_name("张三").as_str(), "张*");
        assert_eq!(MaskedName::from_full_name("张小三").as_str(), "张*三");
        assert_eq!(MaskedName::from_full_name("欧阳小明").as_str(), "欧**明");
        assert_eq!(MaskedName::from_full_name("王").as_str(), "*");
        assert!(MaskedName::from_masked("张小三").is_none());
        assert_eq!(MaskedName::from_masked("李*𠮷").unwrap().as_str(), "李*𠮷");
    }
}
