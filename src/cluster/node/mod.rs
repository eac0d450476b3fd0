//! A village node's own parts (`loaxa node`, a village's Pi). It airs the plan its head-end
//! sent from its own cache, on its own clock, whether or not the head-end or the link is up;
//! it answers the head-end's commands (an emergency, a stop, a clock probe), reports its
//! status and sends every play back, at least once.
//!
//! - [`cues`]: the kept plan as the runner's cues;
//! - [`cache`]: recordings by hash from the head-end, verified, within a limit;
//! - [`outbox`]: the as-run queue, until the head-end stored each row;
//! - `fetcher`: the thread that keeps the cache in line with the plan;
//! - `exchange`: the conversation with the head-end over the link.
//!
//! The player and the runner are the station's own ([`crate::schedule::runner`]); this
//! module only feeds them. Must not open the outputs, the GPIO or a port: `service::node`
//! wires the node's player and relays and serves its `/healthz` (`web::node_health`).

pub mod cache;
pub mod cues;
mod exchange;
mod fetcher;
pub mod outbox;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use self::cache::{MediaCache, Source};
use self::cues::NodeCues;
use self::fetcher::Fetcher;
use super::link::{Link, LinkError};
use super::protocol::MissingMedia;
use super::session::{self, NodeEnd, SessionError};
use crate::audio::Player;
use crate::clock::Clock;
use crate::config::Config;
use crate::emergency::Emergency;
use crate::schedule::runner::{Runner, RunnerOptions, TimeSync};
use crate::store::{Store, StoreError, meta};

/// The meta key counting the node's starts.
const STARTS: &str = "cluster.node_starts";

/// Why a node cannot start.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The `[cluster]` section is not a node's.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The link could not start.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The node's database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A worker thread could not be started (the machine is out of memory or threads).
    #[error("không tạo được luồng {what}: {source} / cannot start the {what} thread: {source}")]
    Thread {
        /// Which thread.
        what: &'static str,
        /// Why.
        source: std::io::Error,
    },
}

/// What the node's parts share: the health and status facts no one part owns.
pub struct Shared {
    /// The node's id and topics.
    pub end: NodeEnd,
    /// The zones it serves.
    pub zones: Vec<String>,
    /// The node's database.
    pub store: Store,
    /// The node's player.
    pub player: Arc<Player>,
    /// The node's clock.
    pub clock: Arc<dyn Clock>,
    /// The media cache.
    pub cache: MediaCache,
    /// The kept plan.
    pub cues: Arc<NodeCues>,
    /// The emergency controller.
    pub emergency: Emergency,
    /// When this run started.
    pub started_at: DateTime<Utc>,
    /// Service starts, this one included.
    pub restarts: u64,
    /// Errors seen since the start (lost output, failed plays and fetches).
    pub errors: AtomicU64,
    /// Whether the broker has the node's subscriptions now.
    pub connected: AtomicBool,
    /// What the head-end last said of itself.
    pub head_end_online: AtomicBool,
    /// Cues of the next day whose recordings are not in the cache.
    pub missing: Mutex<Vec<MissingMedia>>,
    /// Why the link is down, when it is.
    pub link_problem: Mutex<Option<String>>,
    /// The topics the broker refused on the last subscribe (an ACL older than the topic):
    /// the others work; each is a warning in the status, the head-end's and `/healthz`.
    pub refused: Mutex<Vec<String>>,
}

impl Shared {
    /// Count an error for the status report.
    pub fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// The topics the broker refused on the last subscribe.
    pub fn refused(&self) -> Vec<String> {
        self.refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// What each refused topic means and how to fix it, for the logs and `/healthz`.
    pub fn refused_warnings(&self) -> Vec<String> {
        let live = self.end.topics.live();
        self.refused()
            .iter()
            .map(|topic| {
                let what = if *topic == live {
                    "micrô trực tiếp của trung tâm sẽ không tới nút này; lệnh, kế hoạch và báo \
                     động vẫn chạy / the head-end's live microphone will not reach this node; \
                     commands, plans and emergencies still work. "
                } else {
                    ""
                };
                format!(
                    "{what}{}",
                    super::session::refused_subscription(self.end.id.as_str(), topic)
                )
            })
            .collect()
    }
}

/// A running node. Dropping it stops everything without a goodbye (as a crash would).
pub struct Node {
    shared: Arc<Shared>,
    exchange: exchange::Exchange,
    _runner: Runner,
    _fetcher: Fetcher,
}

impl Node {
    /// Start a node from `config` (`[cluster] role = "node"`) on its database `store`,
    /// airing through `player` on `clock`. Must be called inside a tokio runtime.
    pub fn start(
        config: &Config,
        store: Store,
        player: Arc<Player>,
        clock: Arc<dyn Clock>,
        options: RunnerOptions,
        sync: Box<dyn TimeSync>,
    ) -> Result<Node, NodeError> {
        let end = session::node_end(&config.cluster)?;
        let restarts = store.with(|c| {
            let n = meta::get(c, STARTS)?
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
                + 1;
            meta::set(c, STARTS, &n.to_string())?;
            Ok(n)
        })?;
        let cache = MediaCache::new(
            store.clone(),
            &config.data_dir,
            Source {
                media_url: config.cluster.media_url.clone(),
                token: config.cluster.node_token.clone(),
            },
            config.cluster.cache_mb.saturating_mul(1_000_000),
            clock.clone(),
        );
        let cues = Arc::new(NodeCues::default());
        let emergency = Emergency::new(
            store.clone(),
            player.clone(),
            config.emergency.clone(),
            config.data_dir.clone(),
            None,
            // A node never reads text: the head-end renders it once and the node fetches it.
            crate::speech::Speech::default(),
        );
        let runner = Runner::spawn_from(
            store.clone(),
            player.clone(),
            clock.clone(),
            cues.clone(),
            options,
            sync,
        )
        .map_err(|source| NodeError::Thread {
            what: "runner",
            source,
        })?;
        let shared = Arc::new(Shared {
            end,
            zones: config.cluster.zones.clone(),
            store,
            player,
            started_at: clock.now(),
            clock,
            cache,
            cues,
            emergency,
            restarts,
            errors: AtomicU64::new(0),
            connected: AtomicBool::new(false),
            head_end_online: AtomicBool::new(false),
            missing: Mutex::new(Vec::new()),
            link_problem: Mutex::new(None),
            refused: Mutex::new(Vec::new()),
        });
        let fetcher = Fetcher::spawn(shared.clone()).map_err(|source| NodeError::Thread {
            what: "fetcher",
            source,
        })?;
        let (link, events) = Link::start(shared.end.link.clone())?;
        let exchange = exchange::Exchange::spawn(shared.clone(), link, events, fetcher.waker())?;
        tracing::info!(
            "nút / node {} ({}): khởi động lần {restarts} / start number {restarts}",
            shared.end.id,
            config.cluster.zones.join(", ")
        );
        Ok(Node {
            shared,
            exchange,
            _runner: runner,
            _fetcher: fetcher,
        })
    }

    /// What the node's parts share (its store, player, cache…), for tests and tools.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Say goodbye on the link (the head-end sees the node offline at once) and stop.
    pub async fn goodbye(self) {
        self.exchange.goodbye().await;
    }
}
