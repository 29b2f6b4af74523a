//! The serial decoder, byte for byte.

use std::time::Duration;

use super::*;
use crate::symbology::Symbology;
use crate::text::TextEncoding;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn decoder(terminator: Terminator) -> SerialDecoder {
    SerialDecoder::new(Framing::default(), terminator, DEFAULT_IDLE_GAP)
}

fn texts(results: Vec<Result<Scan, ScanError>>) -> Vec<String> {
    results
        .into_iter()
        .map(|r| r.map(|s| s.text).unwrap_or_else(|e| format!("error: {e}")))
        .collect()
}

#[test]
fn each_terminator_ends_a_scan() {
    let cases: [(Terminator, &[u8]); 3] = [
        (Terminator::Cr, b"A012\rB7\r"),
        (Terminator::Lf, b"A012\nB7\n"),
        (Terminator::CrLf, b"A012\r\nB7\r\n"),
    ];
    for (terminator, bytes) in cases {
        let mut d = decoder(terminator);
        let out = d.feed(bytes, ms(10));
        assert_eq!(texts(out), ["A012", "B7"], "{terminator:?}");
        assert_eq!(d.buffered(), 0);
    }
}

#[test]
fn the_scan_is_timed_at_its_terminator() {
    let mut d = decoder(Terminator::Cr);
    assert!(d.feed(b"YY-0042", ms(100)).is_empty());
    let scan = d.feed(b"\r", ms(130)).remove(0).unwrap();
    assert_eq!(
        scan,
        Scan {
            text: "YY-0042".into(),
            symbology: None,
            at: ms(130)
        }
    );
}

#[test]
fn cr_and_lf_also_accept_crlf() {
    let mut cr = decoder(Terminator::Cr);
    assert_eq!(texts(cr.feed(b"ab\r\ncd\r\n", ms(1))), ["ab", "cd"]);
    let mut lf = decoder(Terminator::Lf);
    assert_eq!(texts(lf.feed(b"ab\r\ncd\r\n", ms(1))), ["ab", "cd"]);
    // A LF that does not follow the terminating CR is text.
    assert_eq!(texts(cr.feed(b"\nx\r", ms(2))), ["\nx"]);
}

#[test]
fn crlf_split_across_feeds_and_lone_cr_kept() {
    let mut d = decoder(Terminator::CrLf);
    assert!(d.feed(b"abc\r", ms(1)).is_empty());
    assert_eq!(texts(d.feed(b"\n", ms(2))), ["abc"]);
    // A CR not followed by LF is part of the text, also when the LF comes later.
    assert!(d.feed(b"a\rb\r", ms(3)).is_empty());
    assert!(d.feed(b"\r", ms(4)).is_empty());
    assert_eq!(texts(d.feed(b"\n", ms(5))), ["a\rb\r"]);
}

#[test]
fn empty_scans_are_not_reported() {
    let mut d = decoder(Terminator::Cr);
    assert!(d.feed(b"\r\r\r", ms(1)).is_empty());
    let mut d = decoder(Terminator::CrLf);
    assert!(d.feed(b"\r\n\r\n", ms(1)).is_empty());
}

#[test]
fn split_feeds_at_every_offset_give_the_same_scans() {
    let stream: Vec<u8> = [
        &b"\x02]Q1https://qj.example/b?n=YY0042\x03\r\n"[..],
        "\x02]d2黔江区预约\x03\r\n".as_bytes(),
        &b"\x02]Q1tail\r\x03\r\n"[..],
    ]
    .concat();
    let framing = Framing {
        prefix: "\u{2}".into(),
        suffix: "\u{3}".into(),
        aim_id: true,
        ..Framing::default()
    };
    let expected = [
        ("https://qj.example/b?n=YY0042", Symbology::Qr),
        ("黔江区预约", Symbology::DataMatrix),
        ("tail\r", Symbology::Qr),
    ];
    for a in 0..=stream.len() {
        for b in a..=stream.len() {
            let mut d = SerialDecoder::new(framing.clone(), Terminator::CrLf, DEFAULT_IDLE_GAP);
            let mut out = d.feed(&stream[..a], ms(1));
            out.extend(d.feed(&stream[a..b], ms(2)));
            out.extend(d.feed(&stream[b..], ms(3)));
            let got: Vec<_> = out
                .into_iter()
                .map(|r| {
                    let s = r.unwrap();
                    (s.text, s.symbology.unwrap())
                })
                .collect();
            let want: Vec<_> = expected.iter().map(|(t, s)| (t.to_string(), *s)).collect();
            assert_eq!(got, want, "split at {a} and {b}");
        }
    }
}

#[test]
fn aim_ids_are_stripped_and_named() {
    let framing = Framing {
        aim_id: true,
        ..Framing::default()
    };
    let mut d = SerialDecoder::new(framing, Terminator::Cr, DEFAULT_IDLE_GAP);
    let out: Vec<_> = d
        .feed(
            b"]Q1booking-1\r]d2010\r]h0\xba\xba\r]E012345\rplain\r",
            ms(1),
        )
        .into_iter()
        .map(|r| {
            let s = r.unwrap();
            (s.text, s.symbology)
        })
        .collect();
    assert_eq!(
        out,
        [
            ("booking-1".to_string(), Some(Symbology::Qr)),
            ("010".to_string(), Some(Symbology::DataMatrix)),
            ("汉".to_string(), Some(Symbology::HanXin)),
            ("12345".to_string(), Some(Symbology::EanUpc)),
            ("plain".to_string(), None),
        ]
    );
}

#[test]
fn gbk_text_is_decoded_and_bad_bytes_are_named() {
    let mut d = decoder(Terminator::Cr);
    // 重庆市黔江区 in GBK, then bytes that are neither UTF-8 nor GBK.
    let mut bytes = vec![
        0xd6, 0xd8, 0xc7, 0xec, 0xca, 0xd0, 0xc7, 0xad, 0xbd, 0xad, 0xc7, 0xf8,
    ];
    bytes.extend_from_slice(b"\r\x41\x80\xff\r");
    let out = d.feed(&bytes, ms(1));
    assert_eq!(out[0].as_ref().unwrap().text, "重庆市黔江区");
    assert_eq!(
        out[1],
        Err(ScanError::NotText {
            hex: "41 80 ff".into(),
            length: 3,
            encoding: "UTF-8 or GBK",
        })
    );
    // UTF-8 wins when the bytes are valid UTF-8.
    assert_eq!(texts(d.feed("重庆\r".as_bytes(), ms(2))), ["重庆"]);
}

#[test]
fn utf8_only_setting_refuses_gbk() {
    let framing = Framing {
        encoding: TextEncoding::Utf8,
        ..Framing::default()
    };
    let mut d = SerialDecoder::new(framing, Terminator::Cr, DEFAULT_IDLE_GAP);
    let out = d.feed(b"\xd6\xd8\r", ms(1));
    assert!(matches!(
        &out[0],
        Err(ScanError::NotText {
            encoding: "UTF-8",
            ..
        })
    ));
}

#[test]
fn an_overlong_scan_is_named_and_the_decoder_resynchronises() {
    let framing = Framing {
        max_len: 8,
        ..Framing::default()
    };
    let mut d = SerialDecoder::new(framing, Terminator::CrLf, DEFAULT_IDLE_GAP);
    assert!(d.feed(b"0123456789abcdef", ms(1)).is_empty());
    assert!(d.buffered() <= 8);
    assert!(d.feed(&[b'x'; 1000], ms(2)).is_empty());
    assert_eq!(d.buffered(), 0);
    let out = d.feed(b"\r\nok\r\n12345678\r\n", ms(3));
    assert_eq!(
        out[0],
        Err(ScanError::TooLong {
            length: 1016,
            max: 8
        })
    );
    assert_eq!(texts(out[1..].to_vec()), ["ok", "12345678"]);
}

#[test]
fn missing_prefix_is_an_error_for_that_scan_only() {
    let framing = Framing {
        prefix: "QJ".into(),
        ..Framing::default()
    };
    let mut d = SerialDecoder::new(framing, Terminator::Cr, DEFAULT_IDLE_GAP);
    let out = d.feed(b"XX1\rQJ2\r", ms(1));
    assert_eq!(
        out[0],
        Err(ScanError::MissingPrefix {
            prefix: "QJ".into()
        })
    );
    assert_eq!(out[1].as_ref().unwrap().text, "2");
}

#[test]
fn without_terminator_an_idle_gap_ends_the_scan() {
    let mut d = SerialDecoder::new(Framing::default(), Terminator::None, ms(50));
    assert!(d.feed(b"YY-", ms(1000)).is_empty());
    assert!(d.feed(b"0042", ms(1020)).is_empty());
    assert_eq!(d.deadline(), Some(ms(1070)));
    assert_eq!(d.poll(ms(1069)), None);
    let scan = d.poll(ms(1070)).unwrap().unwrap();
    // Timed at its last byte: the scan was complete then.
    assert_eq!((scan.text.as_str(), scan.at), ("YY-0042", ms(1020)));
    assert_eq!(d.deadline(), None);
    assert_eq!(d.poll(ms(5000)), None);

    // Bytes arriving after the gap first end the previous scan.
    assert!(d.feed(b"first", ms(6000)).is_empty());
    let out = d.feed(b"second", ms(6100));
    assert_eq!(texts(out), ["first"]);
    assert_eq!(d.poll(ms(6150)).unwrap().unwrap().text, "second");
}

#[test]
fn without_terminator_cr_and_lf_are_text() {
    let mut d = SerialDecoder::new(Framing::default(), Terminator::None, ms(50));
    assert!(d.feed(b"a\r\nb", ms(0)).is_empty());
    assert_eq!(d.poll(ms(60)).unwrap().unwrap().text, "a\r\nb");
}

#[test]
fn time_going_backwards_does_not_panic() {
    let mut d = SerialDecoder::new(Framing::default(), Terminator::None, Duration::MAX);
    assert!(d.feed(b"a", Duration::MAX).is_empty());
    assert!(d.feed(b"b", Duration::ZERO).is_empty());
    assert_eq!(d.poll(Duration::ZERO), None);
    assert_eq!(d.deadline(), Some(Duration::MAX));
}

#[test]
fn reset_drops_the_unfinished_scan() {
    let mut d = decoder(Terminator::CrLf);
    assert!(d.feed(b"half\r", ms(1)).is_empty());
    d.reset();
    assert_eq!(d.buffered(), 0);
    assert_eq!(texts(d.feed(b"whole\r\n", ms(3))), ["whole"]);
}
