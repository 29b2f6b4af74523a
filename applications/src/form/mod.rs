//! The questions of each kind of application, one per screen, in plain words.
//!
//! A form is a fixed list of [`Field`]s. The kiosk shows the first field that is
//! [asked](crate::Answers::asked) and not yet answered; the citizen may go back. Questions about the
//! applicant (name, sex, ethnicity, birth date, ID number, address) are not here: they come from the ID
//! card, or are typed once on the applicant screen ([`crate::Applicant`]).
//!
//! The legal-aid form follows the fields of the official 法律援助申请表 (the matter, the stage, the other
//! side, the facts and reasons, the household's finances, an agent applying for someone else, the
//! good-faith pledge of art. 41); the mediation form those of a 人民调解申请书 (the other party, the
//! kind of dispute, what happened, what is asked); the notary appointment the matter, its use, the
//! other parties and a preferred day.

mod legal_aid;
mod mediation;
mod notary;

use crate::ApplicationKind;

/// One choice of a [`FieldType::Choice`] question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The value stored as the answer.
    pub id: &'static str,
    /// The label in Simplified Chinese.
    pub zh: &'static str,
    /// The label in English.
    pub en: &'static str,
}

/// Where the choices of a question come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choices {
    /// Fixed in this crate.
    Fixed(&'static [Choice]),
    /// The legal-aid matters of the published content (`legal_aid.matters`), plus "other".
    AidMatters,
    /// The groups exempt from the hardship check and the situations without the hardship condition of
    /// the published content, plus "none of these".
    AidHardshipBasis,
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Free text typed on the pinyin keyboard, at most `max_chars` characters.
    Text {
        /// The longest answer, in characters.
        max_chars: usize,
        /// Several lines (what happened, what is asked).
        multiline: bool,
    },
    /// One of a list.
    Choice(Choices),
    /// Yes or no (`yes`, `no`).
    YesNo,
    /// A whole number between `min` and `max`, in `unit_zh`.
    Number {
        /// The smallest value.
        min: u32,
        /// The largest value.
        max: u32,
        /// The unit in Simplified Chinese (人, 元).
        unit_zh: &'static str,
    },
    /// A mainland mobile or fixed-line number.
    Phone,
    /// A calendar day (`YYYY-MM-DD`).
    Date,
    /// A statement that must be accepted (`yes`) to go on: the good-faith pledge.
    Pledge,
}

/// When a question is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Always.
    Always,
    /// Only when the field `field` was answered `value`.
    Equals {
        /// The other field.
        field: &'static str,
        /// Its answer.
        value: &'static str,
    },
    /// Only when the field `field` was not answered `value` (or not at all).
    NotEquals {
        /// The other field.
        field: &'static str,
        /// The answer that skips this question.
        value: &'static str,
    },
    /// Only when the legal-aid hardship basis is "none of these": the household's finances matter.
    HardshipCounts,
}

/// One question of a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The key of the answer.
    pub id: &'static str,
    /// The question in plain Simplified Chinese.
    pub zh: &'static str,
    /// The question in English.
    pub en: &'static str,
    /// A short help line in Simplified Chinese (what to write, an example).
    pub help_zh: &'static str,
    /// The help line in English.
    pub help_en: &'static str,
    /// The kind of answer.
    pub field_type: FieldType,
    /// Whether an answer is needed to send the application.
    pub required: bool,
    /// When the question is asked.
    pub condition: Condition,
    /// The label on the review screen and on the centre's page (短, e.g. 联系电话).
    pub label_zh: &'static str,
}

impl Field {
    /// The fixed choices of a choice question (empty for content-given or other questions).
    pub fn fixed_choices(&self) -> &'static [Choice] {
        match self.field_type {
            FieldType::Choice(Choices::Fixed(choices)) => choices,
            _ => &[],
        }
    }
}

/// The answer "none of these" to a list of groups or situations.
pub const NONE_OF_THESE: &str = "none";
/// The answer "another matter" to a list of matters.
pub const OTHER: &str = "other";
/// The field of the citizen's telephone number (every form has one).
pub const PHONE: &str = "phone";
/// The field "applying for someone else" (legal aid).
pub const ON_BEHALF: &str = legal_aid::ON_BEHALF;
/// The legal-aid field of the matter.
pub const AID_MATTER: &str = legal_aid::MATTER;
/// The legal-aid field of the hardship basis (exempt group, no-hardship situation or none).
pub const AID_HARDSHIP_BASIS: &str = legal_aid::HARDSHIP_BASIS;
/// The legal-aid field of the monthly income per household member.
pub const AID_INCOME: &str = legal_aid::INCOME;
/// The notary field of the matter.
pub const NOTARY_MATTER: &str = notary::MATTER;

/// The questions of `kind`, in order.
pub fn fields(kind: ApplicationKind) -> &'static [Field] {
    match kind {
        ApplicationKind::LegalAid => legal_aid::FIELDS,
        ApplicationKind::Mediation => mediation::FIELDS,
        ApplicationKind::Notary => notary::FIELDS,
    }
}

/// The question `id` of `kind`.
pub fn field(kind: ApplicationKind, id: &str) -> Option<&'static Field> {
    fields(kind).iter().find(|f| f.id == id)
}

/// The label of the fixed choice `value` of `field`, in Simplified Chinese (the value itself when it is
/// not a fixed choice).
pub fn choice_label_zh<'a>(field: &Field, value: &'a str) -> &'a str {
    field
        .fixed_choices()
        .iter()
        .find(|c| c.id == value)
        .map_or(value, |c| c.zh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_has_a_phone_and_unique_ids() {
        for kind in ApplicationKind::ALL {
            let ids: Vec<_> = fields(kind).iter().map(|f| f.id).collect();
            assert!(ids.contains(&PHONE), "{kind:?}");
            let mut unique = ids.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), ids.len(), "{kind:?} repeats a field id");
        }
    }

    #[test]
    fn conditions_name_fields_of_the_same_form() {
        for kind in ApplicationKind::ALL {
            for f in fields(kind) {
                if let Condition::Equals { field: other, .. }
                | Condition::NotEquals { field: other, .. } = f.condition
                {
                    assert!(
                        field(kind, other).is_some(),
                        "{kind:?}.{} names {other}",
                        f.id
                    );
                }
            }
        }
    }
}
