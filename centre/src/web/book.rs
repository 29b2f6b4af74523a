//! The citizen's booking pages (预约), public like `/status`: served by the centre, Chinese or
//! English (`lang=en`), large type, plain HTML forms and links (no JavaScript, no external
//! resource), for a cheap Android phone's browser.
//!
//! | route | what |
//! |---|---|
//! | `GET /book` | site → service → day → slot, step by step (`?site=&service=&day=&slot=HH:MM`), then the form: name, mobile number, and the ID number where the service needs it |
//! | `POST /book` | books; `303` to the booking's page, or the form again with the reason (`400`, `404`, `409`) |
//! | `GET /book/b/{token}` | the booking's page: code, QR code, details, state, the no-show notice; cancel and move from here. `?new=1` after booking |
//! | `POST /book/b/{token}/cancel` | cancels (the form's `confirm` box must be ticked) |
//! | `GET /book/b/{token}/move[?day=]`, `POST /book/b/{token}/move` | another day and slot of the same service |
//! | `GET /book/code[?code=]` | where a booking stands by its code (no personal data) |
//!
//! The token in the booking's link is 256 random bits (only its SHA-256 is stored); the short code is
//! for the kiosk and the window, and alone it changes nothing. Every POST must come from this origin
//! (`Origin`/`Referer`, as the staff pages), and POSTs and code lookups are limited per client address
//! (`booking_actions_per_minute`, default 20).

use std::fmt::Write as _;

use axum::{
    Form,
    extract::{Path, Query, State},
    http::{Extensions, HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use chrono::{Datelike as _, NaiveDate, NaiveTime};
use content::BookingState;
use serde::Deserialize;

use super::{esc, url_value};
use crate::{
    booking::{
        self, BookingError, BookingRequest, DayView, ServiceCalendar, SiteCalendar, SlotView,
        local_time,
    },
    state::AppState,
    store::BookingRecord,
};

/// `zh` or `en` text.
pub(crate) fn tr<'a>(en: bool, zh: &'a str, english: &'a str) -> &'a str {
    if en { english } else { zh }
}

const WEEKDAYS_ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `3月3日 周二` / `Tue 3 Mar`.
pub(crate) fn day_label(day: NaiveDate, en: bool) -> String {
    let wd = day.weekday().num_days_from_monday() as usize;
    if en {
        format!(
            "{} {} {}",
            WEEKDAYS_EN[wd],
            day.day(),
            MONTHS_EN[day.month0() as usize]
        )
    } else {
        format!("{}月{}日 {}", day.month(), day.day(), WEEKDAYS_ZH[wd])
    }
}

/// Seats left: `余 2 位` / `2 free`.
fn free_label(free: u32, en: bool) -> String {
    if en {
        format!("{free} free")
    } else {
        format!("余 {free} 位")
    }
}

/// Why a day is closed, shortly.
fn closed_label(closed: booking::Closed, en: bool) -> &'static str {
    match closed {
        booking::Closed::Holiday => tr(en, "节假日", "holiday"),
        booking::Closed::Closure => tr(en, "暂停办公", "closed"),
        booking::Closed::NotOpen(_) => tr(en, "不开放", "no bookings"),
    }
}

/// The days as choices: a link per open day with its seats left, closed and full days greyed.
pub(crate) fn day_choices(
    days: &[DayView],
    en: bool,
    link: impl Fn(NaiveDate) -> String,
) -> String {
    let mut out = String::from("<div class=\"choices days\" id=\"days\">");
    for d in days {
        let label = day_label(d.day, en);
        match d.closed {
            Some(why) => {
                let _ = write!(
                    out,
                    "<span class=\"choice off\">{label}<small>{}</small></span>",
                    closed_label(why, en)
                );
            }
            None if d.free == 0 => {
                let _ = write!(
                    out,
                    "<span class=\"choice off\">{label}<small>{}</small></span>",
                    tr(en, "已约满", "full")
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<a class=\"choice\" href=\"{}\" data-day=\"{}\">{label}<small>{}</small></a>",
                    esc(&link(d.day)),
                    d.day,
                    free_label(d.free, en)
                );
            }
        }
    }
    out.push_str("</div>");
    out
}

/// The slots as choices: a link per bookable slot with its seats left, the others greyed.
pub(crate) fn slot_choices(
    slots: &[SlotView],
    en: bool,
    link: impl Fn(NaiveTime) -> String,
) -> String {
    if slots.is_empty() {
        return format!("<p>{}</p>", tr(en, "当天没有时段。", "No slots that day."));
    }
    let mut out = String::from("<div class=\"choices slots\" id=\"slots\">");
    for s in slots {
        let start = local_time(s.slot.start);
        let label = format!(
            "{}–{}",
            start.format("%H:%M"),
            local_time(s.slot.end).format("%H:%M")
        );
        match s.refused {
            None => {
                let _ = write!(
                    out,
                    "<a class=\"choice\" href=\"{}\" data-slot=\"{}\">{label}<small>{}</small></a>",
                    esc(&link(start)),
                    start.format("%H:%M"),
                    free_label(s.free, en)
                );
            }
            Some(why) => {
                let why = match why {
                    "full" => tr(en, "已约满", "full"),
                    "past" => tr(en, "已过", "passed"),
                    _ => tr(en, "已截止", "closed"),
                };
                let _ = write!(
                    out,
                    "<span class=\"choice off\">{label}<small>{why}</small></span>"
                );
            }
        }
    }
    out.push_str("</div>");
    out
}

/// A public page: the title, a language switch to `switch` (the same page in the other language),
/// and `body`.
fn page(en: bool, title: &str, switch: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · {brand}</title><link rel=\"stylesheet\" href=\"/staff/style.css\"></head>\
         <body class=\"book\"><header><span class=\"brand\">{brand}</span>\
         <a class=\"lang\" id=\"lang\" href=\"{switch}\">{other}</a></header>\
         <main class=\"public book\">{body}</main></body></html>",
        lang = if en { "en" } else { "zh-CN" },
        title = esc(title),
        brand = tr(en, "公共法律服务 · 预约", "Legal services · Booking"),
        switch = esc(switch),
        other = tr(en, "English", "中文"),
    ))
}

fn error_box(err: &BookingError, en: bool) -> String {
    format!(
        "<p class=\"error\" id=\"error\" data-error=\"{}\">{}</p>",
        err.name(),
        esc(&if en { err.en() } else { err.zh() })
    )
}

/// The step query of `GET /book`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct StepQuery {
    site: Option<String>,
    service: Option<String>,
    day: Option<String>,
    slot: Option<String>,
    lang: Option<String>,
}

fn is_en(lang: Option<&str>) -> bool {
    lang == Some("en")
}

/// `/book?…` with these parts (empty ones left out).
fn book_url(parts: &[(&str, &str)], en: bool) -> String {
    let mut url = String::from("/book");
    let mut sep = '?';
    for (name, value) in parts.iter().filter(|(_, v)| !v.is_empty()) {
        let _ = write!(url, "{sep}{name}={}", url_value(value));
        sep = '&';
    }
    if en {
        let _ = write!(url, "{sep}lang=en");
    }
    url
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

/// What the steps chose so far.
struct Chosen<'a> {
    site: &'a SiteCalendar,
    service: &'a ServiceCalendar,
}

/// The form of the last step.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct BookForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    slot: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    lang: String,
}

fn summary(chosen: &Chosen<'_>, day: Option<NaiveDate>, slot: Option<&str>, en: bool) -> String {
    let mut out = format!(
        "<dl class=\"facts chosen\"><dt>{}</dt><dd id=\"chosen-site\">{}</dd><dt>{}</dt><dd id=\"chosen-service\">{}</dd>",
        tr(en, "站点", "Site"),
        esc(&chosen.site.site),
        tr(en, "业务", "Service"),
        esc(chosen.service.name(en))
    );
    if let Some(day) = day {
        let _ = write!(
            out,
            "<dt>{}</dt><dd id=\"chosen-day\">{}</dd>",
            tr(en, "日期", "Day"),
            day_label(day, en)
        );
    }
    if let Some(slot) = slot {
        let _ = write!(
            out,
            "<dt>{}</dt><dd id=\"chosen-slot\">{}</dd>",
            tr(en, "时段", "Time"),
            esc(slot)
        );
    }
    out.push_str("</dl>");
    out
}

fn form_html(chosen: &Chosen<'_>, form: &BookForm, en: bool) -> String {
    let id_field = if chosen.service.needs_id {
        format!(
            "<label for=\"id_number\">{}</label><input id=\"id_number\" name=\"id_number\" \
             inputmode=\"text\" autocomplete=\"off\" maxlength=\"24\" required \
             placeholder=\"{}\"><p class=\"muted\">{}</p>",
            tr(en, "身份证号码", "Resident ID number"),
            tr(en, "18 位", "18 characters"),
            tr(
                en,
                "该业务需要身份证号码；本系统只保存加密后的校验值，页面上只显示部分号码。到场时刷身份证即可签到。",
                "This service needs your ID number; only a keyed check value is kept and the number is \
                 shown masked. At the site, place your ID card on the reader to check in."
            )
        )
    } else {
        String::new()
    };
    format!(
        "<form method=\"post\" action=\"/book\" class=\"book-form\">\
         <input type=\"hidden\" name=\"site\" value=\"{site}\"><input type=\"hidden\" name=\"service\" value=\"{service}\">\
         <input type=\"hidden\" name=\"day\" value=\"{day}\"><input type=\"hidden\" name=\"slot\" value=\"{slot}\">\
         <input type=\"hidden\" name=\"lang\" value=\"{lang}\">\
         <label for=\"name\">{name_label}</label><input id=\"name\" name=\"name\" value=\"{name}\" maxlength=\"32\" required autocomplete=\"name\">\
         <label for=\"phone\">{phone_label}</label><input id=\"phone\" name=\"phone\" value=\"{phone}\" type=\"tel\" inputmode=\"tel\" maxlength=\"20\" required autocomplete=\"tel\" placeholder=\"138 0000 0000\">\
         <p class=\"muted\">{phone_note}</p>{id_field}\
         <button id=\"confirm\">{button}</button></form>",
        site = esc(&form.site),
        service = esc(&form.service),
        day = esc(&form.day),
        slot = esc(&form.slot),
        lang = if en { "en" } else { "zh" },
        name_label = tr(en, "姓名", "Name"),
        name = esc(&form.name),
        phone_label = tr(en, "手机号码", "Mobile number"),
        phone = esc(&form.phone),
        phone_note = tr(en, "用于发送预约提醒短信。", "For the reminder messages."),
        button = tr(en, "确认预约", "Book"),
    )
}

/// `GET /book`: the steps.
pub(super) async fn steps(State(state): State<AppState>, Query(q): Query<StepQuery>) -> Response {
    let en = is_en(q.lang.as_deref());
    let settings = state.bookings();
    let site_name = q.site.clone().unwrap_or_default();
    let service_id = q.service.clone().unwrap_or_default();
    let day_text = q.day.clone().unwrap_or_default();
    let slot_text = q.slot.clone().unwrap_or_default();
    let parts = [
        ("site", site_name.as_str()),
        ("service", service_id.as_str()),
        ("day", day_text.as_str()),
        ("slot", slot_text.as_str()),
    ];
    let switch = book_url(&parts, !en);
    let title = tr(en, "预约办事", "Book a visit");
    // Step 1: the site.
    if site_name.is_empty() {
        let mut body = format!(
            "<h1>{title}</h1><p>{}</p><div class=\"choices\" id=\"sites\">",
            tr(en, "请选择办理地点：", "Choose where:")
        );
        for site in &settings.sites {
            let _ = write!(
                body,
                "<a class=\"choice\" href=\"{}\">{}</a>",
                esc(&book_url(&[("site", &site.site)], en)),
                esc(&site.site)
            );
        }
        if settings.sites.is_empty() {
            let _ = write!(
                body,
                "<p>{}</p>",
                tr(
                    en,
                    "目前没有站点接受网上预约。",
                    "No site takes bookings online yet."
                )
            );
        }
        body.push_str("</div>");
        let _ = write!(
            body,
            "<p class=\"muted\"><a href=\"/book/code{}\">{}</a></p>",
            if en { "?lang=en" } else { "" },
            tr(
                en,
                "查询预约（输入预约码）",
                "Look up a booking by its code"
            )
        );
        return page(en, title, &switch, &body).into_response();
    }
    let Some(site) = settings.site(&site_name) else {
        let body = format!(
            "<h1>{title}</h1>{}<p><a href=\"{}\">{}</a></p>",
            error_box(&BookingError::UnknownSite, en),
            esc(&book_url(&[], en)),
            tr(en, "重新选择站点", "Choose a site")
        );
        return (StatusCode::NOT_FOUND, page(en, title, &switch, &body)).into_response();
    };
    // Step 2: the service.
    if service_id.is_empty() {
        let mut body = format!(
            "<h1>{title}</h1><p class=\"where\">{}</p><p>{}</p><div class=\"choices\" id=\"services\">",
            esc(&site.site),
            tr(en, "请选择业务：", "Choose the service:")
        );
        for service in &site.services {
            let _ = write!(
                body,
                "<a class=\"choice\" href=\"{}\" data-service=\"{}\">{}<small>{} {}{}</small></a>",
                esc(&book_url(
                    &[("site", &site.site), ("service", &service.id)],
                    en
                )),
                esc(&service.id),
                esc(service.name(en)),
                service.slot_minutes,
                tr(en, "分钟/次", "min"),
                if service.needs_id {
                    tr(en, " · 需身份证", " · ID card needed")
                } else {
                    ""
                }
            );
        }
        body.push_str("</div>");
        return page(en, title, &switch, &body).into_response();
    }
    let Some(service) = site.service(&service_id) else {
        let body = format!(
            "<h1>{title}</h1>{}<p><a href=\"{}\">{}</a></p>",
            error_box(&BookingError::UnknownService, en),
            esc(&book_url(&[("site", &site.site)], en)),
            tr(en, "重新选择业务", "Choose a service")
        );
        return (StatusCode::NOT_FOUND, page(en, title, &switch, &body)).into_response();
    };
    let chosen = Chosen { site, service };
    // Step 3: the day.
    if day_text.is_empty() {
        return day_step(&state, &chosen, en, &switch, None).await;
    }
    let Some(day) = parse_day(&day_text) else {
        return day_step(
            &state,
            &chosen,
            en,
            &switch,
            Some(&BookingError::NoSuchSlot),
        )
        .await;
    };
    if let Err(err) = booking::check_day(settings, site, service, day, state.now()) {
        return day_step(&state, &chosen, en, &switch, Some(&err)).await;
    }
    // Step 4: the slot.
    if slot_text.is_empty() {
        return slot_step(&state, &chosen, day, en, &switch, None).await;
    }
    let checked = parse_time(&slot_text)
        .ok_or(BookingError::NoSuchSlot)
        .and_then(|start| booking::check_slot(settings, site, service, day, start, state.now()));
    if let Err(err) = checked {
        return slot_step(&state, &chosen, day, en, &switch, Some(&err)).await;
    }
    // Step 5: the form.
    let form = BookForm {
        site: site.site.clone(),
        service: service.id.clone(),
        day: day.to_string(),
        slot: slot_text.clone(),
        ..BookForm::default()
    };
    let body = format!(
        "<h1>{title}</h1>{}{}",
        summary(&chosen, Some(day), Some(&slot_text), en),
        form_html(&chosen, &form, en)
    );
    page(en, title, &switch, &body).into_response()
}

/// The day step: the bookable days of the chosen service.
async fn day_step(
    state: &AppState,
    chosen: &Chosen<'_>,
    en: bool,
    switch: &str,
    error: Option<&BookingError>,
) -> Response {
    let title = tr(en, "预约办事", "Book a visit");
    let (site, service) = (chosen.site, chosen.service);
    let days = match booking::days(state, site, service).await {
        Ok(days) => days,
        Err(err) => return store_page(&err, en),
    };
    let body = format!(
        "<h1>{title}</h1>{}{}<p>{}</p>{}",
        summary(chosen, None, None, en),
        error.map(|e| error_box(e, en)).unwrap_or_default(),
        tr(en, "请选择日期：", "Choose the day:"),
        day_choices(&days, en, |day| book_url(
            &[
                ("site", &site.site),
                ("service", &service.id),
                ("day", &day.to_string()),
            ],
            en,
        ))
    );
    let status = error.map_or(StatusCode::OK, BookingError::status);
    (status, page(en, title, switch, &body)).into_response()
}

/// The slot step: the slots of the chosen day.
async fn slot_step(
    state: &AppState,
    chosen: &Chosen<'_>,
    day: NaiveDate,
    en: bool,
    switch: &str,
    error: Option<&BookingError>,
) -> Response {
    let title = tr(en, "预约办事", "Book a visit");
    let (site, service) = (chosen.site, chosen.service);
    let slots = match booking::slots(state, site, service, day).await {
        Ok(slots) => slots,
        Err(err) => return store_page(&err, en),
    };
    let body = format!(
        "<h1>{title}</h1>{}{}<p>{}</p>{}<p><a href=\"{}\">{}</a></p>",
        summary(chosen, Some(day), None, en),
        error.map(|e| error_box(e, en)).unwrap_or_default(),
        tr(en, "请选择时段：", "Choose the time:"),
        slot_choices(&slots, en, |start| book_url(
            &[
                ("site", &site.site),
                ("service", &service.id),
                ("day", &day.to_string()),
                ("slot", &start.format("%H:%M").to_string()),
            ],
            en,
        )),
        esc(&book_url(
            &[("site", &site.site), ("service", &service.id)],
            en
        )),
        tr(en, "换一天", "Another day")
    );
    let status = error.map_or(StatusCode::OK, BookingError::status);
    (status, page(en, title, switch, &body)).into_response()
}

fn store_page(err: &BookingError, en: bool) -> Response {
    let body = format!(
        "<h1>{}</h1>{}",
        tr(en, "预约办事", "Book a visit"),
        error_box(err, en)
    );
    (err.status(), page(en, "", "/book", &body)).into_response()
}

/// The refusal when this client address made too many booking actions this minute.
fn limited(state: &AppState, extensions: &Extensions, en: bool) -> Option<Response> {
    let web = state.web();
    let ip = super::public_lookup::client_ip(extensions);
    web.booking_limiter
        .check(ip, state.now(), web.settings.booking_actions_per_minute)
        .err()
        .map(|secs| {
            let body = format!(
                "<h1>{}</h1><p class=\"error\" id=\"error\" data-error=\"too_many\">{}</p>",
                tr(en, "预约办事", "Book a visit"),
                tr(
                    en,
                    "操作过于频繁，请一分钟后再试。",
                    "Too many requests: try again in a minute."
                )
            );
            let mut response =
                (StatusCode::TOO_MANY_REQUESTS, page(en, "", "/book", &body)).into_response();
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        })
}

/// The refusal of a POST from another origin.
fn refuse_origin(headers: &HeaderMap, en: bool) -> Option<Response> {
    super::session::check_origin(headers).err().map(|err| {
        let body = format!(
            "<h1>{}</h1><p class=\"error\" id=\"error\">{}</p>",
            tr(en, "预约办事", "Book a visit"),
            tr(
                en,
                "请从本站的预约页面提交。",
                "Please submit from this site's booking page."
            )
        );
        tracing::debug!("booking POST refused: {err:?}");
        (StatusCode::FORBIDDEN, page(en, "", "/book", &body)).into_response()
    })
}

/// `POST /book`.
pub(super) async fn submit(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    Form(form): Form<BookForm>,
) -> Response {
    let en = form.lang == "en";
    if let Some(response) = refuse_origin(&headers, en) {
        return response;
    }
    if let Some(response) = limited(&state, &extensions, en) {
        return response;
    }
    let settings = state.bookings();
    let title = tr(en, "预约办事", "Book a visit");
    let found = booking::find(settings, &form.site, &form.service);
    let (site, service) = match found {
        Ok(pair) => pair,
        Err(err) => return store_page(&err, en),
    };
    let chosen = Chosen { site, service };
    let again = |err: &BookingError| {
        let day = parse_day(&form.day);
        let kept = BookForm {
            id_number: String::new(),
            ..form.clone()
        };
        let body = format!(
            "<h1>{title}</h1>{}{}{}<p><a id=\"other-slot\" href=\"{}\">{}</a></p>",
            summary(&chosen, day, Some(&form.slot), en),
            error_box(err, en),
            form_html(&chosen, &kept, en),
            esc(&book_url(
                &[
                    ("site", &site.site),
                    ("service", &service.id),
                    ("day", &form.day)
                ],
                en
            )),
            tr(en, "选择其他时段", "Choose another slot")
        );
        let switch = book_url(
            &[
                ("site", &site.site),
                ("service", &service.id),
                ("day", &form.day),
                ("slot", &form.slot),
            ],
            !en,
        );
        (err.status(), page(en, title, &switch, &body)).into_response()
    };
    let (Some(day), Some(start)) = (parse_day(&form.day), parse_time(&form.slot)) else {
        return again(&BookingError::NoSuchSlot);
    };
    let request = BookingRequest {
        site: form.site.clone(),
        service: form.service.clone(),
        day,
        start,
        name: form.name.clone(),
        phone: form.phone.clone(),
        id_number: form.id_number.clone(),
    };
    match booking::book(&state, request, booking::CITIZEN, false).await {
        Ok(booked) => {
            tracing::info!(
                "booking {} made for {} {} {}",
                booked.record.code,
                booked.record.site,
                booked.record.service,
                booked.record.start
            );
            Redirect::to(&format!(
                "/book/b/{}?new=1{}",
                booked.manage_token,
                if en { "&lang=en" } else { "" }
            ))
            .into_response()
        }
        Err(BookingError::Store(err)) => {
            tracing::error!("storage: {err}");
            again(&BookingError::Store(err))
        }
        Err(err) => again(&err),
    }
}

/// The booking's details, for its page.
fn details(state: &AppState, record: &BookingRecord, en: bool) -> String {
    let service = state
        .bookings()
        .site(&record.site)
        .and_then(|s| s.service(&record.service))
        .map_or_else(|| record.service.clone(), |s| s.name(en).to_owned());
    let mut out = format!(
        "<dl class=\"facts\"><dt>{}</dt><dd id=\"b-site\">{}</dd><dt>{}</dt><dd id=\"b-service\">{}</dd>\
         <dt>{}</dt><dd id=\"b-time\">{} {}–{}</dd><dt>{}</dt><dd id=\"b-name\">{}</dd>\
         <dt>{}</dt><dd id=\"b-phone\">{}</dd>",
        tr(en, "站点", "Site"),
        esc(&record.site),
        tr(en, "业务", "Service"),
        esc(&service),
        tr(en, "时间", "Time"),
        day_label(record.day, en),
        local_time(record.start).format("%H:%M"),
        local_time(record.end).format("%H:%M"),
        tr(en, "姓名", "Name"),
        esc(&content::booking::mask_name(&record.name)),
        tr(en, "手机", "Mobile"),
        esc(&content::booking::mask_phone(&record.phone)),
    );
    if let Some(id) = &record.id_masked {
        let _ = write!(
            out,
            "<dt>{}</dt><dd id=\"b-id\">{}</dd>",
            tr(en, "身份证", "ID number"),
            esc(id)
        );
    }
    let _ = write!(
        out,
        "<dt>{}</dt><dd id=\"b-state\" data-state=\"{}\">{}</dd></dl>",
        tr(en, "状态", "State"),
        record.state.as_str(),
        if en {
            record.state.en()
        } else {
            record.state.zh()
        }
    );
    out
}

/// The plain notice of repeated no-shows.
pub(crate) fn no_show_notice(record: &BookingRecord, en: bool) -> String {
    format!(
        "<p class=\"notice\" id=\"no-show-notice\">{}</p>",
        if en {
            format!(
                "Please note: you did not come to {} earlier bookings and did not cancel them. This \
                 booking is confirmed all the same; if you cannot come, please cancel it so that \
                 someone else can have the slot.",
                record.no_shows_before
            )
        } else {
            format!(
                "请注意：您此前有 {} 次预约既未到场也未取消。本次预约仍然有效；如不能前来，请提前取消，\
                 把时段留给其他群众。",
                record.no_shows_before
            )
        }
    )
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ManageQuery {
    lang: Option<String>,
    new: Option<String>,
    day: Option<String>,
}

fn unknown_link(en: bool) -> Response {
    let body = format!(
        "<h1>{}</h1>{}<p><a href=\"/book{}\">{}</a></p>",
        tr(en, "预约办事", "Book a visit"),
        error_box(&BookingError::UnknownCode, en),
        if en { "?lang=en" } else { "" },
        tr(en, "重新预约", "Make a booking")
    );
    (StatusCode::NOT_FOUND, page(en, "", "/book", &body)).into_response()
}

fn manage_url(token: &str, tail: &str, en: bool) -> String {
    format!("/book/b/{token}{tail}{}", if en { "?lang=en" } else { "" })
}

/// The booking's page (also the done page).
fn manage_page(
    state: &AppState,
    token: &str,
    record: &BookingRecord,
    en: bool,
    new: bool,
    message: Option<(StatusCode, String)>,
) -> Response {
    let title = tr(en, "我的预约", "My booking");
    let mut body = String::new();
    if new {
        let _ = write!(
            body,
            "<p class=\"done\" id=\"done\">{}</p>",
            tr(en, "预约成功！", "Booked!")
        );
    }
    let _ = write!(body, "<h1>{title}</h1>");
    if let Some((_, html)) = &message {
        body.push_str(html);
    }
    let active = record.state == BookingState::Booked;
    if active
        || matches!(
            record.state,
            BookingState::CheckedIn | BookingState::LateWalkIn
        )
    {
        let qr = booking::qr::svg(
            &content::booking::qr_text(&record.code),
            240,
            &format!("{} {}", tr(en, "预约码", "Booking code"), record.code),
        )
        .unwrap_or_default();
        let _ = write!(
            body,
            "<div class=\"ticket\"><p class=\"muted\">{}</p><p class=\"code\" id=\"code\">{}</p>{qr}\
             <p class=\"muted\">{}</p></div>",
            tr(en, "预约码", "Booking code"),
            esc(&record.code),
            tr(
                en,
                "到场后在取号机上扫描此二维码或输入预约码签到。",
                "At the site, scan this QR code at the ticket machine, or type the code, to check in."
            )
        );
    } else {
        let _ = write!(
            body,
            "<p class=\"code off\" id=\"code\">{}</p>",
            esc(&record.code)
        );
    }
    if booking::no_show_notice(state.bookings(), record) && active {
        body.push_str(&no_show_notice(record, en));
    }
    body.push_str(&details(state, record, en));
    if active && record.start > state.now() {
        let _ = write!(
            body,
            "<p class=\"muted\">{}</p>\
             <p><a class=\"choice\" id=\"move\" href=\"{}\">{}</a></p>\
             <form method=\"post\" action=\"/book/b/{token}/cancel\" class=\"cancel\">\
             <input type=\"hidden\" name=\"lang\" value=\"{}\">\
             <label class=\"check\"><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required id=\"confirm-cancel\"> {}</label>\
             <button id=\"cancel\" class=\"secondary\">{}</button></form>",
            tr(
                en,
                "请收藏本页：凭本页链接可以改约或取消。不要把链接发给他人。",
                "Bookmark this page: its link lets you move or cancel the booking. Do not share it."
            ),
            esc(&manage_url(token, "/move", en)),
            tr(en, "改约（换日期或时段）", "Move to another day or time"),
            if en { "en" } else { "zh" },
            tr(en, "我确认取消这个预约", "Yes, cancel this booking"),
            tr(en, "取消预约", "Cancel the booking"),
        );
    }
    let _ = write!(
        body,
        "<p><a href=\"/book{}\">{}</a></p>",
        if en { "?lang=en" } else { "" },
        tr(en, "再预约一个", "Make another booking")
    );
    let switch = manage_url(token, "", !en);
    let status = message.map_or(StatusCode::OK, |(s, _)| s);
    let mut response = (status, page(en, title, &switch, &body)).into_response();
    // The page's address is the token: never indexed.
    response
        .headers_mut()
        .insert("x-robots-tag", HeaderValue::from_static("noindex"));
    response
}

/// `GET /book/b/{token}`.
pub(super) async fn manage(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<ManageQuery>,
) -> Response {
    let en = is_en(q.lang.as_deref());
    match linked_booking(&state, &token, en).await {
        Ok(record) => manage_page(&state, &token, &record, en, q.new.is_some(), None),
        Err(page) => page,
    }
}

/// The booking behind a manage link, or the page saying why there is none.
async fn linked_booking(
    state: &AppState,
    token: &str,
    en: bool,
) -> Result<BookingRecord, Response> {
    booking::by_token(state, token)
        .await
        .map_err(|err| match err {
            BookingError::UnknownCode => unknown_link(en),
            err => store_page(&err, en),
        })
}

/// The booking a manage link's form posts to: from the centre's own pages, within the address's
/// budget, and a booking the link knows; otherwise the page saying why not.
async fn posted_booking(
    state: &AppState,
    extensions: &Extensions,
    headers: &HeaderMap,
    token: &str,
    en: bool,
) -> Result<BookingRecord, Response> {
    if let Some(response) = refuse_origin(headers, en) {
        return Err(response);
    }
    if let Some(response) = limited(state, extensions, en) {
        return Err(response);
    }
    linked_booking(state, token, en).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CancelForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /book/b/{token}/cancel`.
pub(super) async fn cancel(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<CancelForm>,
) -> Response {
    let en = form.lang == "en";
    let record = match posted_booking(&state, &extensions, &headers, &token, en).await {
        Ok(record) => record,
        Err(page) => return page,
    };
    if form.confirm != "yes" {
        let message = format!(
            "<p class=\"error\" id=\"error\">{}</p>",
            tr(
                en,
                "请勾选“确认取消”后再提交。",
                "Tick the box to confirm the cancellation."
            )
        );
        return manage_page(
            &state,
            &token,
            &record,
            en,
            false,
            Some((StatusCode::BAD_REQUEST, message)),
        );
    }
    match booking::cancel(&state, &record, None).await {
        Ok(after) => {
            let message = format!(
                "<p class=\"done\" id=\"cancelled\">{}</p>",
                tr(en, "预约已取消。", "The booking is cancelled.")
            );
            manage_page(
                &state,
                &token,
                &after,
                en,
                false,
                Some((StatusCode::OK, message)),
            )
        }
        Err(err) => {
            let status = err.status();
            manage_page(
                &state,
                &token,
                &record,
                en,
                false,
                Some((status, error_box(&err, en))),
            )
        }
    }
}

/// `GET /book/b/{token}/move[?day=]`.
pub(super) async fn move_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<ManageQuery>,
) -> Response {
    let en = is_en(q.lang.as_deref());
    let record = match linked_booking(&state, &token, en).await {
        Ok(record) => record,
        Err(page) => return page,
    };
    move_page(&state, &token, &record, q.day.as_deref(), en, None).await
}

async fn move_page(
    state: &AppState,
    token: &str,
    record: &BookingRecord,
    day: Option<&str>,
    en: bool,
    error: Option<&BookingError>,
) -> Response {
    let title = tr(en, "改约", "Move the booking");
    let settings = state.bookings();
    let (site, service) = match booking::find(settings, &record.site, &record.service) {
        Ok(pair) => pair,
        Err(err) => return store_page(&err, en),
    };
    let lang_tail = if en { "&lang=en" } else { "" };
    let back = format!(
        "<p><a href=\"{}\">{}</a></p>",
        esc(&manage_url(token, "", en)),
        tr(en, "返回我的预约", "Back to my booking")
    );
    let current = format!(
        "<p>{} <strong>{} {}</strong></p>",
        tr(en, "现在的时段：", "Now:"),
        day_label(record.day, en),
        local_time(record.start).format("%H:%M")
    );
    let error_html = error.map(|e| error_box(e, en)).unwrap_or_default();
    let status = error.map_or(StatusCode::OK, BookingError::status);
    let switch = format!(
        "/book/b/{token}/move?{}{}",
        day.map(|d| format!("day={}&", url_value(d)))
            .unwrap_or_default(),
        if en { "" } else { "lang=en" }
    );
    if let Err(err) = booking::changeable(record, state.now()) {
        let body = format!("<h1>{title}</h1>{}{back}", error_box(&err, en));
        return (err.status(), page(en, title, &switch, &body)).into_response();
    }
    let chosen_day = day.and_then(parse_day);
    let Some(day) =
        chosen_day.filter(|d| booking::check_day(settings, site, service, *d, state.now()).is_ok())
    else {
        let day_error = match (day, chosen_day) {
            (Some(_), None) => Some(BookingError::NoSuchSlot),
            (_, Some(d)) => booking::check_day(settings, site, service, d, state.now()).err(),
            _ => None,
        };
        let days = match booking::days(state, site, service).await {
            Ok(days) => days,
            Err(err) => return store_page(&err, en),
        };
        let body = format!(
            "<h1>{title}</h1>{current}{error_html}{}<p>{}</p>{}{back}",
            day_error
                .as_ref()
                .map(|e| error_box(e, en))
                .unwrap_or_default(),
            tr(en, "请选择新的日期：", "Choose the new day:"),
            day_choices(&days, en, |d| format!(
                "/book/b/{token}/move?day={d}{lang_tail}"
            ))
        );
        let status = day_error.as_ref().map_or(status, BookingError::status);
        return (status, page(en, title, &switch, &body)).into_response();
    };
    let slots = match booking::slots(state, site, service, day).await {
        Ok(slots) => slots,
        Err(err) => return store_page(&err, en),
    };
    let mut buttons = String::from("<div class=\"choices slots\" id=\"slots\">");
    for s in &slots {
        let start = local_time(s.slot.start).format("%H:%M");
        if s.refused.is_none() {
            let _ = write!(
                buttons,
                "<button class=\"choice\" name=\"slot\" value=\"{start}\" data-slot=\"{start}\">{start}–{}<small>{}</small></button>",
                local_time(s.slot.end).format("%H:%M"),
                free_label(s.free, en)
            );
        } else {
            let _ = write!(
                buttons,
                "<span class=\"choice off\">{start}<small>{}</small></span>",
                tr(en, "不可选", "unavailable")
            );
        }
    }
    buttons.push_str("</div>");
    let body = format!(
        "<h1>{title}</h1>{current}{error_html}<p>{} {}</p>\
         <form method=\"post\" action=\"/book/b/{token}/move\"><input type=\"hidden\" name=\"day\" value=\"{day}\">\
         <input type=\"hidden\" name=\"lang\" value=\"{}\">{buttons}</form>\
         <p><a href=\"/book/b/{token}/move?{}\">{}</a></p>{back}",
        tr(en, "新的日期：", "New day:"),
        day_label(day, en),
        if en { "en" } else { "zh" },
        if en { "lang=en" } else { "" },
        tr(en, "换一天", "Another day"),
    );
    (status, page(en, title, &switch, &body)).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct MoveForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    slot: String,
    #[serde(default)]
    lang: String,
}

/// `POST /book/b/{token}/move`.
pub(super) async fn move_submit(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<MoveForm>,
) -> Response {
    let en = form.lang == "en";
    let record = match posted_booking(&state, &extensions, &headers, &token, en).await {
        Ok(record) => record,
        Err(page) => return page,
    };
    let (Some(day), Some(start)) = (parse_day(&form.day), parse_time(&form.slot)) else {
        return move_page(
            &state,
            &token,
            &record,
            Some(&form.day),
            en,
            Some(&BookingError::NoSuchSlot),
        )
        .await;
    };
    match booking::move_to(&state, &record, day, start, None).await {
        Ok(after) => {
            let message = format!(
                "<p class=\"done\" id=\"moved\">{}</p>",
                tr(en, "已改约到新的时段。", "The booking is moved.")
            );
            manage_page(
                &state,
                &token,
                &after,
                en,
                false,
                Some((StatusCode::OK, message)),
            )
        }
        Err(err) => move_page(&state, &token, &record, Some(&form.day), en, Some(&err)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CodeQuery {
    code: Option<String>,
    lang: Option<String>,
}

/// `GET /book/code[?code=]`: where a booking stands, by its code. No personal data.
pub(super) async fn by_code(
    State(state): State<AppState>,
    extensions: Extensions,
    Query(q): Query<CodeQuery>,
) -> Response {
    let en = is_en(q.lang.as_deref());
    let title = tr(en, "查询预约", "Look up a booking");
    let code = q.code.clone().unwrap_or_default();
    let switch = format!(
        "/book/code?code={}{}",
        url_value(&code),
        if en { "" } else { "&lang=en" }
    );
    let form = format!(
        "<form method=\"get\" action=\"/book/code\"><label for=\"code\">{}</label>\
         <input id=\"code-input\" name=\"code\" value=\"{}\" placeholder=\"B-XXXX-XXXX\" autocapitalize=\"characters\" required>\
         <input type=\"hidden\" name=\"lang\" value=\"{}\"><button id=\"lookup\">{}</button></form>",
        tr(en, "预约码", "Booking code"),
        esc(&code),
        if en { "en" } else { "zh" },
        tr(en, "查询", "Look up")
    );
    if code.is_empty() {
        let body = format!("<h1>{title}</h1>{form}");
        return page(en, title, &switch, &body).into_response();
    }
    if let Some(response) = limited(&state, &extensions, en) {
        return response;
    }
    match booking::by_code(&state, &code).await {
        Ok(record) => {
            let service = state
                .bookings()
                .site(&record.site)
                .and_then(|s| s.service(&record.service))
                .map_or_else(|| record.service.clone(), |s| s.name(en).to_owned());
            let cancelled = if record.state == BookingState::Cancelled {
                error_box(&BookingError::Cancelled, en)
            } else {
                String::new()
            };
            let body = format!(
                "<h1>{title}</h1>{form}<div class=\"card\" id=\"result\">{cancelled}<p class=\"code\">{}</p>\
                 <p class=\"status\" id=\"status\" data-state=\"{}\">{}</p>\
                 <p>{} · {}<br>{} {}</p></div>",
                esc(&record.code),
                record.state.as_str(),
                if en {
                    record.state.en()
                } else {
                    record.state.zh()
                },
                esc(&record.site),
                esc(&service),
                day_label(record.day, en),
                local_time(record.start).format("%H:%M"),
            );
            page(en, title, &switch, &body).into_response()
        }
        Err(err) => {
            let body = format!("<h1>{title}</h1>{form}{}", error_box(&err, en));
            (err.status(), page(en, title, &switch, &body)).into_response()
        }
    }
}
