//! `/api/v1/display`: the LED panel's status and the live preview (its slogans are reviewed
//! content, in [`super::review`]). It draws nothing itself (the board does), and slogans change
//! only through the review.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{Json, Query};
use crate::config::Config;
use crate::display::board::Board;
use crate::display::driver::PanelDriver;
use crate::display::driver::PanelHealth;
use crate::display::panel::to_png;
use crate::display::slogans;
use crate::model::{Effect, NewSlogan, PanelColor, PanelKind};
use crate::review::ReviewError;
use crate::web::auth::*;
use crate::web::error::{ApiError, AppError};
use std::sync::Arc;

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
pub async fn status(
    State(config): State<Arc<Config>>,
    State(panel): State<Option<Arc<PanelDriver>>>,
    _: Api<CanView>,
) -> Json<PanelStatus> {
    let d = &config.display;
    Json(PanelStatus {
        width: d.width,
        height: d.height,
        kind: d.kind,
        output: d.output.to_string(),
        health: panel.as_ref().map(|p| p.health()),
    })
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
    State(board): State<Arc<Board>>,
    _: Api<CanView>,
    Query(q): Query<PreviewQuery>,
) -> Result<Response, ApiError> {
    let scale = q.scale.unwrap_or(4);
    let frame = match q.text {
        Some(text) => {
            let color = match q.color.as_deref().filter(|c| !c.is_empty()) {
                None => PanelColor::RED,
                Some(c) => PanelColor::try_from(c.to_string())
                    .map_err(|e| AppError::from(ReviewError::Invalid(e)))?,
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
            let draft = slogans::validate(&draft, board.font()).map_err(AppError::from)?;
            board.preview(draft.to_scene(0), q.ms.unwrap_or(0))
        }
        None => board.frame_at(q.at.unwrap_or_else(Utc::now)),
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
