//! The `items` table: broadcast items and their approval state.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::parsed;
use super::review::{self, Content, Reviewed};
use crate::model::{Category, Item, NewItem, ReviewState, Tier};

/// The columns an [`Item`] is read from (with [`FROM`]), in [`from_row`]'s order.
pub(super) const COLUMNS: &str = "i.id, i.media_id, i.title, i.category, i.tier, i.state, i.air_from, \
    i.air_until, i.slots, i.zones, i.reject_reason, i.created_by, c.display_name, i.decided_by, \
    d.display_name, i.decided_at, i.created_at, i.updated_at, m.duration_ms, m.file, m.gain_db, i.edited_by";

/// The tables [`COLUMNS`] come from, the item as `i`.
pub(super) const FROM: &str = "FROM items i JOIN users c ON c.id = i.created_by \
    LEFT JOIN users d ON d.id = i.decided_by JOIN media m ON m.id = i.media_id";

fn date(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let s: Option<String> = r.get(i)?;
    Ok(s.and_then(|s| s.parse().ok()))
}

fn list_of(r: &Row<'_>, i: usize) -> rusqlite::Result<Vec<String>> {
    let s: String = r.get(i)?;
    Ok(serde_json::from_str(&s).unwrap_or_default())
}

/// An item from a row of [`COLUMNS`] (its first 22 columns).
pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<Item> {
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
    })
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// The columns of what an item says, and their values for `new`.
fn content(new: &NewItem) -> Content {
    Content {
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
            new.tier.as_str().to_string().into(),
            new.air_from.map(|d| d.to_string()).into(),
            new.air_until.map(|d| d.to_string()).into(),
            json(&new.slots).into(),
            json(&new.zones).into(),
        ],
    }
}

/// Add a draft item.
pub fn insert(tx: &Transaction<'_>, new: &NewItem, created_by: i64) -> rusqlite::Result<i64> {
    review::insert(tx, Reviewed::Items, content(new), Some(created_by))
}

/// The item with this id.
pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Item>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} {FROM} WHERE i.id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

/// Items, newest first, optionally in one state.
pub fn list(conn: &Connection, state: Option<ReviewState>) -> rusqlite::Result<Vec<Item>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} {FROM} WHERE (?1 IS NULL OR i.state = ?1) ORDER BY i.id DESC"
    ))?;
    let rows = stmt.query_map([state.map(ReviewState::as_str)], from_row)?;
    rows.collect()
}

/// Approved items whose air window overlaps `[from, to]`: what the programme may air.
pub fn approved_between(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
) -> rusqlite::Result<Vec<Item>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} {FROM} WHERE i.state = 'approved'
           AND (i.air_from IS NULL OR i.air_from <= ?2)
           AND (i.air_until IS NULL OR i.air_until >= ?1)
         ORDER BY i.id"
    ))?;
    let rows = stmt.query_map(params![from.to_string(), to.to_string()], from_row)?;
    rows.collect()
}

/// Replace what an item says (`edited_by` made this version), and put it in `state` (edits of a submitted or approved item
/// need approval again). Only applies if the item is still in `expected`.
pub fn update_fields(
    tx: &Transaction<'_>,
    id: i64,
    new: &NewItem,
    expected: ReviewState,
    state: ReviewState,
    edited_by: Option<i64>,
) -> rusqlite::Result<usize> {
    review::replace(
        tx,
        Reviewed::Items,
        id,
        content(new),
        expected,
        state,
        edited_by,
    )
}

/// Items whose air window ended before `today` and that are not expired yet.
pub fn due_to_expire(conn: &Connection, today: NaiveDate) -> rusqlite::Result<Vec<Item>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} {FROM} WHERE i.state IN ('draft', 'submitted', 'approved')
           AND i.air_until IS NOT NULL AND i.air_until < ?1"
    ))?;
    let rows = stmt.query_map([today.to_string()], from_row)?;
    rows.collect()
}
