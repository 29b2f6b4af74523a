//! QR codes: the ESC/POS `GS ( k` parameters and a raster rendering for printers without
//! native QR (and for the virtual printer, which draws native QR codes from their data).

use qrcode::{Color, EcLevel, QrCode};

use crate::bitmap::Bitmap;
use crate::error::EncodeError;

/// QR error-correction level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrEcLevel {
    /// About 7 % recovery.
    L,
    /// About 15 % recovery.
    M,
    /// About 25 % recovery.
    Q,
    /// About 30 % recovery.
    H,
}

impl QrEcLevel {
    /// The `GS ( k` function 169 parameter (48..=51).
    pub const fn escpos_byte(self) -> u8 {
        match self {
            Self::L => 48,
            Self::M => 49,
            Self::Q => 50,
            Self::H => 51,
        }
    }

    /// Parses the `GS ( k` function 169 parameter (also accepts 0..=3).
    pub const fn from_escpos_byte(n: u8) -> Option<Self> {
        match n {
            48 | 0 => Some(Self::L),
            49 | 1 => Some(Self::M),
            50 | 2 => Some(Self::Q),
            51 | 3 => Some(Self::H),
            _ => None,
        }
    }

    const fn to_qrcode(self) -> EcLevel {
        match self {
            Self::L => EcLevel::L,
            Self::M => EcLevel::M,
            Self::Q => EcLevel::Q,
            Self::H => EcLevel::H,
        }
    }
}

/// Quiet zone, in modules, drawn around raster QR codes.
pub const QUIET_ZONE: usize = 2;

/// Renders `data` as a QR code bitmap with `module` dots per module and a quiet zone.
pub fn qr_bitmap(data: &[u8], module: u8, ec: QrEcLevel) -> Result<Bitmap, EncodeError> {
    let code =
        QrCode::with_error_correction_level(data, ec.to_qrcode()).map_err(|e| EncodeError::Qr {
            len: data.len(),
            reason: e.to_string(),
        })?;
    let modules = code.width();
    let m = usize::from(module.max(1));
    let side = (modules + 2 * QUIET_ZONE) * m;
    let mut bitmap = Bitmap::new(side, side);
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (x, y) = (i % modules + QUIET_ZONE, i / modules + QUIET_ZONE);
            bitmap.fill_rect(x * m, y * m, m, m);
        }
    }
    Ok(bitmap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_bitmap_has_finder_patterns() {
        let b = qr_bitmap(b"https://example.org/q?t=A012", 4, QrEcLevel::M).unwrap();
        // 28 bytes at level M need version 3 (29 modules), plus quiet zones.
        assert_eq!(b.width(), (29 + 2 * QUIET_ZONE) * 4);
        // Top-left finder pattern: solid dark corner at the first module after the quiet zone.
        assert!(b.get(QUIET_ZONE * 4, QUIET_ZONE * 4));
        assert!(!b.get(0, 0));
    }

    #[test]
    fn too_long_data_is_an_error() {
        let data = vec![b'x'; 4000];
        assert!(matches!(
            qr_bitmap(&data, 2, QrEcLevel::H),
            Err(EncodeError::Qr { .. })
        ));
    }
}
