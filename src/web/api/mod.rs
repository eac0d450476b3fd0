//! The JSON API under `/api/v1`, for scripts and for the pages' own JavaScript. Callers sign
//! in with `Authorization: Bearer TOKEN` (see `loaxa token create`) or the session cookie plus
//! `X-CSRF-Token`. Errors are `{"error": {"code", "message"}}`. The OpenAPI document at
//! `/api/v1/openapi.json` is generated from these handlers.

mod asrun;
mod audit;
pub(crate) mod display;
pub mod emergency;
mod events;
mod items;
mod media;
mod metrics;
mod status;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::AppState;

/// The routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/media", get(media::list).post(media::upload))
        .route("/media/{id}", get(media::get))
        .route("/media/{id}/audio", get(media::audio))
        .route("/items", get(items::list).post(items::create))
        .route("/items/{id}", get(items::get).put(items::edit))
        .route("/items/{id}/submit", post(items::submit))
        .route("/items/{id}/withdraw", post(items::withdraw))
        .route("/items/{id}/approve", post(items::approve))
        .route("/items/{id}/reject", post(items::reject))
        .route("/status", get(status::get))
        .route("/asrun", get(asrun::get))
        .route("/audit", get(audit::get))
        .route("/events", get(events::stream))
        .route(
            "/emergency",
            get(emergency::get)
                .post(emergency::post)
                .delete(emergency::delete),
        )
        .route("/cap", post(emergency::cap))
        .route("/metrics", get(metrics::get))
        .route("/display", get(display::status))
        .route("/display/preview.png", get(display::preview))
        .route("/display/slogans", get(display::list).post(display::create))
        .route(
            "/display/slogans/{id}",
            get(display::get).put(display::edit),
        )
        .route("/display/slogans/{id}/submit", post(display::submit))
        .route("/display/slogans/{id}/withdraw", post(display::withdraw))
        .route("/display/slogans/{id}/approve", post(display::approve))
        .route("/display/slogans/{id}/reject", post(display::reject))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Loa Xã API",
        description = "Đài truyền thanh xã: bản ghi, bản tin, duyệt, lịch phát, nhật ký. / Commune broadcasting: recordings, items, approval, programme, logs.",
        version = "1"
    ),
    servers((url = "/api/v1")),
    paths(
        media::list, media::upload, media::get, media::audio,
        items::list, items::create, items::get, items::edit,
        items::submit, items::withdraw, items::approve, items::reject,
        status::get, metrics::get, asrun::get, audit::get,
        emergency::post, emergency::get, emergency::delete, emergency::cap,
        display::status, display::preview, display::list, display::create, display::get,
        display::edit, display::submit, display::withdraw, display::approve, display::reject,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&Security),
    security(("bearer" = []), ("session" = []))
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                super::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// Every error the API returns.
#[derive(utoipa::ToSchema, serde::Serialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// An error's code and message.
#[derive(utoipa::ToSchema, serde::Serialize)]
pub struct ErrorDetail {
    /// Machine-readable: `unauthorized`, `forbidden`, `not_found`, `bad_request`, `conflict`,
    /// `too_large`, `unsupported_media`, `unprocessable`, `insufficient_storage`, `too_many_requests`,
    /// `internal`.
    pub code: String,
    /// For people, Vietnamese then English.
    pub message: String,
}

/// The OpenAPI 3 document of this API.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi() -> impl IntoResponse {
    let body = document().to_pretty_json().unwrap_or_else(|_| "{}".into());
    ([(header::CONTENT_TYPE, "application/json")], body)
}
