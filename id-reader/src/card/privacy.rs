//! Masked forms for display and logs, and the salted identity token.

use std::fmt;

use sha2::{Digest, Sha256};

/// Masks a name: first and last character kept, those between replaced by `*`
/// (`张小三` → `张*三`, `欧阳小明` → `欧**明`); a two-character name keeps its first character
/// (`张三` → `张*`), a one-character name becomes `*`. Spaces are kept (`JOHN SMITH` → `J*** ****H`).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_owned(),
        2 => format!("{}*", chars[0]),
        n => chars
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 || i == n - 1 || *c == ' ' {
                    *c
                } else {
                    '*'
                }
            })
            .collect(),
    }
}

/// Masks a number, keeping the first 3 and last 4 characters when at least 8 long
/// (`990101199003079992` → `990***********9992`), and only the last character of shorter ones.
pub fn mask_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    let (head, tail) = if n >= 8 { (3, 4) } else { (0, n.min(1)) };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' })
        .collect()
}

/// A salted SHA-256 of the card's type and number: the same person gives the same token under the
/// same salt, and the number cannot be read back from it. Used for "one active ticket per person".
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdentityToken([u8; 32]);

impl IdentityToken {
    /// `SHA-256(salt ‖ 0x00 ‖ card-type tag ‖ 0x00 ‖ number)`; the number is upper-cased first.
    pub fn derive(salt: &[u8], card_type_tag: &str, number: &str) -> Self {
        let mut h = Sha256::new();
        h.update(salt);
        h.update([0]);
        h.update(card_type_tag.as_bytes());
        h.update([0]);
        h.update(number.trim().to_ascii_uppercase().as_bytes());
        Self(h.finalize().into())
    }

    /// The 32 digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for IdentityToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdentityToken({})", &self.to_hex()[..12])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(mask_name("张小三"), "张*三");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张"), "*");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name("JOHN SMITH"), "J*** ****H");
    }

    #[test]
    fn numbers() {
        assert_eq!(mask_number("990101199003079992"), "990***********9992");
        assert_eq!(mask_number("H12345678"), "H12**5678");
        assert_eq!(mask_number("1234567"), "******7");
        assert_eq!(mask_number(""), "");
    }

    #[test]
    fn tokens_depend_on_salt_type_and_number() {
        let a = IdentityToken::derive(b"site-salt", "resident", "99010119491231992x");
        let b = IdentityToken::derive(b"site-salt", "resident", "99010119491231992X");
        assert_eq!(a, b);
        assert_ne!(
            a,
            IdentityToken::derive(b"other", "resident", "99010119491231992X")
        );
        assert_ne!(
            a,
            IdentityToken::derive(b"site-salt", "hk_macao_taiwan", "99010119491231992X")
        );
        assert_eq!(a.to_hex().len(), 64);
        assert!(!a.to_hex().contains("110105"));
    }
}
