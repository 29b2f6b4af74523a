//! Reading the editable sources of a bundle: TOML, Markdown with TOML front matter, CSV. Errors name the
//! file, the line and the field.

use std::path::{Component, Path, PathBuf};

use serde::de::DeserializeOwned;

use super::ContentError;

/// Reads a whole source file as UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, ContentError> {
    let bytes = std::fs::read(path).map_err(|source| ContentError::io(path, source))?;
    String::from_utf8(bytes).map_err(|err| {
        let line = err.as_bytes()[..err.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        ContentError::source(
            path,
            Some(line),
            None,
            "not UTF-8 text (save the file as UTF-8)",
        )
    })
}

/// Parses TOML text from `file`; `line_offset` is added to line numbers (front matter).
pub(crate) fn parse_toml<T: DeserializeOwned>(
    file: &Path,
    text: &str,
    line_offset: usize,
) -> Result<T, ContentError> {
    let line_of = |span: Option<std::ops::Range<usize>>| {
        span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1 + line_offset)
    };
    let de = toml::Deserializer::parse(text).map_err(|err| {
        ContentError::source(file, line_of(err.span()), None, err.message().to_owned())
    })?;
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let field = (path != "." && !path.is_empty()).then_some(path);
        ContentError::source(
            file,
            line_of(inner.span()),
            field.as_deref(),
            inner.message().to_owned(),
        )
    })
}

/// Splits Markdown with TOML front matter between `+++` lines: (front matter, its first line, body).
pub(crate) fn split_front_matter<'a>(
    file: &Path,
    text: &'a str,
) -> Result<(&'a str, usize, &'a str), ContentError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
    else {
        return Err(ContentError::source(
            file,
            Some(1),
            None,
            "must start with a `+++` line (TOML front matter)",
        ));
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Ok((&rest[..offset], 1, rest[offset + line.len()..].trim()));
        }
        offset += line.len();
    }
    Err(ContentError::source(
        file,
        None,
        None,
        "the front matter has no closing `+++` line",
    ))
}

/// Reads CSV rows with a header line. Returns each row as (line number, column → value).
pub(crate) fn read_csv(file: &Path) -> Result<Vec<CsvRow>, ContentError> {
    let text = read_text(file)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|err| csv_error(file, &err))?
        .iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| csv_error(file, &err))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows.push(CsvRow {
            file: file.to_owned(),
            line,
            cells: headers
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_owned))
                .collect(),
        });
    }
    Ok(rows)
}

fn csv_error(file: &Path, err: &csv::Error) -> ContentError {
    let line = err.position().map(|p| p.line() as usize);
    ContentError::source(file, line, None, err.to_string())
}

/// One CSV row.
pub(crate) struct CsvRow {
    file: PathBuf,
    /// Line number in the file.
    pub(crate) line: usize,
    cells: Vec<(String, String)>,
}

impl CsvRow {
    /// An error about `column` of this row.
    pub(crate) fn error(&self, column: &str, reason: impl Into<String>) -> ContentError {
        ContentError::source(&self.file, Some(self.line), Some(column), reason)
    }

    /// The value of an optional column (empty when the column is absent).
    pub(crate) fn get(&self, column: &str) -> &str {
        self.cells
            .iter()
            .find(|(h, _)| h == column)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The value of a column that must not be empty.
    pub(crate) fn required(&self, column: &str) -> Result<String, ContentError> {
        let value = self.get(column);
        if value.is_empty() {
            Err(self.error(column, "must not be empty"))
        } else {
            Ok(value.to_owned())
        }
    }

    /// A list in one cell, separated by `;` or `；`.
    pub(crate) fn list(&self, column: &str) -> Vec<String> {
        self.get(column)
            .split([';', '；'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// A yes/no cell (`yes`, `no`, `true`, `false`, `是`, `否`, `1`, `0`; empty is no).
    pub(crate) fn flag(&self, column: &str) -> Result<bool, ContentError> {
        match self.get(column).to_lowercase().as_str() {
            "" | "no" | "false" | "否" | "0" => Ok(false),
            "yes" | "true" | "是" | "1" => Ok(true),
            other => Err(self.error(column, format!("`{other}` is not yes/no (是/否)"))),
        }
    }

    /// A cell that names a value of a snake_case enum.
    pub(crate) fn enumerated<T: DeserializeOwned>(
        &self,
        column: &str,
        allowed: &str,
    ) -> Result<T, ContentError> {
        let value = self.required(column)?;
        serde_json::from_value(serde_json::Value::String(value.clone()))
            .map_err(|_| self.error(column, format!("`{value}` is not one of: {allowed}")))
    }
}

/// Resolves a file reference in the sources (e.g. `images/photo.jpg`) inside `src_dir`, refusing absolute
/// paths and `..`.
pub(crate) fn resolve_in(src_dir: &Path, reference: &str) -> Result<PathBuf, String> {
    let rel = Path::new(reference);
    if reference.is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(format!(
            "`{reference}` must be a relative path inside the sources, without `..`"
        ));
    }
    let path = src_dir.join(rel);
    if !path.is_file() {
        return Err(format!("file `{reference}` does not exist in the sources"));
    }
    Ok(path)
}

/// Checks a record id: 1 to 64 characters of `a-z`, `0-9`, `_`, `-`.
pub(crate) fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}
