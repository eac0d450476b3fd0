//! Level: the gain an item plays at, and the limiter that keeps its true peaks under the
//! ceiling, applied after conversion to the output format.
//!
//! The limiter looks 5 ms ahead: each sample's true (inter-sample) peak is estimated by 4×
//! interpolation, the gain needed to keep it under the ceiling is known before the sample is
//! played, and the gain glides down to it in time and recovers slowly (150 ms) afterwards, so
//! loud syllables are tamed without clicks. Audio that stays under the ceiling passes unchanged.
//! Pure arithmetic on samples: it does not decode, convert or write to an output.

use std::collections::VecDeque;

/// Convert decibels to a linear amplitude factor.
pub fn db_to_linear(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// Convert a linear amplitude factor to decibels.
pub fn linear_to_db(linear: f32) -> f32 {
    20.0 * linear.max(1e-10).log10()
}

/// How far ahead the limiter looks.
const LOOKAHEAD_S: f32 = 0.005;
/// How fast the limiter lets go once a peak has passed.
const RELEASE_S: f32 = 0.150;
/// Samples either side the true-peak interpolator uses.
const HALF_TAPS: usize = 4;

/// Gain, then (optionally) true-peak limiting, on interleaved audio. Output has exactly as
/// many frames as input once [`Leveler::finish`] has run.
#[derive(Debug, Clone)]
pub struct Leveler {
    gain: f32,
    channels: usize,
    limiter: Option<Limiter>,
}

impl Leveler {
    /// Apply `gain_db`; with `ceiling_dbtp`, keep true peaks at or below it.
    pub fn new(gain_db: f32, ceiling_dbtp: Option<f32>, sample_rate: u32, channels: u16) -> Self {
        let channels = usize::from(channels.max(1));
        Leveler {
            gain: db_to_linear(gain_db),
            channels,
            limiter: ceiling_dbtp.map(|c| Limiter::new(db_to_linear(c), sample_rate, channels)),
        }
    }

    /// Process a block of whole frames, appending the output (which lags by the look-ahead
    /// while limiting) to `out`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        match self.limiter.as_mut() {
            None => out.extend(input.iter().map(|s| (s * self.gain).clamp(-1.0, 1.0))),
            Some(l) => {
                for frame in input.chunks_exact(self.channels) {
                    l.push(frame.iter().map(|s| s * self.gain), out);
                }
            }
        }
    }

    /// Flush the look-ahead at the end of the stream.
    pub fn finish(&mut self, out: &mut Vec<f32>) {
        if let Some(l) = self.limiter.as_mut() {
            l.flush(out);
        }
    }
}

/// Interpolation weights for the 1/4, 2/4 and 3/4 points between samples (Hann-windowed sinc).
fn interpolation_taps() -> [[f32; 2 * HALF_TAPS]; 3] {
    let mut taps = [[0.0; 2 * HALF_TAPS]; 3];
    for (p, phase) in taps.iter_mut().enumerate() {
        let frac = (p + 1) as f32 / 4.0;
        for (k, w) in phase.iter_mut().enumerate() {
            // Tap k weighs sample n - (HALF_TAPS - 1) + k; distance from the point n + frac.
            let d = k as f32 - (HALF_TAPS as f32 - 1.0) - frac;
            let x = std::f32::consts::PI * d;
            let sinc = if d.abs() < 1e-6 { 1.0 } else { x.sin() / x };
            let hann = 0.5 + 0.5 * (x / HALF_TAPS as f32).cos();
            *w = sinc * hann;
        }
    }
    taps
}

/// A look-ahead true-peak limiter.
///
/// Each frame's need (the gain that keeps its true peak at the ceiling) is known `L` frames
/// before it plays. The gain applied is the moving average over `L` frames of the forward
/// minimum of needs over `L + 1` frames: every value averaged is at most the frame's own need,
/// so the ceiling holds exactly, and the average turns steps into smooth ramps. Recovery is
/// slower still (150 ms), so speech is not pumped.
#[derive(Debug, Clone)]
struct Limiter {
    ceiling: f32,
    channels: usize,
    taps: [[f32; 2 * HALF_TAPS]; 3],
    /// The last `2 * HALF_TAPS` input frames, oldest first, for interpolation.
    history: VecDeque<f32>,
    /// Frames not yet played, oldest first.
    delay: VecDeque<Vec<f32>>,
    /// (index, need) with increasing needs: the forward minimum over the look-ahead.
    needs: VecDeque<(u64, f32)>,
    /// The last `lookahead` forward minima, and their sum, for the moving average.
    minima: VecDeque<f32>,
    minima_sum: f64,
    lookahead: u64,
    release: f32,
    gain: f32,
    /// Frames pushed so far, including the silent run-up.
    pushed: u64,
    /// Silent run-up frames whose output is dropped.
    run_up: u64,
}

impl Limiter {
    fn new(ceiling: f32, sample_rate: u32, channels: usize) -> Self {
        let rate = sample_rate.max(1) as f32;
        let lookahead = ((LOOKAHEAD_S * rate) as u64).max(1);
        let mut l = Limiter {
            ceiling,
            channels,
            taps: interpolation_taps(),
            history: VecDeque::from(vec![0.0; 2 * HALF_TAPS * channels]),
            delay: VecDeque::new(),
            needs: VecDeque::new(),
            minima: VecDeque::new(),
            minima_sum: 0.0,
            lookahead,
            release: (-1.0 / (RELEASE_S * rate)).exp(),
            gain: 1.0,
            pushed: 0,
            run_up: lookahead,
        };
        // As if silence came first: the ramps are ready for a loud first syllable.
        let mut discard = Vec::new();
        for _ in 0..lookahead {
            l.push(std::iter::repeat_n(0.0, channels), &mut discard);
        }
        l
    }

    /// True peak around the frame `HALF_TAPS` frames before the newest, over all channels.
    fn peak_of_centre(&self) -> f32 {
        let ch = self.channels;
        let mut peak = 0.0f32;
        for c in 0..ch {
            let sample = |k: usize| self.history[k * ch + c];
            peak = peak.max(sample(HALF_TAPS - 1).abs());
            for phase in &self.taps {
                let v: f32 = phase.iter().enumerate().map(|(k, w)| w * sample(k)).sum();
                peak = peak.max(v.abs());
            }
        }
        peak
    }

    fn push(&mut self, frame: impl Iterator<Item = f32>, out: &mut Vec<f32>) {
        let frame: Vec<f32> = frame.collect();
        self.history.drain(..self.channels);
        self.history.extend(frame.iter().copied());
        self.delay.push_back(frame);
        self.pushed += 1;
        let Some(measured) = self.pushed.checked_sub(1 + HALF_TAPS as u64) else {
            return;
        };
        let peak = self.peak_of_centre();
        let need = if peak > self.ceiling {
            self.ceiling / peak
        } else {
            1.0
        };
        while self.needs.back().is_some_and(|(_, n)| *n >= need) {
            self.needs.pop_back();
        }
        self.needs.push_back((measured, need));
        // The forward minimum for the frame `lookahead` behind is now complete.
        let Some(playing) = measured.checked_sub(self.lookahead) else {
            return;
        };
        while self.needs.front().is_some_and(|(i, _)| *i < playing) {
            self.needs.pop_front();
        }
        let forward_min = self.needs.front().map_or(1.0, |(_, n)| *n);
        self.minima.push_back(forward_min);
        self.minima_sum += f64::from(forward_min);
        if self.minima.len() as u64 > self.lookahead {
            self.minima_sum -= self.minima.pop_front().map_or(0.0, f64::from);
        }
        let average = (self.minima_sum / self.minima.len() as f64) as f32;
        let recovering = 1.0 - (1.0 - self.gain) * self.release;
        self.gain = average.min(recovering);
        if let Some(frame) = self.delay.pop_front()
            && playing >= self.run_up
        {
            out.extend(frame.iter().map(|s| (s * self.gain).clamp(-1.0, 1.0)));
        }
    }

    /// Push silence until every real frame has been played; drop the silence.
    fn flush(&mut self, out: &mut Vec<f32>) {
        let real_end = self.pushed;
        let mut played = real_end - self.delay.len() as u64;
        while played < real_end {
            let before = out.len();
            self.push(std::iter::repeat_n(0.0, self.channels), out);
            if out.len() > before {
                played += 1;
            }
        }
        self.delay.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(l: &mut Leveler, input: &[f32], block: usize) -> Vec<f32> {
        let mut out = Vec::new();
        for b in input.chunks(block) {
            l.process(b, &mut out);
        }
        l.finish(&mut out);
        out
    }

    fn sine(freq: f32, amp: f32, frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|i| amp * (i as f32 * freq * std::f32::consts::TAU / 48_000.0).sin())
            .collect()
    }

    fn true_peak_db(samples: &[f32]) -> f64 {
        let mut m = ebur128::EbuR128::new(1, 48_000, ebur128::Mode::TRUE_PEAK).unwrap();
        m.add_frames_f32(samples).unwrap();
        20.0 * m.true_peak(0).unwrap().log10()
    }

    #[test]
    fn six_db_doubles_amplitude() {
        assert!((db_to_linear(6.0206) - 2.0).abs() < 1e-3);
        assert!((linear_to_db(0.5) + 6.0206).abs() < 1e-3);
    }

    #[test]
    fn plain_gain_never_leaves_full_scale() {
        let mut l = Leveler::new(20.0, None, 48_000, 1);
        let out = run(&mut l, &[0.5, -0.5, 0.01], 2);
        assert_eq!(out[0], 1.0);
        assert_eq!(out[1], -1.0);
        assert!((out[2] - 0.1).abs() < 1e-6);
    }

    #[test]
    fn limiter_keeps_true_peaks_under_the_ceiling() {
        // A loud 3 kHz tone pushed 6 dB over full scale, ceiling −1 dBTP.
        let input = sine(3_000.0, 0.9, 48_000);
        let mut l = Leveler::new(6.0, Some(-1.0), 48_000, 1);
        let out = run(&mut l, &input, 480);
        assert_eq!(out.len(), input.len());
        let tp = true_peak_db(&out);
        assert!(
            tp <= -0.8,
            "true peak {tp:.2} dBTP over the −1 dBTP ceiling"
        );
    }

    #[test]
    fn audio_under_the_ceiling_passes_unchanged() {
        let input = sine(440.0, 0.25, 4_800);
        let mut l = Leveler::new(0.0, Some(-1.0), 48_000, 1);
        let out = run(&mut l, &input, 333);
        assert_eq!(out.len(), input.len());
        for (a, b) in input.iter().zip(&out) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn stereo_frames_stay_together() {
        let input: Vec<f32> = (0..2_000)
            .flat_map(|i| [i as f32 * 1e-4, -(i as f32) * 1e-4])
            .collect();
        let mut l = Leveler::new(0.0, Some(-1.0), 48_000, 2);
        let out = run(&mut l, &input, 202);
        assert_eq!(out, input);
    }
}
