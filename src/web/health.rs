//! `/healthz`: what works and what needs a person, each with a reason an IT person can act on.
//! Answers 200 when everything works and 503 otherwise, so monitoring can alert on it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::AppState;

/// The `/healthz` route.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
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
