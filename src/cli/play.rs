//! `loaxa play FILE...`: play recordings back to back through the engine the service uses.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use chrono::{DateTime, Local, Utc};
use loaxa::audio::player::OutputOptions;
use loaxa::audio::{Outcome, OutputSpec, PlayRequest, Player, PlayerEvent};
use loaxa::clock::{Clock, SimClock, SystemClock};

/// Options of `loaxa play`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Các tệp ghi âm / recordings to play.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Đầu ra / output: device, device:NAME, wav:PATH, null (default: audio.output).
    #[arg(long, short)]
    output: Option<String>,
    /// Tăng/giảm âm lượng (dB) / gain in dB.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    gain_db: f32,
    /// Chạy nhanh nhất có thể (chỉ wav/null) / run as fast as possible (wav and null only).
    #[arg(long)]
    fast: bool,
}

/// Play every file; exit 1 if any could not be played.
pub fn run(config_path: Option<&Path>, args: Args) -> Result<ExitCode> {
    let loaded = super::load_config(config_path)?;
    let spec: OutputSpec = match &args.output {
        Some(o) => o.parse()?,
        None => loaded.config.output()?,
    };
    if args.fast && matches!(spec, OutputSpec::Device(_)) {
        anyhow::bail!(
            "--fast chỉ dùng với wav:PATH hoặc null; card âm thanh luôn phát theo thời gian thực / --fast only works with wav:PATH or null; a sound card always plays in real time"
        );
    }
    if !(-60.0..=20.0).contains(&args.gain_db) {
        anyhow::bail!(
            "--gain-db {} nằm ngoài −60…+20 / is outside −60…+20",
            args.gain_db
        );
    }
    let clock: Arc<dyn Clock> = if args.fast {
        Arc::new(SimClock::starting_at(Utc::now()))
    } else {
        Arc::new(SystemClock::new())
    };
    let player = Player::spawn(OutputOptions::new(
        spec.clone(),
        loaded.config.output_format(),
        clock,
    ))?;
    let mut events = player.subscribe();
    let gain_db = args.gain_db + loaded.config.audio.gain_db;
    let mut waiting: HashSet<u64> = HashSet::new();
    for file in &args.files {
        waiting.insert(player.play(PlayRequest {
            gain_db,
            ..PlayRequest::file(file.clone(), file.display().to_string())
        }));
    }
    if let Some(f) = player.status().format {
        println!("→ {spec} ({} Hz, {} kênh/ch)", f.sample_rate, f.channels);
    }
    let mut failed = 0;
    while !waiting.is_empty() {
        let Ok(event) = events.blocking_recv() else {
            break;
        };
        match event {
            PlayerEvent::Started { label, at, .. } => println!("▶ {label}  {}", clock_time(at)),
            PlayerEvent::Ended(report) => {
                waiting.remove(&report.id);
                for w in &report.warnings {
                    println!("  ⚠ {w}");
                }
                match &report.outcome {
                    Outcome::Completed => println!(
                        "■ {}  {} → {}  ({:.2} s)",
                        report.label,
                        report.first_sample_at.map_or("-".into(), clock_time),
                        report.last_sample_at.map_or("-".into(), clock_time),
                        match (report.first_sample_at, report.last_sample_at) {
                            (Some(a), Some(b)) => (b - a).as_seconds_f64(),
                            _ => 0.0,
                        }
                    ),
                    Outcome::Failed { reason } => {
                        failed += 1;
                        eprintln!("✗ {reason}");
                    }
                    Outcome::Stopped => println!("■ {} (dừng / stopped)", report.label),
                }
            }
            _ => {}
        }
    }
    // Wait for the output to play out before the process (and a WAV file) ends.
    while let Ok(event) = events.blocking_recv() {
        if matches!(event, PlayerEvent::Idle { .. }) {
            break;
        }
    }
    let underruns = player.status().underruns;
    if underruns > 0 {
        eprintln!("⚠ {underruns} lần thiếu dữ liệu / output underruns");
    }
    drop(player);
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn clock_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%H:%M:%S%.3f").to_string()
}
