//! The one [`Config`]: `loaxa.toml`, overridden by `LOAXA_*` environment variables, read into
//! validated types once.
//!
//! Every key has a documented default, so an empty file (or none) is a working config. A value
//! that is not of its kind (a time zone, an output, an address, a GPIO kind) is refused when
//! the file is read, with its file, line and fix; values of the right kind but out of range
//! are what [`Loaded::problems`] reports, one check per section, also with file, line and
//! fix. `loaxa check` prints both. The parts that use a setting get its value (a `Tz`, an
//! [`OutputSpec`], a `SocketAddr`), never its text, and nothing falls back silently. The
//! example at `deploy/loaxa.example.toml` is parsed by a test, so it cannot drift from here.
//!
//! One file per section; `values` holds the small typed values settings name. Imports only
//! the model and `speech` (whose section it is); every other module may read its section.

mod audio;
mod cluster;
mod display;
mod emergency;
mod hw;
mod loudness;
mod ops;
mod schedule;
mod source;
mod values;
mod web;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::model::Said;
use crate::model::said;

pub use audio::{AudioConfig, OnAirConfig};
pub use cluster::{ClusterConfig, ClusterRole};
pub use display::{DisplayConfig, Hub75Config};
pub use emergency::{EmergencyConfig, feed_url};
pub use hw::HwConfig;
pub use loudness::LoudnessPolicy;
pub use ops::OpsConfig;
pub use schedule::ScheduleConfig;
pub use source::{Problem, SourceText, toml_said};
#[cfg(test)]
pub(crate) use source::{assert_apart, assert_one_language};
pub use values::{AfterPreemption, GpioKind, OutputSpec, PanelOutput};
pub use web::WebConfig;

/// The name of the config file looked for in the working directory.
pub const DEFAULT_FILE: &str = "loaxa.toml";
/// Environment variables that are not config keys.
const NON_KEY_VARS: &[&str] = &["LOAXA_CONFIG", "LOAXA_LOG", "LOAXA_TOKEN"];
/// The fix for a file that is not a config, when no key-specific fix applies.
const FIX_FILE: (&str, &str) = (
    "sửa theo deploy/loaxa.example.toml",
    "fix it after deploy/loaxa.example.toml",
);

/// What a section's check found: (dotted key, what is wrong, how to fix it).
pub type Findings = Vec<(String, Said, Said)>;

/// Note a problem at `key`.
fn bad(out: &mut Findings, key: &str, message: Said, fix: Said) {
    out.push((key.to_string(), message, fix));
}

/// A fix written as its (Vietnamese, English) pair.
fn fix_of((vi, en): (&str, &str)) -> Said {
    Said::new(vi, en)
}

/// How a typed key's value is checked: `Err` says why it is not of its kind.
type Check = fn(&toml::Value) -> Result<(), Said>;

/// The keys whose value must be of a kind (a time zone, an output…): how each is checked, and
/// the fix when it is not one. A value that is not is refused with its file and line (or
/// variable) and read as the default, so the rest of the config is still checked.
const TYPED: &[(&str, Check, (&str, &str))] = &[
    (
        "timezone",
        |v| text_of(v, |s| values::parse_time_zone(s).map(drop)),
        (
            "dùng tên IANA, ví dụ \"Asia/Ho_Chi_Minh\"",
            "use an IANA name such as \"Asia/Ho_Chi_Minh\"",
        ),
    ),
    (
        "audio.output",
        |v| text_of(v, |s| s.parse::<OutputSpec>().map(drop)),
        ("ví dụ output = \"device\"", "e.g. output = \"device\""),
    ),
    (
        "web.listen",
        |v| text_of(v, |s| values::parse_listen(s).map(drop)),
        ("ví dụ \"0.0.0.0:8080\"", "e.g. \"0.0.0.0:8080\""),
    ),
    (
        "hw.gpio",
        |v| one_of::<GpioKind>(v),
        ("dùng \"none\" hoặc \"pi\"", "use \"none\" or \"pi\""),
    ),
    (
        "display.output",
        |v| text_of(v, |s| s.parse::<PanelOutput>().map(drop)),
        (
            "ví dụ output = \"none\" hoặc \"fbdev\"",
            "e.g. output = \"none\" or \"fbdev\"",
        ),
    ),
    (
        "emergency.location",
        |v| text_of(v, |s| s.parse::<crate::model::GeoPoint>().map(drop)),
        (
            "vĩ độ,kinh độ của trung tâm xã, ví dụ location = \"20.86,106.68\"",
            "the commune centre's lat,lon, e.g. location = \"20.86,106.68\"",
        ),
    ),
    (
        "on_air.after_preemption",
        |v| one_of::<AfterPreemption>(v),
        (
            "dùng \"resume\" hoặc \"restart\"",
            "use \"resume\" or \"restart\"",
        ),
    ),
];

/// Check a text value with `check`; a value of another type is left to the reader to refuse.
fn text_of(v: &toml::Value, check: impl Fn(&str) -> Result<(), Said>) -> Result<(), Said> {
    v.as_str().map_or(Ok(()), check)
}

/// Check that a text value names one of `T`'s variants.
fn one_of<T: serde::de::DeserializeOwned>(v: &toml::Value) -> Result<(), Said> {
    match v.as_str() {
        Some(s) => T::deserialize(v.clone())
            .map(drop)
            .map_err(|_| said!("\"{s}\" không hợp lệ", "\"{s}\" is not valid")),
        None => Ok(()),
    }
}

/// The fix for a value refused at `key`.
fn typed_fix(key: &str) -> Said {
    fix_of(
        TYPED
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or(FIX_FILE, |(_, _, fix)| *fix),
    )
}

/// Take out of `table` every value of `keys` (all typed keys if `None`) that is not of its
/// kind, as (dotted key, what is wrong, the fix).
fn refuse_untyped(table: &mut toml::Table, keys: Option<&BTreeSet<String>>) -> Findings {
    let mut out = Findings::new();
    for (key, check, fix) in TYPED {
        if keys.is_some_and(|keys| !keys.contains(*key)) {
            continue;
        }
        let path: Vec<&str> = key.split('.').collect();
        if let Some(Err(message)) = lookup(table, &path).map(check) {
            remove_path(table, &path);
            bad(&mut out, key, message, fix_of(*fix));
        }
    }
    out
}

/// Everything the controller can be told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the database and the recordings live. Relative paths are from the working
    /// directory. Default `data`.
    pub data_dir: PathBuf,
    /// The commune's time zone, an IANA name. Default `Asia/Ho_Chi_Minh` (UTC+7).
    #[serde(with = "values::time_zone")]
    pub timezone: Tz,
    /// The loudspeaker output.
    pub audio: AudioConfig,
    /// The web service.
    pub web: WebConfig,
    /// The level every item plays at.
    pub loudness: LoudnessPolicy,
    /// The programme: where its files are, and how strictly it keeps time.
    pub schedule: ScheduleConfig,
    /// What happens on air when something more urgent comes.
    pub on_air: OnAirConfig,
    /// Emergency announcements.
    pub emergency: EmergencyConfig,
    /// The amplifier and zone relays, and the emergency button.
    pub hw: HwConfig,
    /// The LED slogan panel.
    pub display: DisplayConfig,
    /// A commune of villages: head-end, node, or a station alone.
    pub cluster: ClusterConfig,
    /// Typed text read aloud: the voice, its rate, the commune's abbreviations.
    pub speech: crate::speech::SpeechConfig,
    /// Housekeeping: the nightly backup.
    pub ops: OpsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            timezone: chrono_tz::Asia::Ho_Chi_Minh,
            audio: AudioConfig::default(),
            web: WebConfig::default(),
            loudness: LoudnessPolicy::default(),
            schedule: ScheduleConfig::default(),
            on_air: OnAirConfig::default(),
            emergency: EmergencyConfig::default(),
            hw: HwConfig::default(),
            display: DisplayConfig::default(),
            cluster: ClusterConfig::default(),
            speech: crate::speech::SpeechConfig::default(),
            ops: OpsConfig::default(),
        }
    }
}

/// A config that could not be loaded, with every problem found.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct ConfigError(pub Vec<Problem>);

/// A loaded config and where each value came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The values.
    pub config: Config,
    /// The file read, if any.
    pub source: Option<SourceText>,
    /// Keys set by environment variables, as dotted paths.
    pub from_env: BTreeSet<String>,
}

impl Loaded {
    /// Problems with the values: each names the file and line, or the variable.
    pub fn problems(&self) -> Vec<Problem> {
        self.config
            .problems()
            .into_iter()
            .map(|(key, message, fix)| self.locate(&key, message, fix))
            .collect()
    }

    fn locate(&self, key: &str, message: Said, fix: Said) -> Problem {
        if self.from_env.contains(key) {
            return Problem {
                file: env_name(key),
                line: None,
                message,
                fix,
            };
        }
        let path: Vec<&str> = key.split('.').collect();
        match &self.source {
            Some(src) => src.problem(&path, at_key(key, &message), fix),
            None => Problem {
                file: "(mặc định / defaults)".into(),
                line: None,
                message: at_key(key, &message),
                fix,
            },
        }
    }
}

/// `message` about the value at `key`, led by the key in both languages ("audio.output: …").
fn at_key(key: &str, message: &Said) -> Said {
    Said::same(key).with(": ", message)
}

/// Find and load the config: `explicit` (from `--config`), else `LOAXA_CONFIG`, else
/// `./loaxa.toml` if present, else the defaults; then apply `LOAXA_*` variables from `env`.
pub fn load(
    explicit: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Loaded, ConfigError> {
    let env: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with("LOAXA_"))
        .collect();
    let from_var = env
        .iter()
        .find(|(k, _)| k == "LOAXA_CONFIG")
        .map(|(_, v)| PathBuf::from(v));
    let path = explicit.map(Path::to_path_buf).or(from_var);
    let source = match path {
        Some(p) => Some(SourceText::read(&p).map_err(|e| {
            ConfigError(vec![Problem {
                file: p.display().to_string(),
                line: None,
                message: said!(
                    "không đọc được tệp cấu hình: {e}",
                    "cannot read the config: {e}"
                ),
                fix: said!("kiểm tra đường dẫn --config", "check the --config path"),
            }])
        })?),
        None if Path::new(DEFAULT_FILE).exists() => SourceText::read(Path::new(DEFAULT_FILE)).ok(),
        None => None,
    };
    let mut refusals = Vec::new();
    let config = match &source {
        Some(src) => read_file(src, &mut refusals)?,
        None => Config::default(),
    };
    let (mut config, from_env) = apply_env(config, &env, &mut refusals)?;
    if let Some(dir) = source.as_ref().and_then(|s| Path::new(&s.name).parent()) {
        config.resolve_paths(dir);
    }
    let loaded = Loaded {
        config,
        source,
        from_env,
    };
    if refusals.is_empty() {
        return Ok(loaded);
    }
    // The refused values were read as their defaults: say what else is wrong too.
    refusals.extend(loaded.problems());
    Err(ConfigError(refusals))
}

/// The file's settings. A value not of its kind goes to `refusals` (with its line) and reads
/// as the default; anything else the file gets wrong (its TOML, an unknown key) is the error.
fn read_file(src: &SourceText, refusals: &mut Vec<Problem>) -> Result<Config, ConfigError> {
    let mut table: toml::Table = src
        .text
        .parse()
        .map_err(|e| ConfigError(vec![refused(src, &e)]))?;
    for (key, message, fix) in refuse_untyped(&mut table, None) {
        let path: Vec<&str> = key.split('.').collect();
        refusals.push(src.problem(&path, at_key(&key, &message), fix));
    }
    if refusals.is_empty() {
        // Read from the text, so a mistake the reader finds has its line.
        return toml::from_str(&src.text).map_err(|e| ConfigError(vec![refused(src, &e)]));
    }
    Config::deserialize(toml::Value::Table(table)).map_err(|e| {
        let mut all = refusals.clone();
        all.push(src.parse_problem(&e, fix_of(FIX_FILE)));
        ConfigError(all)
    })
}

/// A file the config cannot be read from (bad TOML, an unknown key, a value not of its kind):
/// its line and, where a value was refused, the key and its fix.
fn refused(src: &SourceText, e: &toml::de::Error) -> Problem {
    let key = e.span().and_then(|s| src.key_at(s.start));
    let fix = key.as_deref().map_or_else(|| fix_of(FIX_FILE), typed_fix);
    let mut problem = src.parse_problem(e, fix);
    if let Some(key) = key {
        problem.message = at_key(&key, &problem.message);
    }
    problem
}

/// `audio.output` → `LOAXA_AUDIO_OUTPUT`.
fn env_name(key: &str) -> String {
    format!("LOAXA_{}", key.replace('.', "_").to_uppercase())
}

/// Override keys from `LOAXA_*` variables. Values are read as TOML literals where the key is
/// not a string (`LOAXA_AUDIO_SAMPLE_RATE=44100`), as plain text where it is.
fn apply_env(
    config: Config,
    env: &[(String, String)],
    refusals: &mut Vec<Problem>,
) -> Result<(Config, BTreeSet<String>), ConfigError> {
    let mut table = toml::Table::try_from(&config).map_err(unserializable)?;
    // Keys without a default are missing from a default config's table: list them from one
    // where every key is set, and take each value's type from there.
    let every_key = toml::Table::try_from(every_key_set()).map_err(unserializable)?;
    let mut leaves = Vec::new();
    collect_leaves(&every_key, String::new(), &mut leaves);
    let mut problems = Vec::new();
    let mut set = BTreeSet::new();
    for (var, raw) in env {
        if NON_KEY_VARS.contains(&var.as_str()) {
            continue;
        }
        let Some(key) = leaves.iter().find(|k| env_name(k) == *var) else {
            problems.push(Problem {
                file: var.clone(),
                line: None,
                message: said!(
                    "biến môi trường không ứng với khoá cấu hình nào",
                    "no config key has this name"
                ),
                fix: said!(
                    "xem danh sách khoá trong deploy/loaxa.example.toml",
                    "see the keys in deploy/loaxa.example.toml"
                ),
            });
            continue;
        };
        let path: Vec<&str> = key.split('.').collect();
        let value = match lookup(&every_key, &path) {
            Some(toml::Value::String(_)) | None => toml::Value::String(raw.clone()),
            Some(_) => match raw.parse::<toml::Value>() {
                Ok(v) => v,
                Err(_) => toml::Value::String(raw.clone()),
            },
        };
        set_path(&mut table, &path, value);
        set.insert(key.clone());
    }
    if !problems.is_empty() {
        return Err(ConfigError(problems));
    }
    for (key, message, fix) in refuse_untyped(&mut table, Some(&set)) {
        refusals.push(Problem {
            file: env_name(&key),
            line: None,
            message,
            fix,
        });
    }
    let config = table.try_into::<Config>().map_err(|e| {
        ConfigError(vec![Problem {
            file: set
                .iter()
                .map(|k| env_name(k))
                .collect::<Vec<_>>()
                .join(", "),
            line: None,
            message: source::toml_said(e.message()),
            fix: said!(
                "sửa giá trị biến môi trường",
                "correct the variable's value"
            ),
        }])
    })?;
    Ok((config, set))
}

/// A config that cannot be turned into a table (a bug, not the user's doing): said as it is.
fn unserializable(e: toml::ser::Error) -> ConfigError {
    ConfigError(vec![Problem {
        file: "config".into(),
        line: None,
        message: Said::same(e.to_string()),
        fix: Said::same(""),
    }])
}

/// The default config with every optional key given a value, so that the environment can
/// set keys that have no default (the GPIO pins, the HUB75 slowdown).
fn every_key_set() -> Config {
    let mut config = Config::default();
    config.hw.amplifier_pin = Some(0);
    config.hw.emergency_button_pin = Some(0);
    config.display.hub75.slowdown = Some(0);
    config.ops.backup_dir = Some(PathBuf::new());
    config.emergency.location = Some(crate::model::GeoPoint { lat: 0.0, lon: 0.0 });
    config
}

fn collect_leaves(table: &toml::Table, prefix: String, out: &mut Vec<String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => collect_leaves(t, key, out),
            _ => out.push(key),
        }
    }
}

fn lookup<'a>(table: &'a toml::Table, path: &[&str]) -> Option<&'a toml::Value> {
    let (last, parents) = path.split_last()?;
    let mut t = table;
    for p in parents {
        t = t.get(*p)?.as_table()?;
    }
    t.get(*last)
}

fn remove_path(table: &mut toml::Table, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut t = table;
    for p in parents {
        let Some(toml::Value::Table(inner)) = t.get_mut(*p) else {
            return;
        };
        t = inner;
    }
    t.remove(*last);
}

fn set_path(table: &mut toml::Table, path: &[&str], value: toml::Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut t = table;
    for p in parents {
        let entry = t
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(inner) = entry else {
            return;
        };
        t = inner;
    }
    t.insert(last.to_string(), value);
}

impl Config {
    /// Problems with the values, section by section, as (dotted key, what is wrong, how to
    /// fix it).
    pub fn problems(&self) -> Findings {
        let mut out = self.audio.problems();
        out.extend(self.loudness.problems());
        out.extend(self.schedule.problems());
        out.extend(self.hw.problems());
        out.extend(self.display.problems());
        out.extend(self.emergency.problems());
        out.extend(self.web.problems());
        out.extend(self.cluster.problems());
        out.extend(self.speech.problems(&self.emergency.tts_command));
        out
    }

    /// Make relative folders relative to `base` (the config file's folder), so a config in
    /// `/etc/loaxa` means the same whatever the working directory.
    pub fn resolve_paths(&mut self, base: &Path) {
        if base.as_os_str().is_empty() {
            return;
        }
        let png = match &mut self.display.output {
            PanelOutput::Png(p) => Some(p),
            _ => None,
        };
        for p in [
            Some(&mut self.data_dir),
            Some(&mut self.schedule.schedules_dir),
            Some(&mut self.schedule.playlists_dir),
            png,
            self.ops.backup_dir.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        let abbreviations = &mut self.speech.abbreviations;
        if !abbreviations.as_os_str().is_empty() && abbreviations.is_relative() {
            *abbreviations = base.join(&*abbreviations);
        }
        self.cluster.resolve_paths(base);
        self.web.resolve_paths(base);
    }

    /// Where the SQLite database lives.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("loaxa.sqlite3")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str, env: &[(&str, &str)]) -> Result<Loaded, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("loaxa.toml");
        std::fs::write(&p, text).unwrap();
        load(
            Some(&p),
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    #[test]
    fn empty_file_gives_documented_defaults() {
        let l = load_text("", &[]).unwrap();
        let mut expected = Config::default();
        let file = l.source.as_ref().unwrap().name.clone();
        expected.resolve_paths(Path::new(&file).parent().unwrap());
        assert_eq!(l.config, expected, "defaults, with folders beside the file");
        assert!(l.config.schedule.schedules_dir.is_absolute());
        assert!(l.problems().is_empty());
    }

    #[test]
    fn env_overrides_file_with_typed_values() {
        let l = load_text(
            "[audio]\noutput = \"null\"\n",
            &[
                ("LOAXA_AUDIO_SAMPLE_RATE", "44100"),
                ("LOAXA_AUDIO_OUTPUT", "wav:/tmp/x.wav"),
            ],
        )
        .unwrap();
        assert_eq!(l.config.audio.sample_rate, 44_100);
        assert_eq!(l.config.audio.output, OutputSpec::Wav("/tmp/x.wav".into()));
        assert!(l.from_env.contains("audio.output"));
    }

    #[test]
    fn bad_value_names_file_line_and_fix() {
        // Not an output at all: refused as the file is read.
        let p = load_text(
            "timezone = \"Asia/Ho_Chi_Minh\"\n\n[audio]\noutput = \"loa\"\n",
            &[],
        )
        .unwrap_err()
        .0;
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].line, Some(4));
        assert!(p[0].to_string().contains("loaxa.toml:4"), "{}", p[0]);
        assert!(p[0].fix.to_string().contains("device"));
    }

    #[test]
    fn out_of_range_values_are_problems_with_file_line_and_fix() {
        let l = load_text(
            "[audio]\nsample_rate = 7\n\n[web]\nsession_hours = 0\n",
            &[],
        )
        .unwrap();
        let p = l.problems();
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!((p[0].line, p[1].line), (Some(2), Some(5)));
        assert!(
            p[0].to_string().contains("loaxa.toml:2: audio.sample_rate"),
            "{}",
            p[0]
        );
        assert!(p[1].fix.to_string().contains("720"));
    }

    #[test]
    fn a_wrong_time_zone_is_refused_not_taken_for_vietnam() {
        let p = load_text("timezone = \"Asia/Ha_Noi\"\n", &[])
            .unwrap_err()
            .0;
        assert_eq!(p[0].line, Some(1));
        assert!(p[0].message.to_string().contains("Asia/Ha_Noi"), "{}", p[0]);
        assert!(p[0].fix.to_string().contains("IANA"), "{}", p[0]);
        let ok = load_text("timezone = \"Asia/Bangkok\"\n", &[]).unwrap();
        assert_eq!(ok.config.timezone, chrono_tz::Asia::Bangkok);
    }

    #[test]
    fn unknown_key_is_a_parse_problem_with_its_line() {
        let err = load_text("[audio]\nouput = \"null\"\n", &[]).unwrap_err();
        assert_eq!(err.0[0].line, Some(2));
        assert!(err.0[0].message.to_string().contains("ouput"));
    }

    #[test]
    fn each_problem_says_each_language_apart_and_the_cli_still_prints_both() {
        let l = load_text("[audio]\nsample_rate = 7\n", &[]).unwrap();
        let p = &l.problems()[0];
        assert_apart(p);
        let said = p.said();
        assert!(
            said.vi().ends_with(
                "loaxa.toml:2: audio.sample_rate: 7 Hz nằm ngoài 8000–192000 — thường là 48000"
            ),
            "{said:?}"
        );
        assert!(
            said.en().ends_with(
                "loaxa.toml:2: audio.sample_rate: 7 Hz is outside 8000–192000 — usually 48000"
            ),
            "{said:?}"
        );
        assert!(
            p.to_string().ends_with(
                "loaxa.toml:2: audio.sample_rate: 7 Hz nằm ngoài 8000–192000 / audio.sample_rate: \
                 7 Hz is outside 8000–192000 — thường là 48000 / usually 48000"
            ),
            "{p}"
        );
        let json = serde_json::to_value(p).unwrap();
        assert_eq!(json["fix"], "thường là 48000 / usually 48000");
    }

    #[test]
    fn a_wrong_key_type_or_kind_is_said_in_each_language_apart() {
        type Env = &'static [(&'static str, &'static str)];
        let cases: [(&str, Env, &str); 5] = [
            ("[audio]\nouput = \"null\"\n", &[], "không có khoá `ouput`"),
            ("[audio]\nsample_rate = \"nhanh\"\n", &[], "sai kiểu"),
            ("timezone = \"Asia/Ha_Noi\"\n", &[], "không biết múi giờ"),
            ("[hw]\ngpio = \"arduino\"\n", &[], "không hợp lệ"),
            ("", &[("LOAXA_AUDIO_OUTPT", "null")], "không ứng với khoá"),
        ];
        for (text, env, says) in cases {
            let problems = load_text(text, env).unwrap_err().0;
            assert!(
                problems[0].message.vi().contains(says),
                "{text}: {problems:#?}"
            );
            for p in &problems {
                assert_apart(p);
            }
        }
    }

    #[test]
    fn bad_env_value_names_the_variable() {
        let p = load_text("", &[("LOAXA_WEB_LISTEN", "khong-phai-dia-chi")])
            .unwrap_err()
            .0;
        assert_eq!(p[0].file, "LOAXA_WEB_LISTEN");
        let err = load_text("", &[("LOAXA_AUDIO_SAMPLE_RATE", "nhanh")]).unwrap_err();
        assert!(err.0[0].file.contains("LOAXA_AUDIO_SAMPLE_RATE"));
        let err = load_text("", &[("LOAXA_AUDIO_OUTPT", "null")]).unwrap_err();
        assert_eq!(err.0[0].file, "LOAXA_AUDIO_OUTPT");
    }

    #[test]
    fn shipped_example_config_is_valid_and_complete() {
        let text = include_str!("../../deploy/loaxa.example.toml");
        // Every key is shown commented out: uncommenting them all must give a valid config
        // equal to the defaults, so the example documents exactly what the code does.
        let is_setting = |r: &&str| {
            let key = r.split(" = ").next().unwrap_or("");
            (r.contains(" = ") && key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                || (r.starts_with('[') && r.ends_with(']'))
        };
        let uncommented: String = text
            .lines()
            .map(|l| l.strip_prefix("# ").filter(is_setting).unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let parsed: Config = toml::from_str(&uncommented).unwrap();
        assert_eq!(parsed, Config::default());
    }
}
