//! The legal-aid self-check (法律援助自测) as a pure function of the published [`LegalAidRules`] and the
//! citizen's answers: which question comes next, and, once enough is known, a [`Verdict`] with its
//! reasons.
//!
//! Every list, article and figure comes from the rules (content data); this module only holds the order
//! of the questions, which follows the Legal Aid Law's structure:
//!
//! 1. the **matter** (`matters`; "other / not sure" is a valid answer);
//! 2. for the defence of a criminal suspect or defendant (a `criminal` matter without a hardship
//!    condition), whether the person is in a **mandatory-defence** group (`mandatory_defence`): then the
//!    court, procuratorate or police arrange a defender and no application is needed;
//! 3. whether a situation **without the hardship condition** applies (`no_hardship_condition`);
//! 4. whether the applicant is in a group **exempt from the hardship check** (`check_exempt`);
//! 5. the household's **monthly income per person** against the standard
//!    (`hardship_standard.monthly_income_per_person_yuan`). While the standard has no figure, this
//!    question is not asked: the verdict is "ask at the window" and the page shows the standard's note.
//!
//! A question whose answer cannot change the outcome is skipped. An income at or below the figure
//! counts as hardship. The verdict is guidance only; the legal-aid body decides.

use super::model::{AidGroup, AidMatter, LegalAidRules};

/// The category of matters whose defence may be arranged without an application.
const CRIMINAL: &str = "criminal";

/// A question of the self-check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// What the matter is about.
    Matter,
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
}

/// Why the self-check concluded what it did; each names the data it rests on.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The matter is one for which aid may be requested.
    Matter(AidMatter),
    /// The matter is not among the published ones, or the citizen is not sure.
    MatterNotListed,
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
    /// The article of the Legal Aid Law the reason rests on, when the rules name one.
    pub fn article(&self) -> Option<&str> {
        match self {
            Self::Matter(matter) => Some(&matter.article),
            Self::MandatoryDefence(group)
            | Self::NoHardshipCondition(group)
            | Self::CheckExempt(group) => Some(&group.article),
            _ => None,
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
}

/// The next step for `answers` under `rules`: the next question, or the verdict.
pub fn step(rules: &LegalAidRules, answers: &Answers) -> Result<Step, CheckError> {
    let done = |outcome, reasons, defender_arranged, criminal| {
        Ok(Step::Done(Verdict {
            outcome,
            reasons,
            defender_arranged,
            criminal,
        }))
    };
    let Some(matter_answer) = &answers.matter else {
        return Ok(Step::Ask(Question::Matter));
    };
    let matter = match matter_answer {
        MatterAnswer::Listed(id) => {
            Some(rules.matters.iter().find(|m| &m.id == id).ok_or_else(|| {
                CheckError::UnknownId {
                    question: Question::Matter,
                    id: id.clone(),
                }
            })?)
        }
        MatterAnswer::OtherOrNotSure => None,
    };
    let criminal = matter.is_some_and(|m| m.category == CRIMINAL);
    let mut reasons: Vec<Reason> = matter
        .map(|m| Reason::Matter(m.clone()))
        .into_iter()
        .collect();

    if let Some(matter) = matter.filter(|m| !m.hardship_required) {
        if criminal && !rules.mandatory_defence.is_empty() {
            match group(
                &rules.mandatory_defence,
                &answers.mandatory_defence,
                Question::MandatoryDefence,
            )? {
                None => return Ok(Step::Ask(Question::MandatoryDefence)),
                Some(Some(group)) => {
                    let reasons = vec![
                        Reason::MandatoryDefence(group.clone()),
                        Reason::Matter(matter.clone()),
                    ];
                    return done(Outcome::LikelyEligible, reasons, true, criminal);
                }
                Some(None) => {}
            }
        }
        return done(Outcome::LikelyEligible, reasons, false, criminal);
    }

    if !rules.no_hardship_condition.is_empty() {
        match group(
            &rules.no_hardship_condition,
            &answers.no_hardship_condition,
            Question::NoHardshipCondition,
        )? {
            None => return Ok(Step::Ask(Question::NoHardshipCondition)),
            Some(Some(group)) => {
                reasons.insert(0, Reason::NoHardshipCondition(group.clone()));
                return done(Outcome::LikelyEligible, reasons, false, criminal);
            }
            Some(None) => {}
        }
    }

    if matter.is_none() {
        return done(
            Outcome::AskAtWindow,
            vec![Reason::MatterNotListed],
            false,
            criminal,
        );
    }

    if !rules.check_exempt.is_empty() {
        match group(
            &rules.check_exempt,
            &answers.check_exempt,
            Question::CheckExempt,
        )? {
            None => return Ok(Step::Ask(Question::CheckExempt)),
            Some(Some(group)) => {
                reasons.push(Reason::CheckExempt(group.clone()));
                return done(Outcome::LikelyEligible, reasons, false, criminal);
            }
            Some(None) => {}
        }
    }

    let Some(standard) = rules.hardship_standard.monthly_income_per_person_yuan else {
        reasons.push(Reason::NoStandardFigure);
        return done(Outcome::AskAtWindow, reasons, false, criminal);
    };
    match answers.income {
        None => Ok(Step::Ask(Question::Income)),
        Some(IncomeAnswer::NotSure) => {
            reasons.push(Reason::IncomeNotGiven);
            done(Outcome::AskAtWindow, reasons, false, criminal)
        }
        Some(IncomeAnswer::PerPersonYuan(income)) if income <= standard => {
            reasons.push(Reason::IncomeWithinStandard { income, standard });
            done(Outcome::LikelyEligible, reasons, false, criminal)
        }
        Some(IncomeAnswer::PerPersonYuan(income)) => {
            reasons.push(Reason::IncomeAboveStandard { income, standard });
            done(Outcome::LikelyNotEligible, reasons, false, criminal)
        }
    }
}

/// The group an answer names: `None` when unanswered, `Some(None)` for "none of these".
fn group<'r>(
    groups: &'r [AidGroup],
    answer: &Option<GroupAnswer>,
    question: Question,
) -> Result<Option<Option<&'r AidGroup>>, CheckError> {
    match answer {
        None => Ok(None),
        Some(GroupAnswer::NoneOfThese) => Ok(Some(None)),
        Some(GroupAnswer::Applies(id)) => groups
            .iter()
            .find(|g| &g.id == id)
            .map(|g| Some(Some(g)))
            .ok_or_else(|| CheckError::UnknownId {
                question,
                id: id.clone(),
            }),
    }
}

/// The progress for the page's indicator: (the number of the current question, counting from 1; the
/// most questions this path can still take). Unanswered questions are assumed to be answered "none of
/// these", which is the longest path. When the verdict is reached, both are the number answered.
pub fn progress(rules: &LegalAidRules, answers: &Answers) -> Result<(usize, usize), CheckError> {
    let answered = |a: &Answers| {
        [
            a.matter.is_some(),
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
                // The first listed matter that needs hardship is the longest path.
                longest.matter = Some(
                    rules
                        .matters
                        .iter()
                        .find(|m| m.hardship_required)
                        .map_or(MatterAnswer::OtherOrNotSure, |m| {
                            MatterAnswer::Listed(m.id.clone())
                        }),
                );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HardshipStandard, Text};

    fn group(id: &str, article: &str) -> AidGroup {
        AidGroup {
            id: id.into(),
            name: Text::new(id, id),
            article: article.into(),
        }
    }

    fn matter(id: &str, category: &str, hardship_required: bool) -> AidMatter {
        AidMatter {
            id: id.into(),
            name: Text::new(id, id),
            category: category.into(),
            hardship_required,
            article: format!("art-{id}"),
        }
    }

    fn rules(figure: Option<u32>) -> LegalAidRules {
        LegalAidRules {
            basis: vec![],
            disclaimer: Text::default(),
            fraud_warning: Text::default(),
            hardship_standard: HardshipStandard {
                region: "r".into(),
                monthly_income_per_person_yuan: figure,
                household: Text::default(),
                effective_from: None,
                source: String::new(),
                verified: false,
                note: Text::new("note", "note"),
            },
            matters: vec![
                matter("labour", "civil", true),
                matter("criminal_defence", "criminal", false),
                matter("criminal_victim", "criminal", true),
            ],
            mandatory_defence: vec![group("minor", "art25-1")],
            no_hardship_condition: vec![group("bravery", "art32-2")],
            check_exempt: vec![group("assistance_recipient", "art42-2")],
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

    fn verdict(rules: &LegalAidRules, answers: &Answers) -> Verdict {
        match step(rules, answers).unwrap() {
            Step::Done(v) => v,
            Step::Ask(q) => panic!("still asks {q:?}"),
        }
    }

    #[test]
    fn the_questions_come_in_order_until_the_income() {
        let rules = rules(Some(1500));
        let mut a = Answers::default();
        assert_eq!(step(&rules, &a).unwrap(), Step::Ask(Question::Matter));
        a.matter = listed("labour");
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
            matter: listed("labour"),
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
        assert_eq!(v.reasons[0].article(), Some("art-labour"));
        assert!(!v.criminal && !v.defender_arranged);
    }

    #[test]
    fn income_above_the_figure_is_likely_not_eligible() {
        let rules = rules(Some(1500));
        let a = Answers {
            matter: listed("criminal_victim"),
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
    }

    #[test]
    fn no_figure_or_no_income_means_ask_at_the_window() {
        let no_figure = rules(None);
        let a = Answers {
            matter: listed("labour"),
            no_hardship_condition: NONE,
            check_exempt: NONE,
            ..Answers::default()
        };
        let v = verdict(&no_figure, &a);
        assert_eq!(v.outcome, Outcome::AskAtWindow);
        assert_eq!(v.reasons.last(), Some(&Reason::NoStandardFigure));

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
        for matter in [listed("labour"), Some(MatterAnswer::OtherOrNotSure)] {
            let a = Answers {
                matter,
                no_hardship_condition: applies("bravery"),
                ..Answers::default()
            };
            let v = verdict(&rules, &a);
            assert_eq!(v.outcome, Outcome::LikelyEligible);
            assert_eq!(v.reasons[0].article(), Some("art32-2"));
        }
    }

    #[test]
    fn an_exempt_group_skips_the_income() {
        let rules = rules(None);
        let a = Answers {
            matter: listed("labour"),
            no_hardship_condition: NONE,
            check_exempt: applies("assistance_recipient"),
            ..Answers::default()
        };
        let v = verdict(&rules, &a);
        assert_eq!(v.outcome, Outcome::LikelyEligible);
        assert!(matches!(&v.reasons[1], Reason::CheckExempt(g) if g.article == "art42-2"));
    }

    #[test]
    fn another_matter_without_a_situation_means_ask_at_the_window() {
        let rules = rules(Some(1500));
        let a = Answers {
            matter: Some(MatterAnswer::OtherOrNotSure),
            no_hardship_condition: NONE,
            ..Answers::default()
        };
        let v = verdict(&rules, &a);
        assert_eq!(v.outcome, Outcome::AskAtWindow);
        assert_eq!(v.reasons, vec![Reason::MatterNotListed]);
    }

    #[test]
    fn criminal_defence_asks_about_mandatory_defence() {
        let rules = rules(None);
        let mut a = Answers {
            matter: listed("criminal_defence"),
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

        a.mandatory_defence = NONE;
        let v = verdict(&rules, &a);
        assert_eq!(
            v.outcome,
            Outcome::LikelyEligible,
            "hardship or other reasons"
        );
        assert!(!v.defender_arranged);
        assert_eq!(v.reasons[0].article(), Some("art-criminal_defence"));
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
            matter: listed("labour"),
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
            matter: listed("labour"),
            ..Answers::default()
        };
        assert_eq!(step(&rules, &a).unwrap(), Step::Ask(Question::Income));
    }

    #[test]
    fn progress_counts_the_longest_path() {
        let rules = rules(Some(1500));
        let mut a = Answers::default();
        assert_eq!(progress(&rules, &a).unwrap(), (1, 4));
        a.matter = listed("labour");
        assert_eq!(progress(&rules, &a).unwrap(), (2, 4));
        let defence = Answers {
            matter: listed("criminal_defence"),
            ..Answers::default()
        };
        assert_eq!(progress(&rules, &defence).unwrap(), (2, 2));
        let no_figure = self::rules(None);
        assert_eq!(progress(&no_figure, &Answers::default()).unwrap(), (1, 3));
        a.no_hardship_condition = applies("bravery");
        assert_eq!(progress(&rules, &a).unwrap(), (2, 2), "done");
    }

    #[test]
    fn matters_are_grouped_by_category_in_order() {
        let rules = rules(None);
        let groups = matters_by_category(&rules);
        let names: Vec<(&str, usize)> = groups.iter().map(|(c, l)| (*c, l.len())).collect();
        assert_eq!(names, [("civil", 1), ("criminal", 2)]);
    }

    #[test]
    fn the_published_rules_run_through() {
        let toml = include_str!("../../assets/content-src/legal_aid.toml");
        let rules: LegalAidRules = toml::from_str(toml).expect("the published rules parse");
        for m in &rules.matters {
            let a = Answers {
                matter: listed(&m.id),
                mandatory_defence: NONE,
                no_hardship_condition: NONE,
                check_exempt: NONE,
                income: Some(IncomeAnswer::PerPersonYuan(0)),
            };
            let v = verdict(&rules, &a);
            assert_ne!(v.outcome, Outcome::LikelyNotEligible, "{}", m.id);
        }
    }
}
