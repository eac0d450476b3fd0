//! Users (admin only): add people with a role, change roles, disable, set passwords, and see
//! and revoke each one's API tokens (made with `loaxa token create`).
//! It holds no account rule (the last admin, name checks): those are `accounts`' and the use cases'.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use std::sync::Arc;

use super::{Chrome, local_str, render};
use crate::accounts::AccountError;
use crate::clock::Clock;
use crate::config::Config;
use crate::model::said;
use crate::model::{ApiToken, Role};
use crate::station::accounts::{self, AccountChange, AccountsError, NewAccount};
use crate::store::{Store, users};
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{self, Flash};
use crate::web::state::blocking;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    rows: Vec<Row>,
    roles: Vec<(&'static str, &'static str)>,
    new: NewUserForm,
}

/// The role the add-a-user form starts with: the least that lets someone work (edit and
/// submit), never admin; an admin raises it on purpose.
const NEW_USER_ROLE: Role = Role::Editor;

/// The add-a-user form as it shows: empty with the least privilege chosen, or what the admin
/// typed (never the password) with the field the server refused.
#[derive(Debug, Default)]
struct NewUserForm {
    name: String,
    display_name: String,
    role: &'static str,
    /// What was wrong.
    error: Option<String>,
    /// The field it is about (`name`, `password`, `role`); empty when nothing was wrong.
    field: &'static str,
}

impl NewUserForm {
    fn blank() -> NewUserForm {
        NewUserForm {
            role: NEW_USER_ROLE.as_str(),
            ..NewUserForm::default()
        }
    }
}

struct Row {
    id: i64,
    name: String,
    display_name: String,
    role_value: &'static str,
    active: bool,
    since: String,
    tokens: Vec<TokenRow>,
}

struct TokenRow {
    id: i64,
    label: String,
    scope: &'static str,
    created: String,
    last_used: Option<String>,
    revoked: Option<String>,
}

impl TokenRow {
    fn of(t: ApiToken, tz: chrono_tz::Tz) -> TokenRow {
        TokenRow {
            id: t.id,
            label: t.label,
            scope: t.scope.as_str(),
            created: local_str(&t.created_at, tz),
            last_used: t.last_used_at.map(|at| local_str(&at, tz)),
            revoked: t.revoked_at.map(|at| local_str(&at, tz)),
        }
    }
}

/// `GET /users`.
pub async fn page(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    users_page(&store, &config, &user, NewUserForm::blank()).await
}

/// The users page with the add-a-user form as `new` says.
async fn users_page(
    store: &Store,
    config: &Config,
    user: &PageUser,
    new: NewUserForm,
) -> Result<Response, PageError> {
    let c = Chrome::new(store, user, "users").await?;
    let (list, tokens) = store
        .run(|c| Ok((users::list(c)?, users::tokens(c, None)?)))
        .await
        .map_err(|e| user.err(e))?;
    let tz = config.timezone;
    let rows = list
        .into_iter()
        .map(|u| Row {
            tokens: tokens
                .iter()
                .filter(|t| t.user_id == u.id)
                .map(|t| TokenRow::of(t.clone(), tz))
                .collect(),
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
    let status = if new.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut page = render(
        UsersPage {
            c,
            rows,
            roles,
            new,
        },
        user.lang,
    );
    *page.status_mut() = status;
    Ok(page)
}

#[derive(Debug, Deserialize)]
pub struct NewUser {
    name: String,
    display_name: String,
    role: String,
    password: String,
}

/// `POST /users`: add a person; a refusal shows the form again with what was typed and the
/// field that was wrong.
pub async fn create(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    user: Page<CanAdmin>,
    Form(f): Form<NewUser>,
) -> Result<Response, PageError> {
    let role: Option<Role> = f.role.parse().ok();
    let mut again = NewUserForm {
        name: f.name.clone(),
        display_name: f.display_name.clone(),
        role: role.unwrap_or(NEW_USER_ROLE).as_str(),
        ..NewUserForm::default()
    };
    let Some(role) = role else {
        let r = &f.role;
        let said = said!("không có vai trò \"{r}\"", "no role \"{r}\"");
        again.error = Some(user.lang.say(&said).to_string());
        again.field = "role";
        return users_page(&store, &config, &user, again).await;
    };
    let new = NewAccount {
        name: f.name,
        display_name: f.display_name,
        role,
        password: f.password,
    };
    let admin = user.authed.user.name.clone();
    let adding = store.clone();
    let added = tokio::task::spawn_blocking(move || accounts::create_user(&adding, &admin, &new))
        .await
        .map_err(|e| user.err(e))?;
    match added {
        Ok(_) => Ok(flash::redirect("/users", Flash::UserCreated)),
        Err(e) => {
            let field = match &e {
                AccountsError::Taken(_) | AccountsError::Invalid(AccountError::BadName) => "name",
                AccountsError::Invalid(AccountError::WeakPassword) => "password",
                _ => return Err(user.err(e)),
            };
            again.error = Some(user.lang.say(&e.said()).to_string());
            again.field = field;
            users_page(&store, &config, &user, again).await
        }
    }
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
        return Err(user.err(AppError::BadRequest(said!(
            "không thể tự khoá hoặc bỏ quyền quản trị của chính mình",
            "you cannot disable yourself or drop your own admin role"
        ))));
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
    Ok(flash::redirect("/users", Flash::Saved))
}

/// `POST /users/tokens/{id}/revoke`: revoke an API token (audited); scripts using it are
/// refused from their next request.
pub async fn revoke_token(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    user: Page<CanAdmin>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (admin, now) = (user.authed.user.name.clone(), clock.now());
    blocking(move || accounts::revoke_token(&store, &admin, id, now))
        .await
        .map_err(|e| user.err(e))?;
    Ok(flash::redirect("/users", Flash::Saved))
}
