//! `GET /api/v1/bookings/today[?day=YYYY-MM-DD]`: the day's bookings of the device's site
//! ([`content::SiteBookings`]), for its queue host's check-in. The device's token decides the site
//! (`Authorization: Bearer`); the day defaults to the centre's local today. A strong `ETag` over the
//! list (not its generation time): `If-None-Match` with it answers `304` without a body while
//! nothing changed, so a host polling every 20–30 s costs one small query and a header.

use axum::{
    Json,
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;

use super::{ApiError, AppState, outbox::authenticate};

pub(super) async fn today(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let device = authenticate(&state, &headers).await?;
    let mut day = None;
    for pair in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "day" if day.is_none() => {
                day = Some(value.parse::<NaiveDate>().map_err(|_| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        format!("day: {value:?} is not a date YYYY-MM-DD"),
                    )
                })?);
            }
            "day" => {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, "day: given twice"));
            }
            other => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("unknown parameter {other:?} (only day=YYYY-MM-DD)"),
                ));
            }
        }
    }
    let day = day.unwrap_or_else(|| crate::calendar::local_date(state.now()));
    let (list, etag) = crate::booking::site_bookings(&state, &device.site, day).await?;
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == etag || tag.trim() == "*");
    let tag = HeaderValue::from_str(&etag).expect("a hex entity tag is a header value");
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Json(list).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, tag);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}
