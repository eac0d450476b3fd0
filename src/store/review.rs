//! What the reviewed tables share: broadcast items and panel slogans go through the same
//! draft → submitted → approved/rejected states (the review rules decide the moves), kept in
//! the same columns; each table adds the columns of its content. A draft is written, its
//! content replaced and its state moved by the three functions here, whatever the table.

use rusqlite::types::Value;
use rusqlite::{Transaction, params, params_from_iter};

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

/// Add a draft to `what` written by `created_by` (`None`: demo content); its row id.
pub fn insert(
    tx: &Transaction<'_>,
    what: Reviewed,
    content: Content,
    created_by: Option<i64>,
) -> rusqlite::Result<i64> {
    let n = content.columns.len();
    let marks: Vec<String> = (1..=n + 1).map(|i| format!("?{i}")).collect();
    tx.execute(
        &format!(
            "INSERT INTO {} ({}, created_by) VALUES ({})",
            what.table(),
            content.columns.join(", "),
            marks.join(", ")
        ),
        params_from_iter(content.values.into_iter().chain([Value::from(created_by)])),
    )?;
    Ok(tx.last_insert_rowid())
}

/// Replace what row `id` of `what` says and put it in `to` (an edit of something submitted or
/// approved needs approval again), forgetting the last decision and noting `edited_by` as the
/// maker of this version, if it is still in `from`. Returns the rows changed: 0 when someone
/// else changed it first.
pub fn replace(
    tx: &Transaction<'_>,
    what: Reviewed,
    id: i64,
    content: Content,
    from: ReviewState,
    to: ReviewState,
    edited_by: Option<i64>,
) -> rusqlite::Result<usize> {
    let set: Vec<String> = content
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 5))
        .collect();
    tx.execute(
        &format!(
            "UPDATE {} SET {}, state = ?2, edited_by = ?4, reject_reason = NULL, decided_by = NULL,
                decided_at = NULL, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1 AND state = ?3",
            what.table(),
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
