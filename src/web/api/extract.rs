//! axum's `Json`, `Path` and `Query`, refusing bad input with the API's own error body
//! (`{"error": {"code", "message"}}`, in Vietnamese then English) instead of axum's plain
//! English text, so a script reads a refused body, path or query like any other error. It does not
//! judge what the input means: the handlers do.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::Said;
use crate::web::error::{ApiError, AppError};

/// A JSON body in, or a JSON answer out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// Values from the URL path (`/items/{id}`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

/// Values from the query string (`?from=…&to=…`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Json(value))
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(value))
    }
}

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(value))
    }
}

/// axum's reason for refusing a request, as one of ours: the status axum chose, our words
/// for it, and the detail (the field and what was wrong with it) that axum found.
fn refused(status: StatusCode, source: Option<&dyn std::error::Error>, text: String) -> AppError {
    let detail = source.map_or(text, ToString::to_string);
    let say = |vi: &str, en: &str| Said::new(vi, en).with(": ", &Said::same(detail.as_str()));
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::TooLarge(say("nội dung quá lớn", "the request is too large"))
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::Unsupported(say(
            "sai kiểu nội dung (Content-Type)",
            "wrong content type",
        )),
        StatusCode::UNPROCESSABLE_ENTITY => {
            AppError::Unprocessable(say("dữ liệu không hợp lệ", "invalid data"))
        }
        s if s.is_server_error() => AppError::Internal(detail),
        _ => AppError::BadRequest(say("yêu cầu không hợp lệ", "invalid request")),
    }
}

macro_rules! refused_from {
    ($($rejection:ty),+) => {$(
        impl From<$rejection> for AppError {
            fn from(r: $rejection) -> Self {
                refused(r.status(), std::error::Error::source(&r), r.body_text())
            }
        }
    )+};
}

refused_from!(
    JsonRejection,
    PathRejection,
    QueryRejection,
    MultipartRejection
);

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::post;
    use tower::ServiceExt;

    use super::*;

    #[derive(serde::Deserialize)]
    struct Body1 {
        #[allow(dead_code)]
        n: u8,
    }

    async fn handler(Path(_): Path<i64>, Json(_): Json<Body1>) -> &'static str {
        "ok"
    }

    async fn answer(uri: &str, content_type: &str, body: &str) -> (StatusCode, serde_json::Value) {
        let app = Router::new().route("/x/{id}", post(handler));
        let req = Request::post(uri)
            .header("content-type", content_type)
            .body(Body::from(body.to_string()))
            .unwrap();
        let res = app.oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn bad_input_is_refused_with_the_api_error_body() {
        for (uri, ct, body, status, code, needle) in [
            (
                "/x/abc",
                "application/json",
                r#"{"n":1}"#,
                400,
                "bad_request",
                "abc",
            ),
            ("/x/1", "application/json", "{", 400, "bad_request", "EOF"),
            (
                "/x/1",
                "application/json",
                r#"{"n":300}"#,
                422,
                "unprocessable",
                "n",
            ),
            (
                "/x/1",
                "text/plain",
                r#"{"n":1}"#,
                415,
                "unsupported_media",
                "Content-Type",
            ),
        ] {
            let (s, json) = answer(uri, ct, body).await;
            assert_eq!(s.as_u16(), status, "{uri} {body}: {json}");
            assert_eq!(json["error"]["code"], code, "{json}");
            let message = json["error"]["message"].as_str().unwrap();
            assert!(
                message.contains(" / ") && message.contains(needle),
                "{message}"
            );
        }
    }
}
