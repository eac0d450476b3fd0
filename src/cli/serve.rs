//! `loaxa serve`: run the controller until Ctrl-C or SIGTERM. Parsing and printing only; the wiring
//! is `service`'s.

use std::net::{IpAddr, SocketAddr};
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
    listen: Option<SocketAddr>,
    /// Thêm nội dung mẫu nếu chưa có và buổi demo mỗi 5 phút / add demo content where missing (jingles, slogans, bulletins) and the demo's session every 5 minutes.
    #[arg(long)]
    demo: bool,
}

/// Start the service and block until it stops.
pub fn run(config_path: Option<&Path>, args: Args) -> Result<ExitCode> {
    let mut loaded = super::load_config(config_path)?;
    if let Some(listen) = args.listen {
        loaded.config.web.listen = listen;
    }
    if args.demo {
        // A newcomer's laptop may have no sound card: the demo then airs into "Nghe" alone.
        loaded.config.audio.listen_alone = true;
        // A cue on the air within minutes: the demo's own session.
        loaded.config.schedule.demo_session = true;
        let added = demo::seed(&loaded.config)?;
        tracing::info!("nội dung mẫu / demo content: {added} mới / new");
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let service = Service::start(loaded.config)?;
        if let Some(path) = service.first_run_link()? {
            print_first_run_link(&service.state.config.web, &path);
        }
        service.run(shutdown_signal()).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// The one-time link that creates the first administrator, where the person starting the
/// service will see it.
pub fn print_first_run_link(web: &loaxa::config::WebConfig, path: &str) {
    let listen = web.listen;
    let scheme = if web.tls() { "https" } else { "http" };
    let port = listen.port();
    let host = match listen.ip() {
        ip if ip.is_unspecified() => "localhost".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    println!();
    println!(
        "  Lần chạy đầu: mở liên kết này để tạo tài khoản quản trị (dùng một lần, trong 24 giờ):"
    );
    println!(
        "  First start: open this link to create the administrator (works once, for 24 hours):"
    );
    println!();
    println!("      {scheme}://{host}:{port}{path}");
    println!();
    println!("  Từ máy khác trong mạng, thay \"{host}\" bằng địa chỉ IP của máy này.");
    println!(
        "  From another machine on the LAN, replace \"{host}\" with this machine's IP address."
    );
    println!();
}
