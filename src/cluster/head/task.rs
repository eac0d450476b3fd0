//! The head-end's conversation over the link. It publishes each node's plan when it changes
//! (an approval, a programme reload, the day rolling over; looked at every minute besides),
//! hands the station's emergency on to every node the moment it starts (QoS 1, expiring, sent
//! again while it lasts; a typed text's recording follows in the same command sent again once
//! it is read aloud, so the nodes' chime never waits for the voice) and its stop, with the microphone of a live one (`live`), probes the
//! nodes' clocks every minute, keeps what each node reports, and stores every as-run row a
//! node sends once, answering which it stored. No SQL here (the store's `cluster` tables), and
//! it never decides what a node airs: the plans come from the commune's programme.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::fanout::FanOut;
use super::live::LiveRelay;
use super::plans;
use super::view::Transition;
use super::{HeadEnd, Parts, lock};
use crate::cluster::NodeId;
use crate::cluster::link::{Link, LinkEvent};
use crate::cluster::protocol::{
    self, Ack, Action, AsRunRow, Command, Emergency as EmergencyCmd, EmergencyContent, MediaRef,
    MessageId, NodeStatus, Plan, PlanCue, StoredRow,
};
use crate::cluster::session::{self, Target};
use crate::cluster::topics::{NodeTopic, Route, Topics};
use crate::emergency::Active;
use crate::model::Event;
use crate::model::Said;
use crate::model::cluster::{ConditionSample, NodeEvent, NodeRow};
use crate::model::said;
use crate::store::cluster::{self as table, Stored};

/// The plans are looked at this often even when nothing said they changed.
const REPLAN: Duration = Duration::from_secs(60);
/// Plans the link's queue refused are tried again after this long (the queue drains fast).
const RESEND: Duration = Duration::from_secs(1);
/// Clocks are probed this often.
const PROBE: Duration = Duration::from_secs(60);
/// An emergency command expires after this long unless sent again…
const EMERGENCY_TTL: chrono::TimeDelta = chrono::TimeDelta::minutes(10);
/// …which it is this often while it lasts, so a node back late still joins.
const EMERGENCY_REFRESH: Duration = Duration::from_secs(5 * 60);
/// A node's condition is kept at most this often (and at every start).
const CONDITION_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

struct Talk {
    head: Weak<HeadEnd>,
    topics: Topics,
    link: Link,
    parts: Parts,
    /// What each node was last sent: its cues and chime, to publish only changes.
    published: HashMap<NodeId, (Vec<PlanCue>, Option<MediaRef>)>,
    replan_at: Option<Instant>,
    last_replan: Option<Instant>,
    last_probe: Option<Instant>,
    last_refresh: Option<Instant>,
    /// Clock probes sent: id → when.
    probes: BTreeMap<MessageId, DateTime<Utc>>,
    /// When each node's condition was last kept, and its start then.
    conditions: HashMap<NodeId, (DateTime<Utc>, DateTime<Utc>)>,
    /// The station's emergency last handed on (its number), if any.
    handed_on: Option<u64>,
    /// The chime of the last plans made, so an emergency is handed on without making the
    /// plans again (a week of the commune's programme) while every node waits.
    chime: Option<MediaRef>,
    /// The microphone going to every node, while a live emergency lasts.
    live: Option<LiveRelay>,
}

/// Run the conversation until the head-end handle is gone.
pub async fn run(
    head: Arc<HeadEnd>,
    topics: Topics,
    link: Link,
    mut events: mpsc::Receiver<LinkEvent>,
    parts: Parts,
) {
    let mut bus = parts.events.subscribe();
    let mut panel = parts.emergency.panel();
    let mut talk = Talk {
        head: Arc::downgrade(&head),
        topics,
        link,
        parts,
        published: HashMap::new(),
        replan_at: Some(Instant::now()),
        last_replan: None,
        last_probe: None,
        last_refresh: None,
        probes: BTreeMap::new(),
        conditions: HashMap::new(),
        handed_on: None,
        chime: None,
        live: None,
    };
    drop(head);
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(e) => talk.on_link(e).await,
                None => return,
            },
            event = bus.recv() => {
                if matches!(event, Ok(Event::Item { .. } | Event::Programme)
                    | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)))
                {
                    talk.replan_at = Some(Instant::now() + Duration::from_millis(300));
                }
            }
            changed = panel.changed() => {
                if changed.is_err() {
                    return;
                }
                let active = panel.borrow_and_update().clone();
                talk.on_emergency(active).await;
            }
            _ = tick.tick() => {
                if !talk.on_tick().await {
                    return;
                }
            }
        }
    }
}

impl Talk {
    fn head(&self) -> Option<Arc<HeadEnd>> {
        self.head.upgrade()
    }

    /// Queue a message; false when the link's queue refused it (full), so a caller that keeps
    /// track of what went out can try again.
    fn send(&self, msg: crate::cluster::link::Outgoing) -> bool {
        match self.link.publish(msg) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("{e}");
                false
            }
        }
    }

    fn linked(&self) -> bool {
        self.head()
            .is_some_and(|h| h.linked.load(Ordering::Relaxed))
    }

    /// Returns false once the handle is gone.
    async fn on_tick(&mut self) -> bool {
        let Some(head) = self.head() else {
            return false;
        };
        let now = Utc::now();
        let gone = lock(&head.view).expire(now);
        self.record_transitions(gone, now).await;
        drop(head);
        let due =
            |last: Option<Instant>, every: Duration| last.is_none_or(|t| t.elapsed() >= every);
        if self.replan_at.is_some_and(|t| Instant::now() >= t) || due(self.last_replan, REPLAN) {
            self.replan(false).await;
        }
        if self.linked() && due(self.last_probe, PROBE) {
            self.probe(now);
        }
        if self.linked() && self.handed_on.is_some() && due(self.last_refresh, EMERGENCY_REFRESH) {
            self.refresh_emergency(now);
        }
        true
    }

    async fn on_link(&mut self, event: LinkEvent) {
        let Some(head) = self.head() else { return };
        match event {
            LinkEvent::Connected { .. } => {}
            LinkEvent::Subscribed { refused } => {
                for topic in &refused {
                    tracing::warn!(
                        "trung tâm / head-end: {}",
                        session::refused_subscription(crate::cluster::setup::HEAD_END_USER, topic)
                    );
                }
                if !head.linked.swap(true, Ordering::Relaxed) {
                    tracing::info!("trung tâm / head-end: đã nối broker / linked to the broker");
                }
                // The beacon first: a node tells from it, before this status, that it hears `live`.
                self.send(session::live_beacon(&self.topics));
                self.send(session::head_end_status(&self.topics, true));
                drop(head);
                // The broker may have lost its retained plans (a restart without its data).
                self.replan(true).await;
            }
            LinkEvent::Down { reason, .. } => {
                if head.linked.swap(false, Ordering::Relaxed) {
                    tracing::warn!(
                        "trung tâm mất liên kết broker / the head-end lost the broker: {reason}"
                    );
                }
            }
            LinkEvent::NotAuthorized(why) => tracing::warn!("{why}"),
            LinkEvent::Message(m) => {
                drop(head);
                self.on_message(&m.topic, &m.payload).await;
            }
        }
    }

    async fn on_message(&mut self, topic: &str, payload: &[u8]) {
        let Some(Route::Node(id, kind)) = self.topics.route(topic) else {
            tracing::warn!("bỏ tin trên chủ đề lạ / dropped a message on a stray topic: {topic}");
            return;
        };
        let Some(head) = self.head() else { return };
        if !lock(&head.view).knows(&id) {
            tracing::warn!("bỏ tin của nút lạ / dropped a message from an unknown node: {id}");
            return;
        }
        drop(head);
        match kind {
            NodeTopic::Status => match protocol::decode::<NodeStatus>(payload) {
                Ok(status) => self.on_status(&id, status).await,
                Err(e) => tracing::warn!(
                    "bỏ trạng thái hỏng của {id} / dropped {id}'s unreadable status: {e}"
                ),
            },
            NodeTopic::AsRun => match protocol::decode::<AsRunRow>(payload) {
                Ok(row) => self.on_as_run(&id, row).await,
                Err(e) => tracing::warn!(
                    "bỏ dòng nhật ký hỏng của {id} / dropped {id}'s unreadable as-run row: {e}"
                ),
            },
            NodeTopic::Ack => match protocol::decode::<Ack>(payload) {
                Ok(ack) => self.on_ack(&id, ack),
                Err(e) => tracing::warn!(
                    "bỏ trả lời hỏng của {id} / dropped {id}'s unreadable answer: {e}"
                ),
            },
            NodeTopic::Plan | NodeTopic::Command => {}
        }
    }

    async fn on_status(&mut self, id: &NodeId, status: NodeStatus) {
        let Some(head) = self.head() else { return };
        let now = Utc::now();
        let report = match &status {
            NodeStatus::Online(r) => Some((**r).clone()),
            NodeStatus::Offline => None,
        };
        let transition = lock(&head.view).status(id, status, now);
        if let Some(report) = &report {
            let offset = lock(&head.view)
                .get(id)
                .and_then(|n| n.info.clock_offset_ms);
            if let Some(f) = lock(&head.fanout).as_mut() {
                f.status(id, report, offset);
            }
        }
        drop(head);
        self.record_transitions(transition.into_iter().collect(), now)
            .await;
        if let Some(report) = report {
            self.keep_condition(id, &report, now).await;
        }
    }

    async fn record_transitions(&self, transitions: Vec<Transition>, now: DateTime<Utc>) {
        for t in transitions {
            tracing::info!(
                "cụm loa / node {} {}",
                t.node,
                if t.online {
                    "trực tuyến / online"
                } else {
                    "ngoại tuyến / offline"
                }
            );
            let event = NodeEvent {
                node: t.node.to_string(),
                at: now,
                online: t.online,
                reason: t.reason,
            };
            let stored = self
                .parts
                .store
                .run(move |c| Ok(table::record_node_event(c, &event)?))
                .await;
            if let Err(e) = stored {
                tracing::error!("{e}");
            }
        }
    }

    async fn keep_condition(&mut self, id: &NodeId, r: &protocol::NodeReport, now: DateTime<Utc>) {
        let due = self
            .conditions
            .get(id)
            .is_none_or(|(at, started)| *started != r.started_at || now - *at >= CONDITION_EVERY);
        if !due {
            return;
        }
        self.conditions.insert(id.clone(), (now, r.started_at));
        let sample = ConditionSample {
            node: id.to_string(),
            at: now,
            started_at: r.started_at,
            restarts: r.restarts,
            errors: r.errors,
            temperature_c: r.temperature_c,
            under_voltage: r.under_voltage,
        };
        if let Err(e) = self
            .parts
            .store
            .run(move |c| Ok(table::record_condition(c, &sample)?))
            .await
        {
            tracing::error!("{e}");
        }
    }

    async fn on_as_run(&mut self, id: &NodeId, row: AsRunRow) {
        let source = if row.cue.is_some() {
            "schedule"
        } else {
            "emergency"
        };
        let stored = StoredRow {
            id: row.id.clone(),
            revision: row.revision,
        };
        let node_row = NodeRow {
            node: id.to_string(),
            row: row.id,
            revision: row.revision,
            cue_key: row.cue,
            item_id: row.item_id,
            label: row.title,
            source: source.into(),
            outcome: row.outcome,
            reason: row.reason,
            planned_at: row.planned_at,
            first_sample_at: row.first_sample_at,
            last_sample_at: row.last_sample_at,
        };
        match self
            .parts
            .store
            .run(move |c| Ok(table::store_node_row(c, &node_row)?))
            .await
        {
            Ok(result) => {
                if result != Stored::Duplicate {
                    // Nobody listening is fine.
                    let _ = self.parts.events.send(Event::OnAir);
                }
                let now = Utc::now();
                // No expiry: late is harmless, and a node whose clock is off must not drop it.
                let cmd = Command::new(Action::AsRunStored { rows: vec![stored] }, now, None);
                self.send(session::command(
                    &self.topics,
                    &Target::Node(id.clone()),
                    &cmd,
                    now,
                ));
            }
            // Not answered: the node sends it again.
            Err(e) => tracing::error!("{e}"),
        }
    }

    fn on_ack(&mut self, id: &NodeId, ack: Ack) {
        let Some(head) = self.head() else { return };
        let received = Utc::now();
        if let Some(sent) = self.probes.get(&ack.command) {
            let offset = protocol::clock_offset_ms(*sent, ack.node_time, received);
            lock(&head.view).clock_offset(id, offset, received);
            return;
        }
        if let Some(f) = lock(&head.fanout).as_mut() {
            f.answer(id, &ack.command, &ack.result);
        }
    }

    fn probe(&mut self, now: DateTime<Utc>) {
        let cmd = Command::new(
            Action::ClockProbe,
            now,
            Some(chrono::TimeDelta::seconds(30)),
        );
        self.probes.insert(cmd.id.clone(), now);
        while self.probes.len() > 4 {
            let oldest = self
                .probes
                .iter()
                .min_by_key(|(_, t)| **t)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.probes.remove(&k);
            }
        }
        self.send(session::command(&self.topics, &Target::Everyone, &cmd, now));
        self.last_probe = Some(Instant::now());
    }

    /// Make every node's plan and publish those that changed (all of them when `all`).
    async fn replan(&mut self, all: bool) {
        self.replan_at = None;
        self.last_replan = Some(Instant::now());
        let Some(head) = self.head() else { return };
        let made = self.make_plans(&head).await;
        let (mut cues, chime, from, to, mut warnings) = match made {
            Ok(m) => m,
            Err(e) => {
                tracing::error!("kế hoạch cho các cụm loa / the nodes' plans: {e}");
                return;
            }
        };
        self.chime = chime.clone();
        let now = Utc::now();
        let version = match self.next_version(now).await {
            Ok(v) => v,
            Err(e) => {
                tracing::error!("{e}");
                return;
            }
        };
        let (mut sent, mut unsent) = (0, 0);
        for (id, node_cues) in std::mem::take(&mut cues) {
            let unchanged = self
                .published
                .get(&id)
                .is_some_and(|(c, ch)| *c == node_cues && *ch == chime);
            if unchanged && !all {
                continue;
            }
            let plan = Plan {
                version,
                generated_at: now,
                from,
                to,
                chime: chime.clone(),
                cues: node_cues.clone(),
            };
            let (payload, cut) = plans::encode_fitting(plan);
            if cut {
                warnings.push(said!(
                    "kế hoạch của {id} quá lớn, đã bớt những ngày cuối",
                    "{id}'s plan was too large: its last days were left out"
                ));
            }
            // A commune's plans go out in one burst, more than the link's queue holds: one
            // refused is not marked as sent, and goes in the next try.
            if self.send(session::plan(&self.topics, &id, payload)) {
                self.published.insert(id, (node_cues, chime.clone()));
                sent += 1;
            } else {
                self.published.remove(&id);
                unsent += 1;
            }
        }
        if unsent > 0 {
            tracing::warn!(
                "{unsent} kế hoạch chưa gửi được, thử lại sau {} s / {unsent} plans not sent \
                 yet, trying again in {} s",
                RESEND.as_secs(),
                RESEND.as_secs()
            );
            self.replan_at = Some(Instant::now() + RESEND);
        }
        if sent > 0 {
            tracing::info!(
                "kế hoạch v{version} gửi cho {sent} cụm loa / plan v{version} sent to {sent} nodes"
            );
        }
        *lock(&head.plan_warnings) = warnings;
    }

    /// A version higher than any published before, even across restarts.
    async fn next_version(&self, now: DateTime<Utc>) -> Result<u64, crate::store::StoreError> {
        let ms = now.timestamp_millis().max(0) as u64;
        self.parts
            .store
            .run(move |c| {
                let last = crate::store::meta::get(c, "cluster.plan_version")?
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
                let v = ms.max(last + 1);
                crate::store::meta::set(c, "cluster.plan_version", &v.to_string())?;
                Ok(v)
            })
            .await
    }

    /// The commune's plan over the span, split per node, with the chime.
    #[allow(clippy::type_complexity)]
    async fn make_plans(
        &self,
        head: &HeadEnd,
    ) -> Result<
        (
            BTreeMap<NodeId, Vec<PlanCue>>,
            Option<MediaRef>,
            DateTime<Utc>,
            DateTime<Utc>,
            Vec<Said>,
        ),
        crate::store::StoreError,
    > {
        let timetable = self.parts.timetable.clone();
        let (from, to) = plans::span(Utc::now(), timetable.tz());
        let chime_title = self.parts.config.emergency.chime.clone();
        let (commune, library) = self
            .parts
            .store
            .run(move |c| {
                let plan = timetable.plan(c, from, to)?;
                Ok((plan, crate::store::media::list(c, None)?))
            })
            .await?;
        let media: HashMap<i64, MediaRef> = library.iter().map(|m| (m.id, media_ref(m))).collect();
        let chime = library
            .iter()
            .find(|m| m.category == crate::model::Category::Jingle && m.title == chime_title)
            .map(media_ref)
            .or_else(|| self.chime_file(head, &chime_title));
        let (cues, warnings) = plans::node_cues(&commune, &media, &head.registry);
        Ok((cues, chime, from, to, warnings))
    }

    /// The chime from a file (not a library jingle), served by its hash.
    fn chime_file(&self, head: &HeadEnd, path: &str) -> Option<MediaRef> {
        let path = std::path::PathBuf::from(path);
        let m = file_ref(&path)?;
        head.serve_extra(&m.sha256, path);
        Some(m)
    }

    /// The station's emergency changed: hand it on (its chime at once; a typed text's
    /// recording in a second command when the head-end has read it aloud), or its end.
    async fn on_emergency(&mut self, active: Option<Active>) {
        let Some(head) = self.head() else { return };
        let now = Utc::now();
        match active {
            Some(a) if self.handed_on == Some(a.id) => self.hand_on_speech(&head, &a, now),
            Some(a) => {
                let chime = match &self.chime {
                    Some(c) => Some(c.clone()),
                    // No plans made yet (the emergency came first): the chime from them now.
                    None => self.make_plans(&head).await.ok().and_then(|m| m.1),
                };
                let emergency = EmergencyCmd {
                    chime,
                    content: content_of(&head, &a),
                    repeat: a.repeat,
                    gain_db: self.parts.config.emergency.gain_db,
                    zones: Vec::new(),
                };
                let cmd = Command::new(Action::EmergencyStart(emergency), now, Some(EMERGENCY_TTL));
                // The microphone's first packets follow the start; the nodes hear them after
                // their chime, as the head-end does.
                self.live = a.live.then(|| self.relay_microphone(&cmd.id)).flatten();
                let online: Vec<(NodeId, bool)> = lock(&head.view)
                    .all()
                    .into_iter()
                    .filter_map(|n| Some((n.info.id.parse().ok()?, n.info.online)))
                    .collect();
                self.send(session::command(&self.topics, &Target::Everyone, &cmd, now));
                tracing::info!(
                    "khẩn cấp gửi tới mọi cụm loa / emergency sent to every node: {}",
                    a.title
                );
                *lock(&head.fanout) = Some(FanOut::new(cmd, a.id, a.requested_at, online));
                self.handed_on = Some(a.id);
                self.last_refresh = Some(Instant::now());
            }
            None => {
                self.live = None;
                let Some(_) = self.handed_on.take() else {
                    return;
                };
                let command = lock(&head.fanout).as_ref().map(|f| f.command.clone());
                if let Some(started) = command {
                    let stop = Command::new(
                        Action::EmergencyStop {
                            emergency: started.id.clone(),
                        },
                        now,
                        Some(EMERGENCY_TTL),
                    );
                    self.send(session::command(
                        &self.topics,
                        &Target::Everyone,
                        &stop,
                        now,
                    ));
                    if let Action::EmergencyStart(e) = &started.action
                        && let EmergencyContent::Recording { media, .. } = &e.content
                    {
                        head.forget_extra(&media.sha256);
                    }
                }
            }
        }
    }

    /// The emergency handed on was sent while its text was being read aloud, and now the
    /// station has the recording (or knows it has none): the same command again, with it.
    /// Same id, QoS 1 and expiry as the start, so a node back on its link later gets both.
    fn hand_on_speech(&mut self, head: &HeadEnd, a: &Active, now: DateTime<Utc>) {
        if a.speaking {
            return;
        }
        let mut fanout = lock(&head.fanout);
        let Some(f) = fanout.as_mut().filter(|f| f.local_id == a.id) else {
            return;
        };
        let Action::EmergencyStart(e) = &mut f.command.action else {
            return;
        };
        if !matches!(e.content, EmergencyContent::Speaking { .. }) {
            return;
        }
        e.content = content_of(head, a);
        f.command.expires_at = Some(now + EMERGENCY_TTL);
        self.send(session::command(
            &self.topics,
            &Target::Everyone,
            &f.command,
            now,
        ));
        tracing::info!(
            "bản đọc văn bản gửi tới mọi cụm loa / the spoken text sent to every node: {}",
            a.title
        );
    }

    /// Start relaying the microphone to every node as emergency `id`'s.
    fn relay_microphone(&self, id: &MessageId) -> Option<LiveRelay> {
        LiveRelay::start(
            self.parts.microphone.subscribe(),
            self.link.publisher(),
            self.topics.clone(),
            id.clone(),
        )
        .map_err(|e| tracing::error!("{e}"))
        .ok()
    }

    /// Send the emergency on air again with a fresh expiry (same id: nodes on air ignore it).
    fn refresh_emergency(&mut self, now: DateTime<Utc>) {
        let Some(head) = self.head() else { return };
        let mut fanout = lock(&head.fanout);
        let Some(f) = fanout.as_mut() else { return };
        f.command.expires_at = Some(now + EMERGENCY_TTL);
        self.send(session::command(
            &self.topics,
            &Target::Everyone,
            &f.command,
            now,
        ));
        self.last_refresh = Some(Instant::now());
    }
}

/// What follows the chime of the station's emergency on the nodes; a recording is served by
/// its hash from now on.
fn content_of(head: &HeadEnd, a: &Active) -> EmergencyContent {
    let text = Some(a.title.clone());
    if a.live {
        return EmergencyContent::Live { text };
    }
    if a.speaking {
        return EmergencyContent::Speaking { text };
    }
    let recording = a.audio.as_deref().and_then(file_ref);
    match (recording, &a.audio) {
        (Some(media), Some(path)) => {
            head.serve_extra(&media.sha256, path.clone());
            EmergencyContent::Recording { media, text }
        }
        _ => EmergencyContent::ChimeOnly { text },
    }
}

/// A library recording by hash.
fn media_ref(m: &crate::model::Media) -> MediaRef {
    MediaRef {
        sha256: m.sha256.clone(),
        bytes: m.bytes,
        duration_ms: m.analysis.duration_ms,
    }
}

/// A file by hash (its length read from the WAV header where it is one).
fn file_ref(path: &std::path::Path) -> Option<MediaRef> {
    let sha256 = crate::media::sha256_file(path).ok()?;
    let bytes = std::fs::metadata(path).ok()?.len();
    let duration_ms = hound::WavReader::open(path)
        .ok()
        .map(|r| {
            let spec = r.spec();
            u64::from(r.duration()) * 1000 / u64::from(spec.sample_rate.max(1))
        })
        .unwrap_or(0);
    Some(MediaRef {
        sha256,
        bytes,
        duration_ms,
    })
}
