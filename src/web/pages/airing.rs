//! What the item, bulletin and approval pages say of when something airs (from
//! `schedule::airing`), and the slot and zone choices their forms offer, ready for the
//! templates (`airing.html`, `places.html`). Only presents: the explanation and the names are
//! the programme's.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::model::Item;
use crate::schedule::Programme;
use crate::schedule::airing::{self, Airing, Airs, Places};
use crate::web::i18n::Lang;

/// When it airs next, or why it will not, in sentences.
#[derive(Debug, Clone, Default)]
pub struct AiringView {
    /// Its next airings (`21:00 Thứ Sáu 05/02/2027 · Giao thừa …`), soonest first.
    pub next: Vec<String>,
    /// Why it will not air; shown in red.
    pub never: Vec<String>,
}

impl AiringView {
    /// What the programme says of `item` from `now`.
    pub fn of(item: &Item, programme: &Programme, now: DateTime<Utc>, tz: Tz, lang: Lang) -> Self {
        let airing = airing::explain(programme, item, now, tz);
        AiringView::from_airing(&airing, tz, lang)
    }

    fn from_airing(airing: &Airing, tz: Tz, lang: Lang) -> Self {
        AiringView {
            next: airing.next().iter().map(|a| said(a, tz, lang)).collect(),
            never: airing
                .reasons()
                .iter()
                .map(|w| lang.say(&w.said()).to_string())
                .collect(),
        }
    }
}

/// One airing in words: time, day, slot, and on a holiday its name with the lunar date.
fn said(a: &Airs, tz: Tz, lang: Lang) -> String {
    let local = a.start.with_timezone(&tz);
    let day = lang.weekday(chrono::Datelike::weekday(&local));
    let mut s = format!(
        "{} {day} {} · {}",
        local.format("%H:%M"),
        local.format("%d/%m/%Y"),
        a.slot_title
    );
    if let Some(h) = &a.holiday {
        s.push_str(&format!(" · {h}, {}", a.lunar));
    }
    if !a.zones.is_empty() {
        s.push_str(&format!(" · {}", a.zones.join(", ")));
    }
    if a.through_quiet_hours {
        s.push_str(&format!(" · {}", lang.text().through_quiet_hours));
    }
    s
}

/// A name an item may choose, as its checkbox shows it.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The value posted (`sang`, `Thôn Chợ`).
    pub value: String,
    /// What people read (`Buổi sáng`).
    pub label: String,
    /// Ticked.
    pub checked: bool,
    /// Named by the item but no longer in the programme: shown ticked and marked, so saving
    /// without unticking it is refused rather than silently dropped.
    pub unknown: bool,
}

/// The slot and zone checkboxes of an item or bulletin form.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// Every slot, by its title.
    pub slots: Vec<Choice>,
    /// Every zone.
    pub zones: Vec<Choice>,
}

impl Choices {
    /// The programme's slots and zones, with `slots` and `zones` ticked.
    pub fn of(places: &Places, slots: &[String], zones: &[String]) -> Choices {
        let known = |value: &str, label: &str, chosen: &[String]| Choice {
            value: value.to_string(),
            label: label.to_string(),
            checked: chosen.iter().any(|c| c == value),
            unknown: false,
        };
        let stale = |chosen: &[String], offered: &[Choice]| -> Vec<Choice> {
            chosen
                .iter()
                .filter(|c| !offered.iter().any(|o| &o.value == *c))
                .map(|c| Choice {
                    value: c.clone(),
                    label: c.clone(),
                    checked: true,
                    unknown: true,
                })
                .collect()
        };
        let mut slot_choices: Vec<Choice> = places
            .slots
            .iter()
            .map(|(name, title)| known(name, title, slots))
            .collect();
        // A playlist's name is a valid choice the form does not offer: keep it, not as stale.
        let by_playlist: Vec<String> = slots
            .iter()
            .filter(|s| {
                !slot_choices.iter().any(|o| &o.value == *s) && places.playlists.contains(s)
            })
            .cloned()
            .collect();
        slot_choices.extend(by_playlist.iter().map(|p| known(p, p, slots)));
        slot_choices.extend(stale(slots, &slot_choices));
        let mut zone_choices: Vec<Choice> =
            places.zones.iter().map(|z| known(z, z, zones)).collect();
        zone_choices.extend(stale(zones, &zone_choices));
        Choices {
            slots: slot_choices,
            zones: zone_choices,
        }
    }
}
