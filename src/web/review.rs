//! What the web needs to know of a reviewed kind beyond its rules: where its rules' context
//! comes from among the app's parts, which page follows a step, which slot and zone names it
//! gives (checked against the programme in force) and what its API's `GET` answers. The
//! handlers themselves are generic: [`super::pages::review`] for the forms' buttons,
//! [`super::api::review`] for `/api/v1`. No rules here: they are `review`'s.

use axum::extract::FromRef;
use chrono::{DateTime, Utc};

use super::AppState;
use super::error::AppError;
use crate::display::slogans::Slogans;
use crate::model::Said;
use crate::model::said;
use crate::model::{Bulletin, Item, NewBulletin, NewItem, SloganRecord};
use crate::review::{Bulletins, Items, Kind};
use crate::schedule::Programme;
use crate::schedule::airing::{self, Airs};
use crate::schedule::plan::Why;
use crate::station::Reviews;

/// A reviewed kind as the web serves it.
pub trait Reviewed: Kind {
    /// What `GET /api/v1/{kind}/{id}` answers: the record, with what the plan says of it.
    type Shown: serde::Serialize + Send;

    /// What its rules need, from the app's parts.
    fn context(state: &AppState) -> Self::Context;
    /// The menu entry its pages sit under (`items`, `display`).
    const NAV: &'static str;
    /// The page to go to after a step on row `id`, unless the form came from the leaders'
    /// queue (`/approvals`).
    fn page_after(id: i64) -> String;
    /// Where row `id`'s step routes sit (`/items/12`).
    fn page_of(id: i64) -> String;
    /// What people call `record` on a confirmation page (its title, a slogan's text).
    fn label(record: &Self::Record) -> String;
    /// The slots and zones `content` names, if it names any.
    fn places(content: &Self::Content) -> (&[String], &[String]);
    /// `record` as the API shows it at `now`.
    fn shown(
        record: Self::Record,
        programme: &Programme,
        now: DateTime<Utc>,
        tz: chrono_tz::Tz,
    ) -> Self::Shown;
}

/// Refuse (422) content naming a slot or zone the programme does not have, naming each.
pub fn known_places<K: Reviewed>(
    programme: &Programme,
    content: &K::Content,
) -> Result<(), AppError> {
    let (slots, zones) = K::places(content);
    match refused_places(programme, slots, zones) {
        Some((said, _)) => Err(AppError::Unprocessable(said)),
        None => Ok(()),
    }
}

/// The slots and zones named that the programme does not have: the message (each name said)
/// and the form field to mark, slots first; `None` when every name is known.
pub fn refused_places(
    programme: &Programme,
    slots: &[String],
    zones: &[String],
) -> Option<(Said, &'static str)> {
    let unknown = airing::unknown_places(programme, slots, zones);
    let field = match unknown.first()? {
        Why::UnknownSlot { .. } => "slots",
        _ => "zones",
    };
    let said: Vec<Said> = unknown.iter().map(Why::said).collect();
    Some((Said::join(&said, "; "), field))
}

/// An item as `GET /api/v1/items/{id}` shows it: with its next airings, or why it will not air.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ItemShown {
    /// The item.
    #[serde(flatten)]
    pub item: Item,
    /// Its next airings (at most three), planned as if approved; empty when it will not air.
    pub next_airings: Vec<Airs>,
    /// Why it will not air on the programme, each reason in words (Vietnamese / English);
    /// empty when it airs.
    pub will_not_air: Vec<String>,
}

impl ItemShown {
    /// `item` with what the plan says of it from `now`.
    pub fn of(item: Item, programme: &Programme, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Self {
        let airing = airing::explain(programme, &item, now, tz);
        ItemShown {
            next_airings: airing.next().to_vec(),
            will_not_air: airing.reasons().iter().map(ToString::to_string).collect(),
            item,
        }
    }
}

/// The answer for an id of kind `K` that names nothing (404).
pub fn missing<K: Kind>(id: i64) -> AppError {
    let (vi, en) = K::NAME;
    AppError::NotFound(said!("không có {vi} {id}", "no {en} {id}"))
}

impl Reviewed for Items {
    type Shown = ItemShown;

    fn context(_: &AppState) {}

    const NAV: &'static str = "items";

    fn page_after(id: i64) -> String {
        format!("/items/{id}")
    }

    fn page_of(id: i64) -> String {
        format!("/items/{id}")
    }

    fn label(item: &Item) -> String {
        item.title.clone()
    }

    fn places(new: &NewItem) -> (&[String], &[String]) {
        (&new.placement.slots, &new.placement.zones)
    }

    fn shown(
        item: Item,
        programme: &Programme,
        now: DateTime<Utc>,
        tz: chrono_tz::Tz,
    ) -> ItemShown {
        ItemShown::of(item, programme, now, tz)
    }
}

impl Reviewed for Bulletins {
    type Shown = Bulletin;

    fn context(state: &AppState) -> Self::Context {
        state.narrator.clone()
    }

    const NAV: &'static str = "items";

    fn page_after(id: i64) -> String {
        format!("/bulletins/{id}")
    }

    fn page_of(id: i64) -> String {
        format!("/bulletins/{id}")
    }

    fn label(b: &Bulletin) -> String {
        b.item.title.clone()
    }

    fn places(new: &NewBulletin) -> (&[String], &[String]) {
        (&new.placement.slots, &new.placement.zones)
    }

    fn shown(b: Bulletin, _: &Programme, _: DateTime<Utc>, _: chrono_tz::Tz) -> Bulletin {
        b
    }
}

impl Reviewed for Slogans {
    type Shown = SloganRecord;

    fn context(state: &AppState) -> Self::Context {
        state.board.clone()
    }

    const NAV: &'static str = "display";

    fn page_after(_: i64) -> String {
        "/display".into()
    }

    fn page_of(id: i64) -> String {
        format!("/display/slogans/{id}")
    }

    fn label(s: &SloganRecord) -> String {
        s.content.text.clone()
    }

    fn places(_: &crate::model::NewSlogan) -> (&[String], &[String]) {
        (&[], &[])
    }

    fn shown(s: SloganRecord, _: &Programme, _: DateTime<Utc>, _: chrono_tz::Tz) -> SloganRecord {
        s
    }
}

impl<K: Reviewed> FromRef<AppState> for Reviews<K> {
    fn from_ref(state: &AppState) -> Self {
        Reviews::new(state.store.clone(), state.events.clone(), K::context(state))
    }
}
