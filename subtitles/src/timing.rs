//! The time line of a cue: `00:00:01,000 --> 00:00:03,500`, optionally followed by position
//! coordinates (`X1:40 X2:600 Y1:20 Y2:50`), which are ignored.

use std::time::Duration;

/// Why a time line could not be read.
pub(crate) type TimeError = &'static str;

/// Whether `line` looks like a time line (it holds the arrow).
pub(crate) fn is_timing(line: &str) -> bool {
    line.contains("-->")
}

/// Reads `start --> end [coordinates]`.
pub(crate) fn parse_timing(line: &str) -> Result<(Duration, Duration), TimeError> {
    let (left, right) = line.split_once("-->").ok_or("no `-->` between the times")?;
    let start = parse_time(left.trim())?;
    let end_text = right.split_whitespace().next().ok_or("no end time")?;
    let end = parse_time(end_text)?;
    Ok((start, end))
}

/// Reads `H:MM:SS,mmm` (hours of any length, `.` also accepted before 1 to 3 digits of milliseconds).
fn parse_time(text: &str) -> Result<Duration, TimeError> {
    let (clock, millis) = match text.find([',', '.']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let mut parts = clock.split(':');
    let (Some(h), Some(m), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("a time must be hours:minutes:seconds,milliseconds");
    };
    let hours = number(h, 1, 6).ok_or("hours are not a number")?;
    let minutes = number(m, 1, 2).ok_or("minutes are not a number of two digits")?;
    let seconds = number(s, 1, 2).ok_or("seconds are not a number of two digits")?;
    if minutes > 59 || seconds > 59 {
        return Err("minutes and seconds must be below 60");
    }
    let ms = if millis.is_empty() {
        0
    } else {
        let digits = number(millis, 1, 3).ok_or("milliseconds are not 1 to 3 digits")?;
        // `,5` is half a second, `,05` 50 ms, `,005` 5 ms.
        digits * 10u64.pow(3 - u32::try_from(millis.len()).unwrap_or(3))
    };
    Ok(Duration::from_millis(
        ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms,
    ))
}

/// `text` as a decimal number of `min..=max` ASCII digits.
fn number(text: &str, min: usize, max: usize) -> Option<u64> {
    if !(min..=max).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_forms_and_ignores_coordinates() {
        let t = |s| parse_timing(s).map(|(a, b)| (a.as_millis(), b.as_millis()));
        assert_eq!(t("00:00:01,000 --> 00:00:03,500"), Ok((1000, 3500)));
        assert_eq!(t("0:00:01.5 --> 0:00:02.05"), Ok((1500, 2050)));
        assert_eq!(
            t("01:02:03,004-->01:02:04,000  X1:40 X2:600"),
            Ok((3_723_004, 3_724_000))
        );
        assert_eq!(t("00:00:01 --> 00:00:02"), Ok((1000, 2000)));
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        assert!(parse_timing("00:00:01,000 -> 00:00:02,000").is_err());
        assert!(parse_timing("00:61:01,000 --> 00:62:02,000").is_err());
        assert!(parse_timing("00:00:01,0000 --> 00:00:02,000").is_err());
        assert!(parse_timing("aa:00:01,000 --> 00:00:02,000").is_err());
        assert!(parse_timing("00:01,000 --> 00:00:02,000").is_err());
        assert!(parse_timing("00:00:01,000 -->").is_err());
        assert!(parse_timing("9999999:00:01,000 --> 00:00:02,000").is_err());
    }
}
