//! `loaxa serve`: run the controller until Ctrl-C or SIGTERM.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use loaxa::demo;
use loaxa::service::{Service, shutdown_signal};

/// Options of `loaxa serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Địa chỉ nghe / listen address, overriding web.listen (e.g. 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Thêm nội dung mẫu nếu chưa có / add demo content where missing (jingles, ...).
    #[arg(long)]
    demo: bool,
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
        if args.demo {
            let library = service.state.library.clone();
            let added = tokio::task::spawn_blocking(move || {
                demo::seed_media(&library, &demo::assets_dir())
            })
            .await??;
            tracing::info!("nội dung mẫu / demo content: {added} mới / new");
        }
        service.run(shutdown_signal()).await?;
        Ok(ExitCode::SUCCESS)
    })
}
