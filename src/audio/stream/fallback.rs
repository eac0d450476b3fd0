//! What a relay airs while its stream is out: its clips (the station jingle, or a category's
//! recordings) in the output's format, one after the other from the first at each outage, a
//! second's pause after each, round again for as long as the outage lasts; silence when the
//! relay has none. It does not load files or watch the stream: the relay's clips come decoded, and
//! the monitor says when to use them.

use std::collections::VecDeque;

use crate::audio::clip::Clip;
use crate::audio::convert::{AudioFormat, Converter};

/// Silence after each airing of a clip, in seconds.
const REPEAT_GAP_SECONDS: f64 = 1.0;
/// Frames handed to the converter at a time.
const STEP_FRAMES: usize = 4096;

/// Clips played in turn in the output format, or silence.
pub(super) struct Fallback {
    clips: Vec<Clip>,
    format: AudioFormat,
    /// The clip playing now.
    current: usize,
    converter: Option<Converter>,
    /// Next sample of the current clip to convert.
    pos: usize,
    /// Converted samples not yet played.
    pending: VecDeque<f32>,
}

impl Fallback {
    /// A fallback playing `clips` in turn (converted to `format`), or silence without any.
    pub(super) fn new(clips: Vec<Clip>, format: AudioFormat) -> Fallback {
        let clips = clips
            .into_iter()
            .filter(|c| !c.samples.is_empty() && c.format.channels > 0)
            .collect();
        let mut f = Fallback {
            clips,
            format,
            current: 0,
            converter: None,
            pos: 0,
            pending: VecDeque::new(),
        };
        f.restart();
        f
    }

    /// From the first clip's start (a new outage).
    pub(super) fn restart(&mut self) {
        self.pending.clear();
        self.start_clip(0);
    }

    /// Get clip `index` ready to convert from its start.
    fn start_clip(&mut self, index: usize) {
        self.current = index;
        self.pos = 0;
        self.converter = self.clips.get(index).and_then(|c| {
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

    /// Convert the next step of the current clip, or its end, the pause and the next clip;
    /// false when there is nothing to play.
    fn convert_more(&mut self) -> bool {
        let (Some(clip), Some(converter)) = (self.clips.get(self.current), self.converter.as_mut())
        else {
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
        self.start_clip((self.current + 1) % self.clips.len());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, freq: f32, seconds: f32) -> Clip {
        let samples: Vec<f32> = (0..(rate as f32 * seconds) as usize)
            .map(|i| (i as f32 * freq * std::f32::consts::TAU / rate as f32).sin() * 0.5)
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
        let mut f = Fallback::new(vec![tone(22_050, 440.0, 0.5)], OUT);
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
        let mut silent = Fallback::new(Vec::new(), OUT);
        let mut out = Vec::new();
        silent.fill(960, &mut out);
        assert_eq!(out, vec![0.0; 960]);
        let mut f = Fallback::new(vec![tone(48_000, 440.0, 1.0)], OUT);
        let mut first = Vec::new();
        f.fill(960, &mut first);
        let mut more = Vec::new();
        f.fill(960 * 10, &mut more);
        f.restart();
        let mut again = Vec::new();
        f.fill(960, &mut again);
        assert_eq!(first, again);
    }

    #[test]
    fn several_clips_play_in_turn_each_after_a_pause_and_a_restart_is_the_first_again() {
        let (a, b) = (tone(48_000, 500.0, 0.5), tone(22_050, 2000.0, 0.5));
        let mut f = Fallback::new(vec![a, b], OUT);
        let mut out = Vec::new();
        // a (0.5 s), pause (1 s), b (0.5 s), pause (1 s), a again.
        for _ in 0..360 {
            f.fill(960, &mut out);
        }
        let mono: Vec<f32> = out.chunks(2).map(|c| c[0]).collect();
        let crossings = |from: f64, to: f64| {
            let w = &mono[(from * 48_000.0) as usize..(to * 48_000.0) as usize];
            let n = w
                .windows(2)
                .filter(|p| (p[0] >= 0.0) != (p[1] >= 0.0))
                .count();
            n as f64 / (2.0 * (to - from))
        };
        assert!((crossings(0.1, 0.4) - 500.0).abs() < 10.0, "the first clip");
        assert!((crossings(1.6, 1.9) - 2000.0).abs() < 20.0, "the second");
        assert!(
            (crossings(3.1, 3.4) - 500.0).abs() < 10.0,
            "the first again"
        );
        f.restart();
        let mut again = Vec::new();
        f.fill(960 * 20, &mut again);
        assert_eq!(&again[..], &out[..960 * 20]);
    }
}
