//! Masking of personal data shown in list APIs.

/// Masks a contact telephone number: the first 3 and last 4 characters stay, the middle becomes
/// `****` (`13812345678` → `138****5678`). Anything shorter than 8 characters becomes `****`
/// entirely, so a short number is never shown whole.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    if chars.len() < 8 {
        return "****".into();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::mask_phone;

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone(" 13812345678 "), "138****5678");
        assert_eq!(mask_phone("0571-87654321"), "057****4321");
        assert_eq!(mask_phone("1234567"), "****");
        assert_eq!(mask_phone(""), "****");
        // Not a byte slice: wide characters stay whole.
        assert_eq!(
            mask_phone("电话一三八一二三四五六七八"),
            "电话一****五六七八"
        );
    }
}
