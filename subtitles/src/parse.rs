//! From bytes to cues: decoding, blocks separated by blank lines, the cue number, the time line, the text.

use std::borrow::Cow;

use crate::{Cue, SrtError, markup, timing};

/// The largest subtitle file accepted (2 MiB: a feature film's subtitles are about 100 KB).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// Decodes the file: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, else
/// GB18030, the encoding Chinese subtitle editors save in by default.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return text;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
    }
}

/// A shortened copy of `line` for an error message.
fn shown(line: &str) -> String {
    line.chars().take(60).collect()
}

/// Every cue with text, in file order.
pub(crate) fn cues(bytes: &[u8]) -> Result<Vec<Cue>, SrtError> {
    if bytes.len() > MAX_BYTES {
        return Err(SrtError::TooLarge {
            size: bytes.len(),
            max: MAX_BYTES,
        });
    }
    let text = decode(bytes);
    // Line ends: CRLF, LF or a lone CR.
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalised.split('\n').collect();
    let mut cues = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        // A block: from here to the next blank line.
        let first = i;
        let mut end = i;
        while end < lines.len() && !lines[end].trim().is_empty() {
            end += 1;
        }
        let block = &lines[first..end];
        // The cue number is optional; the time line is the first or the second line.
        let timing_at = if timing::is_timing(block[0]) {
            0
        } else if block.len() > 1 && timing::is_timing(block[1]) {
            1
        } else {
            return Err(SrtError::MissingTiming {
                line: first + 1,
                found: shown(block[0].trim()),
            });
        };
        let line_no = first + timing_at + 1;
        let time_line = block[timing_at].trim();
        let (start, end_time) =
            timing::parse_timing(time_line).map_err(|reason| SrtError::BadTime {
                line: line_no,
                reason,
                found: shown(time_line),
            })?;
        if end_time <= start {
            return Err(SrtError::EndNotAfterStart {
                line: line_no,
                start_ms: u64::try_from(start.as_millis()).unwrap_or(u64::MAX),
                end_ms: u64::try_from(end_time.as_millis()).unwrap_or(u64::MAX),
            });
        }
        let text = markup::plain(&block[timing_at + 1..].join("\n"));
        if !text.is_empty() {
            cues.push(Cue {
                start,
                end: end_time,
                text,
            });
        }
        i = end;
    }
    Ok(cues)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Subtitles;

    #[test]
    fn reads_bom_crlf_missing_numbers_and_gb18030() {
        let mut utf8 =
            b"\xEF\xBB\xBF1\r\n00:00:01,000 --> 00:00:02,000\r\n\xE6\xB3\x95\xE5\xBE\x8B\r\n\r\n"
                .to_vec();
        utf8.extend_from_slice(b"00:00:03,000 --> 00:00:04,000\r\n<i>two</i>\r\nlines\r\n");
        let subs = Subtitles::parse(&utf8).unwrap();
        assert_eq!(subs.cues().len(), 2);
        assert_eq!(subs.cues()[0].text, "法律");
        assert_eq!(subs.cues()[1].text, "two\nlines");

        let (gbk, _, _) =
            encoding_rs::GB18030.encode("1\n00:00:00,500 --> 00:00:01,500\n法律援助\n");
        let subs = Subtitles::parse(&gbk).unwrap();
        assert_eq!(subs.cues()[0].text, "法律援助");
    }

    #[test]
    fn errors_name_the_line_and_the_fault() {
        let err =
            Subtitles::parse(b"1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\nno time here\ntext\n")
                .unwrap_err();
        assert_eq!(
            err,
            SrtError::MissingTiming {
                line: 5,
                found: "2".into()
            }
        );
        let err = Subtitles::parse(b"1\n00:00:01,000 --> 00:00:xx,000\nok\n").unwrap_err();
        assert!(matches!(err, SrtError::BadTime { line: 2, .. }), "{err}");
        assert!(err.to_string().starts_with("line 2: "), "{err}");
        let err = Subtitles::parse(b"00:00:02,000 --> 00:00:01,000\nback\n").unwrap_err();
        assert_eq!(
            err,
            SrtError::EndNotAfterStart {
                line: 1,
                start_ms: 2000,
                end_ms: 1000
            }
        );
        assert_eq!(Subtitles::parse(b"\n\n").unwrap_err(), SrtError::Empty);
        assert_eq!(
            Subtitles::parse(b"00:00:01,000 --> 00:00:02,000\n<i></i>\n").unwrap_err(),
            SrtError::Empty,
            "a cue of markup only is no subtitle"
        );
        let big = vec![b'\n'; MAX_BYTES + 1];
        assert!(matches!(
            Subtitles::parse(&big),
            Err(SrtError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_short_file_is_read_like_any_other() {
        // GStreamer's type detection misses SRT files under ~129 bytes; this parser has no such limit.
        let subs = Subtitles::parse(b"1\n00:00:00,000 --> 00:00:01,000\nhi\n").unwrap();
        assert_eq!(subs.cues().len(), 1);
    }
}
