//! `/api/v1/metrics`: Prometheus metrics. Scrape with a token (`loaxa token create`), e.g.
//! `authorization: { credentials: TOKEN }` in the scrape config. It records nothing itself:
//! `ops::metrics` does.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::audio::Player;
use crate::config::Config;
use crate::display::driver::PanelDriver;
use crate::ops::metrics as m;
use crate::web::auth::*;
use crate::web::error::{ApiError, AppError};
use std::sync::Arc;

/// Metrics in the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "status",
    responses((status = 200, content_type = "text/plain", description = "Prometheus text format")))]
pub async fn get(
    State(player): State<Arc<Player>>,
    State(config): State<Arc<Config>>,
    State(panel): State<Option<Arc<PanelDriver>>>,
    _: Api<CanView>,
) -> Result<Response, ApiError> {
    let player = player.status();
    metrics::gauge!(m::UNDERRUNS).set(player.underruns as f64);
    metrics::gauge!(m::OUTPUT_UP).set(if player.format.is_some() { 1.0 } else { 0.0 });
    if let Some(panel) = &panel {
        metrics::gauge!(m::PANEL_FRAMES).set(panel.health().frames as f64);
    }
    if let Ok(space) = crate::ops::disk::space(&config.data_dir) {
        metrics::gauge!(m::DISK_FREE).set(space.free as f64);
    }
    let body = m::render().ok_or_else(|| AppError::Internal("no metrics recorder".into()))?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response())
}
