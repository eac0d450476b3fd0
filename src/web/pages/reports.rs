//! The **Báo cáo / Reports** page: one of the province's three monthly reports as tables that
//! read on a phone and print on A4, with its CSV beside it. For leaders and the admin. Presents
//! `station::reports`; no SQL and no sums here, and it changes nothing.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Chrome, render};
use crate::station::reports::{self, Kind, Table};
use crate::web::AppState;
use crate::web::api::reports::scope;
use crate::web::auth::*;
use crate::web::error::PageError;

/// Which report and month.
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    /// `plays` (default), `connectivity` or `condition`.
    report: Option<String>,
    /// `YYYY-MM` (default: the last full month).
    month: Option<String>,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    c: Chrome,
    kind: &'static str,
    title: &'static str,
    tabs: Vec<Tab>,
    month: String,
    month_label: String,
    previous: String,
    next: Option<String>,
    made_at: String,
    tables: Vec<Table>,
}

struct Tab {
    kind: &'static str,
    title: &'static str,
}

/// `GET /reports`.
pub async fn page(
    State(state): State<AppState>,
    user: Page<CanReport>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&state.store, &user, "reports").await?;
    let kind: Kind = q
        .report
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("plays")
        .parse()
        .map_err(|e| user.err(crate::web::error::AppError::from(e)))?;
    let scope = scope(&state, q.month.as_deref()).map_err(|e| user.err(e))?;
    let report = reports::report(&state.store, kind, scope.clone())
        .await
        .map_err(|e| user.err(crate::web::error::AppError::from(e)))?;
    let month = scope.month;
    let this_month = reports::Month::last_full(scope.now, scope.tz).next();
    let page = ReportsPage {
        c,
        kind: kind.as_str(),
        title: kind.title_vi(),
        tabs: Kind::ALL
            .iter()
            .map(|k| Tab {
                kind: k.as_str(),
                title: k.title_vi(),
            })
            .collect(),
        month: month.to_string(),
        month_label: month.label(),
        previous: month.previous().to_string(),
        next: (month < this_month).then(|| month.next().to_string()),
        made_at: scope.time(scope.now),
        tables: report.tables(&scope),
    };
    Ok(render(page, user.lang))
}
