//! `loaxa media probe|import`: measure recordings, and add them to the library. Parsing and
//! printing only; probing and importing are `media`'s (the same import uploads use).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use loaxa::media::library::ImportRequest;
use loaxa::media::{MediaLibrary, analyze};
use loaxa::model::{Analysis, Category};
use loaxa::store::Store;

/// `loaxa media ...`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Đo một bản ghi / measure a recording: format, true length, loudness, true peak.
    Probe {
        /// Tệp ghi âm / the recording.
        file: PathBuf,
        /// In JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Thêm bản ghi vào thư viện / add recordings to the library; prints their ids.
    Import {
        /// Các tệp / the recordings.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Tiêu đề / title (default: the file name).
        #[arg(long)]
        title: Option<String>,
        /// Thể loại / category: bulletin, greeting, notice, music, emergency, jingle.
        #[arg(long, default_value = "bulletin")]
        category: Category,
    },
}

/// Run a media subcommand.
pub fn run(config_path: Option<&Path>, command: Command) -> Result<ExitCode> {
    let loaded = super::load_config(config_path)?;
    let config = loaded.config;
    match command {
        Command::Probe { file, json } => {
            let mut analysis = analyze(&file)?;
            match config.loudness.level(&analysis) {
                Ok(l) => analysis.warnings.extend(l.warnings),
                Err(e) => analysis.warnings.push(e.said()),
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&analysis)?);
            } else {
                print_analysis(&file, &analysis);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            files,
            title,
            category,
        } => {
            let store = Store::open(&config.database_path())?;
            let library = MediaLibrary::new(&config.data_dir, store, config.loudness);
            library.sweep_incoming()?;
            let mut failed = 0;
            for file in &files {
                let req = ImportRequest {
                    original_name: file.file_name().map_or_else(
                        || file.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    ),
                    title: title.clone(),
                    category,
                    actor: "cli".into(),
                };
                match library.import_file(file, &req) {
                    Ok(imported) => {
                        let m = &imported.media;
                        let note = if imported.duplicate {
                            " (đã có trong thư viện / already in the library)"
                        } else {
                            ""
                        };
                        println!(
                            "{}\t{}\t{:.1} s\t{:+.1} dB{note}",
                            m.id,
                            m.title,
                            m.analysis.seconds(),
                            m.gain_db
                        );
                        for w in &m.analysis.warnings {
                            eprintln!("  ⚠ {w}");
                        }
                    }
                    Err(e) => {
                        failed += 1;
                        eprintln!("✗ {e}");
                    }
                }
            }
            Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

fn print_analysis(file: &Path, a: &Analysis) {
    let opt =
        |v: Option<f64>, unit: &str| v.map_or("—".to_string(), |x| format!("{x:.1} {unit}"));
    println!("{}", file.display());
    println!("  định dạng / format     {} / {}", a.container, a.codec);
    println!(
        "  lấy mẫu / sampling     {} Hz, {} kênh/ch",
        a.sample_rate, a.channels
    );
    println!("  thời lượng / duration  {:.3} s", a.seconds());
    println!(
        "  độ lớn / loudness      {}",
        opt(a.integrated_lufs, "LUFS")
    );
    println!(
        "  dải / range            {}",
        opt(a.loudness_range_lu, "LU")
    );
    println!("  đỉnh thật / true peak  {}", opt(a.true_peak_dbtp, "dBTP"));
    for w in &a.warnings {
        println!("  ⚠ {w}");
    }
}
