//! `/api/v1/items`: broadcast items and their approval.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::extract::{Json, Path, Query};
use crate::model::{Item, NewItem, ReviewState};
use crate::store::items;
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::{ApiError, AppError};
use crate::web::events::Event;
use crate::workflow::{self, Action};

/// Filter of the item list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only items in this state.
    state: Option<ReviewState>,
}

/// Why an item is rejected.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Rejection {
    /// The reason, shown to the person who made the item.
    reason: String,
}

/// List items, newest first.
#[utoipa::path(get, path = "/items", params(ListQuery), tag = "items", responses((status = 200, body = [Item])))]
pub async fn list(
    State(state): State<AppState>,
    _: Api<CanView>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Item>>, ApiError> {
    Ok(Json(
        state
            .store
            .run(move |c| Ok(items::list(c, q.state)?))
            .await?,
    ))
}

/// Create a draft item from a recording in the library.
#[utoipa::path(post, path = "/items", tag = "items", request_body = NewItem,
    responses((status = 201, body = Item), (status = 404, description = "No such recording", body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: Api<CanEdit>,
    Json(new): Json<NewItem>,
) -> Result<(StatusCode, Json<Item>), ApiError> {
    let actor = user.authed.user;
    let item = state
        .store
        .call(move |c| workflow::create(c, &new, &actor))
        .await?;
    state.events.send(Event::Item { id: item.id });
    Ok((StatusCode::CREATED, Json(item)))
}

/// One item.
#[utoipa::path(get, path = "/items/{id}", tag = "items", params(("id" = i64, Path)),
    responses((status = 200, body = Item), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _: Api<CanView>,
    Path(id): Path<i64>,
) -> Result<Json<Item>, ApiError> {
    state
        .store
        .run(move |c| Ok(items::get(c, id)?))
        .await?
        .map(Json)
        .ok_or_else(|| {
            ApiError(AppError::NotFound(format!(
                "không có bản tin {id} / no item {id}"
            )))
        })
}

async fn act<C: Cap>(
    state: &AppState,
    user: Api<C>,
    id: i64,
    action: Action,
) -> Result<Json<Item>, ApiError> {
    let actor = user.authed.user;
    let item = state
        .store
        .call(move |c| workflow::apply(c, id, action, Some(&actor)))
        .await?;
    state.events.send(Event::Item { id });
    Ok(Json(item))
}

/// Change an item (or its recording). A submitted or approved item goes back to draft.
#[utoipa::path(put, path = "/items/{id}", tag = "items", params(("id" = i64, Path)), request_body = NewItem,
    responses((status = 200, body = Item), (status = 409, body = super::ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    user: Api<CanEdit>,
    Path(id): Path<i64>,
    Json(new): Json<NewItem>,
) -> Result<Json<Item>, ApiError> {
    act(&state, user, id, Action::Edit(new)).await
}

/// Send a draft (or rejected) item to the leaders.
#[utoipa::path(post, path = "/items/{id}/submit", tag = "items", params(("id" = i64, Path)),
    responses((status = 200, body = Item), (status = 409, body = super::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    user: Api<CanEdit>,
    Path(id): Path<i64>,
) -> Result<Json<Item>, ApiError> {
    act(&state, user, id, Action::Submit).await
}

/// Take back a submission.
#[utoipa::path(post, path = "/items/{id}/withdraw", tag = "items", params(("id" = i64, Path)),
    responses((status = 200, body = Item), (status = 409, body = super::ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    user: Api<CanEdit>,
    Path(id): Path<i64>,
) -> Result<Json<Item>, ApiError> {
    act(&state, user, id, Action::Withdraw).await
}

/// Approve a submitted item (approvers; never one's own). A second approval gets 409.
#[utoipa::path(post, path = "/items/{id}/approve", tag = "items", params(("id" = i64, Path)),
    responses((status = 200, body = Item), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    user: Api<CanApprove>,
    Path(id): Path<i64>,
) -> Result<Json<Item>, ApiError> {
    act(&state, user, id, Action::Approve).await
}

/// Reject a submitted item with a reason.
#[utoipa::path(post, path = "/items/{id}/reject", tag = "items", params(("id" = i64, Path)), request_body = Rejection,
    responses((status = 200, body = Item), (status = 400, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    user: Api<CanApprove>,
    Path(id): Path<i64>,
    Json(r): Json<Rejection>,
) -> Result<Json<Item>, ApiError> {
    act(&state, user, id, Action::Reject(r.reason)).await
}
