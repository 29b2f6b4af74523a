//! Bytes of a scan → text: UTF-8, else GBK (the default of scanners sold in China), else an error
//! naming the bytes.

use serde::Deserialize;

use crate::scan::{ScanError, hex_preview};

/// How the scanner encodes text beyond ASCII.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum TextEncoding {
    /// UTF-8 when the bytes are valid UTF-8, else GBK (GB18030's decoder, a superset).
    #[default]
    #[serde(rename = "auto")]
    Auto,
    /// UTF-8 only (a scanner set to UTF-8 output).
    #[serde(rename = "utf-8")]
    Utf8,
    /// GBK only: for short Chinese texts that happen to be valid UTF-8 too (GBK `C6 B0` is also
    /// the UTF-8 of `ư`), which `auto` would read as UTF-8.
    #[serde(rename = "gbk")]
    Gbk,
}

impl TextEncoding {
    /// Decodes `bytes`, or says which bytes are not text.
    pub fn decode(self, bytes: &[u8]) -> Result<String, ScanError> {
        let utf8 = || std::str::from_utf8(bytes).ok().map(str::to_owned);
        let gbk = || {
            encoding_rs::GBK
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|text| text.into_owned())
        };
        let (text, encoding) = match self {
            Self::Auto => (utf8().or_else(gbk), "UTF-8 or GBK"),
            Self::Utf8 => (utf8(), "UTF-8"),
            Self::Gbk => (gbk(), "GBK"),
        };
        text.ok_or_else(|| ScanError::NotText {
            hex: hex_preview(bytes),
            length: bytes.len(),
            encoding,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_then_gbk_then_an_error_with_the_bytes() {
        assert_eq!(
            TextEncoding::Auto.decode("黔江区".as_bytes()).unwrap(),
            "黔江区"
        );
        // 黔江区 in GBK.
        let gbk = [0xc7, 0xad, 0xbd, 0xad, 0xc7, 0xf8];
        assert_eq!(TextEncoding::Auto.decode(&gbk).unwrap(), "黔江区");
        assert_eq!(TextEncoding::Gbk.decode(&gbk).unwrap(), "黔江区");
        assert!(TextEncoding::Utf8.decode(&gbk).is_err());

        let err = TextEncoding::Auto.decode(&[0x41, 0xff, 0xfe]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "scan of 3 bytes is not UTF-8 or GBK text: 41 ff fe"
        );
    }

    #[test]
    fn gbk_setting_reads_text_that_is_also_valid_utf8_as_gbk() {
        let bytes = [0xc6, 0xb0];
        assert_eq!(TextEncoding::Auto.decode(&bytes).unwrap(), "ư");
        assert_eq!(TextEncoding::Gbk.decode(&bytes).unwrap(), "瓢");
    }
}
