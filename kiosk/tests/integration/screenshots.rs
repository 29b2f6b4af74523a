//! The README's screenshots are goldens: `kiosk screenshot --flow` and `--info` render, headless and with
//! Slint's time moving only per picture, exactly the PNGs committed in `images/screenshots/`. A change to a
//! screen shows up here; after an intended one, `BLESS=1 cargo test -p kiosk --test integration screenshots::`
//! regenerates them (never in CI) and the diff is reviewed like code.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../images/screenshots")
}

fn render(args: &[&str], out: &Path) -> Vec<PathBuf> {
    let data = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["screenshot", "--out-dir"])
        .arg(out)
        .args(args)
        .env("KIOSK_DATA_DIR", data.path())
        .env("RUST_LOG", "warn")
        .status()
        .unwrap();
    assert!(status.success(), "kiosk screenshot {args:?} failed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    files.sort();
    files
}

fn check(args: &[&str], expected_count: usize) {
    let out = tempfile::tempdir().unwrap();
    let files = render(args, out.path());
    assert_eq!(
        files.len(),
        expected_count,
        "{args:?} renders {expected_count} screens"
    );
    for file in files {
        let name = file.file_name().unwrap();
        golden::check_bytes(committed().join(name), &std::fs::read(&file).unwrap());
    }
}

#[test]
fn the_take_a_number_screenshots_are_the_committed_ones() {
    // Seven take-a-number screens and five of check-in (home with its strip, the prompt, the booking
    // to confirm, the ticket, an unknown code), each in Chinese, English and elderly mode.
    check(&["--flow"], (7 + 5) * 3);
}

#[test]
fn the_rating_pad_screenshots_are_the_committed_ones() {
    // Serving, prompt, reasons and thanks, each in Chinese, English and elderly mode.
    check(&["--rating-pad", "--size", "1024x600"], 4 * 3);
}

#[test]
fn the_information_page_screenshots_are_the_committed_ones() {
    // Fifteen screens and the eleven guides besides legal aid's (which is one of the screens),
    // each in Chinese, English and elderly mode.
    check(&["--info", "--size", "540x960"], (15 + 12) * 3);
}

#[test]
fn a_village_rooms_screenshots_are_the_committed_ones() {
    // Home with the village's legal adviser, the guides, legal aid worded for a room, the directory.
    check(&["--info", "--tier", "room", "--size", "540x960"], 4 * 3);
}
