//! The HTTP service: pages for staff on their phones, a JSON API under `/api/v1`, and
//! `/healthz` for monitoring.
//!
//! - [`auth`]: sessions, API tokens and their scopes, resolved once per request;
//! - [`csrf`]: where a form's CSRF token may come from (never the URL);
//! - [`pages`]: the HTML pages (askama templates in `templates/`, Vietnamese first);
//! - [`api`]: the JSON API and its OpenAPI document;
//! - [`assets`]: CSS and JS compiled into the binary (no CDN: the LAN is often offline);
//! - [`state`]: the parts handlers take (`State<Store>`, `State<Timetable>`…);
//! - [`server`], [`tls`]: the sockets, plain or HTTPS, and HTTPS's certificate;
//! - [`limits`]: how big and how slow each route's requests may be;
//! - [`throttle`]: what a burst of password guesses may cost;
//! - [`redirect`]: the only places a page may send the browser on to;
//! - [`banner`]: the emergency on air, at the top of every page, and when the speakers are silent;
//! - [`flash`]: the one confirmation a page shows after a redirect ("Đã duyệt");
//! - [`review`], [`input`], [`upload`], [`error`], [`i18n`], [`health`]: what the routes share.
//!
//! Handlers parse, call one use case of [`crate::station`] (or read the store), and present
//! the answer; none opens a transaction. Must not hold business rules (those are the review
//! rules' and the use cases').

pub mod api;
pub mod assets;
pub mod auth;
pub mod banner;
pub mod csrf;
pub mod error;
pub mod flash;
pub mod health;
pub mod i18n;
pub mod input;
pub mod limits;
pub mod node_health;
pub mod pages;
pub mod redirect;
pub mod review;
pub mod server;
pub mod state;
pub mod throttle;
pub mod tls;
pub mod upload;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware;
use tower_http::set_header::SetResponseHeaderLayer;

pub use state::AppState;

/// The whole router; tests drive it with `oneshot` without a socket.
pub fn app(state: AppState) -> Router {
    // Each route's own limit is `limits::enforce`'s; this ceiling is the one the upload
    // routes' multipart extractor keeps.
    let body_limit = state.config.web.max_upload_mb.saturating_mul(1_000_000) as usize + (1 << 20);
    // Served over HTTPS by this binary: browsers come back only over HTTPS for a year.
    let hsts = state
        .config
        .web
        .tls()
        .then(|| HeaderValue::from_static("max-age=31536000"));
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .merge(health::router())
        .merge(assets::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn(flash::forget_once_shown))
        .layer(middleware::from_fn_with_state(state.clone(), banner::note))
        // Outside `authenticate`, which reads form bodies for their CSRF token.
        .layer(middleware::from_fn_with_state(
            state.config.clone(),
            limits::enforce,
        ))
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
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &axum::response::Response| hsts.clone(),
        ))
        .with_state(state)
}
