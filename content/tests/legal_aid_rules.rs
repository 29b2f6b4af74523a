//! The published legal-aid rules (`assets/content-src/legal_aid.toml`) as the self-check reads them:
//! free of the flaws `aid_check::problems` names, every English article label naming the same article as
//! the Chinese one, English texts without Chinese, the art. 42(3) exemption limited to wage and
//! work-injury claims, a retrial (art. 33) in the general category, and the lawyer question and further
//! help present; the publisher refuses rules that name a matter that does not exist.

#[path = "support/mod.rs"]
mod content_support;

use content::{
    BuildOptions, ContentError, LegalAidRules, SecretKey, Text,
    aid_check::{
        self, Answers, GroupAnswer, IncomeAnswer, MatterAnswer, Note, Outcome, Question, Reason,
        RepresentativeAnswer, Step,
    },
};
use content_support::assets;

fn source() -> String {
    std::fs::read_to_string(assets().join("content-src/legal_aid.toml")).unwrap()
}

fn published() -> LegalAidRules {
    toml::from_str(&source()).expect("the published rules parse")
}

/// The value of a Chinese numeral of at most two digits (一 … 九十九).
fn chinese_number(numeral: &str) -> Option<u32> {
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c);
    let chars: Vec<char> = numeral.chars().collect();
    let value = match chars.as_slice() {
        [d] if *d == '十' => 10,
        [d] => digit(*d)?,
        ['十', u] => 10 + digit(*u)?,
        [t, '十'] => digit(*t)? * 10,
        [t, '十', u] => digit(*t)? * 10 + digit(*u)?,
        _ => return None,
    };
    u32::try_from(value).ok()
}

/// The numbers of a Chinese article label in order: 第二十五条第一款第一项 → [25, 1, 1].
fn numbers_zh(label: &str) -> Vec<u32> {
    label
        .split('第')
        .skip(1)
        .map(|part| {
            let numeral: String = part
                .chars()
                .take_while(|c| !"条款项".contains(*c))
                .collect();
            chinese_number(&numeral).unwrap_or_else(|| panic!("a numeral in {label:?}"))
        })
        .collect()
}

/// The numbers of an English article label in order: "Legal Aid Law art. 25(1)(1)" → [25, 1, 1].
fn numbers_en(label: &str) -> Vec<u32> {
    label
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect()
}

/// Every article label of the rules: (where, Chinese, English).
fn labels(rules: &LegalAidRules) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = rules
        .matters
        .iter()
        .map(|m| (m.id.clone(), m.article.clone(), m.article_en.clone()))
        .collect();
    for group in rules
        .mandatory_defence
        .iter()
        .chain(&rules.no_hardship_condition)
        .chain(&rules.check_exempt)
    {
        out.push((
            group.id.clone(),
            group.article.clone(),
            group.article_en.clone(),
        ));
    }
    for (name, note) in [
        ("no_representative", &rules.no_representative),
        ("right_to_be_told", &rules.right_to_be_told),
        ("duty_lawyer", &rules.duty_lawyer),
        ("free_consultation", &rules.free_consultation),
    ] {
        let note = note
            .as_ref()
            .unwrap_or_else(|| panic!("{name} is published"));
        out.push((name.into(), note.article.clone(), note.article_en.clone()));
    }
    out
}

/// Every text of the rules a screen shows.
fn texts(rules: &LegalAidRules) -> Vec<&Text> {
    let standard = &rules.hardship_standard;
    let mut out = vec![
        &rules.disclaimer,
        &rules.fraud_warning,
        &standard.household,
        &standard.note,
    ];
    out.extend(&rules.materials);
    out.extend(&rules.remedies);
    out.extend(rules.matters.iter().map(|m| &m.name));
    out.extend(
        rules
            .mandatory_defence
            .iter()
            .chain(&rules.no_hardship_condition)
            .chain(&rules.check_exempt)
            .map(|g| &g.name),
    );
    out.extend(
        [
            &rules.no_representative,
            &rules.right_to_be_told,
            &rules.duty_lawyer,
            &rules.free_consultation,
        ]
        .into_iter()
        .flatten()
        .map(|n| &n.text),
    );
    out
}

#[test]
fn the_rules_file_has_no_problems() {
    assert_eq!(aid_check::problems(&published()), []);
}

#[test]
fn every_english_article_label_names_the_same_article() {
    let rules = published();
    let labels = labels(&rules);
    assert!(labels.len() > 20, "found the labels");
    for (id, zh, en) in labels {
        assert!(en.starts_with("Legal Aid Law art"), "{id}: {en:?}");
        assert!(!aid_check::has_cjk(&en), "{id}: {en:?}");
        assert_eq!(numbers_en(&en), numbers_zh(&zh), "{id}: {zh} vs {en}");
    }
    assert_eq!(numbers_zh("第三十一条第五项"), [31, 5]);
    assert_eq!(numbers_zh("第二十五条第一款第一项"), [25, 1, 1]);
    assert_eq!(numbers_zh("第十条、第二十条"), [10, 20]);
}

#[test]
fn every_text_has_english_without_chinese() {
    let rules = published();
    for text in texts(&rules) {
        assert!(!text.en.trim().is_empty(), "no English for {:?}", text.zh);
        assert!(
            !aid_check::has_cjk(&text.en),
            "Chinese in the English of {:?}: {:?}",
            text.zh,
            text.en
        );
    }
    assert_eq!(rules.hardship_standard.region_en, "Chongqing");
    assert!(
        rules.disclaimer.zh.contains("自查") && rules.disclaimer.en.contains("self-check"),
        "one term for the self-check"
    );
    assert!(
        rules.disclaimer.zh.contains("不是决定") && rules.disclaimer.en.contains("not a decision"),
        "the disclaimer says it is no decision"
    );
}

fn answers(matter: &str) -> Answers {
    Answers {
        matter: Some(MatterAnswer::Listed(matter.into())),
        representative: Some(RepresentativeAnswer::NoneYet),
        mandatory_defence: Some(GroupAnswer::NoneOfThese),
        no_hardship_condition: Some(GroupAnswer::NoneOfThese),
        ..Answers::default()
    }
}

fn outcome(rules: &LegalAidRules, answers: &Answers) -> aid_check::Verdict {
    match aid_check::step(rules, answers).unwrap() {
        Step::Done(verdict) => verdict,
        Step::Ask(question) => panic!("still asks {question:?}"),
    }
}

#[test]
fn the_migrant_worker_exemption_is_limited_to_wages_and_work_injury() {
    let rules = published();
    let migrant = rules
        .check_exempt
        .iter()
        .find(|g| g.article == "第四十二条第三项")
        .expect("art. 42(3) is published");
    assert_eq!(migrant.applies_to_matters, ["wages", "work_injury"]);
    let article = |id: &str| {
        rules
            .matters
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.article.as_str())
    };
    assert_eq!(article("wages"), Some("第三十一条第五项"));
    assert_eq!(article("work_injury"), Some("第三十一条第七项"));

    for matter in ["wages", "work_injury"] {
        let mut a = answers(matter);
        assert!(
            aid_check::offered(&rules, &a, Question::CheckExempt).contains(&migrant),
            "{matter}"
        );
        a.check_exempt = Some(GroupAnswer::Applies(migrant.id.clone()));
        let verdict = outcome(&rules, &a);
        assert_eq!(verdict.outcome, Outcome::LikelyEligible, "{matter}");
        assert!(
            verdict
                .reasons
                .contains(&Reason::CheckExempt(migrant.clone()))
        );
    }
    for matter in ["labour_relation", "accident_injury", "support_payments"] {
        let mut a = answers(matter);
        assert!(
            !aid_check::offered(&rules, &a, Question::CheckExempt).contains(&migrant),
            "{matter}: not exempt under art. 42(3)"
        );
        a.check_exempt = Some(GroupAnswer::Applies(migrant.id.clone()));
        assert!(aid_check::step(&rules, &a).is_err(), "{matter}");
        a.check_exempt = Some(GroupAnswer::NoneOfThese);
        assert_eq!(
            outcome(&rules, &a).outcome,
            Outcome::AskAtWindow,
            "{matter}: without the figure, the finances are checked at the window"
        );
    }
}

#[test]
fn a_retrial_is_in_the_general_category() {
    let rules = published();
    let retrial = rules
        .matters
        .iter()
        .find(|m| m.article == "第三十三条")
        .unwrap();
    assert_eq!(retrial.category, "general");
    let mut a = answers(&retrial.id);
    a.check_exempt = Some(GroupAnswer::NoneOfThese);
    let verdict = outcome(&rules, &a);
    assert!(!verdict.criminal, "no mandatory-defence list for a retrial");
    let categories: Vec<&str> = aid_check::matters_by_category(&rules)
        .into_iter()
        .map(|(category, _)| category)
        .collect();
    assert_eq!(
        categories,
        ["civil", "administrative", "criminal", "general"]
    );
}

#[test]
fn a_lawyer_already_acting_and_criminal_results_get_the_published_help() {
    let rules = published();
    let mut a = answers("labour_relation");
    a.representative = Some(RepresentativeAnswer::AlreadyHas);
    let verdict = outcome(&rules, &a);
    assert_eq!(verdict.outcome, Outcome::AlreadyRepresented);
    assert_eq!(
        verdict.reasons[0].article(),
        Some("第二十四条、第二十五条、第二十九条、第三十一条、第三十三条")
    );
    let articles = |verdict: &aid_check::Verdict| -> Vec<String> {
        verdict
            .notes
            .iter()
            .map(|n| n.note().article_en.clone())
            .collect()
    };
    assert_eq!(articles(&verdict), ["Legal Aid Law art. 23"]);

    let verdict = outcome(&rules, &answers("criminal_defence"));
    assert_eq!(verdict.outcome, Outcome::LikelyEligible);
    assert_eq!(
        articles(&verdict),
        [
            "Legal Aid Law art. 35",
            "Legal Aid Law arts. 30 and 39(2)",
            "Legal Aid Law art. 23"
        ]
    );
    assert!(matches!(&verdict.notes[1], Note::DutyLawyer(n) if n.text.zh.contains("值班律师")));

    let mut a = answers("criminal_victim");
    a.check_exempt = Some(GroupAnswer::NoneOfThese);
    a.income = Some(IncomeAnswer::NotSure);
    let verdict = outcome(&rules, &a);
    assert_eq!(
        articles(&verdict),
        ["Legal Aid Law art. 35", "Legal Aid Law art. 23"],
        "duty lawyers help suspects and defendants, not victims"
    );
}

#[test]
fn the_publisher_refuses_rules_naming_a_missing_matter() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    content_support::write_sources(&src, 1, 1, |_| 1);
    let bad = source().replace(
        "applies_to_matters = [\"wages\", \"work_injury\"]",
        "applies_to_matters = [\"wage\", \"work_injury\"]",
    );
    assert_ne!(bad, source(), "the test changed the rules");
    std::fs::write(src.join("legal_aid.toml"), bad).unwrap();
    let key = SecretKey::generate();
    let err = content::build(
        &src,
        &key,
        &tmp.path().join("out"),
        &BuildOptions::default(),
    )
    .unwrap_err();
    match err {
        ContentError::Source {
            file,
            field,
            reason,
            ..
        } => {
            assert!(file.ends_with("legal_aid.toml"), "{}", file.display());
            assert_eq!(field.as_deref(), Some("check_exempt[2].applies_to_matters"));
            assert!(reason.contains("\"wage\""), "{reason}");
        }
        other => panic!("expected a source error, got {other}"),
    }
    std::fs::write(src.join("legal_aid.toml"), source()).unwrap();
    content::build(
        &src,
        &key,
        &tmp.path().join("out2"),
        &BuildOptions::default(),
    )
    .expect("the published rules build");
}
