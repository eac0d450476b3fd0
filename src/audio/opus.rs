//! Opus in one place: blocks of any rate and channels to 20 ms packets of 48 kHz mono, and
//! packets back to samples. The "Nghe / Listen" stream wraps the packets in Ogg pages
//! ([`super::listen`]); the head-end's live microphone sends them to the village nodes over
//! the broker, whose [`super::feed`] decodes them. One encoder's settings serve both: speech
//! stays clear at a bitrate a phone or a 3G link keeps up with.
//!
//! Owns the codec's settings and the framing into packets. Must not know where packets go.

use std::time::Duration;

use opusic_c::{Application, Bitrate, Channels, Decoder, Encoder, SampleRate};

use super::convert::{AudioFormat, Converter};

/// What every packet holds: Opus at 48 kHz, one channel (the loudspeakers carry one
/// programme).
pub const RATE: u32 = 48_000;
/// One Opus packet: 20 ms.
pub const FRAME: usize = RATE as usize / 50;
/// How long one packet plays.
pub const FRAME_DURATION: Duration = Duration::from_millis(20);
/// Low bitrate: speech and jingles stay clear, a phone on the commune's Wi-Fi keeps up.
pub const BITRATE: u32 = 32_000;
/// The format of what a packet decodes to.
pub const FORMAT: AudioFormat = AudioFormat {
    sample_rate: RATE,
    channels: 1,
};

/// libopus refused something.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OpusError {
    /// The encoder could not be set up or refused a frame.
    #[error("không tạo được bộ mã hoá Opus: {0} / cannot set up the Opus encoder: {0}")]
    Encoder(String),
    /// The decoder could not be set up or refused a packet.
    #[error("không giải mã được Opus: {0} / cannot decode Opus: {0}")]
    Decoder(String),
}

/// Blocks of any format in, 20 ms Opus packets out.
pub struct Packets {
    opus: Encoder,
    /// Converts the blocks' format (the first seen) to 48 kHz mono; rebuilt if it changes.
    converter: Option<(AudioFormat, Converter)>,
    /// Mono samples waiting for a whole packet.
    pending: Vec<f32>,
    out: Vec<u8>,
}

impl Packets {
    /// A new encoder with the station's settings.
    pub fn new() -> Result<Packets, OpusError> {
        let fail = |e: opusic_c::ErrorCode| OpusError::Encoder(format!("{e:?}"));
        let mut opus =
            Encoder::new(Channels::Mono, SampleRate::Hz48000, Application::Audio).map_err(fail)?;
        opus.set_bitrate(Bitrate::Value(BITRATE)).map_err(fail)?;
        // Constant bitrate: silence costs as much as sound, so a browser's player fills its
        // buffer and starts at once on a quiet station instead of waiting for kilobytes.
        opus.set_vbr(false).map_err(fail)?;
        opus.set_complexity(5).map_err(fail)?;
        Ok(Packets {
            opus,
            converter: None,
            pending: Vec::with_capacity(FRAME * 4),
            out: Vec::with_capacity(512),
        })
    }

    /// Samples the decoder's output lags behind (the Ogg Opus pre-skip).
    pub fn look_ahead(&mut self) -> Result<u32, OpusError> {
        self.opus
            .get_look_ahead()
            .map_err(|e| OpusError::Encoder(format!("{e:?}")))
    }

    /// Encode a block of interleaved `samples` in `format`: each whole packet goes to
    /// `packet` now, the rest waits for the next block.
    pub fn add(&mut self, format: AudioFormat, samples: &[f32], packet: impl FnMut(&[u8])) {
        let stale = self
            .converter
            .as_ref()
            .is_none_or(|(from, _)| *from != format);
        if stale {
            match Converter::new(format, FORMAT) {
                Ok(c) => self.converter = Some((format, c)),
                Err(e) => {
                    tracing::warn!("{e}");
                    return;
                }
            }
        }
        if let Some((_, c)) = self.converter.as_mut() {
            self.pending.extend_from_slice(c.process(samples));
        }
        self.encode_pending(packet);
    }

    /// Encode `d` of silence.
    pub fn silence(&mut self, d: Duration, packet: impl FnMut(&[u8])) {
        let samples = (d.as_secs_f64() * f64::from(RATE)).round() as usize;
        self.pending.resize(self.pending.len() + samples, 0.0);
        self.encode_pending(packet);
    }

    fn encode_pending(&mut self, mut packet: impl FnMut(&[u8])) {
        let whole = self.pending.len() / FRAME * FRAME;
        for frame in self.pending[..whole].chunks_exact(FRAME) {
            self.out.clear();
            match self.opus.encode_float_to_vec(frame, &mut self.out) {
                Ok(_) => packet(&self.out),
                Err(e) => tracing::warn!("{}", OpusError::Encoder(format!("{e:?}"))),
            }
        }
        self.pending.drain(..whole);
    }
}

/// Packets in, 48 kHz mono samples out.
pub struct Samples {
    opus: Decoder,
    out: Vec<f32>,
}

impl Samples {
    /// A new decoder.
    pub fn new() -> Result<Samples, OpusError> {
        let opus = Decoder::new(Channels::Mono, SampleRate::Hz48000)
            .map_err(|e| OpusError::Decoder(format!("{e:?}")))?;
        Ok(Samples {
            opus,
            out: vec![0.0; FRAME * 6],
        })
    }

    /// The samples of one packet.
    pub fn decode(&mut self, packet: &[u8]) -> Result<&[f32], OpusError> {
        if packet.is_empty() {
            // libopus reads an empty packet as a lost one: the caller says that itself.
            return Err(OpusError::Decoder("gói rỗng / empty packet".into()));
        }
        let n = self
            .opus
            .decode_float_to_slice(packet, &mut self.out, false)
            .map_err(|e| OpusError::Decoder(format!("{e:?}")))?;
        Ok(&self.out[..n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tone_comes_back_as_the_same_tone_in_20_ms_packets() {
        let input = AudioFormat {
            sample_rate: 44_100,
            channels: 2,
        };
        let tone: Vec<f32> = (0..44_100)
            .flat_map(|i| {
                let s = 0.5 * (2.0 * std::f32::consts::PI * 440.0 * i as f32 / 44_100.0).sin();
                [s, s]
            })
            .collect();
        let mut enc = Packets::new().unwrap();
        let mut packets = Vec::new();
        enc.add(input, &tone, |p| packets.push(p.to_vec()));
        // One second in, minus what the resampler holds back: about fifty packets.
        assert!((48..=50).contains(&packets.len()), "{}", packets.len());
        let mut dec = Samples::new().unwrap();
        let mut out = Vec::new();
        for p in &packets {
            let s = dec.decode(p).unwrap();
            assert_eq!(s.len(), FRAME);
            out.extend_from_slice(s);
        }
        // Past the codec's start-up: the level of a 0.5 sine (RMS 0.354), within 1 dB.
        let tail = &out[FRAME * 10..];
        let rms = (tail.iter().map(|s| s * s).sum::<f32>() / tail.len() as f32).sqrt();
        assert!((0.31..0.40).contains(&rms), "rms {rms}");
        let crossings = tail
            .windows(2)
            .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
            .count();
        let seconds = tail.len() as f32 / RATE as f32;
        let freq = crossings as f32 / seconds;
        assert!((430.0..450.0).contains(&freq), "{freq} Hz");
        assert!(dec.decode(&[]).is_err());
    }
}
