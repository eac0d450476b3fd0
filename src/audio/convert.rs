//! Converting decoded audio to the output's sample rate and channel count.
//!
//! Resampling uses rubato's FFT resampler: band-limited, so a 22 kHz phone memo played at
//! 48 kHz has no aliasing, and fast enough to run many times real time on a Pi. (rodio's
//! converter is linear interpolation, which aliases audibly; see rodio issue #584.)
//! Channels are mapped before resampling when that means fewer channels to resample. It does not
//! decode, level or play: it takes decoded samples and gives converted ones.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};

use crate::config::AudioConfig;

/// Input frames per resampler call: about 21 ms at 48 kHz, small enough for pre-emption.
const CHUNK_FRAMES: usize = 1024;

/// A sample rate and channel count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AudioFormat {
    /// Frames per second.
    pub sample_rate: u32,
    /// Interleaved channels.
    pub channels: u16,
}

impl AudioFormat {
    /// The format `[audio]` asks of the card.
    pub fn of(audio: &AudioConfig) -> AudioFormat {
        AudioFormat {
            sample_rate: audio.sample_rate,
            channels: audio.channels,
        }
    }
}

/// Why a conversion cannot be set up.
#[derive(Debug, thiserror::Error)]
#[error(
    "không chuyển được {from_rate} Hz sang {to_rate} Hz: {detail} / cannot convert {from_rate} Hz to {to_rate} Hz: {detail}"
)]
pub struct ConvertError {
    from_rate: u32,
    to_rate: u32,
    detail: String,
}

/// Streams audio from one format to another, block by block.
pub struct Converter {
    from: AudioFormat,
    to: AudioFormat,
    /// Channels the resampler works on: the smaller of input and output.
    work_channels: usize,
    resampler: Option<Fft<f32>>,
    /// Channel-mapped input waiting for a full resampler chunk.
    pending: Vec<f32>,
    resampled: Vec<f32>,
    out: Vec<f32>,
    /// Resampler start-up delay still to drop from the output.
    delay_left: usize,
    frames_in: u64,
    frames_out: u64,
}

impl std::fmt::Debug for Converter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Converter")
            .field("from", &self.from)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

impl Converter {
    /// A converter from `from` to `to`; both must have non-zero rate and channels.
    pub fn new(from: AudioFormat, to: AudioFormat) -> Result<Self, ConvertError> {
        let err = |detail: &str| ConvertError {
            from_rate: from.sample_rate,
            to_rate: to.sample_rate,
            detail: detail.to_string(),
        };
        if from.channels == 0 || to.channels == 0 || from.sample_rate == 0 || to.sample_rate == 0 {
            return Err(err("0 kênh hoặc 0 Hz / zero channels or rate"));
        }
        let work_channels = usize::from(from.channels.min(to.channels));
        let resampler = if from.sample_rate == to.sample_rate {
            None
        } else {
            let r = Fft::<f32>::new(
                from.sample_rate as usize,
                to.sample_rate as usize,
                CHUNK_FRAMES,
                work_channels,
                FixedSync::Input,
            )
            .map_err(|e| err(&e.to_string()))?;
            Some(r)
        };
        let delay_left = resampler.as_ref().map_or(0, |r| r.output_delay());
        Ok(Converter {
            from,
            to,
            work_channels,
            resampler,
            pending: Vec::new(),
            resampled: Vec::new(),
            out: Vec::new(),
            delay_left,
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// The output format.
    pub fn output_format(&self) -> AudioFormat {
        self.to
    }

    /// Convert one block of interleaved input. The returned slice may be empty while the
    /// resampler gathers a full chunk.
    pub fn process(&mut self, input: &[f32]) -> &[f32] {
        self.out.clear();
        let in_ch = usize::from(self.from.channels);
        self.frames_in += (input.len() / in_ch) as u64;
        if self.resampler.is_none() {
            map_channels(input, in_ch, usize::from(self.to.channels), &mut self.out);
            self.frames_out += (self.out.len() / usize::from(self.to.channels)) as u64;
            return &self.out;
        }
        map_channels(input, in_ch, self.work_channels, &mut self.pending);
        let chunk = CHUNK_FRAMES * self.work_channels;
        let mut consumed = 0;
        while self.pending.len() - consumed >= chunk {
            self.resample_chunk(consumed, CHUNK_FRAMES);
            consumed += chunk;
        }
        self.pending.drain(..consumed);
        &self.out
    }

    /// Flush what the resampler still holds at the end of the stream, so the output is as
    /// long as the input (to the frame) and ends with the input's last sample.
    pub fn finish(&mut self) -> &[f32] {
        self.out.clear();
        if self.resampler.is_none() {
            return &self.out;
        }
        let expected = self.expected_output_frames();
        let leftover = self.pending.len() / self.work_channels;
        if leftover > 0 {
            self.resample_chunk(0, leftover);
            self.pending.clear();
        }
        // Push silence through until the delayed tail is out, then cut at the exact length.
        let mut guard = 0;
        while self.frames_out < expected && guard < 64 {
            self.resample_chunk(0, 0);
            guard += 1;
        }
        let excess = self.frames_out.saturating_sub(expected) as usize;
        let keep = self.out.len() - (excess * usize::from(self.to.channels)).min(self.out.len());
        self.out.truncate(keep);
        self.frames_out = expected;
        &self.out
    }

    fn expected_output_frames(&self) -> u64 {
        (self.frames_in as u128 * u128::from(self.to.sample_rate)
            / u128::from(self.from.sample_rate)) as u64
    }

    /// Resample `frames` frames of `pending` starting at sample `offset` (0 frames = silence).
    fn resample_chunk(&mut self, offset: usize, frames: usize) {
        let Some(resampler) = self.resampler.as_mut() else {
            return;
        };
        let ch = self.work_channels;
        let out_frames = resampler.output_frames_max();
        self.resampled.resize(out_frames * ch, 0.0);
        let input_frames = resampler.input_frames_next();
        let silence;
        let src: &[f32] = if frames < input_frames {
            // A partial last chunk: give the resampler a full-size buffer, marked partial.
            let mut padded = vec![0.0; input_frames * ch];
            let avail = (frames * ch).min(self.pending.len().saturating_sub(offset));
            padded[..avail].copy_from_slice(&self.pending[offset..offset + avail]);
            silence = padded;
            &silence
        } else {
            &self.pending[offset..offset + input_frames * ch]
        };
        let indexing = (frames < input_frames).then(|| Indexing::new().partial_len(frames));
        let produced = match (
            InterleavedSlice::new(src, ch, input_frames),
            InterleavedSlice::new_mut(&mut self.resampled, ch, out_frames),
        ) {
            (Ok(inp), Ok(mut outp)) => resampler
                .process_into_buffer(&inp, &mut outp, indexing.as_ref())
                .map_or(0, |(_, produced)| produced),
            _ => 0,
        };
        let mut start = 0;
        if self.delay_left > 0 {
            start = self.delay_left.min(produced);
            self.delay_left -= start;
        }
        let samples = &self.resampled[start * ch..produced * ch];
        self.frames_out += (produced - start) as u64;
        map_channels(samples, ch, usize::from(self.to.channels), &mut self.out);
    }
}

/// Map interleaved audio from `from` to `to` channels, appending to `out`. Mono goes to every
/// speaker; many channels fold to mono by averaging; otherwise channels repeat or drop in order.
pub fn map_channels(input: &[f32], from: usize, to: usize, out: &mut Vec<f32>) {
    if from == to {
        out.extend_from_slice(input);
        return;
    }
    out.reserve(input.len() / from * to);
    for frame in input.chunks_exact(from) {
        if to == 1 {
            out.push(frame.iter().sum::<f32>() / from as f32);
        } else {
            out.extend((0..to).map(|c| frame[c % from]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(rate: u32, freq: f32, frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|i| (i as f32 * freq * std::f32::consts::TAU / rate as f32).sin() * 0.5)
            .collect()
    }

    fn convert_all(conv: &mut Converter, input: &[f32], block: usize) -> Vec<f32> {
        let mut out = Vec::new();
        for b in input.chunks(block) {
            out.extend_from_slice(conv.process(b));
        }
        out.extend_from_slice(conv.finish());
        out
    }

    #[test]
    fn resampling_keeps_length_to_the_frame() {
        let from = AudioFormat {
            sample_rate: 22_050,
            channels: 1,
        };
        let to = AudioFormat {
            sample_rate: 48_000,
            channels: 2,
        };
        let mut c = Converter::new(from, to).unwrap();
        let input = sine(22_050, 440.0, 22_050 * 3 + 77);
        let out = convert_all(&mut c, &input, 1000);
        let expected = (input.len() as u64 * 48_000 / 22_050) as usize;
        assert_eq!(out.len(), expected * 2);
    }

    #[test]
    fn resampled_sine_keeps_its_pitch_and_level() {
        let from = AudioFormat {
            sample_rate: 16_000,
            channels: 1,
        };
        let to = AudioFormat {
            sample_rate: 48_000,
            channels: 1,
        };
        let mut c = Converter::new(from, to).unwrap();
        let input = sine(16_000, 1000.0, 16_000);
        let out = convert_all(&mut c, &input, 333);
        // Compare against the ideal 48 kHz sine away from the edges.
        let ideal = sine(48_000, 1000.0, out.len());
        let err: f32 = out[4800..43_200]
            .iter()
            .zip(&ideal[4800..43_200])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(err < 0.01, "max deviation {err}");
    }

    #[test]
    fn same_rate_only_maps_channels() {
        let f = AudioFormat {
            sample_rate: 48_000,
            channels: 2,
        };
        let mut c = Converter::new(f, AudioFormat { channels: 1, ..f }).unwrap();
        assert_eq!(c.process(&[0.2, 0.4, -1.0, 1.0]), &[0.3, 0.0]);
        assert!(c.finish().is_empty());
    }

    #[test]
    fn zero_channels_is_an_error_not_a_panic() {
        let f = AudioFormat {
            sample_rate: 48_000,
            channels: 0,
        };
        assert!(Converter::new(f, AudioFormat { channels: 2, ..f }).is_err());
    }
}
