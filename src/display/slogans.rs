//! Slogans as reviewed content: written by staff, approved by a leader before the panel shows
//! them, through the same lifecycle as broadcast items ([`crate::review`]).
//!
//! Every text is normalised (NFC) and checked against the panel's font when it is written and
//! again when it is approved: a letter the panel cannot draw is refused with the letter named,
//! never shown as a gap on a government sign.

use std::sync::Arc;

use rusqlite::Connection;
use serde_json::{Value, json};

use super::board::Board;
use super::scene::parse_hhmm;
use super::{FontChoice, check_text};
use crate::model::said;
use crate::model::{Event, NewSlogan, SloganRecord};
use crate::review::{Kind, ReviewError, Standing, Step};
use crate::store::slogans::SloganRows;
use crate::text::normalize;

/// Fastest scroll accepted, in LEDs per second (faster cannot be read).
pub const MAX_SPEED_PX_S: u16 = 500;
/// Longest a static slogan may stay up, in seconds.
pub const MAX_HOLD_S: u16 = 600;

/// Check and clean what staff wrote, for a panel drawn with `font`.
pub fn validate(new: &NewSlogan, font: FontChoice) -> Result<NewSlogan, ReviewError> {
    let invalid = ReviewError::Invalid;
    check_text(&new.text, &font).map_err(|e| invalid(e.said()))?;
    if new.speed_px_s > MAX_SPEED_PX_S {
        return Err(invalid(said!(
            "tốc độ chạy chữ tối đa {MAX_SPEED_PX_S} điểm/giây",
            "the scroll speed is at most {MAX_SPEED_PX_S} LEDs per second"
        )));
    }
    if !(1..=MAX_HOLD_S).contains(&new.hold_s) {
        return Err(invalid(said!(
            "thời gian hiện phải từ 1 đến {MAX_HOLD_S} giây",
            "the hold time needs 1 to {MAX_HOLD_S} seconds"
        )));
    }
    let time = |s: &Option<String>| -> Result<Option<String>, ReviewError> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(t) => parse_hhmm(t)
                .map(|t| Some(t.format("%H:%M").to_string()))
                .ok_or_else(|| {
                    invalid(said!(
                        "giờ \"{t}\" không hợp lệ, hãy viết dạng 07:30",
                        "the time \"{t}\" is not valid, write it like 07:30"
                    ))
                }),
        }
    };
    Ok(NewSlogan {
        text: normalize(&new.text),
        show_from: time(&new.show_from)?,
        show_until: time(&new.show_until)?,
        ..new.clone()
    })
}

/// The kind of panel slogans (`/display/slogans`). Their checks need the panel's font, and an
/// approval, a withdrawal or an edit changes what the board shows.
#[derive(Debug, Clone, Copy)]
pub struct Slogans;

impl Kind for Slogans {
    type Content = NewSlogan;
    type Record = SloganRecord;
    type Context = Arc<Board>;
    type Rows = SloganRows;

    const NOUN: &'static str = "slogan";
    const NAME: (&'static str, &'static str) = ("khẩu hiệu", "slogan");

    fn standing(record: &SloganRecord) -> Standing {
        Standing {
            id: record.id,
            state: record.state,
            revision: record.revision,
            author: record.created_by,
            edited_by: record.edited_by,
            editors: record.editors.clone(),
            reject_reason: record.reject_reason.clone(),
            pending: None,
        }
        .with_pending(record.pending_revision.as_ref())
    }

    fn content_of(record: &SloganRecord) -> NewSlogan {
        record.content.clone()
    }

    fn validate(
        _: &Connection,
        content: &NewSlogan,
        board: &Arc<Board>,
    ) -> Result<NewSlogan, ReviewError> {
        validate(content, board.font())
    }

    /// The panel may have changed since the slogan was written: its text is checked against
    /// the font once more.
    fn check_approval(
        _: &Connection,
        record: &SloganRecord,
        board: &Arc<Board>,
    ) -> Result<(), ReviewError> {
        validate(&record.content, board.font()).map(|_| ())
    }

    fn described(new: &NewSlogan) -> Value {
        json!({ "text": new.text, "effect": new.effect })
    }

    fn edited(new: &NewSlogan) -> Value {
        json!({ "text": new.text })
    }

    fn committed(
        board: &Arc<Board>,
        _: i64,
        step: Option<Step>,
    ) -> Result<Option<Event>, ReviewError> {
        if step.is_none() {
            // A new draft shows nowhere yet.
            return Ok(None);
        }
        board.reload()?;
        Ok(Some(Event::Panel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Effect, PanelColor};

    fn slogan(text: &str) -> NewSlogan {
        NewSlogan {
            text: text.into(),
            color: PanelColor::RED,
            effect: Effect::Scroll,
            speed_px_s: 0,
            hold_s: 5,
            show_from: None,
            show_until: None,
            position: 0,
        }
    }

    #[test]
    fn decomposed_text_is_stored_composed() {
        let v = validate(&slogan("Xin ca\u{309}m o\u{31B}n"), FontChoice::Unifont16);
        assert_eq!(v.map(|s| s.text).ok().as_deref(), Some("Xin cảm ơn"));
    }

    #[test]
    fn an_emoji_is_refused_by_name() {
        let e = validate(&slogan("Xin chào 😀"), FontChoice::Unifont16).unwrap_err();
        assert!(e.to_string().contains("U+1F600"), "{e}");
    }

    #[test]
    fn office_hours_become_a_window() {
        let new = NewSlogan {
            show_from: Some("7:30".into()),
            show_until: Some("17:00".into()),
            ..slogan("Giờ làm việc: 7:30–17:00")
        };
        let v = validate(&new, FontChoice::Unifont16).unwrap();
        assert_eq!(v.show_from.as_deref(), Some("07:30"));
        let bad = NewSlogan {
            show_from: Some("25:00".into()),
            ..new
        };
        assert!(validate(&bad, FontChoice::Unifont16).is_err());
    }
}
