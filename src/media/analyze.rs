//! Measuring a recording: its true length and its loudness (EBU R128 / ITU-R BS.1770-4).
//!
//! The whole file is decoded once, streaming, so memory stays flat whatever its length, and the
//! duration is counted from decoded samples: a cut-off upload reports what really plays, never
//! what its header promised. Loudness uses the `ebur128` crate (a port of libebur128, the
//! reference ffmpeg's own filter follows) with the histogram mode, so long files cost no memory.

use std::path::Path;

use ebur128::{EbuR128, Mode};

use crate::audio::decode::{DecodeError, Decoder};
use crate::model::Analysis;
use crate::model::Said;
use crate::model::said;

/// Below this integrated loudness nothing is audible: the recording is treated as silent.
/// (BS.1770 gates blocks under −70 LUFS, so a silent file has no integrated loudness at all.)
pub const SILENCE_LUFS: f64 = -70.0;

/// Why a recording cannot be measured.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum AnalyzeError {
    /// The file does not decode.
    Decode(#[from] DecodeError),
    /// The loudness meter refused the stream's format.
    Meter(String),
}

impl AnalyzeError {
    /// Why the recording cannot be measured, in each language.
    pub fn said(&self) -> Said {
        match self {
            AnalyzeError::Decode(e) => e.said(),
            AnalyzeError::Meter(f0) => said!(
                "không đo được độ lớn: {f0}",
                "cannot measure loudness: {f0}"
            ),
        }
    }
}

/// Decode `path` completely and measure it.
pub fn analyze(path: &Path) -> Result<Analysis, AnalyzeError> {
    analyze_as(path, path)
}

/// Measure `source`, naming it `name` in messages.
pub fn analyze_as(source: &Path, name: &Path) -> Result<Analysis, AnalyzeError> {
    let mut decoder = Decoder::open_as(source, name)?;
    let mut meter: Option<EbuR128> = None;
    let rate = decoder.info().sample_rate;
    // The start of the audio, kept only while it is shorter than one gating block.
    let short_limit = rate as usize * GATING_BLOCK_MS / 1000;
    let mut head: Vec<f32> = Vec::new();
    while let Some(block) = decoder.next_block()? {
        let meter = match meter.as_mut() {
            Some(m) => m,
            None => meter.insert(new_meter(block.channels, rate)?),
        };
        meter
            .add_frames_f32(block.samples)
            .map_err(|e| AnalyzeError::Meter(e.to_string()))?;
        if head.len() <= short_limit * usize::from(block.channels) {
            head.extend_from_slice(block.samples);
        }
    }
    let info = decoder.info();
    let duration_ms =
        (u128::from(decoder.decoded_frames()) * 1000 / u128::from(info.sample_rate.max(1))) as u64;
    let (mut integrated, mut range, peak) = match &meter {
        Some(m) => read_meter(m, info.channels),
        None => (None, None, None),
    };
    if integrated.is_none() && duration_ms < GATING_BLOCK_MS as u64 && !head.is_empty() {
        integrated = short_clip_loudness(&head, info.channels, rate)?;
        range = integrated.map(|_| 0.0);
    }
    Ok(Analysis {
        container: info.container.clone(),
        codec: info.codec.clone(),
        sample_rate: info.sample_rate,
        channels: info.channels,
        duration_ms,
        integrated_lufs: integrated,
        loudness_range_lu: range,
        true_peak_dbtp: peak,
        warnings: decoder.warnings().iter().map(|w| w.said()).collect(),
    })
}

/// BS.1770 measures in 400 ms blocks; a shorter clip (a chime) has none.
const GATING_BLOCK_MS: usize = 400;

/// Loudness of a clip shorter than one gating block: the clip repeated until the meter has
/// blocks to gate. Repetition keeps its mean square, so this is the loudness it plays at.
fn short_clip_loudness(
    clip: &[f32],
    channels: u16,
    rate: u32,
) -> Result<Option<f64>, AnalyzeError> {
    let mut meter = new_meter(channels, rate)?;
    let needed = rate as usize * 3 * GATING_BLOCK_MS / 1000 * usize::from(channels);
    let mut fed = 0;
    while fed < needed {
        meter
            .add_frames_f32(clip)
            .map_err(|e| AnalyzeError::Meter(e.to_string()))?;
        fed += clip.len();
    }
    Ok(read_meter(&meter, channels).0)
}

fn new_meter(channels: u16, rate: u32) -> Result<EbuR128, AnalyzeError> {
    EbuR128::new(
        u32::from(channels),
        rate,
        Mode::I | Mode::LRA | Mode::TRUE_PEAK | Mode::HISTOGRAM,
    )
    .map_err(|e| AnalyzeError::Meter(format!("{e:?}")))
}

/// Integrated loudness, loudness range and true peak, each `None` where silence makes it
/// meaningless (−∞).
fn read_meter(m: &EbuR128, channels: u16) -> (Option<f64>, Option<f64>, Option<f64>) {
    let finite = |v: f64| v.is_finite().then_some(v);
    let integrated = m
        .loudness_global()
        .ok()
        .and_then(finite)
        .filter(|l| *l > SILENCE_LUFS);
    let range = integrated.and(m.loudness_range().ok().and_then(finite));
    let peak = (0..u32::from(channels))
        .filter_map(|c| m.true_peak(c).ok())
        .fold(0.0f64, f64::max);
    let peak_db = (peak > 0.0).then(|| 20.0 * peak.log10());
    (integrated, range, peak_db)
}
