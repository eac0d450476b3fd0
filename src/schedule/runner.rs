//! The runner: airs the plan on an injected clock through the player, and writes the as-run
//! log.
//!
//! It wakes a little before each slot (the amplifier warms up, the first recording is opened)
//! and hands the slot's cues to the player, the first one timed so its first sample is heard
//! at the planned second and the rest back to back. Every cue's fate is kept in SQLite by its
//! stable key, so:
//! - after a restart nothing that already aired airs again, and the slot in progress goes on;
//! - a cue more than the grace window late is logged `missed`, not aired;
//! - a wall clock that is not synchronised yet (a Pi has no battery clock) or that went back
//!   behind what already aired makes the runner wait and warn instead of firing a backlog.
//!
//! It does not decide what airs (the plan does) or who has the speakers (the player's arbiter
//! does).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast::error::TryRecvError;

use super::plan::{Content, Cue, Plan};
use super::timetable::Timetable;
use crate::audio::arbiter::Priority;
use crate::audio::clip::Clip;
use crate::audio::player::{Outcome as PlayOutcome, PlayRequest, Player, PlayerEvent, Source};
use crate::audio::stream::{RelayEvent, RelaySpec};
use crate::clock::Clock;
use crate::model::asrun::{NewEntry, Outcome};
use crate::store::asrun;
use crate::store::{Store, StoreError, meta};

/// How the runner behaves.
#[derive(Debug, Clone)]
pub struct RunnerOptions {
    /// A cue may start this late and still air.
    pub grace: Duration,
    /// Wake this long before a slot.
    pub preroll: Duration,
    /// Wait for a synchronised clock before airing anything.
    pub require_time_sync: bool,
    /// The loudness ceiling items play under, in dBTP.
    pub ceiling_dbtp: f32,
    /// Master gain added to every item, in dB.
    pub master_gain_db: f32,
    /// Where recordings are (`data_dir`).
    pub data_dir: PathBuf,
}

/// Whether the wall clock has been set from the network.
pub trait TimeSync: Send + Sync {
    /// `Some(false)`: known not synchronised; `None`: cannot tell (treated as fine).
    fn synchronized(&self) -> Option<bool>;
}

/// Asks systemd (`timedatectl`), which knows about timesyncd, chrony and ntpd alike.
#[derive(Debug, Default)]
pub struct SystemTimeSync;

impl TimeSync for SystemTimeSync {
    fn synchronized(&self) -> Option<bool> {
        let out = std::process::Command::new("timedatectl")
            .args(["show", "-p", "NTPSynchronized", "--value"])
            .output()
            .ok()?;
        match String::from_utf8_lossy(&out.stdout).trim() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }
    }
}

/// A clock that is always right (tests, and machines where the check does not apply).
#[derive(Debug, Default)]
pub struct TrustedTime;

impl TimeSync for TrustedTime {
    fn synchronized(&self) -> Option<bool> {
        Some(true)
    }
}

/// The heartbeat key in the `meta` table: the last time the runner looked at the plan.
const HEARTBEAT: &str = "runner.heartbeat";
/// Look back at most this far for cues missed while the service was down.
const MAX_LOOKBACK: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// Plan this far ahead.
const LOOKAHEAD: chrono::TimeDelta = chrono::TimeDelta::hours(36);
/// A wall clock that moves this much more (or less) than the monotonic one has jumped.
const JUMP: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// Where the runner's cues come from: a station's own programme (its [`Timetable`]), or the
/// plan a head-end sent a village node (`cluster::node`). The runner decides when and whether
/// each cue airs; the source only says what the plan is.
pub trait CueSource: Send + Sync {
    /// The plan for `[from, to)`.
    fn plan(
        &self,
        store: &Store,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Plan, StoreError>;
}

/// A station's own programme: the programme files with the approved items in the database.
/// Items past their last day are not in it (the store's window), whether or not the night's
/// housekeeping has marked them expired yet.
impl CueSource for Timetable {
    fn plan(
        &self,
        store: &Store,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Plan, StoreError> {
        store.with(|c| Ok(Timetable::plan(self, c, from, to)?))
    }
}

/// The runner thread. Dropping it stops it (after the cue on air).
pub struct Runner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Runner {
    /// Start airing the programme in force in `timetable` through `player`.
    pub fn spawn(
        store: Store,
        player: Arc<Player>,
        clock: Arc<dyn Clock>,
        timetable: Timetable,
        options: RunnerOptions,
        sync: Box<dyn TimeSync>,
    ) -> std::io::Result<Runner> {
        let source = Arc::new(timetable);
        Runner::spawn_from(store, player, clock, source, options, sync)
    }

    /// Start airing the cues `source` plans through `player`.
    pub fn spawn_from(
        store: Store,
        player: Arc<Player>,
        clock: Arc<dyn Clock>,
        source: Arc<dyn CueSource>,
        options: RunnerOptions,
        sync: Box<dyn TimeSync>,
    ) -> std::io::Result<Runner> {
        let stop = Arc::new(AtomicBool::new(false));
        let worker = Worker {
            store,
            player,
            clock,
            source,
            options,
            sync,
            stop: stop.clone(),
            warned: None,
            last_check: None,
        };
        let thread = std::thread::Builder::new()
            .name("loaxa-runner".into())
            .spawn(move || worker.run())?;
        Ok(Runner {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            // Wake it from a nap so shutdown is immediate.
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

struct Worker {
    store: Store,
    player: Arc<Player>,
    clock: Arc<dyn Clock>,
    source: Arc<dyn CueSource>,
    options: RunnerOptions,
    sync: Box<dyn TimeSync>,
    stop: Arc<AtomicBool>,
    /// The last warning given, so a waiting runner does not repeat itself every second.
    warned: Option<String>,
    /// Wall and monotonic time at the last look, to notice jumps.
    last_check: Option<(DateTime<Utc>, Duration)>,
}

/// What the runner should do next.
#[derive(Debug, PartialEq)]
enum Next {
    /// Air these cues now (the first one timed).
    Air(Vec<Cue>),
    /// Nothing due: look again at this time.
    SleepUntil(DateTime<Utc>),
}

impl Worker {
    fn run(mut self) {
        if let Err(e) = self.store.with(|c| {
            Ok(asrun::interrupt_unfinished(
                c,
                "dịch vụ khởi động lại / the service restarted",
            )?)
        }) {
            tracing::error!("{e}");
        }
        while !self.stop.load(Ordering::Relaxed) {
            if let Some(reason) = self.clock_problem() {
                self.warn_once(reason);
                self.nap(Duration::from_secs(5));
                continue;
            }
            match self.next() {
                Ok(Next::Air(cues)) => self.air(cues),
                Ok(Next::SleepUntil(t)) => self.sleep_until(t),
                Err(e) => {
                    tracing::error!("lịch phát / programme: {e}");
                    self.nap(Duration::from_secs(30));
                }
            }
        }
    }

    fn warn_once(&mut self, reason: String) {
        if self.warned.as_deref() != Some(reason.as_str()) {
            tracing::warn!("{reason}");
            self.warned = Some(reason);
        }
    }

    /// Wait `d`; on a real clock, parked so that stopping the runner wakes it at once.
    fn nap(&self, d: Duration) {
        if self.clock.is_real() {
            std::thread::park_timeout(d);
        } else {
            self.clock.sleep(d);
        }
    }

    /// Sleep until `t`, waking at least every 30 s on a real clock to re-plan (new approvals)
    /// and to notice clock jumps.
    fn sleep_until(&self, t: DateTime<Utc>) {
        let Ok(left) = (t - self.clock.now()).to_std() else {
            return;
        };
        self.nap(if self.clock.is_real() {
            left.min(Duration::from_secs(30))
        } else {
            left
        });
    }

    /// Why the wall clock cannot be trusted right now, if it cannot.
    fn clock_problem(&mut self) -> Option<String> {
        let now = self.clock.now();
        let mono = self.clock.elapsed();
        if let Some((wall, then)) = self.last_check.replace((now, mono)) {
            let expected =
                wall + chrono::Duration::from_std(mono.saturating_sub(then)).unwrap_or_default();
            let jump = now - expected;
            if jump.abs() > JUMP {
                tracing::warn!(
                    "đồng hồ nhảy {} phút; lịch được tính lại, mục đã lỡ sẽ ghi là lỡ giờ / the clock jumped {} minutes; the plan is redone and cues that passed are logged missed",
                    jump.num_minutes(),
                    jump.num_minutes()
                );
            }
        }
        if self.options.require_time_sync && self.sync.synchronized() == Some(false) {
            return Some("đồng hồ chưa đồng bộ mạng (NTP): chưa phát gì cho tới khi đúng giờ / the clock is not synchronised (NTP) yet: nothing airs until it is".into());
        }
        let latest = self
            .store
            .with(|c| Ok(asrun::latest_sample(c)?))
            .ok()
            .flatten();
        if let Some(latest) = latest
            && now + JUMP < latest
        {
            return Some(format!(
                "đồng hồ ({now}) đang chỉ sớm hơn lần phát cuối ({latest}): chờ đồng hồ đúng / the clock ({now}) is behind the last play ({latest}): waiting for the right time"
            ));
        }
        self.warned = None;
        None
    }

    /// Plan around now and decide.
    fn next(&self) -> Result<Next, StoreError> {
        let now = self.clock.now();
        let grace = chrono::Duration::from_std(self.options.grace).unwrap_or_default();
        let since = self
            .store
            .with(|c| Ok(meta::get(c, HEARTBEAT)?))?
            .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
            .map(|t| t.with_timezone(&Utc));
        // Look back to the last heartbeat (cues missed while the service was down), not
        // before a fresh install, and never more than a day.
        let from = since.map_or(now - grace, |s| s.max(now - MAX_LOOKBACK).min(now - grace));
        let planned = self.plan(from, now + LOOKAHEAD)?;
        let settled = self
            .store
            .with(|c| Ok(asrun::settled_cues(c, from - chrono::Duration::hours(1))?))?;
        self.store
            .with(|c| Ok(meta::set(c, HEARTBEAT, &now.to_rfc3339())?))?;
        Ok(decide(
            planned.cues,
            &settled,
            now,
            grace,
            chrono::Duration::from_std(self.options.preroll).unwrap_or_default(),
            |cue, reason| self.log_missed(cue, reason),
        ))
    }

    fn plan(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Plan, StoreError> {
        self.source.plan(&self.store, from, to)
    }

    fn log_missed(&self, cue: &Cue, reason: &str) {
        let new = entry(cue);
        if let Err(e) = self.store.with(|c| {
            Ok(asrun::upsert_cue(
                c,
                &new,
                Outcome::Missed,
                Some(reason),
                None,
                None,
            )?)
        }) {
            tracing::error!("{e}");
        }
    }

    /// Hand a slot's cues to the player and follow them until they end.
    fn air(&mut self, cues: Vec<Cue>) {
        // Power the amplifier now: the preroll gives it time to warm up.
        self.player.hooks().prepare();
        let mut events = self.player.subscribe();
        let mut playing: HashMap<u64, Cue> = HashMap::new();
        for (i, cue) in cues.into_iter().enumerate() {
            let (source, gain) = self.source(&cue);
            let id = self.player.play(PlayRequest {
                source,
                label: cue.title.clone(),
                gain_db: gain + cue.volume_db + self.options.master_gain_db,
                ceiling_dbtp: Some(self.options.ceiling_dbtp),
                start_at: (i == 0 && cue.start > self.clock.now()).then_some(cue.start),
                priority: Priority::Scheduled,
                zones: cue.zones.clone(),
            });
            playing.insert(id, cue);
        }
        while !playing.is_empty() {
            let event = match events.try_recv() {
                Ok(e) => e,
                Err(TryRecvError::Empty) => {
                    if self.stop.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::park_timeout(Duration::from_millis(5));
                    continue;
                }
                Err(TryRecvError::Lagged(_)) => continue,
                Err(TryRecvError::Closed) => return,
            };
            match event {
                PlayerEvent::Started { id, at, .. } => {
                    if let Some(cue) = playing.get(&id) {
                        let late = (at - cue.start).num_milliseconds() as f64 / 1000.0;
                        metrics::histogram!(crate::ops::metrics::CUE_LATENESS).record(late);
                        self.record(cue, Outcome::Started, None, Some(at), None);
                    }
                }
                PlayerEvent::Ended(report) => {
                    let Some(cue) = playing.remove(&report.id) else {
                        continue;
                    };
                    let (outcome, reason) = match &report.outcome {
                        PlayOutcome::Completed => (Outcome::Completed, None),
                        PlayOutcome::Stopped => (
                            Outcome::Stopped,
                            Some("dừng bởi người trực / stopped by the operator".to_string()),
                        ),
                        PlayOutcome::Failed { reason } => (Outcome::Failed, Some(reason.clone())),
                    };
                    self.record(
                        &cue,
                        outcome,
                        reason.as_deref(),
                        report.first_sample_at,
                        report.last_sample_at,
                    );
                }
                PlayerEvent::Relay {
                    id,
                    event:
                        RelayEvent::OutageEnded {
                            cause,
                            since,
                            until,
                            recovered,
                        },
                } => {
                    if let Some(cue) = playing.get(&id) {
                        self.record_outage(cue, &cause.to_string(), since, until, recovered);
                    }
                }
                _ => {}
            }
        }
    }

    /// What a cue plays, and its own gain (a recording's loudness correction; a relay's
    /// fallback clips carry theirs).
    fn source(&self, cue: &Cue) -> (Source, f32) {
        match &cue.content {
            Content::Item { file, gain_db, .. }
            | Content::Jingle { file, gain_db, .. }
            | Content::Relayed { file, gain_db, .. } => (
                Source::File(self.options.data_dir.join(file)),
                *gain_db as f32,
            ),
            Content::Stream {
                url,
                until,
                fallback,
                silence_seconds,
                ..
            } => {
                let mut spec = RelaySpec::new(url.clone(), *until);
                spec.silence = Duration::from_secs(u64::from(*silence_seconds));
                spec.fallback = fallback
                    .iter()
                    .filter_map(|clip| {
                        Clip::load(&self.options.data_dir.join(&clip.file))
                            .inspect_err(|e| {
                                tracing::warn!("dự phòng / fallback {}: {e}", clip.file)
                            })
                            .ok()
                            .map(|c| c.with_gain(clip.gain_db))
                    })
                    .collect();
                (Source::Relay(spec), 0.0)
            }
        }
    }

    /// An outage of a relayed cue, as its own as-run line (keyed by the cue and its start, so
    /// a report repeated is one line).
    fn record_outage(
        &self,
        cue: &Cue,
        cause: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        recovered: bool,
    ) {
        let key = format!("{}#outage@{}", cue.key, since.timestamp_millis());
        let label = format!("Mất sóng {} / outage: {}", cue.title, cue.title);
        let fallback = match &cue.content {
            Content::Stream { fallback_name, .. } => fallback_name.as_str(),
            _ => "",
        };
        let end = if recovered {
            "có sóng lại / the stream came back"
        } else {
            "hết giờ tiếp sóng khi vẫn mất sóng / the relay ended during the outage"
        };
        let reason = format!("{cause}; phát dự phòng / fallback: {fallback}; {end}");
        let new = NewEntry {
            cue_key: Some(&key),
            item_id: None,
            media_id: None,
            label: &label,
            source: "schedule",
            planned_at: Some(since),
        };
        if let Err(e) = self.store.with(|c| {
            Ok(asrun::upsert_cue(
                c,
                &new,
                Outcome::Outage,
                Some(&reason),
                Some(since),
                Some(until),
            )?)
        }) {
            tracing::error!("{e}");
        }
    }

    fn record(
        &self,
        cue: &Cue,
        outcome: Outcome,
        reason: Option<&str>,
        first: Option<DateTime<Utc>>,
        last: Option<DateTime<Utc>>,
    ) {
        let new = entry(cue);
        if let Err(e) = self
            .store
            .with(|c| Ok(asrun::upsert_cue(c, &new, outcome, reason, first, last)?))
        {
            tracing::error!("{e}");
        }
    }
}

/// The as-run line of a cue.
fn entry(cue: &Cue) -> NewEntry<'_> {
    let (item_id, media_id) = match &cue.content {
        Content::Item {
            item_id, media_id, ..
        } => (Some(*item_id), Some(*media_id)),
        Content::Jingle { media_id, .. } => (None, Some(*media_id)),
        Content::Stream { .. } => (None, None),
        // The head-end's ids mean nothing in a node's own database.
        Content::Relayed { .. } => (None, None),
    };
    NewEntry {
        cue_key: Some(&cue.key),
        item_id,
        media_id,
        label: &cue.title,
        source: "schedule",
        planned_at: Some(cue.start),
    }
}

/// The pure decision: which cues of the earliest unsettled slot to air now, which are too late
/// (reported through `missed`), or when to look again.
fn decide(
    cues: Vec<Cue>,
    settled: &std::collections::HashSet<String>,
    now: DateTime<Utc>,
    grace: chrono::Duration,
    preroll: chrono::Duration,
    mut missed: impl FnMut(&Cue, &str),
) -> Next {
    let mut pending = cues
        .into_iter()
        .filter(|c| !settled.contains(&c.key))
        .peekable();
    let mut group: Vec<Cue> = Vec::new();
    while let Some(cue) = pending.peek() {
        if !group.is_empty() && cue.slot_start != group[0].slot_start {
            break;
        }
        let Some(cue) = pending.next() else { break };
        if now - cue.start > grace {
            missed(
                &cue,
                "quá giờ phát (dịch vụ không chạy hoặc đồng hồ sai) / too late (the service was not running or the clock was wrong)",
            );
            continue;
        }
        group.push(cue);
    }
    match group.first() {
        None => Next::SleepUntil(
            pending
                .peek()
                .map_or(now + chrono::Duration::minutes(5), |c| c.start - preroll),
        ),
        Some(first) if first.start - preroll > now => Next::SleepUntil(first.start - preroll),
        Some(_) => Next::Air(group),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cue(key: &str, slot_start: DateTime<Utc>, offset_s: i64) -> Cue {
        Cue {
            key: key.into(),
            start: slot_start + chrono::Duration::seconds(offset_s),
            slot: "sang".into(),
            slot_title: "Sáng".into(),
            slot_start,
            playlist: "p".into(),
            title: key.into(),
            content: Content::Jingle {
                media_id: 1,
                file: String::new(),
                gain_db: 0.0,
            },
            length_ms: 10_000,
            zones: vec![],
            volume_db: 0.0,
            holiday: None,
        }
    }

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 9, 1, h, m, 0).unwrap()
    }

    #[test]
    fn wakes_a_preroll_before_the_slot() {
        let cues = vec![cue("a", t(6, 0), 0), cue("b", t(6, 0), 10)];
        let next = decide(
            cues,
            &Default::default(),
            t(5, 0),
            chrono::Duration::minutes(5),
            chrono::Duration::seconds(2),
            |_, _| {},
        );
        assert_eq!(
            next,
            Next::SleepUntil(t(6, 0) - chrono::Duration::seconds(2))
        );
    }

    #[test]
    fn airs_the_whole_slot_when_due_and_skips_what_aired() {
        let cues = vec![
            cue("a", t(6, 0), 0),
            cue("b", t(6, 0), 10),
            cue("c", t(17, 0), 0),
        ];
        let settled = ["a".to_string()].into_iter().collect();
        let next = decide(
            cues,
            &settled,
            t(6, 0) + chrono::Duration::seconds(9),
            chrono::Duration::minutes(5),
            chrono::Duration::seconds(2),
            |_, _| {},
        );
        match next {
            Next::Air(group) => assert_eq!(
                group.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(),
                ["b"]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn beyond_the_grace_window_a_cue_is_missed_not_aired() {
        let cues = vec![
            cue("a", t(6, 0), 0),
            cue("b", t(6, 0), 400),
            cue("c", t(17, 0), 0),
        ];
        let mut missed = Vec::new();
        let next = decide(
            cues,
            &Default::default(),
            t(6, 10),
            chrono::Duration::minutes(5),
            chrono::Duration::seconds(2),
            |c, _| missed.push(c.key.clone()),
        );
        assert_eq!(missed, ["a"]);
        match next {
            Next::Air(group) => assert_eq!(group[0].key, "b", "the slot in progress goes on"),
            other => panic!("{other:?}"),
        }
    }
}
