//! What editors put into cue text besides the words: HTML-like tags (`<i>`, `</b>`, `<font
//! color="#ff0">`) and ASS override blocks (`{\an8}`). The player draws plain text in its own style.

/// `text` without tags and override blocks; lines trimmed, empty lines dropped.
pub(crate) fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(skip) = tag_len(rest) {
            rest = &rest[skip..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The length of a tag or override block at the start of `s`, if one is there.
fn tag_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    match bytes.first()? {
        b'<' => {
            let name_at = usize::from(bytes.get(1) == Some(&b'/')) + 1;
            let name = bytes.get(name_at)?;
            if !name.is_ascii_alphabetic() {
                return None;
            }
            let close = s.find('>')?;
            (!s[..close].contains('\n')).then_some(close + 1)
        }
        b'{' if bytes.get(1) == Some(&b'\\') => {
            let close = s.find('}')?;
            (!s[..close].contains('\n')).then_some(close + 1)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn strips_tags_and_overrides_but_keeps_lone_brackets() {
        assert_eq!(plain("<i>欢迎</i> <b>Welcome</b>"), "欢迎 Welcome");
        assert_eq!(plain("{\\an8}<font color=\"#ffff00\">上方</font>"), "上方");
        assert_eq!(plain("a < b > c"), "a < b > c");
        assert_eq!(plain("1 <2\n3> 4"), "1 <2\n3> 4");
        assert_eq!(plain("  one \n\n two  "), "one\ntwo");
        assert_eq!(plain("<i"), "<i");
    }
}
