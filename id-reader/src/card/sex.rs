//! Sex codes of GB/T 2261.1.

use std::fmt;

/// Sex as coded by GB/T 2261.1 (`0` unknown, `1` male, `2` female, `9` unspecified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// `0` 未知的性别 (also used for any code outside the table).
    Unknown,
    /// `1` 男.
    Male,
    /// `2` 女.
    Female,
    /// `9` 未说明的性别.
    Unspecified,
}

impl Sex {
    /// Sex for the one-character field of the text block. Codes outside the table are
    /// [`Sex::Unknown`] (never silently "female", a known bug elsewhere).
    pub fn parse(field: &str) -> Self {
        match field {
            "1" => Self::Male,
            "2" => Self::Female,
            "9" => Self::Unspecified,
            _ => Self::Unknown,
        }
    }

    /// The code character.
    pub fn code(self) -> char {
        match self {
            Self::Unknown => '0',
            Self::Male => '1',
            Self::Female => '2',
            Self::Unspecified => '9',
        }
    }

    /// Short Chinese label used in JSON: `男`, `女` or `未知`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
            Self::Unknown | Self::Unspecified => "未知",
        }
    }

    /// Parses the label (`男`/`女`/`未知`), the English word or the code.
    pub fn from_label(label: &str) -> Option<Self> {
        Some(match label {
            "男" | "male" | "M" | "1" => Self::Male,
            "女" | "female" | "F" | "2" => Self::Female,
            "未知" | "unknown" | "0" => Self::Unknown,
            "未说明" | "unspecified" | "9" => Self::Unspecified,
            _ => return None,
        })
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb_t_2261_1_codes() {
        assert_eq!(Sex::parse("1"), Sex::Male);
        assert_eq!(Sex::parse("2"), Sex::Female);
        assert_eq!(Sex::parse("0"), Sex::Unknown);
        assert_eq!(Sex::parse("9"), Sex::Unspecified);
        // Anything else is unknown, not female.
        assert_eq!(Sex::parse("3"), Sex::Unknown);
        assert_eq!(Sex::parse(""), Sex::Unknown);
        for s in [Sex::Male, Sex::Female, Sex::Unknown, Sex::Unspecified] {
            assert_eq!(Sex::parse(&s.code().to_string()), s);
        }
        assert_eq!(Sex::Unspecified.label(), "未知");
    }
}
