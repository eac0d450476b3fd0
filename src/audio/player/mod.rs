//! The player: one thread that owns the output and decides what is on air.
//!
//! [`Player`] is a cheap handle; its methods send commands to a worker thread that owns the
//! [`Sink`](super::sink::Sink). The worker follows the on-air policy of
//! [`arbiter`](super::arbiter): a more urgent request pre-empts what plays within one 10 ms
//! chunk, the pre-empted item resumes exactly where it was heard, and background music is
//! mixed under announcements. It reports everything as [`PlayerEvent`]s carrying the times the
//! first and last samples reached the output. The worker is an OS thread, not a task:
//! decoding and sink pacing block, and must never stall the web.

mod voice;
mod worker;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

pub use crate::audio::clip::Clip;

use super::arbiter::Priority;
use super::convert::AudioFormat;
use super::feed::LiveFeed;
use super::input::{self, Tap};
use super::listen::Monitor;
use super::sink::{self, SinkError};
use super::stream::{RelayEvent, RelaySpec};
use crate::clock::Clock;
use crate::config::{AfterPreemption, OutputSpec};
use crate::model::Said;

/// Identifies one play, as returned by [`Player::play`].
pub type PlayId = u64;

/// What a request plays.
#[derive(Debug, Clone)]
pub enum Source {
    /// A recording on disk.
    File(PathBuf),
    /// Audio decoded beforehand (the attention chime).
    Clip(Clip),
    /// The live microphone or line-in (`None`: the default input).
    Live(Option<String>),
    /// Live audio pushed from elsewhere (the head-end's microphone on a village node). After
    /// a pre-emption it resumes live.
    Feed(LiveFeed),
    /// A live stream relayed until its deadline, with its fallback (tiếp sóng). After a
    /// pre-emption it resumes live, not where it was cut.
    Relay(RelaySpec),
}

/// Something to play.
#[derive(Debug, Clone)]
pub struct PlayRequest {
    /// What.
    pub source: Source,
    /// What logs and the dashboard call it.
    pub label: String,
    /// Gain to apply, in dB.
    pub gain_db: f32,
    /// True-peak ceiling for the limiter, in dBTP; `None` plays without limiting.
    pub ceiling_dbtp: Option<f32>,
    /// Hold the first sample until this moment (a scheduled cue). `None`: as soon as its
    /// turn comes.
    pub start_at: Option<DateTime<Utc>>,
    /// How urgent it is.
    pub priority: Priority,
    /// Zones (thôn) to reach; empty: all.
    pub zones: Vec<String>,
}

impl PlayRequest {
    /// A scheduled-priority request for a file, to all zones, without limiting.
    pub fn file(path: impl Into<PathBuf>, label: impl Into<String>) -> PlayRequest {
        PlayRequest {
            source: Source::File(path.into()),
            label: label.into(),
            gain_db: 0.0,
            ceiling_dbtp: None,
            start_at: None,
            priority: Priority::Scheduled,
            zones: Vec::new(),
        }
    }
}

/// How a play ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Played to the end.
    Completed,
    /// Stopped by an operator, or replaced by a newer announcement.
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
    /// Its priority.
    pub priority: Priority,
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
        priority: Priority,
        at: DateTime<Utc>,
    },
    /// Something more urgent cut a play off; its last heard sample was at `at`.
    Preempted { id: PlayId, at: DateTime<Utc> },
    /// A pre-empted play carries on; its next sample is heard at `at`.
    Resumed { id: PlayId, at: DateTime<Utc> },
    /// A play ended (completed, stopped or failed).
    Ended(PlayReport),
    /// Nothing left to play; the last sample reached the output at `at`.
    Idle { at: DateTime<Utc> },
    /// The output opened (at start or after it came back).
    OutputReady { output: String, format: AudioFormat },
    /// The output is missing or went away; the player retries.
    OutputLost { output: String, reason: String },
    /// What a relay reports (connected, outages and their times, titles).
    Relay { id: PlayId, event: RelayEvent },
}

/// A snapshot of the player for the dashboard and `/healthz`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PlayerStatus {
    /// The configured output name.
    pub output: String,
    /// The output format, when the output is open.
    pub format: Option<AudioFormat>,
    /// Why the output is not open.
    pub output_error: Option<Said>,
    /// What is on air now.
    pub now_playing: Option<NowPlaying>,
    /// Background music playing under it, if any.
    pub background: Option<String>,
    /// Requests waiting.
    pub queued: usize,
    /// Times the output ran dry while it should have been playing.
    pub underruns: u64,
    /// Plays completed since start.
    pub completed: u64,
    /// Why the station airs into the "Nghe / Listen" stream alone (no sound card, with
    /// `audio.listen_alone`): the speakers get nothing although plays go on.
    pub listen_alone: Option<Said>,
}

/// The play on air.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NowPlaying {
    /// Its id.
    pub id: PlayId,
    /// Its label.
    pub label: String,
    /// How urgent.
    pub priority: Priority,
    /// When its first sample was heard.
    pub since: Option<DateTime<Utc>>,
}

/// The amplifier and zone relays, as the player sees them: routed right before each voice's
/// first sample, released when the output goes idle.
pub trait AirHooks: Send + Sync {
    /// About to play to `zones` (empty: all). Returns how long the amplifier still needs to
    /// warm up before the first sample should be heard.
    fn on_air(&self, zones: &[String]) -> Duration;
    /// Nothing is playing any more.
    fn off_air(&self);
    /// Something is coming soon (a slot in a few seconds): power up now so it is warm.
    fn prepare(&self) {}
}

/// Hooks for outputs with no relays to drive.
#[derive(Debug, Default)]
pub struct NoHooks;

impl AirHooks for NoHooks {
    fn on_air(&self, _: &[String]) -> Duration {
        Duration::ZERO
    }
    fn off_air(&self) {}
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
    /// What happens to a pre-empted item.
    pub after_preemption: AfterPreemption,
    /// The amplifier and zones.
    pub hooks: Arc<dyn AirHooks>,
    /// Opens `spec`, at start and on every retry: [`sink::open`] unless replaced. Tests and
    /// future outputs supply their own (an output that fails on demand, for instance).
    pub open: sink::Opener,
    /// When the output cannot open, play into the "Nghe / Listen" stream alone, paced like a
    /// card (the demo on a machine with no sound card); the monitor says why.
    pub listen_alone: bool,
    /// Opens the microphone: the sound card's input unless replaced (a test feeds a tone).
    pub microphone: input::Opener,
}

impl OutputOptions {
    /// Options for `spec` with no relays, resuming pre-empted items, failing at once.
    pub fn new(spec: OutputSpec, format: AudioFormat, clock: Arc<dyn Clock>) -> OutputOptions {
        OutputOptions {
            spec,
            format,
            clock,
            retry: None,
            after_preemption: AfterPreemption::Resume,
            hooks: Arc::new(NoHooks),
            open: Arc::new(sink::open),
            listen_alone: false,
            microphone: Arc::new(input::open_device),
        }
    }
}

enum Command {
    Play(PlayId, Box<PlayRequest>),
    /// Stop what is at or above this priority (`None`: everything).
    Stop(Option<Priority>),
    /// Answer on the channel: the thread is alive and taking commands.
    Ping(mpsc::Sender<()>),
    Shutdown,
}

/// Handle to the player thread. Dropping it finishes the current chunk and stops.
pub struct Player {
    commands: mpsc::Sender<Command>,
    hooks: Arc<dyn AirHooks>,
    events: broadcast::Sender<PlayerEvent>,
    status: Arc<Mutex<PlayerStatus>>,
    next_id: AtomicU64,
    monitor: Monitor,
    /// What the microphone gives while it airs, for the head-end to relay.
    tap: Tap,
    microphone: input::Opener,
    thread: Option<JoinHandle<()>>,
}

impl Player {
    /// Start the player. Without a retry policy, an output that cannot open is an error here.
    pub fn spawn(mut options: OutputOptions) -> Result<Player, SinkError> {
        let monitor = Monitor::default();
        if options.listen_alone {
            options.open = alone_without_output(options.open, monitor.clone());
        }
        options.open = sink::tee(options.open, monitor.clone());
        let tap = Tap::default();
        options.microphone = input::tapped(options.microphone, tap.clone());
        let microphone = options.microphone.clone();
        let first = (options.open)(&options.spec, options.format, options.clock.clone());
        let (sink, output_error) = match (first, options.retry) {
            (Ok(s), _) => (Some(s), None),
            (Err(e), None) => return Err(e),
            (Err(e), Some(_)) => {
                tracing::warn!("{e}");
                (None, Some(e.said()))
            }
        };
        let (events, _) = broadcast::channel(1024);
        let status = Arc::new(Mutex::new(PlayerStatus {
            output: options.spec.to_string(),
            format: sink.as_ref().map(|s| s.format()),
            // Said from the start, so /healthz does not look fine until the first retry.
            output_error,
            now_playing: None,
            background: None,
            queued: 0,
            underruns: 0,
            completed: 0,
            listen_alone: None,
        }));
        let (tx, rx) = mpsc::channel();
        let hooks = options.hooks.clone();
        let worker = worker::Worker::new(options, sink, rx, events.clone(), status.clone());
        let thread = std::thread::Builder::new()
            .name("loaxa-player".into())
            .spawn(move || worker.run())
            .map_err(|e| SinkError::DeviceUnavailable {
                name: "player".into(),
                detail: e.to_string(),
            })?;
        Ok(Player {
            commands: tx,
            hooks,
            events,
            status,
            next_id: AtomicU64::new(1),
            monitor,
            tap,
            microphone,
            thread: Some(thread),
        })
    }

    /// Ask for something to be played. Returns its id for matching events.
    pub fn play(&self, request: PlayRequest) -> PlayId {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        // A send only fails after the worker stopped, when nothing can play anyway.
        let _ = self.commands.send(Command::Play(id, Box::new(request)));
        id
    }

    /// Stop everything on air and waiting.
    pub fn stop(&self) {
        let _ = self.commands.send(Command::Stop(None));
    }

    /// Stop what is at or above `priority` (ending an emergency lets the programme resume).
    pub fn stop_at_or_above(&self, priority: Priority) {
        let _ = self.commands.send(Command::Stop(Some(priority)));
    }

    /// The amplifier and zones this player drives, to warm them up ahead of a slot.
    pub fn hooks(&self) -> &Arc<dyn AirHooks> {
        &self.hooks
    }

    /// The tee of the output mix, for "Nghe / Listen".
    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }

    /// What the microphone gives while it airs (after the player read it), for the head-end
    /// to hand on to its village nodes.
    pub fn microphone(&self) -> &Tap {
        &self.tap
    }

    /// Open the microphone `name` as the player would, to find out before the chime that
    /// there is none.
    pub fn check_microphone(&self, name: Option<&str>) -> Result<(), SinkError> {
        (self.microphone)(name).map(drop)
    }

    /// Receive events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<PlayerEvent> {
        self.events.subscribe()
    }

    /// The player as it is now.
    /// Whether the player thread takes a command within `within` (it does so between two
    /// chunks of audio, every ~10 ms). The watchdog asks; a hung audio thread gets the service
    /// restarted.
    pub fn answers(&self, within: std::time::Duration) -> bool {
        let (tx, rx) = mpsc::channel();
        self.commands.send(Command::Ping(tx)).is_ok() && rx.recv_timeout(within).is_ok()
    }

    /// A snapshot of what the player is doing.
    pub fn status(&self) -> PlayerStatus {
        let mut s = self
            .status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        s.listen_alone = self.monitor.alone();
        s
    }
}

/// `open`, falling back to a paced null output when it fails, with the reason on `monitor`.
fn alone_without_output(open: sink::Opener, monitor: Monitor) -> sink::Opener {
    Arc::new(
        move |spec, format, clock| match open(spec, format, clock.clone()) {
            Ok(s) => {
                monitor.set_alone(None);
                Ok(s)
            }
            Err(e) => {
                tracing::warn!("{e}");
                monitor.set_alone(Some(e.said()));
                Ok(Box::new(sink::NullSink::new(format, clock)) as Box<dyn sink::Sink>)
            }
        },
    )
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
