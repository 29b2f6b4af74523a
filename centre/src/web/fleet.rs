//! `GET /staff/fleet`: every device by township and site.

use axum::{extract::State, response::Html};

use super::{Nav, StaffUser, WebError, esc, layout, table};
use crate::api::AppState;

/// `GET /staff/fleet`.
pub(super) async fn page(
    State(state): State<AppState>,
    user: StaffUser,
) -> Result<Html<String>, WebError> {
    let devices = state.store().devices().await?;
    let rows = devices
        .iter()
        .filter(|d| user.may_see(&d.site))
        .map(|d| (String::new(), vec![esc(&d.id), esc(&d.site)]))
        .collect::<Vec<_>>();
    let body = format!(
        "<h1>设备 Fleet</h1>{}",
        table(&["设备 Device", "站点 Site"], &rows)
    );
    Ok(layout(&user, Nav::Fleet, "设备 Fleet", &body))
}
