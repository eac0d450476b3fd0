//! Broadcast items as reviewed content: a recording with a title, a category, a tier and the
//! days and slots it may air in. Its checks need only the database (the recording must exist);
//! an item whose last day has passed expires. No SQL here: the store's `ItemRows` reads and writes
//! the rows.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde_json::{Value, json};

use super::{Action, Kind, ReviewError, Standing, Step, apply};
use crate::model::said;
use crate::model::{Event, Item, NewItem, Placement};
use crate::store::items::{self, ItemRows};
use crate::store::{bulletins, media};
use crate::text::clean_line;

/// Longest title, in characters.
const MAX_TITLE: usize = 200;

/// The kind of broadcast items (`/items`).
#[derive(Debug, Clone, Copy)]
pub struct Items;

impl Kind for Items {
    type Content = NewItem;
    type Record = Item;
    type Context = ();
    type Rows = ItemRows;

    const NOUN: &'static str = "item";
    const NAME: (&'static str, &'static str) = ("bản tin", "item");

    fn standing(item: &Item) -> Standing {
        Standing {
            id: item.id,
            state: item.state,
            revision: item.revision,
            author: Some(item.created_by),
            edited_by: item.edited_by,
            editors: item.editors.clone(),
            reject_reason: item.reject_reason.clone(),
            pending: None,
        }
        .with_pending(item.pending_revision.as_ref())
    }

    fn content_of(item: &Item) -> NewItem {
        item.content()
    }

    fn validate(conn: &Connection, new: &NewItem, _: &()) -> Result<NewItem, ReviewError> {
        let title = clean_line(&new.title);
        if title.is_empty() || title.chars().count() > MAX_TITLE {
            return Err(ReviewError::Invalid(said!(
                "tiêu đề phải có từ 1 đến 200 ký tự",
                "the title needs 1 to 200 characters"
            )));
        }
        let at = &new.placement;
        if let (Some(a), Some(b)) = (at.air_from, at.air_until)
            && b < a
        {
            return Err(ReviewError::Invalid(said!(
                "ngày kết thúc trước ngày bắt đầu",
                "the last day is before the first day"
            )));
        }
        if media::get(conn, new.media_id)?.is_none() {
            return Err(ReviewError::NotFound(format!(
                "bản ghi / recording {}",
                new.media_id
            )));
        }
        let names = |list: &[String]| -> Vec<String> {
            list.iter()
                .map(|s| clean_line(s))
                .filter(|s| !s.is_empty())
                .collect()
        };
        Ok(NewItem {
            title,
            placement: Placement {
                slots: names(&at.slots),
                zones: names(&at.zones),
                ..at.clone()
            },
            ..new.clone()
        })
    }

    fn check_edit(conn: &Connection, item: &Item, _: &()) -> Result<(), ReviewError> {
        if bulletins::is_bulletin(conn, item.id)? {
            return Err(ReviewError::Invalid({
                let id = item.id;
                said!(
                    "đây là bản tin văn bản: hãy sửa nội dung ở /bulletins/{id}, máy sẽ đọc lại",
                    "this is a typed bulletin: edit its text at /bulletins/{id} and it is read again"
                )
            }));
        }
        Ok(())
    }

    fn described(new: &NewItem) -> Value {
        json!({
            "title": new.title, "media_id": new.media_id, "category": new.category,
            "tier": new.placement.tier,
        })
    }

    fn edited(new: &NewItem) -> Value {
        json!({ "title": new.title, "media_id": new.media_id })
    }

    fn committed(_: &(), id: i64, _: Option<Step>) -> Result<Option<Event>, ReviewError> {
        Ok(Some(Event::Item { id }))
    }
}

/// Expire every item whose window ended before `today`. Returns how many.
pub fn expire_due(conn: &mut Connection, today: NaiveDate) -> Result<usize, ReviewError> {
    let due = items::due_to_expire(conn, today)?;
    let mut n = 0;
    for item in due {
        match apply::<Items>(conn, item.id, Action::Expire, None, &()) {
            Ok(_) => n += 1,
            // Changed meanwhile (approved or edited): the next pass looks again.
            Err(ReviewError::Conflict | ReviewError::WrongState { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
