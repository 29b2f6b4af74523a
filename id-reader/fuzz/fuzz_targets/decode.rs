//! Feeds arbitrary bytes, in arbitrary chunks, through every decoder of the crate: the frame
//! decoder, response and read-data parsing, the card text block, and the simulated SAM's command
//! side. None of them may panic, and the frame decoder's buffer must stay bounded.
#![no_main]

use id_reader::frame::{self, FrameDecoder};
use id_reader::sim::SimSam;
use id_reader::{IdentityCard, ReadData, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte chooses the chunk size, so chunk boundaries are explored too.
    let (chunk, bytes) = match data.split_first() {
        Some((c, rest)) => (usize::from(*c).max(1), rest),
        None => return,
    };
    let mut dec = FrameDecoder::responses();
    for piece in bytes.chunks(chunk) {
        dec.push(piece);
        assert!(dec.buffered() <= dec.capacity_limit());
        while let Some(result) = dec.next_frame() {
            let Ok(payload) = result else { continue };
            if let Ok(response) = Response::from_payload(&payload) {
                for with_fp in [false, true] {
                    if let Ok(read) = ReadData::parse(&response.data, with_fp) {
                        let _ = IdentityCard::from_read(&read);
                    }
                }
            }
        }
    }
    let _ = frame::parse_one(bytes, 3);
    let _ = IdentityCard::from_text_block(bytes);
    let mut sam = SimSam::new();
    let _ = sam.handle_bytes(bytes);
});
