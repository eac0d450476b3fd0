//! The audit log: who changed what, a page at a time, filtered by person and action chosen from
//! the ones the log holds. Read-only: no SQL here (the store's `audit`), and it changes nothing.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use super::{Chrome, local_str, render};
use crate::schedule::Timetable;
use crate::store::{Store, audit};
use crate::web::auth::*;
use crate::web::error::PageError;
use crate::web::i18n::Lang;
use crate::web::input::AuditQuery;

/// Entries on one page: a phone scrolls through fifty cards, not the whole log.
const PAGE_SIZE: u32 = 50;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    actor: String,
    action: String,
    actors: Vec<String>,
    /// Every action the log holds: (code, words).
    actions: Vec<(String, String)>,
    rows: Vec<Row>,
    /// The next page's address, when there are older entries.
    older: Option<String>,
    /// The first page's address, on a later page.
    newest: Option<String>,
}

/// One entry as the page shows it.
struct Row {
    at: String,
    actor: String,
    action: String,
    code: String,
    subject: String,
    detail: String,
}

/// `GET /audit`.
pub async fn page(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanAudit>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "audit").await?;
    let mut filter = q.filter();
    filter.limit = Some(PAGE_SIZE + 1);
    let (mut entries, choices) = store
        .run(move |c| Ok((audit::list(c, &filter)?, audit::choices(c)?)))
        .await
        .map_err(|e| user.err(e))?;
    let more = entries.len() > PAGE_SIZE as usize;
    entries.truncate(PAGE_SIZE as usize);
    let actor = q.actor.clone().unwrap_or_default();
    let action = q.action.clone().unwrap_or_default();
    let older = more
        .then(|| entries.last().map(|e| href(&actor, &action, Some(e.id))))
        .flatten();
    let newest = q.before.map(|_| href(&actor, &action, None));
    let lang = user.lang;
    let tz = timetable.tz();
    let rows = entries
        .into_iter()
        .map(|e| Row {
            at: local_str(&e.at, tz),
            action: lang.audit_action(&e.action),
            code: e.action,
            actor: e.actor,
            subject: e.subject,
            detail: e.detail.to_string(),
        })
        .collect();
    let page = AuditPage {
        c,
        actions: labelled(lang, choices.actions),
        actors: choices.actors,
        actor,
        action,
        rows,
        older,
        newest,
    };
    Ok(render(page, lang))
}

fn labelled(lang: Lang, codes: Vec<String>) -> Vec<(String, String)> {
    codes
        .into_iter()
        .map(|code| {
            let words = lang.audit_action(&code);
            (code, words)
        })
        .collect()
}

/// The address of the page of entries older than `before` (the first page without it),
/// keeping the filters.
fn href(actor: &str, action: &str, before: Option<i64>) -> String {
    let before = before.map(|id| id.to_string()).unwrap_or_default();
    super::listing::href(
        "/audit",
        &[("actor", actor), ("action", action), ("before", &before)],
    )
}
