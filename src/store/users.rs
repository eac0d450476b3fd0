//! The `users`, `sessions`, `api_tokens` and `setup_tokens` tables.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::parsed;
use crate::model::account::{Role, Session, User};

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

/// How many users exist (none: the first start, waiting for the admin).
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
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
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token_hash, user_id, csrf, now.to_rfc3339(), expires_at.to_rfc3339()],
    )?;
    Ok(())
}

/// The live session with this token hash, for an active user.
pub fn session(
    conn: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<Session>> {
    let cols = USER_COLUMNS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    conn.query_row(
        &format!(
            "SELECT {cols}, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1"
        ),
        params![token_hash, now.to_rfc3339()],
        |r| {
            let expires: String = r.get(7)?;
            Ok(Session {
                user: user_from_row(r)?,
                csrf: r.get(6)?,
                expires_at: DateTime::parse_from_rfc3339(&expires)
                    .map(|d| d.with_timezone(&Utc))
                    .unwrap_or(now),
            })
        },
    )
    .optional()
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

/// Store an API token (its hash) for a user.
pub fn create_token(
    tx: &Transaction<'_>,
    user_id: i64,
    label: &str,
    token_hash: &str,
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO api_tokens (user_id, label, token_hash) VALUES (?1, ?2, ?3)",
        params![user_id, label, token_hash],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The active user an API token belongs to; notes when it was last used.
pub fn user_by_token(
    conn: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<User>> {
    let cols = USER_COLUMNS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let user = conn
        .query_row(
            &format!(
                "SELECT {cols} FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.token_hash = ?1 AND u.active = 1"
            ),
            [token_hash],
            user_from_row,
        )
        .optional()?;
    if user.is_some() {
        conn.execute(
            "UPDATE api_tokens SET last_used_at = ?2 WHERE token_hash = ?1",
            params![token_hash, now.to_rfc3339()],
        )?;
    }
    Ok(user)
}

/// Store a one-time setup token (its hash), in place of any earlier one not used yet: only
/// the link printed last works.
pub fn renew_setup_token(conn: &mut Connection, token_hash: &str) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM setup_tokens WHERE used_at IS NULL", [])?;
    tx.execute(
        "INSERT INTO setup_tokens (token_hash) VALUES (?1)",
        [token_hash],
    )?;
    tx.commit()
}

/// Whether a setup token exists and is unused.
pub fn setup_token_valid(conn: &Connection, token_hash: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT COUNT(*) FROM setup_tokens WHERE token_hash = ?1 AND used_at IS NULL",
        [token_hash],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// Mark a setup token used; false if it was used or unknown (someone was faster).
pub fn use_setup_token(tx: &Transaction<'_>, token_hash: &str) -> rusqlite::Result<bool> {
    let n = tx.execute(
        "UPDATE setup_tokens SET used_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE token_hash = ?1 AND used_at IS NULL",
        [token_hash],
    )?;
    Ok(n == 1)
}
