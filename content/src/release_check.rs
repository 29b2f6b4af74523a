//! The launch check of a bundle's sources (`kiosk content check SRC --release`, and `build` with
//! `BuildOptions::release`): what a centre must settle before it puts its name to the content.
//!
//! Development builds keep working with open items; a release build is refused while any remains:
//! - a 〔待核实〕 (to be confirmed) mark anywhere in the sources;
//! - a sample record (`sample = yes` in a CSV file) in the directory or the sites;
//! - an empty required field: the supervision and complaint phone (`display.toml` `complaint_phone`,
//!   required at every tier by the district plan), a site's address or phone;
//! - a service guide without its plain one-line summary (`plain`);
//! - a service guide without a sign-off (`sign_off = { by = "…", on = "YYYY-MM-DD" }`, entered by the
//!   centre's reviewer; `reviewed` is only the date the text was last researched).
//!
//! Each item names its file and, where there is one, its line.

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::open_item::OpenItem;
use crate::{ContentError, model::ServiceGuide, sources};

/// The mark of a statement not yet confirmed against an official source.
pub const UNVERIFIED_MARK: &str = "待核实";

/// Lists every open item of the sources in `src`, in file order.
pub fn open_items(src: &Path) -> Result<Vec<OpenItem>, ContentError> {
    let mut items = Vec::new();
    let mut files = Vec::new();
    collect_text_files(src, &mut files)?;
    files.sort();
    for file in &files {
        let text = sources::read_text(file)?;
        let rel = file.strip_prefix(src).unwrap_or(file).to_owned();
        for (i, line) in text.lines().enumerate() {
            if line.contains(UNVERIFIED_MARK) && !line.trim_start().starts_with('#') {
                items.push(OpenItem {
                    file: rel.clone(),
                    line: Some(i + 1),
                    what: format!("〔待核实〕 mark: {}", excerpt(line)),
                });
            }
        }
        if file.extension().is_some_and(|e| e == "csv") {
            csv_items(&rel, &text, &mut items);
        }
    }
    display_items(src, &mut items)?;
    guide_items(src, &mut items)?;
    items.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(items)
}

fn collect_text_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ContentError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ContentError::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| ContentError::io(dir, e))?.path();
        if path.is_dir() {
            collect_text_files(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e == "toml" || e == "csv" || e == "md")
        {
            out.push(path);
        }
    }
    Ok(())
}

/// The first characters of a line, for the report.
fn excerpt(line: &str) -> String {
    let line = line.trim();
    let mut out: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Sample rows, and empty addresses or phones of real sites.
fn csv_items(rel: &Path, text: &str, items: &mut Vec<OpenItem>) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let Ok(headers) = reader.headers().cloned() else {
        return;
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (sample, id) = (column("sample"), column("id"));
    let is_sites = rel.file_name().is_some_and(|n| n == "sites.csv");
    for record in reader.records().flatten() {
        let line = record
            .position()
            .map(|p| usize::try_from(p.line()).unwrap_or(0));
        let id = id.and_then(|i| record.get(i)).unwrap_or("?");
        if sample.and_then(|i| record.get(i)) == Some("yes") {
            items.push(OpenItem {
                file: rel.to_owned(),
                line,
                what: format!("sample record {id} (示例数据)"),
            });
            continue;
        }
        if is_sites {
            for field in ["address", "phone"] {
                if column(field)
                    .and_then(|i| record.get(i))
                    .is_some_and(|v| v.trim().is_empty())
                {
                    items.push(OpenItem {
                        file: rel.to_owned(),
                        line,
                        what: format!("site {id}: {field} is empty"),
                    });
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct DisplayRequired {
    #[serde(default)]
    complaint_phone: String,
    #[serde(default)]
    complaint_phone_placeholder: bool,
}

/// The supervision and complaint phone.
fn display_items(src: &Path, items: &mut Vec<OpenItem>) -> Result<(), ContentError> {
    let file = src.join("display.toml");
    if !file.is_file() {
        return Ok(());
    }
    let text = sources::read_text(&file)?;
    let display: DisplayRequired = toml::from_str(&text).map_err(|e| {
        ContentError::source(
            &file,
            None,
            None,
            format!("not valid TOML: {}", e.message()),
        )
    })?;
    if display.complaint_phone.trim().is_empty() || display.complaint_phone_placeholder {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with("complaint_phone"))
            .map(|i| i + 1);
        items.push(OpenItem {
            file: PathBuf::from("display.toml"),
            line,
            what: "required: complaint_phone (监督投诉电话) is empty or still a placeholder".into(),
        });
    }
    Ok(())
}

/// Guides without a sign-off.
fn guide_items(src: &Path, items: &mut Vec<OpenItem>) -> Result<(), ContentError> {
    let dir = src.join("services");
    if !dir.is_dir() {
        return Ok(());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| ContentError::io(&dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    for file in files {
        let text = sources::read_text(&file)?;
        let guide: ServiceGuide = sources::parse_toml(&file, &text, 0)?;
        let signed = guide
            .sign_off
            .as_ref()
            .is_some_and(|s| !s.by.trim().is_empty());
        let rel = file.strip_prefix(src).unwrap_or(&file).to_owned();
        if guide.plain.zh.trim().is_empty() {
            items.push(OpenItem {
                file: rel.clone(),
                line: None,
                what: format!(
                    "guide {}: required: plain (the one-line summary in plain words) is empty",
                    guide.id
                ),
            });
        }
        if !signed {
            items.push(OpenItem {
                file: rel,
                line: None,
                what: format!(
                    "guide {} has no sign-off: add sign_off = {{ by = \"reviewer\", on = \"YYYY-MM-DD\" }}",
                    guide.id
                ),
            });
        }
    }
    Ok(())
}
