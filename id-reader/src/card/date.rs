//! Dates of the text block (`YYYYMMDD`) and the long-term validity marker `长期`.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use zeroize::Zeroize;

/// A calendar date from a card. Always a valid date; wiped when the card is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Zeroize)]
pub struct CardDate {
    year: u16,
    month: u8,
    day: u8,
}

impl CardDate {
    /// 1970-01-01, a placeholder before parsing fills a field in.
    pub(crate) const EPOCH: Self = Self {
        year: 1970,
        month: 1,
        day: 1,
    };

    /// A date, if it exists in the calendar (years 1–9999).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))?;
        (year >= 1).then_some(Self { year, month, day })
    }

    /// Parses the card's `YYYYMMDD` form (also accepts `YYYY-MM-DD`).
    pub fn parse(field: &str) -> Option<Self> {
        let digits: String =
            if field.len() == 10 && field.as_bytes()[4] == b'-' && field.as_bytes()[7] == b'-' {
                field.chars().filter(|c| *c != '-').collect()
            } else {
                field.to_owned()
            };
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Self::new(
            digits[0..4].parse().ok()?,
            digits[4..6].parse().ok()?,
            digits[6..8].parse().ok()?,
        )
    }

    /// The card's `YYYYMMDD` form.
    pub fn compact(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// As a chrono date.
    pub fn to_naive(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(
            i32::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
        )
        .unwrap_or(NaiveDate::MIN)
    }

    /// From a chrono date (years 1–9999).
    pub fn from_naive(date: NaiveDate) -> Option<Self> {
        Self::new(
            u16::try_from(date.year()).ok()?,
            u8::try_from(date.month()).ok()?,
            u8::try_from(date.day()).ok()?,
        )
    }

    /// Whole years from `self` to `on` (the age of someone born on `self`); `None` before birth.
    pub fn years_until(&self, on: NaiveDate) -> Option<u32> {
        let birth = self.to_naive();
        let mut years = on.year() - birth.year();
        if (on.month(), on.day()) < (birth.month(), birth.day()) {
            years -= 1;
        }
        u32::try_from(years).ok()
    }
}

impl fmt::Display for CardDate {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// End of validity: a date, or `长期` (long-term) on cards for people over 46.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValidTo {
    /// Valid up to and including this date.
    Date(CardDate),
    /// `长期`: no end date.
    LongTerm,
}

impl ValidTo {
    /// The text the card stores for long-term validity.
    pub const LONG_TERM: &'static str = "长期";

    /// Parses the field: `YYYYMMDD` or `长期`.
    pub fn parse(field: &str) -> Option<Self> {
        if field == Self::LONG_TERM {
            Some(Self::LongTerm)
        } else {
            CardDate::parse(field).map(Self::Date)
        }
    }

    /// The card's form: `YYYYMMDD` or `长期`.
    pub fn compact(&self) -> String {
        match self {
            Self::Date(d) => d.compact(),
            Self::LongTerm => Self::LONG_TERM.to_owned(),
        }
    }

    /// Whether the card is still valid on `on`.
    pub fn is_valid_on(&self, on: NaiveDate) -> bool {
        match self {
            Self::Date(d) => on <= d.to_naive(),
            Self::LongTerm => true,
        }
    }
}

impl fmt::Display for ValidTo {
    /// `YYYY-MM-DD` or `长期`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Date(d) => d.fmt(f),
            Self::LongTerm => f.write_str(Self::LONG_TERM),
        }
    }
}

impl Zeroize for ValidTo {
    fn zeroize(&mut self) {
        if let Self::Date(d) = self {
            d.zeroize();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_and_formats() {
        let date = CardDate::parse("19900307").unwrap();
        assert_eq!(date.to_string(), "1990-03-07");
        assert_eq!(date.compact(), "19900307");
        assert_eq!(CardDate::parse("1990-03-07"), Some(date));
        for bad in [
            "19900230",
            "1990037",
            "199003071",
            "2000133",
            "00000101",
            "abcdefgh",
            "",
        ] {
            assert_eq!(CardDate::parse(bad), None, "{bad}");
        }
        assert_eq!(ValidTo::parse("长期"), Some(ValidTo::LongTerm));
        assert_eq!(ValidTo::LongTerm.to_string(), "长期");
        assert_eq!(
            ValidTo::parse("20300101").unwrap().to_string(),
            "2030-01-01"
        );
    }

    #[test]
    fn age_counts_whole_years() {
        let birth = CardDate::parse("19900307").unwrap();
        assert_eq!(birth.years_until(d(2026, 3, 6)), Some(35));
        assert_eq!(birth.years_until(d(2026, 3, 7)), Some(36));
        assert_eq!(birth.years_until(d(1990, 3, 7)), Some(0));
        assert_eq!(birth.years_until(d(1990, 3, 6)), None);
        let leap = CardDate::parse("20000229").unwrap();
        assert_eq!(leap.years_until(d(2001, 2, 28)), Some(0));
        assert_eq!(leap.years_until(d(2001, 3, 1)), Some(1));
    }

    #[test]
    fn validity() {
        let to = ValidTo::parse("20300101").unwrap();
        assert!(to.is_valid_on(d(2030, 1, 1)));
        assert!(!to.is_valid_on(d(2030, 1, 2)));
        assert!(ValidTo::LongTerm.is_valid_on(d(9999, 1, 1)));
    }
}
