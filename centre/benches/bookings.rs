//! Bookings on SQLite (criterion): the availability of a site's 30-day calendar (the day list a
//! citizen sees for a service, and one day's slots) over a store holding a month of bookings, the
//! device list of a busy day with its entity tag, and booking throughput (each booking checked, its
//! seat taken and its row written in one durable transaction, `synchronous=FULL`).
//!
//! `cargo bench -p centre --bench bookings`; `-- --test` runs each once (CI's smoke run). The store is
//! an SQLite file in a temporary directory under the target directory (its disk is measured).

use std::{hint::black_box, sync::Arc};

use centre::{
    ApiSettings, AppState, SqliteStore, Store,
    booking::{self, BookingKeys, BookingRequest, BookingSettings, BookingsEntry},
};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use criterion::Criterion;

const SITE: &str = "向阳镇公共法律服务工作站";

/// A site open every day 08:00–18:00: legal aid (30 min, 2 a slot, ID number), notary (20 min, 1),
/// mediation (60 min, 1), and a bench service of 5-minute slots with 100 seats (throughput).
fn settings() -> BookingSettings {
    let hours = "08:00-12:00,13:00-18:00";
    let text = format!(
        r#"
horizon_days = 30
cutoff_minutes = 0
[[sites]]
site = "{SITE}"
[sites.hours]
mon = "{hours}"
tue = "{hours}"
wed = "{hours}"
thu = "{hours}"
fri = "{hours}"
sat = "{hours}"
sun = "{hours}"
[[sites.services]]
id = "legal_aid"
name_zh = "法律援助"
name_en = "Legal aid"
slot_minutes = 30
capacity = 2
needs_id = true
[[sites.services]]
id = "notary"
name_zh = "公证"
name_en = "Notary"
slot_minutes = 20
capacity = 1
[[sites.services]]
id = "mediation"
name_zh = "人民调解"
name_en = "Mediation"
slot_minutes = 60
capacity = 1
[[sites.services]]
id = "bench"
name_zh = "压测"
name_en = "Bench"
slot_minutes = 5
capacity = 100
"#
    );
    let entry: BookingsEntry = toml::from_str(&text).unwrap();
    BookingSettings::from_entry(Some(&entry), &[], BookingKeys::from_secret([1; 32])).unwrap()
}

fn id_number(n: u32) -> String {
    let body = format!("990101{:011}", 19_900_101_000 + u64::from(n));
    let body = &body[..17];
    format!("{body}{}", content::booking::id_check_digit(body).unwrap())
}

fn main() {
    let smoke = std::env::args().any(|a| a == "--test");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let parent = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&parent).unwrap();
    let dir = tempfile::tempdir_in(&parent).unwrap();
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("centre.sqlite3")).unwrap());
    // Monday 2026-03-02 07:00 local: the whole month ahead is bookable.
    let now: DateTime<Utc> = "2026-03-01T23:00:00Z".parse().unwrap();
    let clock = clock::ManualWallClock::new(now);
    let state =
        AppState::new(store, Arc::new(clock), ApiSettings::default()).with_bookings(settings());
    let site = state.bookings().site(SITE).unwrap().clone();
    let first: NaiveDate = "2026-03-02".parse().unwrap();

    // A month of bookings: about half of the legal aid, notary and mediation seats taken.
    let mut n = 0u32;
    let days = if smoke { 2 } else { 30 };
    let mut made = 0;
    runtime.block_on(async {
        for d in 0..days {
            let day = first + Duration::days(d);
            for service in ["legal_aid", "notary", "mediation"] {
                let calendar = site.service(service).unwrap();
                for (i, slot) in calendar.slots(day).into_iter().enumerate() {
                    if i % 2 == 1 {
                        continue;
                    }
                    n += 1;
                    let request = BookingRequest {
                        site: SITE.into(),
                        service: service.into(),
                        day,
                        start: booking::local_time(slot.start),
                        name: "张三".into(),
                        phone: format!("138{:08}", n),
                        id_number: if calendar.needs_id {
                            id_number(n)
                        } else {
                            String::new()
                        },
                    };
                    booking::book(&state, request, booking::CITIZEN, false)
                        .await
                        .unwrap();
                    made += 1;
                }
            }
        }
    });
    println!("bookings: {made} bookings stored over {days} days before measuring");

    let mut criterion = Criterion::default()
        .sample_size(if smoke { 10 } else { 30 })
        .configure_from_args();
    let aid = site.service("legal_aid").unwrap().clone();
    criterion.bench_function("availability/30_days_of_one_service", |b| {
        b.iter(|| {
            runtime
                .block_on(booking::days(&state, &site, black_box(&aid)))
                .unwrap()
        })
    });
    criterion.bench_function("availability/30_days_of_every_service", |b| {
        b.iter(|| {
            for service in &site.services {
                black_box(
                    runtime
                        .block_on(booking::days(&state, &site, service))
                        .unwrap(),
                );
            }
        })
    });
    criterion.bench_function("availability/one_day_of_slots", |b| {
        b.iter(|| {
            runtime
                .block_on(booking::slots(&state, &site, &aid, black_box(first)))
                .unwrap()
        })
    });
    criterion.bench_function("device_list/one_busy_day_with_etag", |b| {
        b.iter(|| {
            runtime
                .block_on(booking::site_bookings(&state, SITE, black_box(first)))
                .unwrap()
        })
    });
    let bench_service = site.service("bench").unwrap().clone();
    let slots: Vec<(NaiveDate, NaiveTime)> = (0..30)
        .flat_map(|d| {
            let day = first + Duration::days(d);
            bench_service
                .slots(day)
                .into_iter()
                .map(move |s| (day, booking::local_time(s.start)))
        })
        .collect();
    let mut i = 0usize;
    criterion.bench_function("book/one_durable_booking", |b| {
        b.iter(|| {
            i += 1;
            let (day, start) = slots[i % slots.len()];
            let request = BookingRequest {
                site: SITE.into(),
                service: "bench".into(),
                day,
                start,
                name: "李四".into(),
                phone: format!("139{:08}", i),
                id_number: String::new(),
            };
            runtime
                .block_on(booking::book(&state, request, booking::CITIZEN, false))
                .unwrap()
        })
    });
    criterion.final_summary();
}
