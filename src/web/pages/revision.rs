//! What a leader sees of a revision waiting beside approved content: its number and state,
//! and what it changes, field by field (old → new, in the reader's language: slots by their
//! titles, categories and tiers by their names), with both recordings when the recording
//! changed. Only presents: the revision and its rules are the review's, the names the
//! programme's.

use chrono::NaiveDate;

use crate::model::{Bulletin, Item, NewSlogan, Revision};
use crate::schedule::Programme;
use crate::web::i18n::{Lang, Text};

/// One field a revision changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The field's name, in the reader's language.
    pub field: &'static str,
    /// What the approved version says.
    pub old: String,
    /// What the revision says.
    pub new: String,
}

/// A revision as the pages show it beside the approved version.
#[derive(Debug, Clone, Default)]
pub struct PendingView {
    /// Its number (the approved one's plus one).
    pub number: i64,
    /// Its state, in words.
    pub state: &'static str,
    /// Its state, for the pill's colour.
    pub state_class: &'static str,
    /// Why it was sent back, if it was.
    pub reject_reason: Option<String>,
    /// What it changes.
    pub changes: Vec<Change>,
    /// (approved, revision) recordings' ids, when the recording changed.
    pub recordings: Option<(i64, i64)>,
}

impl PendingView {
    /// `revision` with its `changes`, in `lang`.
    pub fn of(revision: &Revision, changes: Vec<Change>, lang: Lang) -> Self {
        PendingView {
            number: revision.revision,
            state: lang.state(&revision.state),
            state_class: revision.state.as_str(),
            reject_reason: revision.reject_reason.clone(),
            changes,
            recordings: None,
        }
    }

    /// This view with both recordings to listen to, if they differ.
    pub fn with_recordings(mut self, old: i64, new: i64) -> Self {
        self.recordings = (old != new).then_some((old, new));
        self
    }
}

/// The fields that differ, each as a [`Change`].
struct Diff(Vec<Change>);

impl Diff {
    fn field(mut self, field: &'static str, old: String, new: String) -> Self {
        if old != new {
            self.0.push(Change { field, old, new });
        }
        self
    }
}

/// Slot names as people read them: their titles in the programme (a name it no longer has is
/// shown as written); none means every slot its category fits.
pub fn slot_titles(programme: &Programme, slots: &[String], t: &Text) -> String {
    if slots.is_empty() {
        return t.all.to_string();
    }
    slots
        .iter()
        .map(|name| {
            programme
                .slots
                .iter()
                .find(|s| &s.name == name)
                .map_or(name.clone(), |s| s.title.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn zones(list: &[String], t: &Text) -> String {
    if list.is_empty() {
        t.all.to_string()
    } else {
        list.join(", ")
    }
}

fn day(d: Option<NaiveDate>) -> String {
    d.map_or("…".to_string(), |d| d.format("%d/%m/%Y").to_string())
}

/// What an item's revision `new` changes from `old`.
pub fn item_changes(old: &Item, new: &Item, programme: &Programme, lang: Lang) -> Vec<Change> {
    let t = lang.text();
    let recording = |i: &Item| format!("#{} ({})", i.media_id, super::duration(i.duration_ms));
    Diff(Vec::new())
        .field(t.title, old.title.clone(), new.title.clone())
        .field(
            t.category,
            lang.category(&old.category).into(),
            lang.category(&new.category).into(),
        )
        .field(
            t.tier,
            lang.tier(&old.tier).into(),
            lang.tier(&new.tier).into(),
        )
        .field(t.air_from, day(old.air_from), day(new.air_from))
        .field(t.air_until, day(old.air_until), day(new.air_until))
        .field(
            t.slots,
            slot_titles(programme, &old.slots, t),
            slot_titles(programme, &new.slots, t),
        )
        .field(t.zones, zones(&old.zones, t), zones(&new.zones, t))
        .field(t.recording, recording(old), recording(new))
        .0
}

/// What a typed bulletin's revision `new` changes from `old`: its text, voice and rate, then
/// what it airs as.
pub fn bulletin_changes(
    old: &Bulletin,
    new: &Bulletin,
    programme: &Programme,
    lang: Lang,
) -> Vec<Change> {
    let t = lang.text();
    let mut changes = Diff(Vec::new())
        .field(t.bulletin_text, old.text.clone(), new.text.clone())
        .field(
            t.voice,
            super::bulletins::voice_label(lang, &old.voice),
            super::bulletins::voice_label(lang, &new.voice),
        )
        .field(t.rate, old.rate.to_string(), new.rate.to_string())
        .0;
    changes.extend(
        item_changes(&old.item, &new.item, programme, lang)
            .into_iter()
            .filter(|c| c.field != t.recording),
    );
    changes
}

/// What a slogan's revision `new` changes from `old`: its text and how the panel shows it.
pub fn slogan_changes(old: &NewSlogan, new: &NewSlogan, lang: Lang) -> Vec<Change> {
    let t = lang.text();
    let time = |s: &Option<String>| s.clone().unwrap_or_else(|| t.all_day.to_string());
    Diff(Vec::new())
        .field(t.slogan_text, old.text.clone(), new.text.clone())
        .field(t.color, old.color.to_hex(), new.color.to_hex())
        .field(
            t.effect,
            lang.effect(old.effect).into(),
            lang.effect(new.effect).into(),
        )
        .field(
            t.speed,
            old.speed_px_s.to_string(),
            new.speed_px_s.to_string(),
        )
        .field(t.hold, old.hold_s.to_string(), new.hold_s.to_string())
        .field(t.show_from, time(&old.show_from), time(&new.show_from))
        .field(t.show_until, time(&old.show_until), time(&new.show_until))
        .field(
            t.position,
            old.position.to_string(),
            new.position.to_string(),
        )
        .0
}
