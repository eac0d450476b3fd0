//! Who is asking: sessions (browser cookies), API tokens (scripts), CSRF, and the client's
//! address (through trusted proxies only).
//!
//! A middleware resolves every request once: a `Bearer` token or the session cookie becomes an
//! [`Authed`] in the request's extensions. A token is held to its scope there (a `cap` token
//! posts CAP alerts only, a `read` token only reads), and a revoked one is told so. A session
//! ends after `web.session_idle_minutes` without use (`…_privileged` for operators and admins);
//! what pages fetch by themselves ([`BACKGROUND`]) is not use. For browser sessions the
//! middleware also enforces the CSRF token on every unsafe request (see [`super::csrf`] for
//! where it may come from), so no handler can forget it. Handlers then take [`PageUser`] or
//! [`ApiUser`] and ask [`Authed::require`] for the capability the route needs.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, Utc};

use super::AppState;
use super::error::{ApiError, AppError, PageError};
use super::i18n::Lang;
use crate::accounts::token_hash;
use crate::config::WebConfig;
use crate::model::account::IdleLimits;
use crate::model::said;
use crate::model::{Capability, TokenScope, User};
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
    Token {
        /// Its row id.
        id: i64,
        /// What it may do within the user's role.
        scope: TokenScope,
    },
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
            Via::Token { .. } => "",
        }
    }
}

/// What the middleware found out, for the extractors.
#[derive(Debug, Clone)]
struct AuthState {
    authed: Option<Authed>,
}

/// Requests a page makes by itself while it is open (the live status, its event stream, the
/// panel preview, the emergency banner): they do not keep a session from ending for want of use.
pub const BACKGROUND: &[&str] = &[
    "/api/v1/status",
    "/api/v1/events",
    "/api/v1/display/preview.png",
    "/banner",
];

/// The sign-in form's path. Its post carries its own pairing token (`LOGIN_COOKIE`), not the
/// session's: signing in from a browser that holds a session (someone else's, planted) must
/// work, and it ends that session.
const SIGN_IN: &str = "/login";

/// How often a session's last use is written down: its idle end is this precise.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// Resolve the caller, hold tokens to their scope, enforce CSRF for sessions, and pass the
/// result on.
pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let asking = Asking {
        now: state.clock.now(),
        idle: state.config.web.idle_limits(),
        in_use: !(req.method() == Method::GET && BACKGROUND.contains(&req.uri().path())),
    };
    let authed = match resolve(&state.store, req.headers(), asking).await {
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
    match &authed {
        Some(Authed {
            via: Via::Token { scope, .. },
            ..
        }) => {
            if let Err(e) = scope_allows(*scope, req.method(), req.uri().path()) {
                return ApiError(e).into_response();
            }
        }
        Some(Authed {
            via: Via::Session { csrf, .. },
            ..
        }) if is_unsafe(req.method()) && req.uri().path() != SIGN_IN => {
            req = match super::csrf::check(req, csrf).await {
                Ok(r) => r,
                Err(e) => return ApiError(e).into_response(),
            };
        }
        _ => {}
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

/// Whether a token of `scope` may make a `method` request to `path`; the refusal says what
/// the token may do.
pub fn scope_allows(scope: TokenScope, method: &Method, path: &str) -> Result<(), AppError> {
    match scope {
        TokenScope::Role => Ok(()),
        TokenScope::Read if !is_unsafe(method) => Ok(()),
        TokenScope::Cap if method == Method::POST && path == "/api/v1/cap" => Ok(()),
        TokenScope::Read => Err(AppError::Forbidden(said!(
            "mã API này chỉ được đọc (phạm vi read): chỉ yêu cầu GET",
            "this API token may only read (scope read): GET requests only"
        ))),
        TokenScope::Cap => Err(AppError::Forbidden(said!(
            "mã API này chỉ được gửi cảnh báo CAP tới POST /api/v1/cap (phạm vi cap)",
            "this API token may only post CAP alerts to POST /api/v1/cap (scope cap)"
        ))),
    }
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

/// When a request is judged, and whether it counts as using the session.
#[derive(Debug, Clone, Copy)]
struct Asking {
    now: DateTime<Utc>,
    idle: IdleLimits,
    in_use: bool,
}

async fn resolve(
    store: &Store,
    headers: &HeaderMap,
    asking: Asking,
) -> Result<Option<Authed>, AppError> {
    let now = asking.now;
    if let Some(token) = bearer(headers) {
        let hash = token_hash(&token);
        let found = store
            .run(move |c| Ok(users::presented_token(c, &hash, now)?))
            .await?;
        // A wrong token is an error, not a silent fall-back to no one.
        return match found {
            None => Err(AppError::Unauthorized),
            Some(t) if t.revoked => Err(AppError::TokenRefused(said!(
                "mã API này đã bị thu hồi — hãy xin quản trị viên mã mới",
                "this API token was revoked — ask the admin for a new one"
            ))),
            Some(t) if !t.user.active => Err(AppError::TokenRefused({
                let name = t.user.name;
                said!(
                    "tài khoản \"{name}\" của mã API này đã bị khoá",
                    "the account \"{name}\" this API token acts as is disabled"
                )
            })),
            Some(t) => Ok(Some(Authed {
                user: t.user,
                via: Via::Token {
                    id: t.id,
                    scope: t.scope,
                },
            })),
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
        .run(move |c| {
            let Some(s) = users::session(c, &lookup, now)? else {
                return Ok(None);
            };
            let unused = now - s.last_seen_at;
            if unused > asking.idle.of(s.user.role) {
                users::delete_session(c, &lookup)?;
                return Ok(None);
            }
            if asking.in_use && unused >= TOUCH_EVERY {
                users::touch_session(c, &lookup, now)?;
            }
            Ok(Some(s))
        })
        .await?;
    Ok(session.map(|s| Authed {
        user: s.user,
        via: Via::Session {
            csrf: s.csrf,
            token_hash: hash,
        },
    }))
}

/// Whether the caller's sign-in still works at `now`: the session not ended (logout, idle,
/// expiry), the token not revoked, the user not disabled. Long answers (event streams) ask
/// this as they go and end when it says no.
pub async fn still_signed_in(store: &Store, authed: &Authed, now: DateTime<Utc>) -> bool {
    let via = authed.via.clone();
    store
        .run(move |c| {
            Ok(match &via {
                Via::Session { token_hash, .. } => users::session_lives(c, token_hash, now)?,
                Via::Token { id, .. } => users::token_works(c, *id)?,
            })
        })
        .await
        .unwrap_or(false)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(|t| t.trim().to_string())
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
    /// The emergency on air, for the banner at the top of the page.
    pub banner: Option<super::banner::Banner>,
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
            let banner = parts.extensions.get::<super::banner::Banner>().cloned();
            return Ok(PageUser {
                authed,
                lang,
                flash,
                banner,
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

caps!(CanView => View, CanEdit => Edit, CanApprove => Approve, CanAudit => Audit, CanReport => Report, CanAdmin => Administer, CanEmergency => Emergency);

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
