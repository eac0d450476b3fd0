//! The `items` table: broadcast items and their approval state, read and written as
//! [`ItemRows`], and the queries the programme and the nightly expiry need. No rules here:
//! whether a change is allowed is the review's to say.

use chrono::NaiveDate;
use rusqlite::{Connection, Row, Transaction, params};

use super::parsed;
use super::review::{
    Content, REVISION_COLUMNS, Reviewed, ReviewedRows, pending_join, revision_columns,
    revision_from,
};
use crate::model::{Category, Item, NewItem, ReviewState, Tier};

/// The columns of an [`Item`]'s own row (with [`tables`]), in [`ItemRows`]' `from_row` order.
const OWN_COLUMNS: &str = "i.id, i.media_id, i.title, i.category, i.tier, i.state, i.air_from, \
    i.air_until, i.slots, i.zones, i.reject_reason, i.created_by, c.display_name, i.decided_by, \
    d.display_name, i.decided_at, i.created_at, i.updated_at, m.duration_ms, m.file, m.gain_db, i.edited_by";

/// How many columns [`columns`] gives: what an item is read from.
pub(super) const WIDTH: usize = 22 + REVISION_COLUMNS;

/// The columns an [`Item`] is read from (with [`tables`]), in [`ItemRows`]' `from_row` order:
/// its own, then its revision's.
pub(super) fn columns() -> String {
    format!("{OWN_COLUMNS}, {}", revision_columns("i"))
}

/// The tables [`columns`] come from, the item as `i`, its pending revision as `p`.
pub(super) fn tables() -> String {
    format!(
        "FROM items i JOIN users c ON c.id = i.created_by \
         LEFT JOIN users d ON d.id = i.decided_by JOIN media m ON m.id = i.media_id {}",
        pending_join(Reviewed::Items, "i")
    )
}

fn date(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let s: Option<String> = r.get(i)?;
    Ok(s.and_then(|s| s.parse().ok()))
}

fn list_of(r: &Row<'_>, i: usize) -> rusqlite::Result<Vec<String>> {
    let s: String = r.get(i)?;
    Ok(serde_json::from_str(&s).unwrap_or_default())
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// The `items` table as the review reads and writes it: lists newest first.
#[derive(Debug, Clone, Copy)]
pub struct ItemRows;

impl ReviewedRows for ItemRows {
    type Content = NewItem;
    type Record = Item;
    const TABLE: Reviewed = Reviewed::Items;
    const ALIAS: &'static str = "i";
    const ORDER: &'static str = "i.id DESC";

    fn select() -> String {
        format!("SELECT {} {}", columns(), tables())
    }

    /// An item from a row of [`columns`] (its first [`WIDTH`] columns).
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Item> {
        let (revision, editors, pending_revision) = revision_from(r, 22)?;
        Ok(Item {
            id: r.get(0)?,
            media_id: r.get(1)?,
            title: r.get(2)?,
            category: parsed::<Category>(r, 3)?,
            tier: parsed::<Tier>(r, 4)?,
            state: parsed::<ReviewState>(r, 5)?,
            air_from: date(r, 6)?,
            air_until: date(r, 7)?,
            slots: list_of(r, 8)?,
            zones: list_of(r, 9)?,
            reject_reason: r.get(10)?,
            created_by: r.get(11)?,
            created_by_name: r.get(12)?,
            decided_by: r.get(13)?,
            decided_by_name: r.get(14)?,
            decided_at: r.get(15)?,
            created_at: r.get(16)?,
            updated_at: r.get(17)?,
            duration_ms: u64::try_from(r.get::<_, i64>(18)?).unwrap_or(0),
            file: r.get(19)?,
            gain_db: r.get(20)?,
            edited_by: r.get(21)?,
            revision,
            editors,
            pending_revision,
        })
    }

    fn content(new: &NewItem) -> rusqlite::Result<Content> {
        let at = &new.placement;
        Ok(Content {
            columns: &[
                "media_id",
                "title",
                "category",
                "tier",
                "air_from",
                "air_until",
                "slots",
                "zones",
            ],
            values: vec![
                new.media_id.into(),
                new.title.clone().into(),
                new.category.as_str().to_string().into(),
                at.tier.as_str().to_string().into(),
                at.air_from.map(|d| d.to_string()).into(),
                at.air_until.map(|d| d.to_string()).into(),
                json(&at.slots).into(),
                json(&at.zones).into(),
            ],
        })
    }

    fn merged(tx: &Transaction<'_>, into: i64, revision: i64) -> rusqlite::Result<()> {
        ItemRows::copy_text(tx, into, revision)
    }
}

impl ItemRows {
    /// A typed bulletin approved as an item (`/items/{id}/approve`) keeps the text its
    /// revision's recording was read from.
    fn copy_text(tx: &Transaction<'_>, into: i64, revision: i64) -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE bulletin_texts SET (text, voice, rate, reading) =
                (SELECT text, voice, rate, reading FROM bulletin_texts WHERE item_id = ?2)
             WHERE item_id = ?1 AND EXISTS (SELECT 1 FROM bulletin_texts WHERE item_id = ?2)",
            params![into, revision],
        )?;
        Ok(())
    }
}

/// Approved items whose air window overlaps `[from, to]`: what the programme may air.
pub fn approved_between(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
) -> rusqlite::Result<Vec<Item>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} {} WHERE i.state = 'approved' AND i.revision_of IS NULL
           AND (i.air_from IS NULL OR i.air_from <= ?2)
           AND (i.air_until IS NULL OR i.air_until >= ?1)
         ORDER BY i.id",
        columns(),
        tables()
    ))?;
    let rows = stmt.query_map(
        params![from.to_string(), to.to_string()],
        ItemRows::from_row,
    )?;
    rows.collect()
}

/// Items whose air window ended before `today` and that are not expired yet.
pub fn due_to_expire(conn: &Connection, today: NaiveDate) -> rusqlite::Result<Vec<Item>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} {} WHERE i.state IN ('draft', 'submitted', 'approved')
           AND i.revision_of IS NULL AND i.air_until IS NOT NULL AND i.air_until < ?1",
        columns(),
        tables()
    ))?;
    let rows = stmt.query_map([today.to_string()], ItemRows::from_row)?;
    rows.collect()
}
