//! Who applies: from the ID card, or typed on the applicant screen.

use serde::{Deserialize, Serialize};

/// The applicant. It lives in the kiosk's memory for one session and inside the sealed package; its
/// `Debug` shows masked values only, so a log line can never hold the name or number, and its fields
/// are wiped when it is dropped.
#[derive(
    Clone, PartialEq, Eq, Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop,
)]
pub struct Applicant {
    /// The full name.
    pub name: String,
    /// 男 or 女 (empty when typed).
    pub sex: String,
    /// The ethnicity (民族) from the card (empty when typed).
    pub ethnicity: String,
    /// The birth date `YYYY-MM-DD` from the card (empty when typed).
    pub birth_date: String,
    /// The resident ID number.
    pub id_number: String,
    /// The address on the card (empty when typed).
    pub address: String,
    /// Whether the fields were read from the ID card (true) or typed (false).
    pub from_card: bool,
}

impl Applicant {
    /// The name masked for a screen or a receipt (张*三).
    pub fn masked_name(&self) -> String {
        mask_name(&self.name)
    }

    /// The ID number masked for a screen or a receipt (500***********1234).
    pub fn masked_id_number(&self) -> String {
        mask_id_number(&self.id_number)
    }
}

impl std::fmt::Debug for Applicant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applicant")
            .field("name", &self.masked_name())
            .field("id_number", &self.masked_id_number())
            .field("from_card", &self.from_card)
            .finish_non_exhaustive()
    }
}

/// A name masked: two characters keep the first (张*), longer names the first and last (张*三).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => chars
            .iter()
            .enumerate()
            .map(|(i, c)| if i == 0 || i == n - 1 { *c } else { '*' })
            .collect(),
    }
}

/// An ID number masked: the first 3 and last 4 characters kept (500***********1234); a short one is
/// all stars.
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.trim().chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 3 || i >= n - 4 { *c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_name_or_number() {
        let a = Applicant {
            name: "张小三".into(),
            sex: "男".into(),
            ethnicity: "汉".into(),
            birth_date: "1960-01-02".into(),
            id_number: "990101196001029991".into(),
            address: "重庆市黔江区某路1号".into(),
            from_card: true,
        };
        let text = format!("{a:?}");
        assert!(
            text.contains("张*三") && text.contains("990***********9991"),
            "{text}"
        );
        assert!(!text.contains("张小三") && !text.contains("196001") && !text.contains("某路"));
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_id_number("123"), "***");
    }
}
