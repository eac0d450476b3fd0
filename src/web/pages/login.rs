//! Signing in and out, the language switch, and the one-time link that creates the first admin.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::render;
use crate::accounts::{self, new_token, token_hash, verify_password};
use crate::model::{Role, User};
use crate::store::{audit, users};
use crate::web::AppState;
use crate::web::auth::{
    self, Authed, LOGIN_COOKIE, SESSION_COOKIE, Via, client_ip, constant_eq, cookie,
};
use crate::web::error::{AppError, PageError};
use crate::web::i18n::{Lang, Text};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: &'static Text,
    lang: Lang,
    message: Option<String>,
    form_token: String,
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    expired: Option<String>,
    next: Option<String>,
}

/// A path inside this site to go to after signing in; anything else goes home.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".into(),
    }
}

fn cookie_header(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("x=; Max-Age=0"))
}

fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.web.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

fn login_page(lang: Lang, message: Option<String>, next: String, secure: bool) -> Response {
    // The form token pairs this form with this browser (a cookie no other site can set).
    let form_token = new_token();
    let page = LoginPage {
        t: lang.text(),
        lang,
        message,
        form_token: form_token.clone(),
        next,
    };
    let mut res = render(page, lang);
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(LOGIN_COOKIE, &form_token, 3600, secure),
    );
    res
}

/// `GET /login`.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let lang = Lang::from_headers(&headers);
    let message = q.expired.map(|_| lang.text().session_expired.to_string());
    login_page(
        lang,
        message,
        safe_next(q.next.as_deref()),
        secure(&state, &headers),
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    form: String,
    next: Option<String>,
}

/// `POST /login`: check the password (throttled), start a session.
pub async fn submit(
    State(state): State<AppState>,
    parts: Parts,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = Lang::from_headers(&parts.headers);
    let secure = secure(&state, &parts.headers);
    let next = safe_next(f.next.as_deref());
    let paired = cookie(&parts.headers, LOGIN_COOKIE).is_some_and(|c| constant_eq(&c, &f.form));
    if !paired {
        return login_page(lang, Some(lang.text().session_expired.into()), next, secure);
    }
    let ip = client_ip(&parts);
    let name = f.name.trim().to_lowercase();
    let keys = [format!("ip:{ip}"), format!("name:{name}")];
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    if let Err(wait) = state.throttle.check(&keys) {
        let minutes = wait.as_secs().div_ceil(60);
        let e = AppError::TooManyRequests(format!(
            "Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút. / Too many failed sign-ins. Try again in {minutes} minutes."
        ));
        return PageError::new(e, lang).into_response();
    }
    let lookup = name.clone();
    let found = state
        .store
        .run(move |c| Ok(users::by_name_with_hash(c, &lookup)?))
        .await;
    let user = match found {
        Ok(Some((user, hash))) if user.active => {
            // argon2 is deliberately slow: keep it off the async threads.
            let password = f.password.clone();
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
                .await
                .unwrap_or(false);
            ok.then_some(user)
        }
        Ok(_) => None,
        Err(e) => return PageError::new(e, lang).into_response(),
    };
    let Some(user) = user else {
        state.throttle.fail(&keys);
        return login_page(lang, Some(lang.text().login_failed.into()), next, secure);
    };
    state.throttle.succeed(&keys);
    match start_session(&state, &user, secure).await {
        Ok(cookie) => {
            let mut res = Redirect::to(&next).into_response();
            res.headers_mut().append(header::SET_COOKIE, cookie);
            res.headers_mut().append(
                header::SET_COOKIE,
                cookie_header(LOGIN_COOKIE, "", 0, secure),
            );
            res
        }
        Err(e) => PageError::new(e, lang).into_response(),
    }
}

/// Create a session for `user`; returns its cookie.
async fn start_session(
    state: &AppState,
    user: &User,
    secure: bool,
) -> Result<HeaderValue, AppError> {
    let token = new_token();
    let csrf = new_token();
    if token.is_empty() || csrf.is_empty() {
        return Err(AppError::Internal("the OS random source failed".into()));
    }
    let hours = i64::from(state.config.web.session_hours);
    let (hash, user_id, name) = (token_hash(&token), user.id, user.name.clone());
    state
        .store
        .run(move |c| {
            let now = Utc::now();
            users::purge_sessions(c, now)?;
            let tx = c.transaction()?;
            users::create_session(
                &tx,
                &hash,
                user_id,
                &csrf,
                now,
                now + chrono::Duration::hours(hours),
            )?;
            audit::record(
                &tx,
                &name,
                "user.login",
                &format!("user:{user_id}"),
                &serde_json::json!({}),
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(cookie_header(SESSION_COOKIE, &token, hours * 3600, secure))
}

/// `POST /logout`: end the session (the CSRF check already ran in the middleware).
pub async fn logout(State(state): State<AppState>, parts: Parts) -> Response {
    if let Some(Authed {
        via: Via::Session { token_hash, .. },
        ..
    }) = auth::current(&parts)
    {
        let _ = state
            .store
            .run(move |c| Ok(users::delete_session(c, &token_hash)?))
            .await;
    }
    let mut res = Redirect::to("/login").into_response();
    let clear = cookie_header(SESSION_COOKIE, "", 0, secure(&state, &parts.headers));
    res.headers_mut().append(header::SET_COOKIE, clear);
    res
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /lang/{vi|en}`: remember the language in a cookie and go back.
pub async fn set_lang(
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
    headers: HeaderMap,
) -> Response {
    let value = if code == "en" { "en" } else { "vi" };
    let back = q.next.or_else(|| {
        headers
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
            .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
    });
    let mut res = Redirect::to(&safe_next(back.as_deref())).into_response();
    let v = format!("lang={value}; Path=/; SameSite=Lax; Max-Age=31536000");
    if let Ok(v) = HeaderValue::from_str(&v) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    t: &'static Text,
    lang: Lang,
    valid: bool,
    message: Option<String>,
    name: String,
    display_name: String,
}

/// `GET /setup/{token}`: the first-admin form, if the link is still good.
pub async fn setup_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let lang = Lang::from_headers(&headers);
    let hash = token_hash(&token);
    let valid = state
        .store
        .run(move |c| Ok(users::setup_token_valid(c, &hash)?))
        .await
        .unwrap_or(false);
    let page = SetupPage {
        t: lang.text(),
        lang,
        valid,
        message: None,
        name: String::new(),
        display_name: String::new(),
    };
    render(page, lang)
}

#[derive(Debug, Deserialize)]
pub struct SetupForm {
    name: String,
    display_name: String,
    password: String,
    password2: String,
}

/// `POST /setup/{token}`: create the admin, use up the link, sign in.
pub async fn setup_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<SetupForm>,
) -> Response {
    let lang = Lang::from_headers(&headers);
    let again = |message: String| {
        let page = SetupPage {
            t: lang.text(),
            lang,
            valid: true,
            message: Some(message),
            name: f.name.clone(),
            display_name: f.display_name.clone(),
        };
        render(page, lang)
    };
    let name = f.name.trim().to_lowercase();
    if let Err(e) = accounts::check_name(&name) {
        return again(e.to_string());
    }
    if f.password != f.password2 {
        return again(lang.text().passwords_differ.into());
    }
    let password = f.password.clone();
    let hashed = match tokio::task::spawn_blocking(move || accounts::hash_password(&password)).await
    {
        Ok(Ok(h)) => h,
        Ok(Err(e)) => return again(e.to_string()),
        Err(e) => return PageError::new(e, lang).into_response(),
    };
    let display = crate::text::clean_line(&f.display_name);
    let hash = token_hash(&token);
    let created = state
        .store
        .run(move |c| {
            let tx = c.transaction()?;
            if !users::use_setup_token(&tx, &hash)? {
                return Ok(None);
            }
            let id = users::insert(&tx, &name, &display, Role::Admin, &hashed)?;
            audit::record(
                &tx,
                &name,
                "user.create",
                &format!("user:{id}"),
                &serde_json::json!({"role": "admin", "via": "setup link"}),
            )?;
            tx.commit()?;
            Ok(users::get(c, id)?)
        })
        .await;
    match created {
        Ok(Some(user)) => match start_session(&state, &user, secure(&state, &headers)).await {
            Ok(cookie) => {
                let mut res = Redirect::to("/users").into_response();
                res.headers_mut().append(header::SET_COOKIE, cookie);
                res
            }
            Err(e) => PageError::new(e, lang).into_response(),
        },
        Ok(None) => render(
            SetupPage {
                t: lang.text(),
                lang,
                valid: false,
                message: None,
                name: String::new(),
                display_name: String::new(),
            },
            lang,
        ),
        Err(crate::store::StoreError::Conflict(_)) => {
            again(accounts::AccountError::BadName.to_string())
        }
        Err(e) => again(e.to_string()),
    }
}
