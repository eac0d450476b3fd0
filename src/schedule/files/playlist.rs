//! `playlists/*.toml`: what a slot airs, part by part — a jingle, the approved items of a
//! category, or a relay of a live stream (tiếp sóng) with its length and its fallback — each
//! checked with its line and a fix. It does not read the files (they come as `SourceText`) or look
//! at the library: the plan finds the items.

use chrono::NaiveTime;
use serde::Deserialize;

use super::{Slot, When, fix_playlist, parse_time};
use crate::audio::stream::StreamUrl;
use crate::config::{Problem, SourceText};
use crate::model::said;
use crate::model::{Category, Said, Tier};

/// Longest relay part, in minutes (a whole morning).
pub const MAX_RELAY_MINUTES: u32 = 360;
/// Silence a relayed stream may send before its fallback takes over, unless the part says.
pub const DEFAULT_SILENCE_SECONDS: u32 = 15;

/// What a slot airs, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Playlist {
    /// Identifier (the file name without `.toml`).
    pub name: String,
    /// What people call it.
    pub title: String,
    /// Longest the slot may run.
    pub max_minutes: Option<u32>,
    /// What happens to items that do not fit.
    pub overflow: Overflow,
    /// The recipe.
    pub parts: Vec<Part>,
}

impl Playlist {
    /// The relay parts that end at a time of day, with their part number.
    pub fn relays_until(&self) -> impl Iterator<Item = (usize, &RelayPart, NaiveTime)> {
        self.parts.iter().enumerate().filter_map(|(i, p)| match p {
            Part::Relay(r) => match r.length {
                RelayLength::Until(t) => Some((i, r, t)),
                RelayLength::Minutes(_) => None,
            },
            _ => None,
        })
    }
}

/// One step of a playlist.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// A jingle from the library, by title (station ID, chime).
    Jingle(String),
    /// Approved items of a category.
    Items {
        /// Which category.
        category: Category,
        /// Only this tier, if set.
        tier: Option<Tier>,
        /// Only on holidays that expect a greeting.
        holidays_only: bool,
        /// Newest first instead of oldest first.
        newest_first: bool,
        /// At most this many.
        limit: Option<usize>,
    },
    /// A live stream relayed (VOV, the provincial station).
    Relay(RelayPart),
}

/// A relay part: `relay = "URL"` with `minutes` or `until`, and a `fallback`.
#[derive(Debug, Clone, PartialEq)]
pub struct RelayPart {
    /// The stream.
    pub url: StreamUrl,
    /// What people call it (`title`, or the server's name).
    pub title: String,
    /// How long it lasts.
    pub length: RelayLength,
    /// What airs while the stream is out.
    pub fallback: FallbackSource,
    /// Only silence for this long is an outage.
    pub silence_seconds: u32,
}

/// How long a relay lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayLength {
    /// This many minutes from its start.
    Minutes(u32),
    /// Until this local time of the slot's day.
    Until(NaiveTime),
}

/// What a relay airs while its stream is out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FallbackSource {
    /// A jingle of the library, by title.
    Jingle(String),
    /// The approved recordings of a category (the library's jingles for `jingle`), in turn.
    Category(Category),
}

impl std::fmt::Display for FallbackSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FallbackSource::Jingle(title) => write!(f, "«{title}»"),
            FallbackSource::Category(c) => write!(f, "{} ({c})", c.label_vi()),
        }
    }
}

/// What to do with items that would make a slot run past its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Leave them out (they air in the next slot) and say so.
    Drop,
    /// Air them anyway; the slot runs long.
    Extend,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PlaylistFile {
    title: Option<String>,
    max_minutes: Option<u32>,
    overflow: Option<String>,
    #[serde(default)]
    part: Vec<RawPart>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPart {
    jingle: Option<String>,
    category: Option<String>,
    tier: Option<String>,
    #[serde(default)]
    holidays_only: bool,
    order: Option<String>,
    limit: Option<usize>,
    relay: Option<String>,
    title: Option<String>,
    minutes: Option<u32>,
    until: Option<String>,
    fallback: Option<String>,
    silence_seconds: Option<u32>,
}

impl RawPart {
    /// The keys of an items part that a relay part must not have, and the reverse.
    fn stray_keys(&self) -> (Vec<&'static str>, Vec<&'static str>) {
        let items = [
            ("tier", self.tier.is_some()),
            ("holidays_only", self.holidays_only),
            ("order", self.order.is_some()),
            ("limit", self.limit.is_some()),
        ];
        let relay = [
            ("title", self.title.is_some()),
            ("minutes", self.minutes.is_some()),
            ("until", self.until.is_some()),
            ("fallback", self.fallback.is_some()),
            ("silence_seconds", self.silence_seconds.is_some()),
        ];
        let set = |keys: &[(&'static str, bool)]| {
            keys.iter().filter(|(_, on)| *on).map(|(k, _)| *k).collect()
        };
        (set(&items), set(&relay))
    }
}

/// A relay of `playlist` that ends (`until`) at or before `slot` starts: it could never air.
/// Reported on the slot's time line, naming the part.
pub(super) fn relay_ends_before(
    src: &SourceText,
    path: &[&str],
    slot: &Slot,
    playlist: &Playlist,
) -> Option<Problem> {
    let (start, key) = match &slot.when {
        When::Daily { time, .. } => (*time, "time"),
        When::Once(at) => (at.time(), "at"),
        When::Cron(_) => return None,
    };
    let (i, relay, until) = playlist
        .relays_until()
        .find(|(_, _, until)| *until <= start)?;
    let mut at = path.to_vec();
    at.push(key);
    Some(src.problem(
        &at,
        {
            let (n, list, title, slot) = (i + 1, &playlist.name, &relay.title, &slot.name);
            let (until, start) = (until.format("%H:%M"), start.format("%H:%M"));
            said!(
                "phần {n} của playlist \"{list}\" tiếp sóng {title} đến {until}, trước khi buổi \"{slot}\" bắt đầu lúc {start}",
                "part {n} of playlist \"{list}\" relays {title} until {until}, before slot \"{slot}\" starts at {start}"
            )
        },
        said!("đặt until sau giờ bắt đầu buổi, hoặc dùng minutes = N", "set until after the slot starts, or use minutes = N"),
    ))
}

/// A problem at key `key` of part `i`.
fn at_part(src: &SourceText, i: usize, key: &str, message: Said, fix: Said) -> Problem {
    src.problem(&["part", &i.to_string(), key], message, fix)
}

/// The playlist `name` from its file, or `None` (with the problems) if it cannot air.
pub(super) fn playlist(
    src: &SourceText,
    name: String,
    raw: PlaylistFile,
    problems: &mut Vec<Problem>,
) -> Option<Playlist> {
    let overflow = match raw.overflow.as_deref() {
        None | Some("drop") => Overflow::Drop,
        Some("extend") => Overflow::Extend,
        Some(other) => {
            problems.push(src.problem(
                &["overflow"],
                said!(
                    "overflow = \"{other}\" không hợp lệ",
                    "overflow = \"{other}\" is not valid"
                ),
                said!(
                    "dùng \"drop\" (bỏ bớt) hoặc \"extend\" (phát quá giờ)",
                    "use \"drop\" or \"extend\""
                ),
            ));
            return None;
        }
    };
    let before = problems.len();
    let parts: Vec<Part> = raw
        .part
        .into_iter()
        .enumerate()
        .filter_map(|(i, p)| part(src, i, p, problems))
        .collect();
    if problems.len() > before {
        return None;
    }
    Some(Playlist {
        title: raw.title.unwrap_or_else(|| name.clone()),
        name,
        max_minutes: raw.max_minutes.filter(|m| *m > 0),
        overflow,
        parts,
    })
}

fn part(src: &SourceText, i: usize, p: RawPart, problems: &mut Vec<Problem>) -> Option<Part> {
    let (items_keys, relay_keys) = p.stray_keys();
    match (&p.jingle, &p.category, &p.relay) {
        (Some(title), None, None) if items_keys.is_empty() && relay_keys.is_empty() => {
            Some(Part::Jingle(title.clone()))
        }
        (None, Some(_), None) if relay_keys.is_empty() => items_part(src, i, p, problems),
        (None, None, Some(_)) if items_keys.is_empty() => relay_part(src, i, p, problems),
        (None, Some(_), None) | (Some(_), None, None) => {
            let key = relay_keys
                .first()
                .or(items_keys.first())
                .copied()
                .unwrap_or("jingle");
            problems.push(at_part(
                src,
                i,
                key,
                said!(
                    "\"{key}\" chỉ dùng cho phần tiếp sóng (relay = \"...\")",
                    "\"{key}\" is only for a relay part (relay = \"...\")"
                ),
                said!(
                    "bỏ khoá này, hoặc đổi phần thành relay = \"URL\"",
                    "remove the key, or make the part a relay"
                ),
            ));
            None
        }
        (None, None, Some(_)) => {
            let key = items_keys.first().copied().unwrap_or("relay");
            problems.push(at_part(
                src,
                i,
                key,
                said!(
                    "\"{key}\" không dùng cho phần tiếp sóng",
                    "\"{key}\" does not apply to a relay part"
                ),
                said!("bỏ khoá này", "remove the key"),
            ));
            None
        }
        _ => {
            problems.push(src.problem(&["part", &i.to_string()], said!("mỗi phần cần đúng một trong jingle = \"...\", category = \"...\" hoặc relay = \"URL\"", "each part needs exactly one of jingle, category or relay"), fix_playlist()));
            None
        }
    }
}

fn items_part(src: &SourceText, i: usize, p: RawPart, problems: &mut Vec<Problem>) -> Option<Part> {
    let category = match p
        .category
        .as_deref()
        .unwrap_or_default()
        .parse::<Category>()
    {
        Ok(c) => c,
        Err(e) => {
            problems.push(at_part(
                src,
                i,
                "category",
                e,
                said!("sửa thể loại", "fix the category"),
            ));
            return None;
        }
    };
    let tier = match p.tier.as_deref().map(str::parse::<Tier>).transpose() {
        Ok(t) => t,
        Err(e) => {
            problems.push(at_part(
                src,
                i,
                "tier",
                e,
                said!(
                    "dùng normal, priority hoặc emergency",
                    "use normal, priority or emergency"
                ),
            ));
            return None;
        }
    };
    let newest_first = match p.order.as_deref() {
        None | Some("oldest") => false,
        Some("newest") => true,
        Some(o) => {
            problems.push(at_part(
                src,
                i,
                "order",
                said!(
                    "order = \"{o}\" không hợp lệ",
                    "order = \"{o}\" is not valid"
                ),
                said!(
                    "dùng \"oldest\" hoặc \"newest\"",
                    "use \"oldest\" or \"newest\""
                ),
            ));
            return None;
        }
    };
    Some(Part::Items {
        category,
        tier,
        holidays_only: p.holidays_only,
        newest_first,
        limit: p.limit,
    })
}

fn relay_part(src: &SourceText, i: usize, p: RawPart, problems: &mut Vec<Problem>) -> Option<Part> {
    let before = problems.len();
    let url = p
        .relay
        .as_deref()
        .unwrap_or_default()
        .parse::<StreamUrl>()
        .map_err(|e| {
            problems.push(at_part(
                src,
                i,
                "relay",
                e.said(),
                said!("viết địa chỉ luồng http:// hoặc https://, ví dụ \"https://str.vov.gov.vn/vovlive/vov1vov5.sdp_aac/playlist.m3u8\"", "write the stream's http:// or https:// address"),
            ))
        })
        .ok();
    let length = relay_length(src, i, &p, problems);
    let fallback = match p.fallback.as_deref().map(str::trim) {
        None | Some("") => {
            problems.push(at_part(
                src,
                i,
                "relay",
                said!("phần tiếp sóng cần fallback: khi mất sóng phải phát gì", "a relay part needs a fallback: what airs while the stream is out"),
                said!("thêm fallback = \"Nhạc hiệu Đài truyền thanh xã\" (một nhạc hiệu) hoặc fallback = \"music\" (một thể loại)", "add fallback = \"TITLE\" (a jingle) or fallback = \"music\" (a category)"),
            ));
            None
        }
        Some(name) => match name.parse::<Category>() {
            Ok(Category::Emergency) => {
                problems.push(at_part(
                    src,
                    i,
                    "fallback",
                    said!(
                        "bản tin khẩn cấp không dùng làm dự phòng",
                        "emergency messages cannot be a fallback"
                    ),
                    said!(
                        "dùng một nhạc hiệu hoặc thể loại music",
                        "use a jingle or the music category"
                    ),
                ));
                None
            }
            Ok(category) => Some(FallbackSource::Category(category)),
            Err(_) => Some(FallbackSource::Jingle(name.to_string())),
        },
    };
    let silence_seconds = p.silence_seconds.unwrap_or(DEFAULT_SILENCE_SECONDS);
    if !(1..=600).contains(&silence_seconds) {
        problems.push(at_part(
            src,
            i,
            "silence_seconds",
            said!(
                "silence_seconds = {silence_seconds} nằm ngoài 1–600",
                "silence_seconds = {silence_seconds} is outside 1–600"
            ),
            said!("thường là 15", "usually 15"),
        ));
    }
    if problems.len() > before {
        return None;
    }
    let (url, length, fallback) = (url?, length?, fallback?);
    let title = p
        .title
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| url.host().to_string());
    Some(Part::Relay(RelayPart {
        url,
        title,
        length,
        fallback,
        silence_seconds,
    }))
}

fn relay_length(
    src: &SourceText,
    i: usize,
    p: &RawPart,
    problems: &mut Vec<Problem>,
) -> Option<RelayLength> {
    match (p.minutes, p.until.as_deref()) {
        (Some(m), None) if (1..=MAX_RELAY_MINUTES).contains(&m) => Some(RelayLength::Minutes(m)),
        (Some(m), None) => {
            problems.push(at_part(
                src,
                i,
                "minutes",
                said!(
                    "minutes = {m} nằm ngoài 1–{MAX_RELAY_MINUTES}",
                    "minutes = {m} is outside 1–{MAX_RELAY_MINUTES}"
                ),
                said!("ví dụ minutes = 30", "e.g. minutes = 30"),
            ));
            None
        }
        (None, Some(t)) => match parse_time(t) {
            Some(t) => Some(RelayLength::Until(t)),
            None => {
                problems.push(at_part(
                    src,
                    i,
                    "until",
                    said!("giờ \"{t}\" không hợp lệ", "\"{t}\" is not a time"),
                    said!(
                        "viết HH:MM, ví dụ until = \"06:00\"",
                        "write HH:MM, e.g. until = \"06:00\""
                    ),
                ));
                None
            }
        },
        (Some(_), Some(_)) => {
            problems.push(at_part(
                src,
                i,
                "until",
                said!(
                    "phần tiếp sóng có cả minutes và until",
                    "a relay part has both minutes and until"
                ),
                said!("giữ một trong hai", "keep one of them"),
            ));
            None
        }
        (None, None) => {
            problems.push(at_part(
                src,
                i,
                "relay",
                said!(
                    "phần tiếp sóng cần minutes = N hoặc until = \"HH:MM\"",
                    "a relay part needs minutes = N or until = \"HH:MM\""
                ),
                said!("ví dụ minutes = 30", "e.g. minutes = 30"),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::load_texts;
    use super::*;

    const RELAY: &str = "[[part]]\nrelay = \"https://str.example.vn/vov1/playlist.m3u8\"\ntitle = \"VOV1\"\nminutes = 30\nfallback = \"Nhạc hiệu\"\n";

    #[test]
    fn a_relay_part_reads_its_url_length_fallback_and_title() {
        let (p, problems) = load_texts("", RELAY);
        assert!(problems.is_empty(), "{problems:#?}");
        let Part::Relay(r) = &p.playlists["p"].parts[0] else {
            panic!("{:?}", p.playlists["p"].parts)
        };
        assert_eq!(r.title, "VOV1");
        assert_eq!(r.length, RelayLength::Minutes(30));
        assert_eq!(r.fallback, FallbackSource::Jingle("Nhạc hiệu".into()));
        assert_eq!(r.silence_seconds, DEFAULT_SILENCE_SECONDS);
        let music = "[[part]]\nrelay = \"http://radio.example.vn:8000/live\"\nuntil = \"06:15\"\nfallback = \"music\"\nsilence_seconds = 20\n";
        let (p, problems) = load_texts("", music);
        assert!(problems.is_empty(), "{problems:#?}");
        let Part::Relay(r) = &p.playlists["p"].parts[0] else {
            panic!()
        };
        assert_eq!(r.title, "radio.example.vn", "no title: the server's name");
        assert_eq!(r.fallback, FallbackSource::Category(Category::Music));
        assert_eq!(r.length, RelayLength::Until(parse_time("06:15").unwrap()));
        assert_eq!(r.silence_seconds, 20);
    }

    #[test]
    fn a_relay_with_no_fallback_a_bad_url_or_a_bad_length_is_refused_on_its_line() {
        let cases = [
            (
                RELAY.replace("fallback = \"Nhạc hiệu\"\n", ""),
                2,
                "fallback",
            ),
            (
                RELAY.replace("https://str.example.vn", "ftp://str.example.vn"),
                2,
                "http",
            ),
            (
                RELAY.replace("https://str.example.vn/vov1/playlist.m3u8", "vov1"),
                2,
                "http",
            ),
            (
                RELAY.replace("minutes = 30\n", ""),
                2,
                "minutes = N or until",
            ),
            (
                RELAY.replace("minutes = 30\n", "minutes = 30\nuntil = \"06:00\"\n"),
                5,
                "both",
            ),
            (RELAY.replace("minutes = 30", "minutes = 0"), 4, "outside"),
            (
                RELAY.replace("minutes = 30", "until = \"6h\""),
                4,
                "not a time",
            ),
            (RELAY.replace("Nhạc hiệu", "emergency"), 5, "emergency"),
            (format!("{RELAY}silence_seconds = 0\n"), 6, "outside"),
            (format!("{RELAY}limit = 3\n"), 6, "limit"),
            (format!("{RELAY}category = \"music\"\n"), 1, "exactly one"),
            (
                "[[part]]\ncategory = \"music\"\nminutes = 5\n".to_string(),
                3,
                "only for a relay",
            ),
        ];
        for (text, line, says) in cases {
            let (p, problems) = load_texts("", &text);
            assert!(p.playlists.is_empty(), "{text}");
            assert_eq!(problems.len(), 1, "{text}: {problems:#?}");
            assert_eq!(problems[0].line, Some(line), "{text}: {problems:#?}");
            assert!(
                problems[0].message.to_string().contains(says),
                "{text}: {problems:#?}"
            );
            assert!(!problems[0].fix.to_string().is_empty());
            // A refused address is the stream's own error, still "vi / en" in one string.
            if !says.contains("http") {
                crate::config::assert_apart(&problems[0]);
            }
        }
    }
}
