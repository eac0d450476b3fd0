//! `/api/v1/reports/{plays,connectivity,condition}`: the province's monthly reports as JSON or
//! as the CSV a spreadsheet opens, for leaders and the admin. Presents
//! `station::reports`; no SQL and no sums here, and it changes nothing.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{Json, Query};
use crate::model::said;
use crate::station::reports::{self, Kind, Month, Scope};
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::{ApiError, AppError};

/// The month and the format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// `YYYY-MM`, in the commune's time zone (default: the last full month).
    month: Option<String>,
    /// `json` (default) or `csv` (UTF-8 with a byte-order mark, Vietnamese header row).
    format: Option<String>,
}

/// What a report covers, as the page and the API ask it: the month named (or the last full
/// one), the commune's time zone, the station's clock, the commune's nodes.
pub(crate) fn scope(state: &AppState, month: Option<&str>) -> Result<Scope, AppError> {
    let tz = state.timetable.tz();
    let now = state.clock.now();
    let month = Month::parse_or_last(month, now, tz)?;
    let nodes = state
        .cluster
        .as_ref()
        .map(|c| c.nodes().into_iter().map(|n| n.id).collect())
        .unwrap_or_default();
    Ok(Scope {
        month,
        tz,
        now,
        nodes,
    })
}

async fn answer(state: AppState, kind: Kind, q: ReportQuery) -> Result<Response, ApiError> {
    let csv = match q.format.as_deref().map(str::trim) {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(AppError::BadRequest(said!(
                "định dạng \"{other}\" không có: json hoặc csv",
                "no format \"{other}\": json or csv"
            ))
            .into());
        }
    };
    let scope = scope(&state, q.month.as_deref())?;
    let report = reports::report(&state.store, kind, scope.clone()).await?;
    if !csv {
        return Ok(Json(report).into_response());
    }
    let name = format!("attachment; filename=\"{}\"", kind.file_name(scope.month));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        report.csv(&scope),
    )
        .into_response())
}

/// Plays per item in a month: count, total duration, nodes, tier, approver.
#[utoipa::path(get, path = "/reports/plays", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "JSON, or CSV when format=csv",
        content((Object = "application/json"), (String = "text/csv")))))]
pub async fn plays(
    State(state): State<AppState>,
    _: Api<CanReport>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    answer(state, Kind::Plays, q).await
}

/// Each node's offline and online periods in a month, and its total time offline.
#[utoipa::path(get, path = "/reports/connectivity", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "JSON, or CSV when format=csv",
        content((Object = "application/json"), (String = "text/csv")))))]
pub async fn connectivity(
    State(state): State<AppState>,
    _: Api<CanReport>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    answer(state, Kind::Connectivity, q).await
}

/// Each node's condition in a month: starts, errors, temperature, under-voltage.
#[utoipa::path(get, path = "/reports/condition", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "JSON, or CSV when format=csv",
        content((Object = "application/json"), (String = "text/csv")))))]
pub async fn condition(
    State(state): State<AppState>,
    _: Api<CanReport>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    answer(state, Kind::Condition, q).await
}
