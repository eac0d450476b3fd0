//! The player: one thread that owns the output and plays requests back to back.
//!
//! [`Player`] is a cheap handle; its methods send commands to a worker thread that owns the
//! [`Sink`], decodes, converts and writes in 10 ms chunks, and reports what happened as
//! [`PlayerEvent`]s with the times the first and last samples reached the output. The worker
//! is an OS thread, not a task: decoding and sink pacing block, and must never stall the web.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use super::convert::{AudioFormat, Converter};
use super::decode::{DecodeError, Decoder};
use super::gain::Leveler;
use super::sink::{self, OutputSpec, Sink, SinkError};
use crate::clock::Clock;

/// Largest write to the sink: 10 ms, the granularity at which a command can cut in.
const CHUNK: Duration = Duration::from_millis(10);

/// Identifies one play, as returned by [`Player::play`].
pub type PlayId = u64;

/// Something to play.
#[derive(Debug, Clone)]
pub struct PlayRequest {
    /// The recording.
    pub path: PathBuf,
    /// What logs and the dashboard call it.
    pub label: String,
    /// Gain to apply, in dB.
    pub gain_db: f32,
    /// True-peak ceiling for the limiter, in dBTP; `None` plays without limiting.
    pub ceiling_dbtp: Option<f32>,
    /// Hold the first sample until this moment (a scheduled cue). `None`: as soon as its
    /// turn comes.
    pub start_at: Option<DateTime<Utc>>,
}

/// How a play ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Played to the end.
    Completed,
    /// Stopped by an operator.
    Stopped,
    /// Could not play, or stopped part way, for this reason.
    Failed { reason: String },
}

/// The as-run facts of one play.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlayReport {
    /// The id [`Player::play`] returned.
    pub id: PlayId,
    /// The request's label.
    pub label: String,
    /// When the first sample reached the output, if any did.
    pub first_sample_at: Option<DateTime<Utc>>,
    /// When the last sample reached the output.
    pub last_sample_at: Option<DateTime<Utc>>,
    /// Output frames that reached the output.
    pub frames: u64,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Problems with the recording that did not stop it.
    pub warnings: Vec<String>,
}

/// What the player tells its subscribers.
#[derive(Debug, Clone)]
pub enum PlayerEvent {
    /// The first sample of a play reached the output.
    Started {
        id: PlayId,
        label: String,
        at: DateTime<Utc>,
    },
    /// A play ended (completed, stopped or failed).
    Ended(PlayReport),
    /// Nothing left to play; the last sample reached the output at `at`.
    Idle { at: DateTime<Utc> },
    /// The output opened (at start or after it came back).
    OutputReady { output: String, format: AudioFormat },
    /// The output is missing or went away; the player retries.
    OutputLost { output: String, reason: String },
}

/// A snapshot of the player for the dashboard and `/healthz`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PlayerStatus {
    /// The configured output name.
    pub output: String,
    /// The output format, when the output is open.
    pub format: Option<AudioFormat>,
    /// Why the output is not open.
    pub output_error: Option<String>,
    /// What is playing now.
    pub now_playing: Option<NowPlaying>,
    /// Requests waiting.
    pub queued: usize,
    /// Times the output ran dry while it should have been playing.
    pub underruns: u64,
    /// Plays completed since start.
    pub completed: u64,
}

/// The play on air.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NowPlaying {
    /// Its id.
    pub id: PlayId,
    /// Its label.
    pub label: String,
    /// When its first sample was heard.
    pub since: Option<DateTime<Utc>>,
}

/// How the player reaches its output.
#[derive(Clone)]
pub struct OutputOptions {
    /// Which output.
    pub spec: OutputSpec,
    /// Rate and channels to ask for.
    pub format: AudioFormat,
    /// Paces null and WAV outputs; simulated in tests and with `--fast`.
    pub clock: Arc<dyn Clock>,
    /// `Some`: keep running without the output and retry this often (the service).
    /// `None`: fail at once (the CLI).
    pub retry: Option<Duration>,
}

enum Command {
    Play(PlayId, PlayRequest),
    Stop,
    Shutdown,
}

/// Handle to the player thread. Dropping it finishes the current chunk and stops.
pub struct Player {
    commands: mpsc::Sender<Command>,
    events: broadcast::Sender<PlayerEvent>,
    status: Arc<Mutex<PlayerStatus>>,
    next_id: AtomicU64,
    thread: Option<JoinHandle<()>>,
}

impl Player {
    /// Start the player. Without a retry policy, an output that cannot open is an error here.
    pub fn spawn(options: OutputOptions) -> Result<Player, SinkError> {
        let first = sink::open(&options.spec, options.format, options.clock.clone());
        let sink = match (first, options.retry) {
            (Ok(s), _) => Some(s),
            (Err(e), None) => return Err(e),
            (Err(e), Some(_)) => {
                tracing::warn!("{e}");
                None
            }
        };
        let (events, _) = broadcast::channel(1024);
        let status = Arc::new(Mutex::new(PlayerStatus {
            output: options.spec.to_string(),
            format: sink.as_ref().map(|s| s.format()),
            output_error: None,
            now_playing: None,
            queued: 0,
            underruns: 0,
            completed: 0,
        }));
        let (tx, rx) = mpsc::channel();
        let worker = Worker {
            options,
            sink,
            commands: rx,
            events: events.clone(),
            status: status.clone(),
            queue: VecDeque::new(),
            current: None,
            underruns_before: 0,
        };
        let thread = std::thread::Builder::new()
            .name("loaxa-player".into())
            .spawn(move || worker.run())
            .map_err(|e| SinkError::DeviceUnavailable {
                name: "player".into(),
                detail: e.to_string(),
            })?;
        Ok(Player {
            commands: tx,
            events,
            status,
            next_id: AtomicU64::new(1),
            thread: Some(thread),
        })
    }

    /// Queue a recording after whatever is queued. Returns its id for matching events.
    pub fn play(&self, request: PlayRequest) -> PlayId {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        // A send only fails after the worker stopped, when nothing can play anyway.
        let _ = self.commands.send(Command::Play(id, request));
        id
    }

    /// Stop what is playing and forget the queue.
    pub fn stop(&self) {
        let _ = self.commands.send(Command::Stop);
    }

    /// Receive events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<PlayerEvent> {
        self.events.subscribe()
    }

    /// The player as it is now.
    pub fn status(&self) -> PlayerStatus {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A request being played: the decode → convert → gain pipeline and what has been heard.
struct Voice {
    id: PlayId,
    label: String,
    decoder: Decoder,
    converter: Converter,
    leveler: Leveler,
    /// Converted samples not yet written.
    pending: Vec<f32>,
    pending_pos: usize,
    decoded_all: bool,
    first_at: Option<DateTime<Utc>>,
    /// Time and length of the last write, to know when the last sample is heard.
    last_write: Option<(DateTime<Utc>, usize)>,
    frames_written: u64,
    /// When the first sample must be heard.
    start_at: Option<DateTime<Utc>>,
}

impl Voice {
    fn open(id: PlayId, req: PlayRequest, format: AudioFormat) -> Result<Voice, String> {
        let decoder = Decoder::open(&req.path).map_err(|e| e.to_string())?;
        let info = decoder.info();
        let from = AudioFormat {
            sample_rate: info.sample_rate,
            // A few AAC files only reveal channels in the first packet; assume the common mono.
            channels: info.channels.max(1),
        };
        let converter = Converter::new(from, format).map_err(|e| e.to_string())?;
        Ok(Voice {
            id,
            label: req.label,
            decoder,
            converter,
            leveler: Leveler::new(
                req.gain_db,
                req.ceiling_dbtp,
                format.sample_rate,
                format.channels,
            ),
            pending: Vec::new(),
            pending_pos: 0,
            decoded_all: false,
            first_at: None,
            last_write: None,
            frames_written: 0,
            start_at: req.start_at,
        })
    }

    /// Up to `max` samples of output, or `None` when everything has been handed out.
    fn next_chunk(&mut self, max: usize) -> Result<Option<&[f32]>, DecodeError> {
        while self.pending.len() - self.pending_pos < max && !self.decoded_all {
            if self.pending_pos > 0 {
                self.pending.drain(..self.pending_pos);
                self.pending_pos = 0;
            }
            match self.decoder.next_block()? {
                Some(block) => {
                    let converted = self.converter.process(block.samples);
                    self.leveler.process(converted, &mut self.pending);
                }
                None => {
                    let tail = self.converter.finish();
                    self.leveler.process(tail, &mut self.pending);
                    self.leveler.finish(&mut self.pending);
                    self.decoded_all = true;
                }
            }
        }
        let end = (self.pending_pos + max).min(self.pending.len());
        if end == self.pending_pos {
            return Ok(None);
        }
        let chunk = &self.pending[self.pending_pos..end];
        self.pending_pos = end;
        Ok(Some(chunk))
    }

    fn report(&self, outcome: Outcome, last_sample_at: Option<DateTime<Utc>>) -> PlayReport {
        PlayReport {
            id: self.id,
            label: self.label.clone(),
            first_sample_at: self.first_at,
            last_sample_at,
            frames: self.frames_written,
            outcome,
            warnings: self
                .decoder
                .warnings()
                .iter()
                .map(|w| w.to_string())
                .collect(),
        }
    }
}

struct Worker {
    options: OutputOptions,
    sink: Option<Box<dyn Sink>>,
    commands: mpsc::Receiver<Command>,
    events: broadcast::Sender<PlayerEvent>,
    status: Arc<Mutex<PlayerStatus>>,
    queue: VecDeque<(PlayId, PlayRequest)>,
    current: Option<Voice>,
    /// Underruns of sinks that were closed, so the total survives a reopened card.
    underruns_before: u64,
}

impl Worker {
    fn run(mut self) {
        loop {
            let busy = self.current.is_some() || !self.queue.is_empty();
            let command = if busy && self.sink.is_some() {
                self.commands.try_recv().map_err(|e| match e {
                    mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                    mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                })
            } else {
                let wait = match (&self.sink, self.options.retry) {
                    (None, Some(retry)) => retry,
                    _ => Duration::from_secs(3600),
                };
                self.commands.recv_timeout(wait)
            };
            match command {
                Ok(Command::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(Command::Play(id, req)) => self.queue.push_back((id, req)),
                Ok(Command::Stop) => self.stop_all(),
                Err(RecvTimeoutError::Timeout) => {}
            }
            if self.sink.is_none() {
                self.reopen();
                continue;
            }
            if self.current.is_none() {
                self.start_next();
            }
            if self.current.is_some() {
                self.pump();
            }
            self.publish_status();
        }
        if self.current.is_some() {
            self.stop_all();
        }
    }

    fn emit(&self, event: PlayerEvent) {
        // No subscribers is fine: nobody is listening.
        let _ = self.events.send(event);
    }

    fn reopen(&mut self) {
        let o = &self.options;
        match sink::open(&o.spec, o.format, o.clock.clone()) {
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
                self.set_output_error(Some(e.to_string()));
                // Nothing can air without an output: say so for every waiting request.
                while let Some((id, req)) = self.queue.pop_front() {
                    self.emit(PlayerEvent::Ended(failed_report(
                        id,
                        req.label,
                        e.to_string(),
                    )));
                }
            }
        }
    }

    fn set_output_error(&self, error: Option<String>) {
        let mut s = self.status.lock().unwrap_or_else(|e| e.into_inner());
        s.format = self.sink.as_ref().map(|k| k.format());
        s.output_error = error;
    }

    fn start_next(&mut self) {
        let Some(format) = self.sink.as_ref().map(|s| s.format()) else {
            return;
        };
        while let Some((id, req)) = self.queue.pop_front() {
            let label = req.label.clone();
            match Voice::open(id, req, format) {
                Ok(v) => {
                    self.current = Some(v);
                    return;
                }
                Err(reason) => {
                    self.emit(PlayerEvent::Ended(failed_report(id, label, reason)));
                }
            }
        }
        self.idle_if_done();
    }

    /// Before a timed voice's first sample: wait (in short slices, so commands still get
    /// through) until writing now makes the first sample heard at its start time.
    fn hold_for_start(&mut self) -> bool {
        let (Some(voice), Some(sink)) = (self.current.as_ref(), self.sink.as_ref()) else {
            return false;
        };
        let Some(at) = voice.start_at.filter(|_| voice.frames_written == 0) else {
            return false;
        };
        let lead = chrono::Duration::from_std(sink.latency()).unwrap_or(chrono::Duration::zero());
        let clock = &self.options.clock;
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

    /// Write one chunk of the current voice, or finish it.
    fn pump(&mut self) {
        if self.hold_for_start() {
            return;
        }
        let (Some(voice), Some(sink)) = (self.current.as_mut(), self.sink.as_mut()) else {
            return;
        };
        let format = sink.format();
        let max = chunk_samples(format);
        let chunk = match voice.next_chunk(max) {
            Ok(Some(chunk)) => chunk,
            Ok(None) => {
                let last = voice
                    .last_write
                    .map(|(at, samples)| at + duration_of(samples, format));
                let report = voice.report(Outcome::Completed, last);
                self.current = None;
                self.status_mut().completed += 1;
                self.emit(PlayerEvent::Ended(report));
                self.idle_if_done();
                return;
            }
            Err(e) => {
                let report = voice.report(
                    Outcome::Failed {
                        reason: e.to_string(),
                    },
                    voice.last_write.map(|(at, n)| at + duration_of(n, format)),
                );
                self.current = None;
                self.emit(PlayerEvent::Ended(report));
                self.idle_if_done();
                return;
            }
        };
        let samples = chunk.len();
        match sink.write(chunk) {
            Ok(at) => {
                voice.frames_written += (samples / usize::from(format.channels)) as u64;
                voice.last_write = Some((at, samples));
                if voice.first_at.is_none() {
                    voice.first_at = Some(at);
                    let started = PlayerEvent::Started {
                        id: voice.id,
                        label: voice.label.clone(),
                        at,
                    };
                    self.emit(started);
                }
            }
            Err(e) => self.output_lost(e),
        }
    }

    fn output_lost(&mut self, e: SinkError) {
        tracing::error!("{e}");
        if let Some(sink) = self.sink.take() {
            self.underruns_before += sink.underruns();
        }
        if let Some(voice) = self.current.take() {
            let report = voice.report(
                Outcome::Failed {
                    reason: e.to_string(),
                },
                voice.last_write.map(|(at, _)| at),
            );
            self.emit(PlayerEvent::Ended(report));
        }
        self.set_output_error(Some(e.to_string()));
        self.emit(PlayerEvent::OutputLost {
            output: self.options.spec.to_string(),
            reason: e.to_string(),
        });
        if self.options.retry.is_none() {
            while let Some((id, req)) = self.queue.pop_front() {
                self.emit(PlayerEvent::Ended(failed_report(
                    id,
                    req.label,
                    e.to_string(),
                )));
            }
        }
    }

    /// After the last queued play, let the output play out and report idle.
    fn idle_if_done(&mut self) {
        if !self.queue.is_empty() {
            return;
        }
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        match sink.drain() {
            Ok(at) => self.emit(PlayerEvent::Idle { at }),
            Err(e) => self.output_lost(e),
        }
    }

    fn stop_all(&mut self) {
        let dropped: Vec<_> = self.queue.drain(..).collect();
        for (id, req) in dropped {
            self.emit(PlayerEvent::Ended(stopped_report(id, req.label)));
        }
        let Some(voice) = self.current.take() else {
            return;
        };
        let cut = self.sink.as_mut().map(|s| s.clear());
        let report = voice.report(Outcome::Stopped, cut.map(|c| c.at).or(voice.first_at));
        self.emit(PlayerEvent::Ended(report));
        self.idle_if_done();
    }

    fn status_mut(&self) -> std::sync::MutexGuard<'_, PlayerStatus> {
        self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish_status(&self) {
        let mut s = self.status_mut();
        s.queued = self.queue.len();
        s.underruns = self.underruns_before + self.sink.as_ref().map_or(0, |k| k.underruns());
        s.now_playing = self.current.as_ref().map(|v| NowPlaying {
            id: v.id,
            label: v.label.clone(),
            since: v.first_at,
        });
    }
}

fn failed_report(id: PlayId, label: String, reason: String) -> PlayReport {
    PlayReport {
        id,
        label,
        first_sample_at: None,
        last_sample_at: None,
        frames: 0,
        outcome: Outcome::Failed { reason },
        warnings: Vec::new(),
    }
}

fn stopped_report(id: PlayId, label: String) -> PlayReport {
    PlayReport {
        outcome: Outcome::Stopped,
        ..failed_report(id, label, String::new())
    }
}

fn chunk_samples(format: AudioFormat) -> usize {
    let frames = (f64::from(format.sample_rate) * CHUNK.as_secs_f64()).max(1.0) as usize;
    frames * usize::from(format.channels)
}

fn duration_of(samples: usize, format: AudioFormat) -> chrono::Duration {
    let frames = samples / usize::from(format.channels.max(1));
    chrono::Duration::nanoseconds(
        (frames as i128 * 1_000_000_000 / i128::from(format.sample_rate.max(1))) as i64,
    )
}
