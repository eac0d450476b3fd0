//! `loaxa cluster init|add-node`: the commune's broker setup and each node's config.
//! Parsing and printing only; the work is in `loaxa::cluster::setup`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use loaxa::cluster::CommuneId;
use loaxa::cluster::link::{Link, LinkEvent};
use loaxa::cluster::session;
use loaxa::cluster::setup::{self, InitOptions, NewNode};
use loaxa::config::ClusterRole;

/// `loaxa cluster ...`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Viết cấu hình Mosquitto cho xã / write the commune's Mosquitto setup into a folder.
    Init {
        /// Thư mục cấu hình broker / the folder to write (created if missing).
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// Cổng broker / the broker's port.
        #[arg(long, value_name = "P", default_value_t = 1883)]
        port: u16,
        /// Cầu nối lên broker của tỉnh / bridge status and reports to the province's broker.
        #[arg(long, value_name = "HOST:PORT")]
        bridge_to: Option<String>,
        /// Mã xã (a–z, 0–9, -) / the commune's id, the topic level under loaxa/.
        #[arg(long, default_value = "xa")]
        commune: CommuneId,
        /// Tên hoặc địa chỉ của máy trung tâm mà các nút gọi tới / the head-end's host name or
        /// address as the nodes reach it (default: this machine's host name).
        #[arg(long)]
        host: Option<String>,
        /// Địa chỉ web để nút tải bản ghi / the web address nodes fetch recordings from
        /// (default: http://HOST:8080).
        #[arg(long, value_name = "URL")]
        media_url: Option<String>,
    },
    /// Thêm một cụm loa thôn / add a village node: its account, ACL lines and loaxa.toml.
    AddNode {
        /// Mã nút (a–z, 0–9, -), ví dụ thon-2 / the node's id, e.g. thon-2.
        name: String,
        /// Thôn nó phục vụ, như trong lịch phát / a zone it serves, as the programme names it.
        #[arg(long = "zone", value_name = "ZONE", required = true)]
        zones: Vec<String>,
        /// Tên hiển thị / the name people see (default: its zones).
        #[arg(long = "display-name")]
        display_name: Option<String>,
        /// Thư mục `cluster init` đã viết / the folder `cluster init` wrote.
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// Nơi ghi loaxa.toml của nút / where to write the node's loaxa.toml.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Thử kết nối broker bằng tài khoản trong [cluster] / connect to the broker with the
    /// [cluster] account of --config, subscribe, and say whether it worked.
    Ping,
}

/// Run a `cluster` subcommand.
pub fn run(config_path: Option<&Path>, command: Command) -> Result<ExitCode> {
    match command {
        Command::Ping => ping(config_path),
        Command::Init {
            dir,
            port,
            bridge_to,
            commune,
            host,
            media_url,
        } => {
            let host = match host {
                Some(h) => h,
                None => nix::unistd::gethostname()?.to_string_lossy().into_owned(),
            };
            let report = setup::init(&InitOptions {
                dir,
                port,
                commune,
                host,
                media_url,
                bridge_to,
            })?;
            let conf = report.mosquitto_conf.display();
            println!("đã viết / wrote {conf}");
            println!(
                "chạy broker / start the broker:  mosquitto -c {conf}\n\
                 thêm phần [cluster] của {} vào loaxa.toml của trung tâm / add the [cluster] \
                 section of {} to the head-end's loaxa.toml",
                report.head_end_toml.display(),
                report.head_end_toml.display()
            );
            if let Some(bridge) = &report.bridge_conf {
                println!(
                    "cầu nối tỉnh: điền tài khoản tỉnh cấp vào / province bridge: put the account \
                     the province gives into {} (remote_username, remote_password)",
                    bridge.display()
                );
            }
            if report.broker_stays_root {
                println!(
                    "chú ý / note: người dùng mosquitto không vào được một thư mục cha, nên {conf} \
                     để broker chạy bằng root; nên đặt ở /etc hoặc /var/lib / the mosquitto user \
                     cannot enter a folder above it, so {conf} keeps the broker root; better put \
                     the setup under /etc or /var/lib"
                );
            }
            if !report.owned_by_broker && nix::unistd::geteuid().is_root() {
                println!(
                    "chú ý / note: không có người dùng mosquitto; cài gói mosquitto rồi chạy lại / \
                     no mosquitto user: install the mosquitto package, then run init again"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::AddNode {
            name,
            zones,
            display_name,
            dir,
            out,
        } => {
            let node = setup::add_node(
                &dir,
                &NewNode {
                    id: name,
                    name: display_name,
                    zones,
                },
                &out,
            )?;
            println!(
                "nút / node {} ({}): đã viết / wrote {}\n\
                 chép tệp sang nút thành /etc/loaxa/loaxa.toml / copy it to the node as \
                 /etc/loaxa/loaxa.toml\n\
                 nạp lại broker / reload the broker:  systemctl reload mosquitto  \
                 (or: kill -HUP $(pidof mosquitto))",
                node.id,
                node.zones.join(", "),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Connect as the head-end or the node `[cluster]` describes, until subscribed or refused.
fn ping(config_path: Option<&Path>) -> Result<ExitCode> {
    let loaded = super::load_config(config_path)?;
    let cfg = &loaded.config.cluster;
    let (who, options) = match cfg.role {
        ClusterRole::Node => {
            let end = session::node_end(cfg)?;
            (format!("nút / node {}", end.id), end.link)
        }
        ClusterRole::HeadEnd => (
            "trung tâm / head-end".to_string(),
            session::head_end(cfg)?.link,
        ),
        ClusterRole::None => {
            bail!(
                "[cluster] role = \"none\": máy này không thuộc cụm nào / this Pi is in no cluster"
            )
        }
    };
    let address = format!("{}:{}", cfg.broker_host, cfg.broker_port);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let (link, mut events) = Link::start(options)?;
        let wait = tokio::time::timeout(Duration::from_secs(15), async {
            while let Some(event) = events.recv().await {
                match event {
                    LinkEvent::Subscribed { refused } if refused.is_empty() => return Ok(()),
                    LinkEvent::Subscribed { refused } => {
                        let why: Vec<String> = refused
                            .iter()
                            .map(|t| session::refused_subscription(&cfg.user, t).to_string())
                            .collect();
                        return Err(why.join("\n"));
                    }
                    LinkEvent::NotAuthorized(why) => return Err(why),
                    LinkEvent::Down { reason, .. } => return Err(reason.to_string()),
                    _ => {}
                }
            }
            Err("liên kết đã đóng / the link ended".to_string())
        })
        .await;
        link.close().await;
        match wait {
            Ok(Ok(())) => {
                println!("{who}: đã kết nối và đăng ký / connected and subscribed at {address}");
                Ok(ExitCode::SUCCESS)
            }
            Ok(Err(why)) => bail!("{who} @ {address}: {why}"),
            Err(_) => bail!(
                "{who}: không kết nối được {address} sau 15 giây / no connection to {address} \
                 within 15 s: broker đã chạy chưa, tường lửa? / is the broker running, a firewall?"
            ),
        }
    })
}
