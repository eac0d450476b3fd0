//! Where a signed-in browser's CSRF token may come from on an unsafe request: the
//! `X-CSRF-Token` header (the pages' JavaScript), the `csrf` field of a url-encoded form, or
//! the first field of a multipart form (the upload forms put it before the file, so it is read
//! before a byte of the file). Never the URL: a token in an address ends up in logs, history
//! and `Referer` headers.
//!
//! Owns the check only; which requests need it is `auth`'s.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use futures_util::StreamExt;

use super::error::AppError;
use crate::model::said;

/// The most of a multipart body read to find its `csrf` field, which comes first.
const MULTIPART_HEAD_BYTES: usize = 8 * 1024;

/// Accept the request only if it carries the session's CSRF token `expected`; the request
/// goes on with its body whole.
pub async fn check(req: Request, expected: &str) -> Result<Request, AppError> {
    let header_ok = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| constant_eq(v, expected));
    if header_ok {
        return Ok(req);
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return check_form(req, expected).await;
    }
    match boundary(&content_type) {
        Some(boundary) if content_type.starts_with("multipart/form-data") => {
            check_multipart(req, expected, &boundary).await
        }
        _ => Err(refused()),
    }
}

fn refused() -> AppError {
    AppError::Forbidden(said!(
        "thiếu hoặc sai mã bảo vệ biểu mẫu (CSRF) — hãy tải lại trang rồi thử lại",
        "missing or wrong form token (CSRF) — reload the page and try again"
    ))
}

async fn check_form(req: Request, expected: &str) -> Result<Request, AppError> {
    let (parts, body) = req.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, super::limits::FORM_BYTES)
        .await
        .map_err(|_| AppError::TooLarge(said!("biểu mẫu quá lớn", "form too large")))?;
    match form_urlencoded_value(&bytes, "csrf") {
        Some(v) if constant_eq(&v, expected) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(refused()),
    }
}

/// Read the multipart body until its first field is whole, check it is the right `csrf`,
/// and hand on a body that replays what was read, then the rest as it comes.
async fn check_multipart(
    req: Request,
    expected: &str,
    boundary: &str,
) -> Result<Request, AppError> {
    let (parts, body) = req.into_parts();
    let mut rest = body.into_data_stream();
    let mut head = Vec::new();
    let token = loop {
        if let Some(found) = first_field(&head, boundary) {
            break found;
        }
        if head.len() > MULTIPART_HEAD_BYTES {
            break None;
        }
        match rest.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) | None => break None,
        }
    };
    match token {
        Some(v) if constant_eq(&v, expected) => {
            let replay = futures_util::stream::once(async move { Ok(Bytes::from(head)) });
            let body = Body::from_stream(replay.chain(rest));
            Ok(Request::from_parts(parts, body))
        }
        _ => Err(refused()),
    }
}

/// The `boundary` parameter of a multipart content type.
fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.eq_ignore_ascii_case("boundary")
            .then(|| v.trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// What the start of a multipart body says of its first field: `None` while it is not whole
/// yet; `Some(None)` if it is not a `csrf` field; `Some(Some(value))` if it is.
fn first_field(head: &[u8], boundary: &str) -> Option<Option<String>> {
    let opening = format!("--{boundary}\r\n");
    if head.len() < opening.len() {
        return None;
    }
    let Some(after) = head.strip_prefix(opening.as_bytes()) else {
        return Some(None);
    };
    let ends = find(after, b"\r\n\r\n")?;
    let headers = String::from_utf8_lossy(&after[..ends]);
    let is_csrf = headers.lines().any(|line| {
        let Some((name, value)) = line.split_once(':') else {
            return false;
        };
        name.trim().eq_ignore_ascii_case("content-disposition")
            && value.split(';').any(|p| p.trim() == "name=\"csrf\"")
    });
    if !is_csrf {
        return Some(None);
    }
    let value = &after[ends + 4..];
    let closing = format!("\r\n--{boundary}");
    let len = find(value, closing.as_bytes())?;
    Some(String::from_utf8(value[..len].to_vec()).ok())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The first value of `key` in an `application/x-www-form-urlencoded` string.
fn form_urlencoded_value(body: &[u8], key: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Compare secrets without leaking where they differ through timing.
pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_and_secret_comparison() {
        assert_eq!(
            form_urlencoded_value(b"a=1&csrf=x%20y", "csrf").as_deref(),
            Some("x y")
        );
        assert!(constant_eq("abc", "abc"));
        assert!(!constant_eq("abc", "abd"));
        assert!(!constant_eq("abc", "ab"));
    }

    #[test]
    fn the_csrf_field_is_read_only_when_it_comes_first() {
        let b = "XyZ";
        let csrf_first = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp3\"\r\n\r\n...";
        assert_eq!(
            first_field(csrf_first.as_bytes(), b),
            Some(Some("abc".into()))
        );
        // Cut before the value ends: read on.
        assert_eq!(first_field(&csrf_first.as_bytes()[..50], b), None);
        let file_first =
            "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"csrf\"\r\n\r\n...";
        assert_eq!(first_field(file_first.as_bytes(), b), Some(None));
        assert_eq!(
            boundary("multipart/form-data; boundary=\"----WebKit1\""),
            Some("----WebKit1".into())
        );
        assert_eq!(boundary("multipart/form-data"), None);
    }
}
