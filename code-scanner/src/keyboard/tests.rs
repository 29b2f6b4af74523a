//! The keyboard-wedge decoder, record by record.

use std::time::Duration;

use super::event::{EV_MSC, EV_SYN, MSC_SCAN, SYN_REPORT};
use super::*;
use crate::symbology::Symbology;

const L: RecordLayout = RecordLayout::Bits64;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Records: (kind, code, value).
fn records(events: &[(u16, u16, i32)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (kind, code, value)) in events.iter().enumerate() {
        InputEvent {
            time: ms(i as u64),
            kind: *kind,
            code: *code,
            value: *value,
        }
        .write(L, &mut out);
    }
    out
}

/// Key presses and releases of `codes`, each followed by a SYN report.
fn taps(codes: &[u16]) -> Vec<(u16, u16, i32)> {
    codes
        .iter()
        .flat_map(|&c| {
            [
                (EV_KEY, c, 1),
                (EV_SYN, SYN_REPORT, 0),
                (EV_KEY, c, 0),
                (EV_SYN, SYN_REPORT, 0),
            ]
        })
        .collect()
}

fn decoder() -> KeyboardDecoder {
    KeyboardDecoder::new(Framing::default(), L)
}

fn texts(results: Vec<Result<Scan, ScanError>>) -> Vec<String> {
    results
        .into_iter()
        .map(|r| r.map(|s| s.text).unwrap_or_else(|e| format!("error: {e}")))
        .collect()
}

const KEY_A: u16 = 30;
const KEY_1: u16 = 2;
const KEY_F1: u16 = 59;

#[test]
fn keys_then_enter_make_a_scan() {
    let mut d = decoder();
    // y y - 0 4 2, Enter
    let bytes = records(&taps(&[21, 21, 12, 11, 5, 3, KEY_ENTER]));
    let out = d.feed(&bytes, ms(500));
    assert_eq!(
        out,
        [Ok(Scan {
            text: "yy-042".into(),
            symbology: None,
            at: ms(500)
        })]
    );
    assert_eq!(d.buffered(), 0);
}

#[test]
fn shift_types_capitals_and_symbols_either_shift_key() {
    let mut d = decoder();
    let mut events = vec![(EV_KEY, KEY_LEFTSHIFT, 1)];
    events.extend(taps(&[KEY_A, KEY_1, 39, 53, 26])); // A ! : ? {
    events.push((EV_KEY, KEY_LEFTSHIFT, 0));
    events.extend(taps(&[KEY_A, 39, 53])); // a ; /
    events.push((EV_KEY, KEY_RIGHTSHIFT, 1));
    events.extend(taps(&[40, 41, 43, 13])); // " ~ | +
    events.push((EV_KEY, KEY_RIGHTSHIFT, 0));
    events.extend(taps(&[KEY_KPENTER]));
    assert_eq!(texts(d.feed(&records(&events), ms(1))), ["A!:?{a;/\"~|+"]);
}

#[test]
fn caps_lock_and_ctrl_are_tracked() {
    let mut d = decoder();
    let mut events = taps(&[KEY_CAPSLOCK, KEY_A, KEY_1]);
    events.push((EV_KEY, KEY_LEFTSHIFT, 1));
    events.extend(taps(&[KEY_A]));
    events.push((EV_KEY, KEY_LEFTSHIFT, 0));
    events.extend(taps(&[KEY_CAPSLOCK, KEY_A]));
    events.push((EV_KEY, KEY_RIGHTCTRL, 1));
    events.extend(taps(&[27])); // Ctrl+] = GS
    events.push((EV_KEY, KEY_RIGHTCTRL, 0));
    events.extend(taps(&[KEY_ENTER]));
    assert_eq!(texts(d.feed(&records(&events), ms(1))), ["A1aa\u{1d}"]);
}

#[test]
fn syn_msc_repeats_and_other_events_are_ignored() {
    let mut d = decoder();
    let events = [
        (EV_MSC, MSC_SCAN, 0x70004),
        (EV_KEY, KEY_A, 1),
        (EV_KEY, KEY_A, 2), // auto-repeat
        (EV_KEY, KEY_A, 2),
        (EV_SYN, SYN_REPORT, 0),
        (EV_KEY, KEY_A, 0),
        (0x11, 0, 1),    // EV_LED
        (EV_KEY, 56, 1), // Alt
        (EV_KEY, 56, 0),
        (EV_KEY, 69, 1), // Num Lock
        (EV_KEY, 82, 1), // keypad 0
        (EV_KEY, KEY_ENTER, 1),
        (EV_KEY, KEY_ENTER, 0),
    ];
    assert_eq!(texts(d.feed(&records(&events), ms(1))), ["a0"]);
}

#[test]
fn partial_records_wait_for_the_next_feed_at_every_offset() {
    let bytes = records(&taps(&[KEY_A, KEY_1, KEY_ENTER, KEY_1, KEY_ENTER]));
    for split in 0..=bytes.len() {
        let mut d = decoder();
        let mut out = d.feed(&bytes[..split], ms(1));
        assert!(d.buffered() < L.size() + 2);
        out.extend(d.feed(&bytes[split..], ms(2)));
        assert_eq!(texts(out), ["a1", "1"], "split at {split}");
    }
    // One byte at a time.
    let mut d = decoder();
    let out: Vec<_> = bytes.iter().flat_map(|b| d.feed(&[*b], ms(3))).collect();
    assert_eq!(texts(out), ["a1", "1"]);
}

#[test]
fn an_unknown_key_is_named_and_its_scan_dropped_up_to_enter() {
    let mut d = decoder();
    let bytes = records(&taps(&[
        KEY_A, KEY_F1, KEY_1, 1, KEY_ENTER, KEY_1, KEY_ENTER,
    ]));
    let out = d.feed(&bytes, ms(1));
    // Only the first unknown key of a scan is reported (ESC = 1 is dropped with the rest).
    assert_eq!(out[0], Err(ScanError::UnknownKey { code: KEY_F1 }));
    assert_eq!(texts(out[1..].to_vec()), ["1"]);
}

#[test]
fn an_overlong_scan_is_named_and_the_decoder_resynchronises() {
    let framing = Framing {
        max_len: 4,
        ..Framing::default()
    };
    let mut d = KeyboardDecoder::new(framing, L);
    let bytes = records(&taps(&[KEY_A; 10]));
    assert!(d.feed(&bytes, ms(1)).is_empty());
    assert!(d.buffered() <= d.capacity_limit());
    let out = d.feed(&records(&taps(&[KEY_ENTER, KEY_1, KEY_ENTER])), ms(2));
    assert_eq!(out[0], Err(ScanError::TooLong { length: 10, max: 4 }));
    assert_eq!(texts(out[1..].to_vec()), ["1"]);
}

#[test]
fn framing_and_aim_ids_work_in_keyboard_mode_too() {
    let framing = Framing {
        prefix: "#".into(),
        aim_id: true,
        ..Framing::default()
    };
    let mut d = KeyboardDecoder::new(framing, L);
    let mut events = vec![(EV_KEY, KEY_LEFTSHIFT, 1)];
    events.extend(taps(&[4])); // #
    events.extend(taps(&[27, 16])); // } Q  (shift still held: `]` is `}`)
    events.push((EV_KEY, KEY_LEFTSHIFT, 0));
    events.extend(taps(&[KEY_ENTER]));
    // `#}Q` is not an AIM id: delivered whole after the prefix.
    assert_eq!(texts(d.feed(&records(&events), ms(1))), ["}Q"]);

    let mut events = vec![(EV_KEY, KEY_LEFTSHIFT, 1)];
    events.extend(taps(&[4]));
    events.push((EV_KEY, KEY_LEFTSHIFT, 0));
    events.extend(taps(&[27]));
    events.push((EV_KEY, KEY_LEFTSHIFT, 1));
    events.extend(taps(&[16]));
    events.push((EV_KEY, KEY_LEFTSHIFT, 0));
    events.extend(taps(&[KEY_1, KEY_A, KEY_ENTER]));
    let scan = d.feed(&records(&events), ms(1)).remove(0).unwrap();
    assert_eq!(
        (scan.text.as_str(), scan.symbology),
        ("a", Some(Symbology::Qr))
    );
}

#[test]
fn enter_alone_and_releases_alone_give_nothing() {
    let mut d = decoder();
    assert!(
        d.feed(&records(&taps(&[KEY_ENTER, KEY_ENTER])), ms(1))
            .is_empty()
    );
    assert!(d.feed(&records(&[(EV_KEY, KEY_F1, 0)]), ms(1)).is_empty());
}

#[test]
fn thirty_two_bit_records_decode_the_same() {
    let mut bytes = Vec::new();
    for (i, (kind, code, value)) in taps(&[KEY_A, KEY_ENTER]).into_iter().enumerate() {
        InputEvent {
            time: ms(i as u64),
            kind,
            code,
            value,
        }
        .write(RecordLayout::Bits32, &mut bytes);
    }
    let mut d = KeyboardDecoder::new(Framing::default(), RecordLayout::Bits32);
    assert_eq!(texts(d.feed(&bytes, ms(1))), ["a"]);
}

#[test]
fn reset_forgets_modifiers_and_partial_records() {
    let mut d = decoder();
    let mut bytes = records(&[(EV_KEY, KEY_LEFTSHIFT, 1)]);
    bytes.extend(records(&taps(&[KEY_A]))[..30].to_vec());
    assert!(d.feed(&bytes, ms(1)).is_empty());
    d.reset();
    assert_eq!(d.buffered(), 0);
    assert_eq!(
        texts(d.feed(&records(&taps(&[KEY_A, KEY_ENTER])), ms(2))),
        ["a"]
    );
}
