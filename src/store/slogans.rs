//! The `slogans` table: what the LED panel may show, and its approval state.

use rusqlite::{Connection, OptionalExtension, Row, Transaction};

use super::review::{self, Content, Reviewed};
use super::{parsed, text_as};
use crate::model::{Effect, NewSlogan, PanelColor, ReviewState, SloganRecord};

const COLUMNS: &str = "s.id, s.text, s.color, s.effect, s.speed_px_s, s.hold_s, s.show_from, \
    s.show_until, s.position, s.state, s.reject_reason, s.created_by, c.display_name, \
    d.display_name, s.decided_at, s.created_at, s.updated_at, s.edited_by";

const FROM: &str = "FROM slogans s LEFT JOIN users c ON c.id = s.created_by \
    LEFT JOIN users d ON d.id = s.decided_by";

fn from_row(r: &Row<'_>) -> rusqlite::Result<SloganRecord> {
    Ok(SloganRecord {
        id: r.get(0)?,
        content: NewSlogan {
            text: r.get(1)?,
            color: text_as(r, 2, PanelColor::try_from)?,
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
    })
}

/// The columns of what a slogan says, and their values for `new`.
fn content(new: &NewSlogan) -> Content {
    Content {
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
    }
}

/// Add a draft slogan (`created_by` `None`: demo content).
pub fn insert(
    tx: &Transaction<'_>,
    new: &NewSlogan,
    created_by: Option<i64>,
) -> rusqlite::Result<i64> {
    review::insert(tx, Reviewed::Slogans, content(new), created_by)
}

/// The slogan with this id.
pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<SloganRecord>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} {FROM} WHERE s.id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

/// Slogans in display order, optionally in one state.
pub fn list(conn: &Connection, state: Option<ReviewState>) -> rusqlite::Result<Vec<SloganRecord>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} {FROM} WHERE (?1 IS NULL OR s.state = ?1) ORDER BY s.position, s.id"
    ))?;
    let rows = stmt.query_map([state.map(ReviewState::as_str)], from_row)?;
    rows.collect()
}

/// Replace what a slogan says (`edited_by` made this version) and put it in `state`, if it is still in `expected`.
pub fn update_fields(
    tx: &Transaction<'_>,
    id: i64,
    new: &NewSlogan,
    expected: ReviewState,
    state: ReviewState,
    edited_by: Option<i64>,
) -> rusqlite::Result<usize> {
    review::replace(
        tx,
        Reviewed::Slogans,
        id,
        content(new),
        expected,
        state,
        edited_by,
    )
}

/// How many slogans there are (the demo seeds only an empty table).
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COUNT(*) FROM slogans", [], |r| r.get(0))
}
