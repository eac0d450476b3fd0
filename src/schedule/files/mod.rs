//! The commune's programme as code: `schedules/*.toml` (slots, one-off slots, holidays) and
//! `playlists/*.toml` (what a slot airs), parsed into a checked [`Programme`].
//!
//! Loading never gives up on the whole programme for one mistake: each slot, holiday or
//! playlist with a problem is left out and reported with its file, line and a fix, and the
//! rest still airs. `loaxa check` prints the same problems.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use croner::Cron;
use serde::Deserialize;

mod playlist;
mod quiet;

pub use playlist::{
    DEFAULT_SILENCE_SECONDS, FallbackSource, MAX_RELAY_MINUTES, Overflow, Part, Playlist,
    RelayLength, RelayPart,
};

use super::calendar::{self, LunarDate, VIETNAM_UTC_OFFSET};
use super::hours::{Quiet, Volume, parse_time};
use crate::config::{Problem, SourceText};
use crate::model::Said;
use crate::model::said;
use playlist::{PlaylistFile, playlist};

/// Everything the programme files say.
#[derive(Debug, Clone, Default)]
pub struct Programme {
    /// Recurring and one-off slots.
    pub slots: Vec<Slot>,
    /// Holidays, by name.
    pub holidays: BTreeMap<String, Holiday>,
    /// Playlists, by name.
    pub playlists: BTreeMap<String, Playlist>,
    /// Quiet hours (giờ yên tĩnh), for the commune and for single zones.
    pub quiet: Quiet,
    /// Gains by time of day (`[[volume]]`).
    pub volume: Vec<Volume>,
    /// The zones the station's speakers reach (`[hw] zones`), given by whoever runs the
    /// programme: a cue for all zones minus one zone in its quiet hours goes to the others.
    pub speaker_zones: Vec<String>,
}

impl Programme {
    /// Every zone known: the speakers' and those the files name (slots, quiet hours, gains).
    pub fn known_zones(&self) -> Vec<String> {
        let named = self
            .slots
            .iter()
            .flat_map(|s| s.zones.iter())
            .chain(self.quiet.zones.keys())
            .chain(self.volume.iter().flat_map(|v| v.zones.iter()));
        let all: BTreeSet<&String> = self.speaker_zones.iter().chain(named).collect();
        all.into_iter().cloned().collect()
    }

    /// Whether the slot named `slot` airs through quiet hours (`through_quiet_hours = true`),
    /// as the plan and an item's airings say beside it.
    pub fn airs_through_quiet_hours(&self, slot: &str) -> bool {
        self.slots
            .iter()
            .any(|s| s.name == slot && s.through_quiet_hours)
    }
}

/// A time when the loudspeakers air a playlist.
#[derive(Debug, Clone)]
pub struct Slot {
    /// Identifier, used by items to say where they belong (`sang`).
    pub name: String,
    /// What people call it (`Buổi sáng`).
    pub title: String,
    /// When it airs.
    pub when: When,
    /// The playlist it airs.
    pub playlist: String,
    /// Zones (thôn) it reaches; empty: all.
    pub zones: Vec<String>,
    /// Only on these holidays, if any are named.
    pub holidays: Vec<String>,
    /// It airs through quiet hours (`through_quiet_hours = true`): the demo's own session
    /// only, so a newcomer hears a cue at any hour. The gain by time of day still applies.
    pub through_quiet_hours: bool,
}

/// When a slot airs, in the commune's local time.
#[derive(Debug, Clone)]
pub enum When {
    /// At a time on some days of the week.
    Daily {
        /// Local time.
        time: NaiveTime,
        /// Days of the week.
        days: Vec<Weekday>,
    },
    /// Whenever a cron line matches (minute granularity).
    Cron(Box<Cron>),
    /// Once, at a local date and time.
    Once(NaiveDateTime),
}

/// A day the commune marks.
#[derive(Debug, Clone, PartialEq)]
pub struct Holiday {
    /// Identifier (`tet-nguyen-dan`).
    pub name: String,
    /// Its name (`Tết Nguyên Đán`).
    pub title: String,
    /// Solar or lunar date.
    pub date: HolidayDate,
    /// Days from that date (Giao thừa is lunar 1/1, offset −1).
    pub offset_days: i32,
    /// How many days it lasts.
    pub days: u32,
    /// The chairman's greeting is expected on it.
    pub greeting: bool,
}

/// A holiday's date, every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayDate {
    /// Month and day of the solar calendar.
    Solar {
        /// 1–12.
        month: u32,
        /// 1–31.
        day: u32,
    },
    /// Month and day of the Vietnamese lunar calendar.
    Lunar {
        /// 1–12.
        month: u8,
        /// 1–30; day 30 of a 29-day month falls on the 29th.
        day: u8,
    },
}

impl Holiday {
    /// The solar days it covers that start in solar `year` (for lunar dates, the lunar year
    /// whose date falls in it).
    pub fn days_in_year(&self, year: i32) -> Vec<NaiveDate> {
        let first = match self.date {
            HolidayDate::Solar { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            HolidayDate::Lunar { month, day } => lunar_in_solar_year(year, month, day),
        };
        let Some(first) = first.and_then(|d| {
            d.checked_add_signed(chrono::Duration::days(i64::from(self.offset_days)))
        }) else {
            return Vec::new();
        };
        (0..self.days.max(1))
            .filter_map(|i| first.checked_add_days(chrono::Days::new(u64::from(i))))
            .collect()
    }
}

/// The solar date of lunar `month/day` whose solar year is `year` (lunar year `year` or,
/// for dates late in the lunar year, `year - 1`).
fn lunar_in_solar_year(year: i32, month: u8, day: u8) -> Option<NaiveDate> {
    [year, year - 1].into_iter().find_map(|ly| {
        let length = calendar::lunar_month_length(ly, month, false, VIETNAM_UTC_OFFSET)?;
        let d = LunarDate {
            year: ly,
            month,
            day: day.min(length),
            leap: false,
        };
        calendar::lunar_to_solar(d, VIETNAM_UTC_OFFSET).filter(|s| s.year() == year)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleFile {
    #[serde(default)]
    slot: Vec<RawSlot>,
    #[serde(default)]
    once: Vec<RawOnce>,
    #[serde(default)]
    holiday: Vec<RawHoliday>,
    quiet: Option<quiet::RawQuiet>,
    #[serde(default)]
    volume: Vec<quiet::RawVolume>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlot {
    name: String,
    title: Option<String>,
    time: Option<String>,
    days: Option<Vec<String>>,
    cron: Option<String>,
    playlist: String,
    #[serde(default)]
    zones: Vec<String>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    through_quiet_hours: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOnce {
    name: String,
    title: Option<String>,
    at: String,
    playlist: String,
    #[serde(default)]
    zones: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    title: String,
    solar: Option<String>,
    lunar: Option<String>,
    #[serde(default)]
    offset_days: i32,
    #[serde(default = "one")]
    days: u32,
    #[serde(default)]
    greeting: bool,
}

fn one() -> u32 {
    1
}

/// The programme files' texts as read, before anything is made of them: what [`check`] reads,
/// and what the programme editor replaces one file of to see what an edit would do.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `playlists/*.toml`, sorted by path.
    pub playlists: Vec<SourceText>,
    /// `schedules/*.toml`, sorted by path.
    pub schedules: Vec<SourceText>,
}

/// Read every `*.toml` in the two folders and check them: the programme and every problem, as
/// `loaxa check` prints them. Missing folders are an empty programme, reported.
pub fn load(schedules: &Path, playlists: &Path) -> (Programme, Vec<Problem>) {
    let (sources, mut problems) = read(schedules, playlists);
    let (programme, found) = check(&sources);
    problems.extend(found);
    (programme, problems)
}

/// The texts of every `*.toml` in the two folders; a folder or file that cannot be read is a
/// problem.
pub fn read(schedules: &Path, playlists: &Path) -> (Sources, Vec<Problem>) {
    let mut problems = Vec::new();
    let sources = Sources {
        playlists: toml_files(playlists, &mut problems),
        schedules: toml_files(schedules, &mut problems),
    };
    (sources, problems)
}

/// The programme the texts make and every problem in them: the one validation of the
/// programme, for loading, `loaxa check` and the editor alike.
pub fn check(sources: &Sources) -> (Programme, Vec<Problem>) {
    let mut programme = Programme::default();
    let mut problems = Vec::new();
    for src in &sources.playlists {
        let name = Path::new(&src.name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match toml::from_str::<PlaylistFile>(&src.text) {
            Ok(raw) => {
                if let Some(p) = playlist(src, name.clone(), raw, &mut problems) {
                    programme.playlists.insert(name, p);
                }
            }
            Err(e) => problems.push(src.parse_problem(&e, fix_playlist())),
        }
    }
    let mut files = Vec::new();
    for src in &sources.schedules {
        match toml::from_str::<ScheduleFile>(&src.text) {
            Ok(raw) => files.push((src, raw)),
            Err(e) => problems.push(src.parse_problem(&e, fix_schedule())),
        }
    }
    for (src, raw) in &files {
        quiet::read(
            src,
            raw.quiet.as_ref(),
            &raw.volume,
            &mut programme,
            &mut problems,
        );
    }
    // Holidays first: slots may name them.
    for (src, raw) in &files {
        for (i, h) in raw.holiday.iter().enumerate() {
            if let Some(h) = holiday(src, i, h, &mut problems) {
                if programme.holidays.contains_key(&h.name) {
                    let name = &h.name;
                    problems.push(src.problem(
                        &["holiday", &i.to_string(), "name"],
                        said!(
                            "ngày lễ \"{name}\" bị khai hai lần",
                            "holiday \"{name}\" is defined twice"
                        ),
                        said!("đổi tên một trong hai", "rename one"),
                    ));
                } else {
                    programme.holidays.insert(h.name.clone(), h);
                }
            }
        }
    }
    for (src, raw) in &files {
        for (i, s) in raw.slot.iter().enumerate() {
            if let Some(slot) = recurring_slot(src, i, s, &programme, &mut problems) {
                programme.slots.push(slot);
            }
        }
        for (i, o) in raw.once.iter().enumerate() {
            if let Some(slot) = one_off_slot(src, i, o, &programme, &mut problems) {
                programme.slots.push(slot);
            }
        }
    }
    check_unique_slots(&programme, &mut problems);
    problems.extend(overlaps(&programme));
    (programme, problems)
}

/// The fix for a schedule file's entry when nothing more precise applies.
fn fix_schedule() -> Said {
    Said::new(
        "xem schedules/hang-ngay.toml làm mẫu",
        "see schedules/hang-ngay.toml for an example",
    )
}

/// The fix for a playlist file's entry when nothing more precise applies.
pub(super) fn fix_playlist() -> Said {
    Said::new(
        "xem playlists/thuong-ngay.toml làm mẫu",
        "see playlists/thuong-ngay.toml for an example",
    )
}

fn toml_files(dir: &Path, problems: &mut Vec<Problem>) -> Vec<SourceText> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        problems.push(Problem {
            file: dir.display().to_string(),
            line: None,
            message: said!("không có thư mục này", "this folder does not exist"),
            fix: Said::new(
                "tạo thư mục hoặc sửa schedule.schedules_dir / schedule.playlists_dir trong loaxa.toml",
                "create it or fix schedule.schedules_dir / schedule.playlists_dir in loaxa.toml",
            ),
        });
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| match SourceText::read(&p) {
            Ok(s) => Some(s),
            Err(e) => {
                problems.push(Problem {
                    file: p.display().to_string(),
                    line: None,
                    message: said!("không đọc được tệp: {e}", "cannot read the file: {e}"),
                    fix: said!("kiểm tra quyền đọc", "check read permission"),
                });
                None
            }
        })
        .collect()
}

fn holiday(
    src: &SourceText,
    i: usize,
    h: &RawHoliday,
    problems: &mut Vec<Problem>,
) -> Option<Holiday> {
    let idx = i.to_string();
    let date = match (&h.solar, &h.lunar) {
        (Some(s), None) => parse_month_day(s).and_then(|(m, d)| {
            // 29 February exists in leap years; 31 February never does.
            NaiveDate::from_ymd_opt(2024, m, d).map(|_| HolidayDate::Solar { month: m, day: d })
        }),
        (None, Some(l)) => parse_month_day(l).and_then(|(m, d)| {
            (1..=12)
                .contains(&m)
                .then_some(())
                .and((1..=30).contains(&d).then_some(HolidayDate::Lunar {
                    month: m as u8,
                    day: d as u8,
                }))
        }),
        _ => {
            problems.push(src.problem(&["holiday", &idx], Said::new(format!("ngày lễ \"{}\" cần đúng một trong solar = \"MM-DD\" hoặc lunar = \"MM-DD\"", h.name), format!("holiday \"{}\" needs exactly one of solar = \"MM-DD\" or lunar = \"MM-DD\"", h.name)), fix_schedule()));
            return None;
        }
    };
    let Some(date) = date else {
        let key = if h.solar.is_some() { "solar" } else { "lunar" };
        let value = h
            .solar
            .as_deref()
            .or(h.lunar.as_deref())
            .unwrap_or_default();
        problems.push(src.problem(
            &["holiday", &idx, key],
            said!(
                "ngày \"{value}\" không tồn tại",
                "\"{value}\" is not a real date"
            ),
            said!(
                "viết tháng-ngày có thật, ví dụ \"09-02\"",
                "write a real month-day such as \"09-02\""
            ),
        ));
        return None;
    };
    if !(1..=30).contains(&h.days) || h.offset_days.abs() > 60 {
        problems.push(src.problem(
            &["holiday", &idx],
            said!(
                "days phải 1–30 và offset_days trong ±60",
                "days must be 1–30 and offset_days within ±60"
            ),
            fix_schedule(),
        ));
        return None;
    }
    Some(Holiday {
        name: h.name.clone(),
        title: h.title.clone(),
        date,
        offset_days: h.offset_days,
        days: h.days,
        greeting: h.greeting,
    })
}

fn parse_month_day(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.trim().split_once(['-', '/'])?;
    Some((m.parse().ok()?, d.parse().ok()?))
}

/// `mon`…`sun`, or Vietnamese `t2`…`t7`, `cn`.
pub(crate) fn parse_day(s: &str) -> Option<Weekday> {
    Some(match s.trim().to_lowercase().as_str() {
        "mon" | "t2" => Weekday::Mon,
        "tue" | "t3" => Weekday::Tue,
        "wed" | "t4" => Weekday::Wed,
        "thu" | "t5" => Weekday::Thu,
        "fri" | "t6" => Weekday::Fri,
        "sat" | "t7" => Weekday::Sat,
        "sun" | "cn" => Weekday::Sun,
        _ => return None,
    })
}

fn check_refs(
    src: &SourceText,
    path: &[&str],
    playlist: &str,
    holidays: &[String],
    programme: &Programme,
    problems: &mut Vec<Problem>,
) -> bool {
    if !programme.playlists.contains_key(playlist) {
        let known = programme
            .playlists
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let mut p: Vec<&str> = path.to_vec();
        p.push("playlist");
        problems.push(src.problem(
            &p,
            said!(
                "không có playlist \"{playlist}\"",
                "no playlist \"{playlist}\""
            ),
            said!("dùng một trong: {known}", "use one of: {known}"),
        ));
        return false;
    }
    if let Some(h) = holidays
        .iter()
        .find(|h| !programme.holidays.contains_key(*h))
    {
        let mut p: Vec<&str> = path.to_vec();
        p.push("holidays");
        problems.push(src.problem(
            &p,
            said!("không có ngày lễ \"{h}\"", "no holiday \"{h}\""),
            said!(
                "khai nó trong [[holiday]]",
                "define it in a [[holiday]] table"
            ),
        ));
        return false;
    }
    true
}

fn recurring_slot(
    src: &SourceText,
    i: usize,
    s: &RawSlot,
    programme: &Programme,
    problems: &mut Vec<Problem>,
) -> Option<Slot> {
    let idx = i.to_string();
    let path = ["slot", idx.as_str()];
    let when = match (&s.time, &s.cron) {
        (Some(t), None) => {
            let Some(time) = parse_time(t) else {
                problems.push(src.problem(
                    &["slot", &idx, "time"],
                    said!("giờ \"{t}\" không hợp lệ", "\"{t}\" is not a time"),
                    said!(
                        "viết HH:MM từ 00:00 đến 23:59, ví dụ \"06:00\"",
                        "write HH:MM from 00:00 to 23:59"
                    ),
                ));
                return None;
            };
            let days = match &s.days {
                None => vec![
                    Weekday::Mon,
                    Weekday::Tue,
                    Weekday::Wed,
                    Weekday::Thu,
                    Weekday::Fri,
                    Weekday::Sat,
                    Weekday::Sun,
                ],
                Some(list) => {
                    let parsed: Option<Vec<Weekday>> = list.iter().map(|d| parse_day(d)).collect();
                    match parsed {
                        Some(d) if !d.is_empty() => d,
                        _ => {
                            problems.push(src.problem(
                                &["slot", &idx, "days"],
                                said!(
                                    "ngày trong tuần không hợp lệ: {list:?}",
                                    "invalid days of the week: {list:?}"
                                ),
                                said!("dùng mon…sun hoặc t2…t7, cn", "use mon…sun or t2…t7, cn"),
                            ));
                            return None;
                        }
                    }
                }
            };
            When::Daily { time, days }
        }
        (None, Some(line)) => match line.parse::<Cron>() {
            Ok(c) => When::Cron(Box::new(c)),
            Err(e) => {
                problems.push(src.problem(
                    &["slot", &idx, "cron"],
                    said!(
                        "dòng cron \"{line}\" sai",
                        "broken cron line \"{line}\": {e}"
                    ),
                    said!(
                        "5 trường: phút giờ ngày tháng thứ, ví dụ \"0 7 * * 6\" (7:00 thứ Bảy)",
                        "five fields: minute hour day month weekday, e.g. \"0 7 * * 6\""
                    ),
                ));
                return None;
            }
        },
        _ => {
            problems.push(src.problem(
                &path,
                Said::new(
                    format!(
                        "buổi \"{}\" cần đúng một trong time = \"HH:MM\" hoặc cron = \"...\"",
                        s.name
                    ),
                    format!(
                        "slot \"{}\" needs exactly one of time = \"HH:MM\" or cron = \"...\"",
                        s.name
                    ),
                ),
                fix_schedule(),
            ));
            return None;
        }
    };
    if !check_refs(src, &path, &s.playlist, &s.holidays, programme, problems) {
        return None;
    }
    let slot = Slot {
        name: s.name.clone(),
        title: s.title.clone().unwrap_or_else(|| s.name.clone()),
        when,
        playlist: s.playlist.clone(),
        zones: s.zones.clone(),
        holidays: s.holidays.clone(),
        through_quiet_hours: s.through_quiet_hours,
    };
    check_times(src, &path, &slot, programme, problems);
    Some(slot)
}

/// What a slot's time says against the rest of the programme: quiet hours it falls in, and
/// relays of its playlist that end before it starts.
fn check_times(
    src: &SourceText,
    path: &[&str],
    slot: &Slot,
    programme: &Programme,
    problems: &mut Vec<Problem>,
) {
    problems.extend(quiet::slot_in_quiet_hours(src, path, slot, programme));
    if let Some(p) = programme.playlists.get(&slot.playlist) {
        problems.extend(playlist::relay_ends_before(src, path, slot, p));
    }
}

fn one_off_slot(
    src: &SourceText,
    i: usize,
    o: &RawOnce,
    programme: &Programme,
    problems: &mut Vec<Problem>,
) -> Option<Slot> {
    let idx = i.to_string();
    let at = NaiveDateTime::parse_from_str(o.at.trim(), "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(o.at.trim(), "%Y-%m-%dT%H:%M"));
    let Ok(at) = at else {
        problems.push(src.problem(
            &["once", &idx, "at"],
            Said::new(
                format!("\"{}\" không phải ngày giờ", o.at),
                format!("\"{}\" is not a date and time", o.at),
            ),
            said!(
                "viết \"YYYY-MM-DD HH:MM\", ví dụ \"2026-12-05 19:30\"",
                "write \"YYYY-MM-DD HH:MM\""
            ),
        ));
        return None;
    };
    let path = ["once", idx.as_str()];
    if !check_refs(src, &path, &o.playlist, &[], programme, problems) {
        return None;
    }
    let slot = Slot {
        name: o.name.clone(),
        title: o.title.clone().unwrap_or_else(|| o.name.clone()),
        when: When::Once(at),
        playlist: o.playlist.clone(),
        zones: o.zones.clone(),
        holidays: Vec::new(),
        through_quiet_hours: false,
    };
    check_times(src, &path, &slot, programme, problems);
    Some(slot)
}

fn check_unique_slots(programme: &Programme, problems: &mut Vec<Problem>) {
    let mut seen = BTreeSet::new();
    for s in &programme.slots {
        if !seen.insert(s.name.as_str()) {
            problems.push(Problem {
                file: "schedules/".into(),
                line: None,
                message: Said::new(
                    format!("tên buổi \"{}\" dùng hai lần", s.name),
                    format!("slot name \"{}\" is used twice", s.name),
                ),
                fix: said!("mỗi buổi một tên riêng", "give each slot its own name"),
            });
        }
    }
}

/// Daily slots on a shared day whose playlists' maximum lengths overlap: the second one will
/// start late. A warning, not an error: the programme still airs, in order.
fn overlaps(programme: &Programme) -> Vec<Problem> {
    let mut out = Vec::new();
    let daily: Vec<(&Slot, NaiveTime, &Vec<Weekday>, u32)> = programme
        .slots
        .iter()
        .filter_map(|s| match &s.when {
            When::Daily { time, days } => Some((
                s,
                *time,
                days,
                programme
                    .playlists
                    .get(&s.playlist)
                    .and_then(|p| p.max_minutes)
                    .unwrap_or(0),
            )),
            _ => None,
        })
        .collect();
    for (i, a) in daily.iter().enumerate() {
        for b in &daily[i + 1..] {
            let shared = a.2.iter().any(|d| b.2.contains(d));
            let (first, second) = if a.1 <= b.1 { (a, b) } else { (b, a) };
            let end = first.1 + chrono::Duration::minutes(i64::from(first.3));
            if shared && first.3 > 0 && end > second.1 && first.1 != second.1
                || shared && a.1 == b.1
            {
                out.push(Problem {
                    file: "schedules/".into(),
                    line: None,
                    message: {
                        let (a, b) = (&first.0.name, &second.0.name);
                        let (at_a, at_b) = (first.1.format("%H:%M"), second.1.format("%H:%M"));
                        said!(
                            "buổi \"{a}\" ({at_a}) có thể chồng lên \"{b}\" ({at_b})",
                            "slot \"{a}\" ({at_a}) may overlap \"{b}\" ({at_b})"
                        )
                    },
                    fix: said!(
                        "dời giờ hoặc giảm max_minutes; nếu chồng, buổi sau sẽ phát trễ",
                        "move one or lower max_minutes; if they overlap the later one starts late"
                    ),
                });
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    pub(crate) fn load_texts(schedule: &str, playlist: &str) -> (Programme, Vec<Problem>) {
        let d = tempfile::tempdir().unwrap();
        write(&d.path().join("s"), "a.toml", schedule);
        write(&d.path().join("p"), "p.toml", playlist);
        load(&d.path().join("s"), &d.path().join("p"))
    }

    const PLAYLIST: &str = "title = \"P\"\nmax_minutes = 20\n[[part]]\njingle = \"Nhạc hiệu\"\n[[part]]\ncategory = \"bulletin\"\n";

    #[test]
    fn bad_entries_are_reported_with_line_and_the_rest_loads() {
        let schedule = "[[slot]]\nname = \"sang\"\ntime = \"06:00\"\nplaylist = \"p\"\n\n[[slot]]\nname = \"dem\"\ntime = \"25:00\"\nplaylist = \"p\"\n\n[[slot]]\nname = \"x\"\ncron = \"61 * * * *\"\nplaylist = \"p\"\n\n[[slot]]\nname = \"y\"\ntime = \"07:00\"\nplaylist = \"khong-co\"\n\n[[holiday]]\nname = \"sai\"\ntitle = \"Sai\"\nsolar = \"02-31\"\n";
        let (p, problems) = load_texts(schedule, PLAYLIST);
        assert_eq!(p.slots.len(), 1, "only the good slot loads");
        let lines: Vec<Option<usize>> = problems.iter().map(|p| p.line).collect();
        assert!(lines.contains(&Some(8)), "25:00 on line 8: {problems:#?}");
        assert!(
            lines.contains(&Some(13)),
            "broken cron on line 13: {problems:#?}"
        );
        assert!(
            lines.contains(&Some(19)),
            "unknown playlist on line 19: {problems:#?}"
        );
        assert!(
            lines.contains(&Some(24)),
            "31 February on line 24: {problems:#?}"
        );
        assert!(
            problems
                .iter()
                .all(|p| p.file.ends_with("a.toml") && !p.fix.to_string().is_empty())
        );
        for p in &problems {
            crate::config::assert_apart(p);
        }
    }

    #[test]
    fn a_slot_with_a_bad_time_is_said_in_one_language_at_a_time() {
        let schedule = "[[slot]]\nname = \"dem\"\ntime = \"25:00\"\nplaylist = \"p\"\n";
        let (_, problems) = load_texts(schedule, PLAYLIST);
        let said = problems[0].said();
        assert!(
            said.vi()
                .ends_with("a.toml:3: giờ \"25:00\" không hợp lệ — viết HH:MM từ 00:00 đến 23:59, ví dụ \"06:00\""),
            "{said:?}"
        );
        assert!(
            said.en()
                .ends_with("a.toml:3: \"25:00\" is not a time — write HH:MM from 00:00 to 23:59"),
            "{said:?}"
        );
        crate::config::assert_apart(&problems[0]);
        assert!(
            problems[0]
                .to_string()
                .ends_with("a.toml:3: giờ \"25:00\" không hợp lệ / \"25:00\" is not a time — viết HH:MM từ 00:00 đến 23:59, ví dụ \"06:00\" / write HH:MM from 00:00 to 23:59"),
            "the log and `loaxa check` keep both: {}",
            problems[0]
        );
    }

    #[test]
    fn unknown_category_in_a_playlist_names_the_line() {
        let (p, problems) = load_texts("", "[[part]]\ncategory = \"tin-tuc\"\n");
        assert!(p.playlists.is_empty());
        assert_eq!(problems[0].line, Some(2));
        assert!(problems[0].message.to_string().contains("tin-tuc"));
    }

    #[test]
    fn giao_thua_is_the_day_before_tet() {
        let h = Holiday {
            name: "giao-thua".into(),
            title: "Giao thừa".into(),
            date: HolidayDate::Lunar { month: 1, day: 1 },
            offset_days: -1,
            days: 1,
            greeting: true,
        };
        assert_eq!(
            h.days_in_year(2026),
            vec![NaiveDate::from_ymd_opt(2026, 2, 16).unwrap()]
        );
    }

    #[test]
    fn lunar_30_in_a_29_day_month_falls_on_the_29th() {
        // Lunar month 12 of 2025 (Ất Tỵ) has 29 days: the last day is 16 Feb 2026.
        let h = Holiday {
            name: "tat-nien".into(),
            title: "Tất niên".into(),
            date: HolidayDate::Lunar { month: 12, day: 30 },
            offset_days: 0,
            days: 1,
            greeting: false,
        };
        assert_eq!(
            h.days_in_year(2026),
            vec![NaiveDate::from_ymd_opt(2026, 2, 16).unwrap()]
        );
    }

    #[test]
    fn overlapping_slots_are_warned() {
        let schedule = "[[slot]]\nname = \"a\"\ntime = \"06:00\"\nplaylist = \"p\"\n[[slot]]\nname = \"b\"\ntime = \"06:10\"\nplaylist = \"p\"\n";
        let (p, problems) = load_texts(schedule, PLAYLIST);
        assert_eq!(p.slots.len(), 2, "both still air");
        assert!(
            problems
                .iter()
                .any(|p| p.message.to_string().contains("overlap")),
            "{problems:#?}"
        );
    }
}
