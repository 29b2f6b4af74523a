//! The GB 11643 citizen identity number check digit (ISO 7064 MOD 11-2).

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits, or `None` if they are not 17 ASCII digits.
pub fn check_digit(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize])
}

/// Outcome of checking an identity number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdCheck {
    /// 18 characters whose check digit is right.
    Valid,
    /// An 18-character number whose check digit (or format) is wrong.
    Invalid,
    /// The number is not a GB 11643 number (e.g. the 15-character 2017 foreign permanent number).
    NotApplicable,
}

impl IdCheck {
    /// Checks an 18-character number (`x` is accepted for `X`); other lengths are not applicable.
    pub fn of(number: &str) -> Self {
        if number.chars().count() != 18 {
            return Self::NotApplicable;
        }
        if !number.is_ascii() {
            return Self::Invalid;
        }
        let (body, last) = number.split_at(17);
        match check_digit(body) {
            Some(c) if last.eq_ignore_ascii_case(&c.to_string()) => Self::Valid,
            _ => Self::Invalid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb_11643_check_digits() {
        assert_eq!(IdCheck::of("990101199003079992"), IdCheck::Valid);
        assert_eq!(IdCheck::of("990101199003079993"), IdCheck::Invalid);
        assert_eq!(IdCheck::of("99010119491231992X"), IdCheck::Valid);
        assert_eq!(IdCheck::of("99010119491231992x"), IdCheck::Valid);
        assert_eq!(IdCheck::of("990000199202149998"), IdCheck::Valid);
        assert_eq!(IdCheck::of("999276198807209983"), IdCheck::Valid);
        assert_eq!(IdCheck::of("USA990190123456"), IdCheck::NotApplicable);
        assert_eq!(IdCheck::of("9901011990030799A2"), IdCheck::Invalid);
        assert_eq!(IdCheck::of("９90101199003079992"), IdCheck::Invalid);
        assert_eq!(check_digit("1234"), None);
    }
}
