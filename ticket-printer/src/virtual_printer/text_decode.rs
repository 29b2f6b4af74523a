//! Decoding printed bytes to text: GBK pairs in Chinese mode, code page 437 otherwise.

use encoding_rs::GBK;

/// Code page 437, bytes 0x80..=0xFF (the power-on code page of most printers).
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}";

/// Stateful decoder: a GBK lead byte at the end of one chunk pairs with the next chunk.
#[derive(Debug, Clone)]
pub struct TextDecoder {
    chinese: bool,
    lead: Option<u8>,
}

impl TextDecoder {
    /// A decoder in or out of Chinese mode.
    pub fn new(chinese: bool) -> Self {
        Self {
            chinese,
            lead: None,
        }
    }

    /// Switches Chinese mode (`FS &` / `FS .`).
    pub fn set_chinese(&mut self, on: bool) {
        self.chinese = on;
        self.lead = None;
    }

    /// Decodes printable bytes.
    pub fn decode(&mut self, bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len());
        for &b in bytes {
            if let Some(lead) = self.lead.take() {
                let pair = [lead, b];
                let (text, _) = GBK.decode_without_bom_handling(&pair);
                out.push_str(&text);
                continue;
            }
            if b < 0x80 {
                out.push(char::from(b));
            } else if self.chinese && (0x81..=0xFE).contains(&b) {
                self.lead = Some(b);
            } else if self.chinese {
                out.push('\u{FFFD}');
            } else {
                out.push(
                    CP437_HIGH
                        .chars()
                        .nth(usize::from(b - 0x80))
                        .unwrap_or('\u{FFFD}'),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_pairs_across_chunks() {
        let mut d = TextDecoder::new(true);
        assert_eq!(d.decode(&[0xC7]), "");
        assert_eq!(d.decode(&[0xEB, b'A']), "请A");
        assert_eq!(CP437_HIGH.chars().count(), 128);
        let mut d = TextDecoder::new(false);
        assert_eq!(d.decode(&[0x80, 0x9D]), "Ç¥");
    }
}
