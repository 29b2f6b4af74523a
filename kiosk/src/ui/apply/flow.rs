//! The draft of one application, as a pure state machine: no window, no device, no clock.
//!
//! The screens follow one another: the kind is chosen (or given by the legal-aid self-check, whose
//! answers are carried over and not asked again); the applicant comes from the ID card or is typed; the
//! questions come one per screen (back goes to the previous one with its answer kept; an optional
//! question may be skipped); then a page or more for each paper the answers require; the signature; the
//! review in large type, from which any answer can be changed; and the finished
//! [`Application`]. Everything lives in memory and is dropped with the draft at the session's end.

use std::collections::BTreeSet;

use applications::{
    Answers, Applicant, Application, ApplicationKind, DocumentShortfall, Page, RequiredDocument,
    SelfCheckCarry, TrackingCode,
    form::{self, Choice, Choices, Field, FieldType},
    missing_documents, required_documents,
};
use chrono::{DateTime, Utc};

use super::signature::Signature;

/// A choice whose labels come from the published content (the legal-aid matters and groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentChoice {
    /// The value stored.
    pub id: String,
    /// The label in Simplified Chinese.
    pub zh: String,
    /// The label in English.
    pub en: String,
}

/// The choices the content gives: the legal-aid matters, and the exempt groups with the situations
/// without the hardship condition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentChoices {
    /// `legal_aid.matters`, then "other".
    pub aid_matters: Vec<ContentChoice>,
    /// `legal_aid.check_exempt` and `legal_aid.no_hardship_condition`, then "none of these".
    pub aid_hardship_basis: Vec<ContentChoice>,
}

impl ContentChoices {
    /// The choices of the content's legal-aid rules.
    pub fn from_rules(rules: &content::LegalAidRules) -> Self {
        let entry = |id: &str, zh: &str, en: &str| ContentChoice {
            id: id.to_owned(),
            zh: zh.to_owned(),
            en: en.to_owned(),
        };
        let mut aid_matters: Vec<_> = rules
            .matters
            .iter()
            .map(|m| entry(&m.id, &m.name.zh, &m.name.en))
            .collect();
        aid_matters.push(entry(
            form::OTHER,
            "其他事项或不确定",
            "Another matter, or not sure",
        ));
        let mut aid_hardship_basis: Vec<_> = rules
            .check_exempt
            .iter()
            .chain(&rules.no_hardship_condition)
            .map(|g| entry(&g.id, &g.name.zh, &g.name.en))
            .collect();
        aid_hardship_basis.push(entry(form::NONE_OF_THESE, "都不是", "None of these"));
        Self {
            aid_matters,
            aid_hardship_basis,
        }
    }

    /// The choices of `field`: fixed ones from the form, the others from the content.
    pub fn of(&self, field: &Field) -> Vec<ContentChoice> {
        let fixed = |choices: &[Choice]| {
            choices
                .iter()
                .map(|c| ContentChoice {
                    id: c.id.into(),
                    zh: c.zh.into(),
                    en: c.en.into(),
                })
                .collect()
        };
        match field.field_type {
            FieldType::Choice(Choices::Fixed(choices)) => fixed(choices),
            FieldType::Choice(Choices::AidMatters) => self.aid_matters.clone(),
            FieldType::Choice(Choices::AidHardshipBasis) => self.aid_hardship_basis.clone(),
            FieldType::YesNo => vec![
                ContentChoice {
                    id: "yes".into(),
                    zh: "是".into(),
                    en: "Yes".into(),
                },
                ContentChoice {
                    id: "no".into(),
                    zh: "否".into(),
                    en: "No".into(),
                },
            ],
            _ => Vec::new(),
        }
    }

    /// The answer `value` of `field` as the citizen reads it (a choice's label, a number with its
    /// unit), in English when `english`.
    pub fn display(&self, field: &Field, value: &str, english: bool) -> String {
        match field.field_type {
            FieldType::Choice(_) | FieldType::YesNo => self
                .of(field)
                .into_iter()
                .find(|c| c.id == value)
                .map_or_else(|| value.to_owned(), |c| if english { c.en } else { c.zh }),
            FieldType::Number { unit_zh, .. } if !english => format!("{value} {unit_zh}"),
            FieldType::Pledge if english => "Promised".to_owned(),
            FieldType::Pledge => "已承诺".to_owned(),
            _ => value.to_owned(),
        }
    }
}

/// One line of the review screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    /// The field (to change its answer), empty for the applicant's lines.
    pub field: &'static str,
    /// The label.
    pub label: String,
    /// The answer as shown (masked for the applicant).
    pub value: String,
}

/// Why the application cannot be sent yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    /// No applicant.
    #[error("no applicant: place the ID card or type the name and ID number")]
    NoApplicant,
    /// An answer is missing or wrong.
    #[error("{0}")]
    Answer(#[from] applications::AnswerError),
    /// Papers without a page.
    #[error("no page yet for: {}", .0.iter().map(|d| d.zh.as_str()).collect::<Vec<_>>().join("、"))]
    Papers(Vec<DocumentShortfall>),
    /// The signature is blank.
    #[error("the signature is missing")]
    NoSignature,
}

impl NotReady {
    /// The message for the screen, in Simplified Chinese.
    pub fn zh(&self) -> String {
        match self {
            Self::NoApplicant => "请放上身份证，或填写姓名和身份证号码".to_owned(),
            Self::Answer(err) => err.zh(),
            Self::Papers(missing) => format!(
                "还缺这些材料：{}",
                missing
                    .iter()
                    .map(|d| d.zh.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            Self::NoSignature => "请在框内签名".to_owned(),
        }
    }
}

/// One application being made.
#[derive(Debug)]
pub struct Draft {
    kind: ApplicationKind,
    applicant: Option<Applicant>,
    answers: Answers,
    carried: BTreeSet<&'static str>,
    position: usize,
    pages: Vec<Page>,
    /// The signature drawn.
    pub signature: Signature,
}

impl Draft {
    /// A new draft of `kind`, with the self-check's answers when it comes from there.
    pub fn new(kind: ApplicationKind, carry: Option<&SelfCheckCarry>) -> Self {
        let answers = match (kind, carry) {
            (ApplicationKind::LegalAid, Some(carry)) => Answers::carried(carry),
            _ => Answers::default(),
        };
        let carried = form::fields(kind)
            .iter()
            .filter(|f| answers.get(f.id).is_some())
            .map(|f| f.id)
            .collect();
        let mut draft = Self {
            kind,
            applicant: None,
            answers,
            carried,
            position: 0,
            pages: Vec::new(),
            signature: Signature::default(),
        };
        draft.skip_carried();
        draft
    }

    /// What is applied for.
    pub fn kind(&self) -> ApplicationKind {
        self.kind
    }

    /// The applicant, once known.
    pub fn applicant(&self) -> Option<&Applicant> {
        self.applicant.as_ref()
    }

    /// Sets the applicant (from the card, or typed).
    pub fn set_applicant(&mut self, applicant: Applicant) {
        self.applicant = Some(applicant);
    }

    /// The answers so far.
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// The questions asked given the answers so far.
    fn asked(&self) -> Vec<&'static Field> {
        self.answers.asked(self.kind)
    }

    fn skip_carried(&mut self) {
        let asked = self.asked();
        while asked
            .get(self.position)
            .is_some_and(|f| self.carried.contains(f.id))
        {
            self.position += 1;
        }
    }

    /// The question on screen, with its number and the count (both 1-based, for 第2题/共9题); none
    /// when every question is answered.
    pub fn question(&self) -> Option<(&'static Field, usize, usize)> {
        let asked = self.asked();
        asked
            .get(self.position)
            .map(|f| (*f, self.position + 1, asked.len()))
    }

    /// Answers the question on screen and moves to the next one.
    pub fn answer(&mut self, value: &str) -> Result<(), applications::AnswerError> {
        let Some((field, ..)) = self.question() else {
            return Ok(());
        };
        self.answers.set(self.kind, field.id, value)?;
        self.carried.remove(field.id);
        self.position += 1;
        self.skip_carried();
        Ok(())
    }

    /// Leaves the optional question on screen empty and moves on; refused for a required one.
    pub fn skip(&mut self) -> Result<(), applications::AnswerError> {
        match self.question() {
            Some((field, ..)) if !field.required => {
                self.answers.clear(field.id);
                self.position += 1;
                self.skip_carried();
                Ok(())
            }
            Some((field, ..)) => Err(applications::AnswerError::Missing {
                field: field.id,
                label: field.label_zh,
            }),
            None => Ok(()),
        }
    }

    /// Goes back one question (its answer kept for editing). False when on the first question.
    pub fn back(&mut self) -> bool {
        if self.position == 0 {
            return false;
        }
        self.position -= 1;
        true
    }

    /// Goes to question `field` (from the review screen). False when it is not asked.
    pub fn revisit(&mut self, field: &str) -> bool {
        match self.asked().iter().position(|f| f.id == field) {
            Some(position) => {
                self.position = position;
                self.carried.remove(field);
                true
            }
            None => false,
        }
    }

    /// Moves past every question (back to the review after an edit, when nothing new is asked).
    pub fn to_end(&mut self) {
        let asked = self.asked();
        self.position = asked
            .iter()
            .position(|f| f.required && self.answers.get(f.id).is_none())
            .unwrap_or(asked.len());
    }

    /// The papers the answers require.
    pub fn documents(&self) -> Vec<RequiredDocument> {
        required_documents(self.kind, &self.answers)
    }

    /// Adds a page to paper `document`.
    pub fn add_page(&mut self, document: &str, jpeg: Vec<u8>) {
        self.pages.push(Page {
            document: document.to_owned(),
            jpeg,
        });
    }

    /// Removes the `index`-th page of `document` (a retake). False when there is none.
    pub fn remove_page(&mut self, document: &str, index: usize) -> bool {
        let Some(at) = self
            .pages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.document == document)
            .map(|(i, _)| i)
            .nth(index)
        else {
            return false;
        };
        self.pages.remove(at);
        true
    }

    /// The pages of `document`.
    pub fn pages_of(&self, document: &str) -> Vec<&Page> {
        self.pages
            .iter()
            .filter(|p| p.document == document)
            .collect()
    }

    /// The required papers that have no page yet.
    pub fn missing_papers(&self) -> Vec<DocumentShortfall> {
        let docs = self.documents();
        missing_documents(&docs, self.pages.iter().map(|p| p.document.as_str()))
    }

    /// The review screen's lines: the applicant (masked), then every answer asked; in English
    /// (the questions as labels) when `english`.
    pub fn review(&self, choices: &ContentChoices, english: bool) -> Vec<ReviewRow> {
        let pick = |zh: &str, en: &str| {
            if english {
                en.to_owned()
            } else {
                zh.to_owned()
            }
        };
        let mut rows = Vec::new();
        if let Some(a) = &self.applicant {
            rows.push(ReviewRow {
                field: "",
                label: pick("申请人", "Applicant"),
                value: a.masked_name(),
            });
            rows.push(ReviewRow {
                field: "",
                label: pick("身份证号码", "ID number"),
                value: a.masked_id_number(),
            });
        }
        for field in self.asked() {
            let value = self.answers.get(field.id).map_or_else(
                || pick("（未填）", "(left empty)"),
                |v| choices.display(field, v, english),
            );
            rows.push(ReviewRow {
                field: field.id,
                label: pick(field.label_zh, field.en),
                value,
            });
        }
        rows
    }

    /// Checks that the draft can be sent: the applicant, every answer, a page for every required
    /// paper and the signature, in that order.
    pub fn check(&self) -> Result<(), NotReady> {
        if self.applicant.is_none() {
            return Err(NotReady::NoApplicant);
        }
        self.answers.clone().finish(self.kind)?;
        let missing = self.missing_papers();
        if !missing.is_empty() {
            return Err(NotReady::Papers(missing));
        }
        if self.signature.is_blank() {
            return Err(NotReady::NoSignature);
        }
        Ok(())
    }

    /// The finished application, with `code`, made at `now` on `device`; the pages of papers no
    /// longer required are left out.
    pub fn finish(
        &self,
        code: TrackingCode,
        now: DateTime<Utc>,
        device: &str,
    ) -> Result<Application, NotReady> {
        self.check()?;
        let applicant = self.applicant.clone().ok_or(NotReady::NoApplicant)?;
        let mut answers = self.answers.clone();
        answers.finish(self.kind)?;
        let documents = self.documents();
        let pages = self
            .pages
            .iter()
            .filter(|p| documents.iter().any(|d| d.id == p.document))
            .cloned()
            .collect();
        let signature_png = self
            .signature
            .to_png(800, 300)
            .map_err(|_| NotReady::NoSignature)?;
        Ok(Application {
            code,
            kind: self.kind,
            made_at: now,
            device: device.to_owned(),
            applicant,
            answers,
            documents,
            pages,
            signature_png,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applicant() -> Applicant {
        Applicant {
            name: "王秀英".into(),
            sex: "女".into(),
            ethnicity: "土家".into(),
            birth_date: "1951-03-04".into(),
            id_number: "990101195103049993".into(),
            address: "重庆市黔江区".into(),
            from_card: true,
        }
    }

    fn sign(draft: &mut Draft) {
        draft.signature.start(0.1, 0.5);
        draft.signature.extend(0.9, 0.6);
    }

    #[test]
    fn a_legal_aid_application_from_the_self_check_skips_what_was_answered() {
        let carry = SelfCheckCarry {
            matter: Some("wages".into()),
            hardship_basis: Some(form::NONE_OF_THESE.into()),
            income_per_person: Some(800),
        };
        let mut d = Draft::new(ApplicationKind::LegalAid, Some(&carry));
        let mut seen = Vec::new();
        let answers = [
            ("phone", "13912345678"),
            ("on_behalf", "no"),
            ("stage", "arbitration"),
            ("facts", "工地老板欠工资八千元"),
            ("household_size", "3"),
            ("pledge", "yes"),
        ];
        while let Some((field, number, total)) = d.question() {
            seen.push((field.id, number, total));
            if field.id == "opponent" {
                d.skip().unwrap();
                continue;
            }
            let value = answers.iter().find(|(f, _)| *f == field.id).unwrap().1;
            d.answer(value).unwrap();
        }
        let ids: Vec<_> = seen.iter().map(|s| s.0).collect();
        assert_eq!(
            ids,
            [
                "phone",
                "on_behalf",
                "stage",
                "opponent",
                "facts",
                "household_size",
                "pledge"
            ]
        );
        assert!(!ids.contains(&"matter") && !ids.contains(&"income_per_person"));
        let docs: Vec<_> = d.documents().into_iter().map(|d| d.id).collect();
        assert_eq!(docs, ["id_card", "hardship_statement", "case_papers"]);
        assert_eq!(d.check(), Err(NotReady::NoApplicant));
        d.set_applicant(applicant());
        let err = d.check().unwrap_err();
        assert_eq!(
            err.zh(),
            "还缺这些材料：居民身份证（正反两面）、经济困难状况说明（可以是个人诚信承诺）、与申请事项有关的材料（如欠条、合同、判决书、病历）"
        );
        for doc in ["id_card", "hardship_statement", "case_papers"] {
            d.add_page(doc, vec![0xff, 0xd8]);
        }
        assert_eq!(d.check(), Err(NotReady::NoSignature));
        sign(&mut d);
        let app = d
            .finish(TrackingCode::from_random([9; 5]), Utc::now(), "kiosk-1")
            .unwrap();
        assert_eq!(app.pages.len(), 3);
        assert_eq!(app.answers.get("matter"), Some("wages"));
        let review = d.review(&ContentChoices::default(), false);
        assert_eq!(review[0].value, "王*英");
        assert_eq!(review[1].value, "990***********9993");
        assert!(
            review
                .iter()
                .any(|r| r.label == "对方当事人" && r.value == "（未填）")
        );
    }

    #[test]
    fn back_keeps_answers_and_a_changed_answer_changes_the_questions_and_papers() {
        let mut d = Draft::new(ApplicationKind::Notary, None);
        d.answer("13912345678").unwrap();
        d.answer("other").unwrap();
        assert_eq!(d.question().unwrap().0.id, "matter_detail");
        assert!(d.back());
        assert_eq!(d.question().unwrap().0.id, "matter");
        assert_eq!(d.answers().get("matter"), Some("other"));
        d.answer("inheritance").unwrap();
        assert_eq!(
            d.question().unwrap().0.id,
            "use",
            "the detail is no longer asked"
        );
        assert_eq!(d.documents().len(), 4);
        assert!(d.answer("moon").is_err(), "a choice not offered is refused");
        assert_eq!(d.question().unwrap().0.id, "use");
        assert!(d.skip().is_err(), "a required question cannot be skipped");
    }

    #[test]
    fn a_retake_replaces_a_page_and_stale_pages_are_not_sent() {
        let mut d = Draft::new(ApplicationKind::Notary, None);
        for v in ["13912345678", "education", "domestic"] {
            d.answer(v).unwrap();
        }
        d.skip().unwrap();
        d.skip().unwrap();
        assert!(d.question().is_none());
        d.add_page("id_card", vec![1]);
        d.add_page("diploma", vec![2]);
        d.add_page("diploma", vec![3]);
        assert!(d.remove_page("diploma", 0));
        assert_eq!(d.pages_of("diploma")[0].jpeg, vec![3]);
        assert!(!d.remove_page("diploma", 5));
        assert!(d.revisit("matter"));
        d.answer("no_criminal_record").unwrap();
        d.to_end();
        assert!(d.question().is_none());
        d.add_page("record_certificate", vec![4]);
        d.set_applicant(applicant());
        sign(&mut d);
        let app = d
            .finish(TrackingCode::from_random([1; 5]), Utc::now(), "k")
            .unwrap();
        let docs: Vec<_> = app.pages.iter().map(|p| p.document.as_str()).collect();
        assert_eq!(
            docs,
            ["id_card", "record_certificate"],
            "the diploma page is not sent"
        );
    }
}
