//! `loaxa node`: a village's Pi. It airs the plan its head-end sent from its own cache, on its
//! own clock, whether or not the head-end or the link is up; it answers the head-end's
//! commands (an emergency, a stop, a clock probe), reports its status and sends every play
//! back, at least once. It has no web UI: only `/healthz` on a loopback address.
//!
//! - [`cues`]: the kept plan as the runner's cues;
//! - [`cache`]: recordings by hash from the head-end, verified, within a limit;
//! - [`outbox`]: the as-run queue, until the head-end stored each row;
//! - `fetcher`: the thread that keeps the cache in line with the plan;
//! - `exchange`: the conversation with the head-end over the link;
//! - `health`: `/healthz`.
//!
//! The player, the relays and the runner are the station's own ([`crate::service::OnAir`],
//! [`crate::schedule::runner`]); this module only feeds them.

pub mod cache;
pub mod cues;
mod exchange;
mod fetcher;
mod health;
pub mod outbox;

use std::future::Future;
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
use crate::schedule::runner::{Runner, TimeSync};
use crate::service::{OnAir, ServeError};
use crate::store::{Store, meta};

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
    /// The store, the output or a thread.
    #[error(transparent)]
    Serve(#[from] ServeError),
}

impl From<crate::store::StoreError> for NodeError {
    fn from(e: crate::store::StoreError) -> Self {
        NodeError::Serve(ServeError::Store(e))
    }
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
}

impl Shared {
    /// Count an error for the status report.
    pub fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }
}

/// A running node. Dropping it stops everything without a goodbye (as a crash would).
pub struct Node {
    shared: Arc<Shared>,
    exchange: exchange::Exchange,
    _runner: Runner,
    _fetcher: Fetcher,
    _data_dir: std::fs::File,
}

impl Node {
    /// Start a node from `config` (`[cluster] role = "node"`), airing on `clock`. Must be
    /// called inside a tokio runtime.
    pub fn start(
        config: Config,
        clock: Arc<dyn Clock>,
        sync: Box<dyn TimeSync>,
    ) -> Result<Node, NodeError> {
        let end = session::node_end(&config.cluster)?;
        let store = Store::open(&config.database_path())?;
        let data_dir =
            crate::ops::backup::hold_data_dir(&config.data_dir).map_err(ServeError::DataDir)?;
        let restarts = store.with(|c| {
            let n = meta::get(c, STARTS)?
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
                + 1;
            meta::set(c, STARTS, &n.to_string())?;
            Ok(n)
        })?;
        let OnAir { relays, player, .. } = OnAir::start(&config, clock.clone())?;
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
            crate::service::runner_options(&config),
            sync,
        )
        .map_err(|source| ServeError::Thread {
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
        });
        let fetcher = Fetcher::spawn(shared.clone()).map_err(|source| ServeError::Thread {
            what: "fetcher",
            source,
        })?;
        let (link, events) = Link::start(shared.end.link.clone())?;
        let exchange = exchange::Exchange::spawn(shared.clone(), link, events, fetcher.waker())?;
        crate::service::settle_relays(relays);
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
            _data_dir: data_dir,
        })
    }

    /// What the node's parts share (its store, player, cache…), for tests and tools.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Answer `/healthz` on `listener` until `shutdown`, then say goodbye on the link (the
    /// head-end sees the node offline at once) and stop.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), NodeError> {
        let addr = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        crate::ops::watchdog::spawn(self.shared.store.clone(), self.shared.player.clone());
        crate::ops::watchdog::ready();
        let app = health::router(self.shared.clone());
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                crate::ops::watchdog::stopping();
            })
            .await;
        self.exchange.goodbye().await;
        served.map_err(|source| NodeError::Serve(ServeError::Listen { addr, source }))
    }

    /// Bind `[cluster] health_listen` and [`Node::serve`].
    pub async fn run(
        self,
        listen: &str,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), NodeError> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| ServeError::Listen {
                addr: listen.to_string(),
                source,
            })?;
        tracing::info!("nút / node: /healthz tại / at http://{listen}/healthz");
        self.serve(listener, shutdown).await
    }
}
