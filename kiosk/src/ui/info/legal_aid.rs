//! The 法律援助自查 page: the legal-aid self-check. The questions and the verdict come from
//! [`aid_check`](content::aid_check) applied to the content's [`LegalAidRules`]; this module
//! turns them into the page's `LegalAidAdapter` state. The answers given live in the global's `history`
//! (`question=value`), so the session end clears them with the rest of the page.

use std::sync::{Arc, Mutex, PoisonError};

use slint::{ComponentHandle as _, Model as _, ModelRc, SharedString, VecModel};

use crate::ui::{AppWindow, LegalAidAdapter, generated::AidOption, take_number::qr::qr_image};

use content::{
    Content, LegalAidRules, Text,
    aid_check::{
        self, AidNote, Answers, GroupAnswer, IncomeAnswer, MatterAnswer, Outcome, Question, Reason,
        RepresentativeAnswer, Step,
    },
};

/// Most bytes put into the materials QR code; longer texts are cut at a line.
const QR_MAX_BYTES: usize = 1200;

/// Connects the page's callbacks.
pub(super) fn connect(window: &AppWindow, content: &Arc<Mutex<Arc<Content>>>) {
    let page = window.global::<LegalAidAdapter>();
    let with_rules = |edit: fn(&AppWindow, &LegalAidRules, &mut Vec<(Question, String)>)| {
        let weak = window.as_weak();
        let content = Arc::clone(content);
        move || {
            let Some(window) = weak.upgrade() else {
                return;
            };
            let content = Arc::clone(&content.lock().unwrap_or_else(PoisonError::into_inner));
            let Some(rules) = &content.legal_aid else {
                return;
            };
            let mut history = history(&window);
            edit(&window, rules, &mut history);
            set_history(&window, &history);
            render(&window, rules);
        }
    };
    page.on_back_step(with_rules(|window, _, history| {
        history.pop();
        window
            .global::<LegalAidAdapter>()
            .set_income_text(SharedString::new());
    }));
    page.on_restart(with_rules(|window, _, history| {
        history.clear();
        window
            .global::<LegalAidAdapter>()
            .set_income_text(SharedString::new());
    }));
    page.on_income_key({
        let weak = window.as_weak();
        move |key| {
            if let Some(window) = weak.upgrade() {
                let page = window.global::<LegalAidAdapter>();
                page.set_income_text(income_key(&page.get_income_text(), &key).into());
            }
        }
    });
    page.on_answer({
        let weak = window.as_weak();
        let content = Arc::clone(content);
        move |value| {
            let Some(window) = weak.upgrade() else {
                return;
            };
            let content = Arc::clone(&content.lock().unwrap_or_else(PoisonError::into_inner));
            let Some(rules) = &content.legal_aid else {
                return;
            };
            let mut history = history(&window);
            if let Ok(Step::Ask(question)) = aid_check::step(rules, &answers(&history)) {
                history.push((question, value.to_string()));
                set_history(&window, &history);
            }
            render(&window, rules);
        }
    });
}

/// Fills the page from new content: the rules' texts, and the question or result for the answers
/// given so far (answers that no longer fit the new rules start the check again).
pub(super) fn fill(window: &AppWindow, content: &Content) {
    let page = window.global::<LegalAidAdapter>();
    page.set_ready(true);
    let Some(rules) = &content.legal_aid else {
        page.set_available(false);
        reset(window);
        return;
    };
    page.set_available(true);
    page.set_matter_options(options(matter_options(rules)));
    let standard = &rules.hardship_standard;
    page.set_standard(
        standard
            .monthly_income_per_person_yuan
            .map(|figure| figure.to_string())
            .unwrap_or_default()
            .into(),
    );
    page.set_region(standard.region.as_str().into());
    page.set_region_en(standard.region_en.as_str().into());
    page.set_household(standard.household.zh.as_str().into());
    page.set_household_en(standard.household.en_or_zh().into());
    let (mandatory, mandatory_en) = bullets(rules.mandatory_defence.iter().map(|g| {
        (
            g.name.clone(),
            Text::new(g.article.as_str(), g.article_en.as_str()),
        )
    }));
    page.set_mandatory(mandatory);
    page.set_mandatory_en(mandatory_en);
    page.set_disclaimer(rules.disclaimer.zh.as_str().into());
    page.set_disclaimer_en(rules.disclaimer.en_or_zh().into());
    page.set_fraud_warning(rules.fraud_warning.zh.as_str().into());
    page.set_fraud_warning_en(rules.fraud_warning.en_or_zh().into());
    page.set_decision_days(int(rules.decision_days));
    page.set_assign_days(int(rules.assign_days));
    page.set_urgent_days(int(rules.urgent_deadline_days));
    let (remedies, remedies_en) =
        bullets(rules.remedies.iter().map(|t| (t.clone(), Text::default())));
    page.set_remedies(remedies);
    page.set_remedies_en(remedies_en);
    let (materials, materials_en) = numbered(&rules.materials);
    page.set_materials(materials);
    page.set_materials_en(materials_en);
    page.set_qr(qr_image(&qr_text(rules)).unwrap_or_default());
    let start = aid_check::progress(rules, &Answers::default()).map_or(1, |(_, total)| total);
    page.set_start_steps(i32::try_from(start).unwrap_or(1));
    render(window, rules);
}

/// Back to the first question with nothing answered (session end).
pub(super) fn reset(window: &AppWindow) {
    let page = window.global::<LegalAidAdapter>();
    page.set_history(ModelRc::new(VecModel::<SharedString>::default()));
    page.set_screen("matter".into());
    page.set_step(1);
    page.set_steps(page.get_start_steps());
    page.set_options(options(Vec::new()));
    page.set_income_text(SharedString::new());
    page.set_reasons(SharedString::new());
    page.set_reasons_en(SharedString::new());
    page.set_notes(SharedString::new());
    page.set_notes_en(SharedString::new());
    page.set_defender_arranged(false);
    page.set_criminal(false);
}

/// Most digits of an income.
const INCOME_MAX_DIGITS: usize = 6;

/// The income pad's text after a key: a digit (no leading zero, at most six digits), `backspace` or
/// `clear`.
fn income_key(text: &str, key: &str) -> String {
    match key {
        "clear" => String::new(),
        "backspace" => {
            let mut text = text.to_owned();
            text.pop();
            text
        }
        digit if digit.len() == 1 && digit.bytes().all(|b| b.is_ascii_digit()) => {
            let text = if text == "0" { "" } else { text };
            if text.len() >= INCOME_MAX_DIGITS {
                text.to_owned()
            } else {
                format!("{text}{digit}")
            }
        }
        _ => text.to_owned(),
    }
}

fn int(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

fn options(rows: Vec<AidOption>) -> ModelRc<AidOption> {
    ModelRc::new(VecModel::from(rows))
}

fn question_name(question: Question) -> &'static str {
    match question {
        Question::Matter => "matter",
        Question::Representative => "lawyer",
        Question::MandatoryDefence => "mandatory",
        Question::NoHardshipCondition => "situation",
        Question::CheckExempt => "exempt",
        Question::Income => "income",
    }
}

fn question_by_name(name: &str) -> Option<Question> {
    [
        Question::Matter,
        Question::Representative,
        Question::MandatoryDefence,
        Question::NoHardshipCondition,
        Question::CheckExempt,
        Question::Income,
    ]
    .into_iter()
    .find(|q| question_name(*q) == name)
}

fn history(window: &AppWindow) -> Vec<(Question, String)> {
    window
        .global::<LegalAidAdapter>()
        .get_history()
        .iter()
        .filter_map(|entry| {
            let (question, value) = entry.split_once('=')?;
            Some((question_by_name(question)?, value.to_owned()))
        })
        .collect()
}

fn set_history(window: &AppWindow, history: &[(Question, String)]) {
    let entries: Vec<SharedString> = history
        .iter()
        .map(|(q, value)| format!("{}={value}", question_name(*q)).into())
        .collect();
    window
        .global::<LegalAidAdapter>()
        .set_history(ModelRc::new(VecModel::from(entries)));
}

/// The value of the lawyer question's "no" and "yes" buttons (empty is "not sure").
const NO_LAWYER: &str = "no";
const HAS_LAWYER: &str = "yes";

/// The self-check's answers so far, as an application carries them over: the matter, the group or
/// situation that spares the hardship check (or `none`), the income per person.
pub fn self_check_carry(window: &AppWindow) -> applications::SelfCheckCarry {
    let answers = answers(&history(window));
    let group = |g: &Option<GroupAnswer>| match g {
        Some(GroupAnswer::Applies(id)) => Some(id.clone()),
        _ => None,
    };
    let said_none = matches!(
        answers.no_hardship_condition,
        Some(GroupAnswer::NoneOfThese)
    ) || matches!(answers.check_exempt, Some(GroupAnswer::NoneOfThese));
    applications::SelfCheckCarry {
        matter: match &answers.matter {
            Some(MatterAnswer::Listed(id)) => Some(id.clone()),
            Some(MatterAnswer::OtherOrNotSure) => Some(applications::form::OTHER.to_owned()),
            None => None,
        },
        hardship_basis: group(&answers.no_hardship_condition)
            .or_else(|| group(&answers.check_exempt))
            .or_else(|| said_none.then(|| applications::form::NONE_OF_THESE.to_owned())),
        income_per_person: match answers.income {
            Some(IncomeAnswer::PerPersonYuan(yuan)) => Some(yuan),
            _ => None,
        },
    }
}

/// The answers of the page's history: an empty value is "other / none of these / not sure".
fn answers(history: &[(Question, String)]) -> Answers {
    let group = |value: &str| {
        if value.is_empty() {
            GroupAnswer::NoneOfThese
        } else {
            GroupAnswer::Applies(value.to_owned())
        }
    };
    let mut answers = Answers::default();
    for (question, value) in history {
        match question {
            Question::Matter => {
                answers.matter = Some(if value.is_empty() {
                    MatterAnswer::OtherOrNotSure
                } else {
                    MatterAnswer::Listed(value.clone())
                });
            }
            Question::Representative => {
                answers.representative = Some(match value.as_str() {
                    NO_LAWYER => RepresentativeAnswer::NoneYet,
                    HAS_LAWYER => RepresentativeAnswer::AlreadyHas,
                    _ => RepresentativeAnswer::NotSure,
                });
            }
            Question::MandatoryDefence => answers.mandatory_defence = Some(group(value)),
            Question::NoHardshipCondition => answers.no_hardship_condition = Some(group(value)),
            Question::CheckExempt => answers.check_exempt = Some(group(value)),
            Question::Income => {
                answers.income = Some(
                    value
                        .parse()
                        .map_or(IncomeAnswer::NotSure, IncomeAnswer::PerPersonYuan),
                );
            }
        }
    }
    answers
}

/// Shows the next question or the result for the history.
fn render(window: &AppWindow, rules: &LegalAidRules) {
    let page = window.global::<LegalAidAdapter>();
    let answers = answers(&history(window));
    let step = match aid_check::step(rules, &answers) {
        Ok(step) => step,
        Err(err) => {
            tracing::warn!("legal-aid self-check starts again: {err}");
            set_history(window, &[]);
            reset(window);
            return;
        }
    };
    if let Ok((current, total)) = aid_check::progress(rules, &answers) {
        page.set_step(i32::try_from(current).unwrap_or(1));
        page.set_steps(i32::try_from(total).unwrap_or(1));
    }
    match step {
        Step::Ask(question) => {
            let rows = match question {
                Question::Matter | Question::Income => Vec::new(),
                Question::Representative => lawyer_options(),
                Question::MandatoryDefence
                | Question::NoHardshipCondition
                | Question::CheckExempt => {
                    group_options(&aid_check::offered(rules, &answers, question))
                }
            };
            page.set_options(options(rows));
            page.set_screen(question_name(question).into());
        }
        Step::Done(verdict) => {
            page.set_outcome(match verdict.outcome {
                Outcome::LikelyEligible => 0,
                Outcome::LikelyNotEligible => 1,
                Outcome::AskAtWindow => 2,
                Outcome::AlreadyRepresented => 3,
            });
            page.set_defender_arranged(verdict.defender_arranged);
            page.set_criminal(verdict.criminal);
            let texts: Vec<Text> = verdict
                .reasons
                .iter()
                .map(|r| reason_text(rules, r))
                .collect();
            let (reasons, reasons_en) = bullets(texts.into_iter().map(|t| (t, Text::default())));
            page.set_reasons(reasons);
            page.set_reasons_en(reasons_en);
            let (notes, notes_en) = bullets(verdict.notes.iter().map(|n| note_text(n.note())));
            page.set_notes(notes);
            page.set_notes_en(notes_en);
            page.set_screen("result".into());
        }
    }
}

/// The matter question's rows: a heading per category, its matters, then "other / not sure".
fn matter_options(rules: &LegalAidRules) -> Vec<AidOption> {
    let mut rows = Vec::new();
    for (category, matters) in aid_check::matters_by_category(rules) {
        let name = category_name(category);
        rows.push(AidOption {
            id: SharedString::new(),
            name: name.zh.as_str().into(),
            name_en: name.en_or_zh().into(),
            article: SharedString::new(),
            article_en: SharedString::new(),
            header: true,
        });
        rows.extend(matters.into_iter().map(|m| AidOption {
            id: m.id.as_str().into(),
            name: m.name.zh.as_str().into(),
            name_en: m.name.en_or_zh().into(),
            article: m.article.as_str().into(),
            article_en: m.article_en.as_str().into(),
            header: false,
        }));
    }
    rows.push(none_option(
        "其他事项或不清楚",
        "Something else, or not sure",
    ));
    rows
}

/// The lawyer question's answers: no, yes, not sure.
fn lawyer_options() -> Vec<AidOption> {
    [
        (NO_LAWYER, "没有，还没请", "No, not yet"),
        (HAS_LAWYER, "已经请了", "Yes, I already have one"),
        ("", "不清楚", "Not sure"),
    ]
    .into_iter()
    .map(|(id, zh, en)| AidOption {
        id: id.into(),
        ..none_option(zh, en)
    })
    .collect()
}

fn group_options(groups: &[&content::AidGroup]) -> Vec<AidOption> {
    let mut rows: Vec<AidOption> = groups
        .iter()
        .map(|g| AidOption {
            id: g.id.as_str().into(),
            name: g.name.zh.as_str().into(),
            name_en: g.name.en_or_zh().into(),
            article: g.article.as_str().into(),
            article_en: g.article_en.as_str().into(),
            header: false,
        })
        .collect();
    rows.push(none_option(
        "以上都不是或不清楚",
        "None of these, or not sure",
    ));
    rows
}

fn none_option(zh: &str, en: &str) -> AidOption {
    AidOption {
        id: SharedString::new(),
        name: zh.into(),
        name_en: en.into(),
        article: SharedString::new(),
        article_en: SharedString::new(),
        header: false,
    }
}

/// The heading of a category of matters (the data's key when it is not a known one).
fn category_name(category: &str) -> Text {
    match category {
        "criminal" => Text::new("刑事案件", "Criminal cases"),
        "civil" => Text::new("民事事项", "Civil matters"),
        "administrative" => Text::new("行政事项", "Administrative matters"),
        "general" => Text::new("其他情形", "Other situations"),
        other => Text::new(other, other),
    }
}

/// A further-help note as the page shows it: its text, then the article of the Legal Aid Law.
fn note_text(note: &AidNote) -> (Text, Text) {
    (
        note.text.clone(),
        Text {
            zh: format!("法律援助法{}", note.article),
            en: note.article_en.clone(),
        },
    )
}

/// A reason as the page shows it, in both languages. The English names the article by its English
/// label only ("Legal Aid Law art. 31(5)").
pub fn reason_text(rules: &LegalAidRules, reason: &Reason) -> Text {
    let standard = &rules.hardship_standard;
    let cite = |zh_article: &str, en_article: &str, name: &Text, zh: &str, en: &str| {
        let en_label = if en_article.is_empty() {
            String::new()
        } else {
            format!(" ({en_article})")
        };
        Text::new(
            format!("{zh_article}：{}{zh}", name.zh),
            format!("{}{en}{en_label}", name.en_or_zh()),
        )
    };
    let region_en = if standard.region_en.is_empty() {
        String::new()
    } else {
        format!(" ({})", standard.region_en)
    };
    match reason {
        Reason::Matter(m) => cite(&m.article, &m.article_en, &m.name, "", ""),
        Reason::MatterNotListed => Text::new(
            "您的事项不在所列事项中或不确定：地方法规可能扩大援助范围，法律咨询、代拟法律文书等也可能提供，请到窗口咨询。",
            "Your matter is not listed or you are not sure: local rules may widen the list, and advice or drafting documents may still be offered. Ask at the window.",
        ),
        Reason::HasRepresentative(note) => cite(
            &note.article,
            &note.article_en,
            &Text::new(
                "您说这件事已经请了律师或代理人。",
                "You said a lawyer or agent already acts for you in this matter. ",
            ),
            &note.text.zh,
            note.text.en_or_zh(),
        ),
        Reason::RepresentativeNotKnown(note) => cite(
            &note.article,
            &note.article_en,
            &Text::new(
                "您不清楚这件事有没有请律师。",
                "You are not sure whether a lawyer acts in this matter. ",
            ),
            &note.text.zh,
            note.text.en_or_zh(),
        ),
        Reason::MandatoryDefence(g) => cite(
            &g.article,
            &g.article_en,
            &g.name,
            "——由办案机关通知法律援助机构指派律师，无需申请",
            ": the case-handling authority arranges a defender, no application needed",
        ),
        Reason::NoHardshipCondition(g) => cite(
            &g.article,
            &g.article_en,
            &g.name,
            "——不受经济困难条件的限制",
            ": no economic-hardship condition",
        ),
        Reason::CheckExempt(g) => cite(
            &g.article,
            &g.article_en,
            &g.name,
            "——凭证明材料免予核查经济困难状况",
            ": with proof of this status, finances are not checked",
        ),
        Reason::NoStandardFigure => standard.note.clone(),
        Reason::IncomeNotGiven => Text::new(
            "未填写收入：请如实说明家庭经济状况，由法律援助机构核查（可以通过信息共享查询或个人诚信承诺）。",
            "No income given: state your household's finances truthfully; the legal-aid body checks them (by data sharing or a good-faith pledge).",
        ),
        Reason::IncomeWithinStandard {
            income,
            standard: figure,
        } => Text::new(
            format!(
                "家庭人均月收入{income}元，不高于{}法律援助经济困难标准每人每月{figure}元（{}）",
                standard.region, standard.source
            ),
            format!(
                "Monthly income of {income} yuan per person is within the legal-aid hardship standard of {figure} yuan{region_en}",
            ),
        ),
        Reason::IncomeAboveStandard {
            income,
            standard: figure,
        } => Text::new(
            format!(
                "家庭人均月收入{income}元，高于{}法律援助经济困难标准每人每月{figure}元（{}）；如有特殊困难，仍可到窗口说明",
                standard.region, standard.source
            ),
            format!(
                "Monthly income of {income} yuan per person is above the legal-aid hardship standard of {figure} yuan{region_en}; special difficulties can still be explained at the window",
            ),
        ),
    }
}

/// Bulleted lines in both languages, each with its article label when it has one: each language shows
/// only its own label, so an English line without an English label has none (never the Chinese one).
fn bullets(items: impl Iterator<Item = (Text, Text)>) -> (SharedString, SharedString) {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for (text, article) in items {
        if article.zh.is_empty() {
            zh.push(format!("• {}", text.zh));
        } else {
            zh.push(format!("• {}（{}）", text.zh, article.zh));
        }
        if article.en.is_empty() {
            en.push(format!("• {}", text.en_or_zh()));
        } else {
            en.push(format!("• {} ({})", text.en_or_zh(), article.en));
        }
    }
    (zh.join("\n").into(), en.join("\n").into())
}

fn numbered(items: &[Text]) -> (SharedString, SharedString) {
    let zh: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{}. {}", i + 1, t.zh))
        .collect();
    let en: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{}. {}", i + 1, t.en_or_zh()))
        .collect();
    (zh.join("\n").into(), en.join("\n").into())
}

/// The text a phone shows after scanning the materials QR code: the checklist and the time limits in
/// Chinese, cut at a line to fit a readable code.
pub fn qr_text(rules: &LegalAidRules) -> String {
    let mut text = "【法律援助申请材料清单】".to_owned();
    let mut parts: Vec<String> = rules
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{}. {}", i + 1, m.zh))
        .collect();
    parts.push(format!(
        "收到申请后{}日内作出决定；决定给予法律援助的，{}日内指派人员。",
        rules.decision_days, rules.assign_days
    ));
    parts.push(rules.disclaimer.zh.clone());
    for part in parts {
        if text.len() + part.len() + 1 > QR_MAX_BYTES {
            text.push_str("\n……详见窗口");
            break;
        }
        text.push('\n');
        text.push_str(&part);
    }
    text
}

#[cfg(test)]
mod tests {
    use content::{
        LegalAidRules,
        aid_check::{Reason, has_cjk},
    };

    use super::{income_key, note_text, reason_text};

    #[test]
    fn every_reason_and_note_reads_in_english_without_chinese() {
        let mut rules: LegalAidRules = toml::from_str(include_str!(
            "../../../../assets/content-src/legal_aid.toml"
        ))
        .unwrap();
        rules.hardship_standard.monthly_income_per_person_yuan = Some(1500);
        let condition = rules
            .no_representative
            .clone()
            .expect("the lawyer question");
        let mut reasons: Vec<Reason> = rules.matters.iter().cloned().map(Reason::Matter).collect();
        reasons.extend(
            rules
                .mandatory_defence
                .iter()
                .cloned()
                .map(Reason::MandatoryDefence),
        );
        reasons.extend(
            rules
                .no_hardship_condition
                .iter()
                .cloned()
                .map(Reason::NoHardshipCondition),
        );
        reasons.extend(rules.check_exempt.iter().cloned().map(Reason::CheckExempt));
        reasons.extend([
            Reason::MatterNotListed,
            Reason::HasRepresentative(condition.clone()),
            Reason::RepresentativeNotKnown(condition),
            Reason::NoStandardFigure,
            Reason::IncomeNotGiven,
            Reason::IncomeWithinStandard {
                income: 900,
                standard: 1500,
            },
            Reason::IncomeAboveStandard {
                income: 2000,
                standard: 1500,
            },
        ]);
        for reason in &reasons {
            let text = reason_text(&rules, reason);
            assert!(!has_cjk(&text.en), "{reason:?}: {}", text.en);
            if let Some(article) = reason.article_en() {
                assert!(text.en.contains(article), "{}", text.en);
                assert!(text.zh.contains(reason.article().unwrap()), "{}", text.zh);
            }
        }
        for note in [
            &rules.right_to_be_told,
            &rules.duty_lawyer,
            &rules.free_consultation,
        ] {
            let (text, article) = note_text(note.as_ref().expect("published"));
            assert!(!has_cjk(&text.en) && !has_cjk(&article.en), "{}", text.en);
            assert!(article.zh.starts_with("法律援助法第"), "{}", article.zh);
        }
    }

    #[test]
    fn the_income_pad_types_digits_without_leading_zeros() {
        assert_eq!(income_key("", "0"), "0");
        assert_eq!(income_key("0", "7"), "7");
        assert_eq!(income_key("12", "3"), "123");
        assert_eq!(income_key("123456", "7"), "123456", "six digits at most");
        assert_eq!(income_key("123", "backspace"), "12");
        assert_eq!(income_key("", "backspace"), "");
        assert_eq!(income_key("123", "clear"), "");
        assert_eq!(income_key("12", "x"), "12");
    }
}
