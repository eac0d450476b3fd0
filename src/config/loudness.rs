//! `[loudness]`: the level every item plays at. What it means for one recording (its gain and
//! warnings) is decided in `media::policy`. No recording is measured here.

use serde::{Deserialize, Serialize};

use super::{Findings, bad};

/// `[loudness]` in the config.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoudnessPolicy {
    /// Integrated loudness every item plays at, in LUFS. Default −18 (speech on PA systems).
    pub target_lufs: f64,
    /// True-peak ceiling the limiter keeps, in dBTP. Default −1.
    pub ceiling_dbtp: f64,
    /// Most boost a quiet recording gets, in dB; beyond it the item is accepted with a
    /// warning, since more boost mostly amplifies noise. Default 20.
    pub max_boost_db: f64,
}

impl Default for LoudnessPolicy {
    fn default() -> Self {
        LoudnessPolicy {
            target_lufs: -18.0,
            ceiling_dbtp: -1.0,
            max_boost_db: 20.0,
        }
    }
}

impl LoudnessPolicy {
    /// What is wrong in `[loudness]`.
    pub fn problems(&self) -> Findings {
        let mut out = Findings::new();
        if !(-40.0..=-5.0).contains(&self.target_lufs) {
            bad(
                &mut out,
                "loudness.target_lufs",
                format!(
                    "{} LUFS nằm ngoài −40…−5 / is outside −40…−5",
                    self.target_lufs
                ),
                "loa truyền thanh thường dùng −18 / public address usually uses −18",
            );
        }
        if !(-12.0..=0.0).contains(&self.ceiling_dbtp) {
            bad(
                &mut out,
                "loudness.ceiling_dbtp",
                format!(
                    "{} dBTP nằm ngoài −12…0 / is outside −12…0",
                    self.ceiling_dbtp
                ),
                "thường là −1 / usually −1",
            );
        }
        if !(0.0..=40.0).contains(&self.max_boost_db) {
            bad(
                &mut out,
                "loudness.max_boost_db",
                format!("{} dB nằm ngoài 0…40 / is outside 0…40", self.max_boost_db),
                "thường là 20 / usually 20",
            );
        }
        out
    }
}
