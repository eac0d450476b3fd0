//! The `slogans` table: what the LED panel may show, and its approval state, read and written
//! as [`SloganRows`]. No rules here (the review decides the moves) and nothing of the panel:
//! whether the font can draw a text is `display`'s to check.

use rusqlite::{Connection, Row};

use super::review::{
    Content, Reviewed, ReviewedRows, pending_join, revision_columns, revision_from,
};
use super::{parsed, text_as};
use crate::model::{Effect, NewSlogan, PanelColor, ReviewState, SloganRecord};

const OWN_COLUMNS: &str = "s.id, s.text, s.color, s.effect, s.speed_px_s, s.hold_s, s.show_from, \
    s.show_until, s.position, s.state, s.reject_reason, s.created_by, c.display_name, \
    d.display_name, s.decided_at, s.created_at, s.updated_at, s.edited_by";

const FROM: &str = "FROM slogans s LEFT JOIN users c ON c.id = s.created_by \
    LEFT JOIN users d ON d.id = s.decided_by";

/// How many columns a slogan's own row gives, before its revision's.
const WIDTH: usize = 18;

/// The `slogans` table as the review reads and writes it: lists in display order.
#[derive(Debug, Clone, Copy)]
pub struct SloganRows;

impl ReviewedRows for SloganRows {
    type Content = NewSlogan;
    type Record = SloganRecord;
    const TABLE: Reviewed = Reviewed::Slogans;
    const ALIAS: &'static str = "s";
    const ORDER: &'static str = "s.position, s.id";

    fn select() -> String {
        format!(
            "SELECT {OWN_COLUMNS}, {} {FROM} {}",
            revision_columns("s"),
            pending_join(Reviewed::Slogans, "s")
        )
    }

    fn from_row(r: &Row<'_>) -> rusqlite::Result<SloganRecord> {
        let (revision, editors, pending_revision) = revision_from(r, WIDTH)?;
        Ok(SloganRecord {
            id: r.get(0)?,
            content: NewSlogan {
                text: r.get(1)?,
                color: text_as(r, 2, |c| PanelColor::try_from(c).map_err(|e| e.to_string()))?,
                effect: parsed::<Effect>(r, 3)?,
                speed_px_s: r.get(4)?,
                hold_s: r.get(5)?,
                show_from: r.get(6)?,
                show_until: r.get(7)?,
                position: r.get(8)?,
            },
            state: parsed::<ReviewState>(r, 9)?,
            reject_reason: r.get(10)?,
            created_by: r.get(11)?,
            created_by_name: r.get(12)?,
            decided_by_name: r.get(13)?,
            decided_at: r.get(14)?,
            created_at: r.get(15)?,
            updated_at: r.get(16)?,
            edited_by: r.get(17)?,
            revision,
            editors,
            pending_revision,
        })
    }

    fn content(new: &NewSlogan) -> rusqlite::Result<Content> {
        Ok(Content {
            columns: &[
                "text",
                "color",
                "effect",
                "speed_px_s",
                "hold_s",
                "show_from",
                "show_until",
                "position",
            ],
            values: vec![
                new.text.clone().into(),
                new.color.to_hex().into(),
                new.effect.as_str().to_string().into(),
                i64::from(new.speed_px_s).into(),
                i64::from(new.hold_s).into(),
                new.show_from.clone().into(),
                new.show_until.clone().into(),
                new.position.into(),
            ],
        })
    }
}

/// How many slogans there are (the demo seeds only an empty table).
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM slogans WHERE revision_of IS NULL",
        [],
        |r| r.get(0),
    )
}
