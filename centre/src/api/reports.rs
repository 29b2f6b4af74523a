//! The reports' routes: `GET /api/v1/reports/{tickets,complaints,ratings,surveys,calls}` (JSON; tickets
//! also CSV) and the staff page `GET /staff/reports`.
//!
//! Who may read them: a staff session (`Authorization: Bearer <session token>` as the staff API
//! takes it, or the web app's session cookie, so the page's CSV links work in a browser), or a
//! read-only API token of the configuration's `[[api_tokens]]` (for the district's other systems),
//! which is valid for these `GET /api/v1/reports/…` routes only: anywhere else it is an unknown
//! credential (401). A manager sees only their own site.

use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware,
    response::{Html, IntoResponse, Response},
    routing::get,
};
use chrono::Duration;
use serde::Serialize;

use super::{ApiError, AppState, staff};
use crate::{
    auth::{bearer_token, token_sha256},
    report::{
        Format, QueryError, ReportQuery, TicketReportRow, combine,
        csv_file::{file_name, tickets_csv},
        page::{self, PageData},
        summary::{
            ComplaintReportRow, RatingReportRow, RatingStaffRow, SurveyReport, complaint_rows,
            rating_rows, rating_staff_rows, survey_report,
        },
    },
    store::{ReportFilter, report::local_day},
    web::{Nav, StaffUser, WebError, layout},
};

/// Who is reading a report.
#[derive(Debug, Clone)]
pub enum ReportCaller {
    /// A logged-in staff member.
    Staff {
        /// The account.
        user: String,
        /// The one site a manager sees; none: every site.
        site: Option<String>,
    },
    /// Another system with a read-only API token (its name).
    ApiToken(String),
}

impl ReportCaller {
    /// The only site this caller may see, if it is scoped to one (a manager).
    pub fn site_scope(&self) -> Option<&str> {
        match self {
            Self::Staff { site, .. } => site.as_deref(),
            Self::ApiToken(_) => None,
        }
    }
}

impl From<StaffUser> for ReportCaller {
    fn from(user: StaffUser) -> Self {
        Self::Staff {
            user: user.user,
            site: user.site,
        }
    }
}

/// The caller of a report route: a bearer API token or staff session token, else the web app's
/// session cookie; 401 otherwise.
async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    cookie_user: Option<StaffUser>,
) -> Result<ReportCaller, ApiError> {
    if let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
    {
        let hash = token_sha256(token);
        if let Some(api) = state.api_tokens.iter().find(|t| t.token_sha256 == hash) {
            tracing::debug!("report read with the API token of {}", api.name);
            return Ok(ReportCaller::ApiToken(api.name.clone()));
        }
    } else if let Some(user) = cookie_user {
        return Ok(user.into());
    }
    let session = staff::session(state, headers).await?;
    Ok(ReportCaller::Staff {
        user: session.user,
        site: session.site,
    })
}

/// The query of a report, refused with 400 naming the parameter.
fn read_query(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    csv_allowed: bool,
) -> Result<ReportQuery, ApiError> {
    let Query(pairs) =
        query.map_err(|err| ApiError::new(StatusCode::BAD_REQUEST, err.body_text()))?;
    ReportQuery::parse(&pairs, csv_allowed)
        .map_err(|err| ApiError::new(StatusCode::BAD_REQUEST, err.to_string()))
}

/// The store's filter for `query` as `caller` may see it: 403 when a site-scoped caller asks for
/// another site.
fn filter(caller: &ReportCaller, query: &ReportQuery) -> Result<ReportFilter, ApiError> {
    let site = match (caller.site_scope(), &query.site) {
        (Some(scope), Some(asked)) if scope != asked => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("site: you may see only the reports of {scope:?}"),
            ));
        }
        (Some(scope), _) => Some(scope.to_owned()),
        (None, asked) => asked.clone(),
    };
    Ok(ReportFilter {
        from: query.from,
        to: query.to,
        site,
    })
}

/// The JSON answer of every report: its name, range, site and rows.
#[derive(Serialize)]
pub(super) struct ReportAnswer<T: Serialize> {
    report: &'static str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    site: Option<String>,
    #[serde(flatten)]
    body: T,
}

#[derive(Serialize)]
pub(super) struct Rows<T: Serialize> {
    rows: Vec<T>,
}

fn answer<T: Serialize>(
    report: &'static str,
    filter: ReportFilter,
    body: T,
) -> Json<ReportAnswer<T>> {
    Json(ReportAnswer {
        report,
        from: filter.from,
        to: filter.to,
        site: filter.site,
        body,
    })
}

async fn ticket_rows(
    state: &AppState,
    filter: &ReportFilter,
) -> Result<Vec<TicketReportRow>, ApiError> {
    Ok(combine(
        &state.store.ticket_stats_rows(filter.clone()).await?,
    ))
}

/// `GET /api/v1/reports/tickets?from&to[&site][&format=csv]`.
pub(super) async fn tickets(
    State(state): State<AppState>,
    headers: HeaderMap,
    cookie_user: Option<StaffUser>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let caller = caller(&state, &headers, cookie_user).await?;
    let query = read_query(query, true)?;
    let filter = filter(&caller, &query)?;
    let rows = ticket_rows(&state, &filter).await?;
    Ok(match query.format {
        Format::Json => answer("tickets", filter, Rows { rows }).into_response(),
        Format::Csv => {
            let name = file_name("tickets", filter.from, filter.to);
            let mut response = tickets_csv(&rows).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
    })
}

/// `GET /api/v1/reports/complaints?from&to[&site]`: counts by day, site and category (no text).
pub(super) async fn complaints(
    State(state): State<AppState>,
    headers: HeaderMap,
    cookie_user: Option<StaffUser>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<ReportAnswer<Rows<ComplaintReportRow>>>, ApiError> {
    let caller = caller(&state, &headers, cookie_user).await?;
    let filter = filter(&caller, &read_query(query, false)?)?;
    let rows = complaint_rows(&state.store.complaint_counts(filter.clone()).await?);
    Ok(answer("complaints", filter, Rows { rows }))
}

/// The ratings report's body: by site and service (`rows`), and by site and staff member
/// (`by_staff`).
#[derive(Serialize)]
pub(super) struct RatingsReport {
    rows: Vec<RatingReportRow>,
    by_staff: Vec<RatingStaffRow>,
}

/// `GET /api/v1/reports/ratings?from&to[&site]`: count, mean and scores by site and service, and
/// by site and staff member.
pub(super) async fn ratings(
    State(state): State<AppState>,
    headers: HeaderMap,
    cookie_user: Option<StaffUser>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<ReportAnswer<RatingsReport>>, ApiError> {
    let caller = caller(&state, &headers, cookie_user).await?;
    let filter = filter(&caller, &read_query(query, false)?)?;
    let rows = rating_rows(&state.store.rating_counts(filter.clone()).await?);
    let by_staff = rating_staff_rows(&state.store.rating_staff_counts(filter.clone()).await?);
    Ok(answer("ratings", filter, RatingsReport { rows, by_staff }))
}

/// `GET /api/v1/reports/calls?from&to[&site]`: video calls by day and site (outcomes, wait, talk,
/// advice, ratings).
pub(super) async fn calls(
    State(state): State<AppState>,
    headers: HeaderMap,
    cookie_user: Option<StaffUser>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<ReportAnswer<Rows<crate::report::calls::CallReportRow>>>, ApiError> {
    let caller = caller(&state, &headers, cookie_user).await?;
    let filter = filter(&caller, &read_query(query, false)?)?;
    let rows = crate::report::calls::call_rows(&state.store.video_call_rows(filter.clone()).await?);
    Ok(answer("calls", filter, Rows { rows }))
}

/// `GET /api/v1/reports/surveys?from&to[&site]`: needs-survey answers per question and choice.
pub(super) async fn surveys(
    State(state): State<AppState>,
    headers: HeaderMap,
    cookie_user: Option<StaffUser>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<ReportAnswer<SurveyReport>>, ApiError> {
    let caller = caller(&state, &headers, cookie_user).await?;
    let filter = filter(&caller, &read_query(query, false)?)?;
    let report = survey_report(&state.store.survey_rows(filter.clone()).await?);
    Ok(answer("surveys", filter, report))
}

/// The page's query: the form's values, or the last 30 days (by the centre's clock) without them.
fn page_query(
    state: &AppState,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<ReportQuery, QueryError> {
    let mut pairs = query.map(|Query(pairs)| pairs).unwrap_or_default();
    pairs.retain(|(_, value)| !value.is_empty());
    let today = local_day(state.now());
    if !pairs.iter().any(|(n, _)| n == "to") {
        pairs.push(("to".into(), today.to_string()));
    }
    if !pairs.iter().any(|(n, _)| n == "from") {
        let to = pairs
            .iter()
            .find(|(n, _)| n == "to")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(today);
        pairs.push(("from".into(), (to - Duration::days(29)).to_string()));
    }
    ReportQuery::parse(&pairs, false)
}

/// The page's content for `caller`: every report of the query, tables and charts.
async fn page_body(
    state: &AppState,
    caller: &ReportCaller,
    query: &ReportQuery,
) -> Result<String, WebError> {
    let filter = filter(caller, query).map_err(|err| WebError::new(err.status, err.reason))?;
    let store = state.store();
    let tickets = combine(&store.ticket_stats_rows(filter.clone()).await?);
    let complaints = complaint_rows(&store.complaint_counts(filter.clone()).await?);
    let ratings = rating_rows(&store.rating_counts(filter.clone()).await?);
    let surveys = survey_report(&store.survey_rows(filter.clone()).await?);
    let sites = if caller.site_scope().is_some() {
        Vec::new()
    } else {
        store.sites().await?
    };
    let scoped = ReportQuery {
        site: filter.site.clone(),
        ..query.clone()
    };
    Ok(page::body(&PageData {
        query: &scoped,
        sites: &sites,
        tickets: &tickets,
        complaints: &complaints,
        ratings: &ratings,
        surveys: &surveys,
    }))
}

/// `GET /staff/reports[?from&to&site]`: the staff page in the web app's layout (a session cookie;
/// without one, the login page).
async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Html<String>, WebError> {
    let query = page_query(&state, query).map_err(|err| WebError::bad_request(err.to_string()))?;
    let body = page_body(&state, &ReportCaller::from(user.clone()), &query).await?;
    Ok(layout(&user, Nav::Reports, "统计报表 Reports", &body))
}

/// The page's route, with the web app's page headers.
pub(super) fn page_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/staff/reports", get(page))
        .layer(middleware::map_response(crate::web::page_headers))
}
