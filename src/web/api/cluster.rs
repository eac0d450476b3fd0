//! The village cluster's API: `/api/v1/nodes` (every node and how it is) for people and
//! scripts, and `/api/v1/cluster/media/{sha256}`, where the nodes, and only they, fetch
//! recordings by hash with their media token (resumable with `Range`). It keeps no state and
//! changes nothing: the head-end says who a token is and which file a hash names.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

use super::extract::{Json, Path};
use crate::cluster::head::view::NodeInfo;
use crate::cluster::node::cache::is_sha256;
use crate::model::said;
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::{ApiError, AppError};

/// Every village node of the commune, with what is known of it (empty for a station alone).
#[utoipa::path(get, path = "/nodes", tag = "cluster",
    responses((status = 200, body = Vec<NodeInfo>)))]
pub async fn nodes(State(state): State<AppState>, _: Api<CanView>) -> Json<Vec<NodeInfo>> {
    Json(
        state
            .cluster
            .as_ref()
            .map(|c| c.nodes())
            .unwrap_or_default(),
    )
}

/// A recording by its SHA-256, for a village node with its media token
/// (`Authorization: Bearer NODE_TOKEN`); supports `Range`. People are refused (403) even when
/// signed in: they have `/media/{id}/audio`.
#[utoipa::path(get, path = "/cluster/media/{sha256}", tag = "cluster",
    params(("sha256" = String, Path, description = "SHA-256 of the recording, lowercase hex")),
    responses(
        (status = 200, description = "The recording", content_type = "application/octet-stream"),
        (status = 206, description = "The range asked for"),
        (status = 416, description = "A range past the end")))]
pub async fn media(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let (parts, _) = req.into_parts();
    if current(&parts).is_some() {
        return Err(AppError::Forbidden(said!(
            "chỉ cụm loa thôn tải ở đây, bằng mã của nút",
            "only village nodes fetch here, with \
             their node token"
        ))
        .into());
    }
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(AppError::Unauthorized)?;
    let cluster = state.cluster.as_ref().ok_or(AppError::Unauthorized)?;
    let node = cluster.node_by_token(token).ok_or(AppError::Unauthorized)?;
    if !is_sha256(&sha256) {
        return Err(AppError::BadRequest(said!(
            "\"{sha256}\" không phải SHA-256",
            "is not a SHA-256 (64 lowercase hex digits)"
        ))
        .into());
    }
    let not_found =
        || AppError::NotFound(said!("không có bản ghi {sha256}", "no recording {sha256}"));
    let path = cluster.media_file(&sha256).await.ok_or_else(not_found)?;
    tracing::debug!("cụm loa / node {node} tải / fetches {sha256}");
    // ServeFile answers Range (206, 416) and If-Range as the RFC says; only the headers that
    // matter for it are passed on.
    let mut forward = Request::builder().uri("/");
    for name in [header::RANGE, header::IF_RANGE] {
        if let Some(v) = parts.headers.get(&name) {
            forward = forward.header(name, v);
        }
    }
    let forward = forward
        .body(Body::empty())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let served = tower_http::services::ServeFile::new(&path)
        .oneshot(forward)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if served.status() == axum::http::StatusCode::NOT_FOUND {
        return Err(not_found().into());
    }
    let (mut head, body) = served.into_parts();
    head.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/octet-stream"),
    );
    Ok(Response::from_parts(head, Body::new(body)).into_response())
}
