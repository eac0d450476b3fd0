//! Settings (admin): the configuration in force, read-only; it is edited in `loaxa.toml`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Chrome, render};
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::PageError;

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    config: String,
}

/// `GET /settings`.
pub async fn page(
    State(state): State<AppState>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&state, &user, "settings").await?;
    let config = toml::to_string_pretty(state.config.as_ref()).unwrap_or_default();
    Ok(render(SettingsPage { c, config }, user.lang))
}
