//! The HTTP service: pages for staff on their phones, a JSON API under `/api/v1`, and
//! `/healthz` for monitoring.
//!
//! - [`auth`]: sessions, API tokens, CSRF and login throttling, resolved once per request;
//! - [`pages`]: the HTML pages (askama templates in `templates/`, Vietnamese first);
//! - [`api`]: the JSON API and its OpenAPI document;
//! - [`assets`]: CSS and JS compiled into the binary (no CDN: the LAN is often offline).

pub mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod health;
pub mod i18n;
pub mod pages;
pub mod review;
pub mod upload;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::audio::Player;
use crate::config::Config;
use crate::media::MediaLibrary;
use crate::store::Store;

/// What every handler may need. Cheap to clone.
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
    /// Failed logins, per address and name.
    pub throttle: Arc<auth::LoginThrottle>,
    /// Things that happened, for live pages.
    pub events: crate::station::Bus,
    /// The programme files as loaded (reloaded from the settings page).
    pub programme: Arc<std::sync::RwLock<crate::schedule::Programme>>,
    /// What was wrong in the programme files when they were loaded.
    pub programme_problems: Arc<std::sync::RwLock<Vec<String>>>,
    /// Emergency announcements.
    pub emergency: crate::emergency::Emergency,
    /// What the LED panel shows, for the preview and after slogan approvals.
    pub board: Arc<crate::display::board::Board>,
    /// The running panel loop, if a panel is configured.
    pub panel: Option<Arc<crate::display::driver::PanelDriver>>,
    /// Uploads measured at once. Measuring takes a whole core for seconds; fifty at once
    /// would starve the pages (and, on a Pi, everything else), so the rest wait their turn.
    pub measuring: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The programme as loaded now.
    pub fn programme(&self) -> crate::schedule::Programme {
        self.programme
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// What was wrong in the programme files when they were last loaded.
    pub fn programme_problems(&self) -> Vec<String> {
        self.programme_problems
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The plan for `[from, to)`, with what the database holds now.
    pub async fn plan(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<crate::schedule::Plan, crate::store::StoreError> {
        let programme = self.programme();
        let tz = self.config.tz();
        self.store
            .run(move |c| {
                Ok(crate::schedule::plan_from_store(
                    c, &programme, from, to, tz,
                )?)
            })
            .await
    }
}

/// The whole router; tests drive it with `oneshot` without a socket.
pub fn app(state: AppState) -> Router {
    // Uploads stream to disk and stop at the configured limit themselves; the body limit is
    // set just above it so the limit message comes from us, not from a dropped connection.
    let body_limit = state.config.web.max_upload_mb.saturating_mul(1_000_000) as usize + (1 << 20);
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .merge(health::router())
        .merge(assets::router())
        .layer(middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data: blob:; media-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}
