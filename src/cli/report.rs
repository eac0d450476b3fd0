//! `loaxa report plays|connectivity|condition [--month YYYY-MM] [--csv]`: the province's monthly
//! reports from the station's database, the same tables the Báo cáo page shows and the same
//! CSV the API gives (`station::reports`). Reading only.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use chrono::Utc;
use loaxa::cluster::setup::Registry;
use loaxa::config::ClusterRole;
use loaxa::station::reports::{self, Kind, Month, Scope, Table};
use loaxa::store::Store;

/// `loaxa report ...`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Báo cáo / the report: plays (số lần phát), connectivity (kết nối), condition (tình trạng).
    #[arg(value_parser = parse_kind)]
    report: Kind,
    /// Tháng / the month, YYYY-MM, in the commune's time zone (default: the last full month).
    #[arg(long)]
    month: Option<String>,
    /// In CSV (UTF-8 có BOM, mở bằng Excel) / print CSV (UTF-8 with a BOM, for Excel).
    #[arg(long)]
    csv: bool,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse().map_err(|e: reports::ReportError| e.to_string())
}

/// Print a report.
pub fn run(config_path: Option<&Path>, args: Args) -> Result<ExitCode> {
    let config = super::load_config(config_path)?.config;
    let now = Utc::now();
    let month = Month::parse_or_last(args.month.as_deref(), now, config.timezone)?;
    let nodes = if config.cluster.role == ClusterRole::HeadEnd {
        Registry::load(&config.cluster.nodes_file)?
            .nodes
            .iter()
            .map(|n| n.id.to_string())
            .collect()
    } else {
        Vec::new()
    };
    let scope = Scope {
        month,
        tz: config.timezone,
        now,
        nodes,
    };
    let store = Store::open(&config.database_path())?;
    let report = reports::report_blocking(&store, args.report, &scope)?;
    if args.csv {
        print!("{}", report.csv(&scope));
    } else {
        println!("{} — tháng {}", args.report.title_vi(), month.label());
        for table in report.tables(&scope) {
            print_table(&table);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A table with its columns lined up (by characters, so Vietnamese lines up too).
fn print_table(t: &Table) {
    println!("\n{}", t.caption);
    if t.rows.is_empty() {
        println!("(không có số liệu / no figures)");
        return;
    }
    let widths: Vec<usize> = (0..t.header.len())
        .map(|i| {
            t.rows
                .iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .chain([t.header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(t.header.clone());
    for r in &t.rows {
        line(r.iter().map(String::as_str).collect());
    }
}
