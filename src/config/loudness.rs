//! `[loudness]`: the level every item plays at. What it means for one recording (its gain and
//! warnings) is decided in `media::policy`. No recording is measured here.

use serde::{Deserialize, Serialize};

use super::{Findings, bad};
use crate::model::said;

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
        let (target, ceiling, boost) = (self.target_lufs, self.ceiling_dbtp, self.max_boost_db);
        if !(-40.0..=-5.0).contains(&target) {
            bad(
                &mut out,
                "loudness.target_lufs",
                said!(
                    "{target} LUFS nằm ngoài −40…−5",
                    "{target} LUFS is outside −40…−5"
                ),
                said!(
                    "loa truyền thanh thường dùng −18",
                    "public address usually uses −18"
                ),
            );
        }
        if !(-12.0..=0.0).contains(&ceiling) {
            bad(
                &mut out,
                "loudness.ceiling_dbtp",
                said!(
                    "{ceiling} dBTP nằm ngoài −12…0",
                    "{ceiling} dBTP is outside −12…0"
                ),
                said!("thường là −1", "usually −1"),
            );
        }
        if !(0.0..=40.0).contains(&boost) {
            bad(
                &mut out,
                "loudness.max_boost_db",
                said!("{boost} dB nằm ngoài 0…40", "{boost} dB is outside 0…40"),
                said!("thường là 20", "usually 20"),
            );
        }
        out
    }
}
