//! `loaxa play FILE|URL...`: play recordings, and relay streams, back to back through the engine
//! the service uses; `--seconds N` bounds the whole play. It has no player or relay of its own: it
//! drives `audio::Player` as the service does.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use anyhow::{Result, bail};
use chrono::{DateTime, Local, Utc};
use loaxa::audio::clip::Clip;
use loaxa::audio::player::OutputOptions;
use loaxa::audio::stream::{RelayEvent, RelaySpec, StreamUrl};
use loaxa::audio::{AudioFormat, Outcome, PlayRequest, Player, PlayerEvent, Source};
use loaxa::clock::{Clock, SimClock, SystemClock};
use loaxa::config::OutputSpec;

/// Longest `--seconds`: a day.
const MAX_SECONDS: f64 = 86_400.0;
/// How long after `--seconds` the stop comes, so that a relay ends by itself first.
const STOP_GRACE: Duration = Duration::from_millis(50);

/// Options of `loaxa play`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Các tệp ghi âm, hoặc địa chỉ luồng http(s):// để tiếp sóng / recordings, or http(s)://
    /// stream addresses to relay.
    #[arg(required = true, value_name = "FILE|URL")]
    inputs: Vec<PathBuf>,
    /// Đầu ra / output: device, device:NAME, wav:PATH, null (default: audio.output).
    #[arg(long, short)]
    output: Option<String>,
    /// Tăng/giảm âm lượng (dB) / gain in dB.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    gain_db: f32,
    /// Chạy nhanh nhất có thể (chỉ wav/null, không tiếp sóng) / run as fast as possible (wav and
    /// null only, not for relays).
    #[arg(long)]
    fast: bool,
    /// Dừng sau N giây (bắt buộc khi tiếp sóng) / stop after N seconds (required to relay).
    #[arg(long, value_name = "N")]
    seconds: Option<f64>,
    /// Tệp phát khi mất sóng / the clip aired while a stream is out.
    #[arg(long, value_name = "FILE")]
    fallback: Option<PathBuf>,
    /// Chỉ có im lặng quá N giây là mất sóng / only silence for N seconds is an outage.
    #[arg(long, value_name = "N", default_value_t = 15.0)]
    silence_seconds: f64,
}

/// One thing to play.
enum Input {
    File(PathBuf),
    Stream(StreamUrl),
}

/// Play every input; exit 1 if any could not be played (a relay whose stream never came on
/// air counts as not played).
pub fn run(config_path: Option<&Path>, args: Args) -> Result<ExitCode> {
    let loaded = super::load_config(config_path)?;
    let spec: OutputSpec = match &args.output {
        Some(o) => o.parse().map_err(anyhow::Error::msg)?,
        None => loaded.config.audio.output.clone(),
    };
    let inputs = inputs(&args)?;
    let relays = inputs.iter().any(|i| matches!(i, Input::Stream(_)));
    check(&args, &spec, relays)?;
    let fallback = match (&args.fallback, relays) {
        (Some(path), true) => vec![Clip::load(path)?],
        (Some(_), false) => bail!(
            "--fallback chỉ dùng khi tiếp sóng một địa chỉ http(s):// / --fallback is only for relaying an http(s):// address"
        ),
        (None, _) => Vec::new(),
    };
    let clock: Arc<dyn Clock> = if args.fast {
        Arc::new(SimClock::starting_at(Utc::now()))
    } else {
        Arc::new(SystemClock::new())
    };
    let player = Player::spawn(OutputOptions::new(
        spec.clone(),
        AudioFormat::of(&loaded.config.audio),
        clock.clone(),
    ))?;
    let mut events = player.subscribe();
    let gain_db = args.gain_db + loaded.config.audio.gain_db;
    let until = args
        .seconds
        .map(|s| clock.now() + chrono::Duration::milliseconds((s * 1000.0) as i64));
    let mut waiting: HashSet<u64> = HashSet::new();
    let mut streams: HashSet<u64> = HashSet::new();
    for input in inputs {
        let (source, label) = match input {
            Input::File(path) => (Source::File(path.clone()), path.display().to_string()),
            Input::Stream(url) => {
                let mut relay = RelaySpec::new(url.clone(), until.unwrap_or_else(|| clock.now()));
                relay.fallback = fallback.clone();
                relay.silence = Duration::from_secs_f64(args.silence_seconds);
                (Source::Relay(relay), url.to_string())
            }
        };
        let is_stream = matches!(source, Source::Relay(_));
        let id = player.play(PlayRequest {
            source,
            label,
            gain_db,
            ..PlayRequest::file("", "")
        });
        waiting.insert(id);
        if is_stream {
            streams.insert(id);
        }
    }
    if let Some(f) = player.status().format {
        println!("→ {spec} ({} Hz, {} kênh/ch)", f.sample_rate, f.channels);
    }
    let (done, stopped) = mpsc::channel::<()>();
    let failed = std::thread::scope(|scope| {
        // `--seconds` ends whatever still plays then. A relay ends by itself at that moment;
        // this is the backstop for files, within one output buffer.
        if let Some(until) = until {
            let (player, clock) = (&player, clock.clone());
            scope.spawn(move || {
                let left = (until - clock.now()).to_std().unwrap_or_default() + STOP_GRACE;
                if !clock.is_real() {
                    return;
                }
                if stopped.recv_timeout(left) == Err(RecvTimeoutError::Timeout) {
                    player.stop();
                }
            });
        }
        let failed = follow(&mut events, waiting, &streams);
        drop(done);
        failed
    });
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

/// The inputs, each a file or a checked stream address.
fn inputs(args: &Args) -> Result<Vec<Input>> {
    args.inputs
        .iter()
        .map(|p| match p.to_str() {
            Some(s) if s.starts_with("http://") || s.starts_with("https://") => {
                Ok(Input::Stream(s.parse()?))
            }
            _ => Ok(Input::File(p.clone())),
        })
        .collect()
}

fn check(args: &Args, spec: &OutputSpec, relays: bool) -> Result<()> {
    if args.fast && matches!(spec, OutputSpec::Device(_)) {
        bail!(
            "--fast chỉ dùng với wav:PATH hoặc null; card âm thanh luôn phát theo thời gian thực / --fast only works with wav:PATH or null; a sound card always plays in real time"
        );
    }
    if args.fast && relays {
        bail!(
            "--fast không dùng được khi tiếp sóng: luồng trực tiếp chạy theo thời gian thực / --fast cannot relay: a live stream runs in real time"
        );
    }
    if !(-60.0..=20.0).contains(&args.gain_db) {
        bail!(
            "--gain-db {} nằm ngoài −60…+20 / is outside −60…+20",
            args.gain_db
        );
    }
    match args.seconds {
        Some(s) if !(s > 0.0 && s <= MAX_SECONDS) => bail!(
            "--seconds {s} phải lớn hơn 0 và không quá {MAX_SECONDS} / must be above 0 and at most {MAX_SECONDS}"
        ),
        None if relays => bail!(
            "tiếp sóng cần --seconds N: một lần tiếp sóng luôn có giờ kết thúc / relaying needs --seconds N: a relay always has an end"
        ),
        _ => {}
    }
    if !(1.0..=3600.0).contains(&args.silence_seconds) {
        bail!(
            "--silence-seconds {} nằm ngoài 1…3600 / is outside 1…3600",
            args.silence_seconds
        );
    }
    Ok(())
}

/// Print what happens until every play in `waiting` ended and the output played out; how
/// many failed.
fn follow(
    events: &mut tokio::sync::broadcast::Receiver<PlayerEvent>,
    mut waiting: HashSet<u64>,
    streams: &HashSet<u64>,
) -> u32 {
    let mut failed = 0;
    let mut heard: HashSet<u64> = HashSet::new();
    while !waiting.is_empty() {
        let Ok(event) = events.blocking_recv() else {
            break;
        };
        match event {
            PlayerEvent::Started { label, at, .. } => println!("▶ {label}  {}", clock_time(at)),
            PlayerEvent::Relay { id, event } => {
                if matches!(event, RelayEvent::OnAir { .. }) {
                    heard.insert(id);
                }
                print_relay(&event);
            }
            PlayerEvent::Ended(report) => {
                waiting.remove(&report.id);
                for w in &report.warnings {
                    println!("  ⚠ {w}");
                }
                let never_on_air = streams.contains(&report.id) && !heard.contains(&report.id);
                match &report.outcome {
                    Outcome::Failed { reason } => {
                        failed += 1;
                        eprintln!("✗ {reason}");
                    }
                    _ if never_on_air => {
                        failed += 1;
                        eprintln!(
                            "✗ {}: luồng không lên sóng lần nào / the stream was never on air",
                            report.label
                        );
                    }
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
    failed
}

fn print_relay(event: &RelayEvent) {
    match event {
        RelayEvent::Connected { url, info, .. } => println!(
            "↔ {url}: {} {} Hz, {} kênh/ch",
            info.codec, info.sample_rate, info.channels
        ),
        RelayEvent::OnAir { at } => println!("▶ tiếp sóng / relaying  {}", clock_time(*at)),
        RelayEvent::Title { title, .. } => println!("♪ {title}"),
        RelayEvent::Retrying {
            error, retry_in, ..
        } => eprintln!(
            "⚠ {error} — thử lại sau {s:.1} giây / retrying in {s:.1} s",
            s = retry_in.as_secs_f64()
        ),
        RelayEvent::OutageStarted {
            cause,
            since,
            fallback_at,
        } => eprintln!(
            "✗ mất sóng từ / off air since {}: {cause} — phát dự phòng từ / fallback from {}",
            clock_time(*since),
            clock_time(*fallback_at)
        ),
        RelayEvent::OutageEnded {
            since,
            until,
            recovered,
            ..
        } => {
            let secs = (*until - *since).as_seconds_f64();
            if *recovered {
                eprintln!(
                    "✓ có sóng lại / back on air  {} (mất / off air {secs:.1} s)",
                    clock_time(*until)
                );
            } else {
                eprintln!(
                    "■ hết giờ khi đang mất sóng / the relay ended off air (mất / off air {secs:.1} s)"
                );
            }
        }
    }
}

fn clock_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%H:%M:%S%.3f").to_string()
}
