//! No sample ID number in the repository can be a real person's: every 18-character ID-like number
//! (17 digits and a digit or `X`) in `assets/`, the sources, tests and docs of every crate has an
//! address code that no province uses (first two digits `99`, see `assets/sim-cards/README.md`).

use std::fs;
use std::path::{Path, PathBuf};

use id_reader::IdCheck;

/// First two digits of the address codes assigned to provinces, regions and municipalities (and
/// 71 Taiwan, 81 Hong Kong, 82 Macao, 83 the residence permit of Taiwan residents).
const ASSIGNED_PROVINCES: &[(u8, u8)] = &[
    (11, 15),
    (21, 23),
    (31, 37),
    (41, 46),
    (50, 54),
    (61, 65),
    (71, 71),
    (81, 83),
];

/// Directories never walked: build output and git's own data.
const SKIPPED_DIRS: &[&str] = &["target", ".git"];

/// One ID-like number found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    path: PathBuf,
    line: usize,
    number: String,
}

fn is_assigned(number: &str) -> bool {
    let province: u8 = number[..2].parse().expect("two digits");
    ASSIGNED_PROVINCES
        .iter()
        .any(|&(lo, hi)| (lo..=hi).contains(&province))
}

/// Every 18-character ID-like number in `bytes`: 17 ASCII digits and a digit or `X`/`x`, not part
/// of a longer run of letters or digits (a hash, a longer number).
fn id_like_numbers(bytes: &[u8]) -> Vec<(usize, String)> {
    let alnum = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_alphanumeric);
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let end = match i - start {
            18 => i,
            17 if matches!(bytes.get(i), Some(b'X' | b'x')) => i + 1,
            _ => continue,
        };
        if (start > 0 && alnum(start - 1)) || alnum(end) {
            continue;
        }
        let line = 1 + bytes[..start].iter().filter(|&&b| b == b'\n').count();
        let number = String::from_utf8_lossy(&bytes[start..end]).into_owned();
        out.push((line, number));
    }
    out
}

fn walk(dir: &Path, found: &mut Vec<Found>, files: &mut usize) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Symbolic links are not followed: the repository's own files are enough, without loops.
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if !SKIPPED_DIRS.contains(&name) {
                walk(&path, found, files);
            }
        } else if meta.is_file() && name != ".git" {
            let bytes =
                fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            *files += 1;
            found.extend(
                id_like_numbers(&bytes)
                    .into_iter()
                    .map(|(line, number)| Found {
                        path: path.clone(),
                        line,
                        number,
                    }),
            );
        }
    }
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate sits in the workspace")
        .to_path_buf()
}

#[test]
fn the_scanner_finds_id_like_numbers_and_only_those() {
    // Built at run time, so that this file holds no such number itself.
    let real_looking = format!("{}{}", "5001141990", "0307123X");
    let text = format!("id_number = \"{real_looking}\"\nhash = \"a{real_looking}b\"\n");
    let found = id_like_numbers(text.as_bytes());
    assert_eq!(found, [(1, real_looking.clone())]);
    assert!(is_assigned(&real_looking));
    let digits19 = format!("{}{}", "9901011990", "030799921");
    assert!(id_like_numbers(digits19.as_bytes()).is_empty());
    let unassigned = format!("身份证号{}{}。", "9901011990", "03079992");
    let found = id_like_numbers(unassigned.as_bytes());
    assert_eq!(found.len(), 1);
    assert!(!is_assigned(&found[0].1));
    for code in [
        "11", "15", "23", "37", "46", "50", "54", "65", "71", "81", "83",
    ] {
        assert!(is_assigned(&format!("{code}0101199003079992")), "{code}");
    }
    for code in [
        "00", "10", "16", "24", "38", "47", "55", "66", "72", "84", "99",
    ] {
        assert!(!is_assigned(&format!("{code}0101199003079992")), "{code}");
    }
}

#[test]
fn no_sample_id_number_in_the_repository_has_an_assigned_province_code() {
    let root = repository();
    let (mut found, mut files) = (Vec::new(), 0);
    walk(&root, &mut found, &mut files);
    assert!(
        files > 100,
        "only {files} files walked under {}",
        root.display()
    );

    // The walk reaches the sample cards, and their numbers pass the software's checks.
    for card in [
        "assets/sim-cards/citizen.toml",
        "assets/sim-cards/elderly.toml",
        "id-reader/cards/resident.toml",
    ] {
        let numbers: Vec<&Found> = found.iter().filter(|f| f.path == root.join(card)).collect();
        assert_eq!(numbers.len(), 1, "{card}: {numbers:?}");
        assert_eq!(IdCheck::of(&numbers[0].number), IdCheck::Valid, "{card}");
    }

    let real_looking: Vec<String> = found
        .iter()
        .filter(|f| is_assigned(&f.number))
        .map(|f| {
            format!(
                "{}:{}: {}",
                f.path.strip_prefix(&root).unwrap_or(&f.path).display(),
                f.line,
                f.number
            )
        })
        .collect();
    assert!(
        real_looking.is_empty(),
        "ID numbers with an assigned province code (use 99, e.g. 990101, with sequence 999x):\n{}",
        real_looking.join("\n")
    );
}
