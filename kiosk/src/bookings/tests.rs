use chrono::{FixedOffset, TimeZone as _, Utc};
use content::booking::BookingState;

use super::{
    BookingBook, Lookup,
    demo::{CANCELLED_CODE, EARLY_CODE, ON_TIME_CODE, SampleNumbers, demo_bookings},
};

const ELDERLY: &str = "990101195008159985";
const CITIZEN: &str = "990101198806129995";

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

fn book_at_ten() -> (BookingBook, chrono::NaiveDate) {
    let now = Utc.with_ymd_and_hms(2026, 12, 7, 2, 10, 0).unwrap(); // 10:10 in Chongqing
    let list = demo_bookings(
        now,
        china(),
        SampleNumbers {
            elderly: ELDERLY,
            citizen: CITIZEN,
        },
    );
    let day = list.day;
    (BookingBook::in_memory(Some(list)), day)
}

#[test]
fn codes_are_found_typed_in_any_form_or_scanned_from_the_qr_text() {
    let (book, today) = book_at_ten();
    for typed in [
        ON_TIME_CODE,
        "b7k3m9qxa",
        " B-7K3M-9QXA ",
        "BOOKING:B-7K3M-9QXA",
    ] {
        match book.by_code(typed, today) {
            Lookup::Found(found) => assert_eq!(found[0].code, ON_TIME_CODE, "{typed}"),
            other => panic!("{typed}: {other:?}"),
        }
    }
    assert_eq!(book.by_code("hello", today), Lookup::NotACode);
    assert_eq!(book.by_code("B-2222-2222", today), Lookup::NotFound);
    assert!(
        matches!(book.by_code(CANCELLED_CODE, today), Lookup::Cancelled(e) if e.state == BookingState::Cancelled)
    );
}

#[test]
fn a_card_finds_its_own_bookings_only_and_another_day_has_no_list() {
    let (book, today) = book_at_ten();
    match book.by_id_number(CITIZEN, today) {
        Lookup::Found(found) => {
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].code, EARLY_CODE);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        book.by_id_number("990101194912319997", today),
        Lookup::NotFound
    );
    let tomorrow = today.succ_opt().unwrap();
    assert_eq!(book.by_code(ON_TIME_CODE, tomorrow), Lookup::NoList);
    assert_eq!(
        BookingBook::in_memory(None).by_code(ON_TIME_CODE, today),
        Lookup::NoList
    );
}

#[test]
fn the_list_is_kept_in_its_file_and_read_back_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(super::BOOKINGS_FILE);
    let (memory, today) = book_at_ten();
    let book = BookingBook::open(&file);
    assert_eq!(book.current(), None);
    let changes = book.changes();
    book.replace(memory.current().unwrap()).unwrap();
    assert!(changes.has_changed().unwrap());
    let reopened = BookingBook::open(&file);
    assert_eq!(reopened.current(), memory.current());
    assert!(matches!(
        reopened.by_code(ON_TIME_CODE, today),
        Lookup::Found(_)
    ));
    // A damaged file is ignored (the next poll replaces it), never a crash.
    std::fs::write(&file, b"{not json").unwrap();
    assert_eq!(BookingBook::open(&file).current(), None);
}

#[test]
fn the_demo_slots_stay_inside_the_day_late_in_the_evening() {
    let late = Utc.with_ymd_and_hms(2026, 12, 7, 15, 20, 0).unwrap(); // 23:20 local
    let list = demo_bookings(
        late,
        china(),
        SampleNumbers {
            elderly: ELDERLY,
            citizen: CITIZEN,
        },
    );
    for b in &list.bookings {
        assert_eq!(
            b.start.with_timezone(&china()).date_naive(),
            list.day,
            "{}",
            b.code
        );
    }
}
