//! Why a capture cannot become a page: bad buffers, and pages refused by the quality checks.

/// Why [`scan`](crate::scan) (or [`encode_jpeg`](crate::encode_jpeg)) gave no page.
///
/// The `Display` text is an English sentence for logs; [`ScanError::zh`] is the short
/// Simplified Chinese message for the citizen's screen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// The picture has no pixels (a width or a height of zero).
    #[error("the picture is empty ({width}×{height} pixels)")]
    Empty {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The picture is larger than any document camera makes.
    #[error("the picture is too large ({width}×{height} pixels; at most {max} pixels a side)")]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The largest accepted width or height.
        max: u32,
    },
    /// The row stride is shorter than one row of RGBA pixels.
    #[error(
        "the row stride of {stride} bytes is shorter than a row of {width} RGBA pixels ({row} bytes)"
    )]
    BadStride {
        /// Width in pixels.
        width: u32,
        /// The stride given, in bytes.
        stride: usize,
        /// The bytes one row needs (4 × width).
        row: u64,
    },
    /// The buffer holds fewer bytes than the width, height and stride say.
    #[error(
        "the picture buffer is too short: {width}×{height} pixels with a stride of {stride} bytes need {needed} bytes but the buffer has {len}"
    )]
    ShortBuffer {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Row stride in bytes.
        stride: usize,
        /// Bytes needed: stride × (height − 1) + 4 × width (saturated at `u64::MAX`).
        needed: u64,
        /// Bytes present.
        len: usize,
    },
    /// The page is black: the lens is covered or there is no light.
    #[error(
        "the page is black (mean brightness {mean_luma} of 255): the lens may be covered or the light off"
    )]
    Black {
        /// Mean luma (0–255) of the page before any adjustment.
        mean_luma: u8,
    },
    /// The page is uniform after cropping: nothing is written or printed on it.
    #[error(
        "nothing is on the page (strongest local contrast {spread} of 255): it is blank or face down"
    )]
    Blank {
        /// The strongest local contrast found (luma levels, 0–255), see [`BLANK_SPREAD`](crate::BLANK_SPREAD).
        spread: u8,
    },
    /// The JPEG encoder failed.
    #[error("the JPEG encoder failed: {0}")]
    Encode(String),
}

impl ScanError {
    /// A short Simplified Chinese message for the kiosk's screen.
    pub fn zh(&self) -> &'static str {
        match self {
            Self::Empty { .. }
            | Self::TooLarge { .. }
            | Self::BadStride { .. }
            | Self::ShortBuffer { .. } => "摄像头画面异常，请重试或联系工作人员",
            Self::Black { .. } => "页面太暗，请检查灯光或镜头是否被遮挡",
            Self::Blank { .. } => "没有拍到内容，请把材料正面朝上放在拍摄区",
            Self::Encode(_) => "图片保存失败，请重试",
        }
    }

    /// Whether the citizen can fix it by placing the paper again or turning on the light
    /// (a refused page), rather than a fault of the camera or the program.
    pub fn is_refused_page(&self) -> bool {
        matches!(self, Self::Black { .. } | Self::Blank { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_problem() {
        let e = ScanError::ShortBuffer {
            width: 640,
            height: 480,
            stride: 2560,
            needed: 1_228_800,
            len: 12,
        };
        let s = e.to_string();
        assert!(
            s.contains("640×480") && s.contains("1228800") && s.contains("12"),
            "{s}"
        );
        assert_eq!(
            ScanError::Black { mean_luma: 7 }.zh(),
            "页面太暗，请检查灯光或镜头是否被遮挡"
        );
        assert!(ScanError::Blank { spread: 3 }.to_string().contains("blank"));
        assert!(ScanError::Blank { spread: 3 }.is_refused_page());
        assert!(!ScanError::Encode("x".into()).is_refused_page());
    }
}
