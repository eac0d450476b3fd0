//! The audit log: who changed what, filterable by person and kind of action.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Chrome, local_str, render};
use crate::store::audit;
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::PageError;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    actor: String,
    action: String,
    rows: Vec<(String, String, String, String, String)>,
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, Default)]
pub struct AuditQuery {
    /// Only this person.
    pub actor: Option<String>,
    /// Only actions starting with this (`item.`, `user.`...).
    pub action: Option<String>,
    /// At most this many (default 200).
    pub limit: Option<u32>,
}

impl AuditQuery {
    /// As a store filter.
    pub fn filter(&self) -> audit::Filter {
        let nonempty = |v: &Option<String>| {
            v.as_ref()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        audit::Filter {
            actor: nonempty(&self.actor),
            action_prefix: nonempty(&self.action),
            limit: Some(self.limit.unwrap_or(200).min(5000)),
        }
    }
}

/// `GET /audit`.
pub async fn page(
    State(state): State<AppState>,
    user: Page<CanAudit>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&state, &user, "audit").await?;
    let filter = q.filter();
    let entries = state
        .store
        .run(move |c| Ok(audit::list(c, &filter)?))
        .await
        .map_err(|e| user.err(e))?;
    let tz = state.config.tz();
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
