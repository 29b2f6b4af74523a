//! Every `@tr("…")` string in the UI has an English translation, and no translation is left over.

use std::{collections::BTreeSet, path::Path};

fn ui_messages(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            ui_messages(&path, out);
        } else if path.extension().is_some_and(|e| e == "slint") {
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("@tr(\"").skip(1) {
                let end = part.find('"').expect("unterminated @tr string");
                // `@tr("context" => "text")`: the catalogue keys the text by its context.
                match part[end + 1..].trim_start().strip_prefix("=>") {
                    Some(rest) => {
                        let rest = rest
                            .trim_start()
                            .strip_prefix('"')
                            .expect("@tr context without text");
                        let text_end = rest.find('"').expect("unterminated @tr string");
                        out.insert(format!("{}\u{4}{}", &part[..end], &rest[..text_end]));
                    }
                    None => {
                        out.insert(part[..end].to_owned());
                    }
                }
            }
        }
    }
}

fn po_messages(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut msgid = None;
    let mut context: Option<String> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("msgctxt \"") {
            context = Some(rest.trim_end_matches('"').to_owned());
        } else if let Some(rest) = line.strip_prefix("msgid \"") {
            let id = rest.trim_end_matches('"');
            msgid = Some(match context.take() {
                Some(context) => format!("{context}\u{4}{id}"),
                None => id.to_owned(),
            });
        } else if let Some(rest) = line.strip_prefix("msgstr \"") {
            let id = msgid.take().expect("msgstr without msgid");
            if !id.is_empty() {
                pairs.push((id, rest.trim_end_matches('"').to_owned()));
            }
        }
    }
    pairs
}

#[test]
fn every_ui_string_has_an_english_translation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut wanted = BTreeSet::new();
    ui_messages(&root.join("ui"), &mut wanted);
    assert!(wanted.len() > 10, "found the UI strings");
    let po = std::fs::read_to_string(root.join("translations/en/LC_MESSAGES/kiosk.po")).unwrap();
    let pairs = po_messages(&po);
    let translated: BTreeSet<String> = pairs.iter().map(|(id, _)| id.clone()).collect();
    // Two entries for one string: the catalogue keeps only one of them, silently.
    let mut seen = BTreeSet::new();
    let twice: Vec<_> = pairs
        .iter()
        .filter(|(id, _)| !seen.insert(id.clone()))
        .map(|(id, _)| id)
        .collect();
    assert!(twice.is_empty(), "strings translated twice: {twice:?}");
    let missing: Vec<_> = wanted.difference(&translated).collect();
    assert!(missing.is_empty(), "untranslated UI strings: {missing:?}");
    let stale: Vec<_> = translated.difference(&wanted).collect();
    assert!(
        stale.is_empty(),
        "translations of strings the UI no longer has: {stale:?}"
    );
    for (id, text) in &pairs {
        assert!(!text.trim().is_empty(), "empty translation for {id:?}");
        assert_eq!(
            id.matches("{}").count(),
            text.matches("{}").count(),
            "placeholders differ for {id:?}"
        );
    }
}
