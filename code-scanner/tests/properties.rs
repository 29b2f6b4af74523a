//! Properties: what the simulated scanner sends, the decoders read back exactly, in any chunks;
//! and no bytes at all make a decoder panic or grow past its bound.

use std::time::Duration;

use code_scanner::sim::encode::{keyboard_scan, serial_scan};
use code_scanner::{
    AimId, Framing, KeyboardDecoder, RecordLayout, Scan, ScanError, SerialDecoder, SimEncoding,
    Symbology, Terminator, TextEncoding,
};
use proptest::prelude::*;

const SYMBOLOGIES: [Symbology; 6] = [
    Symbology::Qr,
    Symbology::DataMatrix,
    Symbology::HanXin,
    Symbology::Pdf417,
    Symbology::Code128,
    Symbology::Aztec,
];

fn terminator() -> impl Strategy<Value = Terminator> {
    prop_oneof![
        Just(Terminator::Cr),
        Just(Terminator::Lf),
        Just(Terminator::CrLf),
        Just(Terminator::None),
    ]
}

/// Prefixes and suffixes scanners are set to (no CR or LF: they end a scan).
fn affix() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[\\x02\\x03#;:A-Z]{1,4}"]
}

/// Booking codes: ASCII URLs and numbers, Chinese text, punctuation; no CR or LF, and not
/// empty (an empty scan is never reported).
fn serial_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9:/?&=._~ %+\\-\\]黔江区预约号码公共法律服务中心，。\\t]{1,120}"
}

/// What a US keyboard types.
fn typed_text() -> impl Strategy<Value = String> {
    "[ -~\\t\\x1d]{1,80}"
}

/// Splits `bytes` at the given cut points (each taken modulo the length).
fn chunks(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| c % (bytes.len() + 1))
        .chain([0, bytes.len()])
        .collect();
    points.sort_unstable();
    points
        .windows(2)
        .map(|w| bytes[w[0]..w[1]].to_vec())
        .collect()
}

fn ok(results: Vec<Result<Scan, ScanError>>) -> Vec<(String, Option<Symbology>)> {
    results
        .into_iter()
        .map(|r| {
            let scan = r.unwrap_or_else(|e| panic!("rejected: {e}"));
            (scan.text, scan.symbology)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn serial_scans_round_trip_in_any_chunks(
        texts in proptest::collection::vec(serial_text(), 1..4),
        terminator in terminator(),
        prefix in affix(),
        suffix in affix(),
        aim_id in any::<bool>(),
        gbk in any::<bool>(),
        symbology in proptest::sample::select(&SYMBOLOGIES[..]),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let framing = Framing {
            prefix,
            suffix,
            aim_id,
            encoding: if gbk { TextEncoding::Gbk } else { TextEncoding::Utf8 },
            ..Framing::default()
        };
        let encoding = if gbk { SimEncoding::Gbk } else { SimEncoding::Utf8 };
        let gap = Duration::from_millis(50);
        let mut decoder = SerialDecoder::new(framing.clone(), terminator, gap);
        let mut got = Vec::new();
        let mut now = Duration::from_secs(1);
        for text in &texts {
            let bytes = serial_scan(text, &framing, terminator, encoding, Some(AimId::usual(symbology)))
                .unwrap();
            for chunk in chunks(&bytes, &cuts) {
                got.extend(ok(decoder.feed(&chunk, now)));
                now += Duration::from_millis(1);
            }
            // The scanner falls silent between scans.
            now += gap;
            got.extend(ok(decoder.poll(now).into_iter().collect()));
        }
        let want: Vec<_> = texts
            .iter()
            .map(|t| (t.clone(), aim_id.then_some(symbology)))
            .collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn keyboard_scans_round_trip_in_any_chunks(
        texts in proptest::collection::vec(typed_text(), 1..4),
        prefix in "[#;:A-Z]{0,3}",
        aim_id in any::<bool>(),
        symbology in proptest::sample::select(&SYMBOLOGIES[..]),
        layout in prop_oneof![Just(RecordLayout::Bits64), Just(RecordLayout::Bits32)],
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let framing = Framing { prefix, aim_id, ..Framing::default() };
        let mut decoder = KeyboardDecoder::new(framing.clone(), layout);
        let mut stream = Vec::new();
        for text in &texts {
            let aim = Some(AimId::usual(symbology));
            stream.extend(
                keyboard_scan(text, &framing, aim, layout, Duration::ZERO, Duration::from_millis(1))
                    .unwrap(),
            );
        }
        let mut got = Vec::new();
        for chunk in chunks(&stream, &cuts) {
            got.extend(ok(decoder.feed(&chunk, Duration::from_secs(1))));
        }
        let want: Vec<_> = texts
            .iter()
            .map(|t| (t.clone(), aim_id.then_some(symbology)))
            .collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn serial_decoder_never_panics_and_stays_bounded(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        terminator in terminator(),
        max_len in 1usize..64,
        aim_id in any::<bool>(),
        chunk in 1usize..40,
    ) {
        let framing = Framing { max_len, aim_id, prefix: "\u{2}".into(), ..Framing::default() };
        let mut decoder = SerialDecoder::new(framing, terminator, Duration::from_millis(5));
        for (i, piece) in bytes.chunks(chunk).enumerate() {
            let now = Duration::from_millis(i as u64 * 3);
            for result in decoder.feed(piece, now) {
                if let Err(ScanError::TooLong { length, max }) = result {
                    prop_assert!(length > max);
                }
            }
            prop_assert!(decoder.buffered() <= max_len);
            let _ = decoder.poll(now);
        }
    }

    #[test]
    fn keyboard_decoder_never_panics_and_stays_bounded(
        bytes in proptest::collection::vec(any::<u8>(), 0..2000),
        max_len in 1usize..64,
        chunk in 1usize..100,
    ) {
        let framing = Framing { max_len, ..Framing::default() };
        let mut decoder = KeyboardDecoder::new(framing, RecordLayout::Bits64);
        for piece in bytes.chunks(chunk) {
            let _ = decoder.feed(piece, Duration::ZERO);
            prop_assert!(decoder.buffered() <= decoder.capacity_limit());
        }
    }
}
