//! People and their sign-ins: creating a user (from the users page, the first-run link or
//! `loaxa user add`), changing one, checking a password, starting and ending a session, API
//! tokens (made, listed, revoked) and the one-time setup link, which expires. Each is one
//! function and one transaction, with its audit entry. Times come from the caller's clock.
//!
//! These block (argon2 is slow on purpose, and they wait for the database): async callers run
//! them on a blocking thread. No SQL here (the store's `users` does it) and nothing of HTTP: the
//! pages, the API and the CLI call these.

use chrono::{DateTime, Utc};

use crate::accounts::{self, AccountError, new_token, token_hash, verify_password};
use crate::model::Said;
use crate::model::said;
use crate::model::{ApiToken, Role, TokenScope, User};
use crate::store::{Store, StoreError, audit, users};
use crate::text::clean_line;

/// Why an account could not be made, changed or used. Nothing changed when this is returned.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum AccountsError {
    /// A bad login name or a weak password.
    Invalid(#[from] AccountError),
    /// The login name is someone else's.
    Taken(String),
    /// No user with this id or name.
    NoSuchUser(String),
    /// No API token with this id.
    NoSuchToken(i64),
    /// The token was revoked already.
    Revoked(i64),
    /// The operating system gave no random bytes, so no secret can be made.
    NoRandom,
    /// The database failed.
    Store(StoreError),
}

impl AccountsError {
    /// Why the account change was refused, in each language.
    pub fn said(&self) -> Said {
        match self {
            AccountsError::Invalid(e) => e.said(),
            AccountsError::Taken(f0) => said!(
                "tên đăng nhập \"{f0}\" đã có",
                "the login name \"{f0}\" is taken"
            ),
            AccountsError::NoSuchUser(f0) => said!("không có người dùng {f0}", "no user {f0}"),
            AccountsError::NoSuchToken(f0) => said!(
                "không có mã API số {f0} (xem `loaxa token list`)",
                "no API token {f0} (see `loaxa token list`)"
            ),
            AccountsError::Revoked(f0) => said!(
                "mã API số {f0} đã bị thu hồi từ trước",
                "API token {f0} was revoked already"
            ),
            AccountsError::NoRandom => said!(
                "không lấy được số ngẫu nhiên từ hệ điều hành",
                "the OS random source failed"
            ),
            AccountsError::Store(e) => e.said(),
        }
    }
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
    now: DateTime<Utc>,
) -> Result<Option<User>, AccountsError> {
    let new = NewAccount {
        role: Role::Admin,
        ..new.clone()
    };
    let detail = serde_json::json!({"role": "admin", "via": "setup link"});
    let setup = SetupUse {
        token_hash: token_hash(setup_token),
        now,
    };
    insert_user(store, &new.login(), &new, Some(&setup), detail)
}

/// A setup link being used: its token's hash, and when.
struct SetupUse {
    token_hash: String,
    now: DateTime<Utc>,
}

/// Check, hash and insert `new` with its audit entry; with `setup`, only if that link is still
/// unused and young enough, using it up.
fn insert_user(
    store: &Store,
    by: &str,
    new: &NewAccount,
    setup: Option<&SetupUse>,
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
        if let Some(link) = setup
            && !users::use_setup_token(&tx, &link.token_hash, link.now, link.now - SETUP_LINK_LIFE)?
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

/// Start a session of `user` at `now` for `hours` at most: the token the browser keeps (its
/// hash is stored). A new token every time: an id planted before sign-in is never signed in.
pub fn start_session(
    store: &Store,
    user: &User,
    hours: u32,
    now: DateTime<Utc>,
) -> Result<String, AccountsError> {
    let token = new_token();
    let csrf = new_token();
    if token.is_empty() || csrf.is_empty() {
        return Err(AccountsError::NoRandom);
    }
    let hash = token_hash(&token);
    store.with(|c| {
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

/// A new API token for user `name`, labelled `label`, limited to `scope`, on behalf of `by`:
/// shown once.
pub fn create_token(
    store: &Store,
    by: &str,
    name: &str,
    label: &str,
    scope: TokenScope,
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
        let id = users::create_token(&tx, u.id, &label, &hash, scope)?;
        audit::record(
            &tx,
            by,
            "token.create",
            &format!("user:{}", u.id),
            &serde_json::json!({"token": id, "label": label, "scope": scope}),
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

/// API tokens (of `user_id`, or everyone's), without their secrets.
pub fn tokens(store: &Store, user_id: Option<i64>) -> Result<Vec<ApiToken>, AccountsError> {
    Ok(store.with(|c| Ok(users::tokens(c, user_id)?))?)
}

/// Revoke API token `id` at `now`, on behalf of `by`: scripts using it are refused from the
/// next request on. Returns the token as it was.
pub fn revoke_token(
    store: &Store,
    by: &str,
    id: i64,
    now: DateTime<Utc>,
) -> Result<ApiToken, AccountsError> {
    store.with(|c| {
        let Some(token) = users::token(c, id)? else {
            return Ok(Err(AccountsError::NoSuchToken(id)));
        };
        let tx = c.transaction()?;
        if !users::revoke_token(&tx, id, now)? {
            return Ok(Err(AccountsError::Revoked(id)));
        }
        audit::record(
            &tx,
            by,
            "token.revoke",
            &format!("user:{}", token.user_id),
            &serde_json::json!({"token": id, "label": token.label, "scope": token.scope}),
        )?;
        tx.commit()?;
        Ok(Ok(token))
    })?
}

/// How long a setup link works after it is printed.
pub const SETUP_LINK_LIFE: chrono::Duration = chrono::Duration::hours(24);

/// What a setup link leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupLink {
    /// The first-admin form.
    Open,
    /// Nothing any more: older than [`SETUP_LINK_LIFE`] (`loaxa setup-link` prints a new one).
    Expired,
    /// Nothing: used, replaced by a newer link, or never made.
    Gone,
}

/// What the setup link with `token` leads to at `now`.
pub fn setup_link(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<SetupLink, AccountsError> {
    let made = store.with(|c| Ok(users::setup_token_made(c, &token_hash(token))?))?;
    Ok(match made {
        None => SetupLink::Gone,
        Some(at) if now - at >= SETUP_LINK_LIFE => SetupLink::Expired,
        Some(_) => SetupLink::Open,
    })
}

/// On an empty database, a one-time link that creates the first administrator (there are no
/// default passwords): its path, `/setup/TOKEN`, working for [`SETUP_LINK_LIFE`] from `now`.
/// Only the link made last works. `None` once someone has an account.
pub fn first_run_link(store: &Store, now: DateTime<Utc>) -> Result<Option<String>, AccountsError> {
    if store.with(|c| Ok(users::count(c)?))? > 0 {
        return Ok(None);
    }
    let token = new_token();
    if token.is_empty() {
        return Err(AccountsError::NoRandom);
    }
    store.with(|c| Ok(users::renew_setup_token(c, &token_hash(&token), now)?))?;
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
        let now = Utc::now();
        let link = first_run_link(&store, now).unwrap().unwrap();
        let token = link.trim_start_matches("/setup/");
        let admin = create_first_admin(&store, token, &account("quantri", Role::Editor), now);
        assert_eq!(admin.unwrap().unwrap().role, Role::Admin);
        let second = create_first_admin(&store, token, &account("khac", Role::Admin), now);
        assert!(second.unwrap().is_none());
        assert!(first_run_link(&store, now).unwrap().is_none());
    }

    #[test]
    fn a_setup_link_a_day_old_makes_no_admin_and_a_new_one_replaces_it() {
        let store = Store::open_in_memory().unwrap();
        let printed = Utc::now();
        let old = first_run_link(&store, printed).unwrap().unwrap();
        let old = old.trim_start_matches("/setup/");
        let almost = printed + SETUP_LINK_LIFE - chrono::Duration::minutes(1);
        assert_eq!(setup_link(&store, old, almost).unwrap(), SetupLink::Open);
        let later = printed + SETUP_LINK_LIFE;
        assert_eq!(setup_link(&store, old, later).unwrap(), SetupLink::Expired);
        let made = create_first_admin(&store, old, &account("quantri", Role::Admin), later);
        assert!(made.unwrap().is_none(), "an expired link made an admin");
        let new = first_run_link(&store, later).unwrap().unwrap();
        let new = new.trim_start_matches("/setup/");
        assert_eq!(setup_link(&store, old, later).unwrap(), SetupLink::Gone);
        assert_eq!(setup_link(&store, new, later).unwrap(), SetupLink::Open);
        let made = create_first_admin(&store, new, &account("quantri", Role::Admin), later);
        assert!(made.unwrap().is_some());
    }

    #[test]
    fn tokens_are_listed_without_secrets_and_revoked_once_with_audit() {
        let store = Store::open_in_memory().unwrap();
        create_user(&store, "cli", &account("canhbao", Role::Operator)).unwrap();
        let secret = create_token(&store, "cli", "canhbao", "relay", TokenScope::Cap).unwrap();
        let list = tokens(&store, None).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].scope, list[0].label.as_str()),
            (TokenScope::Cap, "relay")
        );
        assert!(!format!("{list:?}").contains(&secret));
        let id = list[0].id;
        revoke_token(&store, "quantri", id, Utc::now()).unwrap();
        assert!(tokens(&store, None).unwrap()[0].revoked_at.is_some());
        assert!(matches!(
            revoke_token(&store, "quantri", id, Utc::now()),
            Err(AccountsError::Revoked(i)) if i == id
        ));
        assert!(matches!(
            revoke_token(&store, "quantri", 99, Utc::now()),
            Err(AccountsError::NoSuchToken(99))
        ));
        let filter = crate::store::audit::Filter {
            action_prefix: Some("token.revoke".into()),
            ..Default::default()
        };
        let revokes = store
            .with(|c| Ok(crate::store::audit::list(c, &filter)?))
            .unwrap();
        assert_eq!(revokes.len(), 1);
        assert_eq!(revokes[0].actor, "quantri");
    }
}
