//! People and their sign-ins: creating a user (from the users page, the first-run link or
//! `loaxa user add`), changing one, checking a password, starting and ending a session, API
//! tokens and the one-time setup link. Each is one function and one transaction, with its audit
//! entry.
//!
//! These block (argon2 is slow on purpose, and they wait for the database): async callers run
//! them on a blocking thread.

use chrono::Utc;

use crate::accounts::{self, AccountError, new_token, token_hash, verify_password};
use crate::model::{Role, User};
use crate::store::{Store, StoreError, audit, users};
use crate::text::clean_line;

/// Why an account could not be made, changed or used. Nothing changed when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// A bad login name or a weak password.
    #[error(transparent)]
    Invalid(#[from] AccountError),
    /// The login name is someone else's.
    #[error("tên đăng nhập \"{0}\" đã có / the login name \"{0}\" is taken")]
    Taken(String),
    /// No user with this id or name.
    #[error("không có người dùng {0} / no user {0}")]
    NoSuchUser(String),
    /// The operating system gave no random bytes, so no secret can be made.
    #[error("không lấy được số ngẫu nhiên từ hệ điều hành / the OS random source failed")]
    NoRandom,
    /// The database failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountsError {
    fn from(e: StoreError) -> Self {
        AccountsError::Store(e)
    }
}

impl From<rusqlite::Error> for AccountsError {
    fn from(e: rusqlite::Error) -> Self {
        AccountsError::Store(e.into())
    }
}

/// A person to add, as an admin (or the first-run form, or the CLI) gives them.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Login name; trimmed and lower-cased here.
    pub name: String,
    /// Name shown on pages; the login name if left empty.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// Their password, in clear (hashed here, never stored).
    pub password: String,
}

impl NewAccount {
    /// The login name as stored.
    fn login(&self) -> String {
        self.name.trim().to_lowercase()
    }
}

/// Add a user, on behalf of `by` (an admin's name, or `cli`).
pub fn create_user(store: &Store, by: &str, new: &NewAccount) -> Result<User, AccountsError> {
    let detail = serde_json::json!({"name": new.login(), "role": new.role});
    insert_user(store, by, new, None, detail)?
        .ok_or_else(|| StoreError::from(rusqlite::Error::QueryReturnedNoRows).into())
}

/// Add the first administrator through the one-time link `setup_token`: `None` if the link was
/// used already or never existed (someone else was faster).
pub fn create_first_admin(
    store: &Store,
    setup_token: &str,
    new: &NewAccount,
) -> Result<Option<User>, AccountsError> {
    let new = NewAccount {
        role: Role::Admin,
        ..new.clone()
    };
    let detail = serde_json::json!({"role": "admin", "via": "setup link"});
    insert_user(
        store,
        &new.login(),
        &new,
        Some(&token_hash(setup_token)),
        detail,
    )
}

/// Check, hash and insert `new` with its audit entry; with `setup` (a setup token's hash), only
/// if that token is still unused, using it up.
fn insert_user(
    store: &Store,
    by: &str,
    new: &NewAccount,
    setup: Option<&str>,
    detail: serde_json::Value,
) -> Result<Option<User>, AccountsError> {
    let name = new.login();
    accounts::check_name(&name)?;
    let hash = accounts::hash_password(&new.password)?;
    let display = match clean_line(&new.display_name) {
        d if d.is_empty() => name.clone(),
        d => d,
    };
    let created = store.with(|c| {
        let tx = c.transaction()?;
        if let Some(token) = setup
            && !users::use_setup_token(&tx, token)?
        {
            return Ok(None);
        }
        let id = users::insert(&tx, &name, &display, new.role, &hash)?;
        audit::record(&tx, by, "user.create", &format!("user:{id}"), &detail)?;
        tx.commit()?;
        Ok(users::get(c, id)?)
    });
    match created {
        Err(StoreError::Conflict(_)) => Err(AccountsError::Taken(name)),
        other => Ok(other?),
    }
}

/// A change to a user, as an admin makes it.
#[derive(Debug, Clone)]
pub struct AccountChange {
    /// Name shown on pages.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// Whether they may sign in.
    pub active: bool,
    /// A new password, if one is set (their sessions end).
    pub password: Option<String>,
}

/// Change user `id` on behalf of `by`.
pub fn update_user(
    store: &Store,
    by: &str,
    id: i64,
    change: &AccountChange,
) -> Result<(), AccountsError> {
    let hash = change
        .password
        .as_deref()
        .map(accounts::hash_password)
        .transpose()?;
    let display = clean_line(&change.display_name);
    store.with(|c| {
        let tx = c.transaction()?;
        if users::update(&tx, id, &display, change.role, change.active)? == 0 {
            return Ok(Err(AccountsError::NoSuchUser(id.to_string())));
        }
        if let Some(h) = &hash {
            users::set_password(&tx, id, h)?;
        }
        audit::record(
            &tx,
            by,
            "user.update",
            &format!("user:{id}"),
            &serde_json::json!({"role": change.role, "active": change.active, "password_changed": hash.is_some()}),
        )?;
        tx.commit()?;
        Ok(Ok(()))
    })?
}

/// The active user `name` if `password` is theirs. argon2 runs once whatever the name, so the
/// time taken does not tell which names exist.
pub fn check_password(
    store: &Store,
    name: &str,
    password: &str,
) -> Result<Option<User>, AccountsError> {
    let name = name.trim().to_lowercase();
    let found = store.with(|c| Ok(users::by_name_with_hash(c, &name)?))?;
    Ok(match found {
        Some((user, hash)) => (verify_password(password, &hash) && user.active).then_some(user),
        None => {
            accounts::verify_against_nothing(password);
            None
        }
    })
}

/// Start a session of `user` for `hours`: the token the browser keeps (its hash is stored).
pub fn start_session(store: &Store, user: &User, hours: u32) -> Result<String, AccountsError> {
    let token = new_token();
    let csrf = new_token();
    if token.is_empty() || csrf.is_empty() {
        return Err(AccountsError::NoRandom);
    }
    let hash = token_hash(&token);
    store.with(|c| {
        let now = Utc::now();
        users::purge_sessions(c, now)?;
        let tx = c.transaction()?;
        users::create_session(
            &tx,
            &hash,
            user.id,
            &csrf,
            now,
            now + chrono::Duration::hours(i64::from(hours)),
        )?;
        audit::record(
            &tx,
            &user.name,
            "user.login",
            &format!("user:{}", user.id),
            &serde_json::json!({}),
        )?;
        tx.commit()?;
        Ok(())
    })?;
    Ok(token)
}

/// End the session whose token hashes to `token_hash`.
pub fn end_session(store: &Store, token_hash: &str) -> Result<(), AccountsError> {
    Ok(store.with(|c| Ok(users::delete_session(c, token_hash)?))?)
}

/// A new API token for user `name`, labelled `label`, on behalf of `by`: shown once.
pub fn create_token(
    store: &Store,
    by: &str,
    name: &str,
    label: &str,
) -> Result<String, AccountsError> {
    let token = new_token();
    if token.is_empty() {
        return Err(AccountsError::NoRandom);
    }
    let hash = token_hash(&token);
    let label = clean_line(label);
    let name = name.trim().to_lowercase();
    let made = store.with(|c| {
        let Some((u, _)) = users::by_name_with_hash(c, &name)? else {
            return Ok(false);
        };
        let tx = c.transaction()?;
        let id = users::create_token(&tx, u.id, &label, &hash)?;
        audit::record(
            &tx,
            by,
            "token.create",
            &format!("user:{}", u.id),
            &serde_json::json!({"token": id, "label": label}),
        )?;
        tx.commit()?;
        Ok(true)
    })?;
    if made {
        Ok(token)
    } else {
        Err(AccountsError::NoSuchUser(format!("\"{name}\"")))
    }
}

/// On an empty database, a one-time link that creates the first administrator (there are no
/// default passwords): its path, `/setup/TOKEN`. Only the link made last works.
pub fn first_run_link(store: &Store) -> Result<Option<String>, AccountsError> {
    if store.with(|c| Ok(users::count(c)?))? > 0 {
        return Ok(None);
    }
    let token = new_token();
    if token.is_empty() {
        return Err(AccountsError::NoRandom);
    }
    store.with(|c| Ok(users::renew_setup_token(c, &token_hash(&token))?))?;
    Ok(Some(format!("/setup/{token}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, role: Role) -> NewAccount {
        NewAccount {
            name: name.into(),
            display_name: String::new(),
            role,
            password: "mật khẩu đủ dài".into(),
        }
    }

    #[test]
    fn a_taken_name_is_said_as_taken_and_nothing_is_added() {
        let store = Store::open_in_memory().unwrap();
        let first = create_user(&store, "cli", &account(" BienTap ", Role::Editor)).unwrap();
        assert_eq!(
            (first.name.as_str(), first.display_name.as_str()),
            ("bientap", "bientap")
        );
        let again = create_user(&store, "cli", &account("bientap", Role::Approver));
        assert!(matches!(again, Err(AccountsError::Taken(n)) if n == "bientap"));
        assert_eq!(store.with(|c| Ok(users::count(c)?)).unwrap(), 1);
    }

    #[test]
    fn the_setup_link_works_once() {
        let store = Store::open_in_memory().unwrap();
        let link = first_run_link(&store).unwrap().unwrap();
        let token = link.trim_start_matches("/setup/");
        let admin = create_first_admin(&store, token, &account("quantri", Role::Editor));
        assert_eq!(admin.unwrap().unwrap().role, Role::Admin);
        let second = create_first_admin(&store, token, &account("khac", Role::Admin)).unwrap();
        assert!(second.is_none());
        assert!(first_run_link(&store).unwrap().is_none());
    }
}
