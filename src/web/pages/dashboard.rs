//! The dashboard: what is on air, what comes next, whether the equipment works, and what needs
//! someone's attention. It updates itself over SSE.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Chrome, local, render};
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::PageError;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    c: Chrome,
    on_air: Option<OnAir>,
    output_ok: bool,
    output_detail: String,
    underruns: u64,
    warnings: Vec<String>,
}

struct OnAir {
    label: String,
    since: String,
}

/// `GET /`.
pub async fn page(
    State(state): State<AppState>,
    user: Page<CanView>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&state, &user, "dashboard").await?;
    let tz = state.config.tz();
    let status = state.player.status();
    let on_air = status.now_playing.as_ref().map(|n| OnAir {
        label: n.label.clone(),
        since: n.since.map(|t| local(t, tz)).unwrap_or_default(),
    });
    let (output_ok, output_detail) = match (&status.format, &status.output_error) {
        (Some(f), _) => (
            true,
            format!(
                "{} · {} Hz · {} kênh/ch",
                status.output, f.sample_rate, f.channels
            ),
        ),
        (None, Some(e)) => (false, e.clone()),
        (None, None) => (false, status.output.clone()),
    };
    let mut warnings = Vec::new();
    if !output_ok {
        warnings.push(output_detail.clone());
    }
    let page = Dashboard {
        c,
        on_air,
        output_ok,
        output_detail,
        underruns: status.underruns,
        warnings,
    };
    Ok(render(page, user.lang))
}
