use super::*;

#[test]
fn fixed_bits_are_checked() {
    for b in 0..=255u8 {
        let expected = b & 0x01 == 0 && b & 0x02 != 0 && b & 0x10 != 0 && b & 0x80 == 0;
        assert_eq!(is_status_byte(b), expected, "{b:#04x}");
        assert_eq!(PrinterInfo::parse(b).is_ok(), expected);
        assert_eq!(OfflineCause::parse(b).is_ok(), expected);
        assert_eq!(ErrorCause::parse(b).is_ok(), expected);
        assert_eq!(RollPaper::parse(b).is_ok(), expected);
    }
    assert_eq!(PrinterInfo::parse(0x13), Err(StatusError(0x13)));
    assert_eq!(PrinterInfo::parse(0x92), Err(StatusError(0x92)));
    assert_eq!(PrinterInfo::parse(0x10), Err(StatusError(0x10)));
    assert_eq!(PrinterInfo::parse(0x02), Err(StatusError(0x02)));
}

#[test]
fn printer_status_bits() {
    assert_eq!(PrinterInfo::parse(0x12).unwrap(), PrinterInfo::default());
    assert!(PrinterInfo::parse(0x16).unwrap().drawer_pin_high);
    assert!(PrinterInfo::parse(0x1A).unwrap().offline);
    assert!(PrinterInfo::parse(0x32).unwrap().waiting_recovery);
    assert!(PrinterInfo::parse(0x52).unwrap().feed_button);
    let all = PrinterInfo::parse(0x7E).unwrap();
    assert!(all.drawer_pin_high && all.offline && all.waiting_recovery && all.feed_button);
}

#[test]
fn offline_cause_bits() {
    assert_eq!(OfflineCause::parse(0x12).unwrap(), OfflineCause::default());
    assert!(OfflineCause::parse(0x16).unwrap().cover_open);
    assert!(OfflineCause::parse(0x1A).unwrap().feeding_by_button);
    assert!(OfflineCause::parse(0x32).unwrap().paper_end_stop);
    assert!(OfflineCause::parse(0x52).unwrap().error);
    let c = OfflineCause::parse(0x72).unwrap();
    assert!(c.paper_end_stop && c.error && !c.cover_open);
}

#[test]
fn error_cause_bits() {
    assert!(!ErrorCause::parse(0x12).unwrap().any());
    assert!(ErrorCause::parse(0x16).unwrap().recoverable);
    assert!(ErrorCause::parse(0x1A).unwrap().autocutter);
    assert!(ErrorCause::parse(0x32).unwrap().unrecoverable);
    assert!(ErrorCause::parse(0x52).unwrap().auto_recoverable);
}

#[test]
fn roll_paper_bits() {
    assert_eq!(RollPaper::parse(0x12).unwrap(), RollPaper::default());
    assert_eq!(
        RollPaper::parse(0x1E).unwrap(),
        RollPaper {
            near_end: true,
            end: false
        }
    );
    assert_eq!(
        RollPaper::parse(0x72).unwrap(),
        RollPaper {
            near_end: false,
            end: true
        }
    );
    assert_eq!(
        RollPaper::parse(0x7E).unwrap(),
        RollPaper {
            near_end: true,
            end: true
        }
    );
    // Clones that set only one bit of a pair.
    assert!(RollPaper::parse(0x16).unwrap().near_end);
    assert!(RollPaper::parse(0x1A).unwrap().near_end);
    assert!(RollPaper::parse(0x32).unwrap().end);
    assert!(RollPaper::parse(0x52).unwrap().end);
}

#[test]
fn combined_status() {
    let ok = PrinterStatus::from_bytes(0x12, 0x12, None, 0x12).unwrap();
    assert!(ok.ready());
    assert_eq!(ok.paper, Paper::Ok);
    // Out of paper, as documented for DLE EOT 1, 2 and 4.
    let out = PrinterStatus::from_bytes(0x1A, 0x32, None, 0x7E).unwrap();
    assert!(!out.online && out.paper == Paper::Out && !out.ready());
    let cover = PrinterStatus::from_bytes(0x1A, 0x16, None, 0x12).unwrap();
    assert!(cover.cover_open && !cover.ready());
    let near = PrinterStatus::from_bytes(0x12, 0x12, None, 0x1E).unwrap();
    assert!(near.ready() && near.paper == Paper::NearEnd);
    let cutter = PrinterStatus::from_bytes(0x1A, 0x52, Some(0x1A), 0x12).unwrap();
    assert!(cutter.error.unwrap().autocutter && !cutter.ready());
    let unknown_error = PrinterStatus::from_bytes(0x12, 0x52, None, 0x12).unwrap();
    assert!(unknown_error.error.is_some());
    assert!(PrinterStatus::from_bytes(0x12, 0x00, None, 0x12).is_err());
}

#[test]
fn scanner_skips_asb_frames_and_noise() {
    let mut s = ReplyScanner::new();
    let stream = [0x10, 0x00, 0x0C, 0x00, 0x12, 0xFF, 0x1A];
    let found: Vec<_> = stream.iter().filter_map(|&b| s.push(b)).collect();
    assert_eq!(
        found,
        [
            Reply::Asb([0x10, 0x00, 0x0C, 0x00]),
            Reply::Status(0x12),
            Reply::Noise(0xFF),
            Reply::Status(0x1A)
        ]
    );
}

proptest::proptest! {
    #[test]
    fn scanner_never_panics_and_accounts_for_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        let mut s = ReplyScanner::new();
        let mut consumed = 0;
        for &b in &bytes {
            match s.push(b) {
                Some(Reply::Status(_) | Reply::Noise(_)) => consumed += 1,
                Some(Reply::Asb(_)) => consumed += 4,
                None => {}
            }
        }
        proptest::prop_assert!(bytes.len() - consumed < 4);
    }
}
