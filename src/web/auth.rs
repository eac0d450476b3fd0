//! Who is asking: sessions (browser cookies), API tokens (scripts), CSRF, and the client's
//! address (through trusted proxies only).
//!
//! A middleware resolves every request once: a `Bearer` token or the session cookie becomes an
//! [`Authed`] in the request's extensions. For browser sessions it also enforces the CSRF token
//! on every unsafe request (header `X-CSRF-Token`, query `csrf`, or form field `csrf`), so no
//! handler can forget it. Handlers then take [`PageUser`] or [`ApiUser`] and ask
//! [`Authed::require`] for the capability the route needs.

use std::net::{IpAddr, SocketAddr};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;

use super::error::{ApiError, AppError, PageError};
use super::i18n::Lang;
use crate::accounts::token_hash;
use crate::config::WebConfig;
use crate::model::{Capability, User};
use crate::store::{Store, users};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "loaxa_session";
/// The cookie that pairs the login form with its browser (login CSRF).
pub const LOGIN_COOKIE: &str = "loaxa_login";

/// A signed-in caller.
#[derive(Debug, Clone)]
pub struct Authed {
    /// Who.
    pub user: User,
    /// How they proved it.
    pub via: Via,
}

/// How a caller signed in.
#[derive(Debug, Clone)]
pub enum Via {
    /// A browser session; forms must carry its CSRF token.
    Session {
        /// The token forms carry.
        csrf: String,
        /// The stored hash of the cookie, to end the session.
        token_hash: String,
    },
    /// An API token (scripts, `loaxa emergency`).
    Token,
}

impl Authed {
    /// Refuse unless the user's role allows `c`.
    pub fn require(&self, c: Capability) -> Result<(), AppError> {
        if self.user.role.can(c) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// The CSRF token for forms (empty for API tokens, which need none).
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token => "",
        }
    }
}

/// What the middleware found out, for the extractors.
#[derive(Debug, Clone)]
struct AuthState {
    authed: Option<Authed>,
}

/// Resolve the caller, enforce CSRF for sessions, and pass the result on.
pub async fn authenticate(State(store): State<Store>, req: Request, next: Next) -> Response {
    let authed = match resolve(&store, req.headers()).await {
        Ok(a) => a,
        // A village node's media token is no user's: that route checks it itself.
        Err(AppError::Unauthorized)
            if req
                .uri()
                .path()
                .starts_with(crate::cluster::protocol::MEDIA_PATH) =>
        {
            None
        }
        Err(e) => return ApiError(e).into_response(),
    };
    let mut req = req;
    if let Some(Authed {
        via: Via::Session { csrf, .. },
        ..
    }) = &authed
        && is_unsafe(req.method())
    {
        req = match check_csrf(req, csrf).await {
            Ok(r) => r,
            Err(e) => return ApiError(e).into_response(),
        };
    }
    let signed_in = matches!(
        authed,
        Some(Authed {
            via: Via::Session { .. },
            ..
        })
    );
    req.extensions_mut().insert(AuthState { authed });
    let mut res = next.run(req).await;
    // A signed-in page holds what only its user may see: no cache (a shared phone's back
    // button, a proxy) keeps it.
    if signed_in && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    res
}

/// Whether the request comes with a session or a token that the middleware accepted.
pub fn is_signed_in(parts: &Parts) -> bool {
    parts
        .extensions
        .get::<AuthState>()
        .is_some_and(|s| s.authed.is_some())
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn resolve(store: &Store, headers: &HeaderMap) -> Result<Option<Authed>, AppError> {
    let now = Utc::now();
    if let Some(token) = bearer(headers) {
        let hash = token_hash(&token);
        let user = store
            .run(move |c| Ok(users::user_by_token(c, &hash, now)?))
            .await?;
        // A wrong token is an error, not a silent fall-back to no one.
        return match user {
            Some(user) => Ok(Some(Authed {
                user,
                via: Via::Token,
            })),
            None => Err(AppError::Unauthorized),
        };
    }
    let Some(cookie) = CookieJar::from_headers(headers)
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_string())
    else {
        return Ok(None);
    };
    let hash = token_hash(&cookie);
    let lookup = hash.clone();
    let session = store
        .run(move |c| Ok(users::session(c, &lookup, now)?))
        .await?;
    Ok(session.map(|s| Authed {
        user: s.user,
        via: Via::Session {
            csrf: s.csrf,
            token_hash: hash,
        },
    }))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

/// Accept the request only if it carries the session's CSRF token.
async fn check_csrf(req: Request, expected: &str) -> Result<Request, AppError> {
    let refused = || {
        AppError::Forbidden(
            "thiếu hoặc sai mã bảo vệ biểu mẫu (CSRF) — hãy tải lại trang rồi thử lại / missing or wrong form token (CSRF) — reload the page and try again".into(),
        )
    };
    let header_ok = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| constant_eq(v, expected));
    let query_ok = req.uri().query().is_some_and(|q| {
        form_urlencoded_value(q.as_bytes(), "csrf").is_some_and(|v| constant_eq(&v, expected))
    });
    if header_ok || query_ok {
        return Ok(req);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(refused());
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, super::limits::FORM_BYTES)
        .await
        .map_err(|_| AppError::TooLarge("biểu mẫu quá lớn / form too large".into()))?;
    match form_urlencoded_value(&bytes, "csrf") {
        Some(v) if constant_eq(&v, expected) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(refused()),
    }
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

/// The signed-in caller of a request, if any.
pub fn current(parts: &Parts) -> Option<Authed> {
    authed_of(parts)
}

fn authed_of(parts: &Parts) -> Option<Authed> {
    parts
        .extensions
        .get::<AuthState>()
        .and_then(|s| s.authed.clone())
}

/// A signed-in user on an API route; 401 JSON otherwise.
#[derive(Debug, Clone)]
pub struct ApiUser(pub Authed);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        authed_of(parts)
            .map(ApiUser)
            .ok_or(ApiError(AppError::Unauthorized))
    }
}

/// A signed-in user on a page, with their language; a redirect to the login page otherwise.
#[derive(Debug, Clone)]
pub struct PageUser {
    /// Who.
    pub authed: Authed,
    /// Their language.
    pub lang: Lang,
    /// What the page they were sent on to confirms ("Đã duyệt"), if anything.
    pub flash: Option<super::flash::Flash>,
}

impl PageUser {
    /// Refuse unless the role allows `c`, as a page.
    pub fn require(&self, c: Capability) -> Result<(), PageError> {
        self.authed
            .require(c)
            .map_err(|e| PageError::new(e, self.lang))
    }

    /// Wrap an error for this user's page.
    pub fn err(&self, e: impl Into<AppError>) -> PageError {
        PageError::new(e, self.lang)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = Response;

    /// Without a session, go to the login page and come back here after; say the session
    /// ended only if there was one.
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let lang = Lang::of(&jar);
        if let Some(authed) = authed_of(parts) {
            let flash = super::flash::Flash::of(&jar);
            return Ok(PageUser {
                authed,
                lang,
                flash,
            });
        }
        let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let next: String = url_escape(here);
        let expired = if jar.get(SESSION_COOKIE).is_some() {
            "&expired=1"
        } else {
            ""
        };
        Err(axum::response::Redirect::to(&format!("/login?next={next}{expired}")).into_response())
    }
}

/// Percent-encode a path for a query string.
fn url_escape(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|e| e.trim_start_matches("x=").to_string())
        .unwrap_or_default()
}

/// A capability a route needs, as a type, so the check runs while the request's head is read,
/// before any body is parsed: a refused upload is refused before a byte of it is stored.
pub trait Cap: Send + Sync + 'static {
    /// The capability.
    const CAP: Capability;
}

macro_rules! caps {
    ($($name:ident => $cap:ident),*) => {$(
        #[doc = concat!("Needs [`Capability::", stringify!($cap), "`].")]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Cap for $name {
            const CAP: Capability = Capability::$cap;
        }
    )*};
}

caps!(CanView => View, CanEdit => Edit, CanApprove => Approve, CanAudit => Audit, CanAdmin => Administer, CanEmergency => Emergency);

/// A signed-in page user whose role allows `C`.
#[derive(Debug, Clone)]
pub struct Page<C: Cap> {
    /// The user.
    pub user: PageUser,
    _cap: std::marker::PhantomData<C>,
}

impl<C: Cap> std::ops::Deref for Page<C> {
    type Target = PageUser;
    fn deref(&self) -> &PageUser {
        &self.user
    }
}

impl<S: Send + Sync, C: Cap> FromRequestParts<S> for Page<C> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = PageUser::from_request_parts(parts, state).await?;
        user.require(C::CAP).map_err(IntoResponse::into_response)?;
        Ok(Page {
            user,
            _cap: std::marker::PhantomData,
        })
    }
}

/// A signed-in API caller whose role allows `C`.
#[derive(Debug, Clone)]
pub struct Api<C: Cap> {
    /// The caller.
    pub authed: Authed,
    _cap: std::marker::PhantomData<C>,
}

impl<S: Send + Sync, C: Cap> FromRequestParts<S> for Api<C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiUser(authed) = ApiUser::from_request_parts(parts, state).await?;
        authed.require(C::CAP)?;
        Ok(Api {
            authed,
            _cap: std::marker::PhantomData,
        })
    }
}

/// The client's address: the connection's, or, when the connection comes from one of
/// `web.trusted_proxies`, the last address in `X-Forwarded-For` that is not a trusted proxy.
/// A request with no connection (the router driven in tests) reads as this machine.
pub fn client_addr(parts: &Parts, config: &WebConfig) -> IpAddr {
    let peer = peer_addr(parts);
    let proxies = config.proxies();
    if !proxies.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for hop in forwarded.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if proxies.contains(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => break,
        }
    }
    peer
}

/// The address the connection comes from.
fn peer_addr(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip())
}

/// Whether the browser reached us over HTTPS: this server's own TLS, `web.secure_cookies`
/// (a proxy in front), or a trusted proxy's `X-Forwarded-Proto: https`. Cookies go out
/// `Secure` then.
pub fn is_https(parts: &Parts, config: &WebConfig) -> bool {
    config.tls()
        || config.secure_cookies
        || (config.proxies().contains(&peer_addr(parts))
            && parts
                .headers
                .get("x-forwarded-proto")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https")))
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
}
