//! Tone-less pinyin readings of single characters, from the `pinyin` crate's heteronym tables.

use pinyin::{Pinyin, ToPinyinMulti};

/// Normalises one pinyin syllable to the form the engine uses: lowercase ASCII, `ü` written `v`, `ê` written
/// `e`. Returns `None` if anything else is left (tone marks, digits, punctuation).
pub(crate) fn normalize_syllable(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            'a'..='z' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            'ü' | 'Ü' => out.push('v'),
            'ê' | 'Ê' => out.push('e'),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Every tone-less reading of a character, most common first, without duplicates (tones collapse, so `好`
/// has the single reading `hao`). ASCII letters and digits read as themselves, lowercased; characters
/// without a reading (punctuation, spaces) give an empty list.
pub(crate) fn readings(c: char) -> Vec<String> {
    if c.is_ascii_alphanumeric() {
        return vec![c.to_ascii_lowercase().to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    if let Some(multi) = c.to_pinyin_multi() {
        for reading in multi.into_iter().map(Pinyin::plain) {
            if let Some(syllable) = normalize_syllable(reading)
                && !out.contains(&syllable)
            {
                out.push(syllable);
            }
        }
    }
    out
}

/// Whether the character is a CJK ideograph that a query may contain literally.
pub(crate) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{3134f}')
}

/// The length in bytes of a syllable's initial consonant when it is two letters (`zh`, `ch`, `sh`).
pub(crate) fn double_initial(syllable: &[u8]) -> Option<usize> {
    let b = syllable;
    (b.len() > 2 && b[1] == b'h' && matches!(b[0], b'z' | b'c' | b's')).then_some(2)
}

/// Length of the common prefix of two byte strings.
pub(crate) fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_toneless_deduplicated_and_use_v() {
        assert_eq!(readings('好'), ["hao"]);
        assert_eq!(readings('绿'), ["lv", "lu"]);
        assert!(readings('曾').contains(&"zeng".to_owned()));
        assert!(readings('重').contains(&"chong".to_owned()));
        assert_eq!(readings('A'), ["a"]);
        assert_eq!(readings('7'), ["7"]);
        assert!(readings('，').is_empty());
    }

    #[test]
    fn syllables_normalise_or_are_refused() {
        assert_eq!(normalize_syllable("Lü").as_deref(), Some("lv"));
        assert_eq!(normalize_syllable("hǎo"), None);
        assert_eq!(double_initial(b"zhang"), Some(2));
        assert_eq!(double_initial(b"zi"), None);
        assert_eq!(double_initial(b"sh"), None);
    }
}
