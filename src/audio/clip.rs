//! Audio decoded into memory once: the attention chime, and a relay's fallback jingle. A plain
//! type the player and the relay share; it knows how to load itself and nothing about playing.

use std::sync::Arc;

use super::convert::AudioFormat;
use super::decode::{DecodeError, Decoder};

/// Audio in memory, decoded once: it starts without opening a file.
#[derive(Debug, Clone)]
pub struct Clip {
    /// Its format.
    pub format: AudioFormat,
    /// Interleaved samples.
    pub samples: Arc<[f32]>,
}

impl Clip {
    /// Longest clip kept in memory.
    pub const MAX_SECONDS: u32 = 120;

    /// Decode a short recording completely.
    pub fn load(path: &std::path::Path) -> Result<Clip, DecodeError> {
        let mut d = Decoder::open(path)?;
        let mut samples = Vec::new();
        let mut channels = d.info().channels;
        let limit = (d.info().sample_rate * Self::MAX_SECONDS) as usize;
        while let Some(block) = d.next_block()? {
            channels = block.channels;
            samples.extend_from_slice(block.samples);
            if samples.len() / usize::from(channels.max(1)) > limit {
                break;
            }
        }
        Ok(Clip {
            format: AudioFormat {
                sample_rate: d.info().sample_rate,
                channels: channels.max(1),
            },
            samples: samples.into(),
        })
    }

    /// The same audio `gain_db` louder (or quieter): a recording's loudness correction, applied
    /// once, so that a relay's fallback clips play at the level the library measured for them.
    pub fn with_gain(&self, gain_db: f64) -> Clip {
        if gain_db == 0.0 {
            return self.clone();
        }
        let factor = super::gain::db_to_linear(gain_db as f32);
        Clip {
            format: self.format,
            samples: self.samples.iter().map(|s| s * factor).collect(),
        }
    }

    /// Its length.
    pub fn duration(&self) -> std::time::Duration {
        let frames = self.samples.len() / usize::from(self.format.channels.max(1));
        std::time::Duration::from_secs_f64(
            frames as f64 / f64::from(self.format.sample_rate.max(1)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gain_scales_every_sample_and_the_length_is_in_frames() {
        let clip = Clip {
            format: AudioFormat {
                sample_rate: 8_000,
                channels: 2,
            },
            samples: vec![0.5; 16_000].into(),
        };
        assert_eq!(clip.duration(), std::time::Duration::from_secs(1));
        let quieter = clip.with_gain(-6.0206);
        assert!(quieter.samples.iter().all(|s| (s - 0.25).abs() < 1e-4));
        assert_eq!(clip.with_gain(0.0).samples, clip.samples);
    }
}
