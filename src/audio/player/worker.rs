//! The player thread: admits requests through the arbiter, pumps 10 ms chunks from the voice
//! on air (with background music mixed under it) into the sink, and reports what was heard. It does
//! not choose what airs or when: requests come from the runner and the emergency, and who goes on
//! air is the arbiter's rule (`audio::arbiter`).

use std::collections::VecDeque;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use super::voice::Voice;
use super::{
    Command, NowPlaying, Outcome, OutputOptions, PlayId, PlayReport, PlayRequest, PlayerEvent,
    PlayerStatus,
};
use crate::audio::arbiter::{DUCK_DB, Decision, Priority, decide};
use crate::audio::convert::AudioFormat;
use crate::audio::gain::db_to_linear;
use crate::audio::sink::{Sink, SinkError};
use crate::config::AfterPreemption;
use crate::model::Said;

/// Largest write to the sink: 10 ms, the granularity at which a command can cut in.
const CHUNK: Duration = Duration::from_millis(10);
/// Shortest time between two tries of a missing output when something asks to play: soon
/// enough for an emergency on a card just plugged back in, rare enough not to scan the cards
/// in a loop.
const REOPEN_FLOOR: Duration = Duration::from_millis(250);

pub(super) struct Worker {
    options: OutputOptions,
    sink: Option<Box<dyn Sink>>,
    commands: mpsc::Receiver<Command>,
    events: broadcast::Sender<PlayerEvent>,
    status: Arc<Mutex<PlayerStatus>>,
    /// Foreground requests not yet started, most urgent first, in arrival order within a
    /// priority.
    waiting: VecDeque<(PlayId, PlayRequest)>,
    /// Foreground voices: the last is on air, those below were pre-empted and wait to resume.
    stack: Vec<Voice>,
    /// Background music requests not yet started.
    background_waiting: VecDeque<(PlayId, PlayRequest)>,
    /// Background music playing (ducked while the stack is not empty).
    background: Option<Voice>,
    /// The output is quiet, drained, and has said so (set again by every new request).
    idle: bool,
    /// Underruns of sinks that were closed, so the total survives a reopened card.
    underruns_before: u64,
    /// When to try a missing output again: on the retry period, or sooner when something
    /// asks to play, not on every command (a busy dashboard pings the player many times a
    /// second).
    next_reopen: Instant,
    /// When the output was last tried.
    last_reopen: Option<Instant>,
    mix: Vec<f32>,
}

impl Worker {
    pub(super) fn new(
        options: OutputOptions,
        sink: Option<Box<dyn Sink>>,
        commands: mpsc::Receiver<Command>,
        events: broadcast::Sender<PlayerEvent>,
        status: Arc<Mutex<PlayerStatus>>,
    ) -> Worker {
        Worker {
            next_reopen: Instant::now() + options.retry.unwrap_or_default(),
            last_reopen: None,
            options,
            sink,
            commands,
            events,
            status,
            waiting: VecDeque::new(),
            stack: Vec::new(),
            background_waiting: VecDeque::new(),
            background: None,
            idle: true,
            underruns_before: 0,
            mix: Vec::new(),
        }
    }

    /// Something to play, or an output still to drain and report idle.
    fn busy(&self) -> bool {
        !self.idle
            || !self.stack.is_empty()
            || !self.waiting.is_empty()
            || self.background.is_some()
            || !self.background_waiting.is_empty()
    }

    pub(super) fn run(mut self) {
        loop {
            let command = if self.busy() && self.sink.is_some() {
                self.try_command()
            } else {
                let wait = match (&self.sink, self.options.retry) {
                    (None, Some(_)) => self.next_reopen.saturating_duration_since(Instant::now()),
                    _ => Duration::from_secs(3600),
                };
                self.commands.recv_timeout(wait)
            };
            // Take every command that is waiting before the next chunk, so a stop followed by
            // a new emergency never lets 10 ms of what was stopped through.
            let mut next = command;
            loop {
                match next {
                    Ok(Command::Shutdown) | Err(RecvTimeoutError::Disconnected) => {
                        return self.stop(None);
                    }
                    Ok(Command::Play(id, req)) => {
                        self.admit(id, *req);
                        self.reopen_soon();
                    }
                    Ok(Command::Stop(at_or_above)) => self.stop(at_or_above),
                    Ok(Command::Ping(answer)) => {
                        let _ = answer.send(());
                    }
                    Err(RecvTimeoutError::Timeout) => break,
                }
                next = self.try_command();
            }
            if self.sink.is_none() {
                if Instant::now() >= self.next_reopen {
                    self.reopen();
                }
                continue;
            }
            self.fill_stack();
            self.fill_background();
            if self.stack.is_empty() && self.background.is_none() {
                self.go_idle();
            } else {
                self.pump();
            }
            self.publish_status();
        }
    }

    /// The next command if one is waiting (`Timeout` when none is).
    fn try_command(&self) -> Result<Command, RecvTimeoutError> {
        self.commands.try_recv().map_err(|e| match e {
            mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
            mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
        })
    }

    fn emit(&self, event: PlayerEvent) {
        // No subscribers is fine: nobody is listening.
        let _ = self.events.send(event);
    }

    fn format(&self) -> Option<AudioFormat> {
        self.sink.as_ref().map(|s| s.format())
    }

    /// Take a request in, as the arbiter decides.
    fn admit(&mut self, id: PlayId, req: PlayRequest) {
        self.idle = false;
        if req.priority == Priority::Background {
            self.background_waiting.push_back((id, req));
            return;
        }
        let on_air = self.stack.last().map(Voice::priority);
        match decide(on_air, req.priority) {
            Decision::Start | Decision::Queue | Decision::Duck => self.enqueue(id, req),
            Decision::Preempt => {
                let Some(voice) = self.open(id, req) else {
                    return;
                };
                self.cut_on_air();
                self.stack.push(voice);
            }
        }
    }

    /// Insert after everything at least as urgent.
    fn enqueue(&mut self, id: PlayId, req: PlayRequest) {
        let at = self
            .waiting
            .iter()
            .position(|(_, w)| w.priority < req.priority)
            .unwrap_or(self.waiting.len());
        self.waiting.insert(at, (id, req));
    }

    fn open(&self, id: PlayId, req: PlayRequest) -> Option<Voice> {
        let format = self.format()?;
        let label = req.label.clone();
        let priority = req.priority;
        match Voice::open(
            id,
            req,
            format,
            &self.options.clock,
            &self.events,
            &self.options.microphone,
        ) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.emit(PlayerEvent::Ended(failed_report(
                    id, label, priority, reason,
                )));
                None
            }
        }
    }

    /// Cut the voice on air off the output and pause it, to resume (or restart) later.
    fn cut_on_air(&mut self) {
        let Some(format) = self.format() else { return };
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        if top.frames_written == 0 {
            // Not heard yet: nothing to cut on the output.
            return;
        }
        let Some(cut) = self.sink.as_mut().map(|s| s.clear()) else {
            return;
        };
        top.rewind(cut.discarded_frames, format.channels);
        let id = top.id;
        self.emit(PlayerEvent::Preempted { id, at: cut.at });
        if self.options.after_preemption == AfterPreemption::Restart
            && let Some(v) = self.stack.pop()
        {
            self.emit(PlayerEvent::Ended(v.report(Outcome::Stopped, Some(cut.at))));
            let mut again = v.request;
            again.start_at = None;
            self.waiting.push_back((v.id, again));
        }
    }

    /// When the voice on air ended: start a more urgent waiting request, or let the paused one
    /// below carry on.
    fn fill_stack(&mut self) {
        loop {
            let top = self.stack.last().map(Voice::priority);
            let next_waiting = self.waiting.front().map(|(_, r)| r.priority);
            let start = match (top, next_waiting) {
                (_, None) => return,
                (None, Some(_)) => true,
                (Some(t), Some(w)) => w > t,
            };
            if !start {
                return;
            }
            let Some((id, req)) = self.waiting.pop_front() else {
                return;
            };
            if let Some(v) = self.open(id, req) {
                self.stack.push(v);
                return;
            }
        }
    }

    fn fill_background(&mut self) {
        while self.background.is_none() {
            let Some((id, req)) = self.background_waiting.pop_front() else {
                return;
            };
            self.background = self.open(id, req);
        }
    }

    /// Before a voice's first sample (and when it resumes): route the amplifier and zones; before
    /// its first sample also wait (in short slices,
    /// so commands still get through) until writing now makes the first sample heard at its
    /// start time.
    fn hold_for_start(&mut self) -> bool {
        let clock = self.options.clock.clone();
        let hooks = self.options.hooks.clone();
        let lead = self.sink.as_ref().map(|s| s.latency()).unwrap_or_default();
        let Some(voice) = self.stack.last_mut().or(self.background.as_mut()) else {
            return false;
        };
        if !voice.routed || voice.resuming {
            // Its zones again after a pause: the emergency that cut in may have taken others.
            voice.routed = true;
            let warm_up = hooks.on_air(&voice.request.zones);
            if !warm_up.is_zero() && voice.frames_written == 0 {
                let ready = clock.now() + chrono::Duration::from_std(warm_up).unwrap_or_default();
                voice.start_at = Some(voice.start_at.map_or(ready, |t| t.max(ready)));
            }
        }
        if voice.frames_written > 0 {
            return false;
        }
        let Some(at) = voice.start_at else {
            return false;
        };
        let lead = chrono::Duration::from_std(lead).unwrap_or_default();
        let Ok(wait) = (at - lead - clock.now()).to_std() else {
            return false;
        };
        if wait.is_zero() {
            return false;
        }
        clock.sleep(if clock.is_real() {
            wait.min(CHUNK)
        } else {
            wait
        });
        true
    }

    /// Write one chunk: the voice on air with the background ducked under it, or the
    /// background alone.
    fn pump(&mut self) {
        if self.hold_for_start() {
            return;
        }
        let Some(format) = self.format() else { return };
        let max = chunk_samples(format);
        self.mix.clear();
        let foreground = self.stack.len();
        if let Some(top) = self.stack.last_mut() {
            match top.next_chunk(max) {
                Ok(Some(chunk)) => self.mix.extend_from_slice(chunk),
                Ok(None) => return self.finish_top(Outcome::Completed),
                Err(e) => {
                    return self.finish_top(Outcome::Failed {
                        reason: e.to_string(),
                    });
                }
            }
        }
        let duck = if foreground > 0 {
            db_to_linear(DUCK_DB)
        } else {
            1.0
        };
        let want = if foreground > 0 { self.mix.len() } else { max };
        let mut background_done = None;
        if let Some(bg) = self.background.as_mut() {
            match bg.next_chunk(want) {
                Ok(Some(chunk)) => {
                    if self.mix.len() < chunk.len() {
                        self.mix.resize(chunk.len(), 0.0);
                    }
                    for (m, s) in self.mix.iter_mut().zip(chunk) {
                        *m = (*m + s * duck).clamp(-1.0, 1.0);
                    }
                }
                Ok(None) => background_done = Some(Outcome::Completed),
                Err(e) => {
                    background_done = Some(Outcome::Failed {
                        reason: e.to_string(),
                    })
                }
            }
        }
        if let Some(outcome) = background_done {
            self.finish_background(outcome);
        }
        if self.mix.is_empty() {
            return;
        }
        self.idle = false;
        let result = self.sink.as_mut().map(|s| s.write(&self.mix));
        match result {
            Some(Ok(at)) => self.wrote(at, foreground > 0),
            Some(Err(e)) => self.output_lost(e),
            None => {}
        }
    }

    fn wrote(&mut self, at: DateTime<Utc>, foreground: bool) {
        let Some(format) = self.format() else { return };
        let n = self.mix.len();
        let mut events = Vec::new();
        let voices = self
            .stack
            .last_mut()
            .filter(|_| foreground)
            .into_iter()
            .chain(self.background.as_mut());
        for voice in voices {
            let first = voice.first_at.is_none();
            let resumed = std::mem::take(&mut voice.resuming);
            voice.wrote(at, n, format.channels);
            if first {
                events.push(PlayerEvent::Started {
                    id: voice.id,
                    label: voice.request.label.clone(),
                    priority: voice.priority(),
                    at,
                });
            } else if resumed {
                events.push(PlayerEvent::Resumed { id: voice.id, at });
            }
        }
        for e in events {
            self.emit(e);
        }
    }

    fn finish_top(&mut self, outcome: Outcome) {
        let Some(voice) = self.stack.pop() else {
            return;
        };
        let last = last_sample_at(&voice, self.format());
        if outcome == Outcome::Completed {
            self.status_mut().completed += 1;
        }
        if let (true, Some(bg)) = (self.stack.is_empty(), self.background.as_mut()) {
            // The music alone now: back to its own zones.
            bg.routed = false;
        }
        self.emit(PlayerEvent::Ended(voice.report(outcome, last)));
    }

    fn finish_background(&mut self, outcome: Outcome) {
        let Some(voice) = self.background.take() else {
            return;
        };
        let last = last_sample_at(&voice, self.format());
        self.emit(PlayerEvent::Ended(voice.report(outcome, last)));
    }

    /// Nothing left: let the output play out, release the amplifier, report idle once.
    fn go_idle(&mut self) {
        if self.idle {
            return;
        }
        self.idle = true;
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        match sink.drain() {
            Ok(at) => {
                self.options.hooks.off_air();
                // Whoever hears "idle" and asks the status must find nothing playing.
                self.publish_status();
                self.emit(PlayerEvent::Idle { at });
            }
            Err(e) => self.output_lost(e),
        }
    }

    /// Stop what is at or above `at_or_above` (everything for `None`), on air and waiting.
    fn stop(&mut self, at_or_above: Option<Priority>) {
        let hit = |p: Priority| at_or_above.is_none_or(|min| p >= min);
        let (dropped, kept): (Vec<_>, Vec<_>) =
            self.waiting.drain(..).partition(|(_, r)| hit(r.priority));
        self.waiting = kept.into();
        if at_or_above.is_none() {
            self.waiting_background_stop();
        }
        for (id, req) in dropped {
            self.emit(PlayerEvent::Ended(stopped_report(
                id,
                req.label,
                req.priority,
            )));
        }
        let on_air_hit = self.stack.last().is_some_and(|v| hit(v.priority()));
        let cut = if on_air_hit && self.stack.last().is_some_and(|v| v.frames_written > 0) {
            self.sink.as_mut().map(|s| s.clear().at)
        } else {
            None
        };
        while self.stack.last().is_some_and(|v| hit(v.priority())) {
            if let Some(v) = self.stack.pop() {
                let last = cut.or(v.first_at);
                self.emit(PlayerEvent::Ended(v.report(Outcome::Stopped, last)));
            }
        }
        if at_or_above.is_none() {
            self.finish_background(Outcome::Stopped);
        }
        // The paused voice below carries on from where it was heard.
        if let (Some(_), Some(top)) = (cut, self.stack.last_mut()) {
            top.resuming = true;
        }
    }

    fn waiting_background_stop(&mut self) {
        let dropped: Vec<_> = self.background_waiting.drain(..).collect();
        for (id, req) in dropped {
            self.emit(PlayerEvent::Ended(stopped_report(
                id,
                req.label,
                req.priority,
            )));
        }
    }

    /// Something waits to play: if the output is missing, try it again shortly rather than
    /// at the end of the retry period.
    fn reopen_soon(&mut self) {
        if self.sink.is_none() {
            let soon = self
                .last_reopen
                .map_or_else(Instant::now, |t| t + REOPEN_FLOOR);
            self.next_reopen = self.next_reopen.min(soon);
        }
    }

    fn reopen(&mut self) {
        self.last_reopen = Some(Instant::now());
        let o = &self.options;
        match (o.open)(&o.spec, o.format, o.clock.clone()) {
            Ok(s) => {
                let format = s.format();
                self.sink = Some(s);
                self.set_output_error(None);
                self.emit(PlayerEvent::OutputReady {
                    output: o.spec.to_string(),
                    format,
                });
            }
            Err(e) => {
                self.set_output_error(Some(e.said()));
                self.retry_later();
                // Nothing can air without an output: say so for every waiting request.
                self.fail_waiting(&e.to_string());
            }
        }
    }

    fn output_lost(&mut self, e: SinkError) {
        tracing::error!("{e}");
        let format = self.format();
        if let Some(sink) = self.sink.take() {
            self.underruns_before += sink.underruns();
        }
        let voices: Vec<Voice> = self.stack.drain(..).chain(self.background.take()).collect();
        for v in voices {
            // What was still queued in the card when it went was never heard.
            let last = last_sample_at(&v, format).map(|t| t.min(self.options.clock.now()));
            self.emit(PlayerEvent::Ended(v.report(
                Outcome::Failed {
                    reason: e.to_string(),
                },
                last,
            )));
        }
        self.set_output_error(Some(e.said()));
        // The amplifier and the zones go off (after their hold), not stay on until the card
        // comes back.
        self.options.hooks.off_air();
        self.retry_later();
        self.emit(PlayerEvent::OutputLost {
            output: self.options.spec.to_string(),
            reason: e.to_string(),
        });
        self.idle = true;
        if self.options.retry.is_none() {
            self.fail_waiting(&e.to_string());
        }
    }

    /// Try the missing output again after the retry period.
    fn retry_later(&mut self) {
        self.next_reopen = Instant::now() + self.options.retry.unwrap_or_default();
    }

    /// Report every request still waiting as failed, for `reason`.
    fn fail_waiting(&mut self, reason: &str) {
        let waiting: Vec<_> = self
            .waiting
            .drain(..)
            .chain(self.background_waiting.drain(..))
            .collect();
        for (id, req) in waiting {
            self.emit(PlayerEvent::Ended(failed_report(
                id,
                req.label,
                req.priority,
                reason.to_string(),
            )));
        }
    }

    fn set_output_error(&self, error: Option<Said>) {
        let mut s = self.status_mut();
        s.format = self.format();
        s.output_error = error;
    }

    fn status_mut(&self) -> std::sync::MutexGuard<'_, PlayerStatus> {
        self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish_status(&self) {
        let mut s = self.status_mut();
        s.queued = self.waiting.len() + self.background_waiting.len();
        s.underruns = self.underruns_before + self.sink.as_ref().map_or(0, |k| k.underruns());
        s.now_playing = self.stack.last().map(|v| NowPlaying {
            id: v.id,
            label: v.request.label.clone(),
            priority: v.priority(),
            since: v.first_at,
        });
        s.background = self.background.as_ref().map(|v| v.request.label.clone());
    }
}

fn failed_report(id: PlayId, label: String, priority: Priority, reason: String) -> PlayReport {
    PlayReport {
        id,
        label,
        priority,
        first_sample_at: None,
        last_sample_at: None,
        frames: 0,
        outcome: Outcome::Failed { reason },
        warnings: Vec::new(),
    }
}

fn stopped_report(id: PlayId, label: String, priority: Priority) -> PlayReport {
    PlayReport {
        outcome: Outcome::Stopped,
        ..failed_report(id, label, priority, String::new())
    }
}

fn chunk_samples(format: AudioFormat) -> usize {
    let frames = (f64::from(format.sample_rate) * CHUNK.as_secs_f64()).max(1.0) as usize;
    frames * usize::from(format.channels)
}

/// When the last sample `voice` wrote reached the output: the start of its last chunk plus
/// that chunk's length.
fn last_sample_at(voice: &Voice, format: Option<AudioFormat>) -> Option<DateTime<Utc>> {
    voice
        .last_write
        .zip(format)
        .map(|((at, samples), f)| at + duration_of(samples, f))
}

fn duration_of(samples: usize, format: AudioFormat) -> chrono::Duration {
    let frames = samples / usize::from(format.channels.max(1));
    chrono::Duration::nanoseconds(
        (frames as i128 * 1_000_000_000 / i128::from(format.sample_rate.max(1))) as i64,
    )
}
