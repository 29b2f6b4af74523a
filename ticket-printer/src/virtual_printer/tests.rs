use super::*;
use crate::profile::{EPSON_TM_T88, GENERIC_58, GENERIC_80_ZH};

#[test]
fn status_replies_follow_the_state() {
    let mut vp = VirtualPrinter::new(GENERIC_80_ZH);
    assert_eq!(
        vp.feed(&[0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4]),
        [0x12, 0x12, 0x12, 0x12]
    );
    vp.set_state(VirtualState {
        paper_out: true,
        ..VirtualState::default()
    });
    assert_eq!(
        vp.feed(&[0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 4]),
        [0x1A, 0x32, 0x72]
    );
    vp.set_state(VirtualState {
        cover_open: true,
        ..VirtualState::default()
    });
    assert_eq!(vp.feed(&[0x10, 0x04, 1, 0x10, 0x04, 2]), [0x1A, 0x16]);
    vp.set_state(VirtualState {
        near_end: true,
        ..VirtualState::default()
    });
    assert_eq!(vp.feed(&[0x10, 0x04, 1, 0x10, 0x04, 4]), [0x12, 0x1E]);
    vp.set_state(VirtualState {
        cutter_error: true,
        ..VirtualState::default()
    });
    assert_eq!(vp.feed(&[0x10, 0x04, 2, 0x10, 0x04, 3]), [0x52, 0x1A]);
    // The escpos crate's four-byte form: the stray NUL is skipped.
    vp.set_state(VirtualState::default());
    assert_eq!(vp.feed(&[0x10, 0x04, 1, 0x00]), [0x12]);
}

#[test]
fn no_near_end_sensor_on_cheap_58mm() {
    let mut vp = VirtualPrinter::new(GENERIC_58);
    vp.set_state(VirtualState {
        near_end: true,
        ..VirtualState::default()
    });
    assert_eq!(vp.feed(&[0x10, 0x04, 4]), [0x12]);
}

#[test]
fn asb_frames_are_sent_when_enabled() {
    let mut vp = VirtualPrinter::new(GENERIC_80_ZH);
    assert_eq!(vp.feed(&[0x1D, 0x61, 0x0F]), [0x10, 0x00, 0x00, 0x00]);
    vp.set_state(VirtualState {
        paper_out: true,
        ..VirtualState::default()
    });
    assert_eq!(vp.feed(&[]), [0x18, 0x00, 0x0C, 0x00]);
    assert!(vp.feed(&[0x1D, 0x61, 0x00]).is_empty());
}

#[test]
fn text_lines_and_cut() {
    let mut bytes = vec![0x1B, 0x40, 0x1C, 0x26];
    bytes.extend(crate::text::encode_gbk("请到3号窗口").unwrap());
    bytes.extend([
        0x0A, b'O', b'K', 0x0A, 0x1D, 0x56, 0x42, 0x00, b'n', b'e', b'x', b't', 0x0A,
    ]);
    let tickets = render(&bytes, &EPSON_TM_T88);
    assert_eq!(tickets.len(), 2);
    assert_eq!(tickets[0].lines, ["请到3号窗口", "OK"]);
    assert_eq!(tickets[0].cut, Some(true));
    assert_eq!(tickets[0].image.width(), 576);
    assert!(tickets[0].image.count_black() > 200);
    assert_eq!(tickets[1].lines, ["next"]);
    assert_eq!(tickets[1].cut, None);
}

#[test]
fn nothing_is_printed_without_paper() {
    let mut vp = VirtualPrinter::new(GENERIC_80_ZH);
    vp.set_state(VirtualState {
        paper_out: true,
        ..VirtualState::default()
    });
    vp.feed(b"lost\n\x1dVB\x00");
    assert!(vp.finish().is_empty());
}

#[test]
fn long_lines_wrap_at_the_paper_edge() {
    let tickets = render(&[b'x'; 40], &GENERIC_58);
    assert_eq!(tickets[0].lines, ["x".repeat(32), "x".repeat(8)]);
}

#[test]
fn qr_is_drawn_from_stored_data() {
    let mut bytes = vec![
        0x1D, 0x28, 0x6B, 4, 0, 0x31, 0x41, 50, 0, 0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x43, 4,
    ];
    let data = b"https://example.org/q";
    let len = (data.len() + 3) as u16;
    bytes.extend([
        0x1D,
        0x28,
        0x6B,
        len as u8,
        (len >> 8) as u8,
        0x31,
        0x50,
        0x30,
    ]);
    bytes.extend(data);
    bytes.extend([0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x51, 0x30]);
    let t = &render(&bytes, &GENERIC_80_ZH)[0];
    assert!(
        t.lines[0].contains("https://example.org/q"),
        "{:?}",
        t.lines
    );
    let side = (25 + 2 * crate::qr::QUIET_ZONE) * 4;
    assert!(t.image.height() >= side);
    assert!(t.image.count_black() > 200);
}
