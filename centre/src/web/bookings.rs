//! `GET /staff/bookings`: a day's bookings of a site (a manager sees only their own), with a form to
//! book for a citizen (the 12348 hotline, a window) and a button to cancel; `POST /staff/bookings`
//! books (audited `booking_create`), `POST /staff/bookings/{code}/cancel` cancels (audited
//! `booking_cancel`). The same rules as the citizen's pages (`crate::booking`).

use std::fmt::Write as _;

use axum::{
    Form,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use chrono::{NaiveDate, NaiveTime};
use content::BookingState;
use serde::Deserialize;

use super::{Nav, StaffUser, WebError, esc, layout, table, url_value};
use crate::{
    booking::{self, BookingError, BookingRequest, local_time},
    state::AppState,
    store::BookingFilter,
};

/// Bookings listed at most.
const SHOWN: u32 = 2000;

#[derive(Debug, Default, Deserialize)]
pub(super) struct PageQuery {
    site: Option<String>,
    day: Option<String>,
    service: Option<String>,
}

/// The site this user works on: a manager's own; else the one asked for, or the first bookable.
fn site_for(state: &AppState, user: &StaffUser, asked: Option<&str>) -> Option<String> {
    if let Some(own) = &user.site {
        return Some(own.clone());
    }
    let settings = state.bookings();
    asked
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .or_else(|| settings.sites.first().map(|s| s.site.clone()))
}

/// `GET /staff/bookings`.
pub(super) async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let day = q
        .day
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| crate::calendar::local_date(state.now()));
    let site = site_for(&state, &user, q.site.as_deref());
    let body = render(
        &state,
        &user,
        site.as_deref(),
        day,
        q.service.as_deref(),
        None,
    )
    .await?;
    Ok(layout(&user, Nav::Bookings, "预约 Bookings", &body).into_response())
}

/// The page's body: the filter, the day's list, the booking form; `notice` (HTML) on top.
async fn render(
    state: &AppState,
    user: &StaffUser,
    site: Option<&str>,
    day: NaiveDate,
    service: Option<&str>,
    notice: Option<&str>,
) -> Result<String, WebError> {
    let settings = state.bookings();
    let mut body = String::from("<h1>预约 Bookings</h1>");
    if let Some(notice) = notice {
        body.push_str(notice);
    }
    // The filter: site (a manager has only theirs) and day.
    let mut sites = String::new();
    for s in settings.sites.iter().filter(|s| user.may_see(&s.site)) {
        let selected = if Some(s.site.as_str()) == site {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            sites,
            "<option value=\"{0}\"{selected}>{0}</option>",
            esc(&s.site)
        );
    }
    let _ = write!(
        body,
        "<form method=\"get\" action=\"/staff/bookings\" class=\"inline\" id=\"filter\">\
         <label for=\"f-site\">站点 Site</label><select id=\"f-site\" name=\"site\">{sites}</select>\
         <label for=\"f-day\">日期 Day</label><input id=\"f-day\" type=\"date\" name=\"day\" value=\"{day}\">\
         <button>查看 Show</button></form>"
    );
    let Some(site) = site
        .and_then(|s| settings.site(s))
        .filter(|s| user.may_see(&s.site))
    else {
        body.push_str("<p class=\"muted\">没有接受预约的站点。No site takes bookings.</p>");
        return Ok(body);
    };
    let records = state
        .store()
        .bookings(BookingFilter {
            site: Some(site.site.clone()),
            from: day,
            to: day,
            limit: SHOWN,
        })
        .await?;
    let now = state.now();
    let rows: Vec<(String, Vec<String>)> = records
        .iter()
        .map(|r| {
            let service = site
                .service(&r.service)
                .map_or_else(|| r.service.clone(), |s| s.name_zh.clone());
            let action = if r.state == BookingState::Booked && r.start > now {
                format!(
                    "<form class=\"inline\" method=\"post\" action=\"/staff/bookings/{code}/cancel\">{csrf}\
                     <button class=\"secondary\" id=\"cancel-{code}\">取消 Cancel</button></form>",
                    code = esc(&r.code),
                    csrf = user.csrf_field()
                )
            } else {
                String::new()
            };
            (
                format!("state-{}", r.state.as_str()),
                vec![
                    format!(
                        "{}–{}",
                        local_time(r.start).format("%H:%M"),
                        local_time(r.end).format("%H:%M")
                    ),
                    esc(&service),
                    format!("<span class=\"code\">{}</span>", esc(&r.code)),
                    esc(&content::booking::mask_name(&r.name)),
                    esc(&content::booking::mask_phone(&r.phone)),
                    esc(r.id_masked.as_deref().unwrap_or("-")),
                    format!("{} {}", r.state.zh(), r.state.en()),
                    esc(r.ticket.as_deref().unwrap_or("-")),
                    esc(if r.created_by == booking::CITIZEN {
                        "群众 Citizen"
                    } else {
                        &r.created_by
                    }),
                    action,
                ],
            )
        })
        .collect();
    let booked = records
        .iter()
        .filter(|r| r.state == BookingState::Booked)
        .count();
    let _ = write!(
        body,
        "<h2>{} {} · {} 条 bookings ({} 待到 expected)</h2>{}",
        esc(&site.site),
        day,
        records.len(),
        booked,
        table(
            &[
                "时段 Slot",
                "业务 Service",
                "预约码 Code",
                "姓名 Name",
                "手机 Mobile",
                "身份证 ID",
                "状态 State",
                "票号 Ticket",
                "预约人 Made by",
                "",
            ],
            &rows
        )
    );
    // Booking for a citizen: the service, then the slot and the person.
    let _ = write!(
        body,
        "<h2 id=\"book-for\">为群众预约 Book for a citizen</h2>\
         <form method=\"get\" action=\"/staff/bookings#book-for\" class=\"inline\">\
         <input type=\"hidden\" name=\"site\" value=\"{}\"><input type=\"hidden\" name=\"day\" value=\"{day}\">\
         <label for=\"b-service\">业务 Service</label><select id=\"b-service\" name=\"service\">",
        esc(&site.site)
    );
    for s in &site.services {
        let selected = if Some(s.id.as_str()) == service {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            body,
            "<option value=\"{}\"{selected}>{} {}</option>",
            esc(&s.id),
            esc(&s.name_zh),
            esc(&s.name_en)
        );
    }
    body.push_str("</select><button id=\"choose-service\">选择时段 Choose a slot</button></form>");
    if let Some(service) = service.and_then(|id| site.service(id)) {
        match booking::check_day(settings, site, service, day, now) {
            Err(err) => {
                let _ = write!(
                    body,
                    "<p class=\"error\">{} {}</p>",
                    esc(&err.zh()),
                    esc(&err.en())
                );
            }
            Ok(()) => {
                let slots =
                    booking::slots(state, site, service, day)
                        .await
                        .map_err(|err| match err {
                            BookingError::Store(err) => WebError::from(err),
                            other => WebError::bad_request(other.en()),
                        })?;
                let mut options = String::new();
                for s in slots.iter().filter(|s| s.refused.is_none()) {
                    let start = local_time(s.slot.start).format("%H:%M");
                    let _ = write!(
                        options,
                        "<option value=\"{start}\">{start}–{} (余 {} free)</option>",
                        local_time(s.slot.end).format("%H:%M"),
                        s.free
                    );
                }
                if options.is_empty() {
                    body.push_str(
                        "<p class=\"warn\">当天没有可预约的时段。No slot left that day.</p>",
                    );
                } else {
                    let id_field = if service.needs_id {
                        "<label for=\"s-id\">身份证号码 ID number</label>\
                         <input id=\"s-id\" name=\"id_number\" maxlength=\"24\" required autocomplete=\"off\">"
                    } else {
                        ""
                    };
                    let _ = write!(
                        body,
                        "<form method=\"post\" action=\"/staff/bookings\" class=\"card\" id=\"staff-book\">{csrf}\
                         <input type=\"hidden\" name=\"site\" value=\"{site}\"><input type=\"hidden\" name=\"service\" value=\"{service}\">\
                         <input type=\"hidden\" name=\"day\" value=\"{day}\">\
                         <label for=\"s-slot\">时段 Slot ({day})</label><select id=\"s-slot\" name=\"slot\">{options}</select>\
                         <label for=\"s-name\">姓名 Name</label><input id=\"s-name\" name=\"name\" maxlength=\"32\" required>\
                         <label for=\"s-phone\">手机号码 Mobile</label><input id=\"s-phone\" name=\"phone\" maxlength=\"20\" required>\
                         {id_field}<p><button id=\"staff-confirm\">预约 Book</button></p></form>",
                        csrf = user.csrf_field(),
                        site = esc(&site.site),
                        service = esc(&service.id),
                    );
                }
            }
        }
    }
    Ok(body)
}

#[derive(Debug, Deserialize)]
pub(super) struct CreateForm {
    csrf: String,
    site: String,
    service: String,
    day: String,
    slot: String,
    name: String,
    phone: String,
    #[serde(default)]
    id_number: String,
}

/// `POST /staff/bookings`.
pub(super) async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    user.check_post(&headers, &form.csrf)?;
    if !user.may_see(&form.site) {
        return Err(WebError::not_found());
    }
    let day = NaiveDate::parse_from_str(&form.day, "%Y-%m-%d")
        .map_err(|_| WebError::bad_request("日期不正确 Not a day YYYY-MM-DD"))?;
    let start = NaiveTime::parse_from_str(&form.slot, "%H:%M")
        .map_err(|_| WebError::bad_request("时段不正确 Not a time HH:MM"))?;
    let request = BookingRequest {
        site: form.site.clone(),
        service: form.service.clone(),
        day,
        start,
        name: form.name,
        phone: form.phone,
        id_number: form.id_number,
    };
    let outcome = booking::book(&state, request, &user.user, true).await;
    let (status, notice) = match outcome {
        Ok(booked) => {
            let r = &booked.record;
            let qr = booking::qr::svg(
                &content::booking::qr_text(&r.code),
                160,
                &format!("预约码 Booking code {}", r.code),
            )
            .unwrap_or_default();
            let warning = if booking::no_show_notice(state.bookings(), r) {
                super::book::no_show_notice(r, false)
            } else {
                String::new()
            };
            (
                StatusCode::CREATED,
                format!(
                    "<div class=\"card\" id=\"booked\"><p class=\"ok\">已预约 Booked: \
                     <strong class=\"code\" id=\"booked-code\">{code}</strong> · {time}</p>{qr}{warning}\
                     <p>请告知群众预约码和下面的管理链接（可发短信），凭链接可改约或取消：Give the citizen the \
                     code and this link, which moves or cancels the booking:</p>\
                     <p><code id=\"manage-link\">/book/b/{token}</code></p></div>",
                    code = esc(&r.code),
                    time = format_args!("{} {}", r.day, local_time(r.start).format("%H:%M")),
                    token = booked.manage_token,
                ),
            )
        }
        Err(BookingError::Store(err)) => return Err(err.into()),
        Err(err) => (
            err.status(),
            format!(
                "<p class=\"error\" id=\"error\" data-error=\"{}\">{} {}</p>",
                err.name(),
                esc(&err.zh()),
                esc(&err.en())
            ),
        ),
    };
    let body = render(
        &state,
        &user,
        Some(&form.site),
        day,
        Some(&form.service),
        Some(&notice),
    )
    .await?;
    Ok((status, layout(&user, Nav::Bookings, "预约 Bookings", &body)).into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct CancelForm {
    csrf: String,
}

/// `POST /staff/bookings/{code}/cancel`.
pub(super) async fn cancel(
    State(state): State<AppState>,
    user: StaffUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(form): Form<CancelForm>,
) -> Result<Response, WebError> {
    user.check_post(&headers, &form.csrf)?;
    let record = match booking::by_code(&state, &code).await {
        Ok(record) if user.may_see(&record.site) => record,
        Ok(_) | Err(BookingError::UnknownCode) => return Err(WebError::not_found()),
        Err(BookingError::Store(err)) => return Err(err.into()),
        Err(err) => return Err(WebError::bad_request(err.en())),
    };
    match booking::cancel(&state, &record, Some(&user.user)).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/staff/bookings?site={}&day={}",
            url_value(&record.site),
            record.day
        ))
        .into_response()),
        Err(BookingError::Store(err)) => Err(err.into()),
        Err(err) => Err(WebError::new(
            err.status(),
            format!("{} {}", err.zh(), err.en()),
        )),
    }
}
