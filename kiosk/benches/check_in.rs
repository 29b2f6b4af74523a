//! Check-in lookups: how long the kiosk takes, from a scan, a typed code or a card read, to the
//! booking it shows — the work on the UI thread's side of the check-in page.
//!
//! `cargo bench -p kiosk --bench check_in`. A day's list of 400 bookings at one site (far more than a
//! centre books in a day), looked up by QR text, by typed code (lower case, no dashes) and by ID number
//! (an HMAC-SHA256 per call, then a scan of the list), 20,000 times each. Prints p50/p99/max.

use std::{hint::black_box, time::Instant};

use chrono::{Duration, TimeZone as _, Utc};
use content::booking::{
    BookingEntry, BookingState, CODE_ALPHABET, SiteBookings, id_check_digit, id_mac, qr_text,
};
use kiosk::bookings::{BookingBook, Lookup};

const BOOKINGS: usize = 400;
const ROUNDS: usize = 20_000;
const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn code(i: usize) -> String {
    let a = CODE_ALPHABET;
    let c = |n: usize| char::from(a[n % a.len()]);
    format!(
        "B-{}{}{}{}-{}{}{}{}",
        c(i),
        c(i / 32),
        c(i / 1024 + 3),
        c(7),
        c(i * 7),
        c(i * 13 + 1),
        c(i * 17 + 2),
        c(i * 19 + 5)
    )
}

fn id_number(i: usize) -> String {
    let first = format!("990101{:08}{:03}", 19_600_101 + (i % 28), 900 + (i % 100));
    let check = id_check_digit(&first).unwrap_or('0');
    format!("{first}{check}")
}

fn main() {
    let key = hex::decode(KEY).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let bookings: Vec<BookingEntry> = (0..BOOKINGS)
        .map(|i| BookingEntry {
            code: code(i),
            service: "legal_aid".into(),
            start: start + Duration::minutes(30 * (i as i64 % 14)),
            end: start + Duration::minutes(30 * (i as i64 % 14) + 30),
            masked_name: "张*三".into(),
            masked_phone: "138****0000".into(),
            id_mac: Some(id_mac(&key, &id_number(i))),
            state: BookingState::Booked,
        })
        .collect();
    let day = start.date_naive();
    let book = BookingBook::in_memory(Some(SiteBookings {
        site: "黔江区公共法律服务中心".into(),
        day,
        generated: start,
        id_key: KEY.into(),
        bookings,
    }));
    let qr: Vec<String> = (0..BOOKINGS).map(|i| qr_text(&code(i))).collect();
    let typed: Vec<String> = (0..BOOKINGS)
        .map(|i| code(i).replace('-', "").to_lowercase())
        .collect();
    let ids: Vec<String> = (0..BOOKINGS).map(id_number).collect();

    let measure = |what: &str, inputs: &[String], f: &dyn Fn(&str) -> Lookup| {
        let mut times = Vec::with_capacity(ROUNDS);
        for round in 0..ROUNDS {
            let input = &inputs[round % inputs.len()];
            let t = Instant::now();
            let found = black_box(f(black_box(input)));
            times.push(t.elapsed());
            assert!(
                matches!(found, Lookup::Found(_)),
                "{what}: {input} not found"
            );
        }
        times.sort();
        let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
        println!(
            "check-in lookup by {what}, {BOOKINGS} bookings: p50 {:.1} µs  p99 {:.1} µs  max {:.1} µs",
            at(0.5),
            at(0.99),
            at(1.0)
        );
    };
    measure("QR text", &qr, &|s| book.by_code(s, day));
    measure("typed code", &typed, &|s| book.by_code(s, day));
    measure("ID card number", &ids, &|s| book.by_id_number(s, day));
}
