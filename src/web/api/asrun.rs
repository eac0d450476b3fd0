//! `/api/v1/asrun`: the as-run log as JSON or CSV. No SQL here (the store's `asrun` reads the log),
//! and it changes nothing.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{Json, Query};
use crate::config::Config;
use crate::model::asrun::Entry;
use crate::store::Store;
use crate::store::asrun;
use crate::web::auth::*;
use crate::web::error::ApiError;
use crate::web::input::Range;
use std::sync::Arc;

/// The period and the format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AsRunQuery {
    /// First day, `YYYY-MM-DD` (default: six days ago).
    #[param(format = Date)]
    from: Option<String>,
    /// Last day, inclusive (default: today).
    #[param(format = Date)]
    to: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// What aired between two days (in the commune's time zone).
#[utoipa::path(get, path = "/asrun", tag = "as-run", params(AsRunQuery),
    responses((status = 200, description = "JSON, or CSV when format=csv",
        content((Vec<Entry> = "application/json"), (String = "text/csv")))))]
pub async fn get(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    _: Api<CanView>,
    Query(q): Query<AsRunQuery>,
) -> Result<Response, ApiError> {
    let range = Range {
        from: q.from,
        to: q.to,
    };
    let (from, to, a, b) = range.interval(config.timezone)?;
    let entries = store.run(move |c| Ok(asrun::between(c, a, b)?)).await?;
    if q.format.as_deref() == Some("csv") {
        let name = format!("attachment; filename=\"nhat-ky-phat-{from}-{to}.csv\"");
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, name),
            ],
            asrun::to_csv(&entries),
        )
            .into_response());
    }
    Ok(Json(entries).into_response())
}
