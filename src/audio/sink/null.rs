//! `null`: plays nothing, in real time. The service runs on it where there is no speaker. It never
//! opens a device or a file.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::pacer::Pacer;
use super::{Cleared, DEFAULT_BUFFER, Sink, SinkError};
use crate::audio::convert::AudioFormat;
use crate::clock::Clock;

/// Discards audio at the pace a sound card would play it.
pub struct NullSink {
    format: AudioFormat,
    pacer: Pacer,
}

impl NullSink {
    /// A null output taking `format`, paced by `clock`.
    pub fn new(format: AudioFormat, clock: Arc<dyn Clock>) -> Self {
        NullSink {
            format,
            pacer: Pacer::new(clock, format.sample_rate, DEFAULT_BUFFER),
        }
    }
}

impl Sink for NullSink {
    fn format(&self) -> AudioFormat {
        self.format
    }

    fn write(&mut self, samples: &[f32]) -> Result<DateTime<Utc>, SinkError> {
        let frames = samples.len() / usize::from(self.format.channels);
        Ok(self.pacer.admit(frames as u64))
    }

    fn clear(&mut self) -> Cleared {
        self.pacer.cut()
    }

    fn drain(&mut self) -> Result<DateTime<Utc>, SinkError> {
        Ok(self.pacer.finish())
    }

    fn underruns(&self) -> u64 {
        self.pacer.underruns()
    }
}
