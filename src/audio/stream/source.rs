//! The player's side of a relay: every pull hands out exactly one 10 ms chunk in the output's
//! format, at once, whatever the network does: the stream, silence while it starts, or the
//! fallback while it is out, as the monitor decides; and nothing once the deadline has come.
//! It reports every change to the caller as a [`RelayEvent`]. It never reads the network on the
//! player's thread: `link` does, on the relay's own thread this starts, and a pull only takes what
//! is there.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::fallback::Fallback;
use super::link::{self, Note, PAUSE_GAP, Shared};
use super::monitor::{Change, Limits, Monitor, Play, Seen};
use super::{RelayEvent, RelaySpec, StreamError};
use crate::audio::convert::AudioFormat;
use crate::audio::gain::db_to_linear;
use crate::clock::Clock;
use crate::model::Said;

/// One pull's worth of audio.
const CHUNK: Duration = Duration::from_millis(10);
/// Audio buffered before the stream first goes on air (Icecast's burst and HLS segments bring
/// far more at once; this rides out a server that sends in small pieces).
const START_BUFFER: Duration = Duration::from_millis(250);
/// Audio buffered before it goes on air again after running dry or an outage.
const REBUFFER: Duration = Duration::from_millis(500);
/// A silent stream must be audible this long to go back on air.
const RECOVER: Duration = Duration::from_secs(1);
/// Under this peak level a chunk is silent (dead air, not a pause between words).
const SILENCE_DBFS: f32 = -50.0;

/// Called with each [`RelayEvent`], on the player's thread: it must return at once.
pub type RelayObserver = Box<dyn FnMut(RelayEvent) + Send>;

/// A relay as the player pulls it.
pub struct RelaySource {
    shared: Arc<Shared>,
    monitor: Monitor,
    clock: Arc<dyn Clock>,
    until: DateTime<Utc>,
    chunk: usize,
    samples_per_second: f64,
    block: Vec<f32>,
    fallback: Fallback,
    observer: RelayObserver,
    last_pull: Option<Duration>,
    /// Since when, and how many samples since, the output has been hearing this relay
    /// without a pause: what the output's buffer holds ahead of the clock.
    heard_from: Option<(DateTime<Utc>, u64)>,
    last_play: Option<Play>,
    on_air_once: bool,
    outages: u32,
    off_air: Duration,
    ended: bool,
}

impl RelaySource {
    /// Start relaying `spec` in `format`: the network side starts connecting at once, in its
    /// own thread; pulls hand out audio from the first one on.
    pub fn start(
        spec: RelaySpec,
        format: AudioFormat,
        clock: Arc<dyn Clock>,
        observer: RelayObserver,
    ) -> Result<RelaySource, StreamError> {
        let shared = Shared::new(format);
        let samples = |d: Duration| {
            (d.as_secs_f64() * f64::from(format.sample_rate)) as usize
                * usize::from(format.channels)
        };
        let chunk = samples(CHUNK).max(usize::from(format.channels));
        let samples_per_second = f64::from(format.sample_rate) * f64::from(format.channels);
        let limits = Limits {
            stall: spec.stall,
            silence: spec.silence,
            recover: RECOVER,
            start: samples(START_BUFFER),
            rebuffer: samples(REBUFFER),
            silence_level: db_to_linear(SILENCE_DBFS),
        };
        // The network side keeps to the same deadline, on the monotonic clock.
        let left = (spec.until - clock.now()).to_std().unwrap_or_default();
        let deadline = std::time::Instant::now() + left;
        if clock.is_real() {
            let (side, url, stall, backoff) =
                (shared.clone(), spec.url.clone(), spec.stall, spec.retry);
            std::thread::Builder::new()
                .name("loaxa-relay".into())
                .spawn(move || link::run(side, url, deadline, stall, backoff))
                .map_err(|e| StreamError::NoThread {
                    detail: Said::same(e.to_string()),
                })?;
        } else {
            // Simulated time runs far faster than any stream: out from the start, the
            // fallback airs for the relay's whole length.
            shared.lock().failure = Some(StreamError::NotRealTime);
        }
        Ok(RelaySource {
            monitor: Monitor::new(limits, clock.elapsed()),
            fallback: Fallback::new(spec.fallback, format),
            shared,
            clock,
            until: spec.until,
            chunk,
            samples_per_second,
            block: Vec::with_capacity(chunk),
            observer,
            last_pull: None,
            heard_from: None,
            last_play: None,
            on_air_once: false,
            outages: 0,
            off_air: Duration::ZERO,
            ended: false,
        })
    }

    /// The next 10 ms on air, or `None` once the relay's time is up.
    ///
    /// Times are those at which the audio is heard: the output holds what was handed to it
    /// ahead of the clock (a buffer's worth), so the relay ends when its last sample is heard
    /// at the deadline, and reports each change at the time listeners hear it.
    pub fn next_block(&mut self) -> Option<&[f32]> {
        let now = self.clock.elapsed();
        let paused = self
            .last_pull
            .is_some_and(|t| now.saturating_sub(t) > PAUSE_GAP);
        if paused {
            self.monitor.resumed(now);
        }
        if paused || self.heard_from.is_none() {
            self.heard_from = Some((self.clock.now(), 0));
        }
        let wall = self.heard_at();
        if wall >= self.until {
            self.end(wall);
            return None;
        }
        self.last_pull = Some(now);
        self.block.clear();
        let (play, change, notes) = {
            let mut inner = self.shared.lock();
            inner.last_pull = std::time::Instant::now();
            let buffered = inner.buffer.len();
            let next_peak = (buffered >= self.chunk).then(|| {
                inner
                    .buffer
                    .iter()
                    .take(self.chunk)
                    .fold(0f32, |m, s| m.max(s.abs()))
            });
            let failure = inner.failure.clone();
            let (play, change) = self.monitor.step(&Seen {
                now,
                buffered,
                next_peak,
                failure: failure.as_ref(),
            });
            if matches!(play, Play::Stream | Play::FallbackListening) {
                let n = self.chunk.min(inner.buffer.len());
                self.block.extend(inner.buffer.drain(..n));
            }
            inner.depth_at_pull = inner.buffer.len();
            (play, change, std::mem::take(&mut inner.notes))
        };
        for note in notes {
            self.report_note(note, wall);
        }
        if let Some(change) = change {
            self.report_change(change, now, wall);
        }
        match play {
            Play::Stream => self.block.resize(self.chunk, 0.0),
            Play::Silence => self.block.resize(self.chunk, 0.0),
            Play::Fallback | Play::FallbackListening => {
                self.block.clear();
                self.fallback.fill(self.chunk, &mut self.block);
            }
        }
        // A switch between sources fades in over the chunk, so it does not click.
        if self.last_play.is_some_and(|p| on_air(p) != on_air(play)) {
            let n = self.block.len().max(1) as f32;
            for (i, s) in self.block.iter_mut().enumerate() {
                *s *= i as f32 / n;
            }
        }
        self.last_play = Some(play);
        if let Some((_, handed)) = self.heard_from.as_mut() {
            *handed += self.block.len() as u64;
        }
        Some(&self.block)
    }

    /// What to tell the as-run about this relay beyond its start and end.
    pub fn summary(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.on_air_once {
            lines.push("luồng chưa lên sóng lần nào / the stream was never on air".to_string());
        }
        if self.outages > 0 {
            let secs = self.off_air.as_secs_f64();
            lines.push(format!(
                "{} lần mất sóng, tổng {secs:.1} giây / {} outages, {secs:.1} s in all",
                self.outages, self.outages
            ));
        }
        lines
    }

    /// When the next sample handed out will be heard.
    fn heard_at(&self) -> DateTime<Utc> {
        let now = self.clock.now();
        let Some((from, handed)) = self.heard_from else {
            return now;
        };
        let ahead =
            chrono::Duration::microseconds((handed as f64 / self.samples_per_second * 1e6) as i64);
        now.max(from + ahead)
    }

    fn end(&mut self, wall: DateTime<Utc>) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        self.shared.stop();
        // An outage still on at the end is reported with the relay's end as its end.
        if let Some((cause, since)) = self.monitor.outage() {
            let cause = cause.clone();
            let since = self.wall_at(since, self.clock.elapsed(), wall);
            self.off_air += (wall - since).to_std().unwrap_or_default();
            (self.observer)(RelayEvent::OutageEnded {
                cause,
                since,
                until: wall,
                recovered: false,
            });
        }
    }

    fn report_note(&mut self, note: Note, at: DateTime<Utc>) {
        let event = match note {
            Note::Connected { url, info } => RelayEvent::Connected { url, info, at },
            Note::Title(title) => RelayEvent::Title { title, at },
            Note::Retrying { error, retry_in } => RelayEvent::Retrying {
                error,
                retry_in,
                at,
            },
        };
        (self.observer)(event);
    }

    fn report_change(&mut self, change: Change, now: Duration, wall: DateTime<Utc>) {
        let event = match change {
            Change::OnAir => {
                self.on_air_once = true;
                RelayEvent::OnAir { at: wall }
            }
            Change::OutageStarted { cause, since } => {
                self.outages += 1;
                self.fallback.restart();
                RelayEvent::OutageStarted {
                    cause,
                    since: self.wall_at(since, now, wall),
                    fallback_at: wall,
                }
            }
            Change::OutageEnded { cause, since } => {
                let since = self.wall_at(since, now, wall);
                self.off_air += (wall - since).to_std().unwrap_or_default();
                (self.observer)(RelayEvent::OutageEnded {
                    cause,
                    since,
                    until: wall,
                    recovered: true,
                });
                if self.on_air_once {
                    return;
                }
                // Out from the start: this is the first time the stream itself is heard.
                self.on_air_once = true;
                RelayEvent::OnAir { at: wall }
            }
        };
        (self.observer)(event);
    }

    /// The wall-clock time of monotonic time `t`, given that `now` is `wall`.
    fn wall_at(&self, t: Duration, now: Duration, wall: DateTime<Utc>) -> DateTime<Utc> {
        wall - chrono::Duration::from_std(now.saturating_sub(t)).unwrap_or_default()
    }
}

/// Whether the stream itself is what plays.
fn on_air(play: Play) -> bool {
    play == Play::Stream
}

impl Drop for RelaySource {
    fn drop(&mut self) {
        // Taken off air early (stopped, or the output failed): the network side ends too, and
        // an outage still on ends here.
        let wall = self.heard_at();
        self.end(wall);
    }
}

impl std::fmt::Debug for RelaySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelaySource")
            .field("until", &self.until)
            .finish_non_exhaustive()
    }
}
