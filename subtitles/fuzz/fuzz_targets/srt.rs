//! Feeds arbitrary bytes to the SRT parser. It may not panic; what it accepts must be sorted, every
//! cue must end after it starts, and the cue found at any moment must cover that moment.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(subs) = subtitles::Subtitles::parse(data) else {
        return;
    };
    let cues = subs.cues();
    assert!(!cues.is_empty());
    for pair in cues.windows(2) {
        assert!(pair[0].start <= pair[1].start);
    }
    for cue in cues {
        assert!(cue.start < cue.end);
        let mid = cue.start + (cue.end - cue.start) / 2;
        let found = subs.at(mid).expect("a cue covers its own middle");
        assert!(found.start <= mid && mid < found.end);
    }
    let _ = subs.at(Duration::from_millis(u64::from(data.len() as u32)));
});
