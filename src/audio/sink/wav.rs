//! `wav:PATH`: capture exactly what the speakers would get, for tests and for monitoring.
//!
//! Audio is held back until its time on the (real or simulated) clock has come, so audio cut
//! off by a pre-emption never reaches the file, just as it never reaches a speaker. The file
//! is 16-bit PCM at the output format and only holds what played: idle time is not recorded.

use std::collections::VecDeque;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::pacer::Pacer;
use super::{Cleared, DEFAULT_BUFFER, Sink, SinkError};
use crate::audio::convert::AudioFormat;
use crate::clock::Clock;

/// Writes played audio to a WAV file.
pub struct WavSink {
    path: PathBuf,
    format: AudioFormat,
    pacer: Pacer,
    /// Samples admitted but not yet played.
    pending: VecDeque<f32>,
    /// Frames of the current timeline already in the file.
    written_frames: u64,
    writer: Option<hound::WavWriter<BufWriter<File>>>,
}

impl WavSink {
    /// Create (or replace) the capture file.
    pub fn create(
        path: &Path,
        format: AudioFormat,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, SinkError> {
        let spec = hound::WavSpec {
            channels: format.channels,
            sample_rate: format.sample_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::create(path, spec).map_err(|e| SinkError::File {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        Ok(WavSink {
            path: path.to_path_buf(),
            format,
            pacer: Pacer::new(clock, format.sample_rate, DEFAULT_BUFFER),
            pending: VecDeque::new(),
            written_frames: 0,
            writer: Some(writer),
        })
    }

    /// Move samples whose time has come from `pending` into the file.
    fn flush_played(&mut self, played_frames: u64) -> Result<(), SinkError> {
        let due = played_frames.saturating_sub(self.written_frames);
        let samples = (due as usize * usize::from(self.format.channels)).min(self.pending.len());
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        for s in self.pending.drain(..samples) {
            let v = (s.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16;
            writer.write_sample(v).map_err(|e| SinkError::File {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
        }
        self.written_frames += (samples / usize::from(self.format.channels)) as u64;
        Ok(())
    }

    fn finalize(&mut self) -> Result<(), SinkError> {
        if let Some(writer) = self.writer.take() {
            writer.finalize().map_err(|e| SinkError::File {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
        }
        Ok(())
    }
}

impl Sink for WavSink {
    fn format(&self) -> AudioFormat {
        self.format
    }

    fn write(&mut self, samples: &[f32]) -> Result<DateTime<Utc>, SinkError> {
        let frames = (samples.len() / usize::from(self.format.channels)) as u64;
        if let Some(admitted) = self.pacer.end_if_dry() {
            // The output went quiet (a pause, a warm-up): all of the old timeline has played.
            self.flush_played(admitted)?;
        }
        if self.pacer.admitted_frames() == 0 {
            self.written_frames = 0;
        }
        self.pending.extend(samples);
        let at = self.pacer.admit(frames);
        self.flush_played(self.pacer.played_frames())?;
        Ok(at)
    }

    fn clear(&mut self) -> Cleared {
        let played = self.pacer.played_frames();
        // Whatever fails to reach the file here surfaces on the next write or drain.
        let _ = self.flush_played(played);
        self.pending.clear();
        self.written_frames = 0;
        self.pacer.cut()
    }

    fn drain(&mut self) -> Result<DateTime<Utc>, SinkError> {
        let admitted = self.pacer.admitted_frames();
        let at = self.pacer.finish();
        self.flush_played(admitted)?;
        self.written_frames = 0;
        if let Some(w) = self.writer.as_mut() {
            w.flush().map_err(|e| SinkError::File {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
        }
        Ok(at)
    }

    fn underruns(&self) -> u64 {
        self.pacer.underruns()
    }
}

impl Drop for WavSink {
    fn drop(&mut self) {
        let admitted = self.pacer.admitted_frames();
        let _ = self.flush_played(admitted);
        if let Err(e) = self.finalize() {
            tracing::error!("{e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SimClock;
    use std::time::Duration;

    const FORMAT: AudioFormat = AudioFormat {
        sample_rate: 1_000,
        channels: 1,
    };

    fn captured(path: &Path) -> Vec<i16> {
        let mut r = hound::WavReader::open(path).unwrap();
        r.samples::<i16>().map(Result::unwrap).collect()
    }

    #[test]
    fn a_pause_between_writes_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.wav");
        let clock = Arc::new(SimClock::starting_at(Utc::now()));
        let mut sink = WavSink::create(&path, FORMAT, clock.clone()).unwrap();
        sink.write(&[0.5; 1_000]).unwrap();
        // A warm-up: the output plays out and sits quiet before the next voice.
        clock.advance(Duration::from_secs(3));
        sink.write(&[-0.5; 1_000]).unwrap();
        sink.drain().unwrap();
        drop(sink);
        let samples = captured(&path);
        assert_eq!(samples.len(), 2_000, "both seconds are in the file");
        assert!(samples[..1_000].iter().all(|s| *s > 0) && samples[1_000..].iter().all(|s| *s < 0));
    }

    #[test]
    fn audio_cut_before_it_played_never_reaches_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.wav");
        let clock = Arc::new(SimClock::starting_at(Utc::now()));
        let mut sink = WavSink::create(&path, FORMAT, clock.clone()).unwrap();
        sink.write(&[0.5; 5_000]).unwrap();
        let cut = sink.clear();
        assert_eq!(
            cut.discarded_frames, 100,
            "one buffer was still ahead of the playhead"
        );
        sink.write(&[-0.5; 200]).unwrap();
        sink.drain().unwrap();
        drop(sink);
        let samples = captured(&path);
        assert_eq!(samples.len(), 5_100);
        assert!(samples[4_900..].iter().all(|s| *s < 0));
    }
}
