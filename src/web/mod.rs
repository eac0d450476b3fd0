//! The HTTP service: for now the health page that monitoring and the IT person read.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::audio::Player;
use crate::config::Config;
use crate::media::MediaLibrary;
use crate::store::Store;

/// What every handler may need.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The recordings.
    pub library: MediaLibrary,
    /// The one player that owns the loudspeakers.
    pub player: Arc<Player>,
    /// The loaded config.
    pub config: Arc<Config>,
}

/// The whole router; tests drive it with `oneshot` without a socket.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .with_state(state)
}

/// One line of `/healthz`.
#[derive(Debug, Serialize)]
pub struct Check {
    /// Whether this part works.
    pub ok: bool,
    /// Why, in words an IT person can act on.
    pub detail: String,
}

/// The `/healthz` body.
#[derive(Debug, Serialize)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: &'static str,
    /// The database.
    pub database: Check,
    /// The loudspeaker output.
    pub audio: Check,
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let database = match state
        .store
        .run(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
        .await
    {
        Ok(()) => Check {
            ok: true,
            detail: "cơ sở dữ liệu hoạt động / database answers".into(),
        },
        Err(e) => Check {
            ok: false,
            detail: e.to_string(),
        },
    };
    let player = state.player.status();
    let audio = match (&player.format, &player.output_error) {
        (Some(f), _) => Check {
            ok: true,
            detail: format!(
                "đầu ra {} sẵn sàng ({} Hz, {} kênh), {} lần thiếu dữ liệu / output {} ready ({} Hz, {} ch), {} underruns",
                player.output,
                f.sample_rate,
                f.channels,
                player.underruns,
                player.output,
                f.sample_rate,
                f.channels,
                player.underruns
            ),
        },
        (None, Some(e)) => Check {
            ok: false,
            detail: e.clone(),
        },
        (None, None) => Check {
            ok: false,
            detail: format!(
                "đang mở đầu ra {} / opening output {}",
                player.output, player.output
            ),
        },
    };
    let healthy = database.ok && audio.ok;
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(Health {
            status: if healthy { "ok" } else { "degraded" },
            database,
            audio,
        }),
    )
}
