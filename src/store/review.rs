//! What the reviewed tables share: broadcast items and panel slogans go through the same
//! draft → submitted → approved/rejected states (the review rules decide the moves), kept in
//! the same columns.

use rusqlite::{Transaction, params};

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
