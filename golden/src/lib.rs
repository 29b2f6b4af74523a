//! Golden files for the workspace's tests: one switch to regenerate them, one way to compare.
//!
//! A test produces its output and hands it to [`check_text`], [`check_bytes`] or [`check_with`]
//! with the path of its golden file. Normally the output is compared with the file and the test
//! panics on a difference, naming the file and showing where it differs. With `BLESS=1` in the
//! environment the file is written instead (regenerated), and the change is reviewed with
//! `git diff`.
//!
//! The rule, the same for every golden file of the workspace:
//!
//! - `BLESS` unset, empty or `0`: compare;
//! - `BLESS=1`: regenerate;
//! - any other value of `BLESS` is a mistake and the test panics;
//! - blessing is refused (the test panics) when the `CI` environment variable is set, whatever its
//!   value, so that a leaked `BLESS` can never make CI accept its own output.
//!
//! ```no_run
//! let rendered = "kiosk_healthy 1\n";
//! golden::check_text(
//!     concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/health.prom"),
//!     rendered,
//! );
//! ```

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::Path;

/// The environment variable that asks for golden files to be regenerated (`BLESS=1`).
pub const BLESS_VAR: &str = "BLESS";

/// The environment variable that marks a CI run, where blessing is refused.
pub const CI_VAR: &str = "CI";

/// What the golden checks of this run do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Compare the output with the golden file; a difference fails the test.
    Compare,
    /// Write the output to the golden file (regenerate it).
    Bless,
}

/// Why the environment does not give a valid [`Mode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModeError {
    /// `BLESS=1` while `CI` is set.
    #[error(
        "BLESS=1 is refused because CI is set (CI={ci:?}): golden files are regenerated on a developer's \
         machine and the diff is reviewed, never in CI"
    )]
    RefusedInCi {
        /// The value of `CI`.
        ci: String,
    },
    /// `BLESS` has a value other than `1`, `0` or empty.
    #[error(
        "BLESS={value:?} is not understood: use BLESS=1 to regenerate golden files, or unset it to compare"
    )]
    BadValue {
        /// The value of `BLESS`, lossily converted to UTF-8.
        value: String,
    },
}

/// The mode for the given values of `BLESS` and `CI` (`None` when unset).
///
/// This is the whole rule; [`mode`] applies it to the process environment.
pub fn decide(bless: Option<&OsStr>, ci: Option<&OsStr>) -> Result<Mode, ModeError> {
    let wanted = match bless {
        None => Mode::Compare,
        Some(v) if v.is_empty() || v == "0" => Mode::Compare,
        Some(v) if v == "1" => Mode::Bless,
        Some(v) => {
            return Err(ModeError::BadValue {
                value: v.to_string_lossy().into_owned(),
            });
        }
    };
    match (wanted, ci) {
        (Mode::Bless, Some(ci)) => Err(ModeError::RefusedInCi {
            ci: ci.to_string_lossy().into_owned(),
        }),
        _ => Ok(wanted),
    }
}

/// The mode of this process, from the `BLESS` and `CI` environment variables.
///
/// # Panics
///
/// When the environment is invalid (see [`decide`]): blessing under CI, or a value of `BLESS`
/// other than `1`, `0` or empty.
#[track_caller]
pub fn mode() -> Mode {
    match decide(
        std::env::var_os(BLESS_VAR).as_deref(),
        std::env::var_os(CI_VAR).as_deref(),
    ) {
        Ok(mode) => mode,
        Err(e) => panic!("{e}"),
    }
}

/// Whether golden files are to be regenerated in this run (`BLESS=1`, and `CI` unset).
///
/// # Panics
///
/// As [`mode`].
#[track_caller]
pub fn bless_requested() -> bool {
    mode() == Mode::Bless
}

/// Compares `actual` with the text golden file at `path`, or writes it there when blessing.
///
/// # Panics
///
/// When the file is missing or differs (the message shows the first differing line and, for
/// short files, both versions), when it cannot be read or written, or as [`mode`].
#[track_caller]
pub fn check_text(path: impl AsRef<Path>, actual: &str) {
    text_in(mode(), path.as_ref(), actual);
}

/// Compares `actual` with the binary golden file at `path`, or writes it there when blessing.
///
/// # Panics
///
/// When the file is missing or differs (the message gives the lengths and the first differing
/// offset with the bytes around it), when it cannot be read or written, or as [`mode`].
#[track_caller]
pub fn check_bytes(path: impl AsRef<Path>, actual: &[u8]) {
    with_in(mode(), path.as_ref(), actual, |expected, actual| {
        byte_difference(expected, actual).map_or(Ok(()), Err)
    });
}

/// Like [`check_bytes`], for files whose bytes may differ while their meaning is the same (an
/// image compared by its pixels rather than by its encoding): `same(expected, actual)` decides,
/// and returns a description of the difference when there is one.
///
/// When blessing, `actual` is written and `same` is not called.
///
/// # Panics
///
/// When the file is missing, when `same` reports a difference, when the file cannot be read or
/// written, or as [`mode`].
#[track_caller]
pub fn check_with(
    path: impl AsRef<Path>,
    actual: &[u8],
    same: impl FnOnce(&[u8], &[u8]) -> Result<(), String>,
) {
    with_in(mode(), path.as_ref(), actual, same);
}

#[track_caller]
fn text_in(mode: Mode, path: &Path, actual: &str) {
    with_in(mode, path, actual.as_bytes(), |expected, _| {
        let Ok(expected) = std::str::from_utf8(expected) else {
            return Err("the golden file is not UTF-8 text".to_owned());
        };
        text_difference(expected, actual).map_or(Ok(()), Err)
    });
}

#[track_caller]
fn with_in(
    mode: Mode,
    path: &Path,
    actual: &[u8],
    same: impl FnOnce(&[u8], &[u8]) -> Result<(), String>,
) {
    if mode == Mode::Bless {
        bless(path, actual);
        return;
    }
    let expected = read(path);
    if let Err(diff) = same(&expected, actual) {
        panic!(
            "golden file {} differs from the output.\n{diff}\n{}",
            path.display(),
            how_to_bless(path)
        );
    }
}

/// Writes `actual` to `path` (creating its folder) unless it holds exactly that already.
fn bless(path: &Path, actual: &[u8]) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    }
    if std::fs::read(path).ok().as_deref() != Some(actual) {
        std::fs::write(path, actual)
            .unwrap_or_else(|e| panic!("cannot write golden file {}: {e}", path.display()));
        eprintln!("golden: blessed {}", path.display());
    }
}

#[track_caller]
fn read(path: &Path) -> Vec<u8> {
    match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => panic!(
            "cannot read golden file {}: {e}.\n{}",
            path.display(),
            how_to_bless(path)
        ),
    }
}

fn how_to_bless(path: &Path) -> String {
    format!(
        "If the new output is intended, run the same test again with {BLESS_VAR}=1 to regenerate \
         the golden file, then review the change (git diff -- {}).",
        path.display()
    )
}

/// Texts up to this many lines are shown in full in a mismatch message.
const SHOW_WHOLE_LINES: usize = 40;

/// Where two texts differ, for a mismatch message; `None` when they are equal.
fn text_difference(expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let (old, new): (Vec<&str>, Vec<&str>) = (
        expected.split_inclusive('\n').collect(),
        actual.split_inclusive('\n').collect(),
    );
    let first = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    let mut out = format!(
        "expected {} lines, got {}; first difference at line {}:\n",
        old.len(),
        new.len(),
        first + 1
    );
    let line = |lines: &[&str], i: usize| {
        lines
            .get(i)
            .map_or_else(|| "(no line)".to_owned(), |l| format!("{l:?}"))
    };
    let _ = writeln!(out, "- {}", line(&old, first));
    let _ = writeln!(out, "+ {}", line(&new, first));
    if old.len() <= SHOW_WHOLE_LINES && new.len() <= SHOW_WHOLE_LINES {
        let _ = write!(out, "expected:\n{expected}\nactual:\n{actual}");
        if !actual.ends_with('\n') {
            out.push('\n');
        }
    }
    Some(out)
}

/// Where two byte strings differ, for a mismatch message; `None` when they are equal.
fn byte_difference(expected: &[u8], actual: &[u8]) -> Option<String> {
    if expected == actual {
        return None;
    }
    let first = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let around = |bytes: &[u8]| {
        let window = &bytes[first.min(bytes.len())..(first + 16).min(bytes.len())];
        window.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x} ");
            s
        })
    };
    Some(format!(
        "expected {} bytes, got {}; first difference at offset {first} (0x{first:x}):\n- {}\n+ {}",
        expected.len(),
        actual.len(),
        around(expected).trim_end(),
        around(actual).trim_end()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> Option<&OsStr> {
        Some(OsStr::new(s))
    }

    #[test]
    fn unset_empty_and_zero_compare() {
        assert_eq!(decide(None, None), Ok(Mode::Compare));
        assert_eq!(decide(os(""), None), Ok(Mode::Compare));
        assert_eq!(decide(os("0"), None), Ok(Mode::Compare));
    }

    #[test]
    fn one_blesses_outside_ci() {
        assert_eq!(decide(os("1"), None), Ok(Mode::Bless));
    }

    #[test]
    fn blessing_is_refused_when_ci_is_set_to_anything() {
        for ci in ["true", "1", "0", ""] {
            let err = decide(os("1"), os(ci)).unwrap_err();
            assert_eq!(err, ModeError::RefusedInCi { ci: ci.to_owned() });
            assert!(err.to_string().contains("refused"), "{err}");
        }
    }

    #[test]
    fn comparing_is_allowed_in_ci() {
        assert_eq!(decide(None, os("true")), Ok(Mode::Compare));
        assert_eq!(decide(os("0"), os("true")), Ok(Mode::Compare));
        assert_eq!(decide(os(""), os("true")), Ok(Mode::Compare));
    }

    #[test]
    fn other_values_of_bless_are_errors() {
        for value in ["yes", "true", "2", " 1"] {
            assert_eq!(
                decide(os(value), None),
                Err(ModeError::BadValue {
                    value: value.to_owned()
                })
            );
        }
    }

    #[test]
    fn a_text_difference_names_the_first_differing_line() {
        assert_eq!(text_difference("a\nb\n", "a\nb\n"), None);
        let diff = text_difference("a\nb\nc\n", "a\nB\nc\n").unwrap();
        assert!(diff.contains("first difference at line 2"), "{diff}");
        assert!(
            diff.contains("- \"b\\n\"") && diff.contains("+ \"B\\n\""),
            "{diff}"
        );
        assert!(diff.contains("expected:\na\nb\nc\n"), "{diff}");
    }

    #[test]
    fn a_missing_line_is_named() {
        let diff = text_difference("a\nb\n", "a\n").unwrap();
        assert!(diff.contains("expected 2 lines, got 1"), "{diff}");
        assert!(diff.contains("+ (no line)"), "{diff}");
    }

    #[test]
    fn long_texts_are_not_shown_in_full() {
        let old: String = (0..100).map(|i| format!("{i}\n")).collect();
        let new = old.replace("50\n", "fifty\n");
        let diff = text_difference(&old, &new).unwrap();
        assert!(diff.contains("first difference at line 51"), "{diff}");
        assert!(!diff.contains("expected:\n"), "{diff}");
    }

    #[test]
    fn a_byte_difference_gives_the_offset_and_the_bytes_there() {
        assert_eq!(byte_difference(b"abc", b"abc"), None);
        let diff = byte_difference(&[0x1b, 0x40, 0x0a], &[0x1b, 0x41, 0x0a]).unwrap();
        assert!(
            diff.contains("first difference at offset 1 (0x1)"),
            "{diff}"
        );
        assert!(diff.contains("- 40 0a\n+ 41 0a"), "{diff}");
        let diff = byte_difference(b"ab", b"abc").unwrap();
        assert!(diff.contains("expected 2 bytes, got 3"), "{diff}");
        assert!(diff.contains("offset 2"), "{diff}");
    }

    // The checks below pass the mode themselves, so they behave the same whatever BLESS and CI are.

    fn message(panic: Box<dyn std::any::Any + Send>) -> String {
        panic.downcast_ref::<String>().unwrap().clone()
    }

    #[test]
    fn an_equal_output_passes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "same\n").unwrap();
        text_in(Mode::Compare, &path, "same\n");
        with_in(Mode::Compare, &path, b"SAME\n", |e, a| {
            if e.eq_ignore_ascii_case(a) {
                Ok(())
            } else {
                Err("differs".into())
            }
        });
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "same\n");
    }

    #[test]
    fn a_different_output_fails_naming_the_file_and_how_to_bless() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "old\n").unwrap();
        let message = message(
            std::panic::catch_unwind(|| text_in(Mode::Compare, &path, "new\n")).unwrap_err(),
        );
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("BLESS=1"), "{message}");
        assert!(message.contains("- \"old\\n\""), "{message}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "old\n",
            "comparing never writes"
        );
    }

    #[test]
    fn a_missing_golden_file_fails_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.bin");
        let message = message(
            std::panic::catch_unwind(|| {
                with_in(Mode::Compare, &path, b"x", |_, _| Ok(()));
            })
            .unwrap_err(),
        );
        assert!(message.contains("missing.bin"), "{message}");
        assert!(message.contains("BLESS=1"), "{message}");
        assert!(!path.exists(), "comparing never writes");
    }

    #[test]
    fn the_callers_description_of_a_difference_is_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        std::fs::write(&path, b"one").unwrap();
        let message = message(
            std::panic::catch_unwind(|| {
                with_in(Mode::Compare, &path, b"two", |_, _| {
                    Err("pixel (3, 4) differs".into())
                });
            })
            .unwrap_err(),
        );
        assert!(message.contains("pixel (3, 4) differs"), "{message}");
    }

    #[test]
    fn blessing_writes_the_output_and_creates_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/dir/a.txt");
        text_in(Mode::Bless, &path, "fresh\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "fresh\n");
        with_in(Mode::Bless, &path, b"\x1b@", |_, _| {
            panic!("not compared when blessing")
        });
        assert_eq!(std::fs::read(&path).unwrap(), b"\x1b@");
        text_in(Mode::Compare, &path, "\x1b@");
    }
}
