//! `loaxa backup` and `loaxa restore`: one file with the database and the recordings. Parsing and
//! printing only; the work is in `loaxa::ops::backup`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use loaxa::ops::backup;

/// Options of `loaxa backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Tệp sao lưu ghi ra / the backup file to write (e.g. loaxa-2026-11-27.tar).
    #[arg(long)]
    to: PathBuf,
}

/// Options of `loaxa restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// Tệp sao lưu / the backup file to put back.
    file: PathBuf,
}

/// Write a backup while the service runs.
pub fn backup(config_path: Option<&Path>, args: BackupArgs) -> Result<ExitCode> {
    let config = super::load_config(config_path)?.config;
    let report = backup::backup(&config, &args.to)?;
    println!(
        "Đã sao lưu / backed up: {} ({:.1} MB, {} bản ghi / recordings, cơ sở dữ liệu lúc / database as of {})",
        args.to.display(),
        report.bytes as f64 / 1e6,
        report.manifest.recordings,
        report.manifest.created_at
    );
    Ok(ExitCode::SUCCESS)
}

/// Put a backup back; the service must be stopped.
pub fn restore(config_path: Option<&Path>, args: RestoreArgs) -> Result<ExitCode> {
    let config = super::load_config(config_path)?.config;
    let report = backup::restore(&config, &args.file)?;
    println!(
        "Đã khôi phục / restored {} ({} bản ghi / recordings, sao lưu lúc / backed up at {}).",
        args.file.display(),
        report.manifest.recordings,
        report.manifest.created_at
    );
    if let Some(previous) = report.previous {
        println!(
            "Cơ sở dữ liệu cũ được giữ ở / the replaced database is kept in {}",
            previous.display()
        );
    }
    println!("Hãy khởi động lại dịch vụ / now start the service again: sudo systemctl start loaxa");
    Ok(ExitCode::SUCCESS)
}
