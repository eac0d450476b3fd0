//! `/api/v1/display`: the LED panel's slogans, their approval, and the live preview.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{Json, Path, Query};
use crate::display::driver::PanelHealth;
use crate::display::panel::to_png;
use crate::display::slogans::{self, SloganAction};
use crate::model::{Effect, NewSlogan, PanelColor, PanelKind, ReviewState, SloganRecord};
use crate::store::slogans as table;
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::{ApiError, AppError};
use crate::web::events::Event;
use crate::workflow::WorkflowError;

/// The panel as configured and how it is doing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PanelStatus {
    /// Width in LEDs.
    pub width: u32,
    /// Height in LEDs.
    pub height: u32,
    /// Which colours it shows.
    #[schema(value_type = String, example = "mono_red")]
    pub kind: PanelKind,
    /// Where frames go (`none`: the preview only).
    pub output: String,
    /// The panel loop, when a panel is attached.
    pub health: Option<PanelHealth>,
}

/// The panel's size, colours and health.
#[utoipa::path(get, path = "/display", tag = "display", responses((status = 200, body = PanelStatus)))]
pub async fn status(State(state): State<AppState>, _: Api<CanView>) -> Json<PanelStatus> {
    let d = &state.config.display;
    Json(PanelStatus {
        width: d.width,
        height: d.height,
        kind: d.kind,
        output: d.output.clone(),
        health: state.panel.as_ref().map(|p| p.health()),
    })
}

/// Filter of the slogan list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only slogans in this state.
    state: Option<ReviewState>,
}

/// Slogans in rotation order.
#[utoipa::path(get, path = "/display/slogans", params(ListQuery), tag = "display",
    responses((status = 200, body = [SloganRecord])))]
pub async fn list(
    State(state): State<AppState>,
    _: Api<CanView>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<SloganRecord>>, ApiError> {
    Ok(Json(
        state
            .store
            .run(move |c| Ok(table::list(c, q.state)?))
            .await?,
    ))
}

/// Write a draft slogan. A letter the panel's font cannot draw is refused, named.
#[utoipa::path(post, path = "/display/slogans", tag = "display", request_body = NewSlogan,
    responses((status = 201, body = SloganRecord), (status = 400, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: Api<CanEdit>,
    Json(new): Json<NewSlogan>,
) -> Result<(StatusCode, Json<SloganRecord>), ApiError> {
    let actor = user.authed.user;
    let font = state.board.font();
    let record = state
        .store
        .call(move |c| slogans::create(c, &new, &actor, font))
        .await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// One slogan.
#[utoipa::path(get, path = "/display/slogans/{id}", tag = "display", params(("id" = i64, Path)),
    responses((status = 200, body = SloganRecord), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _: Api<CanView>,
    Path(id): Path<i64>,
) -> Result<Json<SloganRecord>, ApiError> {
    state
        .store
        .run(move |c| Ok(table::get(c, id)?))
        .await?
        .map(Json)
        .ok_or_else(|| {
            ApiError(AppError::NotFound(format!(
                "không có khẩu hiệu {id} / no slogan {id}"
            )))
        })
}

/// Do `action`, then let the panel know if what it may show changed.
pub(crate) async fn act(
    state: &AppState,
    actor: crate::model::User,
    id: i64,
    action: SloganAction,
) -> Result<SloganRecord, AppError> {
    let font = state.board.font();
    let record = state
        .store
        .call(move |c| slogans::apply(c, id, action, &actor, font))
        .await?;
    state.board.reload()?;
    state.events.send(Event::Panel);
    Ok(record)
}

/// Change a slogan. A submitted or approved slogan goes back to draft (and off the panel).
#[utoipa::path(put, path = "/display/slogans/{id}", tag = "display", params(("id" = i64, Path)), request_body = NewSlogan,
    responses((status = 200, body = SloganRecord), (status = 400, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    user: Api<CanEdit>,
    Path(id): Path<i64>,
    Json(new): Json<NewSlogan>,
) -> Result<Json<SloganRecord>, ApiError> {
    Ok(Json(
        act(&state, user.authed.user, id, SloganAction::Edit(new)).await?,
    ))
}

/// Send a draft (or rejected) slogan to the leaders.
#[utoipa::path(post, path = "/display/slogans/{id}/submit", tag = "display", params(("id" = i64, Path)),
    responses((status = 200, body = SloganRecord), (status = 409, body = super::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    user: Api<CanEdit>,
    Path(id): Path<i64>,
) -> Result<Json<SloganRecord>, ApiError> {
    Ok(Json(
        act(&state, user.authed.user, id, SloganAction::Submit).await?,
    ))
}

/// Take back a submission.
#[utoipa::path(post, path = "/display/slogans/{id}/withdraw", tag = "display", params(("id" = i64, Path)),
    responses((status = 200, body = SloganRecord), (status = 409, body = super::ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    user: Api<CanEdit>,
    Path(id): Path<i64>,
) -> Result<Json<SloganRecord>, ApiError> {
    Ok(Json(
        act(&state, user.authed.user, id, SloganAction::Withdraw).await?,
    ))
}

/// Approve a submitted slogan: the panel shows it from the next frame.
#[utoipa::path(post, path = "/display/slogans/{id}/approve", tag = "display", params(("id" = i64, Path)),
    responses((status = 200, body = SloganRecord), (status = 400, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    user: Api<CanApprove>,
    Path(id): Path<i64>,
) -> Result<Json<SloganRecord>, ApiError> {
    Ok(Json(
        act(&state, user.authed.user, id, SloganAction::Approve).await?,
    ))
}

/// Why a slogan is sent back.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Rejection {
    /// The reason, shown to the person who wrote it.
    reason: String,
}

/// Send a submitted slogan back with a reason.
#[utoipa::path(post, path = "/display/slogans/{id}/reject", tag = "display", params(("id" = i64, Path)), request_body = Rejection,
    responses((status = 200, body = SloganRecord), (status = 400, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    user: Api<CanApprove>,
    Path(id): Path<i64>,
    Json(r): Json<Rejection>,
) -> Result<Json<SloganRecord>, ApiError> {
    Ok(Json(
        act(&state, user.authed.user, id, SloganAction::Reject(r.reason)).await?,
    ))
}

/// What to preview: the panel as it is (or will be) at `at`, or one draft slogan.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PreviewQuery {
    /// The instant to show (RFC 3339); default now.
    at: Option<DateTime<Utc>>,
    /// A draft slogan's text: preview it alone instead of the panel.
    #[param(min_length = 1, max_length = 500, pattern = r"\S")]
    text: Option<String>,
    /// Its colour (`#rrggbb` or a name).
    color: Option<String>,
    /// Its effect: `scroll`, `static`, `blink`.
    effect: Option<Effect>,
    /// Its scroll speed in LEDs per second (0: default).
    #[param(maximum = 500)]
    speed_px_s: Option<u16>,
    /// Milliseconds into the draft's slot, to animate it.
    ms: Option<i64>,
    /// Size of one LED in pixels, 1–16; default 4.
    scale: Option<u32>,
}

/// A PNG of the panel: what it shows now (or at `at`), or a draft slogan before approval.
#[utoipa::path(get, path = "/display/preview.png", params(PreviewQuery), tag = "display",
    responses((status = 200, content_type = "image/png", description = "The frame"), (status = 400, body = super::ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    _: Api<CanView>,
    Query(q): Query<PreviewQuery>,
) -> Result<Response, ApiError> {
    let scale = q.scale.unwrap_or(4);
    let frame = match q.text {
        Some(text) => {
            let color = match q.color.as_deref().filter(|c| !c.is_empty()) {
                None => PanelColor::RED,
                Some(c) => PanelColor::try_from(c.to_string())
                    .map_err(|e| AppError::from(WorkflowError::Invalid(e)))?,
            };
            let draft = NewSlogan {
                text,
                color,
                effect: q.effect.unwrap_or_default(),
                speed_px_s: q.speed_px_s.unwrap_or(0),
                hold_s: 5,
                show_from: None,
                show_until: None,
                position: 0,
            };
            let draft = slogans::validate(&draft, state.board.font()).map_err(AppError::from)?;
            state.board.preview(draft.to_scene(0), q.ms.unwrap_or(0))
        }
        None => state.board.frame_at(q.at.unwrap_or_else(Utc::now)),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        to_png(&frame, scale),
    )
        .into_response())
}
