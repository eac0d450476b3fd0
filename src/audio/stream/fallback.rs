//! What a relay airs while its stream is out: a clip (the station jingle, a recording) in the
//! output's format, from its start at each outage, repeated after a second's pause for as long
//! as the outage lasts; silence when the relay has none.

use std::collections::VecDeque;

use crate::audio::clip::Clip;
use crate::audio::convert::{AudioFormat, Converter};

/// Silence between two airings of the clip, in seconds.
const REPEAT_GAP_SECONDS: f64 = 1.0;
/// Frames handed to the converter at a time.
const STEP_FRAMES: usize = 4096;

/// A clip looped in the output format, or silence.
pub(super) struct Fallback {
    clip: Option<Clip>,
    format: AudioFormat,
    converter: Option<Converter>,
    /// Next sample of the clip to convert.
    pos: usize,
    /// Converted samples not yet played.
    pending: VecDeque<f32>,
}

impl Fallback {
    /// A fallback playing `clip` (converted to `format`), or silence.
    pub(super) fn new(clip: Option<Clip>, format: AudioFormat) -> Fallback {
        let clip = clip.filter(|c| !c.samples.is_empty() && c.format.channels > 0);
        let mut f = Fallback {
            clip,
            format,
            converter: None,
            pos: 0,
            pending: VecDeque::new(),
        };
        f.restart();
        f
    }

    /// From the clip's start (a new outage).
    pub(super) fn restart(&mut self) {
        self.pos = 0;
        self.pending.clear();
        self.converter = self.clip.as_ref().and_then(|c| {
            Converter::new(c.format, self.format)
                .inspect_err(|e| tracing::warn!("{e}"))
                .ok()
        });
    }

    /// Append `n` samples of the fallback to `out`.
    pub(super) fn fill(&mut self, n: usize, out: &mut Vec<f32>) {
        while self.pending.len() < n {
            if !self.convert_more() {
                out.resize(out.len() + n, 0.0);
                return;
            }
        }
        out.extend(self.pending.drain(..n));
    }

    /// Convert the next step of the clip, or the pause and the start again; false when there
    /// is no clip to play.
    fn convert_more(&mut self) -> bool {
        let (Some(clip), Some(converter)) = (self.clip.as_ref(), self.converter.as_mut()) else {
            return false;
        };
        let channels = usize::from(clip.format.channels);
        if self.pos < clip.samples.len() {
            let end = (self.pos + STEP_FRAMES * channels).min(clip.samples.len());
            self.pending.extend(
                converter
                    .process(&clip.samples[self.pos..end])
                    .iter()
                    .copied(),
            );
            self.pos = end;
            return true;
        }
        self.pending.extend(converter.finish().iter().copied());
        let gap = (REPEAT_GAP_SECONDS * f64::from(self.format.sample_rate)) as usize
            * usize::from(self.format.channels);
        self.pending.extend(std::iter::repeat_n(0.0, gap));
        let pending = std::mem::take(&mut self.pending);
        self.restart();
        self.pending = pending;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, seconds: f32) -> Clip {
        let samples: Vec<f32> = (0..(rate as f32 * seconds) as usize)
            .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin() * 0.5)
            .collect();
        Clip {
            format: AudioFormat {
                sample_rate: rate,
                channels: 1,
            },
            samples: samples.into(),
        }
    }

    const OUT: AudioFormat = AudioFormat {
        sample_rate: 48_000,
        channels: 2,
    };

    #[test]
    fn the_clip_plays_converted_then_a_pause_then_again() {
        let mut f = Fallback::new(Some(tone(22_050, 0.5)), OUT);
        let mut out = Vec::new();
        // 0.5 s of clip, 1 s of pause, 0.5 s of clip again: 2 s in 10 ms pieces.
        for _ in 0..200 {
            f.fill(960, &mut out);
        }
        assert_eq!(out.len(), 2 * 48_000 * 2);
        let loud = |from: f64, to: f64| {
            let a = (from * 96_000.0) as usize;
            let b = (to * 96_000.0) as usize;
            out[a..b].iter().fold(0f32, |m, s| m.max(s.abs()))
        };
        assert!(loud(0.05, 0.45) > 0.4, "the clip");
        assert!(loud(0.6, 1.4) < 0.01, "the pause");
        assert!(loud(1.55, 1.95) > 0.4, "the clip again");
    }

    #[test]
    fn no_clip_is_silence_and_a_restart_starts_from_the_top() {
        let mut silent = Fallback::new(None, OUT);
        let mut out = Vec::new();
        silent.fill(960, &mut out);
        assert_eq!(out, vec![0.0; 960]);
        let mut f = Fallback::new(Some(tone(48_000, 1.0)), OUT);
        let mut first = Vec::new();
        f.fill(960, &mut first);
        let mut more = Vec::new();
        f.fill(960 * 10, &mut more);
        f.restart();
        let mut again = Vec::new();
        f.fill(960, &mut again);
        assert_eq!(first, again);
    }
}
