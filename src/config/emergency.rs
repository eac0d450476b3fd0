//! `[emergency]`: how an emergency sounds, and which CAP alerts this commune answers.

use serde::{Deserialize, Serialize};

use super::{Findings, bad};

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

impl EmergencyConfig {
    /// What is wrong in `[emergency]` (its text-to-speech command is `[speech]`'s to check).
    pub fn problems(&self) -> Findings {
        let mut out = Findings::new();
        if !(-20.0..=12.0).contains(&self.gain_db) {
            bad(
                &mut out,
                "emergency.gain_db",
                format!("{} dB nằm ngoài −20…+12 / is outside −20…+12", self.gain_db),
                "thường là +3 / usually +3",
            );
        }
        out
    }
}
