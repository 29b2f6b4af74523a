//! Printer profiles: what a class of printer can do, selected by name from configuration.
//!
//! The table is deliberately small. Cheap Chinese 58 mm printers often lack native QR
//! (they print the `GS ( k` bytes as text), a cutter and a near-end sensor; 80 mm Chinese
//! printers usually have native QR and a partial cutter; the Epson TM-T88 class has all of it.

/// Paper width of a roll printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaperWidth {
    /// 58 mm roll, 384 printable dots at 203 dpi.
    Mm58,
    /// 80 mm roll, 576 printable dots at 203 dpi.
    Mm80,
}

impl PaperWidth {
    /// Printable dots per line.
    pub const fn dots(self) -> u16 {
        match self {
            Self::Mm58 => 384,
            Self::Mm80 => 576,
        }
    }

    /// Columns of half-width (ASCII, font A, 12 dots) characters per line.
    pub const fn columns(self) -> usize {
        self.dots() as usize / crate::font::HALF_WIDTH as usize
    }

    /// Parses `58` or `80` (with or without `mm`).
    pub fn from_mm(text: &str) -> Option<Self> {
        match text.trim().trim_end_matches("mm") {
            "58" => Some(Self::Mm58),
            "80" => Some(Self::Mm80),
            _ => None,
        }
    }
}

/// What the cutter can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CutMode {
    /// Full cut (`GS V A n`).
    Full,
    /// Partial cut, one point left uncut (`GS V B n`).
    Partial,
    /// No cutter: the citizen tears the ticket off.
    None,
}

/// Text encoding the printer's resident font understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    /// GBK double-byte codes in Chinese mode (`FS &`); anything outside GBK is rastered.
    Gbk,
}

/// Capabilities of a class of printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Name used in configuration files and on the command line.
    pub name: &'static str,
    /// Human description.
    pub description: &'static str,
    /// Paper width.
    pub paper: PaperWidth,
    /// Whether `GS ( k` QR model 2 is supported; otherwise the QR is sent as a raster image.
    pub native_qr: bool,
    /// Cutter.
    pub cut: CutMode,
    /// Lines to feed before cutting so the last printed line clears the cutter.
    pub feed_before_cut: u8,
    /// Whether the roll-paper near-end sensor exists (DLE EOT 4 bits 2/3 mean something).
    pub near_end_sensor: bool,
    /// Whether real-time status (`DLE EOT`) is answered.
    pub realtime_status: bool,
    /// Whether the printer needs Chinese mode (`FS &`) to print double-byte text.
    pub chinese_mode: bool,
    /// Text encoding of the resident font.
    pub encoding: TextEncoding,
}

impl Profile {
    /// Printable dots per line.
    pub const fn dots(&self) -> u16 {
        self.paper.dots()
    }
}

/// Generic Chinese 58 mm printer (Xprinter XP-58, Zjiang POS-58, GP-58 …).
pub const GENERIC_58: Profile = Profile {
    name: "generic-58",
    description: "通用 58 mm 中文热敏打印机 / generic Chinese 58 mm thermal printer",
    paper: PaperWidth::Mm58,
    native_qr: false,
    cut: CutMode::None,
    feed_before_cut: 4,
    near_end_sensor: false,
    realtime_status: true,
    chinese_mode: true,
    encoding: TextEncoding::Gbk,
};

/// Generic Chinese 80 mm printer (XP-80C, GP-80250, HPRT TP80K, SPRT …).
pub const GENERIC_80_ZH: Profile = Profile {
    name: "generic-80-zh",
    description: "通用 80 mm 中文热敏打印机 / generic Chinese 80 mm thermal printer",
    paper: PaperWidth::Mm80,
    native_qr: true,
    cut: CutMode::Partial,
    feed_before_cut: 4,
    near_end_sensor: true,
    realtime_status: true,
    chinese_mode: true,
    encoding: TextEncoding::Gbk,
};

/// Epson TM-T88 class (TM-T88V/VI Simplified Chinese model, GB18030 resident font).
pub const EPSON_TM_T88: Profile = Profile {
    name: "epson-tm-t88",
    description: "爱普生 TM-T88 系列（简体中文型号）/ Epson TM-T88 class, Simplified Chinese model",
    paper: PaperWidth::Mm80,
    native_qr: true,
    cut: CutMode::Partial,
    feed_before_cut: 3,
    near_end_sensor: true,
    realtime_status: true,
    chinese_mode: true,
    encoding: TextEncoding::Gbk,
};

/// All known profiles.
pub const PROFILES: &[Profile] = &[GENERIC_58, GENERIC_80_ZH, EPSON_TM_T88];

/// Looks a profile up by name (case-insensitive).
pub fn by_name(name: &str) -> Option<&'static Profile> {
    PROFILES
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
}

/// The generic Chinese profile for a paper width.
pub fn generic(paper: PaperWidth) -> &'static Profile {
    match paper {
        PaperWidth::Mm58 => &PROFILES[0],
        PaperWidth::Mm80 => &PROFILES[1],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_found_by_name_and_widths_are_right() {
        assert_eq!(by_name("generic-58").unwrap().dots(), 384);
        assert_eq!(by_name("GENERIC-80-ZH").unwrap().dots(), 576);
        assert!(by_name("epson-tm-t88").unwrap().native_qr);
        assert!(by_name("nope").is_none());
        assert_eq!(PaperWidth::Mm58.columns(), 32);
        assert_eq!(PaperWidth::Mm80.columns(), 48);
        assert_eq!(PaperWidth::from_mm("80mm"), Some(PaperWidth::Mm80));
        assert_eq!(generic(PaperWidth::Mm58).name, "generic-58");
    }
}
