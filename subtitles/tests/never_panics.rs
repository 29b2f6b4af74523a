//! Property tests: any bytes are either refused with an error or give sorted, well-formed cues, and
//! files written from arbitrary cues read back as those cues.

use std::time::Duration;

use proptest::prelude::*;
use subtitles::Subtitles;

fn stamp(ms: u64) -> String {
    format!(
        "{:02}:{:02}:{:02},{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(subs) = Subtitles::parse(&bytes) {
            for c in subs.cues() {
                prop_assert!(c.start < c.end);
                prop_assert!(!c.text.is_empty());
            }
        }
    }

    #[test]
    fn srt_shaped_noise_never_panics(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("00:00:01,000 --> 00:00:02,000".to_owned()),
                Just("-->".to_owned()),
                Just(String::new()),
                "[0-9:,.> -]{0,40}",
                "\\PC{0,20}",
            ],
            0..30,
        )
    ) {
        let _ = Subtitles::parse(lines.join("\n").as_bytes());
    }

    #[test]
    fn written_cues_read_back(
        cues in proptest::collection::vec((0u64..36_000_000, 1u64..20_000, "[a-z\u{4e00}-\u{4e50}]{1,12}"), 1..20)
    ) {
        let file: String = cues
            .iter()
            .enumerate()
            .map(|(i, (start, len, text))| {
                format!("{}\n{} --> {}\n{}\n\n", i + 1, stamp(*start), stamp(start + len), text)
            })
            .collect();
        let subs = Subtitles::parse(file.as_bytes()).unwrap();
        prop_assert_eq!(subs.cues().len(), cues.len());
        for (start, len, text) in &cues {
            let mid = Duration::from_millis(start + len / 2);
            let at = subs.at(mid).unwrap();
            prop_assert!(at.start <= mid && mid < at.end);
            // Without overlaps, the cue found is the one written there.
            let overlapping = cues.iter().filter(|(s, l, _)| *s <= start + len / 2 && start + len / 2 < s + l).count();
            if overlapping == 1 {
                prop_assert_eq!(&at.text, text);
            }
        }
    }
}
