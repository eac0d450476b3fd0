//! The one [`Config`]: `loaxa.toml`, overridden by `LOAXA_*` environment variables.
//!
//! Every key has a documented default, so an empty file (or none) is a working config. The
//! checks in [`Config::problems`] say which file and line hold a mistake and how to fix it;
//! `loaxa check` prints them. The example at `deploy/loaxa.example.toml` is parsed by a test,
//! so it cannot drift from this file.

mod cluster;
mod source;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::audio::arbiter::AfterPreemption;
use crate::audio::{AudioFormat, OutputSpec};
use crate::media::LoudnessPolicy;
pub use cluster::{ClusterConfig, ClusterRole};
pub use source::{Problem, SourceText};

/// The name of the config file looked for in the working directory.
pub const DEFAULT_FILE: &str = "loaxa.toml";
/// Environment variables that are not config keys.
const NON_KEY_VARS: &[&str] = &["LOAXA_CONFIG", "LOAXA_LOG", "LOAXA_TOKEN"];

/// Everything the controller can be told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the database and the recordings live. Relative paths are from the working
    /// directory. Default `data`.
    pub data_dir: PathBuf,
    /// The commune's time zone, an IANA name. Default `Asia/Ho_Chi_Minh` (UTC+7).
    pub timezone: String,
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
}

/// `[display]`: the LED panel at the Public Service Center.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DisplayConfig {
    /// Where frames go: `none` (only the web preview), `png:PATH` (the current frame as a PNG
    /// file, rewritten every second), `fbdev` or `fbdev:/dev/fbN` (an HDMI screen through the
    /// Linux framebuffer), `window` (a desktop window; `window` builds), `hub75` (P10 modules on
    /// the Pi's GPIO; `hub75` builds). Default `none`.
    pub output: String,
    /// Width in LEDs. Default 192 (six P10 modules across).
    pub width: u32,
    /// Height in LEDs. Default 32 (two P10 modules high).
    pub height: u32,
    /// `mono_red` (default), `mono_amber` or `rgb`.
    pub kind: crate::model::PanelKind,
    /// Frames per second drawn. Default 30.
    pub fps: u32,
    /// The clock and date show after every this many slogans; 0 hides them. Default 3.
    pub clock_every: u16,
    /// Seconds the clock stays up. Default 6.
    pub clock_seconds: u16,
    /// Whether the lunar date shows with the solar one. Default true.
    pub show_lunar: bool,
    /// HUB75 wiring, for `output = "hub75"`.
    pub hub75: Hub75Config,
}

impl Default for DisplayConfig {
    fn default() -> Self {
        DisplayConfig {
            output: "none".into(),
            width: 192,
            height: 32,
            kind: crate::model::PanelKind::MonoRed,
            fps: 30,
            clock_every: 3,
            clock_seconds: 6,
            show_lunar: true,
            hub75: Hub75Config::default(),
        }
    }
}

/// `[display.hub75]`: how the LED modules are wired to the Pi (names as in rpi-led-panel and
/// hzeller's rpi-rgb-led-matrix).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Hub75Config {
    /// Rows of one module. Default 16 (P10).
    pub rows: usize,
    /// Columns of one module. Default 32 (P10).
    pub cols: usize,
    /// Modules daisy-chained on one connector. Default 6.
    pub chain_length: usize,
    /// Parallel chains (1–3). Default 2.
    pub parallel: usize,
    /// `regular`, `adafruit-hat`, `adafruit-hat-pwm`, … Default `regular`.
    pub hardware_mapping: String,
    /// Multiplexing of outdoor modules (`stripe`, `checkered`, …); empty: direct.
    pub multiplexing: String,
    /// Brightness in percent. Default 80.
    pub brightness: u8,
    /// GPIO slowdown for faster Pis (0–4); empty: by chip.
    pub slowdown: Option<u32>,
}

impl Default for Hub75Config {
    fn default() -> Self {
        Hub75Config {
            rows: 16,
            cols: 32,
            chain_length: 6,
            parallel: 2,
            hardware_mapping: "regular".into(),
            multiplexing: String::new(),
            brightness: 80,
            slowdown: None,
        }
    }
}

/// `[on_air]`: the arbiter's policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OnAirConfig {
    /// What happens to an item an emergency cut off: `resume` (default) carries on from where
    /// it stopped; `restart` plays it again after what was waiting.
    pub after_preemption: AfterPreemption,
}

/// `[emergency]`: how an emergency sounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmergencyConfig {
    /// The attention chime: the title of a jingle in the library, or a file path.
    /// Default `Chuông báo` (the demo chime).
    pub chime: String,
    /// A custom text-to-speech command for typed messages instead of `[speech] voice`: the
    /// text comes on its standard input, `{out}` is the WAV file to write (without `{out}`, the
    /// WAV is what it prints). `{text}` is refused. Default empty: `[speech]`.
    pub tts_command: Vec<String>,
    /// How many times the message repeats; 0 repeats until stopped. Default 3.
    pub repeat: u32,
    /// Gain of emergencies over the normal loudness, in dB. Default +3.
    pub gain_db: f32,
    /// CAP area codes (geocode values such as a commune code) or area names this commune
    /// answers; alerts for other areas are refused. Empty: accept none.
    pub cap_areas: Vec<String>,
}

impl Default for EmergencyConfig {
    fn default() -> Self {
        EmergencyConfig {
            chime: "Chuông báo".into(),
            tts_command: Vec::new(),
            repeat: 3,
            gain_db: 3.0,
            cap_areas: Vec::new(),
        }
    }
}

/// `[hw]`: relays and the button on the Pi's GPIO (BCM numbering).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HwConfig {
    /// `none` (no relays: a PC, or an amplifier always on) or `pi` (GPIO through rppal,
    /// in builds with the `pi` feature). Default `none`.
    pub gpio: String,
    /// GPIO of the amplifier's power relay.
    pub amplifier_pin: Option<u8>,
    /// Seconds the amplifier needs after power-on before the first sample. Default 2.
    pub amplifier_warmup_seconds: f32,
    /// Seconds the amplifier stays on after the last sample. Default 30.
    pub amplifier_hold_seconds: f32,
    /// GPIO of the emergency push button (to ground, pulled up).
    pub emergency_button_pin: Option<u8>,
    /// Zone (thôn) name → GPIO of its relay.
    pub zones: std::collections::BTreeMap<String, u8>,
}

impl Default for HwConfig {
    fn default() -> Self {
        HwConfig {
            gpio: "none".into(),
            amplifier_pin: None,
            amplifier_warmup_seconds: 2.0,
            amplifier_hold_seconds: 30.0,
            emergency_button_pin: None,
            zones: std::collections::BTreeMap::new(),
        }
    }
}

/// `[schedule]`: the programme files and the runner's timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Folder of `*.toml` slot and holiday files. Default `schedules`.
    pub schedules_dir: PathBuf,
    /// Folder of `*.toml` playlists. Default `playlists`.
    pub playlists_dir: PathBuf,
    /// A cue may start this many minutes late and still air; later it is logged missed.
    /// Default 10.
    pub grace_minutes: u32,
    /// Wake this many seconds before a slot (amplifier warm-up, opening the first file).
    /// Default 3.
    pub preroll_seconds: u32,
    /// Air nothing until the system clock is synchronised (a Pi has no battery clock).
    /// Default true; machines without systemd's timedatectl are treated as synchronised.
    pub require_time_sync: bool,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            schedules_dir: PathBuf::from("schedules"),
            playlists_dir: PathBuf::from("playlists"),
            grace_minutes: 10,
            preroll_seconds: 3,
            require_time_sync: true,
        }
    }
}

/// `[audio]`: where sound goes and in what format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioConfig {
    /// `device` (default sound card), `device:NAME` (see `loaxa devices`), `wav:PATH` or
    /// `null`. Default `device`.
    pub output: String,
    /// Output sample rate asked of the card. Default 48000.
    pub sample_rate: u32,
    /// Channels the engine works in. Default 1: loudspeaker lines are mono, and a stereo
    /// recording summed to mono never loses what was panned to the side the amplifier does
    /// not take. A card that only opens in stereo gets the mono signal on both sides.
    pub channels: u16,
    /// Master gain in dB applied to everything. Default 0.
    pub gain_db: f32,
}

/// `[web]`: the browser interface and API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Address and port to listen on. Default `0.0.0.0:8080` (the whole LAN).
    pub listen: String,
    /// Largest upload, in MB. Default 200 (a three-hour MP3).
    pub max_upload_mb: u64,
    /// How long a sign-in lasts, in hours. Default 12 (a working day).
    pub session_hours: u32,
    /// Mark cookies `Secure`: set when the UI is served over HTTPS (a reverse proxy).
    /// Default false; requests arriving with `X-Forwarded-Proto: https` get it anyway.
    pub secure_cookies: bool,
    /// Uploads are refused while less than this many MB would stay free on the data disk, so
    /// the database and the as-run log always have room. Default 128.
    pub min_free_mb: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            timezone: "Asia/Ho_Chi_Minh".into(),
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
        }
    }
}

impl Default for AudioConfig {
    fn default() -> Self {
        AudioConfig {
            output: "device".into(),
            sample_rate: 48_000,
            channels: 1,
            gain_db: 0.0,
        }
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            listen: "0.0.0.0:8080".into(),
            max_upload_mb: 200,
            session_hours: 12,
            secure_cookies: false,
            min_free_mb: 128,
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

    fn locate(&self, key: &str, message: String, fix: String) -> Problem {
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
            Some(src) => src.problem(&path, format!("{key}: {message}"), fix),
            None => Problem {
                file: "(mặc định / defaults)".into(),
                line: None,
                message: format!("{key}: {message}"),
                fix,
            },
        }
    }
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
                message: format!("không đọc được tệp cấu hình / cannot read the config: {e}"),
                fix: "kiểm tra đường dẫn --config / check the --config path".into(),
            }])
        })?),
        None if Path::new(DEFAULT_FILE).exists() => SourceText::read(Path::new(DEFAULT_FILE)).ok(),
        None => None,
    };
    let config = match &source {
        Some(src) => toml::from_str::<Config>(&src.text).map_err(|e| {
            ConfigError(vec![src.parse_problem(
                &e,
                "sửa theo deploy/loaxa.example.toml / fix it after deploy/loaxa.example.toml",
            )])
        })?,
        None => Config::default(),
    };
    let (mut config, from_env) = apply_env(config, &env)?;
    if let Some(dir) = source.as_ref().and_then(|s| Path::new(&s.name).parent()) {
        config.resolve_paths(dir);
    }
    Ok(Loaded {
        config,
        source,
        from_env,
    })
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
                message: "biến môi trường không ứng với khoá cấu hình nào / no config key has this name".into(),
                fix: "xem danh sách khoá trong deploy/loaxa.example.toml / see the keys in deploy/loaxa.example.toml".into(),
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
    let config = table.try_into::<Config>().map_err(|e| {
        ConfigError(vec![Problem {
            file: set
                .iter()
                .map(|k| env_name(k))
                .collect::<Vec<_>>()
                .join(", "),
            line: None,
            message: e.message().trim().to_string(),
            fix: "sửa giá trị biến môi trường / correct the variable's value".into(),
        }])
    })?;
    Ok((config, set))
}

/// A config that cannot be turned into a table (a bug, not the user's doing): said as it is.
fn unserializable(e: toml::ser::Error) -> ConfigError {
    ConfigError(vec![Problem {
        file: "config".into(),
        line: None,
        message: e.to_string(),
        fix: String::new(),
    }])
}

/// The default config with every optional key given a value, so that the environment can
/// set keys that have no default (the GPIO pins, the HUB75 slowdown).
fn every_key_set() -> Config {
    let mut config = Config::default();
    config.hw.amplifier_pin = Some(0);
    config.hw.emergency_button_pin = Some(0);
    config.display.hub75.slowdown = Some(0);
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
    /// Problems with the values, as (dotted key, what is wrong, how to fix it).
    pub fn problems(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let mut bad = |key: &str, message: String, fix: &str| {
            out.push((key.to_string(), message, fix.to_string()));
        };
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            bad(
                "timezone",
                format!(
                    "không biết múi giờ \"{}\" / unknown time zone",
                    self.timezone
                ),
                "dùng tên IANA, ví dụ \"Asia/Ho_Chi_Minh\" / use an IANA name such as \"Asia/Ho_Chi_Minh\"",
            );
        }
        if let Err(e) = self.audio.output.parse::<OutputSpec>() {
            bad(
                "audio.output",
                e.to_string(),
                "ví dụ output = \"device\" / e.g. output = \"device\"",
            );
        }
        if !(8_000..=192_000).contains(&self.audio.sample_rate) {
            bad(
                "audio.sample_rate",
                format!(
                    "{} Hz nằm ngoài 8000–192000 / is outside 8000–192000",
                    self.audio.sample_rate
                ),
                "thường là 48000 / usually 48000",
            );
        }
        if !(1..=8).contains(&self.audio.channels) {
            bad(
                "audio.channels",
                format!("{} kênh / channels", self.audio.channels),
                "dùng 1 (mono) hoặc 2 (stereo) / use 1 (mono) or 2 (stereo)",
            );
        }
        if !(-60.0..=20.0).contains(&self.audio.gain_db) {
            bad(
                "audio.gain_db",
                format!(
                    "{} dB nằm ngoài −60…+20 / is outside −60…+20",
                    self.audio.gain_db
                ),
                "thường là 0 / usually 0",
            );
        }
        let l = &self.loudness;
        if !(-40.0..=-5.0).contains(&l.target_lufs) {
            bad(
                "loudness.target_lufs",
                format!(
                    "{} LUFS nằm ngoài −40…−5 / is outside −40…−5",
                    l.target_lufs
                ),
                "loa truyền thanh thường dùng −18 / public address usually uses −18",
            );
        }
        if !(-12.0..=0.0).contains(&l.ceiling_dbtp) {
            bad(
                "loudness.ceiling_dbtp",
                format!("{} dBTP nằm ngoài −12…0 / is outside −12…0", l.ceiling_dbtp),
                "thường là −1 / usually −1",
            );
        }
        if !(0.0..=40.0).contains(&l.max_boost_db) {
            bad(
                "loudness.max_boost_db",
                format!("{} dB nằm ngoài 0…40 / is outside 0…40", l.max_boost_db),
                "thường là 20 / usually 20",
            );
        }
        if self.schedule.grace_minutes > 120 {
            bad(
                "schedule.grace_minutes",
                format!("{} phút / minutes", self.schedule.grace_minutes),
                "dùng 0…120, thường là 10 / use 0…120, usually 10",
            );
        }
        if !(1..=60).contains(&self.schedule.preroll_seconds) {
            bad(
                "schedule.preroll_seconds",
                format!("{} giây / seconds", self.schedule.preroll_seconds),
                "dùng 1…60, thường là 3 / use 1…60, usually 3",
            );
        }
        if !matches!(self.hw.gpio.as_str(), "none" | "pi") {
            bad(
                "hw.gpio",
                format!("\"{}\" không hợp lệ / is not valid", self.hw.gpio),
                "dùng \"none\" hoặc \"pi\" / use \"none\" or \"pi\"",
            );
        }
        if !(0.0..=60.0).contains(&self.hw.amplifier_warmup_seconds)
            || !(0.0..=3600.0).contains(&self.hw.amplifier_hold_seconds)
        {
            bad(
                "hw.amplifier_warmup_seconds",
                "thời gian khởi động 0–60 s, giữ 0–3600 s / warm-up 0–60 s, hold 0–3600 s".into(),
                "thường là 2 và 30 / usually 2 and 30",
            );
        }
        let mut pins: Vec<u8> = self
            .hw
            .zones
            .values()
            .copied()
            .chain(self.hw.amplifier_pin)
            .chain(self.hw.emergency_button_pin)
            .collect();
        pins.sort_unstable();
        if pins.windows(2).any(|w| w[0] == w[1]) || pins.iter().any(|p| *p > 27) {
            bad(
                "hw.zones",
                format!(
                    "chân GPIO trùng hoặc ngoài 0–27: {pins:?} / duplicate or out-of-range GPIO pins"
                ),
                "mỗi rơ-le và nút một chân BCM riêng từ 0 đến 27 / one BCM pin from 0 to 27 for each relay and button",
            );
        }
        if let Err(e) = self
            .display
            .output
            .parse::<crate::display::panel::PanelOutput>()
        {
            bad(
                "display.output",
                e,
                "ví dụ output = \"none\" hoặc \"fbdev\" / e.g. output = \"none\" or \"fbdev\"",
            );
        }
        if !(8..=4096).contains(&self.display.width) || !(8..=4096).contains(&self.display.height) {
            bad(
                "display.width",
                format!(
                    "bảng LED {}×{} nằm ngoài 8…4096 điểm mỗi chiều / a {}×{} panel is outside 8…4096 LEDs each way",
                    self.display.width,
                    self.display.height,
                    self.display.width,
                    self.display.height
                ),
                "sáu module P10 là 192×32 / six P10 modules make 192×32",
            );
        }
        if !(1..=120).contains(&self.display.fps) {
            bad(
                "display.fps",
                format!("{} khung hình/giây / frames per second", self.display.fps),
                "dùng 1…120, thường là 30 / use 1…120, usually 30",
            );
        }
        if !(-20.0..=12.0).contains(&self.emergency.gain_db) {
            bad(
                "emergency.gain_db",
                format!(
                    "{} dB nằm ngoài −20…+12 / is outside −20…+12",
                    self.emergency.gain_db
                ),
                "thường là +3 / usually +3",
            );
        }
        if !(1..=4096).contains(&self.web.max_upload_mb) {
            bad(
                "web.max_upload_mb",
                format!(
                    "{} MB nằm ngoài 1…4096 / is outside 1…4096",
                    self.web.max_upload_mb
                ),
                "thường là 200 / usually 200",
            );
        }
        if !(1..=24 * 30).contains(&self.web.session_hours) {
            bad(
                "web.session_hours",
                format!("{} giờ / hours", self.web.session_hours),
                "dùng 1…720, thường là 12 / use 1…720, usually 12",
            );
        }
        if self.web.listen.parse::<SocketAddr>().is_err() {
            bad(
                "web.listen",
                format!(
                    "\"{}\" không phải địa chỉ:cổng / is not address:port",
                    self.web.listen
                ),
                "ví dụ \"0.0.0.0:8080\" / e.g. \"0.0.0.0:8080\"",
            );
        }
        out.extend(self.cluster.problems());
        out.extend(self.speech.problems(&self.emergency.tts_command));
        out
    }

    /// Make relative folders relative to `base` (the config file's folder), so a config in
    /// `/etc/loaxa` means the same whatever the working directory.
    pub fn resolve_paths(&mut self, base: &Path) {
        for p in [
            &mut self.data_dir,
            &mut self.schedule.schedules_dir,
            &mut self.schedule.playlists_dir,
        ] {
            if p.is_relative() && !base.as_os_str().is_empty() {
                *p = base.join(&*p);
            }
        }
        let abbreviations = &mut self.speech.abbreviations;
        if !abbreviations.as_os_str().is_empty() && abbreviations.is_relative() {
            *abbreviations = base.join(&*abbreviations);
        }
        if let Some(png) = self.display.output.strip_prefix("png:")
            && Path::new(png).is_relative()
            && !base.as_os_str().is_empty()
        {
            self.display.output = format!("png:{}", base.join(png).display());
        }
        self.cluster.resolve_paths(base);
    }

    /// The output, once `problems` has found none.
    pub fn output(&self) -> Result<OutputSpec, crate::audio::sink::SinkError> {
        self.audio.output.parse()
    }

    /// The output format to ask for.
    pub fn output_format(&self) -> AudioFormat {
        AudioFormat {
            sample_rate: self.audio.sample_rate,
            channels: self.audio.channels,
        }
    }

    /// The commune's time zone (Vietnam's when the name is wrong; `check` reports that).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone
            .parse()
            .unwrap_or(chrono_tz::Asia::Ho_Chi_Minh)
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
        assert_eq!(l.config.audio.output, "wav:/tmp/x.wav");
        assert!(l.from_env.contains("audio.output"));
    }

    #[test]
    fn bad_value_names_file_line_and_fix() {
        let l = load_text(
            "timezone = \"Asia/Ho_Chi_Minh\"\n\n[audio]\noutput = \"loa\"\n",
            &[],
        )
        .unwrap();
        let p = l.problems();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].line, Some(4));
        assert!(p[0].to_string().contains("loaxa.toml:4"), "{}", p[0]);
        assert!(p[0].fix.contains("device"));
    }

    #[test]
    fn unknown_key_is_a_parse_problem_with_its_line() {
        let err = load_text("[audio]\nouput = \"null\"\n", &[]).unwrap_err();
        assert_eq!(err.0[0].line, Some(2));
        assert!(err.0[0].message.contains("ouput"));
    }

    #[test]
    fn bad_env_value_names_the_variable() {
        let l = load_text("", &[("LOAXA_WEB_LISTEN", "khong-phai-dia-chi")]).unwrap();
        let p = l.problems();
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
