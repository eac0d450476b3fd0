//! The as-run log: what really aired, when the first and last samples reached the speakers.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::{Chrome, local, render};
use crate::store::asrun;
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};

#[derive(Template)]
#[template(path = "asrun.html")]
struct AsRunPage {
    c: Chrome,
    from: String,
    to: String,
    rows: Vec<Row>,
}

struct Row {
    label: String,
    source: String,
    outcome: &'static str,
    outcome_class: &'static str,
    reason: String,
    planned: String,
    first: String,
    last: String,
}

/// A day range in the query, `from` and `to` as `YYYY-MM-DD` (inclusive), default the last week.
#[derive(Debug, Deserialize)]
pub struct Range {
    /// First day.
    pub from: Option<String>,
    /// Last day.
    pub to: Option<String>,
}

impl Range {
    /// The UTC interval `[from 00:00, to + 1 day 00:00)` in the commune's time zone.
    pub fn interval(
        &self,
        tz: chrono_tz::Tz,
    ) -> Result<
        (
            NaiveDate,
            NaiveDate,
            chrono::DateTime<Utc>,
            chrono::DateTime<Utc>,
        ),
        AppError,
    > {
        let today = Utc::now().with_timezone(&tz).date_naive();
        let parse = |v: &Option<String>, default: NaiveDate| -> Result<NaiveDate, AppError> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(default),
                Some(s) => s.parse().map_err(|_| {
                    AppError::BadRequest(format!("ngày \"{s}\" không hợp lệ (YYYY-MM-DD) / \"{s}\" is not a date (YYYY-MM-DD)"))
                }),
            }
        };
        let from = parse(&self.from, today - chrono::Duration::days(6))?;
        let to = parse(&self.to, today)?;
        if to < from || (to - from).num_days() > 366 {
            return Err(AppError::BadRequest(
                "khoảng ngày phải từ 1 đến 366 ngày / the range must be 1 to 366 days".into(),
            ));
        }
        let start = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|n| n.and_local_timezone(tz).earliest())
                .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
        };
        Ok((from, to, start(from), start(to + chrono::Duration::days(1))))
    }
}

/// `GET /asrun`.
pub async fn page(
    State(state): State<AppState>,
    user: Page<CanView>,
    Query(q): Query<Range>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&state, &user, "asrun").await?;
    let tz = state.config.tz();
    let (from, to, a, b) = q.interval(tz).map_err(|e| user.err(e))?;
    let entries = state
        .store
        .run(move |c| Ok(asrun::between(c, a, b)?))
        .await
        .map_err(|e| user.err(e))?;
    let t = |v: Option<chrono::DateTime<Utc>>| v.map(|t| local(t, tz)).unwrap_or_default();
    let rows = entries
        .into_iter()
        .map(|e| Row {
            label: e.label,
            source: e.source,
            outcome: user.lang.outcome(&e.outcome),
            outcome_class: e.outcome.as_str(),
            reason: e.reason.unwrap_or_default(),
            planned: t(e.planned_at),
            first: t(e.first_sample_at),
            last: t(e.last_sample_at),
        })
        .collect();
    let page = AsRunPage {
        c,
        from: from.to_string(),
        to: to.to_string(),
        rows,
    };
    Ok(render(page, user.lang))
}
