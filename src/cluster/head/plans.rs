//! Each node's plan, made from the commune's: the cues whose zones the node serves (a cue for
//! no zone in particular goes everywhere), each naming its recording by hash, with the gain by
//! time of day the head-end's quiet-hours gate gave it. A node's plan carries recordings only:
//! relayed streams (tiếp sóng, `Content::Stream`) are aired by the head-end alone, so the
//! zones a node serves do not hear them. Pure: the head-end's task gives it the plan and the
//! recordings, and publishes what changed.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;

use crate::cluster::NodeId;
use crate::cluster::protocol::{self, MediaRef, Plan, PlanCue};
use crate::cluster::setup::Registry;
use crate::model::Said;
use crate::model::Tier;
use crate::model::said;
use crate::schedule::plan::{Content, Plan as CommunePlan};

/// A plan message larger than this is cut (its last days go) so the broker takes it.
pub const MAX_PLAN_BYTES: usize = 900_000;

/// The span every plan covers: from the commune's midnight today, a day longer than a week,
/// so that it changes once a day (not with every cue that passes) and always reaches
/// [`protocol::PLAN_DAYS`] ahead.
pub fn span(now: DateTime<Utc>, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let today = now.with_timezone(&tz).date_naive();
    let midnight = today
        .and_hms_opt(0, 0, 0)
        .and_then(|t| tz.from_local_datetime(&t).earliest())
        .map_or(now, |t| t.with_timezone(&Utc));
    (midnight, midnight + Duration::days(protocol::PLAN_DAYS + 1))
}

/// The cues of each node of `registry`, from the commune's plan; `media` gives each recording
/// (by the library's id) its hash. A cue whose recording is unknown is left out with a
/// warning (it cannot be fetched).
pub fn node_cues(
    commune: &CommunePlan,
    media: &HashMap<i64, MediaRef>,
    registry: &Registry,
) -> (BTreeMap<NodeId, Vec<PlanCue>>, Vec<Said>) {
    let mut out: BTreeMap<NodeId, Vec<PlanCue>> = registry
        .nodes
        .iter()
        .map(|n| (n.id.clone(), Vec::new()))
        .collect();
    let mut warnings = Vec::new();
    for cue in &commune.cues {
        let (item_id, media_id, gain_db, tier) = match &cue.content {
            Content::Item {
                item_id,
                media_id,
                gain_db,
                tier,
                ..
            } => (Some(*item_id), *media_id, *gain_db, *tier),
            Content::Jingle {
                media_id, gain_db, ..
            } => (None, *media_id, *gain_db, Tier::Normal),
            // A node's own plan's cues never come back up; a relayed stream is the
            // head-end's alone (nodes air recordings only).
            Content::Relayed { .. } | Content::Stream { .. } => continue,
        };
        let Some(m) = media.get(&media_id) else {
            let title = &cue.title;
            warnings.push(said!(
                "bản ghi {media_id} của \"{title}\" không có trong thư viện",
                "recording {media_id} of \"{title}\" is not in the library"
            ));
            continue;
        };
        for node in &registry.nodes {
            let zones: Vec<String> = cue
                .zones
                .iter()
                .filter(|z| node.zones.contains(z))
                .cloned()
                .collect();
            if !cue.zones.is_empty() && zones.is_empty() {
                continue;
            }
            if let Some(list) = out.get_mut(&node.id) {
                list.push(PlanCue {
                    key: cue.key.clone(),
                    start: cue.start,
                    slot: cue.slot.clone(),
                    slot_start: cue.slot_start,
                    item_id,
                    title: cue.title.clone(),
                    tier,
                    zones,
                    media: m.clone(),
                    gain_db: gain_db as f32,
                    volume_db: cue.volume_db,
                });
            }
        }
    }
    (out, warnings)
}

/// A node's plan message, its last days cut if it would be larger than the broker takes.
/// Returns the payload and whether it was cut.
pub fn encode_fitting(mut plan: Plan) -> (Vec<u8>, bool) {
    let mut bytes = protocol::encode(&plan);
    let mut cut = false;
    while bytes.len() > MAX_PLAN_BYTES && !plan.cues.is_empty() {
        let keep = plan.cues.len() * 9 / 10;
        plan.cues.truncate(keep);
        plan.to = plan.cues.last().map_or(plan.from, |c| c.start);
        bytes = protocol::encode(&plan);
        cut = true;
    }
    (bytes, cut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::setup::NodeEntry;
    use crate::model::Category;
    use crate::schedule::plan::Cue;

    fn node(id: &str, zones: &[&str]) -> NodeEntry {
        NodeEntry {
            id: id.parse().unwrap(),
            name: id.into(),
            zones: zones.iter().map(|z| z.to_string()).collect(),
            token_sha256: String::new(),
        }
    }

    fn cue(key: &str, zones: &[&str], content: Content) -> Cue {
        let t: DateTime<Utc> = "2026-12-01T23:00:00Z".parse().unwrap();
        Cue {
            key: key.into(),
            start: t,
            slot: "sang".into(),
            slot_title: "Sáng".into(),
            slot_start: t,
            playlist: "p".into(),
            title: key.into(),
            content,
            length_ms: 1000,
            zones: zones.iter().map(|z| z.to_string()).collect(),
            volume_db: 0.0,
            holiday: None,
        }
    }

    fn item(media_id: i64) -> Content {
        Content::Item {
            item_id: 40 + media_id,
            media_id,
            file: String::new(),
            gain_db: -2.0,
            tier: Tier::Priority,
            category: Category::Bulletin,
        }
    }

    #[test]
    fn thon_2s_items_go_to_thon_2s_nodes_and_the_rest_everywhere() {
        let mut registry = Registry::new("xa".parse().unwrap(), "h".into(), 1, "u".into());
        registry.nodes = vec![
            node("thon-1", &["Thôn 1"]),
            node("thon-2", &["Thôn 2", "Thôn 3"]),
        ];
        let plan = CommunePlan {
            cues: vec![
                cue("all", &[], item(1)),
                cue("t2", &["Thôn 2"], item(2)),
                cue(
                    "jingle",
                    &["Thôn 3", "Thôn 9"],
                    Content::Jingle {
                        media_id: 3,
                        file: String::new(),
                        gain_db: 0.0,
                    },
                ),
                cue("lost", &[], item(4)),
                cue(
                    "relay",
                    &[],
                    Content::Stream {
                        url: "http://127.0.0.1:8000/vov1".parse().unwrap(),
                        until: "2026-12-01T23:30:00Z".parse().unwrap(),
                        fallback_name: "Nhạc hiệu".into(),
                        fallback: vec![],
                        silence_seconds: 10,
                    },
                ),
                Cue {
                    volume_db: -9.0,
                    ..cue("soft", &["Thôn 1"], item(1))
                },
            ],
            ..CommunePlan::default()
        };
        let media: HashMap<i64, MediaRef> = (1..=3)
            .map(|i| {
                (
                    i,
                    MediaRef {
                        sha256: format!("{i}").repeat(64),
                        bytes: 10,
                        duration_ms: 1000,
                    },
                )
            })
            .collect();
        let (cues, warnings) = node_cues(&plan, &media, &registry);
        let keys = |id: &str| -> Vec<String> {
            cues[&id.parse::<NodeId>().unwrap()]
                .iter()
                .map(|c| c.key.clone())
                .collect()
        };
        assert_eq!(
            keys("thon-1"),
            ["all", "soft"],
            "no relayed stream on a node"
        );
        assert_eq!(keys("thon-2"), ["all", "t2", "jingle"]);
        let t2 = &cues[&"thon-2".parse::<NodeId>().unwrap()];
        assert_eq!(t2[1].zones, ["Thôn 2"]);
        assert_eq!(t2[2].zones, ["Thôn 3"], "only the node's own zones");
        assert!(t2[0].zones.is_empty());
        assert_eq!((t2[1].item_id, t2[1].tier), (Some(42), Tier::Priority));
        assert_eq!(t2[2].item_id, None);
        let t1 = &cues[&"thon-1".parse::<NodeId>().unwrap()];
        assert_eq!(
            (t1[0].volume_db, t1[1].volume_db),
            (0.0, -9.0),
            "the gate's gain goes along"
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
    }

    #[test]
    fn the_span_starts_at_local_midnight_and_reaches_a_week_ahead() {
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let now: DateTime<Utc> = "2026-12-01T20:30:00Z".parse().unwrap();
        let (from, to) = span(now, tz);
        assert_eq!(
            from,
            "2026-12-01T17:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert!(to - now >= Duration::days(protocol::PLAN_DAYS));
        assert_eq!(
            span(now + Duration::hours(2), tz),
            (from, to),
            "same day, same span"
        );
    }

    #[test]
    fn a_plan_too_big_for_the_broker_loses_its_last_days() {
        let t: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let cue = |i: i64| PlanCue {
            key: format!("{i:06}-{}", "k".repeat(200)),
            start: t + Duration::minutes(i),
            slot: "s".into(),
            slot_start: t,
            item_id: None,
            title: "t".repeat(200),
            tier: Tier::Normal,
            zones: vec![],
            media: MediaRef {
                sha256: "a".repeat(64),
                bytes: 1,
                duration_ms: 1,
            },
            gain_db: 0.0,
            volume_db: 0.0,
        };
        let plan = Plan {
            version: 1,
            generated_at: t,
            from: t,
            to: t + Duration::days(8),
            chime: None,
            cues: (0..3000).map(cue).collect(),
        };
        let (bytes, cut) = encode_fitting(plan);
        assert!(cut && bytes.len() <= MAX_PLAN_BYTES);
        let back: Plan = protocol::decode(&bytes).unwrap();
        assert!(back.cues.len() > 1000);
        assert_eq!(back.cues[0].key, cue(0).key, "the soonest cues stay");
    }
}
