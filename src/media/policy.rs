//! The loudness policy: every item plays at one loudness, so a quiet phone memo and a loud
//! studio file sound alike on the village speakers. Pure: it does not read files or the database;
//! the library applies its verdict.

use serde::Serialize;

use crate::config::LoudnessPolicy;
use crate::model::Analysis;
use crate::model::Said;
use crate::model::said;

/// The gain a recording plays at, and what the user should know about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leveling {
    /// Gain to apply at playback, in dB (before the limiter).
    pub gain_db: f64,
    /// What the user should know about it (too quiet, peaky), in each language.
    pub warnings: Vec<Said>,
}

/// A recording the policy refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.said())]
pub enum PolicyError {
    /// Nothing audible in it.
    Silent,
}

impl PolicyError {
    /// Why the recording is refused, in each language.
    pub fn said(&self) -> Said {
        match self {
            PolicyError::Silent => said!(
                "bản ghi im lặng (không có âm thanh nghe được) — hãy kiểm tra micrô và ghi lại",
                "the recording is silent (nothing audible) — check the microphone and record again"
            ),
        }
    }
}

// `[loudness]` is the config's; what it means for one recording is decided here.
impl LoudnessPolicy {
    /// Decide the playback gain for a measured recording.
    pub fn level(&self, a: &Analysis) -> Result<Leveling, PolicyError> {
        let loudness = a.integrated_lufs.ok_or(PolicyError::Silent)?;
        let wanted = self.target_lufs - loudness;
        let mut warnings = Vec::new();
        let gain_db = if wanted > self.max_boost_db {
            let most = self.max_boost_db;
            warnings.push(said!(
                "quá nhỏ: cần tăng {wanted:+.1} dB, chỉ được tăng {most:+.1} dB — nên ghi âm lại gần micrô hơn",
                "too quiet: needs {wanted:+.1} dB, boosted {most:+.1} dB only — re-record closer to the microphone"
            ));
            self.max_boost_db
        } else {
            wanted
        };
        if let Some(peak) = a.true_peak_dbtp {
            let over = peak + gain_db - self.ceiling_dbtp;
            if over > 6.0 {
                warnings.push(said!(
                    "đỉnh cao: bộ giới hạn sẽ hạ {over:.1} dB ở các đỉnh",
                    "peaky: the limiter will take {over:.1} dB off the peaks"
                ));
            }
        }
        Ok(Leveling { gain_db, warnings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(lufs: Option<f64>, peak: Option<f64>) -> Analysis {
        Analysis {
            container: "wav".into(),
            codec: "pcm_s16le".into(),
            sample_rate: 16_000,
            channels: 1,
            duration_ms: 1000,
            integrated_lufs: lufs,
            loudness_range_lu: Some(5.0),
            true_peak_dbtp: peak,
            warnings: vec![],
        }
    }

    #[test]
    fn brings_every_recording_to_the_target() {
        let p = LoudnessPolicy::default();
        assert_eq!(
            p.level(&measured(Some(-24.0), Some(-6.0))).unwrap().gain_db,
            6.0
        );
        assert_eq!(
            p.level(&measured(Some(-12.0), Some(0.0))).unwrap().gain_db,
            -6.0
        );
    }

    #[test]
    fn very_quiet_is_capped_and_warned() {
        let l = LoudnessPolicy::default()
            .level(&measured(Some(-45.0), Some(-30.0)))
            .unwrap();
        assert_eq!(l.gain_db, 20.0);
        assert!(
            l.warnings[0]
                .vi()
                .starts_with("quá nhỏ: cần tăng +27.0 dB, chỉ được tăng +20.0 dB")
        );
        assert!(
            l.warnings[0]
                .en()
                .starts_with("too quiet: needs +27.0 dB, boosted +20.0 dB only")
        );
    }

    #[test]
    fn silence_is_refused() {
        assert_eq!(
            LoudnessPolicy::default().level(&measured(None, None)),
            Err(PolicyError::Silent)
        );
    }
}
