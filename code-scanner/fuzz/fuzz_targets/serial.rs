//! Feeds arbitrary bytes, in arbitrary chunks at arbitrary times, through the serial decoder with
//! every terminator and framing option. It may not panic, its buffer must stay within the
//! maximum length, and an overlong scan must be reported longer than the maximum.
#![no_main]

use std::time::Duration;

use code_scanner::{Framing, ScanError, SerialDecoder, Terminator, TextEncoding};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first bytes choose the settings, so every combination is explored.
    let [settings, chunk, max_len, rest @ ..] = data else {
        return;
    };
    let terminator = match settings & 3 {
        0 => Terminator::Cr,
        1 => Terminator::Lf,
        2 => Terminator::CrLf,
        _ => Terminator::None,
    };
    let encoding = match (settings >> 2) & 3 {
        0 => TextEncoding::Utf8,
        1 => TextEncoding::Gbk,
        _ => TextEncoding::Auto,
    };
    let framing = Framing {
        prefix: if settings & 0x10 != 0 {
            "\u{2}".into()
        } else {
            String::new()
        },
        suffix: if settings & 0x20 != 0 {
            "\u{3}".into()
        } else {
            String::new()
        },
        aim_id: settings & 0x40 != 0,
        encoding,
        max_len: usize::from(*max_len).max(1),
    };
    let max = framing.max_len;
    let mut decoder = SerialDecoder::new(framing, terminator, Duration::from_millis(20));
    for (i, piece) in rest.chunks(usize::from(*chunk).max(1)).enumerate() {
        // Time moves in steps of 0 to 31 ms, chosen by the chunk's first byte.
        let now = Duration::from_millis(i as u64 * u64::from(piece[0] & 31));
        for result in decoder.feed(piece, now) {
            if let Err(ScanError::TooLong { length, max: m }) = result {
                assert!(length > m);
            }
        }
        assert!(decoder.buffered() <= max);
        let _ = decoder.poll(now);
    }
});
