//! The `bulletin_texts` table: what a typed bulletin's item was read from. The item row (in
//! `items`) carries everything it airs and is reviewed by; this row adds the text, the voice,
//! the rate and what the voice read. Read and written as [`BulletinRows`]; reading the text
//! aloud is not done here (the review's narrator does it before the store is called).

use rusqlite::{Connection, Row, Transaction, params};

use super::items::{self, ItemRows, WIDTH};
use super::review::{Content, Reviewed, ReviewedRows};
use crate::model::{Bulletin, NewBulletin};

const TEXT_COLUMNS: &str = "b.text, b.voice, b.rate, b.reading";
const JOIN: &str = "JOIN bulletin_texts b ON b.item_id = i.id";

/// The recording and reading a prepared bulletin carries; a store error for one that was not
/// prepared (a bug: the use case prepares before it writes).
pub fn prepared(new: &NewBulletin) -> rusqlite::Result<(i64, &str)> {
    match (new.media_id, new.reading.as_deref()) {
        (Some(media), Some(reading)) => Ok((media, reading)),
        _ => Err(rusqlite::Error::ToSqlConversionFailure(
            "bản tin chưa được đọc thành bản ghi / the bulletin was not read into a recording"
                .into(),
        )),
    }
}

/// Typed bulletins as the review reads and writes them: their item's row in `items` (newest
/// first, as items are) and their text's in `bulletin_texts`.
#[derive(Debug, Clone, Copy)]
pub struct BulletinRows;

impl ReviewedRows for BulletinRows {
    type Content = NewBulletin;
    type Record = Bulletin;
    const TABLE: Reviewed = Reviewed::Items;
    const ALIAS: &'static str = ItemRows::ALIAS;
    const ORDER: &'static str = ItemRows::ORDER;

    fn select() -> String {
        format!(
            "SELECT {}, {TEXT_COLUMNS} {} {JOIN}",
            items::columns(),
            items::tables()
        )
    }

    fn from_row(r: &Row<'_>) -> rusqlite::Result<Bulletin> {
        Ok(Bulletin {
            item: ItemRows::from_row(r)?,
            text: r.get(WIDTH)?,
            voice: r.get(WIDTH + 1)?,
            rate: u16::try_from(r.get::<_, i64>(WIDTH + 2)?).unwrap_or(0),
            reading: r.get(WIDTH + 3)?,
        })
    }

    /// The item's columns: what airs, `media_id` the recording it was read into.
    fn content(new: &NewBulletin) -> rusqlite::Result<Content> {
        let (media_id, _) = prepared(new)?;
        ItemRows::content(&new.item(media_id))
    }

    /// The text beside the item: written with a new draft, replaced with an edit.
    fn written(tx: &Transaction<'_>, id: i64, new: &NewBulletin) -> rusqlite::Result<()> {
        let (_, reading) = prepared(new)?;
        tx.execute(
            "INSERT INTO bulletin_texts (item_id, text, voice, rate, reading)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (item_id) DO UPDATE SET text = excluded.text, voice = excluded.voice,
                rate = excluded.rate, reading = excluded.reading",
            params![id, new.text, new.voice, new.rate, reading],
        )?;
        Ok(())
    }
}

/// Whether item `id` was read from a text (its text, not its recording, is what staff edit).
pub fn is_bulletin(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM bulletin_texts WHERE item_id = ?1)",
        [id],
        |r| r.get(0),
    )
}
