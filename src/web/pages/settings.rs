//! Settings (admin): the configuration in force, read-only (it is edited in `loaxa.toml`), and
//! with HTTPS on, the certificate's fingerprint staff compare with what their browser shows.
//! It changes no setting and writes no file: the page only reads what is in force.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use std::sync::Arc;

use super::{Chrome, render};
use crate::config::Config;
use crate::model::said;
use crate::schedule::Timetable;
use crate::station::{Bus, programme};
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::PageError;

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    config: String,
    problems: Vec<String>,
    summary: String,
    /// With HTTPS on: the certificate's SHA-256 fingerprint, or why it cannot be read.
    fingerprint: Option<Result<String, String>>,
}

/// `GET /settings`.
pub async fn page(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(timetable): State<Timetable>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "settings").await?;
    let fingerprint = config
        .web
        .tls()
        .then(|| crate::web::tls::fingerprint_of(&config.web.tls_cert).map_err(|e| e.to_string()));
    let config = toml::to_string_pretty(config.as_ref()).unwrap_or_default();
    let p = timetable.programme();
    let (slots, playlists, holidays) = (p.slots.len(), p.playlists.len(), p.holidays.len());
    let summary = said!(
        "{slots} buổi · {playlists} playlist · {holidays} ngày lễ",
        "{slots} slots · {playlists} playlists · {holidays} holidays"
    );
    let summary = user.lang.say(&summary).to_string();
    let problems = user.lang.say_all(&timetable.problems());
    Ok(render(
        SettingsPage {
            c,
            config,
            problems,
            summary,
            fingerprint,
        },
        user.lang,
    ))
}

/// `POST /settings/reload`: read the programme files again (after the IT person edited them).
pub async fn reload(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(events): State<Bus>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    let admin = user.authed.user.name.clone();
    tokio::task::spawn_blocking(move || programme::reload(&timetable, &store, &events, &admin))
        .await
        .map_err(|e| user.err(e))?
        .map_err(|e| user.err(e))?;
    Ok(axum::response::Redirect::to("/settings").into_response())
}
