//! How big and how slow a request may be, per route: forms and API calls 64 KiB and
//! `web.request_timeout_seconds` whole (plus `speech.timeout_seconds` where a typed bulletin
//! is read aloud before the answer); CAP alerts 1 MiB; recordings up to
//! `web.max_upload_mb`, with no total time but `web.upload_idle_seconds` between two pieces
//! (a slow phone still gets there; a stalled one does not hold a connection forever).
//!
//! Applied once, in [`enforce`], from the route a request matched, so a new route gets the
//! small limits unless it is named here. A body declared too large is refused before a byte of
//! it is read or any handler runs. Must not decide who may send what (that is `auth`'s).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::Limited;

use super::error::{ApiError, AppError};
use crate::config::Config;
use crate::model::said;

/// Largest form or JSON body.
pub const FORM_BYTES: usize = 64 << 10;
/// Largest CAP alert (an XML document with a few areas and resources).
pub const CAP_BYTES: usize = 1 << 20;

/// The routes that take recordings: the API's upload and the item forms with a file.
const UPLOAD_ROUTES: &[&str] = &["/api/v1/media", "/items/new", "/items/{id}/edit"];
/// The routes that read a typed bulletin aloud before answering (creation and edits).
const SPEECH_ROUTES: &[&str] = &[
    "/api/v1/bulletins",
    "/api/v1/bulletins/{id}",
    "/bulletins/new",
    "/bulletins/{id}/edit",
];
/// The route that takes CAP alerts.
const CAP_ROUTE: &str = "/api/v1/cap";

/// What one request may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Largest body, in bytes.
    pub bytes: usize,
    /// The whole request must be answered within this (small bodies).
    pub total: Option<Duration>,
    /// The body may pause at most this long between two pieces (uploads).
    pub idle: Option<Duration>,
}

/// The limit of a request to `route` (the matched route pattern) with `method`.
pub fn limit_for(method: &Method, route: Option<&str>, config: &Config) -> Limit {
    let web = &config.web;
    let whole = Duration::from_secs(u64::from(web.request_timeout_seconds));
    match route {
        Some(r) if *method == Method::POST && UPLOAD_ROUTES.contains(&r) => Limit {
            // Just above the upload limit, so the upload's own clear message comes first.
            bytes: usize::try_from(web.max_upload_mb.saturating_mul(1_000_000))
                .unwrap_or(usize::MAX)
                .saturating_add(1 << 20),
            total: None,
            idle: Some(Duration::from_secs(u64::from(web.upload_idle_seconds))),
        },
        Some(r) if matches!(*method, Method::POST | Method::PUT) && SPEECH_ROUTES.contains(&r) => {
            Limit {
                // 5000 characters of Vietnamese fit, percent-encoded, in a form's limit.
                bytes: FORM_BYTES,
                total: Some(whole + Duration::from_secs(u64::from(config.speech.timeout_seconds))),
                idle: None,
            }
        }
        Some(CAP_ROUTE) => Limit {
            bytes: CAP_BYTES,
            total: Some(whole),
            idle: None,
        },
        _ => Limit {
            bytes: FORM_BYTES,
            total: Some(whole),
            idle: None,
        },
    }
}

/// Keep every request within its route's [`Limit`].
pub async fn enforce(State(config): State<Arc<Config>>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str());
    let limit = limit_for(req.method(), route, &config);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit.bytes as u64) {
        return too_large(limit.bytes);
    }
    let (parts, body) = req.into_parts();
    let req = match limit.idle {
        // An upload's size is the multipart extractor's to hold (`DefaultBodyLimit`, the same
        // ceiling), so its refusal reads as the library's "too large", not a broken form.
        Some(idle) => Request::from_parts(
            parts,
            Body::new(tower_http::timeout::TimeoutBody::new(idle, body)),
        ),
        None => Request::from_parts(parts, Body::new(Limited::new(body, limit.bytes))),
    };
    match limit.total {
        None => next.run(req).await,
        Some(total) => match tokio::time::timeout(total, next.run(req)).await {
            Ok(res) => res,
            Err(_) => ApiError(AppError::Timeout({
                let s = total.as_secs();
                said!(
                    "yêu cầu không đến đủ trong {s} giây",
                    "the request did not arrive whole within {s} seconds"
                )
            }))
            .into_response(),
        },
    }
}

fn too_large(bytes: usize) -> Response {
    let kib = bytes >> 10;
    ApiError(AppError::TooLarge(said!(
        "nội dung gửi lên quá lớn (tối đa {kib} KiB ở đây)",
        "the request body is too large (at most {kib} KiB here)"
    )))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_recording_routes_take_large_bodies() {
        let config = Config::default();
        let post = |r: &str| limit_for(&Method::POST, Some(r), &config);
        for r in UPLOAD_ROUTES {
            assert!(post(r).bytes > 200_000_000, "{r}");
            assert_eq!(post(r).total, None, "{r}: uploads have no total time");
            assert!(post(r).idle.is_some(), "{r}");
        }
        assert_eq!(post(CAP_ROUTE).bytes, CAP_BYTES);
        for r in SPEECH_ROUTES {
            assert_eq!(post(r).bytes, FORM_BYTES, "{r}");
            assert_eq!(
                post(r).total,
                Some(Duration::from_secs(30 + 120)),
                "{r}: read aloud"
            );
        }
        for r in [
            "/login",
            "/setup/{token}",
            "/users",
            "/api/v1/emergency",
            "/logout",
        ] {
            assert_eq!(post(r).bytes, FORM_BYTES, "{r}");
            assert_eq!(post(r).total, Some(Duration::from_secs(30)), "{r}");
        }
        assert_eq!(
            limit_for(&Method::GET, Some("/items/new"), &config).bytes,
            FORM_BYTES
        );
        assert_eq!(limit_for(&Method::POST, None, &config).bytes, FORM_BYTES);
    }
}
