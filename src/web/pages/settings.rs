//! Settings (admin): the configuration in force, read-only; it is edited in `loaxa.toml`.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::{Chrome, render};
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::PageError;

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    config: String,
    problems: Vec<String>,
    summary: String,
}

/// `GET /settings`.
pub async fn page(
    State(state): State<AppState>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&state, &user, "settings").await?;
    let config = toml::to_string_pretty(state.config.as_ref()).unwrap_or_default();
    let p = state.programme();
    let summary = format!(
        "{} buổi / slots · {} playlist · {} ngày lễ / holidays",
        p.slots.len(),
        p.playlists.len(),
        p.holidays.len()
    );
    let problems = state.programme_problems();
    Ok(render(
        SettingsPage {
            c,
            config,
            problems,
            summary,
        },
        user.lang,
    ))
}

/// `POST /settings/reload`: read the programme files again (after the IT person edited them).
pub async fn reload(
    State(state): State<AppState>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    let config = state.config.clone();
    let (programme, problems) =
        tokio::task::spawn_blocking(move || crate::service::load_programme(&config))
            .await
            .map_err(|e| user.err(e))?;
    let summary = serde_json::json!({"slots": programme.slots.len(), "problems": problems.len()});
    *state.programme.write().unwrap_or_else(|e| e.into_inner()) = programme;
    *state
        .programme_problems
        .write()
        .unwrap_or_else(|e| e.into_inner()) = problems;
    let admin = user.authed.user.name.clone();
    state
        .store
        .run(move |c| {
            let tx = c.transaction()?;
            crate::store::audit::record(&tx, &admin, "programme.reload", "programme", &summary)?;
            tx.commit()?;
            Ok(())
        })
        .await
        .map_err(|e| user.err(e))?;
    Ok(axum::response::Redirect::to("/settings").into_response())
}
