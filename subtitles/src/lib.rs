//! SubRip (SRT) subtitles for the publicity videos on the hall screen.
//!
//! The hall is noisy and some citizens are deaf, so every publicity video may carry subtitles, drawn by
//! the player above the picture (not burned into the frames: the kiosk's own CJK font, its own size).
//! This crate reads the SRT file and answers one question, "which cue is on screen at this moment of the
//! video?".
//!
//! - [`Subtitles::parse`] is lenient where real files differ (a UTF-8 byte-order mark, CRLF or CR line
//!   ends, `,` or `.` before the milliseconds, missing cue numbers, position coordinates after the
//!   times, GB18030 files from Chinese editors, `<i>`/`<font>` tags and `{\an8}` overrides), and strict
//!   where a file is really broken: the error names the line and what was wrong ([`SrtError`]).
//! - [`Subtitles::at`] finds the cue covering a moment in O(log n).
//!
//! It does no I/O, never reads a clock and never panics, whatever the bytes (property tests and a fuzz
//! target, `subtitles/fuzz`). GStreamer's own SRT path is not used for this: its type detection does
//! not recognise files under about 129 bytes, and it hands cues over as Pango markup.

mod markup;
mod parse;
mod timing;

use std::time::Duration;

pub use parse::MAX_BYTES;

/// One subtitle: its text on screen from `start` (inclusive) to `end` (exclusive), video time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// When the text appears.
    pub start: Duration,
    /// When it goes (always after `start`).
    pub end: Duration,
    /// The text, markup removed; lines separated by `\n`.
    pub text: String,
}

/// Why an SRT file was refused. Line numbers count from 1 in the decoded text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrtError {
    /// The file is larger than [`MAX_BYTES`].
    #[error("subtitle file is {size} bytes, more than the {max} allowed")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A block of text has no `00:00:01,000 --> 00:00:03,500` line.
    #[error(
        "line {line}: expected a time line such as `00:00:01,000 --> 00:00:03,500`, found {found:?}"
    )]
    MissingTiming {
        /// The block's first line.
        line: usize,
        /// What was there (shortened).
        found: String,
    },
    /// A time could not be read.
    #[error("line {line}: {reason} in {found:?}")]
    BadTime {
        /// The time line.
        line: usize,
        /// What is wrong.
        reason: &'static str,
        /// The line (shortened).
        found: String,
    },
    /// A cue ends at or before its start.
    #[error("line {line}: the cue ends ({end_ms} ms) at or before it starts ({start_ms} ms)")]
    EndNotAfterStart {
        /// The time line.
        line: usize,
        /// Start, milliseconds.
        start_ms: u64,
        /// End, milliseconds.
        end_ms: u64,
    },
    /// No cue with text.
    #[error("the file holds no subtitle")]
    Empty,
}

/// The cues of one video, sorted by start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subtitles {
    cues: Vec<Cue>,
    /// `reach[i]`: the latest end among `cues[..=i]`, so a lookup knows when to stop looking back.
    reach: Vec<Duration>,
}

impl Subtitles {
    /// Reads an SRT file's bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, SrtError> {
        let mut cues = parse::cues(bytes)?;
        if cues.is_empty() {
            return Err(SrtError::Empty);
        }
        cues.sort_by_key(|c| c.start);
        let mut reach = Vec::with_capacity(cues.len());
        let mut latest = Duration::ZERO;
        for cue in &cues {
            latest = latest.max(cue.end);
            reach.push(latest);
        }
        Ok(Self { cues, reach })
    }

    /// Every cue, sorted by start.
    pub fn cues(&self) -> &[Cue] {
        &self.cues
    }

    /// The cue on screen at `t`: of the cues covering `t`, the one that started last.
    pub fn at(&self, t: Duration) -> Option<&Cue> {
        let started = self.cues.partition_point(|c| c.start <= t);
        (0..started)
            .rev()
            .take_while(|&i| self.reach[i] > t)
            .map(|i| &self.cues[i])
            .find(|c| c.end > t)
    }

    /// The text on screen at `t` (empty: none).
    pub fn text_at(&self, t: Duration) -> &str {
        self.at(t).map_or("", |c| c.text.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn finds_the_cue_on_screen_and_nothing_between_cues() {
        let subs = Subtitles::parse(
            "1\n00:00:00,200 --> 00:00:01,000\n欢迎来到\n\n2\n00:00:01,500 --> 00:00:02,000\n第二句\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(subs.text_at(ms(0)), "");
        assert_eq!(subs.text_at(ms(200)), "欢迎来到");
        assert_eq!(subs.text_at(ms(999)), "欢迎来到");
        assert_eq!(subs.text_at(ms(1000)), "", "the end is exclusive");
        assert_eq!(subs.text_at(ms(1700)), "第二句");
        assert_eq!(subs.text_at(ms(5000)), "");
    }

    #[test]
    fn overlapping_cues_show_the_latest_started_and_a_long_one_is_found_behind_short_ones() {
        let subs = Subtitles::parse(
            b"00:00:00,000 --> 00:00:10,000\nlong\n\n00:00:01,000 --> 00:00:02,000\nshort\n\n00:00:03,000 --> 00:00:04,000\nshort2\n",
        )
        .unwrap();
        assert_eq!(subs.text_at(ms(1500)), "short");
        assert_eq!(subs.text_at(ms(2500)), "long");
        assert_eq!(subs.text_at(ms(3500)), "short2");
        assert_eq!(subs.text_at(ms(9000)), "long");
    }
}
