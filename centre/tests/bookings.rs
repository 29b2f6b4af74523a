//! Bookings end to end, each on SQLite and on PostgreSQL (`sqlite::NAME`, `postgres::NAME`): a
//! citizen books on the phone pages over loopback HTTP and gets a code and a QR code; the site's
//! device fetches the day's list (`content::BookingClient`: 304 while unchanged, the new list after a
//! change); the kiosk's own outbox (`content::Outbox`) sends the check-in back; cancel and move through
//! the booking's link; every bad input answered in Chinese and English; two clients racing for the
//! last seat; reminders on a manual clock through the simulated channel, once each, also after the
//! store is reopened; no-shows after the day and the notice at the next booking; staff booking and
//! cancelling for a citizen, audited, a manager kept to their site.

mod web_support;

use std::sync::Arc;

use centre::{
    ApiSettings, AppState, Store,
    booking::{self, BookingRequest, ReminderKind, SimulatedChannel},
    store::{BookingKey, BookingWrite},
    web::WebSettings,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use content::{
    BookingClient, BookingFetchError, BookingState, BookingUpdate, CheckIn, ContentConfig, Fetched,
    ItemState, Outbox, OutboxPayload,
};
use reqwest::StatusCode;
use web_support::{
    Browser, SITE_A, SITE_B, TOKEN_A, TOKEN_B, TestDb, WebCentre, booking_keys, config,
    monday_morning,
};

macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::TestDb::sqlite()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = super::TestDb::postgres(stringify!($name)).await {
                        super::$name(db).await;
                    }
                }
            )*
        }
    };
}

on_both_engines!(
    a_phone_booking_reaches_the_sites_device_and_is_checked_in_through_the_outbox,
    every_bad_input_is_answered_in_chinese_and_english,
    two_clients_racing_for_the_last_seat_one_wins,
    reminders_go_once_each_and_none_for_a_cancelled_booking,
    no_shows_are_recorded_after_the_day_and_the_next_booking_carries_the_notice,
    staff_book_and_cancel_for_a_citizen_audited_and_a_manager_keeps_to_their_site,
);

use web_support::BOOKINGS as EXTRA;

const ID_A: &str = "99010119491231992X";
const ID_B: &str = "990101199003079992";

fn web_settings() -> WebSettings {
    WebSettings {
        booking_actions_per_minute: 10_000,
        ..config(EXTRA).web_settings()
    }
}

async fn start(db: &TestDb) -> WebCentre {
    WebCentre::start_on_with(db, config(EXTRA), monday_morning(), web_settings()).await
}

/// POSTs a public form from this origin.
async fn post(centre: &WebCentre, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    centre
        .browser()
        .post_raw(path, fields, Some(&centre.base))
        .await
}

/// The booking form's fields.
fn form<'a>(
    site: &'a str,
    service: &'a str,
    day: &'a str,
    slot: &'a str,
    name: &'a str,
    phone: &'a str,
    id: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("site", site),
        ("service", service),
        ("day", day),
        ("slot", slot),
        ("name", name),
        ("phone", phone),
        ("id_number", id),
    ]
}

/// Books on the phone pages; the booking page's path (`/book/b/TOKEN`).
async fn book_ok(centre: &WebCentre, fields: &[(&str, &str)]) -> String {
    let (status, location) = post(centre, "/book", fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "booked: {location}");
    assert!(location.starts_with("/book/b/"), "{location}");
    location.split('?').next().unwrap().to_owned()
}

/// The text of the element with `id` (its first 80 characters after the tag).
fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap() + start;
    &rest[start..end]
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn kiosk_outbox(centre: &WebCentre, dir: &std::path::Path) -> Outbox {
    let token_file = dir.join("centre-token");
    std::fs::write(&token_file, format!("{TOKEN_A}\n")).unwrap();
    let config = ContentConfig {
        outbox_url: Some(centre.url("/api/v1/outbox")),
        outbox_token_file: Some(token_file),
        device_id: Some("kiosk-a".into()),
        ..ContentConfig::default()
    };
    Outbox::open(dir, &config, "kiosk-a").unwrap()
}

fn device_client(centre: &WebCentre, token: &str) -> BookingClient {
    BookingClient::new(
        reqwest::Client::new(),
        reqwest::Url::parse(&format!("{}/", centre.base)).unwrap(),
        token,
    )
}

async fn fetch_new(client: &mut BookingClient, on: &str) -> content::SiteBookings {
    match client.fetch(Some(day(on))).await.unwrap() {
        Fetched::New(list) => list,
        Fetched::Unchanged => panic!("expected a new list of {on}"),
    }
}

async fn a_phone_booking_reaches_the_sites_device_and_is_checked_in_through_the_outbox(db: TestDb) {
    let centre = start(&db).await;
    let citizen = centre.browser();

    // Site → service → day → slot → form, by plain links.
    let (status, page) = citizen.get("/book").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(SITE_A) && page.contains(SITE_B), "{page}");
    let (_, page) = citizen
        .get(&format!("/book?site={}", web_support::url(SITE_A)))
        .await;
    assert!(page.contains("data-service=\"legal_aid\"") && page.contains("人民调解"));
    let (_, page) = citizen
        .get(&format!(
            "/book?site={}&service=legal_aid",
            web_support::url(SITE_A)
        ))
        .await;
    assert!(page.contains("data-day=\"2026-03-03\""), "{page}");
    assert!(
        !page.contains("data-day=\"2026-03-07\""),
        "Saturday is closed"
    );
    assert!(page.contains("节假日"), "the holiday is shown closed");
    let (_, page) = citizen
        .get(&format!(
            "/book?site={}&service=legal_aid&day=2026-03-03",
            web_support::url(SITE_A)
        ))
        .await;
    assert!(page.contains("data-slot=\"09:00\"") && page.contains("data-slot=\"16:30\""));
    let (status, page) = citizen
        .get(&format!(
            "/book?site={}&service=legal_aid&day=2026-03-03&slot=09:00&lang=en",
            web_support::url(SITE_A)
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"id_number\"") && page.contains("Resident ID number"));

    // Before anyone books, the device's list of the day is empty; unchanged on the next poll.
    let mut device = device_client(&centre, TOKEN_A);
    let list = fetch_new(&mut device, "2026-03-03").await;
    assert_eq!((list.site.as_str(), list.bookings.len()), (SITE_A, 0));
    assert!(matches!(
        device.fetch(Some(day("2026-03-03"))).await.unwrap(),
        Fetched::Unchanged
    ));

    let link = book_ok(
        &centre,
        &form(
            SITE_A,
            "legal_aid",
            "2026-03-03",
            "09:00",
            "张小三",
            "138 1234 5678",
            &ID_A.to_lowercase(),
        ),
    )
    .await;
    let (status, page) = citizen.get(&format!("{link}?new=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("预约成功"), "the done page");
    let code = by_id(&page, "code").to_owned();
    assert!(content::booking::is_booking_code(&code), "{code}");
    // The QR code is the server's SVG of `BOOKING:<code>`.
    let qr = booking::qr::svg(
        &content::booking::qr_text(&code),
        240,
        &format!("预约码 {code}"),
    )
    .unwrap();
    assert!(page.contains(&qr), "the page embeds the code's QR SVG");
    assert_eq!(by_id(&page, "b-name"), "张*三");
    assert_eq!(by_id(&page, "b-phone"), "138****5678");
    assert_eq!(by_id(&page, "b-id"), "990***********992X");
    assert_eq!(by_id(&page, "b-state"), "已预约");
    assert!(
        !page.contains("13812345678") && !page.contains(ID_A),
        "nothing shown whole"
    );
    let token = link.trim_start_matches("/book/b/");
    assert_eq!(token.len(), 64, "the link's token is 256 bits");
    assert!(!page.contains(&format!("code={code}")));

    // The device sees it within a poll: the new list, with the ID number's MAC, never the number.
    let list = fetch_new(&mut device, "2026-03-03").await;
    assert_eq!(list.bookings.len(), 1);
    let entry = &list.bookings[0];
    assert_eq!(entry.code, code);
    assert_eq!(
        (entry.masked_name.as_str(), entry.masked_phone.as_str()),
        ("张*三", "138****5678")
    );
    assert_eq!(entry.state, BookingState::Booked);
    assert_eq!(
        entry.start,
        "2026-03-03T01:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(list.by_id_number(ID_A).len(), 1, "ID-card check-in matches");
    assert!(list.by_id_number(ID_B).is_empty());
    assert_eq!(
        list.by_code(&format!("BOOKING:{code}\r\n")).unwrap().code,
        code
    );
    let raw = reqwest::Client::new()
        .get(centre.url("/api/v1/bookings/today?day=2026-03-03"))
        .bearer_auth(TOKEN_A)
        .send()
        .await
        .unwrap();
    let etag = raw.headers()["etag"].to_str().unwrap().to_owned();
    let text = raw.text().await.unwrap();
    assert!(!text.contains(ID_A) && !text.contains("13812345678"));
    let again = reqwest::Client::new()
        .get(centre.url("/api/v1/bookings/today?day=2026-03-03"))
        .bearer_auth(TOKEN_A)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.text().await.unwrap().is_empty());
    // Another site's device sees its own site's list; no token, no list; a bad day is named.
    let list_b = fetch_new(&mut device_client(&centre, TOKEN_B), "2026-03-03").await;
    assert_eq!((list_b.site.as_str(), list_b.bookings.len()), (SITE_B, 0));
    assert_ne!(list_b.id_key, list.id_key, "each site has its own ID key");
    let err = device_client(&centre, "no-such-token")
        .fetch(None)
        .await
        .unwrap_err();
    assert!(matches!(err, BookingFetchError::Unauthorized(_)), "{err}");
    let (status, body) = centre
        .browser()
        .get("/api/v1/bookings/today?day=2026-02-30")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let bad = reqwest::Client::new()
        .get(centre.url("/api/v1/bookings/today?day=2026-02-30"))
        .bearer_auth(TOKEN_A)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("day"));
    // Today's list (the default day) is Monday's: empty.
    let today = match device_client(&centre, TOKEN_A).fetch(None).await.unwrap() {
        Fetched::New(list) => list,
        Fetched::Unchanged => unreachable!("a first fetch"),
    };
    assert_eq!(today.day, day("2026-03-02"));

    // Move it through its link: Wednesday 10:00. The lists follow.
    let (status, page) = citizen.get(&format!("{link}/move?day=2026-03-04")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("data-slot=\"10:00\""));
    let (status, page) = post(
        &centre,
        &format!("{link}/move"),
        &[("day", "2026-03-04"), ("slot", "10:00")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"moved\""));
    assert!(by_id(&page, "b-time").contains("10:00"));
    assert!(
        fetch_new(&mut device, "2026-03-03")
            .await
            .bookings
            .is_empty()
    );
    let wednesday = fetch_new(&mut device, "2026-03-04").await;
    assert_eq!(wednesday.bookings[0].code, code);

    // Another site's device cannot check it in: its item is stored, the booking stays booked.
    let foreign = web_support::item(
        "booking:foreign",
        "kiosk-b",
        "2026-03-04T01:50:00Z",
        "booking_update",
        serde_json::json!({"code": code, "state": "checked_in", "ticket": "N001", "at": "2026-03-04T01:50:00Z"}),
    );
    assert_eq!(centre.deliver(TOKEN_B, &foreign).await, 201);
    let still = centre
        .store
        .booking(BookingKey::Code(code.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((still.state, still.ticket), (BookingState::Booked, None));

    // The kiosk checks the citizen in on Wednesday: its outbox sends the update.
    let kiosk_dir = tempfile::tempdir().unwrap();
    let outbox = kiosk_outbox(&centre, kiosk_dir.path());
    let key = format!("booking:{code}:checked_in");
    assert!(
        outbox
            .submit_with_key(
                &key,
                OutboxPayload::BookingUpdate(BookingUpdate {
                    code: code.clone(),
                    state: CheckIn::CheckedIn,
                    ticket: "Y001".into(),
                    at: "2026-03-04T01:55:00Z".parse().unwrap(),
                }),
            )
            .unwrap()
    );
    let report = outbox.send_due(Utc::now()).await.unwrap();
    assert_eq!((report.sent, report.rejected), (1, 0));
    assert_eq!(outbox.item(&key).unwrap().unwrap().state, ItemState::Sent);
    let stored = centre
        .store
        .booking(BookingKey::Code(code.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, BookingState::CheckedIn);
    assert_eq!(stored.ticket.as_deref(), Some("Y001"));
    let wednesday = fetch_new(&mut device, "2026-03-04").await;
    assert_eq!(wednesday.bookings[0].state, BookingState::CheckedIn);
    let (_, page) = citizen.get(&link).await;
    assert_eq!(by_id(&page, "b-state"), "已签到");
    assert!(
        !page.contains("id=\"cancel\""),
        "a checked-in booking cannot be cancelled"
    );

    // A second booking, cancelled through its link (the box must be ticked).
    let link2 = book_ok(
        &centre,
        &form(
            SITE_A,
            "mediation",
            "2026-03-03",
            "14:00",
            "李四",
            "13900001111",
            "",
        ),
    )
    .await;
    let (_, page) = citizen.get(&link2).await;
    let code2 = by_id(&page, "code").to_owned();
    assert_eq!(fetch_new(&mut device, "2026-03-03").await.bookings.len(), 1);
    let (status, _) = post(&centre, &format!("{link2}/cancel"), &[("lang", "zh")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not confirmed");
    let (status, page) = post(
        &centre,
        &format!("{link2}/cancel"),
        &[("lang", "zh"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("预约已取消") && by_id(&page, "b-state") == "已取消");
    let tuesday = fetch_new(&mut device, "2026-03-03").await;
    assert_eq!(tuesday.bookings[0].state, BookingState::Cancelled);
    // The seat is free again.
    let (_, page) = citizen
        .get(&format!(
            "/book?site={}&service=mediation&day=2026-03-03",
            web_support::url(SITE_A)
        ))
        .await;
    assert!(
        page.contains("data-slot=\"14:00\""),
        "the slot is bookable again"
    );
    // Cancelled: the code says so, and the link cannot cancel twice.
    let (status, page) = citizen
        .get(&format!("/book/code?code={}", code2.to_lowercase()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("该预约已取消") && page.contains("data-state=\"cancelled\""),
        "{page}"
    );
    let (status, page) = post(
        &centre,
        &format!("{link2}/cancel"),
        &[("lang", "en"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("This booking was cancelled."), "{page}");
    let (status, page) = post(
        &centre,
        &format!("{link2}/move"),
        &[("day", "2026-03-05"), ("slot", "09:00")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("该预约已取消"), "{page}");
}

/// POSTs a booking expected to be refused: its status and page.
async fn refused(centre: &WebCentre, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let (status, page) = post(centre, "/book", fields).await;
    assert_ne!(status, StatusCode::SEE_OTHER, "refused: {page}");
    (status, page)
}

fn assert_error(page: &str, name: &str, zh: &str) {
    assert!(
        page.contains(&format!("data-error=\"{name}\"")),
        "error {name}: {page}"
    );
    assert!(page.contains(zh), "{zh}: {page}");
}

async fn every_bad_input_is_answered_in_chinese_and_english(db: TestDb) {
    let centre = start(&db).await;
    let citizen = centre.browser();
    let step = |service: &str, day: &str, slot: &str| {
        format!(
            "/book?site={}&service={service}&day={day}&slot={slot}",
            web_support::url(SITE_A)
        )
    };

    // Closed days, past dates, beyond the horizon, after the cut-off: in the steps and in the POST.
    for (day, name, zh, en) in [
        ("2026-03-10", "closed", "节假日", "public holiday"),
        ("2026-03-11", "closed", "暂停办公", "closed on 2026-03-11"),
        (
            "2026-03-07",
            "closed",
            "不开放",
            "No bookings for this service on Sat",
        ),
        ("2026-03-01", "past", "已经过去", "has passed"),
        (
            "2026-03-17",
            "beyond_horizon",
            "14 天",
            "14 days ahead (until 2026-03-16)",
        ),
    ] {
        let (status, page) = citizen.get(&step("mediation", day, "")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{day}");
        assert_error(&page, name, zh);
        let (_, page) = citizen
            .get(&format!("{}&lang=en", step("mediation", day, "")))
            .await;
        assert!(page.contains(en), "{en}: {page}");
        let (status, page) = refused(
            &centre,
            &form(SITE_A, "mediation", day, "09:00", "王五", "13812345678", ""),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_error(&page, name, zh);
    }
    // Today 09:00 has started; 09:30 is within the hour's cut-off; 14:00 is fine.
    let (status, page) = refused(
        &centre,
        &form(
            SITE_A,
            "legal_aid",
            "2026-03-02",
            "09:00",
            "王五",
            "13812345678",
            ID_B,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&page, "past", "已经过去");
    let (_, page) = refused(
        &centre,
        &form(
            SITE_A,
            "legal_aid",
            "2026-03-02",
            "09:30",
            "王五",
            "13812345678",
            ID_B,
        ),
    )
    .await;
    assert_error(&page, "after_cutoff", "开始前 60 分钟停止预约");
    let (_, page) = citizen
        .get(&format!(
            "{}&lang=en",
            step("legal_aid", "2026-03-02", "09:30")
        ))
        .await;
    assert!(
        page.contains("Bookings close 60 minutes before a slot starts"),
        "{page}"
    );
    let (status, page) = citizen.get(&step("legal_aid", "2026-03-02", "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("已截止") && page.contains("data-slot=\"14:00\""));
    let (_, page) = refused(
        &centre,
        &form(
            SITE_A,
            "legal_aid",
            "2026-03-03",
            "09:10",
            "王五",
            "13812345678",
            ID_B,
        ),
    )
    .await;
    assert_error(&page, "no_such_slot", "没有这个时段");

    // Malformed phone and ID numbers, a missing ID number, a missing name.
    let tue = "2026-03-03";
    for (phone, id, name, zh, en) in [
        (
            "12345",
            ID_B,
            "bad_phone",
            "手机号码不正确",
            "The mobile number is not valid",
        ),
        ("1381234567x", ID_B, "bad_phone", "11 位手机号", "11 digits"),
        (
            "13812345678",
            "990101199003079993",
            "bad_id_number",
            "校验位不正确",
            "check digit is wrong",
        ),
        (
            "13812345678",
            "9901011990",
            "bad_id_number",
            "应为 18 位",
            "18 characters",
        ),
        (
            "13812345678",
            "9901011990030799A2",
            "bad_id_number",
            "17 位数字",
            "17 digits",
        ),
        (
            "13812345678",
            "",
            "id_required",
            "需要填写身份证号码",
            "needs your resident ID number",
        ),
    ] {
        let (status, page) = refused(
            &centre,
            &form(SITE_A, "legal_aid", tue, "10:00", "王五", phone, id),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{phone} {id}");
        assert_error(&page, name, zh);
        assert!(page.contains("name=\"phone\""), "the form is shown again");
        let mut english = form(SITE_A, "legal_aid", tue, "10:00", "王五", phone, id);
        english.push(("lang", "en"));
        let (_, page) = refused(&centre, &english).await;
        assert!(page.contains(en), "{en}: {page}");
    }
    let (_, page) = refused(
        &centre,
        &form(SITE_A, "legal_aid", tue, "10:00", "  ", "13812345678", ID_B),
    )
    .await;
    assert_error(&page, "bad_name", "请填写姓名");

    // A full slot; the same person twice in one slot (by phone, and by ID number).
    book_ok(
        &centre,
        &form(SITE_A, "mediation", tue, "09:00", "赵六", "13700000001", ""),
    )
    .await;
    let (status, page) = refused(
        &centre,
        &form(SITE_A, "mediation", tue, "09:00", "钱七", "13700000002", ""),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&page, "slot_full", "该时段已约满");
    let mut english = form(SITE_A, "mediation", tue, "09:00", "钱七", "13700000002", "");
    english.push(("lang", "en"));
    let (_, page) = refused(&centre, &english).await;
    assert!(page.contains("This slot is fully booked"));
    book_ok(
        &centre,
        &form(
            SITE_A,
            "legal_aid",
            tue,
            "10:00",
            "孙八",
            "13700000003",
            ID_A,
        ),
    )
    .await;
    let (status, page) = refused(
        &centre,
        &form(
            SITE_A,
            "legal_aid",
            tue,
            "10:00",
            "孙八",
            "137 0000 0003",
            ID_B,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&page, "duplicate", "您已预约了这个时段");
    let (status, page) = refused(
        &centre,
        &form(
            SITE_A,
            "legal_aid",
            tue,
            "10:00",
            "孙八",
            "13700000009",
            &ID_A.to_lowercase(),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the same ID number with another phone"
    );
    assert_error(&page, "duplicate", "无需重复预约");
    // The other seat of that slot still goes to someone else.
    book_ok(
        &centre,
        &form(
            SITE_A,
            "legal_aid",
            tue,
            "10:00",
            "周九",
            "13700000004",
            ID_B,
        ),
    )
    .await;

    // Unknown sites, services, codes and links.
    let (status, page) = refused(
        &centre,
        &form(
            "无此站点",
            "mediation",
            tue,
            "09:00",
            "王五",
            "13812345678",
            "",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&page, "unknown_site", "未找到该站点");
    let (status, page) = citizen
        .get(&format!(
            "/book?site={}&service=notary",
            web_support::url(SITE_A)
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&page, "unknown_service", "不提供此项业务");
    for code in ["B-2345-6789", "xyz"] {
        let (status, page) = citizen.get(&format!("/book/code?code={code}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{code}");
        assert_error(&page, "unknown_code", "未找到该预约");
        let (_, page) = citizen
            .get(&format!("/book/code?code={code}&lang=en"))
            .await;
        assert!(page.contains("No booking has this code"));
    }
    let (status, page) = citizen.get(&format!("/book/b/{}", "ab".repeat(32))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&page, "unknown_code", "未找到该预约");
    let (status, _) = post(
        &centre,
        &format!("/book/b/{}/cancel", "ab".repeat(32)),
        &[("confirm", "yes")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A POST from another site's page is refused.
    let (status, _) = centre
        .browser()
        .post_raw(
            "/book",
            &form(SITE_A, "mediation", tue, "11:00", "王五", "13812345678", ""),
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The device list's bad day, and the staff route without a session.
    let (status, location) = centre.browser().get("/staff/bookings").await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/staff/login")
    );
}

async fn two_clients_racing_for_the_last_seat_one_wins(db: TestDb) {
    // PostgreSQL: two centres on one database (separate pools, as two processes); SQLite: one.
    let first = start(&db).await;
    let second = if db.url.is_some() {
        Some(start(&db).await)
    } else {
        None
    };
    let tue = "2026-03-03";
    let mut racers = Vec::new();
    for i in 0..8 {
        let centre = if i % 2 == 1 {
            second.as_ref().unwrap_or(&first)
        } else {
            &first
        };
        let (base, browser) = (centre.base.clone(), centre.browser());
        racers.push(tokio::spawn(async move {
            let phone = format!("1360000{i:04}");
            let name = format!("甲{i}");
            let fields = form(SITE_A, "mediation", tue, "15:00", &name, &phone, "");
            browser.post_raw("/book", &fields, Some(&base)).await
        }));
    }
    let mut won = 0;
    for racer in racers {
        let (status, page) = racer.await.unwrap();
        match status {
            StatusCode::SEE_OTHER => won += 1,
            StatusCode::CONFLICT => assert_error(&page, "slot_full", "该时段已约满"),
            other => panic!("unexpected {other}: {page}"),
        }
    }
    assert_eq!(won, 1, "exactly one client wins the last seat");
    let start_ms = "2026-03-03T07:00:00Z"
        .parse::<DateTime<Utc>>()
        .unwrap()
        .timestamp_millis();
    assert_eq!(
        db.count(&format!(
            "SELECT COUNT(*) FROM bookings WHERE service = 'mediation' AND start_ms = {start_ms} AND state = 'booked'"
        ))
        .await,
        1
    );
    assert_eq!(
        db.count(&format!(
            "SELECT CAST(taken AS BIGINT) FROM booking_slots WHERE service = 'mediation' AND start_ms = {start_ms}"
        ))
        .await,
        1
    );
    // The store's own guarantee, below the pages: capacity 2, four concurrent writers, two stored.
    let store = first.store.clone();
    let mut writers = Vec::new();
    for i in 0..4 {
        let store: Arc<dyn Store> = if i % 2 == 1 {
            second
                .as_ref()
                .map_or_else(|| store.clone(), |s| s.store.clone())
        } else {
            store.clone()
        };
        writers.push(tokio::spawn(async move {
            store
                .create_booking(centre::store::NewBooking {
                    code: format!("B-RACE-22{i}2"),
                    manage_sha256: format!("{i:064}"),
                    site: SITE_A.into(),
                    service: "legal_aid".into(),
                    day: day("2026-03-05"),
                    start: "2026-03-05T01:00:00Z".parse().unwrap(),
                    end: "2026-03-05T01:30:00Z".parse().unwrap(),
                    name: "race".into(),
                    phone: format!("1350000000{i}"),
                    phone_mac: format!("mac-{i}"),
                    id_mac: None,
                    id_masked: None,
                    created: monday_morning(),
                    created_by: "citizen".into(),
                    capacity: 2,
                    no_shows_before: 0,
                    audit: None,
                })
                .await
                .unwrap()
        }));
    }
    let mut done = 0;
    for writer in writers {
        match writer.await.unwrap() {
            BookingWrite::Done(_) => done += 1,
            BookingWrite::SlotFull => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(done, 2);
}

/// A state over `db` (reopened as `centre serve` opens it) with the test's calendar, keys and clock.
async fn state_over(db: &TestDb, now: DateTime<Utc>) -> (AppState, clock::ManualWallClock) {
    let store = db.open().await;
    let config = config(EXTRA);
    let bookings = config.booking_settings(booking_keys());
    centre::install_accounts(store.as_ref(), &centre::Accounts::Configured(config))
        .await
        .unwrap();
    let clock = clock::ManualWallClock::new(now);
    let state = AppState::new(store, Arc::new(clock.clone()), ApiSettings::default())
        .with_bookings(bookings);
    (state, clock)
}

fn request(service: &str, on: &str, at: &str, name: &str, phone: &str, id: &str) -> BookingRequest {
    BookingRequest {
        site: SITE_A.into(),
        service: service.into(),
        day: day(on),
        start: at.parse().unwrap(),
        name: name.into(),
        phone: phone.into(),
        id_number: id.into(),
    }
}

async fn reminders_go_once_each_and_none_for_a_cancelled_booking(db: TestDb) {
    let local = |text: &str| -> DateTime<Utc> {
        DateTime::parse_from_str(&format!("{text} +0800"), "%Y-%m-%d %H:%M %z")
            .unwrap()
            .with_timezone(&Utc)
    };
    let (state, clock) = state_over(&db, monday_morning()).await;
    let kept = booking::book(
        &state,
        request(
            "mediation",
            "2026-03-03",
            "09:00",
            "张三",
            "13812345678",
            "",
        ),
        booking::CITIZEN,
        false,
    )
    .await
    .unwrap();
    let dropped = booking::book(
        &state,
        request(
            "mediation",
            "2026-03-03",
            "10:00",
            "李四",
            "13912345678",
            "",
        ),
        booking::CITIZEN,
        false,
    )
    .await
    .unwrap();
    booking::cancel(&state, &dropped.record, None)
        .await
        .unwrap();
    let channel = SimulatedChannel::new();

    clock.set(local("2026-03-02 17:59"));
    let report = booking::tick(&state, &channel, clock_now(&clock))
        .await
        .unwrap();
    assert_eq!(report.sent, 0, "not yet due");
    clock.set(local("2026-03-02 18:00"));
    assert_eq!(
        booking::tick(&state, &channel, clock_now(&clock))
            .await
            .unwrap()
            .sent,
        1
    );
    assert_eq!(
        booking::tick(&state, &channel, clock_now(&clock))
            .await
            .unwrap()
            .sent,
        0
    );
    drop(state);

    // The store reopened (a restart): nothing again.
    let (state, clock) = state_over(&db, local("2026-03-02 18:05")).await;
    assert_eq!(
        booking::tick(&state, &channel, clock_now(&clock))
            .await
            .unwrap()
            .sent,
        0
    );
    clock.set(local("2026-03-03 08:00"));
    assert_eq!(
        booking::tick(&state, &channel, clock_now(&clock))
            .await
            .unwrap()
            .sent,
        1
    );
    clock.set(local("2026-03-03 08:30"));
    assert_eq!(
        booking::tick(&state, &channel, clock_now(&clock))
            .await
            .unwrap()
            .sent,
        0
    );
    drop(state);
    let (state, clock) = state_over(&db, local("2026-03-03 08:40")).await;
    assert_eq!(
        booking::tick(&state, &channel, clock_now(&clock))
            .await
            .unwrap()
            .sent,
        0
    );

    let sent = channel.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(
        sent.iter().map(|m| m.kind).collect::<Vec<_>>(),
        [ReminderKind::DayBefore, ReminderKind::Soon]
    );
    for message in &sent {
        assert_eq!(message.code, kept.record.code);
        assert_eq!(message.to, "13812345678");
        assert!(message.text.contains(&kept.record.code) && message.text.contains("09:00"));
    }
    assert!(
        sent.iter().all(|m| m.code != dropped.record.code),
        "none for the cancelled one"
    );
    assert!(sent[0].text.contains("2026-03-03") && sent[0].text.contains("人民调解"));

    // A gateway that is down: the claim is given back and the next pass sends it.
    let later = booking::book(
        &state,
        request(
            "mediation",
            "2026-03-03",
            "11:00",
            "王五",
            "13612345678",
            "",
        ),
        booking::CITIZEN,
        false,
    )
    .await
    .unwrap();
    clock.set(local("2026-03-03 10:05"));
    channel.set_failing(true);
    let report = booking::tick(&state, &channel, clock_now(&clock))
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed), (0, 1));
    channel.set_failing(false);
    assert_eq!(
        booking::tick(&state, &channel, clock_now(&clock))
            .await
            .unwrap()
            .sent,
        1
    );
    assert_eq!(channel.sent().last().unwrap().code, later.record.code);
    assert_eq!(channel.sent().len(), 3);
}

fn clock_now(clock: &clock::ManualWallClock) -> DateTime<Utc> {
    clock::WallClock::now(clock)
}

async fn no_shows_are_recorded_after_the_day_and_the_next_booking_carries_the_notice(db: TestDb) {
    let centre = start(&db).await;
    let citizen = centre.browser();
    let phone = "13812345678";
    let first = book_ok(
        &centre,
        &form(
            SITE_A,
            "mediation",
            "2026-03-03",
            "09:00",
            "张三",
            phone,
            "",
        ),
    )
    .await;
    book_ok(
        &centre,
        &form(
            SITE_A,
            "mediation",
            "2026-03-04",
            "09:00",
            "张三",
            phone,
            "",
        ),
    )
    .await;
    let late = book_ok(
        &centre,
        &form(
            SITE_A,
            "mediation",
            "2026-03-03",
            "10:00",
            "李四",
            "13900001111",
            "",
        ),
    )
    .await;
    let (_, page) = citizen.get(&late).await;
    let late_code = by_id(&page, "code").to_owned();
    let (_, page) = citizen.get(&first).await;
    assert!(!page.contains("no-show-notice"), "no history yet");

    // Nothing is a no-show before its day has ended.
    let channel = SimulatedChannel::new();
    centre.clock.set("2026-03-03T15:00:00Z".parse().unwrap()); // Tuesday 23:00 local
    assert_eq!(
        booking::tick(&centre.state, &channel, centre.clock_now())
            .await
            .unwrap()
            .no_shows,
        0
    );
    // Thursday morning: Tuesday's two and Wednesday's one were never checked in.
    centre.clock.set("2026-03-05T00:00:00Z".parse().unwrap());
    assert_eq!(
        booking::tick(&centre.state, &channel, centre.clock_now())
            .await
            .unwrap()
            .no_shows,
        3
    );
    let (_, page) = citizen.get(&first).await;
    assert_eq!(by_id(&page, "b-state"), "未到");

    // A late check-in from the site revokes the no-show the centre recorded.
    let kiosk_dir = tempfile::tempdir().unwrap();
    let outbox = kiosk_outbox(&centre, kiosk_dir.path());
    outbox
        .submit_with_key(
            &format!("booking:{late_code}:late_walk_in"),
            OutboxPayload::BookingUpdate(BookingUpdate {
                code: late_code.clone(),
                state: CheckIn::LateWalkIn,
                ticket: "A031".into(),
                at: "2026-03-03T02:40:00Z".parse().unwrap(),
            }),
        )
        .unwrap();
    assert_eq!(outbox.send_due(Utc::now()).await.unwrap().sent, 1);
    let revoked = centre
        .store
        .booking(BookingKey::Code(late_code))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(revoked.state, BookingState::LateWalkIn);
    assert_eq!(revoked.ticket.as_deref(), Some("A031"));
    assert_eq!(
        db.count("SELECT COUNT(*) FROM bookings WHERE state = 'no_show'")
            .await,
        2
    );

    // The next booking by that phone goes through, and says so plainly.
    let next = book_ok(
        &centre,
        &form(
            SITE_A,
            "mediation",
            "2026-03-06",
            "09:00",
            "张三",
            "138-1234-5678",
            "",
        ),
    )
    .await;
    let (_, page) = citizen.get(&format!("{next}?new=1")).await;
    assert_eq!(by_id(&page, "b-state"), "已预约");
    assert!(
        page.contains("id=\"no-show-notice\"")
            && page.contains("您此前有 2 次预约既未到场也未取消"),
        "{page}"
    );
    let (_, page) = citizen.get(&format!("{next}?lang=en")).await;
    assert!(page.contains("you did not come to 2 earlier bookings"));
    // Someone else has no notice.
    let other = book_ok(
        &centre,
        &form(
            SITE_A,
            "mediation",
            "2026-03-06",
            "10:00",
            "李四",
            "13900001111",
            "",
        ),
    )
    .await;
    let (_, page) = citizen.get(&other).await;
    assert!(
        !page.contains("no-show-notice"),
        "one late check-in, no no-show left"
    );
}

async fn staff_book_and_cancel_for_a_citizen_audited_and_a_manager_keeps_to_their_site(db: TestDb) {
    let centre = start(&db).await;
    let admin = centre.login("admin").await;
    let (status, page) = admin
        .get(&format!(
            "/staff/bookings?site={}&day=2026-03-03&service=legal_aid",
            web_support::url(SITE_A)
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"staff-book\"") && page.contains("<option value=\"09:00\">"));
    let (status, page) = admin
        .post(
            "/staff/bookings",
            &[
                ("site", SITE_A),
                ("service", "legal_aid"),
                ("day", "2026-03-03"),
                ("slot", "09:00"),
                ("name", "王小明"),
                ("phone", "13812345678"),
                ("id_number", ID_B),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
    let code = by_id(&page, "booked-code").to_owned();
    let link = by_id(&page, "manage-link").to_owned();
    assert!(link.starts_with("/book/b/"));
    assert!(page.contains("<svg"), "the QR code for the citizen");
    assert!(
        page.contains(&code) && page.contains("138****5678"),
        "listed"
    );
    // The citizen's link works.
    let (status, citizen_page) = centre.browser().get(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_id(&citizen_page, "code"), code);
    // Bad input is answered on the page.
    let (status, page) = admin
        .post(
            "/staff/bookings",
            &[
                ("site", SITE_A),
                ("service", "legal_aid"),
                ("day", "2026-03-03"),
                ("slot", "09:30"),
                ("name", "王小明"),
                ("phone", "12345"),
                ("id_number", ID_B),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("手机号码不正确") && page.contains("not valid"),
        "{page}"
    );

    // A manager of the other site sees only theirs, and cannot book or cancel at site A.
    let manager_b = centre.login("manager-b").await;
    let (_, page) = manager_b
        .get(&format!(
            "/staff/bookings?site={}&day=2026-03-03",
            web_support::url(SITE_A)
        ))
        .await;
    assert!(
        page.contains(SITE_B) && !page.contains(SITE_A) && !page.contains(&code),
        "{page}"
    );
    let (status, _) = manager_b
        .post(
            "/staff/bookings",
            &[
                ("site", SITE_A),
                ("service", "legal_aid"),
                ("day", "2026-03-03"),
                ("slot", "10:00"),
                ("name", "某人"),
                ("phone", "13812345670"),
                ("id_number", ID_A),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = manager_b
        .post(&format!("/staff/bookings/{code}/cancel"), &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Without the CSRF token: refused.
    let (status, _) = manager_b
        .post_raw(
            &format!("/staff/bookings/{code}/cancel"),
            &[("csrf", "forged")],
            Some(&centre.base),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The manager of site A cancels it.
    let manager_a = centre.login("manager-a").await;
    let (status, location) = manager_a
        .post(&format!("/staff/bookings/{code}/cancel"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let record = centre
        .store
        .booking(BookingKey::Code(code.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.state, BookingState::Cancelled);
    assert_eq!(record.created_by, "admin");
    let audit = centre.store.audit(50).await.unwrap();
    let entry = |action: &str| {
        audit
            .iter()
            .find(|e| e.action == action && e.target == format!("booking {code}"))
            .unwrap_or_else(|| panic!("{action} audited: {audit:?}"))
            .clone()
    };
    assert_eq!(entry("booking_create").user, "admin");
    assert!(
        entry("booking_create")
            .detail
            .contains("legal_aid 2026-03-03 09:00")
    );
    assert_eq!(entry("booking_cancel").user, "manager-a");
    assert!(
        audit
            .iter()
            .all(|e| !e.detail.contains("13812345678") && !e.detail.contains(ID_B)),
        "no number in the audit log"
    );
    // Cancelled twice: refused plainly.
    let (status, page) = manager_a
        .post(&format!("/staff/bookings/{code}/cancel"), &[])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("该预约已取消"));
    let (status, page) = Browser::get(&admin, "/staff/bookings/B-2345-6789/cancel").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{page}");
    let _ = Duration::zero();
}
