//! `loaxa`: the command line of Loa Xã. Parsing and printing only; the work is in the library.

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Loa Xã — điều khiển loa truyền thanh xã / the commune loudspeaker controller.
#[derive(Debug, Parser)]
#[command(name = "loaxa", version, about, long_about = None)]
struct Cli {
    /// Tệp cấu hình / config file (default: ./loaxa.toml if present, else built-in defaults).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Chạy dịch vụ / run the service: player, web UI and API.
    Serve(cli::serve::Args),
    /// Chạy cụm loa thôn / run a village node: its plan from its own cache, /healthz only.
    Node,
    /// Phát tệp ghi âm liền nhau / play recordings back to back.
    Play(cli::play::Args),
    /// Thư viện bản ghi / the media library: probe, import.
    #[command(subcommand)]
    Media(cli::media::Command),
    /// Liệt kê đầu ra âm thanh / list audio outputs.
    Devices(cli::devices::Args),
    /// Lịch phát sắp tới / what the programme will air between two days.
    Plan(cli::programme::PlanArgs),
    /// Ngày lễ trong năm / the year's holidays with their solar dates.
    Calendar(cli::programme::CalendarArgs),
    /// Bảng LED / the LED panel: render a frame.
    #[command(subcommand)]
    Display(cli::display::Command),
    /// Khẩn cấp / emergency announcements, through the running service.
    #[command(subcommand)]
    Emergency(cli::emergency::Command),
    /// Người dùng / users: add, list.
    #[command(subcommand)]
    User(cli::users::UserCommand),
    /// Mã API cho script / API tokens for scripts.
    #[command(subcommand)]
    Token(cli::users::TokenCommand),
    /// In liên kết mới tạo tài khoản quản trị đầu tiên / print a new link that creates the
    /// first administrator (the old one stops working).
    SetupLink,
    /// Sao lưu cơ sở dữ liệu và bản ghi khi đang chạy / back up the database and recordings.
    Backup(cli::backup::BackupArgs),
    /// Khôi phục từ bản sao lưu (dừng dịch vụ trước) / restore a backup (stop the service first).
    Restore(cli::backup::RestoreArgs),
    /// Đọc văn bản thành tiếng / read a text aloud: print, write a WAV, or play it.
    Speak(cli::speak::Args),
    /// Báo cáo tháng gửi tỉnh / the monthly reports for the province: plays, connectivity,
    /// condition.
    Report(cli::report::Args),
    /// Kiểm tra cấu hình / check the configuration.
    Check,
    /// Cụm loa nhiều thôn / village clusters: the broker setup and the nodes' configs.
    #[command(subcommand)]
    Cluster(cli::cluster::Command),
    /// HTTPS: tạo chứng chỉ, xem dấu vân tay / make the certificate, show its fingerprint.
    #[command(subcommand)]
    Tls(cli::tls::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = !matches!(cli.command, Command::Serve(_) | Command::Node);
    init_tracing(quiet);
    let result = match cli.command {
        Command::Serve(args) => cli::serve::run(cli.config.as_deref(), args),
        Command::Node => cli::node::run(cli.config.as_deref()),
        Command::Play(args) => cli::play::run(cli.config.as_deref(), args),
        Command::Media(command) => cli::media::run(cli.config.as_deref(), command),
        Command::Devices(args) => cli::devices::run(args),
        Command::Plan(args) => cli::programme::plan(cli.config.as_deref(), args),
        Command::Calendar(args) => cli::programme::calendar(cli.config.as_deref(), args),
        Command::Display(command) => cli::display::run(cli.config.as_deref(), command),
        Command::Emergency(command) => cli::emergency::run(cli.config.as_deref(), command),
        Command::User(command) => cli::users::run_user(cli.config.as_deref(), command),
        Command::Token(command) => cli::users::run_token(cli.config.as_deref(), command),
        Command::SetupLink => cli::users::run_setup_link(cli.config.as_deref()),
        Command::Backup(args) => cli::backup::backup(cli.config.as_deref(), args),
        Command::Restore(args) => cli::backup::restore(cli.config.as_deref(), args),
        Command::Speak(args) => cli::speak::run(cli.config.as_deref(), args),
        Command::Report(args) => cli::report::run(cli.config.as_deref(), args),
        Command::Check => cli::check::run(cli.config.as_deref()),
        Command::Cluster(command) => cli::cluster::run(cli.config.as_deref(), command),
        Command::Tls(command) => cli::tls::run(cli.config.as_deref(), command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lỗi / error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr; `LOAXA_LOG` sets the filter (e.g. `LOAXA_LOG=debug`). One-shot commands
/// log only warnings so their own output stays readable.
fn init_tracing(quiet: bool) {
    let default = if quiet {
        "warn,symphonia=error"
    } else {
        "info,symphonia=error"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOAXA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Under systemd, journald stamps each line itself: no colours, no second timestamp.
    let journald = std::env::var_os("JOURNAL_STREAM").is_some();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if journald {
        builder.without_time().init();
    } else {
        builder.init();
    }
}
