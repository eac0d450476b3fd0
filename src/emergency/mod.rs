//! Emergency announcements: the operator (or the button, a script, a CAP feed) takes every
//! speaker at once with a prepared message, a typed text or the microphone, after an attention
//! chime, repeated, while the LED panel shows the warning.
//!
//! [`Emergency`] talks only to the player (at `emergency` priority, so the arbiter pre-empts the
//! programme within a buffer and resumes it afterwards) and publishes what the panel should
//! show. Every start and stop, and who did it, goes to the audit log; every play to the as-run
//! log with the times its first and last samples were heard.
//!
//! Must not touch the web or the programme's timing: pages and the API (and so the CLI) reach it through
//! [`crate::station::emergency`], and the programme resumes by itself when it ends.

pub mod cap;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

use crate::audio::arbiter::Priority;
use crate::audio::feed::LiveFeed;
use crate::audio::player::{
    Clip, Outcome as PlayOutcome, PlayId, PlayRequest, Player, PlayerEvent, Source,
};
use crate::config::EmergencyConfig;
use crate::model::asrun::{NewEntry, Outcome};
use crate::model::said;
use crate::model::{Category, ReviewState, Said};
use crate::speech::Speech;
use crate::store::asrun;
use crate::store::items::ItemRows;
use crate::store::review::ReviewedRows;
use crate::store::{Store, StoreError, audit};

/// What an emergency says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    /// An approved item of category `emergency`, by id.
    Prepared(i64),
    /// Text, read aloud by [`Speech`].
    Text(String),
    /// The microphone or line-in (`None`: the default input).
    Microphone(Option<String>),
    /// A recording another machine chose: a village node airing its head-end's emergency.
    /// `file` is `None` while the recording is still being fetched: the chime starts at once
    /// and [`Emergency::supply`] brings the message when it is here.
    Relayed {
        /// What it is (the typed text, or the prepared message's title).
        title: String,
        /// The recording, when it is here.
        #[schema(value_type = Option<String>)]
        file: Option<PathBuf>,
    },
    /// The head-end's live microphone, on a village node: its audio arrives into `feed`.
    RelayedLive {
        /// What it is, for the log and the panel.
        title: String,
        /// Where the node's exchange puts the head-end's packets.
        #[serde(skip)]
        feed: LiveFeed,
    },
}

/// What started it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The button on the web page.
    Web,
    /// The API (scripts, `loaxa emergency`).
    Api,
    /// The physical button.
    Button,
    /// A CAP alert.
    Cap,
    /// The commune's head-end (on a village node).
    HeadEnd,
}

/// A request to go on air.
#[derive(Debug, Clone)]
pub struct Start {
    /// What to say.
    pub message: Message,
    /// How many times (0: until stopped); `None`: as configured.
    pub repeat: Option<u32>,
    /// Who asks (a user name, `gpio`, `cap:SENDER`).
    pub actor: String,
    /// Through what.
    pub trigger: Trigger,
    /// For CAP alerts, the alert identifier (a later Cancel names it).
    pub reference: Option<String>,
    /// A drill (a CAP `Test` or `Exercise` alert with `emergency.cap_drills` on): marked so on
    /// the panel, the pages, the as-run and the audit log.
    pub drill: bool,
    /// When the request arrived (latency is measured from here).
    pub received_at: DateTime<Utc>,
}

/// The emergency on air.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Active {
    /// Its number (as-run and audit refer to it).
    pub id: u64,
    /// What it says, for people.
    pub title: String,
    /// What the LED panel shows while it lasts.
    pub panel_text: String,
    /// Who started it.
    pub started_by: String,
    /// How.
    pub trigger: Trigger,
    /// When it was asked for.
    pub requested_at: DateTime<Utc>,
    /// When the first chime sample was heard.
    pub first_sample_at: Option<DateTime<Utc>>,
    /// Repeats asked (0: until stopped).
    pub repeat: u32,
    /// Rounds still to air after the one on air (before the first is heard: after the first),
    /// as the banner, the emergency page and `/api/v1/status` say it; `None`: until stopped.
    pub repeats_left: Option<u32>,
    /// Things the operator should know (text-to-speech failed, no chime...).
    pub warnings: Vec<Said>,
    /// CAP identifier, if a CAP alert started it.
    pub reference: Option<String>,
    /// The recording the message plays (a prepared item's file, or the spoken text's WAV),
    /// for a head-end to hand on to its village nodes.
    #[serde(skip)]
    pub audio: Option<PathBuf>,
    /// Whether the message is the live microphone.
    #[serde(skip)]
    pub live: bool,
    /// The typed text is still being read aloud: the chime airs meanwhile, and
    /// [`Active::audio`] (or a warning saying why there is none) follows.
    #[serde(skip)]
    pub speaking: bool,
    /// A drill, not a real warning.
    pub drill: bool,
}

/// What the title of a drill starts with, wherever it is shown or logged.
pub const DRILL_TITLE: &str = "DIỄN TẬP / DRILL";

/// Why an emergency cannot start or stop.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum EmergencyError {
    /// The message is not usable.
    Invalid(Said),
    /// Nothing to stop.
    NothingOnAir,
    /// The database failed.
    Store(#[from] StoreError),
}

impl EmergencyError {
    /// Why the emergency could not start or stop, in each language.
    pub fn said(&self) -> Said {
        match self {
            EmergencyError::Invalid(why) => why.clone(),
            EmergencyError::NothingOnAir => {
                said!(
                    "không có thông báo khẩn cấp nào đang phát",
                    "no emergency is on air"
                )
            }
            EmergencyError::Store(e) => e.said(),
        }
    }
}

impl From<rusqlite::Error> for EmergencyError {
    fn from(e: rusqlite::Error) -> Self {
        EmergencyError::Store(StoreError::Sqlite(e))
    }
}

/// A request's message, made ready to air.
struct Resolved {
    title: String,
    panel_text: String,
    /// What the message plays, when it is here already.
    message: Option<Source>,
    /// A typed text to read aloud while the chime plays.
    to_speak: Option<String>,
    warnings: Vec<Said>,
}

/// What one round plays: the chime, then the message (when there is one).
#[derive(Debug, Clone)]
struct Round {
    chime: Option<Clip>,
    message: Option<Source>,
    label: String,
}

#[derive(Debug)]
struct State {
    active: Option<Active>,
    round: Option<Round>,
    /// Rounds still to queue (one is kept queued behind the one on air, so this is not what
    /// the operator is told: that is [`Active::repeats_left`]); `None`: until stopped.
    rounds_left: Option<u32>,
    /// The first play of each round queued and not yet heard: when it starts, its round is on
    /// air.
    round_starts: HashSet<PlayId>,
    /// Rounds of the current emergency heard so far.
    rounds_begun: u32,
    /// Plays of the current emergency: id → (as-run line, is the chime).
    plays: HashMap<PlayId, (i64, bool)>,
    /// The spoken text's WAV, removed when the emergency ends.
    spoken: Option<PathBuf>,
    /// The message is still to come ([`Message::Relayed`] without its file yet).
    awaiting: bool,
    next_id: u64,
}

struct Shared {
    store: Store,
    player: Arc<Player>,
    config: EmergencyConfig,
    data_dir: PathBuf,
    chime: Mutex<Option<Clip>>,
    /// The voice typed messages are read with (`emergency.tts_command` if set, else
    /// `[speech]`).
    speech: Speech,
    state: Mutex<State>,
    panel: watch::Sender<Option<Active>>,
}

/// The emergency controller. Cheap to clone.
#[derive(Clone)]
pub struct Emergency {
    shared: Arc<Shared>,
    _follower: Arc<Follower>,
}

struct Follower(Option<JoinHandle<()>>);

impl Drop for Follower {
    fn drop(&mut self) {
        // The thread ends when the player's event channel closes.
        let _ = self.0.take();
    }
}

impl Emergency {
    /// A controller airing through `player`, with `chime` (decoded once, so the first sample
    /// goes out within a buffer of the request), reading typed messages with `speech`.
    pub fn new(
        store: Store,
        player: Arc<Player>,
        config: EmergencyConfig,
        data_dir: PathBuf,
        chime: Option<Clip>,
        speech: Speech,
    ) -> Emergency {
        let (panel, _) = watch::channel(None);
        let speech = match crate::speech::config::custom_voice(&config.tts_command) {
            Some(voice) => speech.with_voice(voice),
            None => speech,
        };
        let shared = Arc::new(Shared {
            store,
            config,
            data_dir,
            chime: Mutex::new(chime),
            speech,
            state: Mutex::new(State {
                active: None,
                round: None,
                rounds_left: None,
                round_starts: HashSet::new(),
                rounds_begun: 0,
                plays: HashMap::new(),
                spoken: None,
                awaiting: false,
                next_id: 1,
            }),
            panel,
            player,
        });
        let events = shared.player.subscribe();
        let follower_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("loaxa-emergency".into())
            .spawn(move || follow(follower_shared, events))
            .ok();
        Emergency {
            shared,
            _follower: Arc::new(Follower(thread)),
        }
    }

    /// The emergency on air, if any.
    pub fn active(&self) -> Option<Active> {
        self.shared.state().active.clone()
    }

    /// Watch what the LED panel should show (`None`: no emergency).
    pub fn panel(&self) -> watch::Receiver<Option<Active>> {
        self.shared.panel.subscribe()
    }

    /// Use `chime` as the attention chime from the next emergency on (a node gets its chime
    /// into its cache after it starts).
    pub fn set_chime(&self, chime: Option<Clip>) {
        *self.shared.chime.lock().unwrap_or_else(|e| e.into_inner()) = chime;
    }

    /// Whether an attention chime is loaded.
    pub fn has_chime(&self) -> bool {
        self.shared
            .chime
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// The message of emergency `id` (a typed text read aloud, or [`Message::Relayed`]
    /// started without its file) is here, or could not be had (`Err` with why: then only the
    /// chime airs, and the emergency's warnings say why). It plays after the chime, and every
    /// later round plays it; the panel's watchers (a head-end handing it on) are told. Returns
    /// whether `id` is still on air waiting.
    pub fn supply(&self, id: u64, file: Result<PathBuf, Said>) -> bool {
        let s = &self.shared;
        let mut st = s.state();
        if !st.awaiting || st.active.as_ref().is_none_or(|a| a.id != id) {
            return false;
        }
        st.awaiting = false;
        let Some(mut round) = st.round.clone() else {
            return false;
        };
        let spoken = st.active.as_ref().is_some_and(|a| a.speaking);
        if let Some(a) = st.active.as_mut() {
            a.speaking = false;
        }
        match file {
            Ok(path) => {
                round.message = Some(Source::File(path.clone()));
                if let Some(a) = st.active.as_mut() {
                    a.audio = Some(path.clone());
                }
                if spoken {
                    st.spoken = Some(path.clone());
                }
                st.round = Some(round.clone());
                let id = queue_play(s, &mut st, Source::File(path), round.label.clone(), false);
                if round.chime.is_none() {
                    // No chime opened the first round: its message does.
                    st.round_starts.insert(id);
                }
            }
            Err(why) => {
                tracing::error!("{why}");
                if let Some(a) = st.active.as_mut() {
                    a.warnings.push(why);
                }
            }
        }
        // Sent under the lock, as in `started`: a stop meanwhile keeps its `None`.
        if let Some(a) = &st.active {
            s.panel.send_replace(Some(a.clone()));
        }
        // The chime may be over already: then this round ends with the message (or now).
        let chime_done = !st.plays.values().any(|(_, is_chime)| *is_chime);
        if chime_done && round.message.is_none() && st.plays.is_empty() {
            drop(st);
            self.round_ended();
            return true;
        }
        queue_next_round(s, &mut st);
        true
    }

    /// A round ended without a message to wait for: the next one, or the end.
    fn round_ended(&self) {
        let s = &self.shared;
        let mut st = s.state();
        match st.rounds_left {
            Some(0) => end_by_itself(s, st),
            _ => queue_next_round(s, &mut st),
        }
    }

    /// Go on air. A running emergency is replaced: the newest warning is the one that matters.
    pub fn start(&self, req: Start) -> Result<Active, EmergencyError> {
        let s = &self.shared;
        let Resolved {
            mut title,
            mut panel_text,
            message,
            to_speak,
            mut warnings,
        } = self.resolve(&req.message)?;
        if req.drill {
            title = format!("{DRILL_TITLE} — {title}");
            if !panel_text.starts_with(cap::DRILL_PANEL) {
                panel_text = format!("{}: {panel_text}", cap::DRILL_PANEL);
            }
        }
        let awaiting =
            to_speak.is_some() || matches!(req.message, Message::Relayed { file: None, .. });
        let chime = s.chime.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if chime.is_none() {
            let chime = &s.config.chime;
            warnings.push(said!(
                "không có chuông báo \"{chime}\" trong thư viện: phát không chuông",
                "no attention chime \"{chime}\" in the library: airing without it"
            ));
        }
        let live = matches!(
            req.message,
            Message::Microphone(_) | Message::RelayedLive { .. }
        );
        let repeat = match req.message {
            _ if live => 1,
            _ => req.repeat.unwrap_or(s.config.repeat),
        };
        let round = Round {
            chime,
            message,
            label: title.clone(),
        };
        let mut st = s.state();
        let replaced = st.active.take().map(|old| {
            // The old warning's queued repeats go; its lines in the as-run log are closed by
            // the player's reports.
            s.player.stop_at_or_above(Priority::Emergency);
            old.id
        });
        let id = st.next_id;
        st.next_id += 1;
        let active = Active {
            id,
            title,
            panel_text,
            started_by: req.actor.clone(),
            trigger: req.trigger,
            requested_at: req.received_at,
            first_sample_at: None,
            repeat,
            repeats_left: repeats_left(repeat, 1),
            warnings,
            reference: req.reference.clone(),
            audio: match &round.message {
                Some(Source::File(path)) => Some(path.clone()),
                _ => None,
            },
            live,
            speaking: to_speak.is_some(),
            drill: req.drill,
        };
        remove_spoken(&mut st);
        st.active = Some(active.clone());
        st.round = Some(round.clone());
        st.rounds_left = (repeat > 0).then(|| repeat.saturating_sub(1));
        st.round_starts.clear();
        st.rounds_begun = 0;
        st.awaiting = awaiting;
        // Told first (the panel, a head-end handing it on to every node), then written: each
        // as-run line and the audit commit to the disk, and nobody's speakers should wait for
        // them. The state stays locked until the lines are written, so the player's reports
        // still find them. A typed text is read aloud meanwhile: the chime does not wait.
        s.panel.send_replace(Some(active.clone()));
        queue_round(s, &mut st, &round, true);
        if !awaiting {
            queue_next_round(s, &mut st);
        }
        drop(st);
        if let Some(text) = to_speak {
            self.speak_later(id, text);
        }
        if let Some(old) = replaced {
            audit_write(
                &s.store,
                &req.actor,
                "emergency.replace",
                old,
                serde_json::json!({"by": req.actor}),
            );
        }
        audit_write(
            &s.store,
            &req.actor,
            "emergency.start",
            id,
            serde_json::json!({"message": req.message, "repeat": repeat, "trigger": req.trigger, "reference": req.reference, "drill": req.drill, "warnings": active.warnings}),
        );
        Ok(active)
    }

    /// End the emergency on air; the programme carries on where it was cut.
    pub fn stop(&self, actor: &str) -> Result<Active, EmergencyError> {
        let s = &self.shared;
        let ended = {
            let mut st = s.state();
            let ended = st.active.take().ok_or(EmergencyError::NothingOnAir)?;
            st.round = None;
            st.rounds_left = Some(0);
            st.awaiting = false;
            remove_spoken(&mut st);
            ended
        };
        s.player.stop_at_or_above(Priority::Emergency);
        audit_write(
            &s.store,
            actor,
            "emergency.stop",
            ended.id,
            serde_json::json!({"by": actor}),
        );
        s.panel.send_replace(None);
        Ok(ended)
    }

    /// Stop the emergency a CAP alert started, when a Cancel names it.
    pub fn cancel(&self, identifiers: &[String], actor: &str) -> Result<Active, EmergencyError> {
        let ours = self.active().is_some_and(|a| {
            a.reference
                .as_ref()
                .is_some_and(|r| identifiers.contains(r))
        });
        if !ours {
            return Err(EmergencyError::NothingOnAir);
        }
        self.stop(actor)
    }

    /// The message made ready to air: its title, panel text and recording (a typed text is
    /// read aloud later, while the chime plays).
    fn resolve(&self, message: &Message) -> Result<Resolved, EmergencyError> {
        let s = &self.shared;
        let titled = |title: String, message: Option<Source>| Resolved {
            panel_text: title.clone(),
            title,
            message,
            to_speak: None,
            warnings: Vec::new(),
        };
        match message {
            Message::Prepared(id) => {
                let item = s
                    .store
                    .with(|c| Ok(ItemRows::get(c, *id)?))?
                    .ok_or_else(|| {
                        EmergencyError::Invalid(said!("không có bản tin {id}", "no item {id}"))
                    })?;
                if item.category != Category::Emergency || item.state != ReviewState::Approved {
                    return Err(EmergencyError::Invalid(said!(
                        "bản tin {id} không phải thông báo khẩn cấp đã duyệt",
                        "item {id} is not an approved emergency message"
                    )));
                }
                let source = Source::File(s.data_dir.join(&item.file));
                Ok(titled(item.title, Some(source)))
            }
            Message::Text(text) => {
                let text = crate::text::clean_line(text);
                if text.is_empty() || text.chars().count() > 2000 {
                    return Err(EmergencyError::Invalid(said!(
                        "nội dung phải có từ 1 đến 2000 ký tự",
                        "the text needs 1 to 2000 characters"
                    )));
                }
                Ok(Resolved {
                    to_speak: Some(text.clone()),
                    ..titled(text, None)
                })
            }
            Message::Microphone(input) => {
                // Find out now, not after the chime, that there is no microphone.
                s.player
                    .check_microphone(input.as_deref())
                    .map_err(|e| EmergencyError::Invalid(e.said()))?;
                Ok(Resolved {
                    panel_text: "THÔNG BÁO KHẨN CẤP".into(),
                    ..titled(
                        "Phát trực tiếp qua micrô / live microphone".into(),
                        Some(Source::Live(input.clone())),
                    )
                })
            }
            Message::Relayed { title, file } => Ok(titled(
                crate::text::clean_line(title),
                file.clone().map(Source::File),
            )),
            Message::RelayedLive { title, feed } => Ok(titled(
                crate::text::clean_line(title),
                Some(Source::Feed(feed.clone())),
            )),
        }
    }

    /// Read emergency `id`'s typed text aloud on a thread of its own, and
    /// [`supply`](Emergency::supply) its recording (or why there is none: then the chime
    /// alone airs, every round).
    fn speak_later(&self, id: u64, text: String) {
        let emergency = self.clone();
        let spawned = std::thread::Builder::new()
            .name("loaxa-tts".into())
            .spawn(move || {
                let wav = emergency
                    .shared
                    .data_dir
                    .join("tmp")
                    .join(spoken_file_name());
                let spoken = emergency.shared.speech.speak(&text, &wav).map_err(|e| {
                    e.said().with(
                        " — ",
                        &said!(
                            "chỉ phát chuông và hiện chữ trên bảng LED",
                            "only the chime airs, and the text shows on the LED panel"
                        ),
                    )
                });
                let path = spoken.as_ref().ok().map(|s| s.wav.clone());
                if !emergency.supply(id, spoken.map(|s| s.wav)) {
                    // Stopped or replaced meanwhile: nobody will play it.
                    if let Some(p) = path {
                        let _ = std::fs::remove_file(p);
                    }
                }
            });
        if let Err(e) = spawned {
            self.supply(
                id,
                Err(said!(
                    "không đọc được văn bản ({e}): chỉ phát chuông",
                    "could not read the text aloud ({e}): only the chime airs"
                )),
            );
        }
    }
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Queue one play of the emergency at emergency priority to every zone, with its as-run line.
fn queue_play(s: &Shared, st: &mut State, source: Source, label: String, is_chime: bool) -> PlayId {
    let id = s.player.play(PlayRequest {
        source,
        label: label.clone(),
        gain_db: s.config.gain_db,
        ceiling_dbtp: Some(-1.0),
        start_at: None,
        priority: Priority::Emergency,
        zones: Vec::new(),
    });
    let new = NewEntry {
        label: &label,
        source: "emergency",
        ..Default::default()
    };
    let line = s
        .store
        .with(|c| Ok(asrun::record(c, &new, Outcome::Started, None, None, None)?))
        .unwrap_or_else(|e| {
            tracing::error!("{e}");
            0
        });
    st.plays.insert(id, (line, is_chime));
    id
}

/// Queue one round (chime, then message) at emergency priority to every zone.
fn queue_round(s: &Shared, st: &mut State, round: &Round, first: bool) {
    let chime = round.chime.as_ref().map(|chime| {
        let label = format!("Chuông báo — {}", round.label);
        queue_play(s, st, Source::Clip(chime.clone()), label, true)
    });
    let message = round
        .message
        .as_ref()
        .map(|message| queue_play(s, st, message.clone(), round.label.clone(), false));
    if let Some(opening) = chime.or(message) {
        st.round_starts.insert(opening);
    }
    if round.message.is_none() && round.chime.is_none() && first && !st.awaiting {
        tracing::warn!(
            "khẩn cấp không có âm thanh nào: chỉ bảng LED / the emergency has no audio: panel only"
        );
    }
}

/// Follow the player: keep the as-run log, note when the first sample was heard, queue the
/// next round, and end the emergency after its last one.
fn follow(s: Arc<Shared>, mut events: broadcast::Receiver<PlayerEvent>) {
    loop {
        let event = match events.blocking_recv() {
            Ok(e) => e,
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        match event {
            PlayerEvent::Started { id, at, .. } => started(&s, id, at),
            PlayerEvent::Ended(report) => ended(
                &s,
                report.id,
                &report.outcome,
                report.first_sample_at,
                report.last_sample_at,
            ),
            PlayerEvent::Preempted { id, at } => {
                let line = s.state().plays.get(&id).map(|(l, _)| *l);
                if let Some(line) = line {
                    let _ = s.store.with(|c| {
                        Ok(asrun::finish(
                            c,
                            line,
                            Outcome::Interrupted,
                            Some("thông báo khẩn cấp mới hơn / a newer emergency"),
                            None,
                            Some(at),
                        )?)
                    });
                }
            }
            _ => {}
        }
    }
}

fn started(s: &Shared, id: PlayId, at: DateTime<Utc>) {
    let mut st = s.state();
    let Some((line, _)) = st.plays.get(&id).copied() else {
        return;
    };
    let _ = s.store.with(|c| {
        Ok(asrun::finish(
            c,
            line,
            Outcome::Started,
            None,
            Some(at),
            None,
        )?)
    });
    let round_begins = st.round_starts.remove(&id);
    if round_begins {
        st.rounds_begun += 1;
    }
    let begun = st.rounds_begun;
    let Some(active) = st.active.as_mut() else {
        return;
    };
    let first = active.first_sample_at.is_none();
    if first {
        active.first_sample_at = Some(at);
        let latency = (at - active.requested_at).num_milliseconds();
        metrics::histogram!(crate::ops::metrics::EMERGENCY_LATENCY)
            .record(latency.max(0) as f64 / 1000.0);
        tracing::info!("khẩn cấp lên sóng sau {latency} ms / emergency on air after {latency} ms");
    }
    if round_begins {
        active.repeats_left = repeats_left(active.repeat, begun);
    }
    if first || round_begins {
        // Sent under the lock: a stop that took the emergency meanwhile would otherwise have
        // its `None` overwritten by this older snapshot, and the panel kept the warning.
        let snapshot = active.clone();
        s.panel.send_replace(Some(snapshot));
    }
}

/// Rounds to air after round `on_air` (counted from 1) of `repeat` (0: until stopped, `None`).
fn repeats_left(repeat: u32, on_air: u32) -> Option<u32> {
    (repeat > 0).then(|| repeat.saturating_sub(on_air.max(1)))
}

fn ended(
    s: &Shared,
    id: PlayId,
    outcome: &PlayOutcome,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
) {
    let mut st = s.state();
    let Some((line, is_chime)) = st.plays.remove(&id) else {
        return;
    };
    let (o, reason) = match outcome {
        PlayOutcome::Completed => (Outcome::Completed, None),
        PlayOutcome::Stopped => (
            Outcome::Stopped,
            Some("dừng bởi người trực / stopped by the operator".to_string()),
        ),
        PlayOutcome::Failed { reason } => (Outcome::Failed, Some(reason.clone())),
    };
    let _ = s
        .store
        .with(|c| Ok(asrun::finish(c, line, o, reason.as_deref(), first, last)?));
    // A chime alone ends its round, unless the message is still coming.
    let round_over =
        !is_chime || (!st.awaiting && st.round.as_ref().is_some_and(|r| r.message.is_none()));
    if *outcome != PlayOutcome::Completed || !round_over || st.active.is_none() {
        return;
    }
    match st.rounds_left {
        Some(0) => end_by_itself(s, st),
        _ => queue_next_round(s, &mut st),
    }
}

/// The last round was heard (when nothing of it plays any more): the emergency is over.
fn end_by_itself(s: &Shared, mut st: std::sync::MutexGuard<'_, State>) {
    if !st.plays.is_empty() {
        return;
    }
    let ended = st.active.take();
    st.round = None;
    remove_spoken(&mut st);
    drop(st);
    if let Some(a) = ended {
        audit_write(
            &s.store,
            "system",
            "emergency.end",
            a.id,
            serde_json::json!({"rounds": a.repeat}),
        );
    }
    s.panel.send_replace(None);
}

/// Keep one round queued behind the one on air, so that the paused programme never slips in
/// between two rounds.
fn queue_next_round(s: &Shared, st: &mut State) {
    if st.rounds_left == Some(0) {
        return;
    }
    st.rounds_left = st.rounds_left.map(|n| n - 1);
    if let Some(round) = st.round.clone() {
        queue_round(s, st, &round, false);
    }
}

/// A name no other spoken message has, for its WAV in the data folder's `tmp`.
fn spoken_file_name() -> String {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
    format!(
        "tts-{}-{:016x}.wav",
        std::process::id(),
        u64::from_le_bytes(b)
    )
}

/// Delete the WAV a spoken message was written to; the player has let go of it by now or will
/// fail its read harmlessly.
fn remove_spoken(st: &mut State) {
    if let Some(wav) = st.spoken.take() {
        let _ = std::fs::remove_file(wav);
    }
}

fn audit_write(store: &Store, actor: &str, action: &str, id: u64, detail: serde_json::Value) {
    let result = store.with(|c| {
        let tx = c.transaction()?;
        audit::record(&tx, actor, action, &format!("emergency:{id}"), &detail)?;
        tx.commit()?;
        Ok(())
    });
    if let Err(e) = result {
        tracing::error!("{e}");
    }
}
