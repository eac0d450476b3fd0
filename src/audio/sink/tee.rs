//! The tee of the output mix: every block written to the output also goes to the
//! [`Monitor`] that "Nghe / Listen" streams from. It wraps whichever sink was opened and
//! changes nothing of what it does; the copy is handed over after the output took the block,
//! without ever waiting for a listener.

use chrono::{DateTime, Utc};

use super::{Cleared, Opener, Sink, SinkError};
use crate::audio::convert::AudioFormat;
use crate::audio::listen::Monitor;

/// A sink that also tells `monitor` what it was given.
pub struct Tee {
    inner: Box<dyn Sink>,
    monitor: Monitor,
}

impl Tee {
    /// Copy what `inner` gets to `monitor`.
    pub fn new(inner: Box<dyn Sink>, monitor: Monitor) -> Tee {
        Tee { inner, monitor }
    }
}

/// `open`, with each output it opens teed to `monitor`.
pub fn tee(open: Opener, monitor: Monitor) -> Opener {
    std::sync::Arc::new(move |spec, format, clock| {
        let inner = open(spec, format, clock)?;
        Ok(Box::new(Tee::new(inner, monitor.clone())) as Box<dyn Sink>)
    })
}

impl Sink for Tee {
    fn format(&self) -> AudioFormat {
        self.inner.format()
    }

    fn write(&mut self, samples: &[f32]) -> Result<DateTime<Utc>, SinkError> {
        let at = self.inner.write(samples)?;
        self.monitor.publish(self.inner.format(), samples);
        Ok(at)
    }

    fn clear(&mut self) -> Cleared {
        self.inner.clear()
    }

    fn drain(&mut self) -> Result<DateTime<Utc>, SinkError> {
        self.inner.drain()
    }

    fn underruns(&self) -> u64 {
        self.inner.underruns()
    }

    fn latency(&self) -> std::time::Duration {
        self.inner.latency()
    }
}
