//! The reports' routes: `GET /api/v1/reports/{tickets,complaints,ratings,surveys}` (JSON; tickets
//! also CSV) and the staff page `GET /staff/reports`.
//!
//! Who may read them: a staff session (what the staff routes accept), or a read-only API token of
//! the configuration's `[[api_tokens]]` (for the district's other systems), which is valid for
//! these `GET /api/v1/reports/…` routes only: anywhere else it is an unknown credential (401).

use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use chrono::Duration;
use serde::Serialize;

use super::{ApiError, AppState, staff};
use crate::{
    auth::{bearer_token, token_sha256},
    report::{
        Format, ReportQuery, TicketReportRow, combine,
        csv_file::{file_name, tickets_csv},
        page::{self, PageData},
        summary::{
            ComplaintReportRow, RatingReportRow, SurveyReport, complaint_rows, rating_rows,
            survey_report,
        },
    },
    store::{ReportFilter, Session, report::local_day},
};

/// A read-only API token (`[[api_tokens]]`): valid for `GET /api/v1/reports/…` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Who holds it (logged with each use), e.g. `综治信息系统`.
    pub name: String,
    /// Hex SHA-256 of the token.
    pub token_sha256: String,
}

/// Who is reading a report.
#[derive(Debug, Clone)]
pub enum ReportCaller {
    /// A logged-in staff member.
    Staff(Session),
    /// Another system with a read-only API token (its name).
    ApiToken(String),
}

impl ReportCaller {
    /// The only site this caller may see, if it is scoped to one. Staff roles do not carry a site
    /// in this version; a site-scoped manager's site goes here when they do.
    pub fn site_scope(&self) -> Option<&str> {
        None
    }
}

/// The caller of a report route: an API token, else a staff session; 401 otherwise.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<ReportCaller, ApiError> {
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
    }
    staff::session(state, headers)
        .await
        .map(ReportCaller::Staff)
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
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let caller = caller(&state, &headers).await?;
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
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<ReportAnswer<Rows<ComplaintReportRow>>>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let filter = filter(&caller, &read_query(query, false)?)?;
    let rows = complaint_rows(&state.store.complaint_counts(filter.clone()).await?);
    Ok(answer("complaints", filter, Rows { rows }))
}

/// `GET /api/v1/reports/ratings?from&to[&site]`: count, mean and scores by site and service.
pub(super) async fn ratings(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<ReportAnswer<Rows<RatingReportRow>>>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let filter = filter(&caller, &read_query(query, false)?)?;
    let rows = rating_rows(&state.store.rating_counts(filter.clone()).await?);
    Ok(answer("ratings", filter, Rows { rows }))
}

/// `GET /api/v1/reports/surveys?from&to[&site]`: needs-survey answers per question and choice.
pub(super) async fn surveys(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<ReportAnswer<SurveyReport>>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let filter = filter(&caller, &read_query(query, false)?)?;
    let report = survey_report(&state.store.survey_rows(filter.clone()).await?);
    Ok(answer("surveys", filter, report))
}

/// The page's query: the form's values, or the last 30 days (by the centre's clock) without them.
fn page_query(
    state: &AppState,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<ReportQuery, ApiError> {
    let Query(mut pairs) =
        query.map_err(|err| ApiError::new(StatusCode::BAD_REQUEST, err.body_text()))?;
    pairs.retain(|(_, value)| !value.is_empty());
    let today = local_day(state.clock.now());
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
        .map_err(|err| ApiError::new(StatusCode::BAD_REQUEST, err.to_string()))
}

/// The page's content for `caller`: every report of the query, tables and charts.
pub(super) async fn page_body(
    state: &AppState,
    caller: &ReportCaller,
    query: &ReportQuery,
) -> Result<String, ApiError> {
    let filter = filter(caller, query)?;
    let tickets = ticket_rows(state, &filter).await?;
    let complaints = complaint_rows(&state.store.complaint_counts(filter.clone()).await?);
    let ratings = rating_rows(&state.store.rating_counts(filter.clone()).await?);
    let surveys = survey_report(&state.store.survey_rows(filter.clone()).await?);
    let sites = if caller.site_scope().is_some() {
        Vec::new()
    } else {
        let mut sites: Vec<String> = state
            .store
            .devices()
            .await?
            .into_iter()
            .map(|d| d.site)
            .collect();
        sites.sort();
        sites.dedup();
        sites
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

/// `GET /staff/reports[?from&to&site]`: the staff page (staff only: an API token is refused).
pub(super) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Html<String>, ApiError> {
    let session = staff::session(&state, &headers).await?;
    let query = page_query(&state, query)?;
    let body = page_body(&state, &ReportCaller::Staff(session), &query).await?;
    Ok(Html(page::shell("报表 / Reports", &body)))
}
