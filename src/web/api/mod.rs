//! The JSON API under `/api/v1`, for scripts and for the pages' own JavaScript. Callers sign
//! in with `Authorization: Bearer TOKEN` (see `loaxa token create`) or the session cookie plus
//! `X-CSRF-Token`. Errors are `{"error": {"code", "message"}}`. The OpenAPI document at
//! `/api/v1/openapi.json` is generated from these handlers. No handler holds rules or SQL: each
//! parses, calls a use case or the store, and answers.

mod asrun;
mod audit;
pub(crate) mod cluster;
mod display;
pub mod emergency;
mod events;
mod extract;
mod listen;
mod media;
mod metrics;
pub(crate) mod reports;
pub mod review;
mod status;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::AppState;
use crate::model::said;

/// The routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/media", get(media::list).post(media::upload))
        .route("/media/{id}", get(media::get))
        .route("/media/{id}/audio", get(media::audio))
        .merge(review::items::routes())
        .route("/status", get(status::get))
        .route("/asrun", get(asrun::get))
        .route("/audit", get(audit::get))
        .route("/reports/plays", get(reports::plays))
        .route("/reports/connectivity", get(reports::connectivity))
        .route("/reports/condition", get(reports::condition))
        .route("/events", get(events::stream))
        .route("/listen", get(listen::stream))
        .route(
            "/emergency",
            get(emergency::get)
                .post(emergency::post)
                .delete(emergency::delete),
        )
        .route("/cap", post(emergency::cap))
        .route("/nodes", get(cluster::nodes))
        .route("/cluster/media/{sha256}", get(cluster::media))
        .route("/metrics", get(metrics::get))
        .route("/display", get(display::status))
        .route("/display/preview.png", get(display::preview))
        .merge(review::slogans::routes())
        .merge(review::bulletins::routes())
        .fallback(no_such_path)
}

/// A path under `/api/v1` that names no operation: the API's JSON error, not an empty 404.
async fn no_such_path(
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> super::error::ApiError {
    super::error::AppError::NotFound({
        let path = uri.path();
        said!(
            "không có đường dẫn API {path} — xem /api/v1/openapi.json",
            "no API path {path} — see /api/v1/openapi.json"
        )
    })
    .into()
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
        review::items::list, review::items::create, review::items::get, review::items::edit,
        review::items::submit, review::items::withdraw, review::items::approve,
        review::items::reject, review::items::take_off,
        status::get, metrics::get, asrun::get, audit::get,
        reports::plays, reports::connectivity, reports::condition,
        emergency::post, emergency::get, emergency::delete, emergency::cap,
        cluster::nodes, cluster::media,
        display::status, display::preview,
        review::slogans::list, review::slogans::create, review::slogans::get,
        review::slogans::edit, review::slogans::submit, review::slogans::withdraw,
        review::slogans::approve, review::slogans::reject, review::slogans::take_off,
        review::bulletins::list, review::bulletins::create, review::bulletins::get,
        review::bulletins::edit, review::bulletins::submit, review::bulletins::withdraw,
        review::bulletins::approve, review::bulletins::reject, review::bulletins::take_off,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&Security, &CommonErrors),
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

/// The refusals every operation can answer, declared once instead of on each handler: 401
/// without a token, 403 for a role that may not, 400 for a malformed query, path or body or
/// values the rules refuse, 404 for an id that names nothing, 413/415/422 for a body that is
/// too big, of the wrong content type, or not of the declared shape.
struct CommonErrors;

impl utoipa::Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for op in operations.into_iter().flatten() {
                let mut declare = |status: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error(description).into());
                };
                declare("401", "Not signed in / chưa đăng nhập");
                declare("403", "Not allowed for this role / không có quyền");
                declare("400", "Malformed request / yêu cầu không hợp lệ");
                if path.contains('{') {
                    declare("404", "No such id / không tìm thấy");
                }
                if op.request_body.is_some() {
                    declare("413", "Body too large / quá lớn");
                    declare("415", "Wrong content type / sai kiểu nội dung");
                    declare(
                        "422",
                        "Body not of the declared shape / sai cấu trúc dữ liệu",
                    );
                }
            }
        }
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
