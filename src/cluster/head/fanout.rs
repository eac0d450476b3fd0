//! An emergency handed to every node, and what became of it on each: when its first sample
//! reached that node's output, or why it did not. Pure: the head-end's task feeds it the
//! nodes' statuses and answers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cluster::NodeId;
use crate::cluster::protocol::{AckResult, Command, MessageId, NodeReport};

/// One node's part in an emergency.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NodeOnAir {
    /// The node's id.
    pub node: String,
    /// When the emergency's first sample reached the node's output (its clock).
    pub first_sample_at: Option<DateTime<Utc>>,
    /// From the request at the head-end to that first sample, in ms (clock offset allowed
    /// for, where measured).
    pub latency_ms: Option<i64>,
    /// Why it did not air there (yet): offline, refused, expired, no answer.
    pub why_not: Option<String>,
}

/// The emergency sent to the nodes.
#[derive(Debug, Clone)]
pub struct FanOut {
    /// The command the nodes got (sent again to refresh its expiry, and once with a typed
    /// text's recording when it has been read aloud; always the same id).
    pub command: Command,
    /// The head-end's own emergency number.
    pub local_id: u64,
    /// When it was asked for at the head-end.
    pub requested_at: DateTime<Utc>,
    /// Each node's part.
    pub nodes: BTreeMap<NodeId, NodeOnAir>,
}

impl FanOut {
    /// An emergency just sent; `online` says which nodes were linked then.
    pub fn new(
        command: Command,
        local_id: u64,
        requested_at: DateTime<Utc>,
        online: impl IntoIterator<Item = (NodeId, bool)>,
    ) -> FanOut {
        let nodes = online
            .into_iter()
            .map(|(id, up)| {
                let why = if up {
                    "chưa trả lời / no answer yet"
                } else {
                    "ngoại tuyến: sẽ phát khi nối lại nếu còn hạn / offline: airs on reconnecting if still due"
                };
                let part = NodeOnAir {
                    node: id.to_string(),
                    first_sample_at: None,
                    latency_ms: None,
                    why_not: Some(why.into()),
                };
                (id, part)
            })
            .collect();
        FanOut {
            command,
            local_id,
            requested_at,
            nodes,
        }
    }

    /// A node's report: if it airs this emergency, note its first sample.
    pub fn status(&mut self, id: &NodeId, report: &NodeReport, offset_ms: Option<i64>) {
        let Some(part) = self.nodes.get_mut(id) else {
            return;
        };
        let Some(np) = &report.now_playing else {
            return;
        };
        if np.emergency.as_ref() != Some(&self.command.id) || part.first_sample_at.is_some() {
            return;
        }
        part.first_sample_at = Some(np.since);
        let head_time = np.since - chrono::Duration::milliseconds(offset_ms.unwrap_or(0));
        part.latency_ms = Some((head_time - self.requested_at).num_milliseconds());
        part.why_not = None;
    }

    /// A node's answer to the command.
    pub fn answer(&mut self, id: &NodeId, command: &MessageId, result: &AckResult) {
        if command != &self.command.id {
            return;
        }
        let Some(part) = self.nodes.get_mut(id) else {
            return;
        };
        if part.first_sample_at.is_some() {
            return;
        }
        part.why_not = Some(match result {
            AckResult::Done => {
                "đã nhận, chờ mẫu đầu tiên / taken, waiting for its first sample".into()
            }
            AckResult::Expired => {
                "đến sau khi hết hạn, không phát / arrived after its expiry, not aired".into()
            }
            AckResult::Refused { reason } => reason.clone(),
        });
    }

    /// Each node's part, by id.
    pub fn parts(&self) -> Vec<NodeOnAir> {
        self.nodes.values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::protocol::{Action, CacheStats, NowPlaying};

    #[test]
    fn each_node_shows_its_first_sample_or_why_not() {
        let t0: DateTime<Utc> = "2026-12-01T05:00:00Z".parse().unwrap();
        let cmd = Command::new(Action::ClockProbe, t0, None);
        let (a, b, c): (NodeId, NodeId, NodeId) = (
            "thon-1".parse().unwrap(),
            "thon-2".parse().unwrap(),
            "thon-3".parse().unwrap(),
        );
        let mut f = FanOut::new(
            cmd.clone(),
            1,
            t0,
            [(a.clone(), true), (b.clone(), true), (c.clone(), false)],
        );
        let report = |emergency: Option<MessageId>, since| NodeReport {
            at: since,
            version: String::new(),
            started_at: t0,
            output_ok: true,
            now_playing: Some(NowPlaying {
                title: "Chuông".into(),
                cue: None,
                emergency,
                since,
            }),
            cache: CacheStats::default(),
            plan_version: None,
            clock_offset_ms: None,
            temperature_c: None,
            under_voltage: None,
            restarts: 1,
            errors: 0,
            missing: vec![],
            queued_asrun: 0,
            refused_topics: vec![],
        };
        // thon-1's clock is 1 s ahead: its first sample at its 05:00:01.120 is 120 ms in.
        f.status(
            &a,
            &report(
                Some(cmd.id.clone()),
                t0 + chrono::Duration::milliseconds(1120),
            ),
            Some(1000),
        );
        f.status(&b, &report(None, t0), None);
        f.answer(
            &b,
            &cmd.id,
            &AckResult::Refused {
                reason: "không phải thôn này".into(),
            },
        );
        let parts = f.parts();
        assert_eq!(parts[0].latency_ms, Some(120));
        assert!(parts[0].why_not.is_none());
        assert_eq!(parts[1].why_not.as_deref(), Some("không phải thôn này"));
        assert!(parts[2].why_not.as_deref().unwrap().contains("offline"));
    }
}
