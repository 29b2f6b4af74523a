//! Text for Chinese printers: sanitising, the full-width pre-map, GBK encoding and wrapping by
//! display width (a Hanzi takes two columns, an ASCII character one).

use encoding_rs::{EncoderResult, GBK};

/// Characters GBK lacks that have a full-width (or plain) twin in GBK.
///
/// `encoding_rs::GBK` would refuse these (or, for `€`, emit the single byte 0x80 that
/// Chinese printers print as garbage), and GB18030 would send a four-byte sequence that the
/// resident font cannot print (`¥` → `81 30 84 36`, printed as "0 6").
const PRE_MAP: &[(char, char)] = &[
    ('\u{00A5}', '\u{FFE5}'), // ¥ → ￥
    ('\u{00A2}', '\u{FFE0}'), // ¢ → ￠
    ('\u{00A3}', '\u{FFE1}'), // £ → ￡
    ('\u{00AC}', '\u{FFE2}'), // ¬ → ￢
    ('\u{00A6}', '\u{FFE4}'), // ¦ → ￤
    ('\u{00AF}', '\u{FFE3}'), // ¯ → ￣
    ('\u{00A0}', ' '),        // no-break space → space
    ('\u{2002}', ' '),        // en space
    ('\u{2003}', '\u{3000}'), // em space → ideographic space
    ('\u{2212}', '-'),        // minus sign
    ('\u{2010}', '-'),        // hyphen
    ('\u{2011}', '-'),        // non-breaking hyphen
    ('\u{2027}', '\u{00B7}'), // hyphenation point → middle dot (names like 阿卜杜·艾尼)
    ('\u{30FB}', '\u{00B7}'), // katakana middle dot → middle dot
    ('\u{FF65}', '\u{00B7}'), // half-width katakana middle dot → middle dot
];

/// Maps a character GBK lacks to its GBK twin; other characters are returned unchanged.
pub fn pre_map(c: char) -> char {
    PRE_MAP
        .iter()
        .find(|(from, _)| *from == c)
        .map_or(c, |(_, to)| *to)
}

/// Replaces control characters (which would inject printer commands) by spaces and applies
/// [`pre_map`].
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { pre_map(c) })
        .collect()
}

/// Columns a character takes on the printer: 1 for ASCII, 2 for everything else (the
/// resident font prints every double-byte character 24 dots wide).
pub fn char_columns(c: char) -> usize {
    if c.is_ascii() { 1 } else { 2 }
}

/// Columns a string takes.
pub fn display_width(text: &str) -> usize {
    text.chars().map(char_columns).sum()
}

/// Encodes `text` as GBK bytes for the printer's resident font.
///
/// Returns `Err(c)` with the first character the printer cannot print from its font
/// (outside GBK, or `€`, which WHATWG GBK maps to the single byte 0x80). Callers print such
/// text as a raster image instead.
pub fn encode_gbk(text: &str) -> Result<Vec<u8>, char> {
    if text.is_ascii() {
        return Ok(text.as_bytes().to_vec());
    }
    let mut encoder = GBK.new_encoder();
    let mut out = Vec::with_capacity(text.len() * 2);
    let mut buf = [0u8; 64];
    let mut rest = text;
    loop {
        let (result, read, written) =
            encoder.encode_from_utf8_without_replacement(rest, &mut buf, true);
        if unprintable_code(&buf[..written]).is_some() {
            return Err(first_unprintable(text));
        }
        out.extend_from_slice(&buf[..written]);
        rest = &rest[read..];
        match result {
            EncoderResult::InputEmpty => return Ok(out),
            EncoderResult::OutputFull => {}
            EncoderResult::Unmappable(c) => return Err(c),
        }
    }
}

/// Whether GBK output contains a code the resident font lacks: `0x80` (`€` in WHATWG GBK),
/// the user-defined areas (AAA1–AFFE, F8A1–FEFE, A140–A7A0), and FE50–FEA0, where GB18030
/// put rare CJK Extension A characters such as 䶮 that GBK printers do not carry.
fn unprintable_code(bytes: &[u8]) -> Option<(u8, u8)> {
    let mut i = 0;
    while i < bytes.len() {
        let lead = bytes[i];
        if lead < 0x80 {
            i += 1;
            continue;
        }
        if lead == 0x80 {
            return Some((lead, 0));
        }
        let trail = bytes.get(i + 1).copied().unwrap_or(0);
        let user_defined = ((0xAA..=0xAF).contains(&lead) || (0xF8..=0xFE).contains(&lead))
            && trail >= 0xA1
            || (0xA1..=0xA7).contains(&lead) && (0x40..=0xA0).contains(&trail)
            || lead == 0xFE && (0x50..=0xA0).contains(&trail);
        if user_defined {
            return Some((lead, trail));
        }
        i += 2;
    }
    None
}

/// The first character of `text` the resident font cannot print.
fn first_unprintable(text: &str) -> char {
    let mut encoder = GBK.new_encoder();
    for c in text.chars() {
        let mut tmp = [0u8; 4];
        let mut out = [0u8; 8];
        let (result, _, written) =
            encoder.encode_from_utf8_without_replacement(c.encode_utf8(&mut tmp), &mut out, true);
        if matches!(result, EncoderResult::Unmappable(_))
            || unprintable_code(&out[..written]).is_some()
        {
            return c;
        }
    }
    '\u{FFFD}'
}

/// Whether the printer's resident font can print `c`.
pub fn is_printable_gbk(c: char) -> bool {
    let mut tmp = [0u8; 4];
    encode_gbk(c.encode_utf8(&mut tmp)).is_ok()
}

/// Characters that should not start a line (Chinese line-breaking rule, kept short).
const NO_LINE_START: &str = "，。、：；！？）》」』】,.:;!?)";

/// Wraps `text` into lines of at most `columns` display columns.
///
/// Breaks anywhere between Hanzi, between Latin words, numbers and times when possible, never
/// inside a character, and never puts closing punctuation at the start of a line. Explicit `\n` starts a new line. A `columns` of 0 is
/// treated as 1.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        wrap_paragraph(paragraph, columns, &mut lines);
    }
    lines
}

fn wrap_paragraph(text: &str, columns: usize, lines: &mut Vec<String>) {
    let mut line = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = char_columns(c);
        if width + w > columns && !line.is_empty() {
            if NO_LINE_START.contains(c) && line.chars().count() >= 2 {
                // Closing punctuation never starts a line: take the character before it along.
                let last = line.pop().unwrap_or(' ');
                lines.push(std::mem::take(&mut line).trim_end().to_string());
                line.push(last);
                line.push(c);
                width = char_columns(last) + w;
                continue;
            }
            // Inside a Latin word, number or time: move the whole run to the next line if
            // the line has an earlier break opportunity.
            let carry = if c.is_ascii_graphic() {
                let start = line
                    .char_indices()
                    .rev()
                    .take_while(|(_, ch)| ch.is_ascii_graphic())
                    .last()
                    .map_or(line.len(), |(i, _)| i);
                if start > 0 {
                    let word = line[start..].to_string();
                    line.truncate(start);
                    word
                } else {
                    String::new()
                }
            } else {
                String::new()
            };
            lines.push(std::mem::take(&mut line).trim_end().to_string());
            width = display_width(&carry);
            line = carry;
            if c == ' ' {
                continue;
            }
        }
        line.push(c);
        width += w;
    }
    lines.push(line.trim_end().to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_bytes_of_known_text() {
        assert_eq!(
            encode_gbk("请A012号到3号窗口").unwrap(),
            [
                0xC7, 0xEB, 0x41, 0x30, 0x31, 0x32, 0xBA, 0xC5, 0xB5, 0xBD, 0x33, 0xBA, 0xC5, 0xB4,
                0xB0, 0xBF, 0xDA
            ]
        );
        assert_eq!(encode_gbk("\u{FFE5}").unwrap(), [0xA3, 0xA4]);
    }

    #[test]
    fn outside_gbk_is_reported() {
        assert_eq!(encode_gbk("张𠮷"), Err('𠮷'));
        assert_eq!(encode_gbk("龚䶮"), Err('䶮'));
        assert_eq!(encode_gbk("5€"), Err('€'));
        assert_eq!(encode_gbk("¥5"), Err('¥'));
        assert_eq!(encode_gbk(&sanitize("¥5")).unwrap(), [0xA3, 0xA4, b'5']);
    }

    #[test]
    fn sanitize_strips_control_characters() {
        assert_eq!(sanitize("a\x1b@b\n"), "a @b ");
        assert_eq!(sanitize("阿卜杜\u{30FB}艾尼"), "阿卜杜·艾尼");
    }

    #[test]
    fn wrap_counts_hanzi_as_two_columns() {
        let lines = wrap("黔江区公共法律服务中心法律援助", 10);
        assert_eq!(lines, ["黔江区公共", "法律服务中", "心法律援助"]);
        for l in &lines {
            assert!(display_width(l) <= 10);
        }
    }

    #[test]
    fn wrap_keeps_latin_words_and_punctuation() {
        assert_eq!(wrap("Legal aid window", 10), ["Legal aid", "window"]);
        assert_eq!(wrap("一二三四，五", 8), ["一二三", "四，五"]);
        assert_eq!(wrap("", 8), [""]);
    }
}
