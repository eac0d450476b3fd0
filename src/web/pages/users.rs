//! Users (admin only): add people with a role, change roles, disable, set passwords.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Chrome, local_str, render};
use crate::accounts;
use crate::model::{Role, User};
use crate::store::{audit, users};
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    rows: Vec<Row>,
    roles: Vec<(&'static str, &'static str)>,
}

struct Row {
    id: i64,
    name: String,
    display_name: String,
    role_value: &'static str,
    active: bool,
    since: String,
}

/// `GET /users`.
pub async fn page(
    State(state): State<AppState>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&state, &user, "users").await?;
    let list = state
        .store
        .run(|c| Ok(users::list(c)?))
        .await
        .map_err(|e| user.err(e))?;
    let tz = state.config.tz();
    let rows = list
        .into_iter()
        .map(|u| Row {
            id: u.id,
            role_value: u.role.as_str(),
            name: u.name,
            display_name: u.display_name,
            active: u.active,
            since: local_str(&u.created_at, tz),
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .map(|r| (r.as_str(), user.lang.role(r)))
        .collect();
    Ok(render(UsersPage { c, rows, roles }, user.lang))
}

#[derive(Debug, Deserialize)]
pub struct NewUser {
    name: String,
    display_name: String,
    role: String,
    password: String,
}

/// `POST /users`: add a person.
pub async fn create(
    State(state): State<AppState>,
    user: Page<CanAdmin>,
    Form(f): Form<NewUser>,
) -> Result<Response, PageError> {
    let admin = user.authed.user.name.clone();
    add_user(
        &state,
        &admin,
        &f.name,
        &f.display_name,
        &f.role,
        &f.password,
    )
    .await
    .map_err(|e| user.err(e))?;
    Ok(Redirect::to("/users").into_response())
}

/// Add a user after checking every field; shared by the page and the API.
pub async fn add_user(
    state: &AppState,
    admin: &str,
    name: &str,
    display_name: &str,
    role: &str,
    password: &str,
) -> Result<User, AppError> {
    let name = name.trim().to_lowercase();
    accounts::check_name(&name).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let role: Role = role.parse().map_err(AppError::BadRequest)?;
    let password = password.to_string();
    let hash = tokio::task::spawn_blocking(move || accounts::hash_password(&password))
        .await?
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let display = crate::text::clean_line(display_name);
    let display = if display.is_empty() {
        name.clone()
    } else {
        display
    };
    let admin = admin.to_string();
    state
        .store
        .call(move |c| {
            let tx = c.transaction()?;
            if users::by_name_with_hash(&tx, &name)?.is_some() {
                return Err(AppError::Conflict(format!(
                    "tên đăng nhập \"{name}\" đã có / the login name \"{name}\" is taken"
                )));
            }
            let id = users::insert(&tx, &name, &display, role, &hash)?;
            audit::record(
                &tx,
                &admin,
                "user.create",
                &format!("user:{id}"),
                &serde_json::json!({"name": name, "role": role}),
            )?;
            tx.commit()?;
            users::get(c, id)?.ok_or_else(|| AppError::Internal("user vanished".into()))
        })
        .await
}

#[derive(Debug, Deserialize)]
pub struct UserChange {
    display_name: String,
    role: String,
    active: Option<String>,
    password: Option<String>,
}

/// `POST /users/{id}`: change role, name, active; set a password if given.
pub async fn update(
    State(state): State<AppState>,
    user: Page<CanAdmin>,
    Path(id): Path<i64>,
    Form(f): Form<UserChange>,
) -> Result<Response, PageError> {
    let role: Role = f
        .role
        .parse()
        .map_err(|e| user.err(AppError::BadRequest(e)))?;
    let active = f.active.is_some();
    if id == user.authed.user.id && (!active || role != Role::Admin) {
        return Err(user.err(AppError::BadRequest(
            "không thể tự khoá hoặc bỏ quyền quản trị của chính mình / you cannot disable yourself or drop your own admin role".into(),
        )));
    }
    let hash = match f.password.filter(|p| !p.is_empty()) {
        Some(p) => Some(
            tokio::task::spawn_blocking(move || accounts::hash_password(&p))
                .await
                .map_err(|e| user.err(e))?
                .map_err(|e| user.err(AppError::BadRequest(e.to_string())))?,
        ),
        None => None,
    };
    let admin = user.authed.user.name.clone();
    let display = crate::text::clean_line(&f.display_name);
    state
        .store
        .call(move |c| {
            let tx = c.transaction()?;
            if users::update(&tx, id, &display, role, active)? == 0 {
                return Err(AppError::NotFound(format!("không có người dùng {id} / no user {id}")));
            }
            if let Some(h) = &hash {
                users::set_password(&tx, id, h)?;
            }
            audit::record(&tx, &admin, "user.update", &format!("user:{id}"),
                &serde_json::json!({"role": role, "active": active, "password_changed": hash.is_some()}))?;
            tx.commit()?;
            Ok(())
        })
        .await
        .map_err(|e| user.err(e))?;
    Ok(Redirect::to("/users").into_response())
}
