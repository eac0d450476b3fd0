//! The node's conversation with its head-end over the link: it keeps the highest plan it is
//! sent, acts on commands (an emergency, its stop, a prefetch, a clock probe, the as-run
//! rows stored), hands the head-end's microphone (the `live` topic's packets) to the feed of
//! the live emergency on air, publishes its status (at once on connecting, on every change of
//! what is on air, and every ten seconds) and drains the as-run queue while the link is up.
//!
//! It trusts only the head-end's topics of its commune: anything else, a payload it cannot
//! read, or a command past its expiry is dropped with a log line. Commands the broker kept
//! for the node while it was away arrive in a burst right after it reconnects; an emergency
//! start in that burst waits a moment, so that one stopped meanwhile never airs. An emergency
//! started while the head-end reads its text aloud comes again under the same id with the
//! recording: the chime is on air by then, and the recording is fetched and aired after it.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::Shared;
use super::fetcher::Waker;
use super::outbox::Outbox;
use crate::audio::PlayerEvent;
use crate::audio::arbiter::Priority;
use crate::audio::feed::LiveFeed;
use crate::cluster::link::{Link, LinkEvent};
use crate::cluster::protocol::{
    self, Ack, AckResult, Action, Command, Emergency as EmergencyCmd, EmergencyContent,
    HeadEndStatus, LiveFrame, MediaRef, MessageId, NodeReport, NodeStatus, NowPlaying, Plan,
};
use crate::cluster::session;
use crate::cluster::topics::{NodeTopic, Route};
use crate::emergency::{Message, Start, Trigger};
use crate::model::Said;
use crate::model::said;
use crate::store::cluster as table;

/// A status is published at least this often, so the head-end can tell a node that hangs.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// How long after reconnecting an emergency start waits for a stop queued behind it.
const REPLAY_WINDOW: Duration = Duration::from_millis(300);
/// Command ids remembered, so a repeated delivery (QoS 1) acts once.
const REMEMBERED: usize = 64;

/// The running conversation. Dropping it ends the link without a goodbye (the broker then
/// publishes the node's last will).
pub struct Exchange {
    task: JoinHandle<()>,
    bye: Option<oneshot::Sender<oneshot::Sender<()>>>,
}

impl Exchange {
    /// Start talking over `link`.
    pub fn spawn(
        shared: Arc<Shared>,
        link: Link,
        events: mpsc::Receiver<LinkEvent>,
        waker: Waker,
    ) -> Result<Exchange, crate::store::StoreError> {
        let outbox = Outbox::open(&shared.store)?;
        let player_events = shared.player.subscribe();
        let (bye, bye_rx) = oneshot::channel();
        let task = Talk {
            link: Some(link),
            waker,
            outbox,
            running: None,
            speech_due: false,
            live: None,
            remembered: VecDeque::new(),
            beacon: Beacon::Awaited,
            suback_refused: Vec::new(),
            deferred: Vec::new(),
            replay_until: None,
            last_report: None,
            last_status: None,
            board: None,
            ticks: 0,
            shared,
        };
        let task = tokio::spawn(task.run(events, player_events, bye_rx));
        Ok(Exchange {
            task,
            bye: Some(bye),
        })
    }

    /// Publish the offline status and close the link, so the head-end knows at once.
    pub async fn goodbye(mut self) {
        let Some(bye) = self.bye.take() else { return };
        let (done, wait) = oneshot::channel();
        if bye.send(done).is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(3), wait).await;
        }
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The head-end's retained beacon on `live`, after a subscribe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Beacon {
    /// Not yet, and neither the head-end's status.
    Awaited,
    /// It came: the node hears `live`.
    Heard,
    /// The head-end's status came without it: the broker filters `live` out, or the head-end
    /// (of an older release) sends nothing there.
    Missed,
}

struct Talk {
    shared: Arc<Shared>,
    link: Option<Link>,
    waker: Waker,
    outbox: Outbox,
    /// The head-end's emergency on air here: (its command, the local emergency's number).
    running: Option<(MessageId, u64)>,
    /// It started while the head-end read its text aloud: the recording is still to come.
    speech_due: bool,
    /// Where the head-end's microphone goes while its live emergency airs here.
    live: Option<(MessageId, LiveFeed)>,
    /// Commands acted on (or refused) lately, newest last.
    remembered: VecDeque<MessageId>,
    /// Whether the `live` beacon came after the last subscribe.
    beacon: Beacon,
    /// What the broker's SUBACK refused on the last subscribe.
    suback_refused: Vec<String>,
    /// Emergency starts waiting out the replay window.
    deferred: Vec<(Instant, Command)>,
    /// Until when commands count as the replay of what the broker kept.
    replay_until: Option<Instant>,
    /// The last report published, without its time, and when.
    last_report: Option<NodeReport>,
    last_status: Option<Instant>,
    /// The board's temperature and supply, read at most once a minute.
    board: Option<(Instant, Option<f32>, Option<bool>)>,
    ticks: u64,
}

impl Talk {
    async fn run(
        mut self,
        mut events: mpsc::Receiver<LinkEvent>,
        mut player: broadcast::Receiver<PlayerEvent>,
        mut bye: oneshot::Receiver<oneshot::Sender<()>>,
    ) {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(e) => self.on_link(e),
                    None => return,
                },
                _ = tick.tick() => self.on_tick(),
                event = player.recv() => match event {
                    Ok(PlayerEvent::Started { .. } | PlayerEvent::Ended(_)
                        | PlayerEvent::OutputLost { .. } | PlayerEvent::OutputReady { .. }
                        | PlayerEvent::Idle { .. }) => {
                        if matches!(event, Ok(PlayerEvent::OutputLost { .. })) {
                            self.shared.error();
                        }
                        self.publish_status(false);
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                done = &mut bye => {
                    self.say_goodbye().await;
                    if let Ok(done) = done {
                        let _ = done.send(());
                    }
                    return;
                }
            }
        }
    }

    fn connected(&self) -> bool {
        self.shared.connected.load(Ordering::Relaxed)
    }

    fn send(&self, msg: crate::cluster::link::Outgoing) {
        if let Some(link) = &self.link
            && let Err(e) = link.publish(msg)
        {
            tracing::debug!("{e}");
        }
    }

    fn on_link(&mut self, event: LinkEvent) {
        match event {
            LinkEvent::Connected { session_present } => {
                self.replay_until = session_present.then(|| Instant::now() + REPLAY_WINDOW);
                self.outbox.reconnected();
            }
            LinkEvent::Subscribed { refused } => {
                self.beacon = Beacon::Awaited;
                self.on_refused(refused.clone());
                self.suback_refused = refused;
                let was = self.shared.connected.swap(true, Ordering::Relaxed);
                *self
                    .shared
                    .link_problem
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = None;
                if !was {
                    tracing::info!("nút / node: đã nối với broker / linked to the broker");
                }
                self.publish_status(true);
                self.drain_outbox();
            }
            LinkEvent::Message(m) => {
                self.judge_live(&m.topic, &m.payload);
                self.on_message(&m.topic, &m.payload);
            }
            LinkEvent::NotAuthorized(why) => {
                self.shared.error();
                tracing::warn!("{why}");
            }
            LinkEvent::Down { reason, retry_in } => {
                let was = self.shared.connected.swap(false, Ordering::Relaxed);
                let why = reason.to_string();
                let mut problem = self
                    .shared
                    .link_problem
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if was || problem.as_deref() != Some(why.as_str()) {
                    tracing::warn!(
                        "nút / node: mất liên kết, vẫn phát theo kế hoạch đã có; thử lại sau {:.1} s / link down, airing from the kept plan; retrying in {:.1} s: {why}",
                        retry_in.as_secs_f32(),
                        retry_in.as_secs_f32()
                    );
                }
                *problem = Some(why);
            }
        }
    }

    /// After subscribing, the head-end's beacon on `live` comes before its status: both
    /// retained when the head-end was up first, both live when it comes up later (it sends the
    /// beacon first on every link up). A status without the beacon, from a head-end that says
    /// it relays its microphone, means the broker filters `live` out for this node (an ACL
    /// older than the topic): then `live` counts as refused, with the fix in the status and the
    /// log. A head-end of an older release sends no live audio: nothing is missed, and only the
    /// log says so.
    fn judge_live(&mut self, topic: &str, payload: &[u8]) {
        if self.beacon != Beacon::Awaited {
            return;
        }
        let live = self.shared.end.topics.live();
        let mut refused = self.suback_refused.clone();
        if topic == live && payload == session::LIVE_BEACON {
            self.beacon = Beacon::Heard;
        } else if self.shared.end.topics.route(topic) == Some(Route::HeadEndStatus) {
            self.beacon = Beacon::Missed;
            let relays_live = protocol::decode::<HeadEndStatus>(payload).is_ok_and(|s| s.live);
            if !relays_live {
                tracing::info!(
                    "nút / node: trung tâm không gửi micrô trực tiếp (bản cũ), nên không cần đọc \
                     {live} / the head-end sends no live microphone (an older release), so \
                     reading {live} is not needed"
                );
            } else if !refused.contains(&live) {
                refused.push(live);
            }
        } else {
            return;
        }
        self.on_refused(refused);
    }

    /// Keep what the broker refused; say it once when it changes, not on every reconnect.
    fn on_refused(&mut self, refused: Vec<String>) {
        let before = std::mem::replace(
            &mut *self
                .shared
                .refused
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
            refused,
        );
        if before == self.shared.refused() {
            return;
        }
        let warnings = self.shared.refused_warnings();
        if warnings.is_empty() {
            tracing::info!(
                "nút / node: broker nhận mọi đăng ký / the broker grants every subscription"
            );
        }
        for w in warnings {
            tracing::warn!("nút / node: {w}");
        }
    }

    fn on_tick(&mut self) {
        let now = Instant::now();
        let due: Vec<Command> = {
            let (due, wait) = std::mem::take(&mut self.deferred)
                .into_iter()
                .partition(|(at, _)| *at <= now);
            self.deferred = wait;
            due.into_iter().map(|(_, c)| c).collect()
        };
        for cmd in due {
            self.act(cmd);
        }
        self.ticks += 1;
        if self.ticks.is_multiple_of(4) {
            if self.last_status.is_none_or(|t| t.elapsed() >= HEARTBEAT) {
                self.publish_status(true);
            }
            self.drain_outbox();
        }
    }

    /// Send the as-run rows due, while the link is up.
    fn drain_outbox(&mut self) {
        if !self.connected() {
            return;
        }
        let (store, cues) = (&self.shared.store, &self.shared.cues);
        match self.outbox.due(store, |key| cues.item_of(store, key)) {
            Ok(rows) => {
                for row in rows {
                    self.send(session::as_run(
                        &self.shared.end.topics,
                        &self.shared.end.id,
                        &row,
                    ));
                }
            }
            Err(e) => tracing::error!("{e}"),
        }
    }

    fn on_message(&mut self, topic: &str, payload: &[u8]) {
        let end = &self.shared.end;
        match end.topics.route(topic) {
            Some(Route::Node(id, NodeTopic::Plan)) if id == end.id => self.on_plan(payload),
            Some(Route::Node(id, NodeTopic::Command)) if id == end.id => self.on_command(payload),
            Some(Route::Broadcast) => self.on_command(payload),
            Some(Route::Live) => self.on_live(payload),
            Some(Route::HeadEndStatus) => match protocol::decode::<HeadEndStatus>(payload) {
                Ok(s) => {
                    self.shared
                        .head_end_online
                        .store(s.online, Ordering::Relaxed);
                }
                Err(e) => tracing::warn!("bỏ / dropped {topic}: {e}"),
            },
            _ => tracing::warn!(
                "bỏ tin trên chủ đề không dành cho nút này / dropped a message on a topic not \
                 for this node: {topic}"
            ),
        }
    }

    fn on_plan(&mut self, payload: &[u8]) {
        if payload.is_empty() {
            return;
        }
        let plan = match protocol::decode::<Plan>(payload) {
            Ok(p) => p,
            Err(e) => {
                self.shared.error();
                tracing::warn!("bỏ kế hoạch hỏng / dropped an unreadable plan: {e}");
                return;
            }
        };
        let body = String::from_utf8_lossy(payload);
        let now = self.shared.clock.now();
        match self
            .shared
            .store
            .with(|c| Ok(table::keep_plan(c, plan.version, &body, now)?))
        {
            Ok(true) => {
                tracing::info!(
                    "kế hoạch mới / new plan v{}: {} mục / cues",
                    plan.version,
                    plan.cues.len()
                );
                self.waker.plan();
                self.publish_status(true);
            }
            Ok(false) => {}
            Err(e) => {
                self.shared.error();
                tracing::error!("{e}");
            }
        }
    }

    fn on_command(&mut self, payload: &[u8]) {
        let cmd = match protocol::decode::<Command>(payload) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("bỏ lệnh hỏng / dropped an unreadable command: {e}");
                return;
            }
        };
        if self.remembered.contains(&cmd.id) {
            // The same emergency again: a refresh, or the recording of its text now read aloud.
            if let Action::EmergencyStart(e) = cmd.action {
                self.speech_arrived(&cmd.id, e.content);
            }
            return;
        }
        if let Some((_, deferred)) = self.deferred.iter_mut().find(|(_, d)| d.id == cmd.id) {
            // The later of the two is the one to act on (it has the recording).
            *deferred = cmd;
            return;
        }
        let now = self.shared.clock.now();
        if !cmd.is_live(now) {
            tracing::warn!(
                "bỏ lệnh {} đã hết hạn lúc {:?} / dropped command {}: it expired at {:?}",
                cmd.id.0,
                cmd.expires_at,
                cmd.id.0,
                cmd.expires_at
            );
            // Not remembered: the head-end may send it again with a new expiry.
            self.ack(&cmd.id, AckResult::Expired);
            return;
        }
        let replaying = self.replay_until.is_some_and(|t| Instant::now() < t);
        if replaying && matches!(cmd.action, Action::EmergencyStart(_)) {
            let at = self.replay_until.unwrap_or_else(Instant::now);
            self.deferred.push((at, cmd));
            return;
        }
        self.act(cmd);
    }

    fn remember(&mut self, id: &MessageId) {
        self.remembered.push_back(id.clone());
        while self.remembered.len() > REMEMBERED {
            self.remembered.pop_front();
        }
    }

    fn act(&mut self, cmd: Command) {
        self.remember(&cmd.id);
        let result = match cmd.action {
            Action::EmergencyStart(e) => self.start_emergency(&cmd.id, e),
            Action::EmergencyStop { emergency } => self.stop_emergency(&emergency),
            Action::Prefetch { media } => {
                self.waker.media(media);
                AckResult::Done
            }
            Action::ClockProbe => AckResult::Done,
            Action::AsRunStored { rows } => {
                if let Err(e) = self.outbox.stored(&self.shared.store, &rows) {
                    tracing::error!("{e}");
                }
                return;
            }
        };
        self.ack(&cmd.id, result);
    }

    fn ack(&self, command: &MessageId, result: AckResult) {
        let ack = Ack {
            command: command.clone(),
            node_time: self.shared.clock.now(),
            result,
        };
        self.send(session::ack(
            &self.shared.end.topics,
            &self.shared.end.id,
            &ack,
        ));
    }

    fn start_emergency(&mut self, id: &MessageId, e: EmergencyCmd) -> AckResult {
        let zones = &self.shared.zones;
        if !e.zones.is_empty() && !e.zones.iter().any(|z| zones.contains(z)) {
            return AckResult::Refused {
                reason: format!(
                    "không phải thôn của nút này / not this node's zones: {}",
                    e.zones.join(", ")
                ),
            };
        }
        let untitled = || "Thông báo khẩn cấp / emergency".to_string();
        let cache = self.shared.cache.clone();
        let speaking = matches!(e.content, EmergencyContent::Speaking { .. });
        // What follows the chime: a recording (here or to fetch), the microphone, or nothing.
        let (message, recording, live) = match e.content {
            EmergencyContent::Recording { media, text } => {
                let file = cache.holds(&media).then(|| cache.path(&media.sha256));
                let here = file.is_some();
                let title = text.unwrap_or_else(untitled);
                (Message::Relayed { title, file }, Some((media, here)), None)
            }
            EmergencyContent::ChimeOnly { text } | EmergencyContent::Speaking { text } => {
                let title = text.unwrap_or_else(untitled);
                (Message::Relayed { title, file: None }, None, None)
            }
            EmergencyContent::Live { text } => {
                let feed = LiveFeed::default();
                let title = text.unwrap_or_else(untitled);
                let message = Message::RelayedLive {
                    title,
                    feed: feed.clone(),
                };
                (message, None, Some(feed))
            }
        };
        if self.shared.emergency.active().is_some() {
            // A newer emergency replaces the one on air, as on a station alone.
            self.end_running();
        }
        let started = self.shared.emergency.start(Start {
            message,
            repeat: Some(e.repeat),
            actor: "head-end".into(),
            trigger: Trigger::HeadEnd,
            reference: Some(id.0.clone()),
            // A drill's title, from the head-end, already says DIỄN TẬP / DRILL.
            drill: false,
            received_at: self.shared.clock.now(),
        });
        let active = match started {
            Ok(a) => a,
            Err(err) => {
                self.shared.error();
                return AckResult::Refused {
                    reason: err.to_string(),
                };
            }
        };
        self.running = Some((id.clone(), active.id));
        self.speech_due = speaking;
        match (recording, live) {
            (_, Some(feed)) => self.live = Some((id.clone(), feed)),
            (Some((media, false)), _) => self.fetch_message(active.id, media),
            (Some(_), _) => {}
            // The head-end is reading the text aloud: its recording comes in the same command.
            (None, None) if speaking => {}
            (None, None) => self.no_message(active.id),
        }
        self.publish_status(true);
        AckResult::Done
    }

    /// The emergency's recording: fetched by hash while the chime plays, then aired after it.
    fn fetch_message(&self, local: u64, media: MediaRef) {
        let emergency = self.shared.emergency.clone();
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || {
            let file = shared.cache.fetch(&media).map_err(|e| {
                shared.error();
                Said::same(e.to_string())
            });
            emergency.supply(local, file);
        });
    }

    /// No recording follows the chime: every round is the chime alone.
    fn no_message(&self, local: u64) {
        self.shared.emergency.supply(
            local,
            Err(said!(
                "trung tâm không có bản ghi: chỉ phát chuông",
                "the head-end has no recording: the chime only"
            )),
        );
    }

    /// Emergency `id` came again. If it is the one on air, started while the head-end read
    /// its text aloud, the recording (or the word that there is none) is in it now.
    fn speech_arrived(&mut self, id: &MessageId, content: EmergencyContent) {
        let Some((running, local)) = &self.running else {
            return;
        };
        if running != id || !self.speech_due {
            return;
        }
        let local = *local;
        match content {
            EmergencyContent::Speaking { .. } => return,
            EmergencyContent::Recording { media, .. } => self.fetch_message(local, media),
            EmergencyContent::ChimeOnly { .. } | EmergencyContent::Live { .. } => {
                self.no_message(local)
            }
        }
        self.speech_due = false;
    }

    /// The head-end's emergency here is over (stopped or replaced): no more of its live audio.
    fn end_running(&mut self) {
        self.running = None;
        self.speech_due = false;
        if let Some((_, feed)) = self.live.take() {
            feed.close();
        }
    }

    /// 20 ms of the head-end's microphone: into the feed of the emergency it belongs to.
    fn on_live(&mut self, payload: &[u8]) {
        let Some((running, feed)) = &self.live else {
            return;
        };
        match LiveFrame::decode(payload) {
            Ok(f) if f.emergency == running.0 => feed.push(f.seq, f.opus),
            Ok(_) => {}
            Err(e) => tracing::debug!("{e}"),
        }
    }

    fn stop_emergency(&mut self, id: &MessageId) -> AckResult {
        self.deferred.retain(|(_, c)| &c.id != id);
        self.remember(id);
        match &self.running {
            Some((running, _)) if running == id => {
                self.end_running();
                if let Err(e) = self.shared.emergency.stop("head-end") {
                    tracing::debug!("{e}");
                }
                self.publish_status(true);
                AckResult::Done
            }
            _ => AckResult::Done,
        }
    }

    /// The board's temperature and supply, read again when a minute old.
    fn board(&mut self) -> (Option<f32>, Option<bool>) {
        match self.board {
            Some((at, t, u)) if at.elapsed() < Duration::from_secs(60) => (t, u),
            _ => {
                let (t, u) = (
                    crate::hw::board::temperature_c(),
                    crate::hw::board::under_voltage(),
                );
                self.board = Some((Instant::now(), t, u));
                (t, u)
            }
        }
    }

    /// The node's report now.
    fn report(&mut self) -> NodeReport {
        let (temperature_c, under_voltage) = self.board();
        let s = &self.shared;
        let player = s.player.status();
        let emergency = s.emergency.active();
        let now_playing = player.now_playing.map(|n| {
            let relayed = emergency
                .as_ref()
                .filter(|_| n.priority == Priority::Emergency)
                .and_then(|a| {
                    let id = self.running.as_ref().filter(|(_, local)| *local == a.id)?;
                    Some((id.0.clone(), a.first_sample_at))
                });
            NowPlaying {
                title: n.label,
                cue: None,
                since: relayed
                    .as_ref()
                    .and_then(|(_, first)| *first)
                    .or(n.since)
                    .unwrap_or_else(|| s.clock.now()),
                emergency: relayed.map(|(id, _)| id),
            }
        });
        let plan_version = s
            .store
            .with(|c| Ok(table::kept_plan_version(c)?))
            .ok()
            .flatten();
        NodeReport {
            at: s.clock.now(),
            version: env!("CARGO_PKG_VERSION").into(),
            started_at: s.started_at,
            output_ok: player.format.is_some(),
            now_playing,
            cache: s.cache.stats(),
            plan_version,
            clock_offset_ms: None,
            temperature_c,
            under_voltage,
            restarts: s.restarts,
            errors: s.errors.load(Ordering::Relaxed),
            missing: s.missing.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            queued_asrun: s.store.with(|c| Ok(table::queued(c)?)).unwrap_or(0),
            refused_topics: s.refused(),
        }
    }

    /// Publish the status if it changed (or `always`), while the link is up.
    fn publish_status(&mut self, always: bool) {
        if !self.connected() {
            return;
        }
        let report = self.report();
        let same = self.last_report.as_ref().is_some_and(|last| {
            let mut last = last.clone();
            last.at = report.at;
            last == report
        });
        if same && !always {
            return;
        }
        self.send(session::status(
            &self.shared.end.topics,
            &self.shared.end.id,
            &NodeStatus::Online(Box::new(report.clone())),
        ));
        self.last_report = Some(report);
        self.last_status = Some(Instant::now());
    }

    async fn say_goodbye(&mut self) {
        self.send(session::status(
            &self.shared.end.topics,
            &self.shared.end.id,
            &NodeStatus::Offline,
        ));
        if let Some(link) = self.link.take() {
            link.close().await;
        }
    }
}
