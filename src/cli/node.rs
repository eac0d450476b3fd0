//! `loaxa node`: run a village node until Ctrl-C or SIGTERM. The work is in
//! `loaxa::service::node` and `loaxa::cluster::node`. Parsing and printing only.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Result, bail};
use loaxa::clock::SystemClock;
use loaxa::config::ClusterRole;
use loaxa::schedule::runner::SystemTimeSync;
use loaxa::service::node::NodeService;
use loaxa::service::shutdown_signal;

/// The node's async worker threads.
const NODE_WORKERS: usize = 2;

/// Start the node and block until it stops.
pub fn run(config_path: Option<&Path>) -> Result<ExitCode> {
    let loaded = super::load_config(config_path)?;
    if loaded.config.cluster.role != ClusterRole::Node {
        bail!(
            "[cluster] role không phải \"node\": dùng tệp `loaxa cluster add-node` viết, hoặc \
             `loaxa serve` cho một trạm / [cluster] role is not \"node\": use the file \
             `loaxa cluster add-node` wrote, or `loaxa serve` for a station"
        );
    }
    let listen = loaded.config.cluster.health_listen.clone();
    // A village node talks to one broker and one web server and plays through its own player
    // thread: two workers are plenty, and each worker more costs memory on a small Pi
    // (its stack, its allocator arena), a hundred times over in a commune.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(NODE_WORKERS)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let node = NodeService::start(
            loaded.config,
            Arc::new(SystemClock::new()),
            Box::new(SystemTimeSync),
        )?;
        node.run(&listen, shutdown_signal()).await?;
        Ok(ExitCode::SUCCESS)
    })
}
