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
    let runtime = tokio::runtime::Runtime::new()?;
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
