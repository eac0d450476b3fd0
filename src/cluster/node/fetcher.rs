//! The thread that keeps the node's cache in line with its plan: at start, when a new plan
//! comes, when the head-end asks for a prefetch, and every half minute. It fetches the chime
//! first and then the recordings by the time they air (soonest first, so a long download of
//! next week's greeting never delays tonight's bulletin), hashes every file again once a day,
//! loads the chime into the emergency controller once it is here, and notes the cues of the
//! next day that would air without their recording.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Shared;
use crate::audio::player::Clip;
use crate::cluster::protocol::{MediaRef, MissingMedia, Plan};

/// How often the cache is looked at without being asked.
const EVERY: Duration = Duration::from_secs(30);
/// How often every file is hashed again (files that changed are hashed on every look).
const FULL_CHECK: Duration = Duration::from_secs(24 * 3600);
/// How far ahead a missing recording is reported.
const WARN_AHEAD: chrono::TimeDelta = chrono::TimeDelta::hours(24);

enum Wake {
    Look,
    Media(Vec<MediaRef>),
    Stop,
}

/// Asks the fetch thread to look now.
#[derive(Clone)]
pub struct Waker(mpsc::Sender<Wake>);

impl Waker {
    /// A new plan came: look at the cache now.
    pub fn plan(&self) {
        let _ = self.0.send(Wake::Look);
    }

    /// Fetch these first (the head-end said they are needed soon).
    pub fn media(&self, media: Vec<MediaRef>) {
        let _ = self.0.send(Wake::Media(media));
    }
}

/// The fetch thread; stops when dropped.
pub struct Fetcher {
    tx: mpsc::Sender<Wake>,
    thread: Option<JoinHandle<()>>,
}

impl Fetcher {
    /// Start the thread; it looks at the cache at once.
    pub fn spawn(shared: Arc<Shared>) -> std::io::Result<Fetcher> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("loaxa-fetch".into())
            .spawn(move || run(&shared, &rx))?;
        Ok(Fetcher {
            tx,
            thread: Some(thread),
        })
    }

    /// A handle to wake the thread.
    pub fn waker(&self) -> Waker {
        Waker(self.tx.clone())
    }
}

impl Drop for Fetcher {
    fn drop(&mut self) {
        let _ = self.tx.send(Wake::Stop);
        if let Some(t) = self.thread.take() {
            // A transfer in progress ends at its next read timeout at worst; do not wait.
            drop(t);
        }
    }
}

fn run(shared: &Shared, rx: &mpsc::Receiver<Wake>) {
    let mut last_full: Option<Instant> = None;
    let mut chime: Option<String> = None;
    let mut wake = Ok(Wake::Look);
    loop {
        match wake {
            Ok(Wake::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Ok(Wake::Media(media)) => {
                for m in &media {
                    if let Err(e) = shared.cache.fetch(m) {
                        shared.error();
                        tracing::warn!("{e}");
                    }
                }
            }
            Ok(Wake::Look) | Err(RecvTimeoutError::Timeout) => {}
        }
        if last_full.is_none_or(|t| t.elapsed() >= FULL_CHECK) {
            let damaged = shared.cache.verify(true);
            shared
                .errors
                .fetch_add(damaged.len() as u64, std::sync::atomic::Ordering::Relaxed);
            last_full = Some(Instant::now());
        }
        look(shared, &mut chime);
        wake = rx.recv_timeout(EVERY);
    }
}

/// One look: sweep the cache for the plan, note what is missing, load a new chime.
fn look(shared: &Shared, chime: &mut Option<String>) {
    let plan = match shared.cues.kept(&shared.store) {
        Ok(Some(plan)) => plan,
        Ok(None) => return,
        Err(e) => {
            tracing::error!("{e}");
            return;
        }
    };
    let now = shared.clock.now();
    let needed = needed_from(&plan, now);
    let sweep = shared.cache.sweep(&needed);
    if sweep.damaged > 0 {
        shared
            .errors
            .fetch_add(sweep.damaged as u64, std::sync::atomic::Ordering::Relaxed);
    }
    for (sha, why) in &sweep.missing {
        tracing::warn!("{sha}: {why}");
    }
    *shared.missing.lock().unwrap_or_else(|e| e.into_inner()) =
        missing_soon(&plan, now, &sweep.missing, |m| shared.cache.holds(m));
    load_chime(shared, &plan, chime);
}

/// What the plan needs from now on: the chime first, then each recording by its first cue.
pub fn needed_from(plan: &Plan, now: chrono::DateTime<chrono::Utc>) -> Vec<MediaRef> {
    let mut seen = std::collections::HashSet::new();
    let mut cues: Vec<_> = plan
        .cues
        .iter()
        .filter(|c| c.start + chrono::TimeDelta::hours(1) >= now)
        .collect();
    cues.sort_by_key(|c| c.start);
    plan.chime
        .iter()
        .chain(cues.into_iter().map(|c| &c.media))
        .filter(|m| seen.insert(m.sha256.clone()))
        .cloned()
        .collect()
}

/// The cues of the next day whose recording the cache does not hold, with why.
fn missing_soon(
    plan: &Plan,
    now: chrono::DateTime<chrono::Utc>,
    failures: &[(String, String)],
    holds: impl Fn(&MediaRef) -> bool,
) -> Vec<MissingMedia> {
    plan.cues
        .iter()
        .filter(|c| c.start >= now && c.start < now + WARN_AHEAD && !holds(&c.media))
        .map(|c| MissingMedia {
            cue: c.key.clone(),
            title: c.title.clone(),
            start: c.start,
            reason: failures
                .iter()
                .find(|(sha, _)| *sha == c.media.sha256)
                .map_or_else(
                    || "đang tải / still fetching".to_string(),
                    |(_, why)| why.clone(),
                ),
        })
        .collect()
}

/// Decode the plan's chime for the emergency controller when it is new and in the cache.
fn load_chime(shared: &Shared, plan: &Plan, loaded: &mut Option<String>) {
    let Some(m) = &plan.chime else { return };
    if loaded.as_deref() == Some(m.sha256.as_str()) || !shared.cache.holds(m) {
        return;
    }
    match Clip::load(&shared.cache.path(&m.sha256)) {
        Ok(clip) => {
            shared.emergency.set_chime(Some(clip));
            *loaded = Some(m.sha256.clone());
        }
        Err(e) => {
            shared.error();
            tracing::warn!("chuông báo / attention chime: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::protocol::PlanCue;
    use crate::model::Tier;

    fn media(n: u8) -> MediaRef {
        MediaRef {
            sha256: format!("{n:02x}").repeat(32),
            bytes: 1,
            duration_ms: 1,
        }
    }

    fn cue(key: &str, start: &str, m: u8) -> PlanCue {
        let start = start.parse().unwrap();
        PlanCue {
            key: key.into(),
            start,
            slot: "s".into(),
            slot_start: start,
            item_id: None,
            title: key.into(),
            tier: Tier::Normal,
            zones: vec![],
            media: media(m),
            gain_db: 0.0,
            volume_db: 0.0,
        }
    }

    #[test]
    fn the_chime_comes_first_then_recordings_by_when_they_air() {
        let now = "2026-12-01T05:00:00Z".parse().unwrap();
        let plan = Plan {
            version: 1,
            generated_at: now,
            from: now,
            to: now,
            chime: Some(media(9)),
            cues: vec![
                cue("late", "2026-12-05T10:00:00Z", 1),
                cue("soon", "2026-12-01T06:00:00Z", 2),
                cue("past", "2026-11-30T06:00:00Z", 3),
                cue("soon-again", "2026-12-01T06:05:00Z", 1),
            ],
        };
        let order: Vec<String> = needed_from(&plan, now)
            .into_iter()
            .map(|m| m.sha256[..2].to_string())
            .collect();
        assert_eq!(order, ["09", "02", "01"]);
        let failures = vec![(media(2).sha256, "full".to_string())];
        let missing = missing_soon(&plan, now, &failures, |m| m.sha256 == media(1).sha256);
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert_eq!(
            (missing[0].cue.as_str(), missing[0].reason.as_str()),
            ("soon", "full")
        );
    }
}
