//! `[speech]`: the voice, its rate and the commune's abbreviations, shared by the emergency's
//! typed text, typed bulletins and `loaxa speak`. Also the check of a custom
//! `emergency.tts_command`, which must leave the text out of its arguments. It does not run a voice
//! or read the abbreviations file: the speech engine does when it is built.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Said;
use crate::model::said;

use super::voice::command_problem;
use super::{Abbreviations, RATES, Voice};

/// `[speech]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpeechConfig {
    /// `vi` (Northern, default), `vi-central`, `vi-south` (espeak-ng's Vietnamese voices), or
    /// `piper:/PATH/voice.onnx` (a Piper model with its `.onnx.json`, run by `piper` from
    /// `pip install piper-tts`).
    pub voice: String,
    /// Words per minute, 80–450. Default 140, a calm announcer's pace.
    pub rate: u16,
    /// A TOML file of the commune's own abbreviations (`HTX = "hợp tác xã"`), over the
    /// built-in table; relative to the config file. Empty: the built-in table only.
    pub abbreviations: PathBuf,
    /// Longest a voice may take to read one text, in seconds. Default 120.
    pub timeout_seconds: u32,
}

impl Default for SpeechConfig {
    fn default() -> Self {
        SpeechConfig {
            voice: "vi".into(),
            rate: super::NATURAL_RATE,
            abbreviations: PathBuf::new(),
            timeout_seconds: 120,
        }
    }
}

/// The `emergency.tts_command` shipped before the engine took the text on stdin; a config
/// that still has it reads with `[speech]` instead, which says the same in the same voice.
pub const LEGACY_TTS_COMMAND: [&str; 8] = [
    "espeak-ng",
    "-v",
    "vi",
    "-s",
    "140",
    "-w",
    "{out}",
    "{text}",
];

/// Whether `command` is the old default, meaning "the built-in voice".
pub fn is_legacy_default(command: &[String]) -> bool {
    command.len() == LEGACY_TTS_COMMAND.len()
        && command.iter().zip(LEGACY_TTS_COMMAND).all(|(a, b)| a == b)
}

/// The custom voice an `emergency.tts_command` asks for, if any.
pub fn custom_voice(command: &[String]) -> Option<Voice> {
    (!command.is_empty() && !is_legacy_default(command)).then(|| Voice::Command(command.to_vec()))
}

impl SpeechConfig {
    /// The abbreviations file, if one is set.
    pub fn abbreviations_file(&self) -> Option<&Path> {
        (!self.abbreviations.as_os_str().is_empty()).then_some(self.abbreviations.as_path())
    }

    /// Problems with `[speech]` and with `tts_command`, as (key, what is wrong, how to fix).
    pub fn problems(&self, tts_command: &[String]) -> Vec<(String, Said, Said)> {
        let mut out = Vec::new();
        let mut bad = |key: &str, message: Said, fix: Said| {
            out.push((key.to_string(), message, fix));
        };
        if let Err(e) = self.voice.parse::<Voice>() {
            bad(
                "speech.voice",
                e,
                said!(
                    "ví dụ voice = \"vi\" hoặc \"piper:/var/lib/loaxa/voices/vi_VN.onnx\"",
                    "e.g. voice = \"vi\""
                ),
            );
        }
        let (rate, timeout) = (self.rate, self.timeout_seconds);
        if !RATES.contains(&rate) {
            bad(
                "speech.rate",
                said!(
                    "{rate} từ/phút nằm ngoài 80–450",
                    "{rate} words per minute is outside 80–450"
                ),
                said!("thường là 140", "usually 140"),
            );
        }
        if let Some(path) = self.abbreviations_file()
            && let Err(e) = Abbreviations::with_file(path)
        {
            bad(
                "speech.abbreviations",
                e.said(),
                said!(
                    "mỗi dòng một mục: UBND = \"ủy ban nhân dân\"",
                    "one entry a line: UBND = \"ủy ban nhân dân\""
                ),
            );
        }
        if !(5..=3600).contains(&timeout) {
            bad(
                "speech.timeout_seconds",
                said!("{timeout} giây", "{timeout} seconds"),
                said!("dùng 5…3600, thường là 120", "use 5…3600, usually 120"),
            );
        }
        if let Some(Voice::Command(command)) = custom_voice(tts_command)
            && let Some(problem) = command_problem(&command)
        {
            bad(
                "emergency.tts_command",
                problem,
                Said::new(
                    "văn bản đi vào stdin, {out} là tệp WAV, ví dụ [\"espeak-ng\", \"-v\", \"vi\", \"-w\", \"{out}\", \"--stdin\"]; hoặc bỏ khoá này để dùng [speech]",
                    "the text goes on stdin, {out} is the WAV, e.g. [\"espeak-ng\", \"-v\", \"vi\", \"-w\", \"{out}\", \"--stdin\"]; or drop the key to use [speech]",
                ),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_voice_rate_or_command_is_said_in_each_language_apart() {
        let speech = SpeechConfig {
            voice: "robot".into(),
            rate: 10,
            timeout_seconds: 1,
            ..SpeechConfig::default()
        };
        let command = ["say".to_string(), "--text={text}".to_string()];
        let found = speech.problems(&command);
        let keys: Vec<&str> = found.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "speech.voice",
                "speech.rate",
                "speech.timeout_seconds",
                "emergency.tts_command"
            ]
        );
        assert!(
            found[1].1.en().starts_with("10 words per minute"),
            "{:?}",
            found[1]
        );
        for (_, message, fix) in &found {
            crate::config::assert_one_language(message);
            crate::config::assert_one_language(fix);
        }
    }
}
