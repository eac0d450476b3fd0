//! `loaxa serve`: run the controller until Ctrl-C or SIGTERM.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use loaxa::service::{Service, shutdown_signal};

/// Options of `loaxa serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Địa chỉ nghe / listen address, overriding web.listen (e.g. 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
}

/// Start the service and block until it stops.
pub fn run(config_path: Option<&Path>, args: Args) -> Result<ExitCode> {
    let mut loaded = super::load_config(config_path)?;
    if let Some(listen) = args.listen {
        loaded.config.web.listen = listen;
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let service = Service::start(loaded.config)?;
        service.run(shutdown_signal()).await?;
        Ok(ExitCode::SUCCESS)
    })
}
