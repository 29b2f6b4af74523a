//! What the citizen answered, checked field by field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    ApplicationKind,
    form::{self, Choices, Condition, Field, FieldType, NONE_OF_THESE},
};

/// Why an answer is refused; each names the field (its short Chinese label and its id).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// The form has no such field.
    #[error("the form has no field `{0}`")]
    UnknownField(String),
    /// A required question is not answered.
    #[error("{label} ({field}) is required")]
    Missing {
        /// The field's id.
        field: &'static str,
        /// Its label.
        label: &'static str,
    },
    /// The answer does not fit the question.
    #[error("{label} ({field}): {reason}")]
    Invalid {
        /// The field's id.
        field: &'static str,
        /// Its label.
        label: &'static str,
        /// What is wrong, in English.
        reason: String,
        /// What is wrong, in Simplified Chinese, for the screen.
        zh: String,
    },
}

impl AnswerError {
    /// The message for the screen, in Simplified Chinese.
    pub fn zh(&self) -> String {
        match self {
            Self::UnknownField(id) => format!("没有“{id}”这一项"),
            Self::Missing { label, .. } => format!("请填写“{label}”"),
            Self::Invalid { label, zh, .. } => format!("“{label}”{zh}"),
        }
    }
}

/// The answers given so far, by field id. Values are plain strings: a choice's id, `yes`/`no`, a
/// number in digits, a date `YYYY-MM-DD`, a normalised telephone number, or text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(BTreeMap<String, String>);

/// The answers of the legal-aid self-check that the application carries over, so that nobody is asked
/// twice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelfCheckCarry {
    /// The matter's id (`wages`), or `other`.
    pub matter: Option<String>,
    /// The exempt group's or no-hardship situation's id, or `none`.
    pub hardship_basis: Option<String>,
    /// The monthly income per household member, in yuan.
    pub income_per_person: Option<u32>,
}

impl Answers {
    /// The answers carried over from the legal-aid self-check.
    pub fn carried(carry: &SelfCheckCarry) -> Self {
        let mut answers = Self::default();
        if let Some(matter) = carry.matter.as_deref().filter(|m| is_content_id(m)) {
            answers.set_unchecked(form::AID_MATTER, matter);
        }
        if let Some(basis) = carry.hardship_basis.as_deref().filter(|b| is_content_id(b)) {
            answers.set_unchecked(form::AID_HARDSHIP_BASIS, basis);
        }
        if let Some(income) = carry.income_per_person {
            answers.set_unchecked(form::AID_INCOME, &income.to_string());
        }
        answers
    }

    /// Whether `field` is asked, given the answers so far.
    pub fn applies(&self, field: &Field) -> bool {
        match field.condition {
            Condition::Always => true,
            Condition::Equals { field, value } => self.get(field) == Some(value),
            Condition::NotEquals { field, value } => self.get(field) != Some(value),
            Condition::HardshipCounts => {
                matches!(self.get(form::AID_HARDSHIP_BASIS), Some(NONE_OF_THESE))
            }
        }
    }

    /// The questions of `kind` asked given the answers so far, in order.
    pub fn asked(&self, kind: ApplicationKind) -> Vec<&'static Field> {
        form::fields(kind)
            .iter()
            .filter(|f| self.applies(f))
            .collect()
    }

    /// The answer to `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Every answer, by field id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Checks `value` against the question `field` of `kind` and keeps it, normalised (a telephone
    /// number's spaces and dashes dropped, text trimmed). An empty answer to a question that may be
    /// left empty removes the answer.
    pub fn set(
        &mut self,
        kind: ApplicationKind,
        field: &str,
        value: &str,
    ) -> Result<(), AnswerError> {
        let question =
            form::field(kind, field).ok_or_else(|| AnswerError::UnknownField(field.into()))?;
        match check(question, value)? {
            Some(value) => self.0.insert(question.id.to_owned(), value),
            None => self.0.remove(question.id),
        };
        Ok(())
    }

    /// Keeps `value` for `field` without checking it (answers carried over; tests).
    pub fn set_unchecked(&mut self, field: &str, value: &str) {
        self.0.insert(field.to_owned(), value.to_owned());
    }

    /// Forgets the answer to `field`.
    pub fn clear(&mut self, field: &str) {
        self.0.remove(field);
    }

    /// The first question of `kind` that is asked and not yet answered.
    pub fn next_question(&self, kind: ApplicationKind) -> Option<&'static Field> {
        self.asked(kind)
            .into_iter()
            .find(|f| !self.0.contains_key(f.id))
    }

    /// Drops the answers to questions no longer asked (a changed answer skipped them) and checks that
    /// every asked question is answered as it should be: what the kiosk checks before the review screen
    /// and the centre checks on arrival.
    pub fn finish(&mut self, kind: ApplicationKind) -> Result<(), AnswerError> {
        let asked = self.asked(kind);
        self.0.retain(|id, _| asked.iter().any(|f| f.id == id));
        for question in asked {
            match self.0.get(question.id) {
                Some(value) => {
                    check(question, value)?;
                }
                None if question.required => {
                    return Err(AnswerError::Missing {
                        field: question.id,
                        label: question.label_zh,
                    });
                }
                None => {}
            }
        }
        Ok(())
    }
}

/// Whether `value` can be the id of a content list entry (`wages`, `assistance_recipient`).
fn is_content_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The answer `value` to `question`, normalised; `Ok(None)` for an empty answer that may be empty.
fn check(question: &Field, value: &str) -> Result<Option<String>, AnswerError> {
    let invalid = |reason: &str, zh: &str| AnswerError::Invalid {
        field: question.id,
        label: question.label_zh,
        reason: reason.to_owned(),
        zh: zh.to_owned(),
    };
    let value = value.trim();
    if value.is_empty() {
        return if question.required {
            Err(AnswerError::Missing {
                field: question.id,
                label: question.label_zh,
            })
        } else {
            Ok(None)
        };
    }
    let normalised = match question.field_type {
        FieldType::Text {
            max_chars,
            multiline,
        } => {
            let count = value.chars().count();
            if count > max_chars {
                return Err(invalid(
                    &format!("at most {max_chars} characters ({count} given)"),
                    &format!("最多{max_chars}个字，现在有{count}个字"),
                ));
            }
            if value
                .chars()
                .any(|c| c.is_control() && !(multiline && c == '\n'))
            {
                return Err(invalid("holds a control character", "含有不能显示的字符"));
            }
            value.to_owned()
        }
        FieldType::Choice(Choices::Fixed(choices)) => {
            if !choices.iter().any(|c| c.id == value) {
                return Err(invalid(
                    &format!("`{value}` is not one of the choices"),
                    "请从选项中选择",
                ));
            }
            value.to_owned()
        }
        FieldType::Choice(Choices::AidMatters | Choices::AidHardshipBasis) => {
            if !is_content_id(value) {
                return Err(invalid(
                    &format!("`{value}` is not a choice"),
                    "请从选项中选择",
                ));
            }
            value.to_owned()
        }
        FieldType::YesNo => {
            if value != "yes" && value != "no" {
                return Err(invalid("answer yes or no", "请选择“是”或“否”"));
            }
            value.to_owned()
        }
        FieldType::Pledge => {
            if value != "yes" {
                return Err(invalid("must be accepted to apply", "需要您确认后才能提交"));
            }
            value.to_owned()
        }
        FieldType::Number { min, max, unit_zh } => {
            let number: u32 = value
                .parse()
                .map_err(|_| invalid("not a whole number", "请填写数字"))?;
            if !(min..=max).contains(&number) {
                return Err(invalid(
                    &format!("must be between {min} and {max}"),
                    &format!("应在{min}到{max}{unit_zh}之间"),
                ));
            }
            number.to_string()
        }
        FieldType::Phone => normalise_phone(value)
            .ok_or_else(|| invalid("not a telephone number", "不是有效的电话号码，请检查"))?,
        FieldType::Date => {
            if !is_date(value) {
                return Err(invalid("not a date YYYY-MM-DD", "不是有效的日期"));
            }
            value.to_owned()
        }
    };
    Ok(Some(normalised))
}

/// A mainland mobile number (11 digits starting with 1) or a fixed-line number with area code (10 to
/// 12 digits starting with 0), spaces and dashes dropped.
pub(crate) fn normalise_phone(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mobile = digits.len() == 11 && digits.starts_with('1');
    let fixed = (10..=12).contains(&digits.len()) && digits.starts_with('0');
    (mobile || fixed).then_some(digits)
}

/// Whether `value` is a real calendar day written `YYYY-MM-DD` (years 2000 to 2099).
fn is_date(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |r: std::ops::Range<usize>| value.get(r).and_then(|s| s.parse::<u32>().ok());
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (2000..=2099).contains(&year) && (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::{AID_HARDSHIP_BASIS, AID_INCOME, AID_MATTER, NONE_OF_THESE, PHONE};

    const AID: ApplicationKind = ApplicationKind::LegalAid;

    #[test]
    fn the_finances_are_asked_only_when_hardship_counts() {
        let mut answers = Answers::default();
        let asks_income = |a: &Answers| a.asked(AID).iter().any(|f| f.id == AID_INCOME);
        assert!(!asks_income(&answers));
        answers.set_unchecked(AID_HARDSHIP_BASIS, "assistance_recipient");
        assert!(!asks_income(&answers));
        answers.set_unchecked(AID_HARDSHIP_BASIS, NONE_OF_THESE);
        assert!(asks_income(&answers));
    }

    #[test]
    fn a_phone_is_normalised_and_a_wrong_one_named() {
        let mut a = Answers::default();
        a.set(AID, PHONE, "139 0000-1234").unwrap();
        assert_eq!(a.get(PHONE), Some("13900001234"));
        let err = a.set(AID, PHONE, "12345").unwrap_err();
        assert!(err.to_string().contains("联系电话"), "{err}");
        assert_eq!(err.zh(), "“联系电话”不是有效的电话号码，请检查");
    }

    #[test]
    fn text_is_bounded_and_choices_must_be_offered() {
        let mut a = Answers::default();
        let long = "字".repeat(501);
        assert!(matches!(
            a.set(AID, "facts", &long),
            Err(AnswerError::Invalid { field: "facts", .. })
        ));
        assert!(a.set(AID, "stage", "somewhere").is_err());
        a.set(AID, "stage", "arbitration").unwrap();
        assert!(a.set(AID, "pledge", "no").is_err());
        assert!(
            a.set(ApplicationKind::Notary, "preferred_date", "2026-02-30")
                .is_err()
        );
        a.set(ApplicationKind::Notary, "preferred_date", "2028-02-29")
            .unwrap();
        assert!(a.set(AID, "nonsense", "x").is_err());
    }

    #[test]
    fn carried_answers_skip_their_questions() {
        let carry = SelfCheckCarry {
            matter: Some("wages".into()),
            hardship_basis: Some(NONE_OF_THESE.into()),
            income_per_person: Some(900),
        };
        let a = Answers::carried(&carry);
        assert_eq!(a.get(AID_MATTER), Some("wages"));
        assert_eq!(a.get(AID_INCOME), Some("900"));
        let asked: Vec<_> = std::iter::successors(a.next_question(AID), |_| None).collect();
        assert_eq!(asked[0].id, PHONE);
        let mut a = a;
        for (field, value) in [
            (PHONE, "13900001234"),
            ("on_behalf", "no"),
            ("stage", "not_started"),
            ("facts", "老板欠工资"),
            ("household_size", "3"),
            ("pledge", "yes"),
        ] {
            a.set(AID, field, value).unwrap();
        }
        assert_eq!(a.next_question(AID).map(|f| f.id), Some("opponent"));
        a.finish(AID).unwrap();
        assert_eq!(a.get(AID_HARDSHIP_BASIS), Some(NONE_OF_THESE));
    }

    #[test]
    fn finish_names_the_missing_field_and_drops_skipped_answers() {
        let mut a = Answers::default();
        a.set(AID, PHONE, "13900001234").unwrap();
        let err = a.clone().finish(AID).unwrap_err();
        assert_eq!(
            err,
            AnswerError::Missing {
                field: "on_behalf",
                label: "代为申请"
            }
        );
        a.set(AID, "on_behalf", "yes").unwrap();
        a.set(AID, "principal_name", "张三").unwrap();
        a.set(AID, "on_behalf", "no").unwrap();
        let _ = a.finish(AID);
        assert_eq!(a.get("principal_name"), None);
    }
}
