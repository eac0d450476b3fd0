//! A voice: one thing being played, from its source through conversion and level to chunks
//! ready for the output, with what has been heard of it. A voice does not choose what airs or write
//! to the sink: the worker does both.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use std::sync::Arc;

use tokio::sync::broadcast;

use super::{Outcome, PlayId, PlayReport, PlayRequest, PlayerEvent, Source};
use crate::audio::arbiter::Priority;
use crate::audio::clip::Clip;
use crate::audio::convert::{AudioFormat, Converter};
use crate::audio::decode::{DecodeError, Decoder};
use crate::audio::feed::FeedReader;
use crate::audio::gain::Leveler;
use crate::audio::input::{self, Input};
use crate::audio::stream::RelaySource;
use crate::clock::Clock;

/// Seconds of written audio kept, so a pre-empted voice can replay what the output dropped.
const HISTORY_SECONDS: f64 = 0.5;

/// Where a voice's blocks of samples come from.
pub(super) trait BlockSource: Send {
    /// The next block, or `None` at the end.
    fn next_block(&mut self) -> Result<Option<&[f32]>, DecodeError>;
    /// Problems worth reporting that did not stop it.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
    /// A live source resumes where the live audio is after a pause, so what the output dropped
    /// when it was cut off is not played again.
    fn is_live(&self) -> bool {
        false
    }
}

impl BlockSource for Decoder {
    fn next_block(&mut self) -> Result<Option<&[f32]>, DecodeError> {
        Ok(Decoder::next_block(self)?.map(|b| b.samples))
    }
    fn warnings(&self) -> Vec<String> {
        Decoder::warnings(self)
            .iter()
            .map(|w| w.to_string())
            .collect()
    }
}

struct ClipReader {
    clip: Clip,
    pos: usize,
}

impl BlockSource for ClipReader {
    fn next_block(&mut self) -> Result<Option<&[f32]>, DecodeError> {
        let step = 4096 * usize::from(self.clip.format.channels);
        let end = (self.pos + step).min(self.clip.samples.len());
        if end == self.pos {
            return Ok(None);
        }
        let block = &self.clip.samples[self.pos..end];
        self.pos = end;
        Ok(Some(block))
    }
}

impl BlockSource for Box<dyn Input> {
    fn next_block(&mut self) -> Result<Option<&[f32]>, DecodeError> {
        Ok(self.read())
    }
}

impl BlockSource for FeedReader {
    fn next_block(&mut self) -> Result<Option<&[f32]>, DecodeError> {
        Ok(FeedReader::next_block(self))
    }
    fn is_live(&self) -> bool {
        true
    }
}

impl BlockSource for RelaySource {
    fn next_block(&mut self) -> Result<Option<&[f32]>, DecodeError> {
        Ok(RelaySource::next_block(self))
    }
    fn warnings(&self) -> Vec<String> {
        self.summary()
    }
    fn is_live(&self) -> bool {
        true
    }
}

/// One request being played.
pub(super) struct Voice {
    pub(super) id: PlayId,
    pub(super) request: PlayRequest,
    source: Box<dyn BlockSource>,
    converter: Converter,
    leveler: Leveler,
    /// Output-format samples not yet written.
    pending: VecDeque<f32>,
    chunk: Vec<f32>,
    decoded_all: bool,
    /// Recently written samples, newest last.
    history: VecDeque<f32>,
    history_cap: usize,
    pub(super) first_at: Option<DateTime<Utc>>,
    pub(super) last_write: Option<(DateTime<Utc>, usize)>,
    pub(super) frames_written: u64,
    /// Set when pre-empted, cleared (with a `Resumed` event) at the next write.
    pub(super) resuming: bool,
    /// When the first sample must be heard.
    pub(super) start_at: Option<DateTime<Utc>>,
    /// Whether the output's routing (amplifier, zones) was set for this voice.
    pub(super) routed: bool,
}

impl Voice {
    /// Open what `request` plays, converted to `format`. A relay paces itself by `clock` and
    /// reports through `events`; the microphone opens through `microphone`.
    pub(super) fn open(
        id: PlayId,
        request: PlayRequest,
        format: AudioFormat,
        clock: &Arc<dyn Clock>,
        events: &broadcast::Sender<PlayerEvent>,
        microphone: &input::Opener,
    ) -> Result<Voice, String> {
        let (source, from): (Box<dyn BlockSource>, AudioFormat) = match &request.source {
            Source::File(path) => {
                let decoder = Decoder::open(path).map_err(|e| e.to_string())?;
                let info = decoder.info();
                // A few AAC files only reveal channels in the first packet; assume mono.
                let from = AudioFormat {
                    sample_rate: info.sample_rate,
                    channels: info.channels.max(1),
                };
                (Box::new(decoder), from)
            }
            Source::Clip(clip) => (
                Box::new(ClipReader {
                    clip: clip.clone(),
                    pos: 0,
                }),
                clip.format,
            ),
            Source::Live(name) => {
                let live = microphone(name.as_deref()).map_err(|e| e.to_string())?;
                let from = live.format();
                (Box::new(live), from)
            }
            Source::Feed(feed) => (Box::new(feed.reader()), crate::audio::opus::FORMAT),
            Source::Relay(spec) => {
                let events = events.clone();
                let observer = Box::new(move |event| {
                    let _ = events.send(PlayerEvent::Relay { id, event });
                });
                let relay = RelaySource::start(spec.clone(), format, clock.clone(), observer)
                    .map_err(|e| e.to_string())?;
                // The relay converts to the output format itself.
                (Box::new(relay), format)
            }
        };
        let converter = Converter::new(from, format).map_err(|e| e.to_string())?;
        let leveler = Leveler::new(
            request.gain_db,
            request.ceiling_dbtp,
            format.sample_rate,
            format.channels,
        );
        let history_cap = (f64::from(format.sample_rate) * HISTORY_SECONDS) as usize
            * usize::from(format.channels);
        Ok(Voice {
            id,
            start_at: request.start_at,
            request,
            source,
            converter,
            leveler,
            pending: VecDeque::new(),
            chunk: Vec::new(),
            decoded_all: false,
            history: VecDeque::with_capacity(history_cap),
            history_cap,
            first_at: None,
            last_write: None,
            frames_written: 0,
            resuming: false,
            routed: false,
        })
    }

    pub(super) fn priority(&self) -> Priority {
        self.request.priority
    }

    /// Up to `max` samples of output, or `None` when everything has been handed out.
    pub(super) fn next_chunk(&mut self, max: usize) -> Result<Option<&[f32]>, DecodeError> {
        let mut converted = Vec::new();
        while self.pending.len() < max && !self.decoded_all {
            converted.clear();
            match self.source.next_block()? {
                Some(block) => self
                    .leveler
                    .process(self.converter.process(block), &mut converted),
                None => {
                    let tail = self.converter.finish();
                    self.leveler.process(tail, &mut converted);
                    self.leveler.finish(&mut converted);
                    self.decoded_all = true;
                }
            }
            self.pending.extend(converted.iter().copied());
        }
        let n = max.min(self.pending.len());
        if n == 0 {
            return Ok(None);
        }
        self.chunk.clear();
        self.chunk.extend(self.pending.drain(..n));
        Ok(Some(&self.chunk))
    }

    /// Note that the chunk just handed out reached the output writer at `at`.
    pub(super) fn wrote(&mut self, at: DateTime<Utc>, samples: usize, channels: u16) {
        for &s in &self.chunk[..samples.min(self.chunk.len())] {
            if self.history.len() == self.history_cap {
                self.history.pop_front();
            }
            self.history.push_back(s);
        }
        self.frames_written += (samples / usize::from(channels.max(1))) as u64;
        self.last_write = Some((at, samples));
        if self.first_at.is_none() {
            self.first_at = Some(at);
        }
    }

    /// The output dropped the last `frames` written: put them back in front, so the voice
    /// resumes exactly where listeners last heard it. A live source (a relay) resumes live
    /// instead: what it missed stays missed.
    pub(super) fn rewind(&mut self, frames: u64, channels: u16) {
        let samples = (frames as usize * usize::from(channels)).min(self.history.len());
        let tail: Vec<f32> = self.history.drain(self.history.len() - samples..).collect();
        if self.source.is_live() {
            // Live audio resumes live: what was cut off stays missed.
            self.pending.clear();
        } else {
            for s in tail.into_iter().rev() {
                self.pending.push_front(s);
            }
        }
        self.frames_written = self.frames_written.saturating_sub(frames);
        self.resuming = true;
    }

    pub(super) fn report(
        &self,
        outcome: Outcome,
        last_sample_at: Option<DateTime<Utc>>,
    ) -> PlayReport {
        PlayReport {
            id: self.id,
            label: self.request.label.clone(),
            priority: self.request.priority,
            first_sample_at: self.first_at,
            last_sample_at,
            frames: self.frames_written,
            outcome,
            warnings: self.source.warnings(),
        }
    }
}
