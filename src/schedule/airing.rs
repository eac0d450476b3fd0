//! When one item airs next, or why it never will: what the item, bulletin and approval pages,
//! the dashboard and `GET /api/v1/items/{id}` say, and the names the forms may choose from.
//!
//! Pure over the programme, the item and a window: the item is planned on its own, as if
//! approved (so a draft or a submission already says where it would go; other items' claims
//! on a slot's minutes are not counted), and when no cue carries it, the reasons are read from
//! the programme. Must not touch the store, the clock or the web: callers pass `from`.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::calendar::{self, VIETNAM_UTC_OFFSET};
use super::files::{Part, Programme, Slot};
use super::plan::{Content, Why, plan};
use crate::model::{Category, Item, ReviewState};

/// How many coming airings are told.
pub const NEXT: usize = 3;

/// How far ahead the explanation looks, widening only while fewer than [`NEXT`] were found: a
/// week, two months, then a little over a year (every yearly holiday).
const HORIZONS_DAYS: [i64; 3] = [7, 62, 400];

/// One coming airing of an item.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Airs {
    /// When its cue starts (UTC).
    pub start: DateTime<Utc>,
    /// The slot's name (`sang`).
    pub slot: String,
    /// The slot's title (`Buổi sáng`).
    pub slot_title: String,
    /// The holiday it airs on, by its title (`Tết Nguyên Đán`), if any.
    pub holiday: Option<String>,
    /// That day in the lunar calendar (`Mùng 1 tháng Giêng năm Đinh Mùi`).
    pub lunar: String,
    /// The zones it reaches; empty: all.
    pub zones: Vec<String>,
    /// Its slot airs through quiet hours (`through_quiet_hours = true`).
    pub through_quiet_hours: bool,
}

/// When an item airs, or why it does not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Airing {
    /// Its next airings, soonest first (at most [`NEXT`]).
    Next(Vec<Airs>),
    /// It will not air in the window; each reason the programme gives.
    Never(Vec<Why>),
}

impl Airing {
    /// The coming airings (empty when it will not air).
    pub fn next(&self) -> &[Airs] {
        match self {
            Airing::Next(a) => a,
            Airing::Never(_) => &[],
        }
    }

    /// Why it will not air (empty when it will).
    pub fn reasons(&self) -> &[Why] {
        match self {
            Airing::Next(_) => &[],
            Airing::Never(w) => w,
        }
    }

    /// Whether this is a problem someone must fix: it will not air, and not because only the
    /// operator airs it (a prepared emergency message).
    pub fn is_stuck(&self) -> bool {
        !self.reasons().is_empty() && !self.reasons().iter().all(|w| matches!(w, Why::OnlyByHand))
    }
}

/// When `item` airs from `from` on, planned on its own as if approved, or why it will not.
pub fn explain(programme: &Programme, item: &Item, from: DateTime<Utc>, tz: Tz) -> Airing {
    if item.category == Category::Emergency {
        return Airing::Never(vec![Why::OnlyByHand]);
    }
    let mut names = unknown_places(programme, &item.slots, &item.zones);
    if !names.is_empty() {
        return Airing::Never(std::mem::take(&mut names));
    }
    let approved = Item {
        state: ReviewState::Approved,
        ..item.clone()
    };
    let items = std::slice::from_ref(&approved);
    let mut held = Vec::new();
    for days in HORIZONS_DAYS {
        let p = plan(programme, items, &[], from, from + Duration::days(days), tz);
        let airs: Vec<Airs> = p
            .cues
            .iter()
            .filter(|c| matches!(c.content, Content::Item { item_id, .. } if item_id == item.id))
            .take(NEXT)
            .map(|c| Airs {
                start: c.start,
                slot: c.slot.clone(),
                slot_title: c.slot_title.clone(),
                holiday: c.holiday.as_ref().map(|h| {
                    programme
                        .holidays
                        .get(h)
                        .map_or(h.clone(), |h| h.title.clone())
                }),
                lunar: calendar::solar_to_lunar(
                    c.start.with_timezone(&tz).date_naive(),
                    VIETNAM_UTC_OFFSET,
                )
                .to_vietnamese(),
                zones: c.zones.clone(),
                through_quiet_hours: programme.airs_through_quiet_hours(&c.slot),
            })
            .collect();
        if airs.len() >= NEXT || (days == HORIZONS_DAYS[2] && !airs.is_empty()) {
            return Airing::Next(airs);
        }
        held = p.left_out.into_iter().map(|l| l.why).collect();
    }
    Airing::Never(reasons_not_aired(programme, item, held, from, tz))
}

/// Why a planned-alone item got no cue: what the plan held back, else what the programme
/// says of its category, slots and dates.
fn reasons_not_aired(
    programme: &Programme,
    item: &Item,
    held: Vec<Why>,
    from: DateTime<Utc>,
    tz: Tz,
) -> Vec<Why> {
    let mut out: Vec<Why> = Vec::new();
    for w in held {
        if !out.contains(&w) {
            out.push(w);
        }
    }
    if !out.is_empty() {
        return out;
    }
    let candidates: Vec<&Slot> = programme
        .slots
        .iter()
        .filter(|s| {
            item.slots.is_empty()
                || item.slots.contains(&s.name)
                || item.slots.contains(&s.playlist)
        })
        .collect();
    let takes = candidates.iter().any(|s| slot_takes(programme, s, item));
    if !takes {
        return vec![Why::NoSlotTakes {
            category: item.category,
            slots: item.slots.clone(),
        }];
    }
    let today = from.with_timezone(&tz).date_naive();
    vec![Why::OutsideDates {
        from: item.air_from,
        until: item.air_until,
        ended: item.air_until.is_some_and(|u| u < today),
    }]
}

/// Whether `slot`'s playlist has a part that takes `item`'s category and tier.
fn slot_takes(programme: &Programme, slot: &Slot, item: &Item) -> bool {
    programme.playlists.get(&slot.playlist).is_some_and(|p| {
        p.parts.iter().any(|part| {
            matches!(part, Part::Items { category, tier, .. }
                if *category == item.category && tier.is_none_or(|t| t == item.tier))
        })
    })
}

/// The slot and zone names in `slots` and `zones` that the programme does not have (a slot
/// may also be named by its playlist), each as the reason it would never air there.
pub fn unknown_places(programme: &Programme, slots: &[String], zones: &[String]) -> Vec<Why> {
    let known_slots: BTreeSet<&str> = programme
        .slots
        .iter()
        .flat_map(|s| [s.name.as_str(), s.playlist.as_str()])
        .collect();
    let known_zones = programme.known_zones();
    let slots = slots
        .iter()
        .filter(|s| !known_slots.contains(s.as_str()))
        .map(|s| Why::UnknownSlot { slot: s.clone() });
    let zones = zones
        .iter()
        .filter(|z| !known_zones.contains(z))
        .map(|z| Why::UnknownZone { zone: z.clone() });
    slots.chain(zones).collect()
}

/// What an item may choose: the slots by name and title, and the zones.
#[derive(Debug, Clone, PartialEq)]
pub struct Places {
    /// (name, title) of every slot, in the programme's order.
    pub slots: Vec<(String, String)>,
    /// Every playlist a slot airs (an item may name one instead of a slot).
    pub playlists: Vec<String>,
    /// Every zone known (the speakers' and those the files name).
    pub zones: Vec<String>,
}

/// The slots and zones the forms offer.
pub fn places(programme: &Programme) -> Places {
    Places {
        slots: programme
            .slots
            .iter()
            .map(|s| (s.name.clone(), s.title.clone()))
            .collect(),
        playlists: programme
            .slots
            .iter()
            .map(|s| s.playlist.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        zones: programme.known_zones(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, SimClock};
    use crate::model::Tier;
    use crate::schedule::files;
    use chrono::{NaiveDate, TimeZone};

    const TZ: Tz = chrono_tz::Asia::Ho_Chi_Minh;

    fn shipped() -> Programme {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (programme, problems) = files::load(&root.join("schedules"), &root.join("playlists"));
        assert!(problems.is_empty(), "{problems:?}");
        programme
    }

    fn item(category: Category, slots: &[&str], zones: &[&str]) -> Item {
        Item {
            id: 7,
            media_id: 1,
            title: "Lời chúc Tết của Chủ tịch UBND xã".into(),
            category,
            tier: Tier::Normal,
            state: ReviewState::Submitted,
            air_from: None,
            air_until: None,
            slots: slots.iter().map(|s| s.to_string()).collect(),
            zones: zones.iter().map(|s| s.to_string()).collect(),
            reject_reason: None,
            created_by: 1,
            created_by_name: "Biên".into(),
            edited_by: None,
            decided_by: None,
            decided_by_name: None,
            decided_at: None,
            created_at: String::new(),
            updated_at: String::new(),
            duration_ms: 30_000,
            file: "a.mp3".into(),
            gain_db: 0.0,
            revision: 1,
            editors: vec![],
            pending_revision: None,
        }
    }

    /// A simulated clock set to a local time in the commune.
    fn clock(y: i32, m: u32, d: u32, h: u32) -> SimClock {
        SimClock::starting_at(
            TZ.with_ymd_and_hms(y, m, d, h, 0, 0)
                .unwrap()
                .with_timezone(&Utc),
        )
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        clock(y, m, d, h).now()
    }

    #[test]
    fn a_greeting_for_the_new_years_eve_slot_airs_on_giao_thua_with_its_lunar_day() {
        let p = shipped();
        let greeting = item(Category::Greeting, &["giao-thua"], &[]);
        let airing = explain(&p, &greeting, at(2026, 12, 1, 9), TZ);
        let next = airing.next();
        assert_eq!(next.len(), 1, "{airing:?}");
        let first = &next[0];
        let local = first.start.with_timezone(&TZ);
        // Tết Đinh Mùi is 6 February 2027; Giao thừa the evening before.
        assert_eq!(
            local.format("%Y-%m-%d %H:%M").to_string(),
            "2027-02-05 21:00"
        );
        assert_eq!(first.holiday.as_deref(), Some("Giao thừa"));
        assert!(
            first.lunar.starts_with("Ngày 29 tháng Chạp"),
            "{}",
            first.lunar
        );
    }

    #[test]
    fn a_daily_bulletin_says_its_next_three_sessions_as_time_goes_by() {
        let p = shipped();
        let bulletin = item(Category::Bulletin, &[], &[]);
        let clock = clock(2026, 12, 1, 9);
        let times = |now| -> Vec<String> {
            explain(&p, &bulletin, now, TZ)
                .next()
                .iter()
                .map(|a| a.start.with_timezone(&TZ).format("%d/%m %H:%M").to_string())
                .collect()
        };
        assert_eq!(
            times(clock.now()),
            ["01/12 17:25", "02/12 05:55", "02/12 17:25"]
        );
        clock.advance(std::time::Duration::from_secs(9 * 3600));
        assert_eq!(
            times(clock.now()),
            ["02/12 05:55", "02/12 17:25", "03/12 05:55"]
        );
    }

    #[test]
    fn names_the_programme_does_not_have_are_the_reason() {
        let p = shipped();
        let wrong = item(Category::Greeting, &["Buổi sáng"], &["Thôn 1"]);
        let airing = explain(&p, &wrong, at(2026, 12, 1, 9), TZ);
        assert_eq!(
            airing.reasons(),
            &[
                Why::UnknownSlot {
                    slot: "Buổi sáng".into()
                },
                Why::UnknownZone {
                    zone: "Thôn 1".into()
                }
            ]
        );
        assert!(airing.is_stuck());
        let said = airing.reasons()[0].to_string();
        assert!(said.contains("\"Buổi sáng\""), "{said}");
    }

    #[test]
    fn a_category_no_slot_takes_and_dates_that_passed_are_said() {
        let p = shipped();
        let music = item(Category::Music, &[], &[]);
        assert!(matches!(
            explain(&p, &music, at(2026, 12, 1, 9), TZ).reasons(),
            [Why::NoSlotTakes {
                category: Category::Music,
                ..
            }]
        ));
        let mut old = item(Category::Bulletin, &[], &[]);
        old.air_from = NaiveDate::from_ymd_opt(2026, 11, 1);
        old.air_until = NaiveDate::from_ymd_opt(2026, 11, 20);
        let reasons = explain(&p, &old, at(2026, 12, 1, 9), TZ).reasons().to_vec();
        assert!(
            matches!(reasons.as_slice(), [Why::OutsideDates { ended: true, .. }]),
            "{reasons:?}"
        );
        let emergency = item(Category::Emergency, &[], &[]);
        let airing = explain(&p, &emergency, at(2026, 12, 1, 9), TZ);
        assert!(!airing.is_stuck(), "the operator airs it: {airing:?}");
    }

    #[test]
    fn the_forms_offer_the_programmes_own_slots() {
        let p = shipped();
        let offered = places(&p);
        assert!(
            offered
                .slots
                .contains(&("sang".to_string(), "Buổi sáng".to_string()))
        );
        assert!(unknown_places(&p, &["sang".into(), "buoi-phat".into()], &[]).is_empty());
    }

    #[test]
    fn an_airing_in_a_slot_that_airs_through_quiet_hours_says_so() {
        let schedule = "[quiet]\nhours = [\"21:30-05:30\"]\n[[slot]]\nname = \"dem\"\ntitle = \"Buổi đêm\"\ntime = \"23:00\"\nplaylist = \"p\"\nthrough_quiet_hours = true\n[[slot]]\nname = \"chieu\"\ntitle = \"Buổi chiều\"\ntime = \"17:00\"\nplaylist = \"p\"\n";
        let (p, problems) =
            files::tests::load_texts(schedule, "[[part]]\ncategory = \"bulletin\"\n");
        assert!(problems.is_empty(), "{problems:?}");
        let airing = explain(
            &p,
            &item(Category::Bulletin, &[], &[]),
            at(2026, 12, 1, 9),
            TZ,
        );
        let said: Vec<(&str, bool)> = airing
            .next()
            .iter()
            .map(|a| (a.slot.as_str(), a.through_quiet_hours))
            .collect();
        assert_eq!(said, [("chieu", false), ("dem", true), ("chieu", false)]);
    }
}
