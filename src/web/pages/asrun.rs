//! The as-run log: what really aired, when the first and last samples reached the speakers.
//! Read-only: no SQL here (the store's `asrun`), and it changes nothing.

use crate::model::Said;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Utc;

use super::{Chrome, local, render};
use crate::schedule::Timetable;
use crate::store::{Store, asrun};
use crate::web::auth::*;
use crate::web::error::PageError;
use crate::web::input::Range;

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
/// `GET /asrun`.
pub async fn page(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanView>,
    Query(q): Query<Range>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "asrun").await?;
    let tz = timetable.tz();
    let (from, to, a, b) = q.interval(tz).map_err(|e| user.err(e))?;
    let entries = store
        .run(move |c| Ok(asrun::between(c, a, b)?))
        .await
        .map_err(|e| user.err(e))?;
    let t = |v: Option<chrono::DateTime<Utc>>| v.map(|t| local(t, tz)).unwrap_or_default();
    let rows = entries
        .into_iter()
        .map(|e| Row {
            label: e.label,
            source: user.lang.asrun_source(&e.source),
            outcome: user.lang.outcome(&e.outcome),
            outcome_class: e.outcome.as_str(),
            // The player writes a reason as a Said's "vi / en"; the page says its own half.
            reason: e
                .reason
                .map(|r| user.lang.say(&Said::from_display(&r)).to_string())
                .unwrap_or_default(),
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
