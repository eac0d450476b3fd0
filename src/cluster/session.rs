//! The two ends of a commune's cluster, made from `[cluster]`: what a node and the head-end
//! subscribe to, their last wills and sessions, and how each kind of message is sent
//! (retained or not, QoS, expiry). One place decides these, so the node and the head-end
//! (and the ACL, through `topics`) agree. It does not connect or send anything itself: `link` does,
//! with these options.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::ids::{CommuneId, IdError, NodeId};
use super::link::{Delivery, LinkOptions, Outgoing, Session};
use super::protocol::{self, Ack, AsRunRow, Command, HeadEndStatus, NodeStatus};
use super::topics::{NodeTopic, Topics};
use crate::config::{ClusterConfig, ClusterRole};
use crate::model::Said;
use crate::model::said;

/// How long the broker keeps a session (and what is queued for it) while its owner is away:
/// as long as a plan reaches, so a node back within the week gets every command not expired.
pub const SESSION_KEPT: Duration = Duration::from_secs(protocol::PLAN_DAYS as u64 * 24 * 3600);

/// A `[cluster]` section that cannot make a link.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The role is not the one asked for.
    #[error("[cluster] role không phải \"{0}\" / is not \"{0}\"")]
    Role(&'static str),
    /// A bad id.
    #[error(transparent)]
    Name(#[from] IdError),
    /// The CA file could not be read.
    #[error("[cluster] tls_ca_file {0}: {1}")]
    Ca(String, std::io::Error),
}

/// A node's end: its id, its commune's topics and its link's options.
#[derive(Debug, Clone)]
pub struct NodeEnd {
    /// The node's id.
    pub id: NodeId,
    /// The commune's topics.
    pub topics: Topics,
    /// Ready for `Link::start`.
    pub link: LinkOptions,
}

/// The head-end's end.
#[derive(Debug, Clone)]
pub struct HeadEnd {
    /// The commune's topics.
    pub topics: Topics,
    /// Ready for `Link::start`.
    pub link: LinkOptions,
}

fn base_options(cfg: &ClusterConfig) -> Result<LinkOptions, SessionError> {
    let mut o = LinkOptions::new(&cfg.broker_host, cfg.broker_port, &cfg.user, &cfg.password);
    o.keep_alive = Duration::from_secs(u64::from(cfg.keepalive_seconds));
    o.session = Session::Persistent(SESSION_KEPT);
    if !cfg.tls_ca_file.as_os_str().is_empty() {
        let pem = std::fs::read(&cfg.tls_ca_file)
            .map_err(|e| SessionError::Ca(cfg.tls_ca_file.display().to_string(), e))?;
        o.tls_ca_pem = Some(pem);
    }
    Ok(o)
}

/// A node's end from its `[cluster]`: it reads the broadcast, the head-end's status and its
/// own plan and commands; its will marks it offline.
pub fn node_end(cfg: &ClusterConfig) -> Result<NodeEnd, SessionError> {
    if cfg.role != ClusterRole::Node {
        return Err(SessionError::Role("node"));
    }
    let id = NodeId::new_node(&cfg.node_id)?;
    let topics = Topics::new(cfg.commune.parse::<CommuneId>()?);
    let mut link = base_options(cfg)?;
    // The microphone at most once: a packet late is a packet too late, and the broker keeps
    // none for a node that is away.
    let live = topics.live();
    link.subscriptions = topics
        .node_reads(&id)
        .into_iter()
        .map(|t| {
            let delivery = if t == live {
                Delivery::AtMostOnce
            } else {
                Delivery::AtLeastOnce
            };
            (t, delivery)
        })
        .collect();
    link.last_will = Some(status(&topics, &id, &NodeStatus::Offline));
    Ok(NodeEnd { id, topics, link })
}

/// What to tell a person when the broker refused `user` the subscription `filter`: the ACL
/// line it lacks and the two ways to get it. An ACL written by an older `loaxa cluster`
/// lacks the lines of topics added since (the live microphone's).
pub fn refused_subscription(user: &str, filter: &str) -> Said {
    said!(
        "broker không cho {user} đọc {filter}: tệp acl của broker thiếu dòng \
         `topic read {filter}` dưới `user {user}` (ACL do `loaxa cluster` bản cũ viết); thêm \
         dòng đó rồi nạp lại mosquitto (`sudo systemctl reload mosquitto`), hoặc chạy lại \
         `loaxa cluster add-node` (cho một nút mới), lệnh này viết lại ACL với các dòng của \
         mọi nút",
        "the broker refuses {user} reading {filter}: the broker's acl file lacks the \
         line `topic read {filter}` under `user {user}` (an ACL written by an older \
         `loaxa cluster`); add that line and reload mosquitto (`sudo systemctl reload \
         mosquitto`), or re-run `loaxa cluster add-node` (for a new node), which rewrites the \
         ACL with every node's lines"
    )
}

/// The head-end's end from its `[cluster]`: it reads every node's status, as-run and answers;
/// its will marks it offline for the nodes.
pub fn head_end(cfg: &ClusterConfig) -> Result<HeadEnd, SessionError> {
    if cfg.role != ClusterRole::HeadEnd {
        return Err(SessionError::Role("head-end"));
    }
    let topics = Topics::new(cfg.commune.parse::<CommuneId>()?);
    let mut link = base_options(cfg)?;
    link.subscriptions = topics
        .head_end_reads()
        .into_iter()
        .map(|t| (t, Delivery::AtLeastOnce))
        .collect();
    link.last_will = Some(head_end_status(&topics, false));
    Ok(HeadEnd { topics, link })
}

/// A node's status: retained, so the head-end knows it on (re)connecting.
pub fn status(topics: &Topics, id: &NodeId, status: &NodeStatus) -> Outgoing {
    Outgoing {
        topic: topics.node(id, NodeTopic::Status),
        payload: protocol::encode(status),
        delivery: Delivery::AtLeastOnce,
        retain: true,
        expiry_seconds: None,
    }
}

/// The head-end's up/down status for the nodes (retained; its will says down).
pub fn head_end_status(topics: &Topics, online: bool) -> Outgoing {
    Outgoing {
        topic: topics.head_end_status(),
        payload: protocol::encode(&HeadEndStatus { online, live: true }),
        delivery: Delivery::AtLeastOnce,
        retain: true,
        expiry_seconds: None,
    }
}

/// A node's plan (an encoded [`Plan`](super::protocol::Plan)): retained, so a node gets the latest on
/// every connect.
pub fn plan(topics: &Topics, id: &NodeId, payload: Vec<u8>) -> Outgoing {
    Outgoing {
        topic: topics.node(id, NodeTopic::Plan),
        payload,
        delivery: Delivery::AtLeastOnce,
        retain: true,
        expiry_seconds: None,
    }
}

/// Who a command is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every node of the commune.
    Everyone,
    /// One node.
    Node(NodeId),
}

/// A command: QoS 1, never retained, expiring at the broker when the command does.
pub fn command(topics: &Topics, target: &Target, cmd: &Command, now: DateTime<Utc>) -> Outgoing {
    Outgoing {
        topic: match target {
            Target::Everyone => topics.broadcast(),
            Target::Node(id) => topics.node(id, NodeTopic::Command),
        },
        payload: protocol::encode(cmd),
        delivery: Delivery::AtLeastOnce,
        retain: false,
        expiry_seconds: cmd.expiry_seconds(now),
    }
}

/// 20 ms of the live microphone (an encoded [`LiveFrame`](super::protocol::LiveFrame)): QoS 0,
/// never kept: a node that misses it airs silence for it.
pub fn live(topics: &Topics, payload: Vec<u8>) -> Outgoing {
    Outgoing {
        topic: topics.live(),
        payload,
        delivery: Delivery::AtMostOnce,
        retain: false,
        expiry_seconds: Some(1),
    }
}

/// What the retained beacon on the `live` topic says. The head-end leaves it there (before its
/// own status, on every link up), so a node whose subscription to `live` works gets it before
/// the head-end's retained status; one whose broker filters `live` out (Mosquitto's ACL file
/// grants the SUBSCRIBE and drops what the node may not read) gets the status alone, and knows.
pub const LIVE_BEACON: &[u8] = b"loaxa live beacon v1";

/// The retained beacon on `live` ([`LIVE_BEACON`]); not a frame, so a feed ignores it.
pub fn live_beacon(topics: &Topics) -> Outgoing {
    Outgoing {
        topic: topics.live(),
        payload: LIVE_BEACON.to_vec(),
        delivery: Delivery::AtLeastOnce,
        retain: true,
        expiry_seconds: None,
    }
}

/// An as-run row: QoS 1; the node resends it until the head-end says it stored it.
pub fn as_run(topics: &Topics, id: &NodeId, row: &AsRunRow) -> Outgoing {
    Outgoing {
        topic: topics.node(id, NodeTopic::AsRun),
        payload: protocol::encode(row),
        delivery: Delivery::AtLeastOnce,
        retain: false,
        expiry_seconds: None,
    }
}

/// A node's answer to a command.
pub fn ack(topics: &Topics, id: &NodeId, ack: &Ack) -> Outgoing {
    Outgoing {
        topic: topics.node(id, NodeTopic::Ack),
        payload: protocol::encode(ack),
        delivery: Delivery::AtLeastOnce,
        retain: false,
        expiry_seconds: None,
    }
}
