//! Feeds arbitrary bytes, in arbitrary chunks, through the keyboard-wedge decoder as 64-bit and
//! 32-bit `input_event` records. It may not panic and its buffers must stay bounded.
#![no_main]

use std::time::Duration;

use code_scanner::{Framing, KeyboardDecoder, RecordLayout};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [settings, chunk, max_len, rest @ ..] = data else {
        return;
    };
    let layout = if settings & 1 == 0 {
        RecordLayout::Bits64
    } else {
        RecordLayout::Bits32
    };
    let framing = Framing {
        prefix: if settings & 2 != 0 {
            "#".into()
        } else {
            String::new()
        },
        aim_id: settings & 4 != 0,
        max_len: usize::from(*max_len).max(1),
        ..Framing::default()
    };
    let mut decoder = KeyboardDecoder::new(framing, layout);
    for piece in rest.chunks(usize::from(*chunk).max(1)) {
        let _ = decoder.feed(piece, Duration::ZERO);
        assert!(decoder.buffered() <= decoder.capacity_limit());
    }
});
