//! `plan()`: the pure heart of the programme. From the programme files, the approved items,
//! the jingles in the library and a time range, it says exactly what airs when, where, and
//! what did not fit. No clock, no database, no devices: the same inputs give the same cues.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::files::{
    FallbackSource, Holiday, Overflow, Part, Playlist, Programme, RelayPart, Slot, When,
};
use super::gate::{Gate, Verdict};
use super::hours::DaySpan;
use crate::audio::stream::StreamUrl;
use crate::model::Said;
use crate::model::said;
use crate::model::{Category, Item, Tier};

/// Most recordings a category fallback plays in turn.
const MAX_FALLBACK_CLIPS: usize = 8;

/// A jingle the programme can name: a library recording of category `jingle`.
#[derive(Debug, Clone, PartialEq)]
pub struct Jingle {
    /// Recording id.
    pub media_id: i64,
    /// Its title, as playlists name it.
    pub title: String,
    /// File relative to the data folder.
    pub file: String,
    /// Length.
    pub duration_ms: u64,
    /// Playback gain.
    pub gain_db: f64,
}

/// What a cue plays.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Content {
    /// An approved item.
    Item {
        /// Item id.
        item_id: i64,
        /// Its recording.
        media_id: i64,
        /// File relative to the data folder.
        #[serde(skip)]
        file: String,
        /// Playback gain.
        gain_db: f64,
        /// Its tier.
        tier: Tier,
        /// Its category.
        category: Category,
    },
    /// A recording a head-end planned, from a village node's cache (`cluster::node`).
    Relayed {
        /// The head-end's item, if it was one (an id in the head-end's database, not here).
        item_id: Option<i64>,
        /// SHA-256 of the recording.
        sha256: String,
        /// File relative to the data folder.
        #[serde(skip)]
        file: String,
        /// Playback gain.
        gain_db: f64,
        /// Its tier.
        tier: Tier,
    },
    /// A jingle.
    Jingle {
        /// Its recording.
        media_id: i64,
        /// File relative to the data folder.
        #[serde(skip)]
        file: String,
        /// Playback gain.
        gain_db: f64,
    },
    /// A live stream relayed (tiếp sóng) until a set time, with recordings to air while it
    /// is out. Aired by the head-end's player; a village node's plan carries recordings only,
    /// so a node does not relay it (zones served by nodes hear it only through the head-end).
    Stream {
        /// The stream (prints without a password).
        url: StreamUrl,
        /// When it ends, whatever the stream does; what follows in the slot starts then.
        until: DateTime<Utc>,
        /// What the programme named as its fallback (`«Nhạc hiệu»`, `Âm nhạc (music)`).
        fallback_name: String,
        /// The recordings that fallback is now, aired in turn during an outage.
        fallback: Vec<FallbackClip>,
        /// Only silence for this long is an outage.
        silence_seconds: u32,
    },
}

/// A recording a relay airs while its stream is out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FallbackClip {
    /// Its recording.
    pub media_id: i64,
    /// File relative to the data folder.
    #[serde(skip)]
    pub file: String,
    /// Its loudness correction.
    pub gain_db: f64,
}

/// One thing to air.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cue {
    /// Stable identity: the same cue keeps it across re-plans and restarts.
    pub key: String,
    /// When it should start.
    pub start: DateTime<Utc>,
    /// The slot's name.
    pub slot: String,
    /// The slot's title.
    pub slot_title: String,
    /// When the slot starts (the first cue of a slot starts then).
    pub slot_start: DateTime<Utc>,
    /// The playlist.
    pub playlist: String,
    /// What people call it.
    pub title: String,
    /// What it plays.
    pub content: Content,
    /// Expected length.
    pub length_ms: u64,
    /// Zones (thôn); empty: all.
    pub zones: Vec<String>,
    /// The gain by time of day (`[[volume]]`) for its start and zones, in dB, on top of the
    /// content's own.
    pub volume_db: f32,
    /// The holiday it airs on, if any.
    pub holiday: Option<String>,
}

/// Something that should have aired in a slot (everywhere, or in one zone) but does not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Left {
    /// Slot name.
    pub slot: String,
    /// When the slot starts.
    pub slot_start: DateTime<Utc>,
    /// The item; `None` for a relay or a jingle.
    pub item_id: Option<i64>,
    /// Its title.
    pub title: String,
    /// Why, for programs.
    pub why: Why,
    /// Why, in words the pages show (`why` written out).
    pub reason: String,
}

/// Why something does not air where the programme put it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// The slot's `max_minutes` were used up; it airs in a later slot.
    NoRoom {
        /// The slot's length.
        minutes: u32,
    },
    /// It would run into quiet hours (giờ yên tĩnh): the commune's, or one zone's (then the
    /// other zones still hear it).
    QuietHours {
        /// Which quiet hours.
        hours: DaySpan,
        /// The zone whose they are; `None`: the commune's.
        zone: Option<String>,
    },
    /// It names a slot the programme does not have (neither a slot's name nor a playlist).
    UnknownSlot {
        /// The name as the item gives it.
        slot: String,
    },
    /// It names a zone the speakers do not reach and the files do not name.
    UnknownZone {
        /// The name as the item gives it.
        zone: String,
    },
    /// No slot (of those it names, if it names any) airs a playlist that takes its category
    /// and tier.
    NoSlotTakes {
        /// Its category.
        category: Category,
        /// The slots it names; empty: it named none, so every slot was looked at.
        slots: Vec<String>,
    },
    /// The days it may air hold no slot that takes it (a greeting whose dates miss every
    /// holiday, a window in the past).
    OutsideDates {
        /// Its first day, if limited.
        from: Option<NaiveDate>,
        /// Its last day, if limited.
        until: Option<NaiveDate>,
        /// Its last day has passed.
        ended: bool,
    },
    /// A prepared emergency message: no slot airs it; the operator does, from the emergency
    /// page.
    OnlyByHand,
}

impl Why {
    /// The reason in each language, as pages and the API show it.
    pub fn said(&self) -> Said {
        match self {
            Why::NoRoom { minutes } => said!(
                "không đủ chỗ trong {minutes} phút của buổi; sẽ phát buổi sau",
                "no room in the slot's {minutes} minutes; airs in a later slot"
            ),
            Why::QuietHours { hours, zone: None } => said!(
                "giờ yên tĩnh {hours}; sẽ phát buổi sau",
                "quiet hours {hours}; airs in a later slot"
            ),
            Why::QuietHours {
                hours,
                zone: Some(z),
            } => said!(
                "giờ yên tĩnh {hours} của {z}: {z} không nghe",
                "{z}'s quiet hours {hours}: not heard in {z}"
            ),
            Why::UnknownSlot { slot } => said!(
                "lịch phát không có buổi \"{slot}\" — hãy chọn buổi trong danh sách",
                "the programme has no slot \"{slot}\" — choose one from the list"
            ),
            Why::UnknownZone { zone } => said!(
                "không có thôn / khu vực \"{zone}\" — hãy chọn trong danh sách",
                "there is no zone \"{zone}\" — choose one from the list"
            ),
            Why::NoSlotTakes { category, slots } if slots.is_empty() => {
                let vi = category.label_vi();
                said!(
                    "không buổi phát nào nhận thể loại {vi}",
                    "no slot takes the category {category}"
                )
            }
            Why::NoSlotTakes { category, slots } => {
                let (list, vi) = (slots.join(", "), category.label_vi());
                said!(
                    "buổi {list} không nhận thể loại {vi}",
                    "slot {list} does not take the category {category}"
                )
            }
            Why::OutsideDates { from, until, ended } => {
                let day = |d: &Option<NaiveDate>| {
                    d.map_or("…".to_string(), |d| d.format("%d/%m/%Y").to_string())
                };
                let (a, b) = (day(from), day(until));
                if *ended {
                    said!(
                        "đã hết hạn phát ({a} – {b})",
                        "its dates are over ({a} – {b})"
                    )
                } else {
                    said!(
                        "trong thời gian phát {a} – {b} không có buổi nào nhận nó",
                        "no slot takes it between {a} and {b}"
                    )
                }
            }
            Why::OnlyByHand => said!(
                "không phát theo lịch: trực ban phát từ trang Khẩn cấp",
                "not on the programme: the operator airs it from the emergency page"
            ),
        }
    }
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.said().fmt(f)
    }
}

impl Left {
    fn new(
        slot: &Slot,
        slot_start: DateTime<Utc>,
        item_id: Option<i64>,
        title: &str,
        why: Why,
    ) -> Left {
        Left {
            slot: slot.name.clone(),
            slot_start,
            item_id,
            title: title.to_string(),
            reason: why.to_string(),
            why,
        }
    }
}

/// The plan for a time range.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    /// What airs, in time order.
    pub cues: Vec<Cue>,
    /// Items that did not fit.
    pub left_out: Vec<Left>,
    /// Problems (a jingle missing from the library, a slot starting late).
    pub warnings: Vec<Said>,
    /// Slots that had no item to air, and so do not air at all: (slot, start).
    pub empty_slots: Vec<(String, DateTime<Utc>)>,
}

/// Holidays by local date, for the days of a plan.
pub fn holidays_between(
    programme: &Programme,
    first: NaiveDate,
    last: NaiveDate,
) -> BTreeMap<NaiveDate, Vec<&Holiday>> {
    let mut map: BTreeMap<NaiveDate, Vec<&Holiday>> = BTreeMap::new();
    for year in first.year() - 1..=last.year() {
        for h in programme.holidays.values() {
            for d in h.days_in_year(year) {
                if (first..=last).contains(&d) {
                    map.entry(d).or_default().push(h);
                }
            }
        }
    }
    map
}

/// What airs in `[from, to)`: slots expanded into cues from their playlists, filled with the
/// approved items whose window covers the day, priority before normal.
pub fn plan(
    programme: &Programme,
    items: &[Item],
    jingles: &[Jingle],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
) -> Plan {
    let mut out = Plan::default();
    if to <= from {
        return out;
    }
    // A slot that started before `from` may still have cues inside the range.
    let first_day = (from - Duration::days(1)).with_timezone(&tz).date_naive();
    let last_day = to.with_timezone(&tz).date_naive();
    let holidays = holidays_between(programme, first_day, last_day);
    let mut occurrences: Vec<(DateTime<Utc>, &Slot, NaiveDate)> = Vec::new();
    for day in first_day.iter_days().take_while(|d| *d <= last_day) {
        for slot in &programme.slots {
            let on = holidays.get(&day).map(Vec::as_slice).unwrap_or(&[]);
            if !slot.holidays.is_empty() && !on.iter().any(|h| slot.holidays.contains(&h.name)) {
                continue;
            }
            for start in starts_on(slot, day, tz) {
                occurrences.push((start, slot, day));
            }
        }
    }
    occurrences.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let mut busy_until: Option<DateTime<Utc>> = None;
    for (start, slot, day) in occurrences {
        let Some(playlist) = programme.playlists.get(&slot.playlist) else {
            continue;
        };
        // Slots that overlap air one after the other.
        let begin = match busy_until {
            Some(b) if b > start => {
                let (name, at) = (&slot.name, start.with_timezone(&tz).format("%d/%m %H:%M"));
                out.warnings.push(said!(
                    "buổi \"{name}\" lúc {at} phát trễ vì buổi trước chưa xong",
                    "slot \"{name}\" at {at} starts late: the previous one is still on"
                ));
                b
            }
            _ => start,
        };
        let on = holidays.get(&day).map(Vec::as_slice).unwrap_or(&[]);
        let before = out.cues.len();
        let gate = Gate::new(programme, tz);
        let end = fill_slot(
            &mut out, &gate, slot, playlist, begin, day, on, items, jingles,
        );
        // A station ID and a chime with nothing between them say nothing: the slot is off.
        if !out.cues[before..]
            .iter()
            .any(|c| matches!(c.content, Content::Item { .. } | Content::Stream { .. }))
        {
            out.cues.truncate(before);
            out.empty_slots.push((slot.name.clone(), begin));
            continue;
        }
        busy_until = Some(end);
    }
    out.cues.retain(|c| c.start >= from && c.start < to);
    out.left_out
        .retain(|l| l.slot_start >= from && l.slot_start < to);
    out.empty_slots.retain(|(_, t)| *t >= from && *t < to);
    out
}

/// The UTC start times of a slot on a local day.
fn starts_on(slot: &Slot, day: NaiveDate, tz: Tz) -> Vec<DateTime<Utc>> {
    let local = |naive: NaiveDateTime| {
        tz.from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    match &slot.when {
        When::Daily { time, days } => {
            if days.contains(&day.weekday()) {
                local(day.and_time(*time)).into_iter().collect()
            } else {
                Vec::new()
            }
        }
        When::Once(at) => {
            if at.date() == day {
                local(*at).into_iter().collect()
            } else {
                Vec::new()
            }
        }
        When::Cron(cron) => {
            let Some(midnight) = day
                .and_hms_opt(0, 0, 0)
                .and_then(|m| tz.from_local_datetime(&m).earliest())
            else {
                return Vec::new();
            };
            let next_day = midnight + Duration::days(1);
            let mut found = Vec::new();
            let mut at = midnight;
            // A cron line firing every minute would make 1440 slots a day: cap it at one
            // every five minutes (the demo's session), all day.
            while let Ok(next) = cron.find_next_occurrence(&at, found.is_empty()) {
                if next >= next_day || found.len() >= 288 {
                    break;
                }
                found.push(next.with_timezone(&Utc));
                at = next;
            }
            found
        }
    }
}

/// Expand one slot occurrence into cues. Returns when the slot ends.
#[allow(clippy::too_many_arguments)]
fn fill_slot(
    out: &mut Plan,
    gate: &Gate<'_>,
    slot: &Slot,
    playlist: &Playlist,
    start: DateTime<Utc>,
    day: NaiveDate,
    holidays: &[&Holiday],
    items: &[Item],
    jingles: &[Jingle],
) -> DateTime<Utc> {
    let greeting_day = holidays.iter().find(|h| h.greeting);
    let holiday = holidays.first().map(|h| h.name.clone());
    let budget = playlist.max_minutes.map(|m| u64::from(m) * 60_000);
    // Jingles after the last item part close the slot; their time is kept free.
    let closing: u64 = closing_parts(playlist)
        .iter()
        .filter_map(|p| match p {
            Part::Jingle(t) => jingles
                .iter()
                .find(|j| &j.title == t)
                .map(|j| j.duration_ms),
            Part::Items { .. } | Part::Relay(_) => None,
        })
        .sum();
    let mut t = start;
    let mut used_ms = 0u64;
    let mut used_items = HashSet::new();
    // Each cue passes the gate (quiet hours, volume) first; what it holds back is left out.
    let push = |out: &mut Plan,
                part_index: usize,
                title: String,
                content: Content,
                length_ms: u64,
                zones: Vec<String>,
                t: &mut DateTime<Utc>|
     -> bool {
        let (id, item_id, exempt) = match &content {
            Content::Item { item_id, tier, .. } => (
                format!("item:{item_id}"),
                Some(*item_id),
                *tier == Tier::Emergency,
            ),
            Content::Jingle { media_id, .. } => (format!("jingle:{media_id}"), None, false),
            Content::Relayed {
                item_id,
                sha256,
                tier,
                ..
            } => (
                format!("media:{sha256}"),
                *item_id,
                *tier == Tier::Emergency,
            ),
            Content::Stream { .. } => ("relay".to_string(), None, false),
        };
        let length = Duration::milliseconds(i64::try_from(length_ms).unwrap_or(i64::MAX));
        let verdict = gate.judge(*t, *t + length, zones, exempt, slot.through_quiet_hours);
        for (hours, zone) in verdict.held {
            out.left_out.push(Left::new(
                slot,
                start,
                item_id,
                &title,
                Why::QuietHours { hours, zone },
            ));
        }
        let Verdict::Airs { zones, volume_db } = verdict.airs else {
            return false;
        };
        let local = start.format("%Y-%m-%dT%H:%MZ");
        out.cues.push(Cue {
            key: format!("{}@{local}/{part_index}/{id}", slot.name),
            start: *t,
            slot: slot.name.clone(),
            slot_title: slot.title.clone(),
            slot_start: start,
            playlist: playlist.name.clone(),
            title,
            content,
            length_ms,
            zones,
            volume_db,
            holiday: holiday.clone(),
        });
        *t += length;
        true
    };
    for (index, part) in playlist.parts.iter().enumerate() {
        match part {
            Part::Jingle(title) => match jingles.iter().find(|j| &j.title == title) {
                Some(j) => {
                    let content = Content::Jingle {
                        media_id: j.media_id,
                        file: j.file.clone(),
                        gain_db: j.gain_db,
                    };
                    if push(
                        out,
                        index,
                        j.title.clone(),
                        content,
                        j.duration_ms,
                        slot.zones.clone(),
                        &mut t,
                    ) {
                        used_ms += j.duration_ms;
                    }
                }
                None => {
                    let name = &playlist.name;
                    out.warnings.push(said!(
                        "playlist \"{name}\" cần nhạc hiệu \"{title}\" nhưng thư viện không có",
                        "playlist \"{name}\" needs the jingle \"{title}\", which is not in the library"
                    ))
                }
            },
            Part::Items {
                category,
                tier,
                holidays_only,
                newest_first,
                limit,
            } => {
                if *holidays_only && greeting_day.is_none() {
                    continue;
                }
                let chosen = eligible(
                    items,
                    slot,
                    playlist,
                    day,
                    *category,
                    *tier,
                    *newest_first,
                    &used_items,
                );
                for item in chosen.into_iter().take(limit.unwrap_or(usize::MAX)) {
                    used_items.insert(item.id);
                    let fits = budget.is_none_or(|b| used_ms + item.duration_ms + closing <= b);
                    if !fits && playlist.overflow == Overflow::Drop {
                        let why = Why::NoRoom {
                            minutes: playlist.max_minutes.unwrap_or(0),
                        };
                        out.left_out
                            .push(Left::new(slot, start, Some(item.id), &item.title, why));
                        continue;
                    }
                    let zones = zones_for(&slot.zones, &item.zones);
                    let content = Content::Item {
                        item_id: item.id,
                        media_id: item.media_id,
                        file: item.file.clone(),
                        gain_db: item.gain_db,
                        tier: item.tier,
                        category: item.category,
                    };
                    if push(
                        out,
                        index,
                        item.title.clone(),
                        content,
                        item.duration_ms,
                        zones,
                        &mut t,
                    ) {
                        used_ms += item.duration_ms;
                    }
                }
            }
            Part::Relay(relay) => {
                let Some(end) = relay_end(relay, t, day, gate.tz()) else {
                    let (name, relayed) = (&slot.name, &relay.title);
                    let at = t.with_timezone(&gate.tz()).format("%H:%M");
                    out.warnings.push(said!(
                        "buổi \"{name}\": tiếp sóng {relayed} đã quá giờ kết thúc khi tới lượt ({at}); bỏ qua",
                        "slot \"{name}\": the relay of {relayed} is past its end when its turn comes ({at}); skipped"
                    ));
                    continue;
                };
                let length_ms = u64::try_from((end - t).num_milliseconds()).unwrap_or(0);
                let content = Content::Stream {
                    url: relay.url.clone(),
                    until: end,
                    fallback_name: relay.fallback.to_string(),
                    fallback: fallback_clips(out, relay, items, jingles, day),
                    silence_seconds: relay.silence_seconds,
                };
                if push(
                    out,
                    index,
                    relay.title.clone(),
                    content,
                    length_ms,
                    slot.zones.clone(),
                    &mut t,
                ) {
                    used_ms += length_ms;
                }
            }
        }
    }
    t
}

/// When a relay that starts at `t` on local `day` ends; `None` when its `until` has passed.
fn relay_end(relay: &RelayPart, t: DateTime<Utc>, day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let end = match relay.length {
        super::files::RelayLength::Minutes(m) => t + Duration::minutes(i64::from(m)),
        super::files::RelayLength::Until(until) => tz
            .from_local_datetime(&day.and_time(until))
            .earliest()?
            .with_timezone(&Utc),
    };
    (end > t).then_some(end)
}

/// The recordings a relay's fallback names today: its jingle, the library's jingles, or the
/// category's approved items (oldest first, at most [`MAX_FALLBACK_CLIPS`]). A jingle missing
/// from the library is a warning: the relay airs silence while the stream is out.
fn fallback_clips(
    out: &mut Plan,
    relay: &RelayPart,
    items: &[Item],
    jingles: &[Jingle],
    day: NaiveDate,
) -> Vec<FallbackClip> {
    let jingle = |j: &Jingle| FallbackClip {
        media_id: j.media_id,
        file: j.file.clone(),
        gain_db: j.gain_db,
    };
    let clips: Vec<FallbackClip> = match &relay.fallback {
        FallbackSource::Jingle(title) => jingles
            .iter()
            .filter(|j| &j.title == title)
            .take(1)
            .map(jingle)
            .collect(),
        FallbackSource::Category(Category::Jingle) => jingles.iter().map(jingle).collect(),
        FallbackSource::Category(category) => items
            .iter()
            .filter(|i| i.state == crate::model::ReviewState::Approved && i.category == *category)
            .filter(|i| i.air_from.is_none_or(|f| f <= day) && i.air_until.is_none_or(|u| day <= u))
            .map(|i| FallbackClip {
                media_id: i.media_id,
                file: i.file.clone(),
                gain_db: i.gain_db,
            })
            .collect(),
    };
    if clips.is_empty() {
        let (relayed, fallback) = (&relay.title, &relay.fallback);
        out.warnings.push(said!(
            "tiếp sóng {relayed}: dự phòng {fallback} không có bản ghi nào; khi mất sóng sẽ im lặng",
            "relay {relayed}: its fallback {fallback} has no recording; an outage will be silent"
        ));
    }
    clips.into_iter().take(MAX_FALLBACK_CLIPS).collect()
}

/// The parts after the last item part (closing jingles).
fn closing_parts(playlist: &Playlist) -> &[Part] {
    let last_items = playlist
        .parts
        .iter()
        .rposition(|p| matches!(p, Part::Items { .. }));
    match last_items {
        Some(i) => &playlist.parts[i + 1..],
        None => &[],
    }
}

/// Approved items of `category` that may air in this slot on `day`, most urgent first.
#[allow(clippy::too_many_arguments)]
fn eligible<'a>(
    items: &'a [Item],
    slot: &Slot,
    playlist: &Playlist,
    day: NaiveDate,
    category: Category,
    tier: Option<Tier>,
    newest_first: bool,
    used: &HashSet<i64>,
) -> Vec<&'a Item> {
    let mut list: Vec<&Item> = items
        .iter()
        .filter(|i| i.state == crate::model::ReviewState::Approved)
        .filter(|i| i.category == category && tier.is_none_or(|t| i.tier == t))
        .filter(|i| i.air_from.is_none_or(|f| f <= day) && i.air_until.is_none_or(|u| day <= u))
        .filter(|i| {
            i.slots.is_empty() || i.slots.contains(&slot.name) || i.slots.contains(&playlist.name)
        })
        .filter(|i| !used.contains(&i.id))
        .collect();
    list.sort_by(|a, b| {
        let urgency = b.tier.cmp(&a.tier);
        let age = if newest_first {
            b.id.cmp(&a.id)
        } else {
            a.id.cmp(&b.id)
        };
        urgency.then(age)
    });
    list
}

/// The zones a cue reaches: the item's within the slot's (empty means all).
fn zones_for(slot: &[String], item: &[String]) -> Vec<String> {
    match (slot.is_empty(), item.is_empty()) {
        (_, true) => slot.to_vec(),
        (true, false) => item.to_vec(),
        (false, false) => {
            let s: BTreeSet<&String> = slot.iter().collect();
            item.iter().filter(|z| s.contains(z)).cloned().collect()
        }
    }
}

/// Holidays in the next `days` that expect a greeting but have no approved greeting item
/// covering any of their days: (first date, holiday title), once per holiday.
pub fn holidays_without_greeting(
    programme: &Programme,
    items: &[Item],
    today: NaiveDate,
    days: i64,
) -> Vec<(NaiveDate, String)> {
    let last = today + Duration::days(days);
    let covered = |d: NaiveDate| {
        items.iter().any(|i| {
            i.state == crate::model::ReviewState::Approved
                && i.category == Category::Greeting
                && i.air_from.is_none_or(|f| f <= d)
                && i.air_until.is_none_or(|u| d <= u)
        })
    };
    let mut by_holiday: BTreeMap<&str, (NaiveDate, &Holiday, bool)> = BTreeMap::new();
    for (d, hs) in holidays_between(programme, today, last) {
        for h in hs.into_iter().filter(|h| h.greeting) {
            let entry = by_holiday.entry(h.name.as_str()).or_insert((d, h, false));
            entry.2 |= covered(d);
        }
    }
    let mut out: Vec<(NaiveDate, String)> = by_holiday
        .into_values()
        .filter(|(_, _, ok)| !ok)
        .map(|(d, h, _)| (d, h.title.clone()))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_it_will_not_air_is_said_in_each_language_apart() {
        let hours: DaySpan = "21:30-05:30".parse().unwrap();
        let whys = [
            Why::NoRoom { minutes: 20 },
            Why::QuietHours { hours, zone: None },
            Why::UnknownSlot {
                slot: "sang".into(),
            },
            Why::NoSlotTakes {
                category: Category::Bulletin,
                slots: Vec::new(),
            },
            Why::OnlyByHand,
        ];
        for why in &whys {
            crate::config::assert_one_language(&why.said());
            assert_eq!(
                why.to_string(),
                why.said().to_string(),
                "the log keeps both"
            );
        }
        assert_eq!(
            whys[0].said().en(),
            "no room in the slot's 20 minutes; airs in a later slot"
        );
    }
}
