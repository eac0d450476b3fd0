//! The topic layout, in one place: what the head-end publishes, what each node publishes, and
//! who may read and write each topic. The ACL (`setup::acl`) and the link's subscriptions are
//! both made from [`Topics`], so they cannot disagree.
//!
//! ```text
//! loaxa/<commune>/broadcast            head-end → every node   commands (emergency start/stop)
//! loaxa/<commune>/live                 head-end → every node   the microphone: Opus, QoS 0
//! loaxa/<commune>/head-end/status      head-end → every node   retained, last will "offline"
//! loaxa/<commune>/node/<id>/plan       head-end → node         retained, versioned, 7 days
//! loaxa/<commune>/node/<id>/cmd        head-end → node         commands for this node
//! loaxa/<commune>/node/<id>/status     node → head-end         retained, last will "offline"
//! loaxa/<commune>/node/<id>/asrun      node → head-end         as-run rows, at least once
//! loaxa/<commune>/node/<id>/ack        node → head-end         acknowledgements
//! loaxa/<commune>/report/<name>        head-end → province     monthly reports
//! ```
//! Only status, as-run and reports go up a bridge to the province; commands never do.

use super::ids::{CommuneId, NodeId};

/// The first level of every topic.
pub const ROOT: &str = "loaxa";

/// A topic under `node/<id>/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeTopic {
    /// The node's plan (head-end → node, retained).
    Plan,
    /// Commands for this node only (head-end → node).
    Command,
    /// The node's status (node → head-end, retained, last will).
    Status,
    /// What the node aired (node → head-end).
    AsRun,
    /// The node's answers to commands (node → head-end).
    Ack,
}

impl NodeTopic {
    /// Every node topic.
    pub const ALL: [NodeTopic; 5] = [
        NodeTopic::Plan,
        NodeTopic::Command,
        NodeTopic::Status,
        NodeTopic::AsRun,
        NodeTopic::Ack,
    ];

    /// The last topic level.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeTopic::Plan => "plan",
            NodeTopic::Command => "cmd",
            NodeTopic::Status => "status",
            NodeTopic::AsRun => "asrun",
            NodeTopic::Ack => "ack",
        }
    }

    /// Whether the node writes it (else the head-end does and the node reads it).
    pub fn written_by_node(self) -> bool {
        matches!(self, NodeTopic::Status | NodeTopic::AsRun | NodeTopic::Ack)
    }

    /// Whether a bridge forwards it to the province.
    pub fn goes_to_province(self) -> bool {
        matches!(self, NodeTopic::Status | NodeTopic::AsRun)
    }
}

/// Where a received message came from, read off its topic. A node's id comes from the topic
/// (which the ACL guards), never from the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The commune's broadcast commands.
    Broadcast,
    /// The head-end's live microphone.
    Live,
    /// The head-end's status.
    HeadEndStatus,
    /// One node's topic.
    Node(NodeId, NodeTopic),
    /// A report for the province.
    Report(String),
}

/// The topics of one commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    commune: CommuneId,
}

impl Topics {
    /// The topics under `loaxa/<commune>/`.
    pub fn new(commune: CommuneId) -> Topics {
        Topics { commune }
    }

    /// The commune these topics belong to.
    pub fn commune(&self) -> &CommuneId {
        &self.commune
    }

    fn prefix(&self) -> String {
        format!("{ROOT}/{}", self.commune)
    }

    /// Commands for every node of the commune.
    pub fn broadcast(&self) -> String {
        format!("{}/broadcast", self.prefix())
    }

    /// The head-end's live microphone, 20 ms packets for every node.
    pub fn live(&self) -> String {
        format!("{}/live", self.prefix())
    }

    /// The head-end's retained status.
    pub fn head_end_status(&self) -> String {
        format!("{}/head-end/status", self.prefix())
    }

    /// One node's topic.
    pub fn node(&self, id: &NodeId, topic: NodeTopic) -> String {
        format!("{}/node/{id}/{}", self.prefix(), topic.as_str())
    }

    /// A filter matching that topic of every node (`…/node/+/status`).
    pub fn every_node(&self, topic: NodeTopic) -> String {
        format!("{}/node/+/{}", self.prefix(), topic.as_str())
    }

    /// One report for the province.
    pub fn report(&self, name: &str) -> String {
        format!("{}/report/{name}", self.prefix())
    }

    /// A filter matching every report.
    pub fn every_report(&self) -> String {
        format!("{}/report/#", self.prefix())
    }

    /// A filter matching everything of the commune (the head-end's reach).
    pub fn everything(&self) -> String {
        format!("{}/#", self.prefix())
    }

    /// What a bridge forwards to the province: status, as-run and reports, never commands.
    pub fn to_province(&self) -> Vec<String> {
        let mut out: Vec<String> = NodeTopic::ALL
            .into_iter()
            .filter(|t| t.goes_to_province())
            .map(|t| self.every_node(t))
            .collect();
        out.push(self.head_end_status());
        out.push(self.every_report());
        out
    }

    /// What a node may read: the broadcast, the live microphone, the head-end's status, its
    /// own plan and commands.
    pub fn node_reads(&self, id: &NodeId) -> Vec<String> {
        let own = NodeTopic::ALL
            .into_iter()
            .filter(|t| !t.written_by_node())
            .map(|t| self.node(id, t));
        [self.broadcast(), self.live(), self.head_end_status()]
            .into_iter()
            .chain(own)
            .collect()
    }

    /// What a node may write: its own status, as-run and acknowledgements.
    pub fn node_writes(&self, id: &NodeId) -> Vec<String> {
        NodeTopic::ALL
            .into_iter()
            .filter(|t| t.written_by_node())
            .map(|t| self.node(id, t))
            .collect()
    }

    /// What the head-end listens to: every node's status, as-run and acknowledgements.
    pub fn head_end_reads(&self) -> Vec<String> {
        NodeTopic::ALL
            .into_iter()
            .filter(|t| t.written_by_node())
            .map(|t| self.every_node(t))
            .collect()
    }

    /// Where a message on `topic` came from; `None` for a topic outside the layout.
    pub fn route(&self, topic: &str) -> Option<Route> {
        let rest = topic.strip_prefix(&self.prefix())?.strip_prefix('/')?;
        let levels: Vec<&str> = rest.split('/').collect();
        match levels.as_slice() {
            ["broadcast"] => Some(Route::Broadcast),
            ["live"] => Some(Route::Live),
            ["head-end", "status"] => Some(Route::HeadEndStatus),
            ["report", name] => Some(Route::Report(name.to_string())),
            ["node", id, last] => {
                let id = id.parse().ok()?;
                let topic = NodeTopic::ALL.into_iter().find(|t| t.as_str() == *last)?;
                Some(Route::Node(id, topic))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics() -> Topics {
        Topics::new("xa-an-binh".parse().unwrap())
    }

    #[test]
    fn every_topic_routes_back_to_where_it_came_from() {
        let t = topics();
        let id: NodeId = "thon-2".parse().unwrap();
        for kind in NodeTopic::ALL {
            let topic = t.node(&id, kind);
            assert_eq!(
                t.route(&topic),
                Some(Route::Node(id.clone(), kind)),
                "{topic}"
            );
        }
        assert_eq!(
            t.node(&id, NodeTopic::Status),
            "loaxa/xa-an-binh/node/thon-2/status"
        );
        assert_eq!(t.route(&t.broadcast()), Some(Route::Broadcast));
        assert_eq!(t.route(&t.live()), Some(Route::Live));
        assert_eq!(t.route(&t.head_end_status()), Some(Route::HeadEndStatus));
        assert_eq!(
            t.route(&t.report("plays-2026-11")),
            Some(Route::Report("plays-2026-11".into()))
        );
        for stray in [
            "loaxa/xa-khac/broadcast",
            "loaxa/xa-an-binh/node/thon-2/other",
            "loaxa/xa-an-binh/node/Thôn/status",
            "loaxa/xa-an-binhx/broadcast",
        ] {
            assert_eq!(t.route(stray), None, "{stray}");
        }
    }

    #[test]
    fn a_node_reads_only_its_own_and_the_communes_and_writes_only_its_own() {
        let t = topics();
        let id: NodeId = "thon-2".parse().unwrap();
        let reads = t.node_reads(&id);
        assert!(reads.contains(&t.broadcast()));
        assert!(reads.contains(&t.live()));
        assert!(!t.node_writes(&id).contains(&t.live()));
        assert!(reads.iter().all(|r| !r.contains('+') && !r.contains('#')));
        assert!(!reads.contains(&t.node(&id, NodeTopic::Status)));
        let writes = t.node_writes(&id);
        assert_eq!(writes.len(), 3);
        assert!(writes.iter().all(|w| w.contains("/node/thon-2/")));
        assert!(!writes.contains(&t.node(&id, NodeTopic::Command)));
        assert!(
            !t.to_province()
                .iter()
                .any(|f| f.contains("cmd") || f.contains("broadcast") || f.ends_with("/live"))
        );
    }
}
