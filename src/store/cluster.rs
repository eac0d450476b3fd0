//! The cluster's tables: on a node, its plan, its media cache and its as-run queue; on the
//! head-end, the rows the nodes sent, their comings and goings and their condition. No rules here:
//! what a node airs and when a row counts are the cluster's to decide.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::asrun::{self as asrun_table};
use crate::model::asrun::Entry;
use crate::model::cluster::{CachedMedia, ConditionSample, NodeEvent, NodeRow};

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn ts(s: String) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
        })
}

// ---- node: the plan ---------------------------------------------------------------------

/// Keep `body` as the node's plan if `version` is higher than the one kept (or none is).
/// Returns whether it replaced the kept one.
pub fn keep_plan(
    conn: &Connection,
    version: u64,
    body: &str,
    received_at: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "INSERT INTO node_plan (id, version, body, received_at) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET version = excluded.version, body = excluded.body,
            received_at = excluded.received_at
         WHERE excluded.version > node_plan.version",
        params![version as i64, body, rfc(received_at)],
    )?;
    Ok(changed > 0)
}

/// The kept plan's version.
pub fn kept_plan_version(conn: &Connection) -> rusqlite::Result<Option<u64>> {
    conn.query_row("SELECT version FROM node_plan WHERE id = 1", [], |r| {
        Ok(r.get::<_, i64>(0)? as u64)
    })
    .optional()
}

/// The kept plan: its version and its JSON.
pub fn kept_plan(conn: &Connection) -> rusqlite::Result<Option<(u64, String)>> {
    conn.query_row(
        "SELECT version, body FROM node_plan WHERE id = 1",
        [],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
    )
    .optional()
}

// ---- node: the media cache --------------------------------------------------------------

fn cached_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<CachedMedia> {
    Ok(CachedMedia {
        sha256: r.get(0)?,
        bytes: r.get::<_, i64>(1)? as u64,
        verified_size: r.get::<_, i64>(2)? as u64,
        verified_mtime: r.get(3)?,
        last_needed: ts(r.get(4)?)?,
    })
}

const CACHE_COLUMNS: &str = "sha256, bytes, verified_size, verified_mtime, last_needed";

/// The cache's entry for a recording, if it holds it.
pub fn cached(conn: &Connection, sha256: &str) -> rusqlite::Result<Option<CachedMedia>> {
    conn.query_row(
        &format!("SELECT {CACHE_COLUMNS} FROM media_cache WHERE sha256 = ?1"),
        [sha256],
        cached_from,
    )
    .optional()
}

/// Every recording the cache holds, least recently needed first.
pub fn all_cached(conn: &Connection) -> rusqlite::Result<Vec<CachedMedia>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CACHE_COLUMNS} FROM media_cache ORDER BY last_needed, sha256"
    ))?;
    let rows = stmt.query_map([], cached_from)?;
    rows.collect()
}

/// Record a recording as held (fetched and verified now, or verified again).
pub fn put_cached(conn: &Connection, m: &CachedMedia, at: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO media_cache (sha256, bytes, verified_size, verified_mtime, fetched_at, last_needed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(sha256) DO UPDATE SET bytes = excluded.bytes,
            verified_size = excluded.verified_size, verified_mtime = excluded.verified_mtime,
            last_needed = excluded.last_needed",
        params![
            m.sha256,
            m.bytes as i64,
            m.verified_size as i64,
            m.verified_mtime,
            rfc(at),
            rfc(m.last_needed)
        ],
    )?;
    Ok(())
}

/// Note that a plan needs these recordings at `at` (eviction keeps what was needed last).
pub fn mark_needed(
    conn: &Connection,
    sha256s: &[String],
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("UPDATE media_cache SET last_needed = ?2 WHERE sha256 = ?1")?;
    for s in sha256s {
        stmt.execute(params![s, rfc(at)])?;
    }
    Ok(())
}

/// Forget a recording (evicted, or found damaged).
pub fn forget_cached(conn: &Connection, sha256: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM media_cache WHERE sha256 = ?1", [sha256])?;
    Ok(())
}

/// Recordings held and their bytes.
pub fn cache_totals(conn: &Connection) -> rusqlite::Result<(u64, u64)> {
    conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM media_cache",
        [],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
    )
}

// ---- node: the as-run queue -------------------------------------------------------------

/// Settled rows the head-end has not stored in their latest revision, oldest first, with
/// that revision: the node's as-run queue.
pub fn undelivered(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<(Entry, u32)>> {
    let ids: Vec<(i64, u32)> = {
        let mut stmt = conn.prepare(
            "SELECT id, revision FROM as_run
             WHERE delivered < revision AND outcome != 'started' AND node IS NULL
             ORDER BY id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut out = Vec::with_capacity(ids.len());
    for (id, revision) in ids {
        if let Some(e) = asrun_table::by_id(conn, id)? {
            out.push((e, revision));
        }
    }
    Ok(out)
}

/// The head-end stored row `id` in `revision`: it leaves the queue unless it changed since.
pub fn mark_delivered(conn: &Connection, id: i64, revision: u32) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE as_run SET delivered = MAX(delivered, ?2) WHERE id = ?1 AND node IS NULL",
        params![id, revision],
    )?;
    Ok(())
}

/// Rows waiting in the queue.
pub fn queued(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT COUNT(*) FROM as_run
         WHERE delivered < revision AND outcome != 'started' AND node IS NULL",
        [],
        |r| Ok(r.get::<_, i64>(0)? as u64),
    )
}

// ---- head-end: what the nodes sent ------------------------------------------------------

/// What storing a node's row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// A row not seen before.
    New,
    /// A later revision of a row seen before.
    Updated,
    /// That revision (or a later one) was stored already: nothing changed.
    Duplicate,
}

/// Store a row a node aired, once: a repeat (at-least-once delivery) changes nothing, a later
/// revision replaces an earlier one. An item the head-end does not know (deleted since) is
/// kept as a row without its item.
pub fn store_node_row(conn: &Connection, row: &NodeRow) -> rusqlite::Result<Stored> {
    let before: Option<u32> = conn
        .query_row(
            "SELECT revision FROM as_run WHERE node = ?1 AND node_row = ?2",
            params![row.node, row.row],
            |r| r.get(0),
        )
        .optional()?;
    if before.is_some_and(|b| b >= row.revision) {
        return Ok(Stored::Duplicate);
    }
    let item_id: Option<i64> = match row.item_id {
        Some(id) => conn
            .query_row("SELECT id FROM items WHERE id = ?1", [id], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let opt = |t: Option<DateTime<Utc>>| t.map(rfc);
    conn.execute(
        "INSERT INTO as_run (cue_key, item_id, label, source, outcome, reason, planned_at,
            first_sample_at, last_sample_at, node, node_row, revision, delivered)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)
         ON CONFLICT(node, node_row) WHERE node IS NOT NULL DO UPDATE SET
            outcome = excluded.outcome, reason = excluded.reason,
            first_sample_at = excluded.first_sample_at, last_sample_at = excluded.last_sample_at,
            revision = excluded.revision, delivered = excluded.revision",
        params![
            row.cue_key,
            item_id,
            row.label,
            row.source,
            row.outcome.as_str(),
            row.reason,
            opt(row.planned_at),
            opt(row.first_sample_at),
            opt(row.last_sample_at),
            row.node,
            row.row,
            row.revision,
        ],
    )?;
    Ok(if before.is_some() {
        Stored::Updated
    } else {
        Stored::New
    })
}

/// Record a node going online or offline.
pub fn record_node_event(conn: &Connection, e: &NodeEvent) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO node_events (node, at, online, reason) VALUES (?1, ?2, ?3, ?4)",
        params![e.node, rfc(e.at), e.online, e.reason],
    )?;
    Ok(())
}

fn event_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<NodeEvent> {
    Ok(NodeEvent {
        node: r.get(0)?,
        at: ts(r.get(1)?)?,
        online: r.get(2)?,
        reason: r.get(3)?,
    })
}

/// Each node's last event before `at`: whether it was online then.
pub fn node_states_at(conn: &Connection, at: DateTime<Utc>) -> rusqlite::Result<Vec<NodeEvent>> {
    let mut stmt = conn.prepare(
        "SELECT e.node, e.at, e.online, e.reason FROM node_events e
         WHERE e.id = (SELECT id FROM node_events f WHERE f.node = e.node AND f.at < ?1
                       ORDER BY f.at DESC, f.id DESC LIMIT 1)
         ORDER BY e.node",
    )?;
    let rows = stmt.query_map([rfc(at)], event_from)?;
    rows.collect()
}

/// Node events in `[from, to)`, by time.
pub fn node_events_between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<Vec<NodeEvent>> {
    let mut stmt = conn.prepare(
        "SELECT node, at, online, reason FROM node_events WHERE at >= ?1 AND at < ?2
         ORDER BY at, id",
    )?;
    let rows = stmt.query_map(params![rfc(from), rfc(to)], event_from)?;
    rows.collect()
}

/// Keep a sample of a node's condition.
pub fn record_condition(conn: &Connection, c: &ConditionSample) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO node_condition (node, at, started_at, restarts, errors, temperature_c,
            under_voltage) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            c.node,
            rfc(c.at),
            rfc(c.started_at),
            c.restarts as i64,
            c.errors as i64,
            c.temperature_c.map(f64::from),
            c.under_voltage
        ],
    )?;
    Ok(())
}

/// Condition samples in `[from, to)`, by node and time.
pub fn conditions_between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<Vec<ConditionSample>> {
    let mut stmt = conn.prepare(
        "SELECT node, at, started_at, restarts, errors, temperature_c, under_voltage
         FROM node_condition WHERE at >= ?1 AND at < ?2 ORDER BY node, at, id",
    )?;
    let rows = stmt.query_map(params![rfc(from), rfc(to)], |r| {
        Ok(ConditionSample {
            node: r.get(0)?,
            at: ts(r.get(1)?)?,
            started_at: ts(r.get(2)?)?,
            restarts: r.get::<_, i64>(3)? as u64,
            errors: r.get::<_, i64>(4)? as u64,
            temperature_c: r.get::<_, Option<f64>>(5)?.map(|t| t as f32),
            under_voltage: r.get(6)?,
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::asrun::{NewEntry, Outcome};
    use crate::store::Store;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_node_keeps_the_highest_plan_it_was_sent() {
        let store = Store::open_in_memory().unwrap();
        store
            .with(|c| {
                let at = t("2026-12-01T00:00:00Z");
                assert!(keep_plan(c, 5, "five", at)?);
                assert!(!keep_plan(c, 4, "four", at)?, "an older plan is ignored");
                assert!(!keep_plan(c, 5, "again", at)?);
                assert_eq!(kept_plan(c)?, Some((5, "five".into())));
                assert!(keep_plan(c, 6, "six", at)?);
                assert_eq!(kept_plan(c)?.unwrap().0, 6);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn the_queue_holds_settled_rows_until_their_latest_revision_is_stored() {
        let store = Store::open_in_memory().unwrap();
        store
            .with(|c| {
                let new = NewEntry {
                    cue_key: Some("sang/1"),
                    label: "Bản tin",
                    source: "schedule",
                    planned_at: Some(t("2026-12-01T06:00:00Z")),
                    ..Default::default()
                };
                asrun_table::upsert_cue(c, &new, Outcome::Started, None, None, None)?;
                assert!(
                    undelivered(c, 10)?.is_empty(),
                    "a play on air is not queued"
                );
                asrun_table::upsert_cue(c, &new, Outcome::Completed, None, None, None)?;
                let q = undelivered(c, 10)?;
                assert_eq!(q.len(), 1);
                let (row, revision) = (q[0].0.id, q[0].1);
                assert_eq!(revision, 2);
                // The row changes again before the head-end's answer to revision 2 comes.
                asrun_table::upsert_cue(c, &new, Outcome::Interrupted, Some("x"), None, None)?;
                mark_delivered(c, row, revision)?;
                assert_eq!(undelivered(c, 10)?[0].1, 3, "revision 3 is still to send");
                mark_delivered(c, row, 3)?;
                mark_delivered(c, row, 2)?;
                assert_eq!(queued(c)?, 0);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_nodes_row_is_stored_once_and_never_replaced_by_an_older_revision() {
        let store = Store::open_in_memory().unwrap();
        store
            .with(|c| {
                let mut row = NodeRow {
                    node: "thon-2".into(),
                    row: "ab-1".into(),
                    revision: 2,
                    cue_key: Some("sang/1".into()),
                    item_id: Some(999),
                    label: "Bản tin".into(),
                    source: "schedule".into(),
                    outcome: Outcome::Completed,
                    reason: None,
                    planned_at: Some(t("2026-12-01T06:00:00Z")),
                    first_sample_at: Some(t("2026-12-01T06:00:00Z")),
                    last_sample_at: Some(t("2026-12-01T06:01:00Z")),
                };
                assert_eq!(store_node_row(c, &row)?, Stored::New);
                assert_eq!(store_node_row(c, &row)?, Stored::Duplicate);
                let mut older = row.clone();
                older.revision = 1;
                older.outcome = Outcome::Interrupted;
                assert_eq!(store_node_row(c, &older)?, Stored::Duplicate);
                // Another node airing the same cue is another row; this machine's own cue too.
                row.node = "thon-3".into();
                assert_eq!(store_node_row(c, &row)?, Stored::New);
                let own = NewEntry {
                    cue_key: Some("sang/1"),
                    label: "Bản tin",
                    source: "schedule",
                    planned_at: Some(t("2026-12-01T06:00:00Z")),
                    ..Default::default()
                };
                asrun_table::upsert_cue(c, &own, Outcome::Completed, None, None, None)?;
                let all =
                    asrun_table::between(c, t("2026-12-01T00:00:00Z"), t("2026-12-02T00:00:00Z"))?;
                assert_eq!(all.len(), 3);
                let nodes: Vec<_> = all.iter().map(|e| e.node.clone()).collect();
                assert!(nodes.contains(&Some("thon-2".into())) && nodes.contains(&None));
                assert!(
                    all.iter().all(|e| e.item_id.is_none()),
                    "unknown item dropped"
                );
                assert_eq!(
                    all.iter().find(|e| e.node.is_some()).unwrap().outcome,
                    Outcome::Completed
                );
                // The head-end's own runner sees only its own cue as settled.
                let settled = asrun_table::settled_cues(c, t("2026-12-01T00:00:00Z"))?;
                assert_eq!(settled.len(), 1);
                assert_eq!(queued(c)?, 1, "only this machine's own row is queued");
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn connectivity_is_kept_per_node() {
        let store = Store::open_in_memory().unwrap();
        store
            .with(|c| {
                for (node, at, online) in [
                    ("thon-1", "2026-11-30T23:00:00Z", true),
                    ("thon-1", "2026-12-01T02:00:00Z", false),
                    ("thon-1", "2026-12-01T03:00:00Z", true),
                    ("thon-2", "2026-12-01T01:00:00Z", true),
                ] {
                    record_node_event(
                        c,
                        &NodeEvent {
                            node: node.into(),
                            at: t(at),
                            online,
                            reason: None,
                        },
                    )?;
                }
                let at = node_states_at(c, t("2026-12-01T02:30:00Z"))?;
                assert_eq!(at.len(), 2);
                assert!(!at[0].online && at[1].online);
                let events =
                    node_events_between(c, t("2026-12-01T00:00:00Z"), t("2026-12-02T00:00:00Z"))?;
                assert_eq!(events.len(), 3);
                Ok(())
            })
            .unwrap();
    }
}
