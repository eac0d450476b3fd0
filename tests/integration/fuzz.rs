//! Property tests: arbitrary and structurally mutated input to every parser that reads what
//! people and machines send — programme files, CAP alerts, recordings, the config, typed text.
//!
//! The properties: nothing panics (or hangs); every refusal says something a person can read;
//! and well-formed input comes back out as it went in. Each test runs a modest number of cases
//! so the file stays under ~20 s in a debug build; `PROPTEST_CASES=N` runs N cases per test
//! for the long run. A failing case is shrunk and printed (nothing is written to the tree).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Asia::Ho_Chi_Minh as VN;
use loaxa::config::{self, Config, GpioKind, OutputSpec};
use loaxa::emergency::cap::{self, Alert, Area, Geocode, Info, Verdict};
use loaxa::model::Category;
use loaxa::model::Tier;
use loaxa::schedule::files::{self, Holiday, HolidayDate, Overflow, Part, Playlist, When};
use loaxa::text::clean_line;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use unicode_normalization::UnicodeNormalization;

use crate::common::{PLAYABLE, fixture};

/// Cases per test: `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pt(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default),
        // Failures are shrunk and printed; no regression files in the source tree.
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    }
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

// ---------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------

const VIET: &str = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵAÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÊỀẾỂỄỆÔỒỐỔỖỘƠỜỚỞỠỢƯỪỨỬỮỰ";

/// Characters people's phones, copy-paste and hostile scripts produce.
const ODD: &[char] = &[
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{200E}',
    '\u{200F}',
    '\u{202A}',
    '\u{202B}',
    '\u{202C}',
    '\u{202D}',
    '\u{202E}',
    '\u{2060}',
    '\u{2061}',
    '\u{2064}',
    '\u{FEFF}',
    '\u{00A0}',
    '\u{3000}',
    '\u{2028}',
    '\u{2029}',
    '\u{0085}',
    '\u{FFFE}',
    '\u{FFFF}',
    '\u{FFFD}',
    '\u{1F600}',
    '\u{1F468}',
    '\u{10FFFF}',
    '\u{E000}',
    '\u{0301}',
    '\u{0323}',
    '\u{0309}',
    '\u{031B}',
    '\u{0306}',
    '\u{0302}',
    '"',
    '\'',
    '\\',
    '<',
    '>',
    '&',
    '=',
    '[',
    ']',
    '{',
    '}',
    '#',
    '\n',
    '\r',
    '\t',
    '\0',
    '\u{7F}',
    '\u{1B}',
    '%',
    ';',
    ',',
    'ǅ',
    'ﬁ',
    'İ',
    'ß',
    '\u{0345}',
    '\u{1E9E}',
];

fn odd_char() -> impl Strategy<Value = char> {
    let viet: Vec<char> = VIET.chars().collect();
    prop_oneof![
        4 => proptest::char::range(' ', '~'),
        3 => proptest::sample::select(viet),
        1 => proptest::char::range('\u{300}', '\u{36F}'),
        2 => proptest::sample::select(ODD),
        1 => proptest::char::range('\0', '\u{1F}'),
        1 => any::<char>(),
    ]
}

/// Strings with odd Unicode, up to `max` characters.
fn odd_string(max: usize) -> BoxedStrategy<String> {
    prop::collection::vec(odd_char(), 0..=max)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

/// Text that survives a round trip through XML or TOML as it is: no controls, nothing to trim.
fn plain_text(max: usize) -> BoxedStrategy<String> {
    let viet: Vec<char> = VIET.chars().collect();
    let c = prop_oneof![
        4 => proptest::char::range('!', '~'),
        3 => proptest::sample::select(viet),
        1 => Just(' '),
        1 => proptest::sample::select(vec!['—', '–', '“', '”', '€', '中', '文', '😀', '\u{00A0}']),
    ];
    prop::collection::vec(c, 1..=max)
        .prop_map(|v| {
            let s: String = v.into_iter().collect();
            let t = s.trim().to_string();
            if t.is_empty() { "x".to_string() } else { t }
        })
        .boxed()
}

/// Structural edits of a text, line by line, as a person (or a broken editor) makes them.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceLine(usize, String),
    InsertLine(usize, String),
    ReplaceValue(usize, String),
    TruncateAt(usize),
    InsertChars(usize, String),
}

fn edit(line_tokens: Vec<String>) -> impl Strategy<Value = Edit> {
    let token = prop_oneof![
        3 => proptest::sample::select(line_tokens),
        2 => odd_string(40),
    ]
    .boxed();
    let value = prop_oneof![
        Just("\"\"".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("99999999999999999999".to_string()),
        Just("9223372036854775807".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("1e309".to_string()),
        Just("nan".to_string()),
        Just("true".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("[1, \"a\", true]".to_string()),
        Just("2026-12-05T19:30:00".to_string()),
        Just("\"25:61\"".to_string()),
        Just("\"02-30\"".to_string()),
        Just("\"13-01\"".to_string()),
        Just("\"00-00\"".to_string()),
        Just("\"61 * * * *\"".to_string()),
        Just("\"0 0 31 2 *\"".to_string()),
        Just("\"* * * * * * *\"".to_string()),
        Just("\"@yearly\"".to_string()),
        Just("\"\\u0000\"".to_string()),
        odd_string(30).prop_map(|s| toml::Value::String(s).to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<usize>(), token.clone()).prop_map(|(a, s)| Edit::ReplaceLine(a, s)),
        (any::<usize>(), token).prop_map(|(a, s)| Edit::InsertLine(a, s)),
        (any::<usize>(), value).prop_map(|(a, s)| Edit::ReplaceValue(a, s)),
        any::<usize>().prop_map(Edit::TruncateAt),
        (any::<usize>(), odd_string(8)).prop_map(|(a, s)| Edit::InsertChars(a, s)),
    ]
}

fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut text_cut: Option<(usize, String)> = None;
    for e in edits {
        let n = lines.len().max(1);
        match e {
            Edit::DeleteLine(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Edit::DuplicateLine(i) if !lines.is_empty() => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Edit::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
            Edit::ReplaceLine(i, s) if !lines.is_empty() => lines[i % n] = s.clone(),
            Edit::InsertLine(i, s) => lines.insert(i % (lines.len() + 1), s.clone()),
            Edit::ReplaceValue(i, v) if !lines.is_empty() => {
                let l = &mut lines[i % n];
                if let Some((k, _)) = l.split_once('=') {
                    *l = format!("{k}= {v}");
                }
            }
            Edit::TruncateAt(i) => text_cut = Some((*i, String::new())),
            Edit::InsertChars(i, s) => text_cut = Some((*i, s.clone())),
            _ => {}
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    if let Some((at, insert)) = text_cut {
        let mut cut = at % (out.len() + 1);
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        if insert.is_empty() {
            out.truncate(cut);
        } else {
            out.insert_str(cut, &insert);
        }
    }
    out
}

/// Lines in the grammar of the programme files, to assemble into near-valid documents.
fn programme_line() -> impl Strategy<Value = String> {
    let header = proptest::sample::select(vec![
        "[[slot]]",
        "[[once]]",
        "[[holiday]]",
        "[[part]]",
        "[slot]",
        "[[slot.x]]",
        "[x]",
    ])
    .prop_map(String::from);
    let key = proptest::sample::select(vec![
        "name",
        "title",
        "time",
        "days",
        "cron",
        "playlist",
        "zones",
        "holidays",
        "at",
        "solar",
        "lunar",
        "offset_days",
        "greeting",
        "max_minutes",
        "overflow",
        "jingle",
        "category",
        "tier",
        "holidays_only",
        "order",
        "limit",
        "khac",
    ]);
    let value = prop_oneof![
        proptest::sample::select(vec![
            "\"p\"",
            "\"q\"",
            "\"h\"",
            "\"06:00\"",
            "\"6:0\"",
            "\"23:59\"",
            "\"24:00\"",
            "\"-1:30\"",
            "\"12:60\"",
            "\"06:00:00\"",
            "[\"mon\", \"t7\", \"cn\"]",
            "[]",
            "[\"thu-hai\"]",
            "\"0 7 * * 6\"",
            "\"*/15 6-18 * * 1-5\"",
            "\"0 0 31 2 *\"",
            "\"0 0 29 2 *\"",
            "\"61 * * * *\"",
            "\"* * * * * *\"",
            "\"@daily\"",
            "\"L * * * *\"",
            "\"0 0 ? * 5#3\"",
            "\"2026-12-05 19:30\"",
            "\"2026-02-30 19:30\"",
            "\"+275760-01-01 00:00\"",
            "\"01-01\"",
            "\"02-29\"",
            "\"02-30\"",
            "\"12-30\"",
            "\"13-13\"",
            "\"1/1\"",
            "-61",
            "60",
            "-60",
            "0",
            "31",
            "30",
            "4294967295",
            "4294967296",
            "-1",
            "true",
            "false",
            "\"drop\"",
            "\"extend\"",
            "\"newest\"",
            "\"bulletin\"",
            "\"greeting\"",
            "\"emergency\"",
            "\"jingle\"",
            "\"priority\"",
            "\"tin-tuc\"",
            "1.5",
            "nan",
            "inf",
            "2026-12-05T19:30:00",
            "{ a = 1 }",
        ])
        .prop_map(String::from),
        odd_string(20).prop_map(|s| toml::Value::String(s).to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
    ];
    prop_oneof![
        1 => header,
        4 => (key, value).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => odd_string(20),
    ]
}

// ---------------------------------------------------------------------------------------
// Text cleaning
// ---------------------------------------------------------------------------------------

fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

proptest! {
    #![proptest_config(pt(5000))]

    /// What `clean_line` promises and keeps: no controls, no line breaks or tabs, no invisible
    /// characters, trimmed; Vietnamese typed decomposed (NFD) is the same as typed precomposed.
    #[test]
    fn clean_line_never_panics_and_strips_controls(s in odd_string(60)) {
        let out = clean_line(&s);
        prop_assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
        prop_assert!(!out.chars().any(|c| c.is_whitespace() && c != ' '), "{out:?}");
        prop_assert!(!out.chars().any(invisible), "{out:?}");
        prop_assert!(!out.starts_with(' '), "{s:?} → {out:?}");
        prop_assert_eq!(clean_line(&s.nfd().collect::<String>()), clean_line(&s.nfc().collect::<String>()));
    }

    /// Vietnamese words separated by any whitespace come out single-spaced, NFC, and stable.
    #[test]
    fn clean_line_of_vietnamese_is_nfc_single_spaced_and_stable(
        words in prop::collection::vec(plain_text(12), 0..6),
        seps in prop::collection::vec(proptest::sample::select(vec![" ", "  ", "\t", "\n", "\r\n", "\u{3000}", "\u{00A0}", "\u{2028}"]), 6),
    ) {
        let mut s = String::new();
        for (w, sep) in words.iter().zip(seps.iter().cycle()) {
            s.push_str(sep);
            s.push_str(&w.nfd().collect::<String>());
        }
        let out = clean_line(&s);
        prop_assert!(unicode_normalization::is_nfc(&out), "{out:?}");
        prop_assert!(!out.contains("  ") && out.trim() == out, "{out:?}");
        prop_assert_eq!(clean_line(&out), out.clone(), "idempotent");
    }
}

proptest! {
    #![proptest_config(pt(5000))]

    /// The contract in full on any input: single spaces, trimmed, NFC, and cleaning twice
    /// changes nothing (see `clean_line_contract_regressions` for what this once found).
    #[test]
    fn clean_line_output_is_single_spaced_nfc_and_stable(s in odd_string(60)) {
        let out = clean_line(&s);
        prop_assert!(!out.contains("  ") && !out.ends_with(' '), "{s:?} → {out:?}");
        prop_assert!(unicode_normalization::is_nfc(&out), "{s:?} → {out:?}");
        prop_assert_eq!(clean_line(&out), out.clone(), "{:?}", s);
    }
}

/// The minimal inputs the property above shrank to against the first `clean_line` (which
/// split on whitespace, then dropped invisible characters from each word, leaving an empty
/// word between two spaces, and ran NFC before they went, leaving a combining mark that
/// followed one uncomposed, so that a second cleaning changed the text).
#[test]
fn clean_line_contract_regressions() {
    let mut bad = Vec::new();
    for (input, want) in [
        ("a \u{200B} b", "a b"),
        ("a \u{FEFF}", "a"),
        ("\u{2060} a", "a"),
    ] {
        let out = clean_line(input);
        if out != want {
            bad.push(format!("clean_line({input:?}) = {out:?}, want {want:?}"));
        }
    }
    let out = clean_line("e\u{200B}\u{301}");
    if !unicode_normalization::is_nfc(&out) || clean_line(&out) != out {
        bad.push(format!(
            "clean_line(\"e\\u{{200B}}\\u{{301}}\") = {out:?}: not NFC, and cleaning it again gives {:?}",
            clean_line(&out)
        ));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Programme files
// ---------------------------------------------------------------------------------------

/// Write `schedules` and `playlists` (name → text) to a fresh folder pair and load them.
fn load_programme(
    schedules: &[(&str, &str)],
    playlists: &[(&str, &str)],
) -> (files::Programme, Vec<config::Problem>, tempfile::TempDir) {
    let d = tempfile::tempdir().unwrap();
    let (s, p) = (d.path().join("schedules"), d.path().join("playlists"));
    std::fs::create_dir_all(&s).unwrap();
    std::fs::create_dir_all(&p).unwrap();
    for (name, text) in schedules {
        std::fs::write(s.join(name), text).unwrap();
    }
    for (name, text) in playlists {
        std::fs::write(p.join(name), text).unwrap();
    }
    let (programme, problems) = files::load(&s, &p);
    (programme, problems, d)
}

/// Problems a person can act on, and a programme that only refers to what it holds.
fn check_loaded(
    programme: &files::Programme,
    problems: &[config::Problem],
    texts: &BTreeMap<String, String>,
) -> Result<(), TestCaseError> {
    for p in problems {
        prop_assert!(!p.message.trim().is_empty(), "empty message: {p:?}");
        prop_assert!(!p.fix.trim().is_empty(), "no fix: {p:?}");
        prop_assert!(!p.file.is_empty(), "no file: {p:?}");
        prop_assert!(!p.to_string().is_empty());
        if let Some(line) = p.line {
            let name = Path::new(&p.file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Some(text) = texts.get(&name) {
                let lines = text.split('\n').count();
                prop_assert!(
                    line >= 1 && line <= lines,
                    "{p:?}: the file has {lines} lines"
                );
            }
        }
    }
    for slot in &programme.slots {
        prop_assert!(
            programme.playlists.contains_key(&slot.playlist),
            "slot {} names a missing playlist {}",
            slot.name,
            slot.playlist
        );
        for h in &slot.holidays {
            prop_assert!(
                programme.holidays.contains_key(h),
                "slot {} names a missing holiday {h}",
                slot.name
            );
        }
    }
    Ok(())
}

/// Plan a few days with what loaded: the planner must take any programme the loader gives it.
fn plan_some_days(programme: &files::Programme, year: i32, day: u32) {
    let from = VN
        .with_ymd_and_hms(year, 1, 1, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
        + chrono::Duration::days(i64::from(day));
    let plan = loaxa::schedule::plan(
        programme,
        &[],
        &[],
        from,
        from + chrono::Duration::days(3),
        VN,
    );
    for cue in &plan.cues {
        assert!(cue.start >= from);
    }
    for h in programme.holidays.values() {
        let _ = h.days_in_year(year);
    }
}

fn shipped_texts(dir: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(repo(dir))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn shipped_tokens() -> Vec<String> {
    let mut t: Vec<String> = shipped_texts("schedules")
        .into_iter()
        .chain(shipped_texts("playlists"))
        .flat_map(|(_, text)| text.lines().map(String::from).collect::<Vec<_>>())
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    t.sort();
    t.dedup();
    t
}

/// A model of well-formed programme files, to write out and expect back.
#[derive(Debug, Clone)]
struct PlaylistModel {
    title: Option<String>,
    max_minutes: Option<u32>,
    overflow: Option<&'static str>,
    parts: Vec<PartModel>,
}

#[derive(Debug, Clone)]
enum PartModel {
    Jingle(String),
    Items {
        category: Category,
        tier: Option<Tier>,
        holidays_only: bool,
        newest_first: Option<bool>,
        limit: Option<usize>,
    },
}

#[derive(Debug, Clone)]
enum WhenModel {
    Daily(u32, u32, Option<Vec<&'static str>>),
    Cron(String),
    Once(NaiveDateTime),
}

#[derive(Debug, Clone)]
struct SlotModel {
    title: Option<String>,
    when: WhenModel,
    playlist: usize,
    zones: Vec<String>,
    holidays: Vec<usize>,
}

#[derive(Debug, Clone)]
struct HolidayModel {
    title: String,
    date: HolidayDate,
    offset_days: i32,
    days: u32,
    greeting: bool,
}

fn part_model() -> impl Strategy<Value = PartModel> {
    prop_oneof![
        plain_text(20).prop_map(PartModel::Jingle),
        (
            proptest::sample::select(Category::ALL.to_vec()),
            proptest::option::of(proptest::sample::select(Tier::ALL.to_vec())),
            any::<bool>(),
            proptest::option::of(any::<bool>()),
            proptest::option::of(0usize..1000),
        )
            .prop_map(|(category, tier, holidays_only, newest_first, limit)| {
                PartModel::Items {
                    category,
                    tier,
                    holidays_only,
                    newest_first,
                    limit,
                }
            }),
    ]
}

fn playlist_model() -> impl Strategy<Value = PlaylistModel> {
    (
        proptest::option::of(plain_text(30)),
        proptest::option::of(0u32..600),
        proptest::option::of(proptest::sample::select(vec!["drop", "extend"])),
        prop::collection::vec(part_model(), 0..5),
    )
        .prop_map(|(title, max_minutes, overflow, parts)| PlaylistModel {
            title,
            max_minutes,
            overflow,
            parts,
        })
}

const DAYS: &[&str] = &[
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "t2", "t3", "t4", "t5", "t6", "t7", "cn",
    "MON", "Cn",
];

fn when_model() -> impl Strategy<Value = WhenModel> {
    prop_oneof![
        (
            0u32..24,
            0u32..60,
            proptest::option::of(prop::collection::vec(proptest::sample::select(DAYS), 1..5))
        )
            .prop_map(|(h, m, d)| WhenModel::Daily(h, m, d)),
        prop_oneof![
            (0u32..60, 0u32..24, 0u32..7).prop_map(|(m, h, d)| format!("{m} {h} * * {d}")),
            (1u32..60, 0u32..12).prop_map(|(s, h)| format!("*/{s} {h}-{} * * *", h + 6)),
            (0u32..60, 1u32..29, 1u32..13).prop_map(|(m, d, mo)| format!("{m} 6 {d} {mo} *")),
            proptest::sample::select(vec![
                "0 7 * * 6",
                "30 6 1 * *",
                "0 0 29 2 *",
                "0 12 * * 1-5"
            ])
            .prop_map(String::from),
        ]
        .prop_map(WhenModel::Cron),
        (2000i32..2100, 1u32..=366, 0u32..24, 0u32..60).prop_map(|(y, doy, h, m)| {
            let d = NaiveDate::from_yo_opt(y, doy)
                .or_else(|| NaiveDate::from_yo_opt(y, 365))
                .unwrap();
            WhenModel::Once(d.and_hms_opt(h, m, 0).unwrap())
        }),
    ]
}

fn holiday_model() -> impl Strategy<Value = HolidayModel> {
    let solar = (1u32..=12, 1u32..=31).prop_filter_map("a real month-day", |(m, d)| {
        NaiveDate::from_ymd_opt(2024, m, d).map(|_| HolidayDate::Solar { month: m, day: d })
    });
    let lunar = (1u8..=12, 1u8..=30).prop_map(|(month, day)| HolidayDate::Lunar { month, day });
    (
        plain_text(30),
        prop_oneof![solar, lunar],
        -60i32..=60,
        1u32..=30,
        any::<bool>(),
    )
        .prop_map(|(title, date, offset_days, days, greeting)| HolidayModel {
            title,
            date,
            offset_days,
            days,
            greeting,
        })
}

#[derive(Debug, Clone)]
struct ProgrammeModel {
    playlists: Vec<PlaylistModel>,
    holidays: Vec<HolidayModel>,
    slots: Vec<SlotModel>,
}

fn programme_model() -> impl Strategy<Value = ProgrammeModel> {
    (
        prop::collection::vec(playlist_model(), 1..4),
        prop::collection::vec(holiday_model(), 0..4),
        prop::collection::vec(
            (
                proptest::option::of(plain_text(30)),
                when_model(),
                any::<usize>(),
                prop::collection::vec(plain_text(10), 0..3),
                prop::collection::vec(any::<usize>(), 0..2),
            ),
            0..6,
        ),
    )
        .prop_map(|(playlists, holidays, raw_slots)| {
            let slots = raw_slots
                .into_iter()
                .map(|(title, when, playlist, zones, hs)| SlotModel {
                    title,
                    playlist: playlist % playlists.len(),
                    // Only recurring slots may be tied to holidays.
                    holidays: if holidays.is_empty() || matches!(when, WhenModel::Once(_)) {
                        Vec::new()
                    } else {
                        hs.into_iter().map(|h| h % holidays.len()).collect()
                    },
                    when,
                    zones,
                })
                .collect();
            ProgrammeModel {
                playlists,
                holidays,
                slots,
            }
        })
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn q_list(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

impl ProgrammeModel {
    fn playlist_name(i: usize) -> String {
        format!("pl-{i}")
    }
    fn holiday_name(i: usize) -> String {
        format!("le-{i}")
    }
    fn slot_name(i: usize) -> String {
        format!("buoi-{i}")
    }

    fn playlist_toml(p: &PlaylistModel) -> String {
        let mut t = String::new();
        if let Some(title) = &p.title {
            t += &format!("title = {}\n", q(title));
        }
        if let Some(m) = p.max_minutes {
            t += &format!("max_minutes = {m}\n");
        }
        if let Some(o) = p.overflow {
            t += &format!("overflow = \"{o}\"\n");
        }
        for part in &p.parts {
            t += "\n[[part]]\n";
            match part {
                PartModel::Jingle(j) => t += &format!("jingle = {}\n", q(j)),
                PartModel::Items {
                    category,
                    tier,
                    holidays_only,
                    newest_first,
                    limit,
                } => {
                    t += &format!("category = \"{category}\"\n");
                    if let Some(tier) = tier {
                        t += &format!("tier = \"{}\"\n", tier.as_str());
                    }
                    if *holidays_only {
                        t += "holidays_only = true\n";
                    }
                    if let Some(n) = newest_first {
                        t += &format!("order = \"{}\"\n", if *n { "newest" } else { "oldest" });
                    }
                    if let Some(l) = limit {
                        t += &format!("limit = {l}\n");
                    }
                }
            }
        }
        t
    }

    fn schedule_toml(&self) -> String {
        let mut t = String::from("# sinh tự động / generated\n");
        for (i, h) in self.holidays.iter().enumerate() {
            t += &format!(
                "\n[[holiday]]\nname = \"{}\"\ntitle = {}\n",
                Self::holiday_name(i),
                q(&h.title)
            );
            match h.date {
                HolidayDate::Solar { month, day } => {
                    t += &format!("solar = \"{month:02}-{day:02}\"\n")
                }
                HolidayDate::Lunar { month, day } => {
                    t += &format!("lunar = \"{month:02}-{day:02}\"\n")
                }
            }
            t += &format!(
                "offset_days = {}\ndays = {}\ngreeting = {}\n",
                h.offset_days, h.days, h.greeting
            );
        }
        for (i, s) in self.slots.iter().enumerate() {
            let table = if matches!(s.when, WhenModel::Once(_)) {
                "once"
            } else {
                "slot"
            };
            t += &format!("\n[[{table}]]\nname = \"{}\"\n", Self::slot_name(i));
            if let Some(title) = &s.title {
                t += &format!("title = {}\n", q(title));
            }
            match &s.when {
                WhenModel::Daily(h, m, days) => {
                    t += &format!("time = \"{h:02}:{m:02}\"\n");
                    if let Some(d) = days {
                        let d: Vec<String> = d.iter().map(|s| s.to_string()).collect();
                        t += &format!("days = {}\n", q_list(&d));
                    }
                }
                WhenModel::Cron(c) => t += &format!("cron = {}\n", q(c)),
                WhenModel::Once(at) => t += &format!("at = \"{}\"\n", at.format("%Y-%m-%d %H:%M")),
            }
            t += &format!("playlist = \"{}\"\n", Self::playlist_name(s.playlist));
            if !s.zones.is_empty() {
                t += &format!("zones = {}\n", q_list(&s.zones));
            }
            if !s.holidays.is_empty() {
                let hs: Vec<String> = s.holidays.iter().map(|h| Self::holiday_name(*h)).collect();
                t += &format!("holidays = {}\n", q_list(&hs));
            }
        }
        t
    }

    fn expected_playlist(i: usize, p: &PlaylistModel) -> Playlist {
        let name = Self::playlist_name(i);
        Playlist {
            title: p.title.clone().unwrap_or_else(|| name.clone()),
            name,
            max_minutes: p.max_minutes.filter(|m| *m > 0),
            overflow: if p.overflow == Some("extend") {
                Overflow::Extend
            } else {
                Overflow::Drop
            },
            parts: p
                .parts
                .iter()
                .map(|part| match part {
                    PartModel::Jingle(j) => Part::Jingle(j.clone()),
                    PartModel::Items {
                        category,
                        tier,
                        holidays_only,
                        newest_first,
                        limit,
                    } => Part::Items {
                        category: *category,
                        tier: *tier,
                        holidays_only: *holidays_only,
                        newest_first: newest_first.unwrap_or(false),
                        limit: *limit,
                    },
                })
                .collect(),
        }
    }
}

fn weekday_of(s: &str) -> Weekday {
    match s.to_lowercase().as_str() {
        "mon" | "t2" => Weekday::Mon,
        "tue" | "t3" => Weekday::Tue,
        "wed" | "t4" => Weekday::Wed,
        "thu" | "t5" => Weekday::Thu,
        "fri" | "t6" => Weekday::Fri,
        "sat" | "t7" => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

proptest! {
    #![proptest_config(pt(200))]

    /// Well-formed programme files load to exactly what they say, with no problem but the
    /// overlap warnings, and plan without trouble.
    #[test]
    fn programme_files_round_trip(model in programme_model(), year in 2000i32..2100, day in 0u32..365) {
        let schedule = model.schedule_toml();
        let playlists: Vec<(String, String)> = model
            .playlists
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("{}.toml", ProgrammeModel::playlist_name(i)), ProgrammeModel::playlist_toml(p)))
            .collect();
        let pl: Vec<(&str, &str)> = playlists.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (programme, problems, _dir) = load_programme(&[("lich.toml", &schedule)], &pl);
        let real: Vec<_> = problems.iter().filter(|p| !p.message.contains("overlap")).collect();
        prop_assert!(real.is_empty(), "{real:#?}\n{schedule}");

        for (i, p) in model.playlists.iter().enumerate() {
            let want = ProgrammeModel::expected_playlist(i, p);
            prop_assert_eq!(programme.playlists.get(&want.name), Some(&want));
        }
        for (i, h) in model.holidays.iter().enumerate() {
            let want = Holiday {
                name: ProgrammeModel::holiday_name(i),
                title: h.title.clone(),
                date: h.date,
                offset_days: h.offset_days,
                days: h.days,
                greeting: h.greeting,
            };
            prop_assert_eq!(programme.holidays.get(&want.name), Some(&want));
        }
        prop_assert_eq!(programme.slots.len(), model.slots.len());
        for (i, s) in model.slots.iter().enumerate() {
            let name = ProgrammeModel::slot_name(i);
            let got = programme.slots.iter().find(|x| x.name == name).unwrap();
            prop_assert_eq!(&got.title, s.title.as_ref().unwrap_or(&name));
            prop_assert_eq!(&got.playlist, &ProgrammeModel::playlist_name(s.playlist));
            prop_assert_eq!(&got.zones, &s.zones);
            let hs: Vec<String> = s.holidays.iter().map(|h| ProgrammeModel::holiday_name(*h)).collect();
            prop_assert_eq!(&got.holidays, &hs);
            match (&s.when, &got.when) {
                (WhenModel::Daily(h, m, days), When::Daily { time, days: got_days }) => {
                    prop_assert_eq!(*time, NaiveTime::from_hms_opt(*h, *m, 0).unwrap());
                    let want: Vec<Weekday> = match days {
                        Some(d) => d.iter().map(|d| weekday_of(d)).collect(),
                        None => vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun],
                    };
                    prop_assert_eq!(got_days, &want);
                }
                (WhenModel::Cron(_), When::Cron(_)) => {}
                (WhenModel::Once(at), When::Once(got_at)) => prop_assert_eq!(at, got_at),
                (a, b) => prop_assert!(false, "{a:?} loaded as {b:?}"),
            }
        }
        let texts: BTreeMap<String, String> = std::iter::once(("lich.toml".to_string(), schedule.clone()))
            .chain(playlists.iter().cloned())
            .collect();
        check_loaded(&programme, &problems, &texts)?;
        plan_some_days(&programme, year, day);
    }

    /// The shipped programme files, edited line by line (deleted, duplicated, swapped,
    /// replaced, cut short): never a panic, problems with a file, a line inside it and a fix,
    /// and the rest of the programme still consistent and plannable.
    #[test]
    fn mutated_programme_files_are_reported_not_fatal(
        which in any::<usize>(),
        edits in prop::collection::vec(edit(shipped_tokens()), 1..6),
        year in 1990i32..2110,
        day in 0u32..365,
    ) {
        let schedules = shipped_texts("schedules");
        let playlists = shipped_texts("playlists");
        let total = schedules.len() + playlists.len();
        let target = which % total;
        let mut all: Vec<(String, String)> = schedules.iter().chain(playlists.iter()).cloned().collect();
        all[target].1 = apply_edits(&all[target].1, &edits);
        let (s, p) = all.split_at(schedules.len());
        let s: Vec<(&str, &str)> = s.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let p: Vec<(&str, &str)> = p.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (programme, problems, _dir) = load_programme(&s, &p);
        check_loaded(&programme, &problems, &all.iter().cloned().collect())?;
        plan_some_days(&programme, year, day);
    }

    /// Documents assembled from the files' own grammar with wrong, huge and odd values.
    #[test]
    fn grammar_fuzzed_programme_files_are_reported_not_fatal(
        schedule in prop::collection::vec(programme_line(), 0..40),
        playlist in prop::collection::vec(programme_line(), 0..20),
        year in 1990i32..2110,
        day in 0u32..365,
    ) {
        let schedule = schedule.join("\n");
        let playlist = playlist.join("\n");
        let shipped = shipped_texts("playlists");
        let mut pls: Vec<(&str, &str)> = shipped.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        pls.push(("p.toml", &playlist));
        let (programme, problems, _dir) = load_programme(&[("a.toml", &schedule)], &pls);
        let texts: BTreeMap<String, String> = [("a.toml".to_string(), schedule.clone()), ("p.toml".to_string(), playlist.clone())]
            .into_iter()
            .chain(shipped.iter().cloned())
            .collect();
        check_loaded(&programme, &problems, &texts)?;
        plan_some_days(&programme, year, day);
    }

    /// Any bytes at all as programme files.
    #[test]
    fn arbitrary_programme_files_are_reported_not_fatal(a in odd_string(200), b in odd_string(200)) {
        let (programme, problems, _dir) = load_programme(&[("a.toml", &a)], &[("b.toml", &b)]);
        let texts: BTreeMap<String, String> = [("a.toml".to_string(), a.clone()), ("b.toml".to_string(), b.clone())].into_iter().collect();
        check_loaded(&programme, &problems, &texts)?;
    }

    /// Holidays' dates in any year the calendar supports (and a margin) never panic.
    #[test]
    fn holiday_dates_in_any_year(h in holiday_model(), year in 1800i32..2300) {
        let holiday = Holiday { name: "x".into(), title: h.title, date: h.date, offset_days: h.offset_days, days: h.days, greeting: h.greeting };
        let days = holiday.days_in_year(year);
        prop_assert!(days.len() <= 30);
    }
}

// ---------------------------------------------------------------------------------------
// CAP 1.2
// ---------------------------------------------------------------------------------------

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn cap_word(choices: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(choices).prop_map(String::from),
        1 => plain_text(12),
    ]
}

fn info_strategy() -> impl Strategy<Value = Info> {
    let area = (
        plain_text(20),
        prop::collection::vec(
            (
                plain_text(8),
                prop_oneof![Just("12345".to_string()), plain_text(8)],
            )
                .prop_map(|(value_name, value)| Geocode { value_name, value }),
            0..3,
        ),
    )
        .prop_map(|(desc, geocode)| Area { desc, geocode });
    (
        proptest::option::of(cap_word(&["vi-VN", "en-US", "vi", "fr"])),
        plain_text(20),
        cap_word(&["Immediate", "Expected", "Future", "Past", "Unknown"]),
        cap_word(&["Extreme", "Severe", "Moderate", "Minor", "Unknown"]),
        cap_word(&["Observed", "Likely", "Possible", "Unlikely", "Unknown"]),
        proptest::option::of(plain_text(60)),
        proptest::option::of(plain_text(120)),
        proptest::option::of(plain_text(80)),
        prop::collection::vec(area, 0..3),
    )
        .prop_map(
            |(
                language,
                event,
                urgency,
                severity,
                certainty,
                headline,
                description,
                instruction,
                area,
            )| Info {
                language,
                event,
                urgency,
                severity,
                certainty,
                headline,
                description,
                instruction,
                area,
            },
        )
}

fn alert_strategy() -> impl Strategy<Value = Alert> {
    (
        plain_text(20),
        plain_text(20),
        cap_word(&["2026-09-15T06:00:00+07:00"]),
        cap_word(&["Actual", "Exercise", "System", "Test", "Draft"]),
        cap_word(&["Alert", "Update", "Cancel", "Ack", "Error"]),
        proptest::option::of(prop_oneof![
            Just("canhbao@kttv.gov.vn,KTTV-2026-0915,2026-09-15T06:00:00+07:00".to_string()),
            Just("a,b,c d,e,f".to_string()),
            plain_text(40),
        ]),
        prop::collection::vec(info_strategy(), 0..3),
    )
        .prop_map(
            |(identifier, sender, sent, status, msg_type, references, info)| Alert {
                identifier,
                sender,
                sent,
                status,
                msg_type,
                references,
                info,
            },
        )
}

/// One element per line, so line edits are structural edits.
fn alert_xml(a: &Alert) -> String {
    let el = |tag: &str, v: &str| format!("<{tag}>{}</{tag}>\n", xml_escape(v));
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n",
    );
    x += &el("identifier", &a.identifier);
    x += &el("sender", &a.sender);
    x += &el("sent", &a.sent);
    x += &el("status", &a.status);
    x += &el("msgType", &a.msg_type);
    x += "<scope>Public</scope>\n";
    if let Some(r) = &a.references {
        x += &el("references", r);
    }
    for i in &a.info {
        x += "<info>\n";
        if let Some(l) = &i.language {
            x += &el("language", l);
        }
        x += "<category>Met</category>\n";
        x += &el("event", &i.event);
        x += &el("urgency", &i.urgency);
        x += &el("severity", &i.severity);
        x += &el("certainty", &i.certainty);
        for (tag, v) in [
            ("headline", &i.headline),
            ("description", &i.description),
            ("instruction", &i.instruction),
        ] {
            if let Some(v) = v {
                x += &el(tag, v);
            }
        }
        for a in &i.area {
            x += "<area>\n";
            x += &el("areaDesc", &a.desc);
            for g in &a.geocode {
                x += &format!(
                    "<geocode>{}{}</geocode>\n",
                    el("valueName", &g.value_name).trim_end(),
                    el("value", &g.value).trim_end()
                );
            }
            x += "</area>\n";
        }
        x += "</info>\n";
    }
    x += "</alert>\n";
    x
}

fn check_refused(e: &cap::Refused) -> Result<(), TestCaseError> {
    prop_assert!(!e.vi.trim().is_empty() && !e.en.trim().is_empty(), "{e:?}");
    prop_assert!(!e.to_string().is_empty());
    Ok(())
}

fn check_verdict(alert: &Alert, areas: &[String]) -> Result<(), TestCaseError> {
    match cap::judge(alert, areas) {
        Err(e) => check_refused(&e)?,
        Ok(Verdict::Air { text, panel }) => {
            prop_assert_eq!(&alert.status, "Actual");
            prop_assert!(matches!(alert.msg_type.as_str(), "Alert" | "Update"));
            prop_assert_eq!(clean_line(&text), text.clone(), "the spoken text is clean");
            prop_assert_eq!(clean_line(&panel), panel.clone(), "the panel text is clean");
        }
        Ok(Verdict::Cancel { identifiers }) => {
            prop_assert_eq!(&alert.msg_type, "Cancel");
            prop_assert!(!identifiers.is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(pt(2000))]

    /// A well-formed alert parses back to what was written, and its verdict follows the
    /// rules: real, severe, ours → air clean text; a cancel names what it cancels.
    #[test]
    fn cap_alerts_round_trip_and_are_judged_by_the_rules(alert in alert_strategy()) {
        let xml = alert_xml(&alert);
        let parsed = cap::parse(&xml);
        prop_assert!(parsed.is_ok(), "{:?}\n{xml}", parsed.err());
        let parsed = parsed.unwrap();
        prop_assert_eq!(&parsed, &alert, "{}", xml);
        let areas = vec!["12345".to_string()];
        check_verdict(&parsed, &areas)?;
        let ours = alert.info.iter().any(|i| i.area.iter().any(|a| a.geocode.iter().any(|g| g.value == "12345")));
        let severe = alert.info.iter().any(|i| matches!(i.severity.as_str(), "Extreme" | "Severe"));
        if alert.status == "Actual" && matches!(alert.msg_type.as_str(), "Alert" | "Update") {
            let verdict = cap::judge(&parsed, &areas);
            if !ours {
                prop_assert!(verdict.is_err(), "not our area but {verdict:?}");
            }
            if !severe {
                prop_assert!(verdict.is_err(), "not severe but {verdict:?}");
            }
        }
    }

    /// The same alerts with elements deleted, duplicated, swapped, replaced or cut off.
    #[test]
    fn mutated_cap_alerts_are_refused_with_a_reason(
        alert in alert_strategy(),
        edits in prop::collection::vec(edit(vec![
            "<info>".into(), "</info>".into(), "<area>".into(), "</area>".into(),
            "<alert>".into(), "</alert>".into(), "<status>Actual</status>".into(),
            "<msgType>Cancel</msgType>".into(), "<severity>Extreme</severity>".into(),
            "<![CDATA[x]]>".into(), "<!DOCTYPE alert [<!ENTITY a \"aaaa\">]>".into(), "&a;".into(),
            "&#0;".into(), "&#x110000;".into(), "&unknown;".into(), "<?pi x?>".into(),
            "<!-- c -->".into(), "<identifier/>".into(), "<info/>".into(),
            "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">".into(),
        ]), 1..5),
    ) {
        let xml = apply_edits(&alert_xml(&alert), &edits);
        match cap::parse(&xml) {
            Ok(parsed) => check_verdict(&parsed, &["12345".to_string(), "Xã Tân Lập".to_string()])?,
            Err(e) => check_refused(&e)?,
        }
    }

    /// Any text at all, with and without the namespace in it.
    #[test]
    fn arbitrary_cap_documents_are_refused_with_a_reason(s in odd_string(300), ns in any::<bool>()) {
        let doc = if ns { format!("<alert xmlns=\"{}\">{s}</alert>", cap::NAMESPACE) } else { s };
        match cap::parse(&doc) {
            Ok(parsed) => check_verdict(&parsed, &["12345".to_string()])?,
            Err(e) => check_refused(&e)?,
        }
    }
}

/// Deep nesting and oversized documents: refused or parsed, never a crash. Deep nesting is the
/// classic way to overflow a recursive parser's stack (which aborts the whole service), so the
/// depth goes to what a 1 MB alert can hold.
#[test]
fn cap_deep_nesting_and_size_limits() {
    for depth in [1_000usize, 20_000, 80_000] {
        for tag in ["info", "area", "x"] {
            let mut xml = format!(
                "<alert xmlns=\"{}\"><identifier>x</identifier><sender>s</sender><sent>t</sent><status>Actual</status><msgType>Alert</msgType>",
                cap::NAMESPACE
            );
            xml += &format!("<{tag}>").repeat(depth);
            xml += &format!("</{tag}>").repeat(depth);
            xml += "</alert>";
            if xml.len() > cap::MAX_BYTES {
                continue;
            }
            // A stack overflow would abort this test binary: the report would say so.
            if let Err(e) = cap::parse(&xml) {
                assert!(!e.en.is_empty());
            }
        }
    }
    let big = format!(
        "<alert xmlns=\"{}\">{}</alert>",
        cap::NAMESPACE,
        "a".repeat(cap::MAX_BYTES)
    );
    assert!(cap::parse(&big).unwrap_err().en.contains("too large"));
}

// ---------------------------------------------------------------------------------------
// Recordings
// ---------------------------------------------------------------------------------------

/// How a real recording is damaged.
#[derive(Debug, Clone)]
enum Damage {
    None,
    /// Cut at a fraction (per mille) of its length.
    Truncate(u16),
    /// Flip bits at fractions (per 65536) of its length.
    FlipBits(Vec<(u16, u8)>),
    /// Overwrite a run of bytes at a fraction of its length.
    Overwrite(u16, Vec<u8>),
    /// Zero a run (a lost disk sector).
    Zero(u16, u16),
    /// The head of one recording glued to the body of another.
    Splice(usize, u16),
    /// Repeat a slice (a resumed download that restarted).
    Repeat(u16, u16),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        1 => Just(Damage::None),
        3 => (0u16..1000).prop_map(Damage::Truncate),
        4 => prop::collection::vec((any::<u16>(), 0u8..8), 1..16).prop_map(Damage::FlipBits),
        2 => (any::<u16>(), prop::collection::vec(any::<u8>(), 1..64)).prop_map(|(a, b)| Damage::Overwrite(a, b)),
        1 => (any::<u16>(), 1u16..4096).prop_map(|(a, n)| Damage::Zero(a, n)),
        1 => (any::<usize>(), 0u16..1000).prop_map(|(i, f)| Damage::Splice(i, f)),
        1 => (0u16..1000, 1u16..2048).prop_map(|(f, n)| Damage::Repeat(f, n)),
    ]
}

fn damaged(bytes: &[u8], d: &Damage) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let len = b.len() as u64;
    let at = |frac: u32, scale: u32| (len * u64::from(frac) / u64::from(scale)) as usize;
    match d {
        Damage::None => {}
        Damage::Truncate(f) => {
            let n = at(u32::from(*f), 1000);
            b.truncate(n);
        }
        Damage::FlipBits(flips) => {
            for (pos, bit) in flips {
                let i = at(u32::from(*pos), 65536).min(b.len().saturating_sub(1));
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << bit;
                }
            }
        }
        Damage::Overwrite(pos, with) => {
            let i = at(u32::from(*pos), 65536);
            for (k, v) in with.iter().enumerate() {
                if let Some(x) = b.get_mut(i + k) {
                    *x = *v;
                }
            }
        }
        Damage::Zero(pos, n) => {
            let i = at(u32::from(*pos), 65536);
            let end = (i + usize::from(*n)).min(b.len());
            b[i.min(end)..end].iter_mut().for_each(|x| *x = 0);
        }
        Damage::Splice(other, f) => {
            let other = std::fs::read(fixture(PLAYABLE[other % PLAYABLE.len()])).unwrap();
            let cut = at(u32::from(*f), 1000);
            let head = other.len().min(1024);
            let mut out = other[..head].to_vec();
            out.extend_from_slice(&b[cut..]);
            b = out;
        }
        Damage::Repeat(f, n) => {
            let i = at(u32::from(*f), 1000);
            let end = (i + usize::from(*n)).min(b.len());
            let slice = b[i..end].to_vec();
            b.splice(end..end, slice);
        }
    }
    b
}

/// The first bytes of every format (and of a few that are not audio).
const MAGIC: &[&[u8]] = &[
    b"",
    b"ID3\x03\x00\x00\x00\x00\x00\x00",
    b"\xff\xfb\x90\x64",
    b"\xff\xf1",
    b"OggS\x00\x02",
    b"fLaC\x00\x00\x00\x22",
    b"RIFF\x24\x08\x00\x00WAVEfmt ",
    b"\x00\x00\x00\x20ftypM4A ",
    b"#!AMR\n",
    b"\x30\x26\xb2\x75\x8e\x66\xcf\x11",
    b"\x1a\x45\xdf\xa3",
    b"FORM\x00\x00\x00\x00AIFF",
    b"%PDF-1.4",
    b"\x89PNG\r\n\x1a\n",
    b"RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00",
];

const EXTENSIONS: &[&str] = &[
    "mp3", "m4a", "mp4", "ogg", "opus", "flac", "wav", "aac", "wma", "amr", "bin", "txt", "",
];

/// Measure `bytes` as a file named `name.ext` on a worker thread: a panic or a hang (over
/// 30 s) is a failure that names the input.
fn analyze_bytes(
    bytes: &[u8],
    ext: &str,
) -> Result<Result<loaxa::model::Analysis, String>, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(if ext.is_empty() {
        "ghi-am".to_string()
    } else {
        format!("ghi-am.{ext}")
    });
    std::fs::write(&path, bytes).unwrap();
    let (tx, rx) = mpsc::channel();
    let p = path.clone();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(|| loaxa::media::analyze(&p).map_err(|e| e.to_string()));
        let _ = tx.send(r.map_err(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        }));
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(panic)) => Err(format!("panicked: {panic}")),
        Err(_) => Err("hung for 30 s (or died)".into()),
    }
}

/// A refusal a person can act on: it names the file.
fn readable(msg: &str) -> bool {
    msg.contains("ghi-am")
}

fn check_analysis(a: &loaxa::model::Analysis) -> Result<(), TestCaseError> {
    prop_assert!((1..=384_000).contains(&a.sample_rate), "{a:?}");
    prop_assert!((1..=32).contains(&a.channels), "{a:?}");
    prop_assert!(!a.container.is_empty() && !a.codec.is_empty(), "{a:?}");
    for v in [a.integrated_lufs, a.loudness_range_lu, a.true_peak_dbtp]
        .into_iter()
        .flatten()
    {
        prop_assert!(v.is_finite(), "{a:?}");
    }
    for w in &a.warnings {
        prop_assert!(!w.trim().is_empty());
    }
    Ok(())
}

fn full_analysis(name: &str) -> loaxa::model::Analysis {
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<BTreeMap<String, loaxa::model::Analysis>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(a) = cache.lock().unwrap().get(name) {
        return a.clone();
    }
    let a = loaxa::media::analyze(&fixture(name)).unwrap();
    cache.lock().unwrap().insert(name.to_string(), a.clone());
    a
}

proptest! {
    #![proptest_config(pt(300))]

    /// Real recordings, damaged: cut short, bits flipped, bytes overwritten or zeroed, glued
    /// to another's header, partly repeated; named with their own or a wrong extension.
    /// Measured or refused with a message naming the file; never a panic or a hang; a cut-off
    /// recording never measures longer than the whole one.
    #[test]
    fn damaged_recordings_are_measured_or_refused(
        which in 0..PLAYABLE.len(),
        d in damage(),
        own_ext in any::<bool>(),
        ext in proptest::sample::select(EXTENSIONS),
    ) {
        let name = PLAYABLE[which];
        let bytes = damaged(&std::fs::read(fixture(name)).unwrap(), &d);
        let ext = if own_ext { name.rsplit('.').next().unwrap() } else { ext };
        match analyze_bytes(&bytes, ext).map_err(TestCaseError::fail)? {
            Ok(a) => {
                check_analysis(&a)?;
                let full = full_analysis(name);
                if matches!(d, Damage::Truncate(_)) {
                    prop_assert!(a.duration_ms <= full.duration_ms + 50, "cut {name} measures {} ms, whole {} ms", a.duration_ms, full.duration_ms);
                }
                if matches!(d, Damage::None) && own_ext {
                    prop_assert_eq!(&a, &full, "the same bytes measure the same");
                }
            }
            Err(msg) => prop_assert!(readable(&msg), "{msg}"),
        }
    }

    /// Random bytes, and random bytes behind the magic numbers of every format.
    #[test]
    fn random_bytes_are_refused_clearly(
        magic in proptest::sample::select(MAGIC),
        body in prop::collection::vec(any::<u8>(), 0..4096),
        ext in proptest::sample::select(EXTENSIONS),
    ) {
        let mut bytes = magic.to_vec();
        bytes.extend_from_slice(&body);
        match analyze_bytes(&bytes, ext).map_err(TestCaseError::fail)? {
            Ok(a) => check_analysis(&a)?,
            Err(msg) => prop_assert!(readable(&msg), "{msg}"),
        }
    }
}

/// A float WAV whose samples are not numbers (NaN, ±infinity), as a damaged file or a float
/// header spliced onto other data gives: the decoder promises finite samples in [-1, 1], the
/// measurement finite numbers. Found by `damaged_recordings_are_measured_or_refused` (a
/// pcm-f32.wav header spliced onto pcm-u8.wav measured `true_peak_dbtp: Some(inf)`).
#[test]
fn float_samples_that_are_not_numbers_are_not_played() {
    let mut b = std::fs::read(fixture("pcm-f32.wav")).unwrap();
    let data = b.windows(4).position(|w| w == b"data").unwrap() + 8;
    for (i, v) in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e30, -1e30]
        .into_iter()
        .enumerate()
    {
        let at = data + 4000 + i * 4;
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hong.wav");
    std::fs::write(&path, &b).unwrap();
    let pcm = crate::common::decode(&path);
    let bad = pcm.samples.iter().filter(|s| !s.is_finite()).count();
    let a = loaxa::media::analyze(&path).unwrap();
    assert!(
        bad == 0 && a.true_peak_dbtp.is_none_or(f64::is_finite),
        "{bad} non-finite samples decoded; measured {a:?}"
    );
}

/// The same kind of file through the player: one NaN sample in a 22 kHz float WAV reaches the
/// FFT resampler, which panics (`rubato` synchro.rs: "Imaginary part of first value was
/// non-zero") on the `loaxa-player` thread. The player is gone: `loaxa play` waits forever,
/// and in `loaxa serve` nothing airs again — emergencies included — until a restart. The
/// upload is accepted (it measures −69.95 LUFS, "too quiet", +20 dB).
#[test]
fn a_recording_with_a_nan_sample_does_not_kill_the_player() {
    let mut b = std::fs::read(fixture("pcm-f32.wav")).unwrap();
    let data = b.windows(4).position(|w| w == b"data").unwrap() + 8;
    b[data + 4000..data + 4004].copy_from_slice(&f32::NAN.to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("mot-nan.wav"), dir.path().join("ra.wav"));
    std::fs::write(&input, &b).unwrap();
    let mut child = crate::common::loaxa()
        .args(["play", "--fast", "--output"])
        .arg(format!("wav:{}", output.display()))
        .arg(&input)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        status.is_some() && !err.contains("panicked"),
        "loaxa play {}: {err}",
        if status.is_none() {
            "hung for 30 s"
        } else {
            "ended"
        }
    );
}

/// Found by a 30 000-case run: one flipped bit in the channel mask of an extensible WAV made
/// symphonia's RIFF reader overflow a shift (a panic in a debug build, garbage in release).
#[test]
fn a_flipped_bit_in_a_channel_mask_is_measured_or_refused() {
    let name = "pcm-s32.wav";
    let bytes = damaged(
        &std::fs::read(fixture(name)).unwrap(),
        &Damage::FlipBits(vec![(33, 5)]),
    );
    match analyze_bytes(&bytes, "mp3") {
        Ok(Ok(a)) => check_analysis(&a).unwrap(),
        Ok(Err(msg)) => assert!(readable(&msg), "{msg}"),
        Err(e) => panic!("{name} with a flipped bit: {e}"),
    }
}

/// WAV headers that lie: every field of the fmt chunk set to 0, tiny, its maximum or a huge
/// value, one at a time — the usual way to ask a decoder for absurd allocations or divisions
/// by zero. Measured or refused with a message; never a panic or a hang.
#[test]
fn lying_wav_headers_are_refused_or_measured() {
    let good = std::fs::read(fixture("pcm-u8.wav")).unwrap();
    let fmt = good.windows(4).position(|w| w == b"fmt ").unwrap() + 8;
    let fields: [(usize, usize); 6] = [(0, 2), (2, 2), (4, 4), (8, 4), (12, 2), (14, 2)];
    let mut bad = Vec::new();
    for (off, len) in fields {
        for v in [
            0u32,
            1,
            4,
            11,
            100,
            0xFFFF,
            0xFFFF_FFFF,
            384_000,
            384_001,
            0x7FFF_FFFF,
        ] {
            let mut b = good.clone();
            b[fmt + off..fmt + off + len].copy_from_slice(&v.to_le_bytes()[..len]);
            match analyze_bytes(&b, "wav") {
                Ok(Ok(a)) if a.sample_rate == 0 || a.channels == 0 => {
                    bad.push(format!("fmt+{off} = {v:#x}: measured as {a:?}"));
                }
                Ok(Ok(_)) => {}
                Ok(Err(msg)) if msg.trim().is_empty() => {
                    bad.push(format!("fmt+{off} = {v:#x}: an empty message"));
                }
                Ok(Err(_)) => {}
                Err(e) => bad.push(format!("fmt+{off} = {v:#x}: {e}")),
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A WAV whose header says 1–11 samples per second (a flipped bit in the rate) is refused as
/// "cannot measure loudness: NoMem": the message names neither the file nor what to do. Every
/// other broken header names the file and says "export the recording again".
#[test]
fn absurdly_low_sample_rates_are_refused_as_a_broken_header() {
    let good = std::fs::read(fixture("pcm-u8.wav")).unwrap();
    let fmt = good.windows(4).position(|w| w == b"fmt ").unwrap() + 8;
    for rate in [1u32, 4, 11] {
        let mut b = good.clone();
        b[fmt + 4..fmt + 8].copy_from_slice(&rate.to_le_bytes());
        let msg = analyze_bytes(&b, "wav").unwrap().unwrap_err();
        assert!(msg.contains("ghi-am"), "{rate} Hz: {msg}");
    }
}

// ---------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------

fn load_config_text(
    text: &str,
    env: Vec<(String, String)>,
) -> (
    Result<config::Loaded, config::ConfigError>,
    tempfile::TempDir,
) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("loaxa.toml");
    std::fs::write(&p, text).unwrap();
    (config::load(Some(&p), env), d)
}

/// Whatever loaded can be checked and used without a panic, and every problem is readable.
fn check_config_result(
    r: &Result<config::Loaded, config::ConfigError>,
) -> Result<(), TestCaseError> {
    match r {
        Ok(loaded) => {
            for p in loaded.problems() {
                prop_assert!(
                    !p.message.trim().is_empty() && !p.fix.trim().is_empty(),
                    "{p:?}"
                );
                prop_assert!(!p.file.is_empty(), "{p:?}");
            }
            // What loaded is of its kind: an output, a zone, an address, a format.
            let c = &loaded.config;
            prop_assert_eq!(
                c.audio.output.to_string().parse::<OutputSpec>(),
                Ok(c.audio.output.clone())
            );
            let _ = c.timezone.name();
            let _ = c.web.listen.port();
            let _ = loaxa::audio::AudioFormat::of(&c.audio);
            let _ = c.database_path();
        }
        Err(e) => {
            prop_assert!(!e.0.is_empty(), "an error with no problem in it");
            for p in &e.0 {
                prop_assert!(!p.message.trim().is_empty(), "{p:?}");
                prop_assert!(!p.file.is_empty(), "{p:?}");
            }
            prop_assert!(!e.to_string().trim().is_empty());
        }
    }
    Ok(())
}

fn finite_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        -100.0f32..100.0,
        any::<f32>().prop_filter("finite", |f| f.is_finite())
    ]
}

fn finite_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        -100.0f64..100.0,
        any::<f64>().prop_filter("finite", |f| f.is_finite())
    ]
}

/// Any output a config can name, as it reads back: the card, a named card, a WAV capture,
/// nothing. Names and paths do not end in spaces (the text is trimmed when read).
fn any_output() -> impl Strategy<Value = OutputSpec> {
    let name = plain_text(20).prop_filter("not blank at its ends", |s| {
        !s.is_empty() && s.trim() == s.as_str()
    });
    prop_oneof![
        Just(OutputSpec::Null),
        Just(OutputSpec::Device(None)),
        name.clone().prop_map(|n| OutputSpec::Device(Some(n))),
        name.prop_map(|p| OutputSpec::Wav(format!("/ghi/{p}").into())),
    ]
}

prop_compose! {
    fn any_config()(
        data_dir in prop_oneof![odd_string(20).prop_map(|s| format!("/du-lieu/{}", s.replace('\0', ""))), plain_text(20)],
        timezone in prop_oneof![Just(chrono_tz::Asia::Ho_Chi_Minh), proptest::sample::select(chrono_tz::TZ_VARIANTS.to_vec())],
        output in any_output(),
        sample_rate in any::<u32>(),
        channels in any::<u16>(),
        gain in finite_f32(),
        // An address as `address:port` says it (no IPv6 flow label, which the text leaves out).
        listen in (any::<std::net::IpAddr>(), any::<u16>()).prop_map(|(ip, port)| std::net::SocketAddr::new(ip, port)),
        max_upload in 0u64..=i64::MAX as u64,
        session_hours in any::<u32>(),
        secure in any::<bool>(),
        loudness in (finite_f64(), finite_f64(), finite_f64()),
        grace in any::<u32>(),
        preroll in any::<u32>(),
        sync in any::<bool>(),
        restart in any::<bool>(),
        chime in odd_string(20),
        tts in prop::collection::vec(odd_string(10), 0..5),
        repeat in any::<u32>(),
        egain in finite_f32(),
        areas in prop::collection::vec(odd_string(10), 0..3),
        gpio in prop_oneof![Just(GpioKind::None), Just(GpioKind::Pi)],
        pins in (proptest::option::of(any::<u8>()), proptest::option::of(any::<u8>())),
        hw_times in (finite_f32(), finite_f32()),
        zones in prop::collection::btree_map(odd_string(10), any::<u8>(), 0..3),
    ) -> Config {
        let mut c = Config { data_dir: PathBuf::from(data_dir), timezone, ..Config::default() };
        c.audio.output = output;
        c.audio.sample_rate = sample_rate;
        c.audio.channels = channels;
        c.audio.gain_db = gain;
        c.web.listen = listen;
        c.web.max_upload_mb = max_upload;
        c.web.session_hours = session_hours;
        c.web.secure_cookies = secure;
        c.loudness.target_lufs = loudness.0;
        c.loudness.ceiling_dbtp = loudness.1;
        c.loudness.max_boost_db = loudness.2;
        c.schedule.grace_minutes = grace;
        c.schedule.preroll_seconds = preroll;
        c.schedule.require_time_sync = sync;
        c.on_air = toml::from_str(if restart { "after_preemption = \"restart\"" } else { "" }).unwrap();
        c.emergency.chime = chime;
        c.emergency.tts_command = tts;
        c.emergency.repeat = repeat;
        c.emergency.gain_db = egain;
        c.emergency.cap_areas = areas;
        c.hw.gpio = gpio;
        c.hw.amplifier_pin = pins.0;
        c.hw.emergency_button_pin = pins.1;
        c.hw.amplifier_warmup_seconds = hw_times.0;
        c.hw.amplifier_hold_seconds = hw_times.1;
        c.hw.zones = zones;
        c
    }
}

/// Every config key, dotted, with the `LOAXA_` variable that overrides it.
const ENV_KEYS: &[&str] = &[
    "LOAXA_DATA_DIR",
    "LOAXA_TIMEZONE",
    "LOAXA_AUDIO_OUTPUT",
    "LOAXA_AUDIO_SAMPLE_RATE",
    "LOAXA_AUDIO_CHANNELS",
    "LOAXA_AUDIO_GAIN_DB",
    "LOAXA_WEB_LISTEN",
    "LOAXA_WEB_MAX_UPLOAD_MB",
    "LOAXA_WEB_SESSION_HOURS",
    "LOAXA_WEB_SECURE_COOKIES",
    "LOAXA_LOUDNESS_TARGET_LUFS",
    "LOAXA_LOUDNESS_CEILING_DBTP",
    "LOAXA_LOUDNESS_MAX_BOOST_DB",
    "LOAXA_SCHEDULE_SCHEDULES_DIR",
    "LOAXA_SCHEDULE_PLAYLISTS_DIR",
    "LOAXA_SCHEDULE_GRACE_MINUTES",
    "LOAXA_SCHEDULE_PREROLL_SECONDS",
    "LOAXA_SCHEDULE_REQUIRE_TIME_SYNC",
    "LOAXA_ON_AIR_AFTER_PREEMPTION",
    "LOAXA_EMERGENCY_CHIME",
    "LOAXA_EMERGENCY_TTS_COMMAND",
    "LOAXA_EMERGENCY_REPEAT",
    "LOAXA_EMERGENCY_GAIN_DB",
    "LOAXA_EMERGENCY_CAP_AREAS",
    "LOAXA_HW_GPIO",
    "LOAXA_HW_AMPLIFIER_WARMUP_SECONDS",
    "LOAXA_HW_AMPLIFIER_HOLD_SECONDS",
    "LOAXA_OPS_BACKUP_DIR",
    "LOAXA_CONFIG",
    "LOAXA_LOG",
    "LOAXA_KHONG_CO",
    "LOAXA_",
];

proptest! {
    #![proptest_config(pt(500))]

    /// Any config written out loads back equal (relative folders made relative to the file).
    #[test]
    fn configs_round_trip(c in any_config()) {
        let text = toml::to_string(&c).unwrap();
        let (r, dir) = load_config_text(&text, Vec::new());
        check_config_result(&r)?;
        let loaded = r.map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let mut want = c.clone();
        want.resolve_paths(dir.path());
        prop_assert_eq!(&loaded.config, &want, "{}", text);
    }

    /// The example config with its lines edited, uncommented, and with any `LOAXA_*`
    /// variables set to anything: loaded or refused, each problem naming where it is.
    #[test]
    fn mutated_configs_and_env_are_reported_not_fatal(
        uncomment in any::<bool>(),
        edits in prop::collection::vec(edit(vec![
            "[audio]".into(), "[web]".into(), "[hw.zones]".into(), "[[audio]]".into(),
            "thon-1 = 5".into(), "output = \"wav:\"".into(), "output = \"device:\"".into(),
            "listen = \"[::1]:99999\"".into(), "sample_rate = 0".into(), "channels = 65536".into(),
            "gain_db = inf".into(), "tts_command = []".into(), "cap_areas = [1]".into(),
        ]), 0..6),
        env in prop::collection::vec((proptest::sample::select(ENV_KEYS), prop_oneof![
            odd_string(12).prop_map(|s| s.replace('\0', "")),
            Just("4294967296".to_string()), Just("-1".to_string()), Just("nan".to_string()),
            Just("[\"a\", 1]".to_string()), Just("true".to_string()), Just("{ a = 1 }".to_string()),
            Just("restart".to_string()),
        ]), 0..4),
    ) {
        let mut text = std::fs::read_to_string(repo("deploy/loaxa.example.toml")).unwrap();
        if uncomment {
            text = text.lines().map(|l| l.strip_prefix("# ").filter(|r| r.contains(" = ") || r.starts_with('[')).unwrap_or(l)).collect::<Vec<_>>().join("\n");
        }
        let text = apply_edits(&text, &edits);
        let env: Vec<(String, String)> = env.into_iter().filter(|(k, _)| *k != "LOAXA_CONFIG").map(|(k, v)| (k.to_string(), v)).collect();
        let (r, _dir) = load_config_text(&text, env);
        check_config_result(&r)?;
    }

    /// Any text as the config.
    #[test]
    fn arbitrary_config_text_is_reported_not_fatal(s in odd_string(300)) {
        let (r, _dir) = load_config_text(&s, Vec::new());
        check_config_result(&r)?;
    }

    /// A value set by its `LOAXA_*` variable is the value the config gets, whatever it is.
    #[test]
    fn env_overrides_round_trip(
        output in any_output().prop_map(|o| o.to_string()),
        bad_output in odd_string(20).prop_filter("not an output", |s| s.parse::<OutputSpec>().is_err()),
        rate in any::<u32>(),
        gain in -60.0f32..20.0,
        secure in any::<bool>(),
        areas in prop::collection::vec(plain_text(8), 0..3),
    ) {
        let env = vec![
            ("LOAXA_AUDIO_OUTPUT".to_string(), output.clone()),
            ("LOAXA_AUDIO_SAMPLE_RATE".to_string(), rate.to_string()),
            ("LOAXA_AUDIO_GAIN_DB".to_string(), format!("{gain:?}")),
            ("LOAXA_WEB_SECURE_COOKIES".to_string(), secure.to_string()),
            ("LOAXA_EMERGENCY_CAP_AREAS".to_string(), toml::Value::Array(areas.iter().map(|a| toml::Value::String(a.clone())).collect()).to_string()),
        ];
        let (r, _dir) = load_config_text("", env);
        let loaded = r.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(loaded.config.audio.output.to_string(), output);
        // Text that is no output is refused, naming the variable it came in.
        let refused = load_config_text("", vec![("LOAXA_AUDIO_OUTPUT".to_string(), bad_output)]).0;
        let err = refused.map(|_| ()).map_err(|e| e.0).err();
        prop_assert!(err.is_some_and(|p| p[0].file == "LOAXA_AUDIO_OUTPUT"));
        prop_assert_eq!(loaded.config.audio.sample_rate, rate);
        prop_assert_eq!(loaded.config.audio.gain_db, gain);
        prop_assert_eq!(loaded.config.web.secure_cookies, secure);
        prop_assert_eq!(&loaded.config.emergency.cap_areas, &areas);
    }
}

/// The README promises every key can be set by `LOAXA_<TABLE>_<KEY>`; the GPIO pins are keys
/// (see deploy/loaxa.example.toml) but have no default, so their variables are refused unless
/// the file already sets them.
#[test]
fn every_documented_key_can_be_set_from_the_environment() {
    for (var, value) in [
        ("LOAXA_HW_AMPLIFIER_PIN", "17"),
        ("LOAXA_HW_EMERGENCY_BUTTON_PIN", "27"),
        ("LOAXA_OPS_BACKUP_DIR", "/media/usb/sao-luu"),
    ] {
        let (r, _dir) = load_config_text("", vec![(var.to_string(), value.to_string())]);
        assert!(
            r.is_ok(),
            "{var}={value}: {}",
            r.err().map(|e| e.to_string()).unwrap_or_default()
        );
    }
}

/// `loaxa emergency start|stop` takes its API token from `$LOAXA_TOKEN` (its help and its
/// error message say so), but the config loader refuses every `LOAXA_*` variable that is not
/// a config key, so with the token in the environment the command fails before reading it.
#[test]
fn the_cli_s_own_token_variable_is_not_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::common::loaxa()
        .args(["emergency", "stop", "--url", "http://127.0.0.1:9"])
        .env("LOAXA_TOKEN", "abc")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("127.0.0.1:9"),
        "it should try the server: {text}"
    );
}

/// A quick census of the inputs the tests above are made from, so a change that empties them
/// (a renamed fixture, a moved example) fails loudly instead of fuzzing nothing.
#[test]
fn fuzz_inputs_exist() {
    assert!(shipped_texts("schedules").len() >= 2);
    assert!(shipped_texts("playlists").len() >= 3);
    assert!(shipped_tokens().len() > 20);
    let names: BTreeSet<&str> = PLAYABLE.iter().copied().collect();
    assert!(names.len() >= 10);
    for n in names {
        assert!(fixture(n).exists(), "{n}");
    }
}
