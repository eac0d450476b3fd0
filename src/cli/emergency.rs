//! `loaxa emergency start|stop`: through the running service's API, with an API token (see
//! `loaxa token create`), so the command line goes through the same checks and logs as the
//! web page. It never opens the database or the player: the running service does the work.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

/// `loaxa emergency ...`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Phát khẩn cấp trên toàn bộ loa / take every speaker now.
    Start {
        /// Nội dung để máy đọc / a text to speak.
        #[arg(long, conflicts_with_all = ["item", "mic"])]
        text: Option<String>,
        /// Bản tin khẩn cấp đã duyệt / an approved emergency item, by id.
        #[arg(long, conflicts_with = "mic")]
        item: Option<i64>,
        /// Nói qua micrô / speak through the microphone.
        #[arg(long)]
        mic: bool,
        /// Số lần lặp (0: đến khi dừng) / repeats (0: until stopped).
        #[arg(long)]
        repeat: Option<u32>,
        #[command(flatten)]
        server: Server,
    },
    /// Dừng khẩn cấp / stop the emergency on air.
    Stop {
        #[command(flatten)]
        server: Server,
    },
}

/// Where the service is and how to sign in.
#[derive(Debug, clap::Args)]
pub struct Server {
    /// Địa chỉ dịch vụ / the service's URL (default: from web.listen).
    #[arg(long)]
    url: Option<String>,
    /// Mã API / API token (default: $LOAXA_TOKEN).
    #[arg(long, env = "LOAXA_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

/// Run an emergency subcommand.
pub fn run(config_path: Option<&Path>, command: Command) -> Result<ExitCode> {
    let config = super::load_config(config_path)?.config;
    let (method, server, body) = match &command {
        Command::Start {
            text,
            item,
            mic,
            repeat,
            server,
        } => {
            if text.is_none() && item.is_none() && !mic {
                bail!("chọn --text, --item hoặc --mic / choose --text, --item or --mic");
            }
            let body = serde_json::json!({"text": text, "item_id": item, "microphone": mic, "repeat": repeat});
            ("POST", server, Some(body))
        }
        Command::Stop { server } => ("DELETE", server, None),
    };
    let token = server.token.clone().context(
        "cần mã API: --token hoặc biến LOAXA_TOKEN (tạo bằng `loaxa token create --user TÊN`) / an API token is needed: --token or LOAXA_TOKEN (make one with `loaxa token create --user NAME`)",
    )?;
    let base = server.url.clone().unwrap_or_else(|| {
        // A service listening everywhere is reached on this machine's loopback.
        let mut listen = config.web.listen;
        if listen.ip().is_unspecified() {
            listen.set_ip(match listen.ip() {
                std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        format!("http://{listen}")
    });
    let url = format!("{}/api/v1/emergency", base.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let auth = format!("Bearer {token}");
    let response = match body {
        Some(b) => agent
            .post(&url)
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(b.to_string()),
        None => agent.delete(&url).header("Authorization", &auth).call(),
    };
    let mut response = response.with_context(|| {
        format!("không kết nối được {base} — dịch vụ có đang chạy không? / cannot reach {base} — is the service running?")
    })?;
    let status = response.status();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    if !status.is_success() {
        let message = json["error"]["message"].as_str().unwrap_or(&text);
        bail!("{message} ({method} {url}: {status})");
    }
    match command {
        Command::Start { .. } => {
            println!(
                "🚨 {} — {}",
                json["title"].as_str().unwrap_or(""),
                json["started_by"].as_str().unwrap_or("")
            );
            for w in json["warnings"].as_array().into_iter().flatten() {
                eprintln!("⚠ {}", w.as_str().unwrap_or(""));
            }
        }
        Command::Stop { .. } => println!("■ {}", json["title"].as_str().unwrap_or("")),
    }
    Ok(ExitCode::SUCCESS)
}
