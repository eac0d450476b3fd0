//! What the reviewed tables share: broadcast items, typed bulletins and panel slogans go
//! through the same draft → submitted → approved/rejected states, kept in the same columns;
//! each table adds the columns of its content. A record is read, a draft written and its
//! content replaced by [`ReviewedRows`]' provided methods, and its state moved by
//! [`set_state`], whatever the table. An edit of approved content is a revision: a row of the
//! same table whose `revision_of` names the approved one, hidden from lists and `get`, read
//! with [`ReviewedRows::pending`], copied over the approved row by [`ReviewedRows::merge`] when
//! approved. It never decides whether a move is allowed: the review rules (`crate::review`)
//! do, and call these.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params, params_from_iter};

use super::parsed;
use crate::model::{ReviewState, Revision};

/// A table whose rows are reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reviewed {
    /// `items`: broadcasts.
    Items,
    /// `slogans`: what the LED panel shows.
    Slogans,
}

impl Reviewed {
    fn table(self) -> &'static str {
        match self {
            Reviewed::Items => "items",
            Reviewed::Slogans => "slogans",
        }
    }
}

/// The columns [`revision_from`] reads, after a record's own: its revision number and editors
/// (of the table aliased `alias`), then its pending revision's (alias `p`, joined by
/// [`pending_join`]).
pub fn revision_columns(alias: &str) -> String {
    format!(
        "{alias}.revision, {alias}.editors, p.id, p.revision, p.state, p.editors, \
         p.reject_reason, p.updated_at"
    )
}

/// How many columns [`revision_columns`] adds.
pub const REVISION_COLUMNS: usize = 8;

/// The join of a record's pending revision (alias `p`) for a table aliased `alias`.
pub fn pending_join(what: Reviewed, alias: &str) -> String {
    format!(
        "LEFT JOIN {t} p ON p.revision_of = {alias}.id",
        t = what.table()
    )
}

/// A list of user ids kept as JSON text.
fn ids(r: &Row<'_>, i: usize) -> rusqlite::Result<Vec<i64>> {
    let s: Option<String> = r.get(i)?;
    Ok(s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// A record's revision number, its editors and its pending revision, from the
/// [`revision_columns`] starting at column `at`.
pub fn revision_from(
    r: &Row<'_>,
    at: usize,
) -> rusqlite::Result<(i64, Vec<i64>, Option<Revision>)> {
    let pending = match r.get::<_, Option<i64>>(at + 2)? {
        None => None,
        Some(id) => Some(Revision {
            id,
            revision: r.get(at + 3)?,
            state: parsed::<ReviewState>(r, at + 4)?,
            editors: ids(r, at + 5)?,
            reject_reason: r.get(at + 6)?,
            updated_at: r.get(at + 7)?,
        }),
    };
    Ok((r.get(at)?, ids(r, at + 1)?, pending))
}

/// A reviewed row's content: its columns and their values, in the same order.
pub struct Content {
    /// Column names.
    pub columns: &'static [&'static str],
    /// Their values.
    pub values: Vec<Value>,
}

/// One reviewed table as the store reads and writes it. Each names its table, its query, its
/// row reader and its content columns once; reading one or a list, adding a draft and
/// replacing what it says are written here for all of them. A kind whose rows span two tables
/// (a typed bulletin's text beside its item) keeps the other one in [`ReviewedRows::written`].
pub trait ReviewedRows {
    /// What staff write: the content of a draft or an edit.
    type Content;
    /// A stored one with its review fields.
    type Record;
    /// The table whose rows carry the review state.
    const TABLE: Reviewed;
    /// The alias that table has in [`ReviewedRows::select`] (`i` for `items i`).
    const ALIAS: &'static str;
    /// The order lists are in (`i.id DESC`).
    const ORDER: &'static str;

    /// `SELECT … FROM …` of a record, joins included, without `WHERE`.
    fn select() -> String;
    /// A record from a row of [`ReviewedRows::select`].
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self::Record>;
    /// The columns of what `new` says and their values, in the reviewed table.
    fn content(new: &Self::Content) -> rusqlite::Result<Content>;
    /// After the content of row `id` was written (a draft added, or its content replaced):
    /// what the kind keeps beside it in its own table. Default: nothing.
    fn written(_tx: &Transaction<'_>, _id: i64, _new: &Self::Content) -> rusqlite::Result<()> {
        Ok(())
    }

    /// The one with this id (never a revision: those are read with their approved one).
    fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Self::Record>> {
        let sql = format!(
            "{} WHERE {a}.id = ?1 AND {a}.revision_of IS NULL",
            Self::select(),
            a = Self::ALIAS
        );
        conn.query_row(&sql, [id], Self::from_row).optional()
    }

    /// The revision of row `id` waiting for approval, if there is one.
    fn pending(conn: &Connection, id: i64) -> rusqlite::Result<Option<Self::Record>> {
        let sql = format!("{} WHERE {}.revision_of = ?1", Self::select(), Self::ALIAS);
        conn.query_row(&sql, [id], Self::from_row).optional()
    }

    /// All of them in [`ReviewedRows::ORDER`], optionally those in one state or whose pending
    /// revision is (an approved item with a revision waiting is among the submitted ones).
    fn list(conn: &Connection, state: Option<ReviewState>) -> rusqlite::Result<Vec<Self::Record>> {
        let sql = format!(
            "{} WHERE {a}.revision_of IS NULL AND (?1 IS NULL OR {a}.state = ?1 OR p.state = ?1)
             ORDER BY {}",
            Self::select(),
            Self::ORDER,
            a = Self::ALIAS,
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([state.map(ReviewState::as_str)], Self::from_row)?;
        rows.collect()
    }

    /// Add a draft written by `created_by` (`None`: demo content); its row id.
    fn insert(
        tx: &Transaction<'_>,
        new: &Self::Content,
        created_by: Option<i64>,
    ) -> rusqlite::Result<i64> {
        let content = Self::content(new)?;
        let n = content.columns.len();
        let marks: Vec<String> = (1..=n + 1).map(|i| format!("?{i}")).collect();
        tx.execute(
            &format!(
                "INSERT INTO {} ({}, created_by) VALUES ({})",
                Self::TABLE.table(),
                content.columns.join(", "),
                marks.join(", ")
            ),
            params_from_iter(content.values.into_iter().chain([Value::from(created_by)])),
        )?;
        let id = tx.last_insert_rowid();
        Self::written(tx, id, new)?;
        Ok(id)
    }

    /// Add a draft revision of approved row `of`, numbered `revision`, made by `by`; its id.
    fn insert_revision(
        tx: &Transaction<'_>,
        of: i64,
        revision: i64,
        new: &Self::Content,
        by: i64,
        created_by: Option<i64>,
    ) -> rusqlite::Result<i64> {
        let id = Self::insert(tx, new, created_by)?;
        tx.execute(
            &format!(
                "UPDATE {} SET revision_of = ?2, revision = ?3, edited_by = ?4,
                    editors = json_array(?4) WHERE id = ?1",
                Self::TABLE.table()
            ),
            params![id, of, revision, by],
        )?;
        Ok(id)
    }

    /// Copy approved revision `revision` over row `into`, which stays approved (decided by
    /// `decided_by`) and takes the revision's number and editors (`state` the state `into` goes
    /// to: approved, or draft when approved content is taken off air with a revision waiting),
    /// then drop the revision's row. Returns the rows changed: 0 when `into` is no longer
    /// approved.
    fn merge(
        tx: &Transaction<'_>,
        into: i64,
        revision: &Revision,
        content: &Self::Content,
        state: ReviewState,
        decided_by: Option<i64>,
    ) -> rusqlite::Result<usize> {
        let last_editor = revision.editors.last().copied();
        let changed = Self::replace(tx, into, content, ReviewState::Approved, state, last_editor)?;
        if changed != 1 {
            return Ok(0);
        }
        let editors = serde_json::to_string(&revision.editors).unwrap_or_else(|_| "[]".into());
        tx.execute(
            &format!(
                "UPDATE {} SET revision = ?2, editors = ?3, decided_by = ?4,
                    decided_at = CASE WHEN ?4 IS NULL THEN NULL
                        ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
                 WHERE id = ?1",
                Self::TABLE.table()
            ),
            params![into, revision.revision, editors, decided_by],
        )?;
        Self::merged(tx, into, revision.id)?;
        drop_revision(tx, Self::TABLE, revision.id)?;
        Ok(1)
    }

    /// After revision row `revision` was copied over row `into`, before the revision's row goes:
    /// what the kind keeps beside it in another table and must copy too. Default: nothing.
    fn merged(_tx: &Transaction<'_>, _into: i64, _revision: i64) -> rusqlite::Result<()> {
        Ok(())
    }

    /// Replace what row `id` says and put it in `to` (an edit of something submitted or
    /// approved needs approval again), forgetting the last decision and noting `edited_by` as
    /// the maker of this version, if it is still in `from`. Returns the rows changed: 0 when
    /// someone else changed it first.
    fn replace(
        tx: &Transaction<'_>,
        id: i64,
        new: &Self::Content,
        from: ReviewState,
        to: ReviewState,
        edited_by: Option<i64>,
    ) -> rusqlite::Result<usize> {
        let content = Self::content(new)?;
        let set: Vec<String> = content
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 5))
            .collect();
        let changed = tx.execute(
            &format!(
                "UPDATE {} SET {}, state = ?2, edited_by = ?4, reject_reason = NULL, decided_by = NULL,
                    decided_at = NULL, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE id = ?1 AND state = ?3",
                Self::TABLE.table(),
                set.join(", ")
            ),
            params_from_iter(
                [
                    Value::from(id),
                    Value::from(to.as_str().to_string()),
                    Value::from(from.as_str().to_string()),
                    Value::from(edited_by),
                ]
                .into_iter()
                .chain(content.values),
            ),
        )?;
        if changed == 1 {
            Self::written(tx, id, new)?;
        }
        Ok(changed)
    }
}

/// Note `user` among the editors of row `id`'s version (once).
pub fn add_editor(
    tx: &Transaction<'_>,
    what: Reviewed,
    id: i64,
    user: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        &format!(
            "UPDATE {} SET editors = json_insert(editors, '$[#]', ?2)
             WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM json_each(editors) WHERE value = ?2)",
            what.table()
        ),
        params![id, user],
    )?;
    Ok(())
}

/// Remove revision row `id` of `what` (approved into its row, or dropped with it); never an
/// approved row.
pub fn drop_revision(tx: &Transaction<'_>, what: Reviewed, id: i64) -> rusqlite::Result<usize> {
    tx.execute(
        &format!(
            "DELETE FROM {} WHERE id = ?1 AND revision_of IS NOT NULL",
            what.table()
        ),
        [id],
    )
}

/// Move row `id` of `what` from `from` to `to`, recording who decided and why. Returns the
/// rows changed: 0 when someone else changed it first.
pub fn set_state(
    tx: &Transaction<'_>,
    what: Reviewed,
    id: i64,
    from: ReviewState,
    to: ReviewState,
    decided_by: Option<i64>,
    reason: Option<&str>,
) -> rusqlite::Result<usize> {
    tx.execute(
        &format!(
            "UPDATE {} SET state = ?3, decided_by = COALESCE(?4, decided_by),
                decided_at = CASE WHEN ?4 IS NULL THEN decided_at ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END,
                reject_reason = ?5, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1 AND state = ?2",
            what.table()
        ),
        params![id, from.as_str(), to.as_str(), decided_by, reason],
    )
}
