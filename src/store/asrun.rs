//! The `as_run` table: what really aired, and what did not and why.
//!
//! On a head-end the table also holds the rows its village nodes sent (`node` set); everything
//! that decides what this machine airs next (settled cues, a restart's unfinished lines, the
//! latest sample heard) looks at this machine's own rows only. It does not decide what aired: the
//! runner writes what the player reported.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::model::asrun::{Entry, NewEntry, Outcome};

fn ts(v: Option<String>) -> Option<DateTime<Utc>> {
    v.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|d| d.with_timezone(&Utc))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Entry> {
    // An outcome this version does not know reads as failed rather than losing the line.
    let outcome = r.get::<_, String>(6)?.parse().unwrap_or(Outcome::Failed);
    Ok(Entry {
        id: r.get(0)?,
        cue_key: r.get(1)?,
        item_id: r.get(2)?,
        media_id: r.get(3)?,
        label: r.get(4)?,
        source: r.get(5)?,
        outcome,
        reason: r.get(7)?,
        planned_at: ts(r.get(8)?),
        first_sample_at: ts(r.get(9)?),
        last_sample_at: ts(r.get(10)?),
        node: r.get(11)?,
    })
}

const COLUMNS: &str = "id, cue_key, item_id, media_id, label, source, outcome, reason, \
    planned_at, first_sample_at, last_sample_at, node";

fn rfc(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// Record a play (or a non-play) with its outcome; returns its id.
pub fn record(
    conn: &Connection,
    new: &NewEntry<'_>,
    outcome: Outcome,
    reason: Option<&str>,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO as_run (cue_key, item_id, media_id, label, source, outcome, reason,
            planned_at, first_sample_at, last_sample_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            new.cue_key,
            new.item_id,
            new.media_id,
            new.label,
            new.source,
            outcome.as_str(),
            reason,
            rfc(new.planned_at),
            rfc(first),
            rfc(last),
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Record what happened to a scheduled cue: the first report creates its line, later ones
/// update it (started → completed), keeping the first sample time once known.
pub fn upsert_cue(
    conn: &Connection,
    new: &NewEntry<'_>,
    outcome: Outcome,
    reason: Option<&str>,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO as_run (cue_key, item_id, media_id, label, source, outcome, reason,
            planned_at, first_sample_at, last_sample_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(cue_key) WHERE cue_key IS NOT NULL AND node IS NULL DO UPDATE SET
            outcome = excluded.outcome, reason = excluded.reason,
            first_sample_at = COALESCE(excluded.first_sample_at, as_run.first_sample_at),
            last_sample_at = COALESCE(excluded.last_sample_at, as_run.last_sample_at)",
        params![
            new.cue_key,
            new.item_id,
            new.media_id,
            new.label,
            new.source,
            outcome.as_str(),
            reason,
            rfc(new.planned_at),
            rfc(first),
            rfc(last),
        ],
    )?;
    Ok(())
}

/// Cues of these keys that are settled (completed, missed, skipped, failed): never air again.
pub fn settled_cues(
    conn: &Connection,
    since: DateTime<Utc>,
) -> rusqlite::Result<std::collections::HashSet<String>> {
    let mut stmt = conn.prepare(
        "SELECT cue_key FROM as_run WHERE cue_key IS NOT NULL AND node IS NULL AND planned_at >= ?1
           AND outcome IN ('completed', 'missed', 'skipped', 'failed')",
    )?;
    let rows = stmt.query_map([rfc(Some(since))], |r| r.get(0))?;
    rows.collect()
}

/// Lines left `started` by a run that ended without finishing them (a crash, a power cut):
/// mark them interrupted, so the runner may air them again within the grace window.
pub fn interrupt_unfinished(conn: &Connection, reason: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE as_run SET outcome = 'interrupted', reason = ?1
         WHERE outcome = 'started' AND node IS NULL",
        [reason],
    )
}

/// The latest moment anything was heard, to tell a clock that went backwards.
pub fn latest_sample(conn: &Connection) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let v: Option<String> = conn.query_row(
        "SELECT MAX(COALESCE(last_sample_at, first_sample_at)) FROM as_run WHERE node IS NULL",
        [],
        |r| r.get(0),
    )?;
    Ok(ts(v))
}

/// Update a line when its play ends.
pub fn finish(
    conn: &Connection,
    id: i64,
    outcome: Outcome,
    reason: Option<&str>,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE as_run SET outcome = ?2, reason = ?3,
            first_sample_at = COALESCE(?4, first_sample_at), last_sample_at = ?5
         WHERE id = ?1",
        params![id, outcome.as_str(), reason, rfc(first), rfc(last)],
    )?;
    Ok(())
}

/// The line with this id.
pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Entry>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM as_run WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

/// The line of a cue, if it was recorded.
pub fn by_cue(conn: &Connection, cue_key: &str) -> rusqlite::Result<Option<Entry>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM as_run WHERE cue_key = ?1 AND node IS NULL"),
        [cue_key],
        from_row,
    )
    .optional()
}

/// Lines whose planned or actual start falls in `[from, to)`, in time order.
pub fn between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<Vec<Entry>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM as_run
         WHERE COALESCE(first_sample_at, planned_at, created_at) >= ?1
           AND COALESCE(first_sample_at, planned_at, created_at) < ?2
         ORDER BY COALESCE(first_sample_at, planned_at, created_at), id"
    ))?;
    let rows = stmt.query_map(params![rfc(Some(from)), rfc(Some(to))], from_row)?;
    rows.collect()
}

/// The as-run lines as CSV (RFC 4180), for the commune's reports.
pub fn to_csv(entries: &[Entry]) -> String {
    let mut out = String::from(
        "id,label,source,outcome,reason,planned_at,first_sample_at,last_sample_at,item_id,cue_key,node\r\n",
    );
    let field = crate::text::csv_field;
    for e in entries {
        let t = |v: Option<DateTime<Utc>>| rfc(v).unwrap_or_default();
        let line = [
            e.id.to_string(),
            field(&e.label),
            e.source.clone(),
            e.outcome.as_str().to_string(),
            field(e.reason.as_deref().unwrap_or("")),
            t(e.planned_at),
            t(e.first_sample_at),
            t(e.last_sample_at),
            e.item_id.map(|i| i.to_string()).unwrap_or_default(),
            field(e.cue_key.as_deref().unwrap_or("")),
            field(e.node.as_deref().unwrap_or("")),
        ]
        .join(",");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let e = Entry {
            id: 1,
            cue_key: None,
            item_id: None,
            media_id: None,
            label: "=HYPERLINK(\"x\")".into(),
            source: "manual".into(),
            outcome: Outcome::Completed,
            reason: Some("a, \"b\"".into()),
            planned_at: None,
            first_sample_at: None,
            last_sample_at: None,
            node: Some("thon-2".into()),
        };
        let csv = to_csv(std::slice::from_ref(&e));
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
        assert!(csv.contains("\"a, \"\"b\"\"\""));
        for lead in ["\t=1+1", "\r=1+1"] {
            let csv = to_csv(&[Entry {
                label: lead.into(),
                ..e.clone()
            }]);
            assert!(csv.contains(&format!("\"'{lead}\"")), "{lead:?}: {csv}");
        }
        assert!(csv.starts_with("id,") && csv.lines().next().unwrap().ends_with(",node"));
        assert!(
            csv.lines().nth(1).unwrap().ends_with(",\"thon-2\""),
            "{csv}"
        );
    }
}
