//! The audit log: who changed what, written in the same transaction as the change. It never decides
//! what is audited: each change writes its own entry.

use rusqlite::{Connection, Transaction, params};

use crate::model::audit::Entry;

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this actor.
    pub actor: Option<String>,
    /// Only actions starting with this.
    pub action_prefix: Option<String>,
    /// Only entries older than this id: the next page of a long log, stable while new entries
    /// arrive (keyset paging, not an offset).
    pub before: Option<i64>,
    /// At most this many, newest first (default 200).
    pub limit: Option<u32>,
}

/// The people and actions the log holds: what the audit page offers to filter by.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// Every actor, in order.
    pub actors: Vec<String>,
    /// Every action, in order.
    pub actions: Vec<String>,
}

/// Record an action inside the caller's transaction.
pub fn record(
    tx: &Transaction<'_>,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO audit_log (actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4)",
        params![actor, action, subject, detail.to_string()],
    )?;
    Ok(())
}

/// Entries matching `filter`, newest first.
pub fn list(conn: &Connection, filter: &Filter) -> rusqlite::Result<Vec<Entry>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, subject, detail FROM audit_log
         WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action LIKE ?2 || '%')
           AND (?3 IS NULL OR id < ?3)
         ORDER BY id DESC LIMIT ?4",
    )?;
    let rows = stmt.query_map(
        params![
            filter.actor,
            filter.action_prefix,
            filter.before,
            filter.limit.unwrap_or(200)
        ],
        from_row,
    )?;
    rows.collect()
}

/// Who and what the log holds, for choosing from a list instead of typing.
pub fn choices(conn: &Connection) -> rusqlite::Result<Choices> {
    Ok(Choices {
        actors: distinct(conn, "SELECT DISTINCT actor FROM audit_log ORDER BY actor")?,
        actions: distinct(
            conn,
            "SELECT DISTINCT action FROM audit_log ORDER BY action",
        )?,
    })
}

fn distinct(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let detail: String = r.get(5)?;
    Ok(Entry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        subject: r.get(4)?,
        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
    })
}

/// Every entry about one subject (`item:12`), oldest first.
pub fn for_subject(conn: &Connection, subject: &str) -> rusqlite::Result<Vec<Entry>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, subject, detail FROM audit_log WHERE subject = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([subject], from_row)?;
    rows.collect()
}
