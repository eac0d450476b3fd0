//! The audit log: who changed what, filterable by person and kind of action. Read-only: no SQL here
//! (the store's `audit`), and it changes nothing.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use super::{Chrome, local_str, render};
use crate::schedule::Timetable;
use crate::store::{Store, audit};
use crate::web::auth::*;
use crate::web::error::PageError;
use crate::web::input::AuditQuery;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    actor: String,
    action: String,
    rows: Vec<(String, String, String, String, String)>,
}

/// Filters of the audit log.
/// `GET /audit`.
pub async fn page(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanAudit>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "audit").await?;
    let filter = q.filter();
    let entries = store
        .run(move |c| Ok(audit::list(c, &filter)?))
        .await
        .map_err(|e| user.err(e))?;
    let tz = timetable.tz();
    let rows = entries
        .into_iter()
        .map(|e| {
            (
                local_str(&e.at, tz),
                e.actor,
                e.action,
                e.subject,
                e.detail.to_string(),
            )
        })
        .collect();
    let page = AuditPage {
        c,
        actor: q.actor.unwrap_or_default(),
        action: q.action.unwrap_or_default(),
        rows,
    };
    Ok(render(page, user.lang))
}
