//! The `bulletin_texts` table: what a typed bulletin's item was read from. The item row (in
//! `items`) carries everything it airs and is reviewed by; this row adds the text, the voice,
//! the rate and what the voice read.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::items::{self, COLUMNS, FROM};
use crate::model::{Bulletin, NewBulletin, NewItem, ReviewState};

const TEXT_COLUMNS: &str = "b.text, b.voice, b.rate, b.reading";
const JOIN: &str = "JOIN bulletin_texts b ON b.item_id = i.id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Bulletin> {
    Ok(Bulletin {
        item: items::from_row(r)?,
        text: r.get(22)?,
        voice: r.get(23)?,
        rate: u16::try_from(r.get::<_, i64>(24)?).unwrap_or(0),
        reading: r.get(25)?,
    })
}

/// The item part of a bulletin: what airs. `media_id` is the recording it was read into.
fn item_of(new: &NewBulletin, media_id: i64) -> NewItem {
    NewItem {
        media_id,
        title: new.title.clone(),
        category: new.category,
        tier: new.tier,
        air_from: new.air_from,
        air_until: new.air_until,
        slots: new.slots.clone(),
        zones: new.zones.clone(),
    }
}

/// Add a draft bulletin read into the recording `media_id`, saying `reading`.
pub fn insert(
    tx: &Transaction<'_>,
    new: &NewBulletin,
    media_id: i64,
    reading: &str,
    created_by: i64,
) -> rusqlite::Result<i64> {
    let id = items::insert(tx, &item_of(new, media_id), created_by)?;
    tx.execute(
        "INSERT INTO bulletin_texts (item_id, text, voice, rate, reading)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, new.text, new.voice, new.rate, reading],
    )?;
    Ok(id)
}

/// Replace what bulletin `id` says (and its recording), moving it from `from` to `to`, as
/// changed by `edited_by`; the rows changed (0 when someone changed it first).
#[allow(clippy::too_many_arguments)]
pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    new: &NewBulletin,
    media_id: i64,
    reading: &str,
    from: ReviewState,
    to: ReviewState,
    edited_by: Option<i64>,
) -> rusqlite::Result<usize> {
    let changed = items::update_fields(tx, id, &item_of(new, media_id), from, to, edited_by)?;
    if changed == 1 {
        tx.execute(
            "UPDATE bulletin_texts SET text = ?2, voice = ?3, rate = ?4, reading = ?5
             WHERE item_id = ?1",
            params![id, new.text, new.voice, new.rate, reading],
        )?;
    }
    Ok(changed)
}

/// The bulletin whose item is `id`.
pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Bulletin>> {
    conn.query_row(
        &format!("SELECT {COLUMNS}, {TEXT_COLUMNS} {FROM} {JOIN} WHERE i.id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

/// Bulletins, newest first, optionally in one state.
pub fn list(conn: &Connection, state: Option<ReviewState>) -> rusqlite::Result<Vec<Bulletin>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS}, {TEXT_COLUMNS} {FROM} {JOIN}
         WHERE (?1 IS NULL OR i.state = ?1) ORDER BY i.id DESC"
    ))?;
    let rows = stmt.query_map([state.map(ReviewState::as_str)], from_row)?;
    rows.collect()
}

/// Whether item `id` was read from a text (its text, not its recording, is what staff edit).
pub fn is_bulletin(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM bulletin_texts WHERE item_id = ?1)",
        [id],
        |r| r.get(0),
    )
}
