//! The head-end's side of the cluster: the People's Committee's Pi tells every node what to
//! air and hears back from them.
//!
//! - [`plans`]: each node's plan from the commune's (its zones' cues, recordings by hash);
//! - [`view`]: what is known of each node (online, on air, cache, clock, condition);
//! - [`fanout`]: an emergency on every node, and when it reached each one's output;
//! - [`live`]: the microphone of a live emergency to every node, as Opus packets;
//! - `task`: the conversation over the link (publishing plans when they change, handing on
//!   emergencies and their stop, probing clocks, storing as-run rows once).
//!
//! [`HeadEnd`] is the handle the web layer reads (nodes, warnings, the emergency per node)
//! and the media endpoint asks (which node a token is, which file a hash names). No SQL here (the
//! store's `cluster` tables) and no pages: the web layer only reads [`HeadEnd`].

pub mod fanout;
pub mod live;
pub mod plans;
mod task;
pub mod view;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use self::fanout::{FanOut, NodeOnAir};
use self::view::{NodeInfo, NodeState, NodesView};
use super::NodeId;
use super::link::{Link, LinkError};
use super::session::{self, SessionError};
use super::setup::{Registry, SetupError};
use crate::config::Config;
use crate::emergency::Emergency;
use crate::media::MediaLibrary;
use crate::model::Event;
use crate::model::Said;
use crate::model::said;
use crate::schedule::Timetable;
use crate::store::Store;

/// Why the head-end's side of the cluster cannot start.
#[derive(Debug, thiserror::Error)]
pub enum HeadEndError {
    /// `[cluster]` is not a head-end's.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The node registry cannot be read.
    #[error(transparent)]
    Registry(#[from] SetupError),
    /// The link could not start.
    #[error(transparent)]
    Link(#[from] LinkError),
}

/// What the head-end's cluster side needs from the station.
pub struct Parts {
    /// The loaded config (`[cluster]`, the time zone, the chime).
    pub config: Arc<Config>,
    /// The database.
    pub store: Store,
    /// The recordings.
    pub library: MediaLibrary,
    /// The programme in force.
    pub timetable: Timetable,
    /// The station's emergency controller: what it airs, every node airs.
    pub emergency: Emergency,
    /// What the station's microphone gives while a live emergency airs
    /// ([`crate::audio::Player::microphone`]).
    pub microphone: crate::audio::input::Tap,
    /// The station's events ([`crate::station::Bus::sender`]): changes (approvals, reloads)
    /// that may change the plans come in; a node's change goes out to the live pages.
    pub events: tokio::sync::broadcast::Sender<Event>,
}

/// The running head-end side. Cheap to share; stops when the last handle goes.
pub struct HeadEnd {
    registry: Registry,
    store: Store,
    library: MediaLibrary,
    view: Mutex<NodesView>,
    fanout: Mutex<Option<FanOut>>,
    /// Files served by hash that are not in the library (a spoken text, a chime file).
    extras: Mutex<HashMap<String, PathBuf>>,
    linked: AtomicBool,
    /// Warnings from making the plans (a recording missing from the library).
    plan_warnings: Mutex<Vec<Said>>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl HeadEnd {
    /// Read the registry, connect, and start the conversation. Inside a tokio runtime.
    pub fn start(parts: Parts) -> Result<Arc<HeadEnd>, HeadEndError> {
        let end = session::head_end(&parts.config.cluster)?;
        let registry = Registry::load(&parts.config.cluster.nodes_file)?;
        let head = Arc::new(HeadEnd {
            view: Mutex::new(NodesView::new(&registry)),
            registry,
            store: parts.store.clone(),
            library: parts.library.clone(),
            fanout: Mutex::new(None),
            extras: Mutex::new(HashMap::new()),
            linked: AtomicBool::new(false),
            plan_warnings: Mutex::new(Vec::new()),
            task: Mutex::new(None),
        });
        let (link, events) = Link::start(end.link.clone())?;
        let handle = tokio::spawn(task::run(head.clone(), end.topics, link, events, parts));
        *lock(&head.task) = Some(handle);
        tracing::info!(
            "trung tâm xã / head-end: {} cụm loa / nodes",
            head.registry.nodes.len()
        );
        Ok(head)
    }

    /// Every node, as `GET /api/v1/nodes` lists them.
    pub fn nodes(&self) -> Vec<NodeInfo> {
        lock(&self.view)
            .all()
            .iter()
            .map(NodeState::listed)
            .collect()
    }

    /// Everything known of every node, for the pages.
    pub fn states(&self) -> Vec<NodeState> {
        lock(&self.view).all()
    }

    /// What a person should know about the cluster: nodes offline, clocks off, recordings a
    /// node will not have in time, the link down.
    pub fn warnings(&self) -> Vec<Said> {
        let mut out = self.own_warnings();
        for n in lock(&self.view).all() {
            out.extend(n.warnings());
        }
        out
    }

    /// The head-end's own part of [`HeadEnd::warnings`]: the broker link and the plans (each
    /// node's are in its [`NodeState::warnings`]).
    pub fn own_warnings(&self) -> Vec<Said> {
        let mut out = Vec::new();
        if !self.linked.load(Ordering::Relaxed) {
            out.push(said!(
                "trung tâm chưa nối được broker: các cụm loa vẫn phát theo kế hoạch đã có",
                "the head-end is not linked to the broker: the nodes air the plans they have"
            ));
        }
        out.extend(lock(&self.plan_warnings).iter().cloned());
        out
    }

    /// The emergency on the nodes: each node's first sample, or why not; `None` when the
    /// station's emergency `local_id` was not handed on.
    pub fn emergency(&self, local_id: u64) -> Option<Vec<NodeOnAir>> {
        lock(&self.fanout)
            .as_ref()
            .filter(|f| f.local_id == local_id)
            .map(FanOut::parts)
    }

    /// The last emergency handed on, whatever became of it.
    pub fn last_emergency(&self) -> Option<Vec<NodeOnAir>> {
        lock(&self.fanout).as_ref().map(FanOut::parts)
    }

    /// The node a media token belongs to.
    pub fn node_by_token(&self, token: &str) -> Option<NodeId> {
        self.registry.node_by_token(token).map(|n| n.id.clone())
    }

    /// The file a hash names: a library recording, or a file handed on for an emergency.
    pub async fn media_file(&self, sha256: &str) -> Option<PathBuf> {
        if let Some(p) = lock(&self.extras).get(sha256) {
            return Some(p.clone());
        }
        let sha = sha256.to_string();
        let m = self
            .store
            .run(move |c| Ok(crate::store::media::by_sha256(c, &sha)?))
            .await
            .ok()
            .flatten()?;
        Some(self.library.path_of(&m))
    }

    fn serve_extra(&self, sha256: &str, path: PathBuf) {
        lock(&self.extras).insert(sha256.to_string(), path);
    }

    fn forget_extra(&self, sha256: &str) {
        lock(&self.extras).remove(sha256);
    }
}

impl Drop for HeadEnd {
    fn drop(&mut self) {
        if let Some(t) = lock(&self.task).take() {
            t.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
