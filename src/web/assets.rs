//! CSS, JS, icons and the web app manifest (the station as an app on a phone's home screen),
//! compiled into the binary: the commune's LAN is often offline, so nothing comes from a CDN.
//! It serves only these files, never anything a user uploaded. The PNG icons are `icon.svg`
//! drawn at 192 and 512 px (and 180 px full-bleed for iOS's `apple-touch-icon`) with
//! `ffmpeg -width N -height N -i icon.svg icon-N.png`, committed.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::Embed;

use super::AppState;

#[derive(Embed)]
#[folder = "src/web/static/"]
struct Static;

/// `/static/*`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{*path}", get(serve))
        .route("/favicon.ico", get(|| serve(Path("icon.svg".to_string()))))
        // At the root, where browsers fetch it without the session cookie.
        .route(
            "/manifest.webmanifest",
            get(|| serve(Path("manifest.webmanifest".to_string()))),
        )
}

async fn serve(Path(path): Path<String>) -> Response {
    let Some(file) = Static::get(&path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mime = match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        file.data,
    )
        .into_response()
}
