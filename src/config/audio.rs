//! `[audio]` and `[on_air]`: where sound goes, in what format, and what an item that something
//! more urgent cut off does next. Only the keys and their checks live here: the player opens the
//! output.

use serde::{Deserialize, Serialize};

use super::values::{AfterPreemption, OutputSpec, as_text};
use super::{Findings, bad};
use crate::model::said;

/// `[audio]`: where sound goes and in what format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioConfig {
    /// `device` (default sound card), `device:NAME` (see `loaxa devices`), `wav:PATH` or
    /// `null`. Default `device`.
    #[serde(with = "as_text")]
    pub output: OutputSpec,
    /// Output sample rate asked of the card. Default 48000.
    pub sample_rate: u32,
    /// Channels the engine works in. Default 1: loudspeaker lines are mono, and a stereo
    /// recording summed to mono never loses what was panned to the side the amplifier does
    /// not take. A card that only opens in stereo gets the mono signal on both sides.
    pub channels: u16,
    /// Master gain in dB applied to everything. Default 0.
    pub gain_db: f32,
    /// When the output cannot open (no sound card), air into the "Nghe / Listen" stream
    /// alone, paced like a card, and say so on the dashboard, instead of failing every play.
    /// Default false (a station without its speakers must say it cannot air); `serve --demo`
    /// turns it on so a newcomer's laptop hears the demo.
    pub listen_alone: bool,
}

impl Default for AudioConfig {
    fn default() -> Self {
        AudioConfig {
            output: OutputSpec::Device(None),
            sample_rate: 48_000,
            channels: 1,
            gain_db: 0.0,
            listen_alone: false,
        }
    }
}

impl AudioConfig {
    /// What is wrong in `[audio]`.
    pub fn problems(&self) -> Findings {
        let mut out = Findings::new();
        let rate = self.sample_rate;
        if !(8_000..=192_000).contains(&rate) {
            bad(
                &mut out,
                "audio.sample_rate",
                said!(
                    "{rate} Hz nằm ngoài 8000–192000",
                    "{rate} Hz is outside 8000–192000"
                ),
                said!("thường là 48000", "usually 48000"),
            );
        }
        let channels = self.channels;
        if !(1..=8).contains(&channels) {
            bad(
                &mut out,
                "audio.channels",
                said!("{channels} kênh", "{channels} channels"),
                said!(
                    "dùng 1 (mono) hoặc 2 (stereo)",
                    "use 1 (mono) or 2 (stereo)"
                ),
            );
        }
        let gain = self.gain_db;
        if !(-60.0..=20.0).contains(&gain) {
            bad(
                &mut out,
                "audio.gain_db",
                said!(
                    "{gain} dB nằm ngoài −60…+20",
                    "{gain} dB is outside −60…+20"
                ),
                said!("thường là 0", "usually 0"),
            );
        }
        out
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
