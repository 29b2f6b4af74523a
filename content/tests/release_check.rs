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
        has("services/03_legal_aid.toml:13: 〔待核实〕 mark"),
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
    let mut guide = std::fs::read_to_string(
        assets().join("content-src/services/01_reception.toml"),
    )
    .unwrap()
    .replace(
        "reviewed = \"2025-04-19\"",
        "reviewed = \"2025-04-19\"\nsign_off = { by = \"中心审核人\", on = \"2026-03-01\" }",
    );
    if !guide.lines().any(|l| l.starts_with("plain = ")) {
        // A release also needs the guide's plain one-line summary.
        guide = guide.replacen(
            "\nsign_off = ",
            "\nplain = { zh = \"来了先到服务台问。\", en = \"Ask at the service desk first.\" }\nsign_off = ",
            1,
        );
    }
    write(s, "services/01_reception.toml", &guide);
    assert_eq!(open_items(s).unwrap(), []);
    let key = SecretKey::generate();
    let out = tempfile::tempdir().unwrap();
    content::build(s, &key, out.path(), &release(2026)).unwrap();

    // One mark, on one line, and the release is refused naming exactly it.
    let marked = guide.replacen(
        "\nwindow = ",
        "\n# 窗口号〔待核实〕 is a comment: not counted\nwindow = ",
        1,
    );
    let marked = marked.replacen(
        "zh = \"1号窗口（接待柜台）\"",
        "zh = \"1号窗口〔待核实〕\"",
        1,
    );
    write(s, "services/01_reception.toml", &marked);
    let line = marked
        .lines()
        .position(|l| l.starts_with("window = ") && l.contains("待核实"))
        .unwrap()
        + 1;
    let items = open_items(s).unwrap();
    assert_eq!(items.len(), 1, "{items:#?}");
    let shown = items[0].to_string();
    assert!(
        shown.starts_with(&format!(
            "services/01_reception.toml:{line}: 〔待核实〕 mark: window = {{ zh = \"1号窗口〔待核实〕\""
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
