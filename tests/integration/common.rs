//! Helpers shared by the integration tests: fixtures, decoding, WAV reading, comparisons.

use std::path::{Path, PathBuf};

use loaxa::audio::decode::Decoder;

/// The `loaxa` binary, without the caller's `LOAXA_*` variables: it reads every one as a
/// config key and refuses unknown ones, so a test's own knobs (`LOAXA_CRASH_ROUNDS`, ...)
/// must not reach it.
pub fn loaxa() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_loaxa"));
    for (k, _) in std::env::vars() {
        if k.starts_with("LOAXA_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// A committed fixture.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The recordings in `tests/fixtures` that are real, whole audio.
pub const PLAYABLE: &[&str] = &[
    "xin-chao-22k.wav",
    "ban-tin-16k.wav",
    "ban-tin.mp3",
    "ban-tin-vbr.mp3",
    "loi-chuc.m4a",
    "canh-bao.ogg",
    "tin-nhan.opus",
    "thong-bao-24bit.flac",
    "chuong-192k.flac",
    "pcm-u8.wav",
    "pcm-s24.wav",
    "pcm-s32.wav",
    "pcm-f32.wav",
    "pcm-extensible-3ch.wav",
    "flac-ten-mp3.mp3",
];

/// Decoded audio at its own rate.
pub struct Pcm {
    pub rate: u32,
    pub channels: usize,
    pub samples: Vec<f32>,
}

impl Pcm {
    pub fn frames(&self) -> usize {
        self.samples.len() / self.channels
    }

    pub fn seconds(&self) -> f64 {
        self.frames() as f64 / f64::from(self.rate)
    }

    /// One channel.
    pub fn channel(&self, c: usize) -> Vec<f32> {
        self.samples
            .iter()
            .skip(c)
            .step_by(self.channels)
            .copied()
            .collect()
    }
}

/// Decode a whole recording with Loa Xã's decoder.
pub fn decode(path: &Path) -> Pcm {
    let mut d = Decoder::open(path).unwrap_or_else(|e| panic!("{e}"));
    let mut samples = Vec::new();
    while let Some(block) = d.next_block().unwrap() {
        samples.extend_from_slice(block.samples);
    }
    Pcm {
        rate: d.info().sample_rate,
        channels: usize::from(d.info().channels),
        samples,
    }
}

/// Read a WAV written by the capture sink.
pub fn read_wav(path: &Path) -> Pcm {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    let samples = r
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / f32::from(i16::MAX))
        .collect();
    Pcm {
        rate: spec.sample_rate,
        channels: usize::from(spec.channels),
        samples,
    }
}

/// An independent reference resampler: a plain windowed-sinc (Blackman, 64 zero crossings),
/// obviously correct, to check the engine's fast FFT resampler against.
pub fn reference_resample(input: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to {
        return input.to_vec();
    }
    let ratio = f64::from(to) / f64::from(from);
    let cutoff = ratio.min(1.0) * 0.95;
    let half = 64.0 / cutoff;
    let out_len = (input.len() as f64 * ratio) as usize;
    // Output n sits at input time n·from/to: a whole part and a fraction, and the fraction
    // repeats every to/gcd outputs (160 for 44.1 → 48 kHz). Each fraction's weights are worked
    // out once, with the same formula, rather than three sines per tap per sample.
    let (from, to) = (u64::from(from), u64::from(to));
    let mut weights: std::collections::HashMap<u64, (i64, Vec<f64>)> = Default::default();
    (0..out_len as u64)
        .map(|n| {
            let (whole, part) = ((n * from / to) as i64, n * from % to);
            let (first, w) = weights
                .entry(part)
                .or_insert_with(|| sinc_taps(part as f64 / to as f64, cutoff, half));
            let mut acc = 0.0;
            for (j, h) in w.iter().enumerate() {
                let k = whole + *first + j as i64;
                if let Some(&x) = usize::try_from(k).ok().and_then(|k| input.get(k)) {
                    acc += f64::from(x) * h;
                }
            }
            acc as f32
        })
        .collect()
}

/// The windowed-sinc weights of the input samples around a point `frac` (0 ≤ frac < 1) past
/// a whole sample: the offset of the first one from that sample, and the weights in order.
fn sinc_taps(frac: f64, cutoff: f64, half: f64) -> (i64, Vec<f64>) {
    let (first, last) = ((frac - half).ceil() as i64, (frac + half).floor() as i64);
    let w = (first..=last)
        .map(|j| {
            let d = j as f64 - frac;
            let h = if d == 0.0 {
                cutoff
            } else {
                (std::f64::consts::PI * d * cutoff).sin() / (std::f64::consts::PI * d)
            };
            h * (0.42
                + 0.5 * (std::f64::consts::PI * d / half).cos()
                + 0.08 * (2.0 * std::f64::consts::PI * d / half).cos())
        })
        .collect();
    (first, w)
}

/// Signal-to-noise ratio of `actual` against `expected` in dB, over their common length,
/// ignoring `edge` samples at each end where band limits differ most.
pub fn snr_db(expected: &[f32], actual: &[f32], edge: usize) -> f64 {
    let n = expected.len().min(actual.len());
    let range = edge..n.saturating_sub(edge);
    let (mut sig, mut noise) = (0.0f64, 0.0f64);
    for i in range {
        let e = f64::from(expected[i]);
        let d = e - f64::from(actual[i]);
        sig += e * e;
        noise += d * d;
    }
    10.0 * (sig / noise.max(1e-20)).log10()
}

/// A WAV of a pure tone at `rate`: tests give each part of a broadcast its own frequency so
/// a capture can be read back part by part with [`tone_runs`].
pub fn write_tone(rate: u32, path: &Path, freq: f32, seconds: f32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(seconds * rate as f32) as usize {
        let v = (i as f32 * freq * std::f32::consts::TAU / rate as f32).sin() * 0.4;
        w.write_sample((v * f32::from(i16::MAX)) as i16).unwrap();
    }
    w.finalize().unwrap();
}

/// The tone of each 20 ms of a capture (from its zero crossings: 0 for silence, else the
/// nearest of 440, 1000 and 2000 Hz), run-length encoded as (band, seconds), with the
/// one-window blips where two tones meet left out.
pub fn tone_runs(samples: &[f32], rate: u32) -> Vec<(u32, f64)> {
    let window = rate as usize / 50;
    let mut runs: Vec<(u32, f64)> = Vec::new();
    for w in samples.chunks(window) {
        let crossings = w
            .windows(2)
            .filter(|p| (p[0] >= 0.0) != (p[1] >= 0.0))
            .count();
        let freq = crossings as f64 * f64::from(rate) / (2.0 * w.len() as f64);
        let band = if w.iter().all(|s| s.abs() < 0.01) {
            0
        } else {
            [440, 1000, 2000]
                .into_iter()
                .min_by_key(|b| (f64::from(*b) - freq).abs() as u32)
                .unwrap_or(0)
        };
        let secs = w.len() as f64 / f64::from(rate);
        match runs.last_mut() {
            Some((b, t)) if *b == band => *t += secs,
            _ => runs.push((band, secs)),
        }
    }
    runs.into_iter().filter(|(_, t)| *t > 0.03).fold(
        Vec::new(),
        |mut acc: Vec<(u32, f64)>, (b, t)| {
            match acc.last_mut() {
                Some((lb, lt)) if *lb == b => *lt += t,
                _ => acc.push((b, t)),
            }
            acc
        },
    )
}

/// Send `signal` to the process `pid`, or with `group` to its whole process group, by the
/// system call itself. Never through the `kill` command: Debian's procps-ng 4.0.2 `kill -KILL
/// -PGID` signals every process the caller may signal, the test runner and CI included.
pub fn signal(pid: u32, signal: nix::sys::signal::Signal, group: bool) {
    use nix::unistd::Pid;
    let pid = Pid::from_raw(i32::try_from(pid).expect("a pid fits an i32"));
    assert!(pid.as_raw() > 1, "never signal init or every process");
    let sent = if group {
        nix::sys::signal::killpg(pid, signal)
    } else {
        nix::sys::signal::kill(pid, signal)
    };
    // Gone already is fine: it is what the caller wanted.
    if let Err(e) = sent {
        assert_eq!(e, nix::errno::Errno::ESRCH, "signal {signal} to {pid}: {e}");
    }
}
