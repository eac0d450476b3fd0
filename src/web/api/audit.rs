//! `/api/v1/audit`: the audit log. No SQL here (the store's `audit` reads the log), and it changes
//! nothing.

use axum::extract::State;
use serde::Serialize;

use super::extract::{Json, Query};
use crate::store::Store;
use crate::store::audit;
use crate::web::auth::*;
use crate::web::error::ApiError;
use crate::web::input::AuditQuery;

/// One audit entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    id: i64,
    at: String,
    actor: String,
    action: String,
    subject: String,
    #[schema(value_type = Object)]
    detail: serde_json::Value,
}

/// Audit entries, newest first, filtered by `actor` and `action` prefix.
#[utoipa::path(get, path = "/audit", tag = "audit",
    params(("actor" = Option<String>, Query), ("action" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = [AuditEntry]), (status = 403, body = super::ErrorBody)))]
pub async fn get(
    State(store): State<Store>,
    _: Api<CanAudit>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let filter = q.filter();
    let list = store.run(move |c| Ok(audit::list(c, &filter)?)).await?;
    Ok(Json(
        list.into_iter()
            .map(|e| AuditEntry {
                id: e.id,
                at: e.at,
                actor: e.actor,
                action: e.action,
                subject: e.subject,
                detail: e.detail,
            })
            .collect(),
    ))
}
