//! The legal-aid self-check (法律援助自查) as a pure function of the published [`LegalAidRules`] and the
//! citizen's answers: which question comes next, and, once enough is known, a [`Verdict`] with its
//! reasons and the further help that fits it.
//!
//! Every list, article and figure comes from the rules (content data); this module only holds the order
//! of the questions, which follows the Legal Aid Law's structure:
//!
//! 1. the **matter** (`matters`; "other / not sure" is a valid answer);
//! 2. whether the matter already has a **lawyer or other agent** (`no_representative`): arts. 24, 25,
//!    29, 31 and 33 name people who have none, so someone who has one is told so plainly (and pointed
//!    to free consultation);
//! 3. for the defence of a criminal suspect or defendant (a `criminal` matter without a hardship
//!    condition), whether the person is in a **mandatory-defence** group (`mandatory_defence`): then the
//!    court, procuratorate or police arrange a defender and no application is needed;
//! 4. whether a situation **without the hardship condition** applies (`no_hardship_condition`);
//! 5. whether the applicant is in a group **exempt from the hardship check** (`check_exempt`);
//! 6. the household's **monthly income per person** against the standard
//!    (`hardship_standard.monthly_income_per_person_yuan`). While the standard has no figure, this
//!    question is not asked: the verdict is "ask at the window" and the page shows the standard's note.
//!
//! A group whose `applies_to_matters` does not name the chosen matter is not offered (art. 42(3) exempts
//! migrant workers only for wage and work-injury claims), and a question left with nothing to offer, or
//! whose answer cannot change the outcome, is skipped. An income at or below the figure counts as
//! hardship. The verdict is guidance only; the legal-aid body decides.

pub use super::model::AidNote;
use super::model::{AidGroup, AidMatter, LegalAidRules, Text};

/// The category of matters whose defence may be arranged without an application.
const CRIMINAL: &str = "criminal";

/// The categories a matter may have: `criminal`, `civil`, `administrative`, and `general` for matters
/// of every kind of case (a retrial under art. 33).
pub const CATEGORIES: [&str; 4] = [CRIMINAL, "civil", "administrative", "general"];

/// A question of the self-check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// What the matter is about.
    Matter,
    /// Whether the matter already has a lawyer or other agent.
    Representative,
    /// Whether the suspect or defendant is in a mandatory-defence group.
    MandatoryDefence,
    /// Whether a situation without the economic-hardship condition applies.
    NoHardshipCondition,
    /// Whether the applicant is in a group exempt from the hardship check.
    CheckExempt,
    /// The household's monthly income per person.
    Income,
}

/// The answer to the matter question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatterAnswer {
    /// One of the published matters, by id.
    Listed(String),
    /// Another matter, or the citizen is not sure.
    OtherOrNotSure,
}

/// The answer to whether the matter already has a lawyer or other agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepresentativeAnswer {
    /// No lawyer or agent yet.
    NoneYet,
    /// A lawyer or other agent (defence lawyer, agent ad litem) already acts in the matter.
    AlreadyHas,
    /// The citizen is not sure.
    NotSure,
}

/// The answer to a question listing groups or situations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupAnswer {
    /// This group or situation (by id) applies.
    Applies(String),
    /// None of them applies, or the citizen is not sure.
    NoneOfThese,
}

/// The answer to the income question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomeAnswer {
    /// Monthly income per household member, in yuan.
    PerPersonYuan(u32),
    /// The citizen does not know or prefers not to say.
    NotSure,
}

/// The answers given so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    /// The matter.
    pub matter: Option<MatterAnswer>,
    /// Whether a lawyer or other agent already acts in the matter.
    pub representative: Option<RepresentativeAnswer>,
    /// The mandatory-defence group.
    pub mandatory_defence: Option<GroupAnswer>,
    /// The situation without the hardship condition.
    pub no_hardship_condition: Option<GroupAnswer>,
    /// The group exempt from the hardship check.
    pub check_exempt: Option<GroupAnswer>,
    /// The income.
    pub income: Option<IncomeAnswer>,
}

impl Answers {
    /// Forgets the answer to `question`.
    pub fn clear(&mut self, question: Question) {
        match question {
            Question::Matter => self.matter = None,
            Question::Representative => self.representative = None,
            Question::MandatoryDefence => self.mandatory_defence = None,
            Question::NoHardshipCondition => self.no_hardship_condition = None,
            Question::CheckExempt => self.check_exempt = None,
            Question::Income => self.income = None,
        }
    }
}

/// What the self-check concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Legal aid is likely to be granted (or arranged without an application).
    LikelyEligible,
    /// Legal aid is likely to be refused.
    LikelyNotEligible,
    /// The self-check cannot tell: ask at the legal-aid window.
    AskAtWindow,
    /// A lawyer or other agent already acts in the matter: legal aid is, as a rule, not given.
    AlreadyRepresented,
}

/// Why the self-check concluded what it did; each names the data it rests on.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The matter is one for which aid may be requested.
    Matter(AidMatter),
    /// The matter is not among the published ones, or the citizen is not sure.
    MatterNotListed,
    /// A lawyer or other agent already acts in the matter (the condition it fails).
    HasRepresentative(AidNote),
    /// The citizen is not sure whether a lawyer or agent acts in the matter (the condition to check).
    RepresentativeNotKnown(AidNote),
    /// The suspect or defendant is in a mandatory-defence group.
    MandatoryDefence(AidGroup),
    /// A situation without the economic-hardship condition applies.
    NoHardshipCondition(AidGroup),
    /// The applicant is in a group exempt from the hardship check (with proof of the status).
    CheckExempt(AidGroup),
    /// The hardship standard has no figure on this device.
    NoStandardFigure,
    /// The citizen did not give an income.
    IncomeNotGiven,
    /// The income is at or below the standard.
    IncomeWithinStandard {
        /// Income per person per month, yuan.
        income: u32,
        /// The standard, yuan per person per month.
        standard: u32,
    },
    /// The income is above the standard.
    IncomeAboveStandard {
        /// Income per person per month, yuan.
        income: u32,
        /// The standard, yuan per person per month.
        standard: u32,
    },
}

impl Reason {
    /// The article of the Legal Aid Law the reason rests on, in Chinese, when the rules name one.
    pub fn article(&self) -> Option<&str> {
        self.articles().map(|(zh, _)| zh)
    }

    /// The same article in English ("Legal Aid Law art. 31(5)"), when the rules name one.
    pub fn article_en(&self) -> Option<&str> {
        self.articles()
            .map(|(_, en)| en)
            .filter(|en| !en.is_empty())
    }

    fn articles(&self) -> Option<(&str, &str)> {
        match self {
            Self::Matter(matter) => Some((&matter.article, &matter.article_en)),
            Self::HasRepresentative(note) | Self::RepresentativeNotKnown(note) => {
                Some((&note.article, &note.article_en))
            }
            Self::MandatoryDefence(group)
            | Self::NoHardshipCondition(group)
            | Self::CheckExempt(group) => Some((&group.article, &group.article_en)),
            _ => None,
        }
    }
}

/// Further help a result points to, with the article it rests on.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// The police, procuratorate and court must tell parties of their right to apply (art. 35):
    /// criminal results.
    RightToBeTold(AidNote),
    /// Duty lawyers help suspects and defendants without a defence lawyer (art. 30): the results for
    /// a suspect's or defendant's defence.
    DutyLawyer(AidNote),
    /// Legal consultation is free (art. 23): criminal results and every result other than "likely
    /// eligible".
    FreeConsultation(AidNote),
}

impl Note {
    /// The text and article.
    pub fn note(&self) -> &AidNote {
        match self {
            Self::RightToBeTold(note) | Self::DutyLawyer(note) | Self::FreeConsultation(note) => {
                note
            }
        }
    }
}

/// The conclusion with its reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The outcome.
    pub outcome: Outcome,
    /// The reasons, most important first.
    pub reasons: Vec<Reason>,
    /// Further help that fits the outcome.
    pub notes: Vec<Note>,
    /// The court, procuratorate or police arrange a defender: no application is needed.
    pub defender_arranged: bool,
    /// The matter is criminal: the page lists the mandatory-defence groups.
    pub criminal: bool,
}

/// Where the self-check stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// This question must be answered next.
    Ask(Question),
    /// Enough is known.
    Done(Verdict),
}

/// An answer that does not fit the rules (e.g. content changed under the citizen's answers).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// An answer names an id that the rules do not have.
    #[error("the answer to {question:?} names {id:?}, which the legal-aid rules do not list")]
    UnknownId {
        /// The question.
        question: Question,
        /// The id given.
        id: String,
    },
    /// An answer names a group whose rule is limited to other matters than the one chosen.
    #[error(
        "the answer to {question:?} names {id:?}, which does not apply to the matter {matter:?}"
    )]
    NotForThisMatter {
        /// The question.
        question: Question,
        /// The id given.
        id: String,
        /// The matter chosen (`None`: "other / not sure").
        matter: Option<String>,
    },
}

/// The matter the answers name: `Ok(None)` while unanswered or for "other / not sure".
fn chosen_matter<'r>(
    rules: &'r LegalAidRules,
    answers: &Answers,
) -> Result<Option<&'r AidMatter>, CheckError> {
    match &answers.matter {
        Some(MatterAnswer::Listed(id)) => rules
            .matters
            .iter()
            .find(|m| &m.id == id)
            .map(Some)
            .ok_or_else(|| CheckError::UnknownId {
                question: Question::Matter,
                id: id.clone(),
            }),
        Some(MatterAnswer::OtherOrNotSure) | None => Ok(None),
    }
}

/// The groups a group question offers for the matter answered so far, in the rules' order (empty for
/// the other questions, and when the matter names no published one).
pub fn offered<'r>(
    rules: &'r LegalAidRules,
    answers: &Answers,
    question: Question,
) -> Vec<&'r AidGroup> {
    let groups: &[AidGroup] = match question {
        Question::MandatoryDefence => &rules.mandatory_defence,
        Question::NoHardshipCondition => &rules.no_hardship_condition,
        Question::CheckExempt => &rules.check_exempt,
        Question::Matter | Question::Representative | Question::Income => &[],
    };
    let Ok(matter) = chosen_matter(rules, answers) else {
        return Vec::new();
    };
    let matter_id = matter.map(|m| m.id.as_str());
    groups.iter().filter(|g| g.applies_to(matter_id)).collect()
}

/// The next step for `answers` under `rules`: the next question, or the verdict.
pub fn step(rules: &LegalAidRules, answers: &Answers) -> Result<Step, CheckError> {
    if answers.matter.is_none() {
        return Ok(Step::Ask(Question::Matter));
    }
    let matter = chosen_matter(rules, answers)?;
    let criminal = matter.is_some_and(|m| m.category == CRIMINAL);
    let defence = criminal && matter.is_some_and(|m| !m.hardship_required);
    let done = |outcome, mut reasons: Vec<Reason>, defender_arranged| {
        if let (Some(note), Some(RepresentativeAnswer::NotSure)) =
            (&rules.no_representative, answers.representative)
        {
            reasons.push(Reason::RepresentativeNotKnown(note.clone()));
        }
        Ok(Step::Done(Verdict {
            notes: notes(rules, outcome, criminal, defence),
            outcome,
            reasons,
            defender_arranged,
            criminal,
        }))
    };
    let mut reasons: Vec<Reason> = matter
        .map(|m| Reason::Matter(m.clone()))
        .into_iter()
        .collect();

    if let Some(condition) = &rules.no_representative {
        match answers.representative {
            None => return Ok(Step::Ask(Question::Representative)),
            Some(RepresentativeAnswer::AlreadyHas) => {
                reasons.insert(0, Reason::HasRepresentative(condition.clone()));
                return done(Outcome::AlreadyRepresented, reasons, false);
            }
            Some(RepresentativeAnswer::NoneYet | RepresentativeAnswer::NotSure) => {}
        }
    }

    if let Some(matter) = matter.filter(|m| !m.hardship_required) {
        if criminal {
            match group(rules, answers, Question::MandatoryDefence)? {
                None => return Ok(Step::Ask(Question::MandatoryDefence)),
                Some(Some(group)) => {
                    let reasons = vec![
                        Reason::MandatoryDefence(group.clone()),
                        Reason::Matter(matter.clone()),
                    ];
                    return done(Outcome::LikelyEligible, reasons, true);
                }
                Some(None) => {}
            }
        }
        return done(Outcome::LikelyEligible, reasons, false);
    }

    match group(rules, answers, Question::NoHardshipCondition)? {
        None => return Ok(Step::Ask(Question::NoHardshipCondition)),
        Some(Some(group)) => {
            reasons.insert(0, Reason::NoHardshipCondition(group.clone()));
            return done(Outcome::LikelyEligible, reasons, false);
        }
        Some(None) => {}
    }

    if matter.is_none() {
        return done(Outcome::AskAtWindow, vec![Reason::MatterNotListed], false);
    }

    match group(rules, answers, Question::CheckExempt)? {
        None => return Ok(Step::Ask(Question::CheckExempt)),
        Some(Some(group)) => {
            reasons.push(Reason::CheckExempt(group.clone()));
            return done(Outcome::LikelyEligible, reasons, false);
        }
        Some(None) => {}
    }

    let Some(standard) = rules.hardship_standard.monthly_income_per_person_yuan else {
        reasons.push(Reason::NoStandardFigure);
        return done(Outcome::AskAtWindow, reasons, false);
    };
    match answers.income {
        None => Ok(Step::Ask(Question::Income)),
        Some(IncomeAnswer::NotSure) => {
            reasons.push(Reason::IncomeNotGiven);
            done(Outcome::AskAtWindow, reasons, false)
        }
        Some(IncomeAnswer::PerPersonYuan(income)) if income <= standard => {
            reasons.push(Reason::IncomeWithinStandard { income, standard });
            done(Outcome::LikelyEligible, reasons, false)
        }
        Some(IncomeAnswer::PerPersonYuan(income)) => {
            reasons.push(Reason::IncomeAboveStandard { income, standard });
            done(Outcome::LikelyNotEligible, reasons, false)
        }
    }
}

/// The further help for a result: the duty to tell and the duty lawyer for criminal matters (not when a
/// lawyer already acts), free consultation for criminal matters and whenever aid is not likely.
fn notes(rules: &LegalAidRules, outcome: Outcome, criminal: bool, defence: bool) -> Vec<Note> {
    let represented = outcome == Outcome::AlreadyRepresented;
    let mut notes = Vec::new();
    if criminal && !represented {
        notes.extend(rules.right_to_be_told.clone().map(Note::RightToBeTold));
    }
    if defence && !represented {
        notes.extend(rules.duty_lawyer.clone().map(Note::DutyLawyer));
    }
    if criminal || outcome != Outcome::LikelyEligible {
        notes.extend(rules.free_consultation.clone().map(Note::FreeConsultation));
    }
    notes
}

/// The group a group question's answer names: `Ok(None)` when the question must be asked,
/// `Some(None)` for "none of these" and when the question offers nothing for the matter (it is
/// skipped).
fn group<'r>(
    rules: &'r LegalAidRules,
    answers: &Answers,
    question: Question,
) -> Result<Option<Option<&'r AidGroup>>, CheckError> {
    let (all, answer) = match question {
        Question::MandatoryDefence => (&rules.mandatory_defence, &answers.mandatory_defence),
        Question::NoHardshipCondition => {
            (&rules.no_hardship_condition, &answers.no_hardship_condition)
        }
        Question::CheckExempt => (&rules.check_exempt, &answers.check_exempt),
        Question::Matter | Question::Representative | Question::Income => return Ok(Some(None)),
    };
    let offered = offered(rules, answers, question);
    match answer {
        _ if offered.is_empty() && answer.is_none() => Ok(Some(None)),
        None => Ok(None),
        Some(GroupAnswer::NoneOfThese) => Ok(Some(None)),
        Some(GroupAnswer::Applies(id)) => {
            if let Some(group) = offered.into_iter().find(|g| &g.id == id) {
                return Ok(Some(Some(group)));
            }
            if all.iter().any(|g| &g.id == id) {
                return Err(CheckError::NotForThisMatter {
                    question,
                    id: id.clone(),
                    matter: chosen_matter(rules, answers)?.map(|m| m.id.clone()),
                });
            }
            Err(CheckError::UnknownId {
                question,
                id: id.clone(),
            })
        }
    }
}

/// The progress for the page's indicator: (the number of the current question, counting from 1; the
/// most questions this path can still take). Unanswered questions are assumed to be answered "none of
/// these", which is the longest path. When the verdict is reached, both are the number answered.
pub fn progress(rules: &LegalAidRules, answers: &Answers) -> Result<(usize, usize), CheckError> {
    let answered = |a: &Answers| {
        [
            a.matter.is_some(),
            a.representative.is_some(),
            a.mandatory_defence.is_some(),
            a.no_hardship_condition.is_some(),
            a.check_exempt.is_some(),
            a.income.is_some(),
        ]
        .into_iter()
        .filter(|&x| x)
        .count()
    };
    let current = match step(rules, answers)? {
        Step::Done(_) => return Ok((answered(answers), answered(answers))),
        Step::Ask(_) => answered(answers) + 1,
    };
    let mut longest = answers.clone();
    while let Step::Ask(question) = step(rules, &longest)? {
        match question {
            Question::Matter => {
                // The matter that needs hardship and is offered the most group questions is the
                // longest path (the first listed of those); with none listed, "other".
                longest.matter = Some(
                    longest_matter(rules).map_or(MatterAnswer::OtherOrNotSure, |m| {
                        MatterAnswer::Listed(m.id.clone())
                    }),
                );
            }
            Question::Representative => {
                longest.representative = Some(RepresentativeAnswer::NoneYet)
            }
            Question::MandatoryDefence => {
                longest.mandatory_defence = Some(GroupAnswer::NoneOfThese)
            }
            Question::NoHardshipCondition => {
                longest.no_hardship_condition = Some(GroupAnswer::NoneOfThese);
            }
            Question::CheckExempt => longest.check_exempt = Some(GroupAnswer::NoneOfThese),
            Question::Income => longest.income = Some(IncomeAnswer::NotSure),
        }
    }
    Ok((current, answered(&longest).max(current)))
}

/// The first listed matter with a hardship condition among those offered the most group questions.
fn longest_matter(rules: &LegalAidRules) -> Option<&AidMatter> {
    let mut best: Option<(&AidMatter, usize)> = None;
    for matter in rules.matters.iter().filter(|m| m.hardship_required) {
        let answers = Answers {
            matter: Some(MatterAnswer::Listed(matter.id.clone())),
            ..Answers::default()
        };
        let asks = [Question::NoHardshipCondition, Question::CheckExempt]
            .into_iter()
            .filter(|&q| !offered(rules, &answers, q).is_empty())
            .count();
        if best.is_none_or(|(_, most)| asks > most) {
            best = Some((matter, asks));
        }
    }
    best.map(|(matter, _)| matter)
}

/// The matters grouped by category, categories in the order they first appear.
pub fn matters_by_category(rules: &LegalAidRules) -> Vec<(&str, Vec<&AidMatter>)> {
    let mut groups: Vec<(&str, Vec<&AidMatter>)> = Vec::new();
    for matter in &rules.matters {
        match groups.iter_mut().find(|(c, _)| *c == matter.category) {
            Some((_, list)) => list.push(matter),
            None => groups.push((&matter.category, vec![matter])),
        }
    }
    groups
}

/// Whether `text` holds a Chinese character or Chinese punctuation (CJK ideographs, CJK symbols
/// such as 〔〕 and 、, full-width forms such as （）), which an English screen must not show.
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32,
            0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
    })
}

/// A flaw in published rules that would make the self-check wrong or leave an English screen with
/// Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct RulesProblem {
    /// Where (`check_exempt[2].applies_to_matters`).
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

/// The flaws of `rules`, none for rules the self-check can run on: duplicate ids, a category it does not
/// know, an `applies_to_matters` naming no matter, an article without its English label, and English
/// labels or texts holding Chinese.
pub fn problems(rules: &LegalAidRules) -> Vec<RulesProblem> {
    let mut out = Problems(Vec::new());
    let mut seen: Vec<&str> = Vec::new();
    for (i, m) in rules.matters.iter().enumerate() {
        let field = format!("matters[{i}]");
        if seen.contains(&m.id.as_str()) {
            out.push(format!("{field}.id"), "the id is used twice");
        }
        seen.push(&m.id);
        if !CATEGORIES.contains(&m.category.as_str()) {
            out.push(
                format!("{field}.category"),
                "must be one of criminal, civil, administrative, general",
            );
        }
        out.article(&field, &m.article, &m.article_en);
        out.text(format!("{field}.name"), &m.name);
    }
    for (list, groups) in [
        ("mandatory_defence", &rules.mandatory_defence),
        ("no_hardship_condition", &rules.no_hardship_condition),
        ("check_exempt", &rules.check_exempt),
    ] {
        let mut seen: Vec<&str> = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            let field = format!("{list}[{i}]");
            if seen.contains(&g.id.as_str()) {
                out.push(format!("{field}.id"), "the id is used twice");
            }
            seen.push(&g.id);
            for id in &g.applies_to_matters {
                if !rules.matters.iter().any(|m| &m.id == id) {
                    out.push(
                        format!("{field}.applies_to_matters"),
                        format!("names {id:?}, which is not a matter's id"),
                    );
                }
            }
            out.article(&field, &g.article, &g.article_en);
            out.text(format!("{field}.name"), &g.name);
        }
    }
    for (field, note) in [
        ("no_representative", &rules.no_representative),
        ("right_to_be_told", &rules.right_to_be_told),
        ("duty_lawyer", &rules.duty_lawyer),
        ("free_consultation", &rules.free_consultation),
    ] {
        if let Some(note) = note {
            out.article(field, &note.article, &note.article_en);
            out.text(format!("{field}.text"), &note.text);
        }
    }
    let standard = &rules.hardship_standard;
    out.text("disclaimer".to_owned(), &rules.disclaimer);
    out.text("fraud_warning".to_owned(), &rules.fraud_warning);
    out.text(
        "hardship_standard.household".to_owned(),
        &standard.household,
    );
    out.text("hardship_standard.note".to_owned(), &standard.note);
    for (i, text) in rules.materials.iter().enumerate() {
        out.text(format!("materials[{i}]"), text);
    }
    for (i, text) in rules.remedies.iter().enumerate() {
        out.text(format!("remedies[{i}]"), text);
    }
    if has_cjk(&standard.region_en) {
        out.push(
            "hardship_standard.region_en".to_owned(),
            "the English text holds Chinese",
        );
    }
    out.0
}

/// The problems found so far.
struct Problems(Vec<RulesProblem>);

impl Problems {
    fn push(&mut self, field: String, reason: impl Into<String>) {
        self.0.push(RulesProblem {
            field,
            reason: reason.into(),
        });
    }

    /// An article needs its English label, in English.
    fn article(&mut self, field: &str, article: &str, article_en: &str) {
        if !article.trim().is_empty() && article_en.trim().is_empty() {
            self.push(
                format!("{field}.article_en"),
                "the article has no English label",
            );
        }
        if has_cjk(article_en) {
            self.push(
                format!("{field}.article_en"),
                "the English label holds Chinese",
            );
        }
    }

    /// An English text holds no Chinese (an empty one falls back to the Chinese by design).
    fn text(&mut self, field: String, text: &Text) {
        if has_cjk(&text.en) {
            self.push(format!("{field}.en"), "the English text holds Chinese");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HardshipStandard, Text};

    fn group(id: &str, article: &str) -> AidGroup {
        AidGroup {
            id: id.into(),
            name: Text::new(id, id),
            article: article.into(),
            article_en: format!("en-{article}"),
            applies_to_matters: vec![],
        }
    }

    fn matter(id: &str, category: &str, hardship_required: bool) -> AidMatter {
        AidMatter {
            id: id.into(),
            name: Text::new(id, id),
            category: category.into(),
            hardship_required,
            article: format!("art-{id}"),
            article_en: format!("en-art-{id}"),
        }
    }

    fn note(article: &str) -> AidNote {
        AidNote {
            text: Text::new(article, article),
            article: article.into(),
            article_en: format!("en-{article}"),
        }
    }

    fn rules(figure: Option<u32>) -> LegalAidRules {
        let mut migrant = group("migrant_worker", "art42-3");
        migrant.applies_to_matters = vec!["wages".into(), "work_injury".into()];
        LegalAidRules {
            basis: vec![],
            disclaimer: Text::default(),
            fraud_warning: Text::default(),
            hardship_standard: HardshipStandard {
                region: "r".into(),
                region_en: "r".into(),
                monthly_income_per_person_yuan: figure,
                household: Text::default(),
                effective_from: None,
                source: String::new(),
                verified: false,
                note: Text::new("note", "note"),
            },
            matters: vec![
                matter("support", "civil", true),
                matter("wages", "civil", true),
                matter("work_injury", "civil", true),
                matter("criminal_defence", "criminal", false),
                matter("criminal_victim", "criminal", true),
                matter("retrial", "general", true),
            ],
            mandatory_defence: vec![group("minor", "art25-1")],
            no_hardship_condition: vec![group("bravery", "art32-2")],
            check_exempt: vec![group("assistance_recipient", "art42-2"), migrant],
            no_representative: Some(note("art24-31")),
            right_to_be_told: Some(note("art35")),
            duty_lawyer: Some(note("art30")),
            free_consultation: Some(note("art23")),
            materials: vec![],
            decision_days: 7,
            assign_days: 3,
            urgent_deadline_days: 7,
            objection_review_days: 5,
            remedies: vec![],
            unverified: vec![],
        }
    }

    fn listed(id: &str) -> Option<MatterAnswer> {
        Some(MatterAnswer::Listed(id.into()))
    }

    fn applies(id: &str) -> Option<GroupAnswer> {
        Some(GroupAnswer::Applies(id.into()))
    }

    const NONE: Option<GroupAnswer> = Some(GroupAnswer::NoneOfThese);
    const NO_LAWYER: Option<RepresentativeAnswer> = Some(RepresentativeAnswer::NoneYet);

    fn verdict(rules: &LegalAidRules, answers: &Answers) -> Verdict {
        match step(rules, answers).unwrap() {
            Step::Done(v) => v,
            Step::Ask(q) => panic!("still asks {q:?}"),
        }
    }

    fn note_articles(v: &Verdict) -> Vec<&str> {
        v.notes.iter().map(|n| n.note().article.as_str()).collect()
    }

    fn ids(groups: Vec<&AidGroup>) -> Vec<&str> {
        groups.into_iter().map(|g| g.id.as_str()).collect()
    }

    #[test]
    fn the_questions_come_in_order_until_the_income() {
        let rules = rules(Some(1500));
        let mut a = Answers::default();
        assert_eq!(step(&rules, &a).unwrap(), Step::Ask(Question::Matter));
        a.matter = listed("wages");
        assert_eq!(
            step(&rules, &a).unwrap(),
            Step::Ask(Question::Representative)
        );
        a.representative = NO_LAWYER;
        assert_eq!(
            step(&rules, &a).unwrap(),
            Step::Ask(Question::NoHardshipCondition)
        );
        a.no_hardship_condition = NONE;
        assert_eq!(step(&rules, &a).unwrap(), Step::Ask(Question::CheckExempt));
        a.check_exempt = NONE;
        assert_eq!(step(&rules, &a).unwrap(), Step::Ask(Question::Income));
    }

    #[test]
    fn income_at_or_below_the_figure_is_likely_eligible() {
        let rules = rules(Some(1500));
        let a = Answers {
            matter: listed("support"),
            representative: NO_LAWYER,
            no_hardship_condition: NONE,
            check_exempt: NONE,
            income: Some(IncomeAnswer::PerPersonYuan(1500)),
            ..Answers::default()
        };
        let v = verdict(&rules, &a);
        assert_eq!(v.outcome, Outcome::LikelyEligible);
        assert_eq!(
            v.reasons[1],
            Reason::IncomeWithinStandard {
                income: 1500,
                standard: 1500
            }
        );
        assert_eq!(v.reasons[0].article(), Some("art-support"));
        assert_eq!(v.reasons[0].article_en(), Some("en-art-support"));
        assert!(!v.criminal && !v.defender_arranged);
        assert!(v.notes.is_empty(), "no further help needed: {:?}", v.notes);
    }

    #[test]
    fn income_above_the_figure_is_likely_not_eligible_and_points_to_free_consultation() {
        let rules = rules(Some(1500));
        let a = Answers {
            matter: listed("criminal_victim"),
            representative: NO_LAWYER,
            no_hardship_condition: NONE,
            check_exempt: NONE,
            income: Some(IncomeAnswer::PerPersonYuan(1501)),
            ..Answers::default()
        };
        let v = verdict(&rules, &a);
        assert_eq!(v.outcome, Outcome::LikelyNotEligible);
        assert!(v.criminal, "the page lists the mandatory-defence groups");
        assert!(matches!(
            v.reasons.last(),
            Some(Reason::IncomeAboveStandard { income: 1501, .. })
        ));
        assert_eq!(
            note_articles(&v),
            ["art35", "art23"],
            "a victim has no duty lawyer (art. 30 helps suspects and defendants)"
        );

        let civil = Answers {
            matter: listed("support"),
            ..a
        };
        let v = verdict(&rules, &civil);
        assert_eq!(v.outcome, Outcome::LikelyNotEligible);
        assert_eq!(note_articles(&v), ["art23"]);
    }

    #[test]
    fn no_figure_or_no_income_means_ask_at_the_window() {
        let no_figure = rules(None);
        let a = Answers {
            matter: listed("support"),
            representative: NO_LAWYER,
            no_hardship_condition: NONE,
            check_exempt: NONE,
            ..Answers::default()
        };
        let v = verdict(&no_figure, &a);
        assert_eq!(v.outcome, Outcome::AskAtWindow);
        assert_eq!(v.reasons.last(), Some(&Reason::NoStandardFigure));
        assert_eq!(note_articles(&v), ["art23"]);

        let with_figure = rules(Some(1500));
        let a = Answers {
            income: Some(IncomeAnswer::NotSure),
            ..a
        };
        let v = verdict(&with_figure, &a);
        assert_eq!(v.outcome, Outcome::AskAtWindow);
        assert_eq!(v.reasons.last(), Some(&Reason::IncomeNotGiven));
    }

    #[test]
    fn a_situation_without_the_hardship_condition_skips_the_rest() {
        let rules = rules(Some(1500));
        for matter in [listed("support"), Some(MatterAnswer::OtherOrNotSure)] {
            let a = Answers {
                matter,
                representative: NO_LAWYER,
                no_hardship_condition: applies("bravery"),
                ..Answers::default()
            };
            let v = verdict(&rules, &a);
            assert_eq!(v.outcome, Outcome::LikelyEligible);
            assert_eq!(v.reasons[0].article(), Some("art32-2"));
            assert_eq!(v.reasons[0].article_en(), Some("en-art32-2"));
        }
    }

    #[test]
    fn an_exempt_group_skips_the_income() {
        let rules = rules(None);
        let a = Answers {
            matter: listed("support"),
            representative: NO_LAWYER,
            no_hardship_condition: NONE,
            check_exempt: applies("assistance_recipient"),
            ..Answers::default()
        };
        let v = verdict(&rules, &a);
        assert_eq!(v.outcome, Outcome::LikelyEligible);
        assert!(matches!(&v.reasons[1], Reason::CheckExempt(g) if g.article == "art42-2"));
    }

    #[test]
    fn the_migrant_worker_exemption_holds_for_wages_and_work_injury_only() {
        let rules = rules(None);
        for matter in ["wages", "work_injury"] {
            let a = Answers {
                matter: listed(matter),
                representative: NO_LAWYER,
                no_hardship_condition: NONE,
                ..Answers::default()
            };
            assert_eq!(
                ids(offered(&rules, &a, Question::CheckExempt)),
                ["assistance_recipient", "migrant_worker"],
                "{matter}"
            );
            let a = Answers {
                check_exempt: applies("migrant_worker"),
                ..a
            };
            let v = verdict(&rules, &a);
            assert_eq!(v.outcome, Outcome::LikelyEligible, "{matter}");
            assert_eq!(v.reasons[1].article_en(), Some("en-art42-3"));
        }

        // Support payments: a migrant worker is not exempt, so the group is not offered, and an
        // answer naming it anyway is refused rather than taken as an exemption.
        let a = Answers {
            matter: listed("support"),
            representative: NO_LAWYER,
            no_hardship_condition: NONE,
            ..Answers::default()
        };
        assert_eq!(
            ids(offered(&rules, &a, Question::CheckExempt)),
            ["assistance_recipient"]
        );
        let a = Answers {
            check_exempt: applies("migrant_worker"),
            ..a
        };
        assert_eq!(
            step(&rules, &a),
            Err(CheckError::NotForThisMatter {
                question: Question::CheckExempt,
                id: "migrant_worker".into(),
                matter: Some("support".into()),
            })
        );
    }

    #[test]
    fn a_question_with_nothing_to_offer_for_the_matter_is_skipped() {
        let mut rules = rules(Some(1500));
        rules.check_exempt.retain(|g| g.id == "migrant_worker");
        let wages = Answers {
            matter: listed("wages"),
            representative: NO_LAWYER,
            no_hardship_condition: NONE,
            ..Answers::default()
        };
        assert_eq!(
            step(&rules, &wages).unwrap(),
            Step::Ask(Question::CheckExempt)
        );
        let support = Answers {
            matter: listed("support"),
            ..wages
        };
        assert_eq!(step(&rules, &support).unwrap(), Step::Ask(Question::Income));
        assert_eq!(progress(&rules, &support).unwrap(), (4, 4));
    }

    #[test]
    fn another_matter_without_a_situation_means_ask_at_the_window() {
        let rules = rules(Some(1500));
        let a = Answers {
            matter: Some(MatterAnswer::OtherOrNotSure),
            representative: NO_LAWYER,
            no_hardship_condition: NONE,
            ..Answers::default()
        };
        let v = verdict(&rules, &a);
        assert_eq!(v.outcome, Outcome::AskAtWindow);
        assert_eq!(v.reasons, vec![Reason::MatterNotListed]);
        assert_eq!(note_articles(&v), ["art23"]);
    }

    #[test]
    fn a_lawyer_already_acting_is_said_plainly_with_free_consultation() {
        let rules = rules(Some(1500));
        for matter in [
            listed("support"),
            listed("criminal_defence"),
            Some(MatterAnswer::OtherOrNotSure),
        ] {
            let a = Answers {
                matter: matter.clone(),
                representative: Some(RepresentativeAnswer::AlreadyHas),
                ..Answers::default()
            };
            let v = verdict(&rules, &a);
            assert_eq!(v.outcome, Outcome::AlreadyRepresented, "{matter:?}");
            assert!(
                matches!(&v.reasons[0], Reason::HasRepresentative(n) if n.article == "art24-31")
            );
            assert_eq!(v.reasons[0].article_en(), Some("en-art24-31"));
            assert!(!v.defender_arranged);
            assert_eq!(
                note_articles(&v),
                ["art23"],
                "no duty lawyer or duty to tell once a lawyer acts"
            );
        }
    }

    #[test]
    fn not_sure_about_a_lawyer_goes_on_and_names_the_condition() {
        let rules = rules(None);
        let a = Answers {
            matter: listed("support"),
            representative: Some(RepresentativeAnswer::NotSure),
            no_hardship_condition: NONE,
            check_exempt: applies("assistance_recipient"),
            ..Answers::default()
        };
        let v = verdict(&rules, &a);
        assert_eq!(v.outcome, Outcome::LikelyEligible);
        assert!(matches!(
            v.reasons.last(),
            Some(Reason::RepresentativeNotKnown(_))
        ));
    }

    #[test]
    fn without_the_condition_in_the_rules_the_lawyer_question_is_skipped() {
        let mut rules = rules(Some(1500));
        rules.no_representative = None;
        let a = Answers {
            matter: listed("support"),
            ..Answers::default()
        };
        assert_eq!(
            step(&rules, &a).unwrap(),
            Step::Ask(Question::NoHardshipCondition)
        );
    }

    #[test]
    fn criminal_defence_asks_about_mandatory_defence_and_points_to_duty_lawyers() {
        let rules = rules(None);
        let mut a = Answers {
            matter: listed("criminal_defence"),
            representative: NO_LAWYER,
            ..Answers::default()
        };
        assert_eq!(
            step(&rules, &a).unwrap(),
            Step::Ask(Question::MandatoryDefence)
        );
        a.mandatory_defence = applies("minor");
        let v = verdict(&rules, &a);
        assert_eq!(v.outcome, Outcome::LikelyEligible);
        assert!(v.defender_arranged && v.criminal);
        assert_eq!(v.reasons[0].article(), Some("art25-1"));
        assert_eq!(note_articles(&v), ["art35", "art30", "art23"]);

        a.mandatory_defence = NONE;
        let v = verdict(&rules, &a);
        assert_eq!(
            v.outcome,
            Outcome::LikelyEligible,
            "hardship or other reasons"
        );
        assert!(!v.defender_arranged);
        assert_eq!(v.reasons[0].article(), Some("art-criminal_defence"));
        assert_eq!(note_articles(&v), ["art35", "art30", "art23"]);
    }

    #[test]
    fn a_retrial_is_general_not_criminal() {
        let rules = rules(None);
        let a = Answers {
            matter: listed("retrial"),
            representative: NO_LAWYER,
            no_hardship_condition: NONE,
            check_exempt: NONE,
            ..Answers::default()
        };
        let v = verdict(&rules, &a);
        assert!(!v.criminal, "no mandatory-defence list for a retrial");
        let groups = matters_by_category(&rules);
        assert_eq!(groups.last().map(|(c, _)| *c), Some("general"));
        assert!(problems(&rules).is_empty(), "{:?}", problems(&rules));
    }

    #[test]
    fn an_unknown_id_is_an_error_naming_it() {
        let rules = rules(None);
        let a = Answers {
            matter: listed("gone"),
            ..Answers::default()
        };
        let err = step(&rules, &a).unwrap_err();
        assert!(err.to_string().contains("\"gone\""), "{err}");
        let a = Answers {
            matter: listed("support"),
            representative: NO_LAWYER,
            no_hardship_condition: applies("nobody"),
            ..Answers::default()
        };
        assert!(matches!(
            step(&rules, &a),
            Err(CheckError::UnknownId {
                question: Question::NoHardshipCondition,
                ..
            })
        ));
    }

    #[test]
    fn empty_lists_skip_their_questions() {
        let mut rules = rules(Some(1000));
        rules.no_hardship_condition.clear();
        rules.check_exempt.clear();
        let a = Answers {
            matter: listed("support"),
            representative: NO_LAWYER,
            ..Answers::default()
        };
        assert_eq!(step(&rules, &a).unwrap(), Step::Ask(Question::Income));
    }

    #[test]
    fn progress_counts_the_longest_path() {
        let rules = rules(Some(1500));
        let mut a = Answers::default();
        assert_eq!(progress(&rules, &a).unwrap(), (1, 5));
        a.matter = listed("support");
        assert_eq!(progress(&rules, &a).unwrap(), (2, 5));
        let defence = Answers {
            matter: listed("criminal_defence"),
            representative: NO_LAWYER,
            ..Answers::default()
        };
        assert_eq!(progress(&rules, &defence).unwrap(), (3, 3));
        let no_figure = self::rules(None);
        assert_eq!(progress(&no_figure, &Answers::default()).unwrap(), (1, 4));
        a.representative = NO_LAWYER;
        a.no_hardship_condition = applies("bravery");
        assert_eq!(progress(&rules, &a).unwrap(), (3, 3), "done");
        let represented = Answers {
            matter: listed("support"),
            representative: Some(RepresentativeAnswer::AlreadyHas),
            ..Answers::default()
        };
        assert_eq!(progress(&rules, &represented).unwrap(), (2, 2), "done");
    }

    #[test]
    fn matters_are_grouped_by_category_in_order() {
        let rules = rules(None);
        let groups = matters_by_category(&rules);
        let names: Vec<(&str, usize)> = groups.iter().map(|(c, l)| (*c, l.len())).collect();
        assert_eq!(names, [("civil", 3), ("criminal", 2), ("general", 1)]);
    }

    #[test]
    fn problems_name_the_flawed_field() {
        let mut rules = rules(None);
        rules.check_exempt[1].applies_to_matters.push("wage".into());
        rules.matters[0].article_en.clear();
        rules.matters[1].category = "labour".into();
        rules.mandatory_defence[0].article_en = "第二十五条".into();
        rules.no_hardship_condition.push(group("bravery", "x"));
        rules.disclaimer.en = "Guidance only（参考）".into();
        let found: Vec<String> = problems(&rules).iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "matters[0].article_en: the article has no English label",
                "matters[1].category: must be one of criminal, civil, administrative, general",
                "mandatory_defence[0].article_en: the English label holds Chinese",
                "no_hardship_condition[1].id: the id is used twice",
                "check_exempt[1].applies_to_matters: names \"wage\", which is not a matter's id",
                "disclaimer.en: the English text holds Chinese",
            ]
        );
    }

    #[test]
    fn chinese_is_told_from_english() {
        assert!(has_cjk("第三十一条"));
        assert!(has_cjk("(to be confirmed)〔待核实〕"));
        assert!(has_cjk("art. 31（5）"), "full-width brackets");
        assert!(has_cjk("24、25"), "the enumeration comma");
        assert!(!has_cjk("Legal Aid Law art. 31(5) • 3,000 yuan — “quoted”"));
    }

    #[test]
    fn the_published_rules_run_through() {
        let toml = include_str!("../../assets/content-src/legal_aid.toml");
        let rules: LegalAidRules = toml::from_str(toml).expect("the published rules parse");
        assert_eq!(problems(&rules), []);
        for m in &rules.matters {
            let a = Answers {
                matter: listed(&m.id),
                representative: NO_LAWYER,
                mandatory_defence: NONE,
                no_hardship_condition: NONE,
                check_exempt: NONE,
                income: Some(IncomeAnswer::PerPersonYuan(0)),
            };
            let v = verdict(&rules, &a);
            assert_ne!(v.outcome, Outcome::LikelyNotEligible, "{}", m.id);
            for reason in &v.reasons {
                if reason.article().is_some() {
                    let en = reason
                        .article_en()
                        .expect("every article has an English label");
                    assert!(en.starts_with("Legal Aid Law art"), "{en}");
                }
            }
        }
    }
}
