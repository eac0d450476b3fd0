//! Signing in and out, the language switch, and the one-time link that creates the first admin
//! (which expires: an expired one says which command prints a new one).
//! Password checks, throttling and session rules are not here: they are `accounts`', `web::throttle`'s and `web::auth`'s.

use std::sync::Arc;
use std::time::Instant;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

use super::render;
use crate::accounts::{AccountError, check_name, new_token, token_hash};
use crate::clock::Clock;
use crate::config::Config;
use crate::model::User;
use crate::model::said;
use crate::station::accounts::{self, NewAccount, SetupLink};
use crate::store::Store;
use crate::web::auth::{self, Authed, LOGIN_COOKIE, SESSION_COOKIE, Via, client_addr, is_https};
use crate::web::csrf::constant_eq;
use crate::web::error::{AppError, PageError};
use crate::web::i18n::{Lang, Text};
use crate::web::redirect::safe_next;
use crate::web::state::blocking;
use crate::web::throttle::SignInGate;

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

/// A cookie only this site's pages send back and no script reads, for `max_age` seconds.
fn private_cookie(
    name: &'static str,
    value: String,
    max_age: i64,
    secure: bool,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::seconds(max_age))
        .secure(secure)
        .build()
}

fn login_page(
    jar: CookieJar,
    lang: Lang,
    message: Option<String>,
    next: String,
    secure: bool,
) -> Response {
    // The form token pairs this form with this browser (a cookie no other site can set).
    let form_token = new_token();
    let page = LoginPage {
        t: lang.text(),
        lang,
        message,
        form_token: form_token.clone(),
        next,
    };
    let jar = jar.add(private_cookie(LOGIN_COOKIE, form_token, 3600, secure));
    (jar, render(page, lang)).into_response()
}

/// `GET /login`.
pub async fn form(
    State(config): State<Arc<Config>>,
    jar: CookieJar,
    parts: Parts,
    Query(q): Query<LoginQuery>,
) -> Response {
    let lang = Lang::of(&jar);
    let message = q.expired.map(|_| lang.text().session_expired.to_string());
    let next = safe_next(q.next.as_deref());
    login_page(jar, lang, message, next, is_https(&parts, &config.web))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    form: String,
    next: Option<String>,
}

/// `POST /login`: count the try against the client's address, check the password (one
/// argon2 run whatever the name, a bounded number at once), start a session.
pub async fn submit(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(clock): State<Arc<dyn Clock>>,
    State(gate): State<Arc<SignInGate>>,
    jar: CookieJar,
    parts: Parts,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = Lang::of(&jar);
    let secure = is_https(&parts, &config.web);
    let next = safe_next(f.next.as_deref());
    let paired = jar
        .get(LOGIN_COOKIE)
        .is_some_and(|c| constant_eq(c.value(), &f.form));
    if !paired {
        let expired = Some(lang.text().session_expired.into());
        return login_page(jar, lang, expired, next, secure);
    }
    let ticket = match gate.admit(client_addr(&parts, &config.web), Instant::now()) {
        Ok(ticket) => ticket,
        Err(wait) => {
            let seconds = wait.as_secs().max(1);
            let e = AppError::TooManyRequests(said!(
                "Đăng nhập sai quá nhiều lần. Hãy thử lại sau {seconds} giây.",
                "Too many failed sign-ins. Try again in {seconds} seconds."
            ));
            return PageError::new(e, lang).into_response();
        }
    };
    let (checking, name, password) = (store.clone(), f.name.clone(), f.password.clone());
    let found = gate
        .check(move || accounts::check_password(&checking, &name, &password))
        .await
        .and_then(|r| r.map_err(AppError::from));
    let user = match found {
        Ok(user) => user,
        Err(e) => return PageError::new(e, lang).into_response(),
    };
    let Some(user) = user else {
        let failed = Some(lang.text().login_failed.into());
        return login_page(jar, lang, failed, next, secure);
    };
    gate.succeeded(ticket);
    // A session the browser held before (someone else's, planted) ends here: the new one
    // gets a new id.
    if let Some(old) = jar.get(SESSION_COOKIE).map(|c| token_hash(c.value())) {
        let ending = store.clone();
        let _ = blocking(move || accounts::end_session(&ending, &old)).await;
    }
    match signed_in(&store, &config, clock.now(), jar, &user, secure).await {
        Ok(jar) => {
            let jar = jar.remove(Cookie::build(LOGIN_COOKIE).path("/"));
            (jar, Redirect::to(&next)).into_response()
        }
        Err(e) => PageError::new(e, lang).into_response(),
    }
}

/// Start a session for `user` at `now`: the jar with its cookie.
async fn signed_in(
    store: &Store,
    config: &Config,
    now: chrono::DateTime<chrono::Utc>,
    jar: CookieJar,
    user: &User,
    secure: bool,
) -> Result<CookieJar, AppError> {
    let hours = config.web.session_hours;
    let (store, starting) = (store.clone(), user.clone());
    let token = blocking(move || accounts::start_session(&store, &starting, hours, now)).await?;
    let max_age = i64::from(hours) * 3600;
    Ok(jar.add(private_cookie(SESSION_COOKIE, token, max_age, secure)))
}

/// `POST /logout`: end the session (the CSRF check already ran in the middleware).
pub async fn logout(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    jar: CookieJar,
    parts: Parts,
) -> Response {
    if let Some(Authed {
        via: Via::Session { token_hash, .. },
        ..
    }) = auth::current(&parts)
    {
        let _ = blocking(move || accounts::end_session(&store, &token_hash)).await;
    }
    let cleared = private_cookie(
        SESSION_COOKIE,
        String::new(),
        0,
        is_https(&parts, &config.web),
    );
    (jar.add(cleared), Redirect::to("/login")).into_response()
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /lang/{vi|en}`: remember the language in a cookie and go back.
pub async fn set_lang(
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
    jar: CookieJar,
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
    let remembered = Cookie::build(("lang", value))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(365));
    (
        jar.add(remembered),
        Redirect::to(&safe_next(back.as_deref())),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    t: &'static Text,
    lang: Lang,
    link: SetupLink,
    message: Option<String>,
    name: String,
    display_name: String,
}

impl SetupPage {
    /// The page for a link that leads to `link`, with an empty form.
    fn of(lang: Lang, link: SetupLink) -> SetupPage {
        SetupPage {
            t: lang.text(),
            lang,
            link,
            message: None,
            name: String::new(),
            display_name: String::new(),
        }
    }

    /// The command that prints a new link, as the admin types it on the server.
    fn renew_command(&self) -> &'static str {
        "sudo -u loaxa loaxa --config /etc/loaxa/loaxa.toml setup-link"
    }
}

/// `GET /setup/{token}`: the first-admin form if the link is still good; if it expired, what
/// to run for a new one.
pub async fn setup_form(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    let lang = Lang::of(&jar);
    let now = clock.now();
    let link = blocking(move || accounts::setup_link(&store, &token, now))
        .await
        .unwrap_or(SetupLink::Gone);
    render(SetupPage::of(lang, link), lang)
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
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(clock): State<Arc<dyn Clock>>,
    jar: CookieJar,
    parts: Parts,
    Path(token): Path<String>,
    Form(f): Form<SetupForm>,
) -> Response {
    let lang = Lang::of(&jar);
    let again = |message: String| {
        let page = SetupPage {
            message: Some(message),
            name: f.name.clone(),
            display_name: f.display_name.clone(),
            ..SetupPage::of(lang, SetupLink::Open)
        };
        render(page, lang)
    };
    if let Err(e) = check_name(&f.name.trim().to_lowercase()) {
        return again(lang.say(&e.said()).to_string());
    }
    if f.password != f.password2 {
        return again(lang.text().passwords_differ.into());
    }
    let new = NewAccount {
        name: f.name.clone(),
        display_name: f.display_name.clone(),
        role: crate::model::Role::Admin,
        password: f.password.clone(),
    };
    let now = clock.now();
    let (creating, link) = (store.clone(), token.clone());
    let created = blocking(move || accounts::create_first_admin(&creating, &link, &new, now)).await;
    match created {
        Ok(Some(user)) => {
            let secure = is_https(&parts, &config.web);
            match signed_in(&store, &config, now, jar, &user, secure).await {
                Ok(jar) => (jar, Redirect::to("/users")).into_response(),
                Err(e) => PageError::new(e, lang).into_response(),
            }
        }
        Ok(None) => {
            // Used meanwhile, or expired while the form was open: say which.
            let link = blocking(move || accounts::setup_link(&store, &token, now))
                .await
                .unwrap_or(SetupLink::Gone);
            render(SetupPage::of(lang, link), lang)
        }
        // A name someone took meanwhile reads as a name that cannot be used.
        Err(AppError::Conflict(_)) => again(lang.say(&AccountError::BadName.said()).to_string()),
        Err(e) => again(lang.say(&e.said()).to_string()),
    }
}
