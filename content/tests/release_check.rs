//! The launch check: today's sources are refused for a release with every open item named, and one
//! 〔待核实〕 mark is enough to refuse a release build, while a development build still works.

#[path = "support/mod.rs"]
mod content_support;

use std::path::Path;

use chrono::{TimeZone, Utc};
use content::{BuildOptions, ContentError, SecretKey, open_items};
use content_support::assets;

fn release(created_year: i32) -> BuildOptions {
    BuildOptions {
        created: Some(Utc.with_ymd_and_hms(created_year, 3, 2, 0, 0, 0).unwrap()),
        expires_days: Some(30),
        release: true,
        ..BuildOptions::default()
    }
}

#[test]
fn todays_sources_are_refused_for_a_release_and_each_open_item_is_named() {
    let src = assets().join("content-src");
    let items = open_items(&src).unwrap();
    let shown: Vec<String> = items.iter().map(ToString::to_string).collect();
    let has = |needle: &str| shown.iter().any(|s| s.contains(needle));
    assert!(
        has("services/03_legal_aid.toml:25: 〔待核实〕 mark"),
        "{shown:#?}"
    );
    assert!(
        has("display.toml:6: required: complaint_phone"),
        "{shown:#?}"
    );
    assert!(
        has("lawyers.csv:2: sample record sample-lawyer-1"),
        "{shown:#?}"
    );
    assert!(
        has("sites.csv:3: sample record station-example-street"),
        "{shown:#?}"
    );
    assert!(has("guide legal_aid has no sign-off"), "{shown:#?}");
    assert!(
        has("guide online has no sign-off"),
        "the guides of services without a number are checked too: {shown:#?}"
    );
    assert!(
        !has("required: plain"),
        "every guide has its plain summary: {shown:#?}"
    );
    let key = SecretKey::generate();
    let out = tempfile::tempdir().unwrap();
    let err = content::build(&src, &key, out.path(), &release(2026)).unwrap_err();
    match err {
        ContentError::NotReleasable(listed) => assert_eq!(listed, items),
        other => panic!("expected NotReleasable, got {other}"),
    }
    assert!(
        !out.path().join("manifest.json").exists(),
        "nothing is published"
    );
}

/// A complete guide: plain summary, a step with the window placeholder, a sign-off.
const GUIDE: &str = r#"id = "reception"
name = { zh = "接待指引", en = "Reception" }
summary = { zh = "告诉您到哪里办。", en = "Tells you where to go." }
plain = { zh = "不知道找谁，先问这里。", en = "Not sure where to go? Ask here first." }
steps = [{ zh = "到{window}说明来意。", en = "Say what you need at {window}." }]
reviewed = "2026-12-07"
sign_off = { by = "中心审核人", on = "2026-03-01" }
"#;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn one_unverified_mark_blocks_a_release_but_not_a_development_build() {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    write(s, "bundle.toml", "title = \"release check\"\n");
    let display = std::fs::read_to_string(assets().join("content-src/display.toml"))
        .unwrap()
        .replace(
            "complaint_phone = \"\"",
            "complaint_phone = \"023-00000000\"",
        )
        .replace(
            "complaint_phone_placeholder = true",
            "complaint_phone_placeholder = false",
        );
    write(s, "display.toml", &display);
    let guide = GUIDE.to_owned();
    write(s, "services/01_reception.toml", &guide);
    assert_eq!(open_items(s).unwrap(), []);
    let key = SecretKey::generate();
    let out = tempfile::tempdir().unwrap();
    content::build(s, &key, out.path(), &release(2026)).unwrap();

    // One mark, on one line, and the release is refused naming exactly it.
    let marked = guide.replacen(
        "\nsteps = ",
        "\n# 窗口号〔待核实〕 is a comment: not counted\nsteps = ",
        1,
    );
    let marked = marked.replacen("到{window}说明来意", "到{window}说明来意〔待核实〕", 1);
    write(s, "services/01_reception.toml", &marked);
    let line = marked
        .lines()
        .position(|l| l.starts_with("steps = ") && l.contains("待核实"))
        .unwrap()
        + 1;
    let items = open_items(s).unwrap();
    assert_eq!(items.len(), 1, "{items:#?}");
    let shown = items[0].to_string();
    assert!(
        shown.starts_with(&format!(
            "services/01_reception.toml:{line}: 〔待核实〕 mark: steps = [{{ zh = \"到{{window}}说明来意〔待核实〕。\""
        )),
        "{shown}"
    );
    let out = tempfile::tempdir().unwrap();
    assert!(matches!(
        content::build(s, &key, out.path(), &release(2026)),
        Err(ContentError::NotReleasable(_))
    ));
    let dev = BuildOptions {
        release: false,
        ..release(2026)
    };
    content::build(s, &key, out.path(), &dev).unwrap();
}

#[test]
fn a_guide_without_its_plain_summary_is_an_open_item() {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    write(s, "bundle.toml", "title = \"release check\"\n");
    let no_plain: String = GUIDE
        .lines()
        .filter(|l| !l.starts_with("plain = "))
        .map(|l| format!("{l}\n"))
        .collect();
    write(s, "services/01_reception.toml", &no_plain);
    let shown: Vec<String> = open_items(s)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        shown,
        [
            "services/01_reception.toml: guide reception: required: plain (the one-line summary in plain words) is empty"
        ]
    );
}

#[test]
fn an_unknown_placeholder_is_refused_naming_the_file_and_the_placeholder() {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    write(s, "bundle.toml", "title = \"placeholders\"\n");
    write(
        s,
        "services/01_reception.toml",
        &GUIDE.replace("到{window}说明来意", "到{windows}说明来意"),
    );
    let key = SecretKey::generate();
    let out = tempfile::tempdir().unwrap();
    let err = content::build(s, &key, out.path(), &BuildOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("01_reception.toml"), "{text}");
    assert!(text.contains("unknown placeholder {windows}"), "{text}");
}

#[test]
fn a_duty_schedule_is_checked_and_names_the_column() {
    let header = "id,name,role,phone,duty_days,duty_hours,duty_place_zh,sites\n";
    let cases = [
        (
            "p1,甲示例,village_adviser,,8,09:00-12:00,村委会,",
            "duty_days",
        ),
        ("p1,甲示例,village_adviser,,2,9-12,村委会,", "duty_hours"),
        (
            "p1,甲示例,village_adviser,,2,12:00-09:00,村委会,",
            "duty_hours",
        ),
        (
            "p1,甲示例,village_adviser,,2,09:00-12:00,村委会,no-such-site",
            "no site no-such-site",
        ),
    ];
    for (row, named) in cases {
        let src = tempfile::tempdir().unwrap();
        let s = src.path();
        write(s, "bundle.toml", "title = \"schedules\"\n");
        write(s, "lawyers.csv", &format!("{header}{row}\n"));
        let key = SecretKey::generate();
        let out = tempfile::tempdir().unwrap();
        let err = content::build(s, &key, out.path(), &BuildOptions::default()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("lawyers.csv") && text.contains(named),
            "{row}: {text}"
        );
    }
    // A good schedule is kept, days in order.
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    write(s, "bundle.toml", "title = \"schedules\"\n");
    write(
        s,
        "lawyers.csv",
        &format!("{header}p1,甲示例,village_adviser,,4;2,09:00-12:00,村委会,\n"),
    );
    let key = SecretKey::generate();
    let out = tempfile::tempdir().unwrap();
    content::build(s, &key, out.path(), &BuildOptions::default()).unwrap();
    let json = std::fs::read_to_string(
        walk(out.path())
            .into_iter()
            .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("甲示例")))
            .expect("the lawyers object"),
    )
    .unwrap();
    let people: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        people[0]["schedule"],
        serde_json::json!({"days": [2, 4], "hours": "09:00-12:00", "place": {"zh": "村委会", "en": ""}}),
        "{json}"
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
