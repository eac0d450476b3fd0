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

// The parsers each have their file beside this one; the generators they share are here.
mod cap_alerts;
mod programme;
mod recordings;

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
                    !p.message.to_string().trim().is_empty()
                        && !p.fix.to_string().trim().is_empty(),
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
                prop_assert!(!p.message.to_string().trim().is_empty(), "{p:?}");
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
    "LOAXA_AUDIO_LISTEN_ALONE",
    "LOAXA_AUDIO_GAIN_DB",
    "LOAXA_WEB_LISTEN",
    "LOAXA_WEB_MAX_UPLOAD_MB",
    "LOAXA_WEB_MAX_LISTENERS",
    "LOAXA_WEB_SESSION_HOURS",
    "LOAXA_WEB_SESSION_IDLE_MINUTES",
    "LOAXA_WEB_SESSION_IDLE_MINUTES_PRIVILEGED",
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
    use programme::{shipped_texts, shipped_tokens};
    assert!(shipped_texts("schedules").len() >= 2);
    assert!(shipped_texts("playlists").len() >= 3);
    assert!(shipped_tokens().len() > 20);
    let names: BTreeSet<&str> = PLAYABLE.iter().copied().collect();
    assert!(names.len() >= 10);
    for n in names {
        assert!(fixture(n).exists(), "{n}");
    }
}
