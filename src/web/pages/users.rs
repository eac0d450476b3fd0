//! Users (admin only): add people with a role, change roles, disable, set passwords.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use std::sync::Arc;

use super::{Chrome, local_str, render};
use crate::config::Config;
use crate::model::Role;
use crate::station::accounts::{self, AccountChange, NewAccount};
use crate::store::{Store, users};
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};
use crate::web::state::blocking;

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
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "users").await?;
    let list = store
        .run(|c| Ok(users::list(c)?))
        .await
        .map_err(|e| user.err(e))?;
    let tz = config.timezone;
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
    State(store): State<Store>,
    user: Page<CanAdmin>,
    Form(f): Form<NewUser>,
) -> Result<Response, PageError> {
    let role: Role = f
        .role
        .parse()
        .map_err(|e| user.err(AppError::BadRequest(e)))?;
    let new = NewAccount {
        name: f.name,
        display_name: f.display_name,
        role,
        password: f.password,
    };
    let admin = user.authed.user.name.clone();
    blocking(move || accounts::create_user(&store, &admin, &new))
        .await
        .map_err(|e| user.err(e))?;
    Ok(Redirect::to("/users").into_response())
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
    State(store): State<Store>,
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
    let change = AccountChange {
        display_name: f.display_name,
        role,
        active,
        password: f.password.filter(|p| !p.is_empty()),
    };
    let admin = user.authed.user.name.clone();
    blocking(move || accounts::update_user(&store, &admin, id, &change))
        .await
        .map_err(|e| user.err(e))?;
    Ok(Redirect::to("/users").into_response())
}
