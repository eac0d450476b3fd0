//! What the reviewed tables share: broadcast items, typed bulletins and panel slogans go
//! through the same draft → submitted → approved/rejected states, kept in the same columns;
//! each table adds the columns of its content. A record is read, a draft written and its
//! content replaced by [`ReviewedRows`]' provided methods, and its state moved by
//! [`set_state`], whatever the table. It never decides whether a move is allowed: the review
//! rules (`crate::review`) do, and call these.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params, params_from_iter};

use crate::model::ReviewState;

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

    /// The one with this id.
    fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Self::Record>> {
        let sql = format!("{} WHERE {}.id = ?1", Self::select(), Self::ALIAS);
        conn.query_row(&sql, [id], Self::from_row).optional()
    }

    /// All of them in [`ReviewedRows::ORDER`], optionally in one state.
    fn list(conn: &Connection, state: Option<ReviewState>) -> rusqlite::Result<Vec<Self::Record>> {
        let sql = format!(
            "{} WHERE (?1 IS NULL OR {}.state = ?1) ORDER BY {}",
            Self::select(),
            Self::ALIAS,
            Self::ORDER
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
