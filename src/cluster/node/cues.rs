//! What a node airs: the plan its head-end sent, kept in the node's own database, turned into
//! the runner's cues with their recordings in the node's cache. The runner then airs them as
//! a station airs its own programme (on time, once, missed beyond the grace window), on the
//! node's own clock, whether or not the head-end or the link is up. No SQL here (the store's
//! `cluster` tables), and it never times a cue itself: the runner does.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::cache::relative_path;
use crate::cluster::protocol::{self, Plan as NodePlan};
use crate::schedule::plan::{Content, Cue, Plan};
use crate::schedule::runner::CueSource;
use crate::store::{Store, StoreError, cluster as table};

/// The runner's cues from the kept plan. Decodes the plan once per version.
#[derive(Default)]
pub struct NodeCues {
    decoded: Mutex<Option<NodePlan>>,
}

impl NodeCues {
    /// The kept plan, decoded (`None`: no plan yet, or a kept one this version cannot read).
    pub fn kept(&self, store: &Store) -> Result<Option<NodePlan>, StoreError> {
        self.with_kept(store, |p| p.clone())
    }

    /// The head-end's item a cue of the kept plan plays.
    pub fn item_of(&self, store: &Store, key: &str) -> Option<i64> {
        self.with_kept(store, |p| {
            p.cues.iter().find(|c| c.key == key).and_then(|c| c.item_id)
        })
        .ok()
        .flatten()
        .flatten()
    }

    /// Look at the kept plan without copying it, decoding it first if its version changed.
    fn with_kept<T>(
        &self,
        store: &Store,
        f: impl FnOnce(&NodePlan) -> T,
    ) -> Result<Option<T>, StoreError> {
        let version = store.with(|c| Ok(table::kept_plan_version(c)?))?;
        let Some(version) = version else {
            return Ok(None);
        };
        let mut decoded = self.decoded.lock().unwrap_or_else(|e| e.into_inner());
        if decoded.as_ref().is_none_or(|p| p.version != version) {
            let body = store.with(|c| Ok(table::kept_plan(c)?))?;
            *decoded = body.and_then(|(_, body)| {
                protocol::decode::<NodePlan>(body.as_bytes())
                    .map_err(|e| tracing::error!("kế hoạch đã lưu / the kept plan: {e}"))
                    .ok()
            });
        }
        Ok(decoded.as_ref().map(f))
    }
}

impl CueSource for NodeCues {
    fn plan(
        &self,
        store: &Store,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Plan, StoreError> {
        let p = self
            .kept(store)?
            .map(|p| cues_of(&p, from, to))
            .unwrap_or_default();
        Ok(p)
    }
}

/// The cues of a node's plan that start in `[from, to)`, playing from the node's cache.
pub fn cues_of(plan: &NodePlan, from: DateTime<Utc>, to: DateTime<Utc>) -> Plan {
    let cues = plan
        .cues
        .iter()
        .filter(|c| c.start >= from && c.start < to)
        .map(|c| Cue {
            key: c.key.clone(),
            start: c.start,
            slot: c.slot.clone(),
            slot_title: c.slot.clone(),
            slot_start: c.slot_start,
            playlist: String::new(),
            title: c.title.clone(),
            content: Content::Relayed {
                item_id: c.item_id,
                sha256: c.media.sha256.clone(),
                file: relative_path(&c.media.sha256),
                gain_db: f64::from(c.gain_db),
                tier: c.tier,
            },
            length_ms: c.media.duration_ms,
            zones: c.zones.clone(),
            volume_db: c.volume_db,
            holiday: None,
        })
        .collect();
    Plan {
        cues,
        ..Plan::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::protocol::{MediaRef, PlanCue};
    use crate::model::Tier;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn cue(key: &str, start: &str) -> PlanCue {
        PlanCue {
            key: key.into(),
            start: t(start),
            slot: "sang".into(),
            slot_start: t("2026-12-01T23:00:00Z"),
            item_id: Some(3),
            title: "Bản tin".into(),
            tier: Tier::Normal,
            zones: vec!["Thôn 2".into()],
            media: MediaRef {
                sha256: "ab".repeat(32),
                bytes: 10,
                duration_ms: 60_000,
            },
            gain_db: -3.0,
            volume_db: -6.0,
        }
    }

    #[test]
    fn a_kept_plan_gives_the_runner_its_cues_from_the_cache() {
        let plan = NodePlan {
            version: 3,
            generated_at: t("2026-12-01T00:00:00Z"),
            from: t("2026-12-01T00:00:00Z"),
            to: t("2026-12-08T00:00:00Z"),
            chime: None,
            cues: vec![
                cue("a", "2026-12-01T23:00:00Z"),
                cue("b", "2026-12-01T23:01:00Z"),
                cue("c", "2026-12-02T10:00:00Z"),
            ],
        };
        let store = Store::open_in_memory().unwrap();
        store
            .with(|c| {
                Ok(table::keep_plan(
                    c,
                    3,
                    &String::from_utf8(protocol::encode(&plan)).unwrap(),
                    Utc::now(),
                )?)
            })
            .unwrap();
        let source = NodeCues::default();
        let got = source
            .plan(&store, t("2026-12-01T22:00:00Z"), t("2026-12-02T00:00:00Z"))
            .unwrap();
        assert_eq!(got.cues.len(), 2);
        assert_eq!(got.cues[1].key, "b");
        assert_eq!(got.cues[1].slot_start, t("2026-12-01T23:00:00Z"));
        match &got.cues[0].content {
            Content::Relayed { file, gain_db, .. } => {
                assert_eq!(file, &format!("cache/objects/{}", "ab".repeat(32)));
                assert_eq!(*gain_db, -3.0);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            got.cues[0].volume_db, -6.0,
            "the quiet hours' gain airs on the node"
        );
        let empty = NodeCues::default()
            .plan(
                &Store::open_in_memory().unwrap(),
                t("2026-12-01T00:00:00Z"),
                t("2026-12-09T00:00:00Z"),
            )
            .unwrap();
        assert!(empty.cues.is_empty(), "no plan yet: nothing airs");
    }
}
