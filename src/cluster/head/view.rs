//! What the head-end knows of each node, from its statuses, answers and silences: online or
//! not, what it airs, its cache, its clock, its condition, what it lacks. Pure: the head-end's
//! task feeds it messages and times, the API and the pages read [`NodeInfo`]s.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::cluster::NodeId;
use crate::cluster::protocol::{CacheStats, MissingMedia, NodeReport, NodeStatus, NowPlaying};
use crate::cluster::setup::Registry;
use crate::model::Said;
use crate::model::said;

/// A node whose last status is older than this is taken for hung (it reports every 10 s; its
/// broker notices a dead link within 15 s and says so with its will).
pub const STALE: Duration = Duration::seconds(25);
/// A node clock further off than this (either way) is warned about.
pub const CLOCK_WARN_MS: i64 = 3_000;

/// One node, as `GET /api/v1/nodes` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NodeInfo {
    /// The node's id (`thon-2`).
    pub id: String,
    /// The zones it serves.
    pub zones: Vec<String>,
    /// Linked and reporting now.
    pub online: bool,
    /// When the head-end last heard from it.
    pub last_seen: Option<DateTime<Utc>>,
    /// Loa Xã's version on it.
    pub version: Option<String>,
    /// Whether its sound output works.
    pub output_ok: Option<bool>,
    /// What it airs now.
    #[schema(value_type = Option<Object>)]
    pub now_playing: Option<NowPlaying>,
    /// Its media cache: recordings held and their bytes.
    #[schema(value_type = Object)]
    pub cache: CacheStats,
    /// Its clock minus the head-end's, in ms, as last measured.
    pub clock_offset_ms: Option<i64>,
    /// Its SoC temperature, where known.
    pub temperature_c: Option<f32>,
    /// What a person should know about it now (offline, its output, its clock, a recording
    /// it lacks, a topic the broker refuses it), each with what to do; empty: nothing.
    pub warnings: Vec<Said>,
}

/// Everything known of one node, for the pages and the reports.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeState {
    /// What `/api/v1/nodes` says.
    pub info: NodeInfo,
    /// What people call it.
    pub name: String,
    /// Its last report, if it ever reported.
    pub report: Option<NodeReport>,
    /// Why it is offline, when it is.
    pub offline_reason: Option<Said>,
}

impl NodeState {
    /// What a person should know about this node (empty: nothing).
    pub fn warnings(&self) -> Vec<Said> {
        let mut out = Vec::new();
        let id = &self.info.id;
        if !self.info.online {
            let offline = said!("cụm loa {id} ngoại tuyến", "node {id} is offline");
            out.push(match &self.offline_reason {
                Some(why) => offline.with(": ", why),
                None => offline,
            });
        }
        if self.info.output_ok == Some(false) {
            out.push(said!(
                "cụm loa {id}: đầu ra âm thanh hỏng",
                "node {id}: its sound output is down"
            ));
        }
        if let Some(ms) = self
            .info
            .clock_offset_ms
            .filter(|ms| ms.abs() > CLOCK_WARN_MS)
        {
            let s = format!("{:+.1}", ms as f64 / 1000.0);
            out.push(said!(
                "đồng hồ cụm loa {id} lệch {s} s so với trung tâm (kiểm tra NTP)",
                "node {id}'s clock is {s} s off the head-end's (check its NTP)"
            ));
        }
        for topic in self.report.iter().flat_map(|r| &r.refused_topics) {
            let refused = crate::cluster::session::refused_subscription(id, topic);
            out.push(said!("cụm loa {id}", "node {id}").with(": ", &refused));
        }
        for m in self.missing() {
            let (title, at, why) = (&m.title, m.start.format("%d/%m %H:%M UTC"), &m.reason);
            out.push(said!(
                "cụm loa {id} chưa có bản ghi của \"{title}\" lúc {at}: {why}",
                "node {id} lacks the recording of \"{title}\" at {at}: {why}"
            ));
        }
        out
    }

    /// What `/api/v1/nodes` lists: its info with its warnings.
    pub fn listed(&self) -> NodeInfo {
        NodeInfo {
            warnings: self.warnings(),
            ..self.info.clone()
        }
    }

    /// Cues of the next day it lacks the recording of, as it last said.
    pub fn missing(&self) -> &[MissingMedia] {
        self.report.as_ref().map_or(&[], |r| r.missing.as_slice())
    }
}

/// A change worth recording: a node came online or went offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Which node.
    pub node: NodeId,
    /// Online now (`true`) or offline.
    pub online: bool,
    /// Why (offline only).
    pub reason: Option<String>,
}

/// Every node of the registry and what is known of it.
#[derive(Debug, Clone)]
pub struct NodesView {
    nodes: BTreeMap<NodeId, NodeState>,
}

impl NodesView {
    /// Every node of `registry`, none heard from yet.
    pub fn new(registry: &Registry) -> NodesView {
        let nodes = registry
            .nodes
            .iter()
            .map(|n| {
                let info = NodeInfo {
                    id: n.id.to_string(),
                    zones: n.zones.clone(),
                    online: false,
                    last_seen: None,
                    version: None,
                    output_ok: None,
                    now_playing: None,
                    cache: CacheStats::default(),
                    clock_offset_ms: None,
                    temperature_c: None,
                    warnings: Vec::new(),
                };
                let state = NodeState {
                    info,
                    name: n.name.clone(),
                    report: None,
                    offline_reason: Some(said!("chưa nghe thấy", "not heard from yet")),
                };
                (n.id.clone(), state)
            })
            .collect();
        NodesView { nodes }
    }

    /// Whether `id` is one of the commune's nodes.
    pub fn knows(&self, id: &NodeId) -> bool {
        self.nodes.contains_key(id)
    }

    /// Every node, by id.
    pub fn all(&self) -> Vec<NodeState> {
        self.nodes.values().cloned().collect()
    }

    /// One node.
    pub fn get(&self, id: &NodeId) -> Option<&NodeState> {
        self.nodes.get(id)
    }

    /// A node's status arrived at `now` (head-end time).
    pub fn status(
        &mut self,
        id: &NodeId,
        status: NodeStatus,
        now: DateTime<Utc>,
    ) -> Option<Transition> {
        let node = self.nodes.get_mut(id)?;
        let was = node.info.online;
        match status {
            NodeStatus::Online(report) => {
                let report = *report;
                node.info.online = true;
                node.info.last_seen = Some(now);
                node.info.version = Some(report.version.clone());
                node.info.output_ok = Some(report.output_ok);
                node.info.now_playing = report.now_playing.clone();
                node.info.cache = report.cache;
                node.info.temperature_c = report.temperature_c;
                node.offline_reason = None;
                node.report = Some(report);
            }
            NodeStatus::Offline => {
                node.info.online = false;
                node.info.now_playing = None;
                node.offline_reason = Some(said!(
                    "mất liên kết hoặc đã tắt",
                    "its link is lost or it stopped"
                ));
            }
        }
        (was != node.info.online).then(|| Transition {
            node: id.clone(),
            online: node.info.online,
            reason: node.offline_reason.as_ref().map(ToString::to_string),
        })
    }

    /// A node answered a clock probe: its offset in ms.
    pub fn clock_offset(&mut self, id: &NodeId, offset_ms: i64, now: DateTime<Utc>) {
        if let Some(node) = self.nodes.get_mut(id) {
            node.info.clock_offset_ms = Some(offset_ms);
            if node.info.online {
                node.info.last_seen = Some(now);
            }
        }
    }

    /// Nodes silent for longer than [`STALE`] at `now` are offline (a hung node).
    pub fn expire(&mut self, now: DateTime<Utc>) -> Vec<Transition> {
        let mut out = Vec::new();
        for (id, node) in &mut self.nodes {
            let silent = node.info.last_seen.is_none_or(|t| now - t > STALE);
            if node.info.online && silent {
                node.info.online = false;
                node.info.now_playing = None;
                let s = STALE.num_seconds();
                node.offline_reason =
                    Some(said!("không báo tin quá {s} giây", "silent for over {s} s"));
                out.push(Transition {
                    node: id.clone(),
                    online: false,
                    reason: node.offline_reason.as_ref().map(ToString::to_string),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Registry {
        let mut r = Registry::new(
            "xa".parse().unwrap(),
            "h".into(),
            1883,
            "http://h:8080".into(),
        );
        r.nodes.push(crate::cluster::setup::NodeEntry {
            id: "thon-2".parse().unwrap(),
            name: "Thôn 2".into(),
            zones: vec!["Thôn 2".into()],
            token_sha256: String::new(),
        });
        r
    }

    fn report(at: DateTime<Utc>) -> NodeReport {
        NodeReport {
            at,
            version: "1.0".into(),
            started_at: at,
            output_ok: false,
            now_playing: None,
            cache: CacheStats {
                items: 3,
                bytes: 9_000,
            },
            plan_version: Some(7),
            clock_offset_ms: None,
            temperature_c: Some(51.5),
            under_voltage: Some(false),
            restarts: 2,
            errors: 0,
            missing: vec![],
            queued_asrun: 0,
            refused_topics: vec![],
        }
    }

    #[test]
    fn a_node_is_online_while_it_reports_and_offline_after_its_will_or_a_silence() {
        let mut v = NodesView::new(&registry());
        let id: NodeId = "thon-2".parse().unwrap();
        let t0: DateTime<Utc> = "2026-12-01T05:00:00Z".parse().unwrap();
        assert!(!v.get(&id).unwrap().info.online);
        let up = v.status(&id, NodeStatus::Online(Box::new(report(t0))), t0);
        assert_eq!(up.map(|t| t.online), Some(true));
        let info = &v.get(&id).unwrap().info;
        assert_eq!((info.cache.items, info.temperature_c), (3, Some(51.5)));
        assert!(
            v.status(&id, NodeStatus::Online(Box::new(report(t0))), t0)
                .is_none()
        );
        assert!(v.expire(t0 + Duration::seconds(20)).is_empty());
        let hung = v.expire(t0 + Duration::seconds(26));
        assert_eq!(hung.len(), 1);
        assert!(!hung[0].online);
        v.status(&id, NodeStatus::Online(Box::new(report(t0))), t0);
        let gone = v.status(&id, NodeStatus::Offline, t0);
        assert_eq!(gone.map(|t| t.online), Some(false));
        let unknown: NodeId = "thon-9".parse().unwrap();
        assert!(v.status(&unknown, NodeStatus::Offline, t0).is_none());
        v.clock_offset(&id, -4_200, t0);
        let warnings = v.get(&id).unwrap().warnings();
        assert!(
            warnings.iter().any(|w| w.vi().contains("lệch -4.2 s")),
            "{warnings:?}"
        );
        assert!(warnings.iter().any(|w| w.en().contains("offline")));
        assert!(warnings.iter().any(|w| w.en().contains("output")));
        assert!(
            warnings.iter().all(|w| !w.vi().contains("node ")),
            "{warnings:?}"
        );
    }
}
