//! The `users`, `sessions`, `api_tokens` and `setup_tokens` tables. No passwords are hashed and no
//! rules are kept here: `accounts` and `station::accounts` do both.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::parsed;
use crate::model::account::{ApiToken, Role, Session, TokenScope, User};

const USER_COLUMNS: &str = "id, name, display_name, role, active, created_at";

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        display_name: r.get(2)?,
        role: parsed(r, 3)?,
        active: r.get(4)?,
        created_at: r.get(5)?,
    })
}

/// Add a user; the name must be free.
pub fn insert(
    tx: &Transaction<'_>,
    name: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO users (name, display_name, role, password_hash) VALUES (?1, ?2, ?3, ?4)",
        params![name, display_name, role.as_str(), password_hash],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The user with this id.
pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<User>> {
    conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
        [id],
        user_from_row,
    )
    .optional()
}

/// The user with this login name and their password hash.
pub fn by_name_with_hash(
    conn: &Connection,
    name: &str,
) -> rusqlite::Result<Option<(User, String)>> {
    conn.query_row(
        &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE name = ?1"),
        [name],
        |r| Ok((user_from_row(r)?, r.get(6)?)),
    )
    .optional()
}

/// Everyone, by name.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<User>> {
    let mut stmt = conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY name"))?;
    let rows = stmt.query_map([], user_from_row)?;
    rows.collect()
}

/// The password hash of an account nobody signs in to (the demo content's authors): no
/// password matches it (it is no PHC string), and [`count`] leaves such accounts out.
pub const LOCKED: &str = "!";

/// How many users can sign in with a password (none: the first start, waiting for the
/// admin; the demo's locked authors do not count).
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM users WHERE password_hash <> ?1",
        [LOCKED],
        |r| r.get(0),
    )
}

/// Change role, display name and whether the account is active.
pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    display_name: &str,
    role: Role,
    active: bool,
) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE users SET display_name = ?2, role = ?3, active = ?4 WHERE id = ?1",
        params![id, display_name, role.as_str(), active],
    )
}

/// Set a new password hash and end the user's sessions.
pub fn set_password(tx: &Transaction<'_>, id: i64, password_hash: &str) -> rusqlite::Result<usize> {
    tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
    tx.execute(
        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
        params![id, password_hash],
    )
}

/// Start a session.
pub fn create_session(
    tx: &Transaction<'_>,
    token_hash: &str,
    user_id: i64,
    csrf: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
        params![
            token_hash,
            user_id,
            csrf,
            now.to_rfc3339(),
            expires_at.to_rfc3339()
        ],
    )?;
    Ok(())
}

/// The unexpired session with this token hash, for an active user (whether it was idle too
/// long is the caller's to judge, by the user's role).
pub fn session(
    conn: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<Session>> {
    let at = |r: &Row<'_>, i| -> rusqlite::Result<DateTime<Utc>> {
        let s: String = r.get(i)?;
        Ok(DateTime::parse_from_rfc3339(&s).map_or(now, |d| d.with_timezone(&Utc)))
    };
    conn.query_row(
        &format!(
            "SELECT {}, s.csrf, s.expires_at, s.last_seen_at FROM sessions s
             JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1",
            user_columns_of("u")
        ),
        params![token_hash, now.to_rfc3339()],
        |r| {
            Ok(Session {
                user: user_from_row(r)?,
                csrf: r.get(6)?,
                expires_at: at(r, 7)?,
                last_seen_at: at(r, 8)?,
            })
        },
    )
    .optional()
}

/// Note that a session was used at `now`.
pub fn touch_session(
    conn: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
        params![token_hash, now.to_rfc3339()],
    )?;
    Ok(())
}

/// [`USER_COLUMNS`] of the table aliased `alias`.
fn user_columns_of(alias: &str) -> String {
    USER_COLUMNS
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// End a session.
pub fn delete_session(conn: &Connection, token_hash: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

/// Forget sessions that ended.
pub fn purge_sessions(conn: &Connection, now: DateTime<Utc>) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM sessions WHERE expires_at <= ?1",
        [now.to_rfc3339()],
    )
}

/// Store an API token (its hash) for a user, with what it may do.
pub fn create_token(
    tx: &Transaction<'_>,
    user_id: i64,
    label: &str,
    token_hash: &str,
    scope: TokenScope,
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO api_tokens (user_id, label, token_hash, scope) VALUES (?1, ?2, ?3, ?4)",
        params![user_id, label, token_hash, scope.as_str()],
    )?;
    Ok(tx.last_insert_rowid())
}

/// An API token presented by a caller: whose, and whether it may still be used.
#[derive(Debug, Clone)]
pub struct PresentedToken {
    /// The user it acts as (maybe disabled: see `user.active`).
    pub user: User,
    /// Its row id.
    pub id: i64,
    /// What it may do.
    pub scope: TokenScope,
    /// Whether an admin revoked it.
    pub revoked: bool,
}

/// The token with this hash, if any; notes when it was last used if it still works.
pub fn presented_token(
    conn: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<PresentedToken>> {
    let found = conn
        .query_row(
            &format!(
                "SELECT {}, t.id, t.scope, t.revoked_at IS NOT NULL FROM api_tokens t
                 JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1",
                user_columns_of("u")
            ),
            [token_hash],
            |r| {
                Ok(PresentedToken {
                    user: user_from_row(r)?,
                    id: r.get(6)?,
                    scope: parsed(r, 7)?,
                    revoked: r.get(8)?,
                })
            },
        )
        .optional()?;
    if let Some(t) = found.as_ref().filter(|t| !t.revoked && t.user.active) {
        conn.execute(
            "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1",
            params![t.id, stamp(now)],
        )?;
    }
    Ok(found)
}

/// Whether token `id` still works: not revoked, its user active.
pub fn token_works(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.id = ?1 AND t.revoked_at IS NULL AND u.active = 1",
        [id],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// Whether the session with this hash still exists, unexpired, for an active user.
pub fn session_lives(
    conn: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    Ok(session(conn, token_hash, now)?.is_some())
}

fn token_from_row(r: &Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: r.get(0)?,
        user_id: r.get(1)?,
        user_name: r.get(2)?,
        label: r.get(3)?,
        scope: parsed(r, 4)?,
        created_at: r.get(5)?,
        last_used_at: r.get(6)?,
        revoked_at: r.get(7)?,
    })
}

const TOKEN_COLUMNS: &str =
    "t.id, t.user_id, u.name, t.label, t.scope, t.created_at, t.last_used_at, t.revoked_at";

/// API tokens, of one user or everyone's, oldest first; never their secrets (only hashes
/// are stored anyway).
pub fn tokens(conn: &Connection, user_id: Option<i64>) -> rusqlite::Result<Vec<ApiToken>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE ?1 IS NULL OR t.user_id = ?1 ORDER BY t.id"
    ))?;
    let rows = stmt.query_map([user_id], token_from_row)?;
    rows.collect()
}

/// Token `id`, if it exists.
pub fn token(conn: &Connection, id: i64) -> rusqlite::Result<Option<ApiToken>> {
    conn.query_row(
        &format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.id = ?1"
        ),
        [id],
        token_from_row,
    )
    .optional()
}

/// Revoke token `id` at `now`; false if it was revoked already or does not exist.
pub fn revoke_token(tx: &Transaction<'_>, id: i64, now: DateTime<Utc>) -> rusqlite::Result<bool> {
    let n = tx.execute(
        "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, stamp(now)],
    )?;
    Ok(n == 1)
}

/// Tokens' and setup links' times as stored: SQLite's own `strftime('%Y-%m-%dT%H:%M:%fZ')`
/// form, so they compare as text with their columns' defaults and read alike in lists.
fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Store a one-time setup token (its hash) made at `now`, in place of any earlier one not
/// used yet: only the link printed last works.
pub fn renew_setup_token(
    conn: &mut Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM setup_tokens WHERE used_at IS NULL", [])?;
    tx.execute(
        "INSERT INTO setup_tokens (token_hash, created_at) VALUES (?1, ?2)",
        params![token_hash, stamp(now)],
    )?;
    tx.commit()
}

/// When the unused setup token with this hash was made, if there is one.
pub fn setup_token_made(
    conn: &Connection,
    token_hash: &str,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let made: Option<String> = conn
        .query_row(
            "SELECT created_at FROM setup_tokens WHERE token_hash = ?1 AND used_at IS NULL",
            [token_hash],
            |r| r.get(0),
        )
        .optional()?;
    Ok(made.and_then(|m| {
        DateTime::parse_from_rfc3339(&m)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }))
}

/// Mark a setup token used at `now` if it was made after `made_after`; false if it was used,
/// too old or unknown (someone was faster).
pub fn use_setup_token(
    tx: &Transaction<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
    made_after: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let n = tx.execute(
        "UPDATE setup_tokens SET used_at = ?2
         WHERE token_hash = ?1 AND used_at IS NULL AND created_at > ?3",
        params![token_hash, stamp(now), stamp(made_after)],
    )?;
    Ok(n == 1)
}
