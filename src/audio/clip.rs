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
}
