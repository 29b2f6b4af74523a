use proptest::prelude::*;

use super::*;

/// TV-1 of the reference: find card → no card.
const NO_CARD: [u8; 11] = [
    0xAA, 0xAA, 0xAA, 0x96, 0x69, // preamble
    0x00, 0x04, // LEN = SW1 SW2 SW3 CHK
    0x00, 0x00, 0x80, // SW1 SW2 SW3 = 80 find failed
    0x84, // CHK = 00 ^ 04 ^ 00 ^ 00 ^ 80
];

/// TV-2: find card → success, 4 data bytes.
const FOUND: [u8; 15] = [
    0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x08, 0x00, 0x00, 0x9F, 0x00, 0x00, 0x00, 0x00, 0x97,
];

fn all(dec: &mut FrameDecoder) -> Vec<Result<Vec<u8>, FrameError>> {
    std::iter::from_fn(|| dec.next_frame()).collect()
}

#[test]
fn encodes_the_captured_frames() {
    assert_eq!(encode(&[0x00, 0x00, 0x80]).unwrap(), NO_CARD);
    assert_eq!(encode(&[0x00, 0x00, 0x9F, 0, 0, 0, 0]).unwrap(), FOUND);
    assert_eq!(
        encode(&vec![0; 65_535]).unwrap_err(),
        FrameError::PayloadTooLong(65_535)
    );
}

#[test]
fn empty_and_one_byte_inputs_need_more() {
    let mut dec = FrameDecoder::responses();
    dec.push(&[]);
    assert_eq!(dec.next_frame(), None);
    for b in NO_CARD {
        assert_eq!(dec.next_frame(), None);
        dec.push(&[b]);
    }
    assert_eq!(dec.next_frame(), Some(Ok(vec![0x00, 0x00, 0x80])));
    assert_eq!(dec.next_frame(), None);
    assert_eq!(dec.buffered(), 0);
}

#[test]
fn buffers_holding_card_data_are_wiped() {
    // Before: read answers (the card's text, photo, fingerprints) stayed in freed memory: the
    // decoder drained its buffer without wiping it, and the parsed blocks were plain `Vec`s.
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wiped_on_drop::<crate::response::Response>();
    wiped_on_drop::<crate::response::ReadData>();
    let mut dec = FrameDecoder::responses();
    let secret = [0x00, 0x00, 0x90, 0x5A, 0x5A, 0x5A, 0x5A];
    dec.push(&encode(&secret).unwrap());
    dec.push(&NO_CARD[..5]);
    let capacity = dec.buf.capacity();
    assert_eq!(all(&mut dec), vec![Ok(secret.to_vec())]);
    // `consume` zero-fills the freed tail (safe code cannot read spare capacity, so it is filled
    // through the length): the buffer keeps its capacity and holds only what is still unread.
    assert_eq!(dec.buf, NO_CARD[..5]);
    assert!(dec.buf.capacity() >= capacity.min(NO_CARD.len()));
}

#[test]
fn resynchronises_after_garbage() {
    let mut dec = FrameDecoder::responses();
    // Noise, including a lone AA and a preamble that starts with an extra AA.
    dec.push(&[0x00, 0xAA, 0x13, 0xAA]);
    dec.push(&NO_CARD);
    assert_eq!(all(&mut dec), vec![Ok(vec![0x00, 0x00, 0x80])]);
    assert_eq!(dec.skipped_bytes(), 4);
}

#[test]
fn rejects_bad_checksum_then_decodes_the_next_frame() {
    let mut bad = NO_CARD;
    bad[10] = 0x85;
    let mut dec = FrameDecoder::responses();
    dec.push(&bad);
    dec.push(&FOUND);
    let got = all(&mut dec);
    assert_eq!(
        got[0],
        Err(FrameError::BadChecksum {
            expected: 0x84,
            found: 0x85
        })
    );
    assert_eq!(got[1], Ok(FOUND[7..14].to_vec()));
    assert_eq!(got.len(), 2);
}

#[test]
fn rejects_impossible_lengths() {
    let mut dec = FrameDecoder::responses();
    // LEN = 3 cannot hold SW1 SW2 SW3 + CHK.
    dec.push(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x00, 0x00, 0x03]);
    assert_eq!(
        dec.next_frame(),
        Some(Err(FrameError::ImpossibleLength {
            len: 3,
            min: 4,
            max: DEFAULT_MAX_LEN
        }))
    );
    // LEN = 0xFFFF is beyond any response.
    dec.push(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF]);
    assert!(matches!(
        dec.next_frame(),
        Some(Err(FrameError::ImpossibleLength { len: 0xFFFF, .. }))
    ));
    dec.push(&NO_CARD);
    assert_eq!(all(&mut dec), vec![Ok(vec![0x00, 0x00, 0x80])]);
}

#[test]
fn command_decoder_accepts_two_byte_payloads() {
    let mut dec = FrameDecoder::commands();
    dec.push(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22]);
    assert_eq!(dec.next_frame(), Some(Ok(vec![0x20, 0x01])));
}

#[test]
fn buffer_stays_bounded_under_garbage() {
    let mut dec = FrameDecoder::new(3, 64);
    for _ in 0..1000 {
        dec.push(&[0x01; 97]);
        assert!(dec.buffered() <= dec.capacity_limit());
    }
    // A preamble followed by a never-ending frame is cut at the limit.
    dec.push(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x40]);
    dec.push(&[0x00; 500]);
    assert!(dec.buffered() <= dec.capacity_limit());
}

#[test]
fn parse_one_reports_what_is_wrong() {
    assert_eq!(parse_one(&NO_CARD, 3).unwrap(), vec![0x00, 0x00, 0x80]);
    assert_eq!(
        parse_one(&[0xAA, 0xAA], 3),
        Err(FrameError::MissingPreamble)
    );
    assert_eq!(
        parse_one(&NO_CARD[..9], 3),
        Err(FrameError::Truncated { have: 9, need: 11 })
    );
    let mut long = NO_CARD.to_vec();
    long.push(0);
    assert_eq!(parse_one(&long, 3), Err(FrameError::TrailingBytes(1)));
}

fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 3..1400)
}

proptest! {
    #[test]
    fn round_trip(p in payload()) {
        let frame = encode(&p).unwrap();
        prop_assert_eq!(parse_one(&frame, 3).unwrap(), p.clone());
        let mut dec = FrameDecoder::responses();
        dec.push(&frame);
        prop_assert_eq!(dec.next_frame(), Some(Ok(p)));
    }

    #[test]
    fn arbitrary_chunking_and_leading_garbage(
        frames in prop::collection::vec(payload(), 1..5),
        garbage in prop::collection::vec(any::<u8>(), 0..40),
        cuts in prop::collection::vec(1usize..300, 0..40),
    ) {
        let mut stream = garbage.clone();
        // Garbage must not contain the preamble itself, or it could legitimately start a frame.
        prop_assume!(!stream.windows(5).any(|w| w == PREAMBLE));
        for f in &frames {
            stream.extend(encode(f).unwrap());
        }
        let mut dec = FrameDecoder::responses();
        let mut rest = &stream[..];
        let mut got = Vec::new();
        for c in cuts {
            let n = c.min(rest.len());
            dec.push(&rest[..n]);
            rest = &rest[n..];
            got.extend(std::iter::from_fn(|| dec.next_frame()));
        }
        dec.push(rest);
        got.extend(std::iter::from_fn(|| dec.next_frame()));
        // Garbage may form one rejected pseudo-frame only if it ends in a partial preamble;
        // every real frame must come out intact and in order.
        let ok: Vec<Vec<u8>> = got.into_iter().filter_map(Result::ok).collect();
        prop_assert_eq!(ok, frames);
    }

    #[test]
    fn never_panics_and_stays_bounded(chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 0..30)) {
        let mut dec = FrameDecoder::new(3, 256);
        for c in &chunks {
            dec.push(c);
            while dec.next_frame().is_some() {}
            prop_assert!(dec.buffered() <= dec.capacity_limit());
        }
        let joined: Vec<u8> = chunks.concat();
        let _ = parse_one(&joined, 3);
    }

    #[test]
    fn preamble_heavy_noise_never_panics(bytes in prop::collection::vec(prop::sample::select(vec![0xAAu8, 0x96, 0x69, 0x00, 0x04, 0x80, 0x84]), 0..2000)) {
        let mut dec = FrameDecoder::responses();
        dec.push(&bytes);
        while dec.next_frame().is_some() {}
        prop_assert!(dec.buffered() <= dec.capacity_limit());
    }
}
