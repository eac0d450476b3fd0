//! `loaxa node`: a village node's process. Opens its database, holds its data folder, starts
//! the player, the amplifier and the zone relays exactly as `loaxa serve` does ([`OnAir`]),
//! hands them to the node's own parts ([`crate::cluster::node`]) and answers `/healthz` on a
//! loopback address until a shutdown signal. No web UI.
//!
//! Owns the order the node's parts start and stop in; must not hold any rule of its own.

use std::future::Future;
use std::sync::Arc;

use super::{OnAir, ServeError, runner_options, settle_relays};
use crate::clock::Clock;
use crate::cluster::node::{Node, Shared};
use crate::config::Config;
use crate::schedule::runner::TimeSync;
use crate::store::Store;

/// A running village node. Dropping it stops everything without a goodbye (as a crash would).
pub struct NodeService {
    node: Node,
    _data_dir: std::fs::File,
}

impl NodeService {
    /// Start a node from `config` (`[cluster] role = "node"`), airing on `clock`. Must be
    /// called inside a tokio runtime.
    pub fn start(
        config: Config,
        clock: Arc<dyn Clock>,
        sync: Box<dyn TimeSync>,
    ) -> Result<NodeService, ServeError> {
        let store = Store::open(&config.database_path())?;
        let data_dir = crate::ops::backup::hold_data_dir(&config.data_dir)?;
        let OnAir { relays, player, .. } = OnAir::start(
            &config,
            clock.clone(),
            Arc::new(crate::audio::input::open_device),
        )?;
        let options = runner_options(&config);
        let node = Node::start(&config, store, player, clock, options, sync)?;
        settle_relays(relays);
        Ok(NodeService {
            node,
            _data_dir: data_dir,
        })
    }

    /// What the node's parts share (its store, player, cache…), for tests and tools.
    pub fn shared(&self) -> &Arc<Shared> {
        self.node.shared()
    }

    /// Answer `/healthz` on `listener` until `shutdown`, then say goodbye on the link (the
    /// head-end sees the node offline at once) and stop.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let addr = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let shared = self.node.shared().clone();
        crate::ops::watchdog::spawn(shared.store.clone(), shared.player.clone());
        crate::ops::watchdog::ready();
        let app = crate::web::node_health::router(shared);
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                crate::ops::watchdog::stopping();
            })
            .await;
        self.node.goodbye().await;
        served.map_err(|source| ServeError::Listen { addr, source })
    }

    /// Bind `[cluster] health_listen` and [`NodeService::serve`].
    pub async fn run(
        self,
        listen: &str,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
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
